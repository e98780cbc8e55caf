/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * testlib — what tracekit's tests share: a strict JSON parser (so every
 * record the tools print is also checked to be valid JSON), running a tool
 * with its output captured, and checking that the tools it ran left no BPF
 * program loaded.
 */
#ifndef TESTLIB_H
#define TESTLIB_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* ---- JSON ---------------------------------------------------------------- */
enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jv {
	enum jtype type;
	double num;
	long long inum;   /* exact integer value when the number is integral */
	bool b;
	char *str;        /* J_STR: decoded UTF-8 (NUL-terminated) */
	size_t len;       /* J_STR: bytes; J_ARR/J_OBJ: members */
	struct jv *items; /* J_ARR elements, J_OBJ values */
	char **keys;      /* J_OBJ */
};

/* Parses one complete JSON text; NULL if invalid (strict RFC 8259,
 * including UTF-8 validity of string contents). */
struct jv *json_parse(const char *text);
void json_free(struct jv *v);
const struct jv *json_get(const struct jv *obj, const char *key);
long long json_int(const struct jv *obj, const char *key, long long dflt);
const char *json_str(const struct jv *obj, const char *key); /* or NULL */

/* A tool's JSON Lines output, parsed. */
struct records {
	struct jv **v;
	size_t n;
	size_t invalid; /* lines that were not valid JSON */
};
int records_load(const char *path, struct records *r);
void records_free(struct records *r);
/* Records whose "event" equals ev (NULL = any), filtered by pid (0 = any). */
size_t records_count(const struct records *r, const char *ev, long long pid);
/* Records having every key=value of spec ("event=exec pid=42 ret=0"),
 * each value as the JSON shows it: numbers in decimal, true/false,
 * strings unquoted and without blanks. */
size_t records_match(const struct records *r, const char *spec);
/* Exactly one record matches the printf-formatted spec (cmocka tests). */
#define ASSERT_ONE_RECORD(r, ...)                                                 \
	do {                                                                      \
		char s__[512];                                                    \
		size_t n__;                                                       \
		snprintf(s__, sizeof(s__), __VA_ARGS__);                          \
		n__ = records_match((r), s__);                                    \
		if (n__ != 1)                                                     \
			fail_msg("%zu records with %s, not 1", n__, s__);         \
	} while (0)

/* ---- running tools --------------------------------------------------------- */
extern char tl_root[]; /* PATH_MAX / 2 bytes */  /* repository root (from the test binary's path) */

struct proc {
	pid_t pid;
	char out[256]; /* stdout file */
	char err[256]; /* stderr file */
};

/* Starts argv (NULL-terminated) with stdout/stderr to temp files. */
int proc_start(struct proc *p, char *const argv[]);
/* The same with stdout on out_fd instead (-1: closed; p->out stays empty). */
#define PROC_STDOUT_FILE (-2)
int proc_start_stdout(struct proc *p, char *const argv[], int out_fd);
/* Waits until stderr contains `needle` (or the process exits / timeout ms). */
bool proc_wait_stderr(struct proc *p, const char *needle, int timeout_ms);
/* Waits for exit; returns the exit code, 128+sig if killed, -1 on timeout
 * (after which the process is killed). */
int proc_wait(struct proc *p, int timeout_ms);
void proc_cleanup(struct proc *p);
/* Parses "TOOL: N events, M lost" from the stderr file. */
int proc_summary(struct proc *p, unsigned long long *events, unsigned long long *lost);
char *slurp(const char *path); /* whole file, NUL-terminated; free() it */

/* Runs argv to its end (30 s at most); its exit code, *err its stderr
 * (free() it). */
int proc_run_err(char *const argv[], char **err);
/* Runs argv to completion (stdout/stderr to /dev/null); returns exit code. */
int run_quiet(char *const argv[]);

/* run_quiet() under valgrind (full leak check, tests/valgrind.supp):
 * VALGRIND_ERROR if valgrind found anything, VALGRIND_MISSING if it is
 * not installed, else argv's exit code. */
#define VALGRIND_ERROR 99
#define VALGRIND_MISSING -2
int run_valgrind(char *const argv[]);

/*
 * Leak checks by program id, not by name: other tracekit tools may run on
 * the host. Every BPF program a child of this process (a tool the test
 * started, however) held is noted (testlib.c says how).
 * tk_progs_left(): how many of the programs noted since the last call are
 * still loaded after waiting up to 5 s (the kernel releases links and
 * programs from a workqueue/RCU after the fds close; a real leak stays);
 * prints each on stderr, then forgets them all.
 * tk_progs_held(): programs whose names start with prefix (e.g. "proc_";
 * see bpf/tk.bpf.h) that process pid holds now.
 * tk_progs_seen(): how many ids are noted (for testing the check itself).
 */
int tk_progs_left(void);
int tk_progs_held(pid_t pid, const char *prefix);
size_t tk_progs_seen(void);

