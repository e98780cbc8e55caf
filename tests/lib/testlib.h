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