/* ---- cgroups ----------------------------------------------------------------
 * tl_cgroup2_root(): where cgroup2 is mounted (/sys/fs/cgroup on a pure v2
 * host, /sys/fs/cgroup/unified on a hybrid one), from /proc/self/mountinfo;
 * NULL if it is not. tl_cgroup_id(pid): the cgroup v2 id of pid's cgroup
 * (0: this process), i.e. the inode number of its directory, what a record's
 * cgroup_id must be; 0 if it cannot be found.
 */
const char *tl_cgroup2_root(void);
unsigned long long tl_cgroup_id(pid_t pid);
/* mkdir(dir, 0755), then its inode number (a cgroup's id, or the id a
 * cgroup-shaped tree in /tmp stands in for); fails the test otherwise. */
unsigned long long tl_mkdir_ino(const char *dir);

/* ---- running a tool: the harness -------------------------------------------
 *
 * Every tool's integration test runs the tool the same way; that frame lives
 * here once. A run is described by a struct tl_opts, written with designated
 * initialisers through the tl_run() macro:
 *
 *	struct tl_run run;
 *	tl_run(&run, .tool = "proctrace", .args = TL_ARGS("-j", "--", "/bin/true"));
 *	...assertions on run.r (records), run.events, run.lost...
 *	tl_run_free(&run);
 *
 * Two modes, told apart by the arguments:
 * - command mode (args hold "--"): the tool runs the command and ends with
 *   it; its exit code must be .rc (the command's status);
 * - system-wide: the tool is started, the harness waits for its READY line
 *   on stderr, runs what the test gives it (.workload and/or .during), then
 *   ends the tool with .stop_sig (SIGINT unless set); its exit code must be
 *   .rc (0 unless set).
 * .workload is a process traced by pid: the harness forks it held (blocked
 * before its exec, so the tool can be given "-p PID" first), adds "-p PID"
 * to the tool's arguments, and releases it once the tool is ready; the run
 * waits for it to exit 0. Only what it does after its exec is traced. Its
 * argv[0] is relative to the repository root unless it starts with '/'.
 *
 * What every run checks, so no test has to (a failure is a cmocka failure
 * that shows the tool's stderr):
 * - the exit code;
 * - the summary line "TOOL: N events, M lost" on stderr (parsed into
 *   events/lost, and printed/after_limit with -n); loss must be known and 0
 *   unless .lossy;
 * - with -j (JSON): every stdout line (or the -o FILE's, if args hold -o) is
 *   valid JSON; the last is {"event":"summary"} with the same events, lost
 *   and printed as the line; it is taken out of run.r (run.summary holds it),
 *   so run.r holds the tool's records only, and, unless .table (summary
 *   modes, whose rows are not counted events), exactly `printed` of them.
 * Without -j, run.out holds stdout as text. run.err always holds stderr.
 *
 * Failed assertions leave a test early: every process the harness or
 * proc_start() started is remembered, and tl_teardown() (the teardown of
 * every TL_TEST and of the standard checks) kills what still runs, removes
 * the output files and fails the test if a BPF program of a tool it ran is
 * still loaded (tk_progs_left()). Tests therefore need no leak check of
 * their own.
 */
#define TL_READY "tracing, Ctrl-C to end"
#define TL_ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

struct tl_run;

struct tl_opts {
	const char *tool;             /* "proctrace": runs bin/proctrace */
	const char *const *args;      /* the tool's arguments (TL_ARGS), or NULL */
	const char *const *more;      /* appended after args (the standard checks' own) */
	const char *const *workload;  /* argv run held, traced with -p (see above) */
	/* called once the tool is ready (system-wide) or started (command
	 * mode), after the workload ended; the test's own activity */
	void (*during)(struct tl_run *run, void *arg);
	void *arg;
	int rc;            /* the exit code the tool must end with */
	int stop_sig;      /* system-wide: how the run ends (0: SIGINT) */
	bool lossy;        /* lost records are allowed (and counted in lost) */
	bool table;        /* summary mode: records are table rows, not events */
	bool frozen;       /* the tool is SIGSTOPped while the workload runs */
	bool no_stop;      /* system-wide, but the tool ends by itself */
	bool hold;         /* the workload is never released: a quiet pid to trace */
	int out_fd;        /* stdout on this fd (0: a file; -1: closed) */
	int timeout_ms;    /* for the tool's end (0: 60 s) */
};

struct tl_run {
	struct tl_opts o;
	struct proc p;
	pid_t workload;        /* its pid (0: none) */
	bool reaped;           /* the run has waited for it */
	int go;                /* write end of the workload's hold pipe */
	bool command;          /* command mode */
	bool json;             /* -j: stdout parsed as JSON Lines */
	char outfile[256];     /* where the records are: -o FILE, or stdout's file */
	int rc;                /* the tool's exit code */
	unsigned long long events, lost, printed, after_limit; /* summary line */
	struct records r;      /* JSON records, the summary record excluded */
	struct jv *summary;    /* the JSON summary record */
	char *out, *err;       /* stdout (text mode) and stderr, NUL-terminated */
};

/* Starts the tool (and the held workload); system-wide: until READY. */
void tl_start_opts(struct tl_run *run, const struct tl_opts *o);
#define tl_start(run, ...) tl_start_opts((run), &(const struct tl_opts){ __VA_ARGS__ })
/* Releases the workload, runs .during, ends the tool, checks the run. */
void tl_stop(struct tl_run *run);
/* tl_start() then tl_stop(): one whole run. */
#define tl_run(run, ...) (tl_start(run, __VA_ARGS__), tl_stop(run))
/* Frees the records and texts, removes the output files. */
void tl_run_free(struct tl_run *run);
/* Records of event ev (NULL: any) from pid (0: any), the first of them. */
const struct jv *tl_find(const struct tl_run *run, const char *ev, long long pid);

/*
 * The standard checks every tool must pass, as cmocka test entries:
 * TL_STANDARD_TESTS(&tool) in the test array, where tool says how to run
 * the tool and which workload of known size to trace:
 * - bad arguments (a common set, and the tool's own .bad rows) exit 2 with
 *   one line on stderr, "TOOL: ...";
 * - SIGINT and SIGTERM, after the workload: exit 0, the summary, exactly
 *   .n records of .event and none lost; the tool held programs named
 *   .prog_prefix* while it ran;
 * - SIGPIPE: the reader of its text output goes away after the header
 *   line while nothing is traced (the workload held): the tool ends by
 *   itself within 10 s, exit 0, the summary printed;
 * - valgrind over each .valgrind row (a command-mode run that must exit
 *   .valgrind_rc; the command relative to the repository root unless it
 *   starts with '/'): no leak, no invalid access;
 * - frozen consumer: a 8 KiB ring, the tool stopped (SIGSTOP) while the
 *   workload makes its .n events: records + lost == .n exactly, lost > 0;
 * - and, after each, no program of the tools it ran left loaded.
 * .filter selects the workload's events (the harness adds -p PID); its
 * records must be exactly .n of .event.
 */
typedef const char *const tl_args[16];

struct tl_tool {
	const char *name;             /* bin/NAME */
	const char *prog_prefix;      /* its programs' names start with this */
	const char *const *workload;  /* argv (TL_ARGS); makes exactly n events */
	const char *const *filter;    /* tool arguments selecting them */
	const char *event;            /* their records' "event" */
	unsigned long long n;
	const tl_args *bad;           /* the tool's own bad arguments, { NULL }-ended */
	const tl_args *valgrind;      /* valgrind runs, { NULL }-ended */
	int valgrind_rc;
};

void tl_std_bad_args(void **state);
void tl_std_signals(void **state);
void tl_std_sigpipe(void **state);
void tl_std_valgrind(void **state);
void tl_std_frozen_loss(void **state);
int tl_teardown(void **state);

#define TL_STD_(f, tool) cmocka_unit_test_prestate_setup_teardown(f, NULL, tl_teardown, (void *)(tool))
#define TL_STANDARD_TESTS(tool)                                                      \
	TL_STD_(tl_std_bad_args, tool), TL_STD_(tl_std_signals, tool),               \
	TL_STD_(tl_std_sigpipe, tool), TL_STD_(tl_std_valgrind, tool),               \
	TL_STD_(tl_std_frozen_loss, tool)
/* A tool's own test: with the harness's teardown (the leak check). */
#define TL_TEST(f) cmocka_unit_test_teardown(f, tl_teardown)
/* main()'s body: the group, named, with a line if it cannot run as root. */
#define TL_RUN_GROUP(name, tests, setup, teardown)                                   \
	(tl_is_root() ? (void)0                                                       \
		      : (void)fprintf(stderr, "\n*** %s integration tests need root: "  \
					    "SKIPPED ***\n\n", name),                   \
	 cmocka_run_group_tests_name(name, tests, setup, teardown))

/* For cmocka tests (include <cmocka.h> first). */
#define NEED_ROOT()                                                               \
	do {                                                                      \
		if (!tl_is_root()) {                                              \
			fprintf(stderr, "SKIPPED: %s needs root\n", __func__);   \
			skip();                                                   \
		}                                                                 \
	} while (0)
#define ASSERT_NO_PROGS_LEFT()                                                    \
	do {                                                                      \
		int n__ = tk_progs_left();                                        \
		if (n__)                                                          \
			fail_msg("%d BPF programs of the tools this test ran still " \
				 "loaded after exit", n__);                        \
	} while (0)

bool tl_is_root(void);
/* Paths relative to the repository root. */
const char *tl_path(const char *rel);

#endif
