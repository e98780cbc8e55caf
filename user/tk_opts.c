// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Options every tool shares, strict number parsing, and the two message
 * helpers. Usage errors are one line on stderr and exit code 2; the parser
 * never prints getopt's own messages.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include "tk.h"

const char *tk_prog = "tracekit";

static int vmsg(int rc, const char *suffix, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", tk_prog);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "%s\n", suffix);
	return rc;
}

int tk_fail(const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vmsg(1, "", fmt, ap);
	va_end(ap);
	return rc;
}

int tk_fail_no_cgroups(const struct tk_out *o, const char *what)
{
	if (o->cg_errno == ENOENT)
		return tk_fail("%s: no cgroup v2 hierarchy is mounted", what);
	return tk_fail("%s: cannot open the cgroup v2 hierarchy: %s", what, strerror(o->cg_errno));
}

int tk_usage_error(const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vmsg(2, " (see --help)", fmt, ap);
	va_end(ap);
	return rc;
}

int tk_parse_u64(const char *s, __u64 min, __u64 max, bool suffix, __u64 *out)
{
	unsigned long long v;
	char *end;
	int shift = 0;

	/* strtoull accepts "-1" and leading blanks: we do not */
	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ' || (*s < '0' || *s > '9'))
		return -1;
	/* decimal, or hex after 0x; never octal: "-p 010" is pid 10, as in
	 * ps and kill, not pid 8 */
	errno = 0;
	v = strtoull(s, &end, (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) ? 16 : 10);
	if (errno || end == s)
		return -1;
	if (suffix && *end) {
		switch (*end) {
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		default: return -1;
		}
		end++;
	}
	if (*end)
		return -1;
	if (shift && v > (~0ULL >> shift))
		return -1;
	v <<= shift;
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int tk_parse_seconds(const char *s, double *out)
{
	size_t digits, frac = 0;
	char *end;
	double v;

	/* decimal only: strtod alone would take "0x10" as 16 s, "1e3" and "inf" */
	if (!s)
		return -1;
	digits = strspn(s, "0123456789");
	if (s[digits] == '.')
		frac = strspn(s + digits + 1, "0123456789");
	if (!digits && !frac)
		return -1;
	if (s[digits + (s[digits] == '.' ? 1 + frac : 0)])
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v <= 0 || v > 1e9)
		return -1;
	*out = v;
	return 0;
}

int tk_path_normalize(const char *in, char *out, size_t size)
{
	size_t n = 0;

	if (!in || in[0] != '/' || size < 2)
		return -1;
	out[n++] = '/';
	for (const char *p = in; *p;) {
		size_t len;

		while (*p == '/')
			p++;
		len = strcspn(p, "/");
		if (!len)
			break;
		if (len == 1 && p[0] == '.') {
			/* "/./" is the same directory */
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			/* up one; "/.." is "/", as the kernel resolves it */
			while (n > 1 && out[n - 1] != '/')
				n--;
			if (n > 1)
				n--;
		} else {
			if (n + (n > 1) + len >= size)
				return -1;
			if (n > 1)
				out[n++] = '/';
			memcpy(out + n, p, len);
			n += len;
		}
		p += len;
	}
	out[n] = 0;
	return 0;
}

enum {
	OPT_RINGBUF = 1000,
	OPT_PERFBUF,
	OPT_WAKEUP,
	OPT_DRAIN,
	OPT_RAW,
	OPT_CGROUP,
	OPT_METRICS,
	OPT_APPEND,
};

static const struct tk_tool_opt common_opts[] = {
	{ "pid", 'p', "PID", "trace this process only" },
	{ "uid", 'u', "UID", "trace this user only" },
	{ "comm", 'c', "NAME", "trace processes with this command name only" },
	{ "cgroup", OPT_CGROUP, "PATH", "trace tasks in this cgroup v2 directory or below it only (repeatable: any of them)" },
	{ "events", 'e', "LIST", "events to trace, comma-separated, or 'all'" },
	{ "json", 'j', NULL, "JSON Lines output, one object per record" },
	{ "output", 'o', "FILE", "write records to FILE (keeps them apart from a command's output); SIGHUP reopens it, for log rotation" },
	{ "timestamp", 'T', NULL, "show wall-clock time" },
	{ "containers", 'C', NULL, "text: a column with the container's short id or the systemd unit (JSON always has them)" },
	{ "duration", 'd', "SECONDS", "stop after this long" },
	{ "count", 'n', "N", "stop after N records" },
	{ "ringbuf-size", OPT_RINGBUF, "BYTES", "ring buffer size: power of two >= 4096, K/M/G ok (default 4M)" },
	{ "perfbuf", OPT_PERFBUF, NULL, "use a perf buffer, and no BPF ring buffer (see Kernel below)" },
	{ "wakeup", OPT_WAKEUP, "POLICY", "'bounded' (default): wake at once when idle, then poll every 1 ms (--perfbuf: as batch); 'batch': drain every --drain-ms, wake early when half full; 'event': wake per event" },
	{ "drain-ms", OPT_DRAIN, "MS", "batch policy (and --perfbuf's bounded): drain period in ms, 1..1000 (default 5)" },
	{ "raw", OPT_RAW, "FILE", "also write every record as received (u32 length, then its bytes) to FILE" },
	{ "append", OPT_APPEND, NULL, "add to -o and --raw files instead of truncating them (a service restarted keeps its log)" },
	{ "metrics", OPT_METRICS, "FILE", "summary modes (-s) and nettrace: rewrite FILE (atomically) with the counters in Prometheus's text format at the start, every table interval (15 s where there is none) and at the end, for node_exporter's textfile collector" },
	{ "verbose", 'v', NULL, "libbpf debug output" },
	{ "help", 'h', NULL, "show this help" },
	{ "version", 'V', NULL, "show the version" },
	{ NULL, 0, NULL, NULL },
};

bool tk_opt_in(const struct tk_tool_opt *list, int key, const char *name)
{
	for (const struct tk_tool_opt *o = list; o && o->name; o++)
		if ((key >= 0 && key < 256 && o->key == key) || (name && !strcmp(o->name, name)))
			return true;
	return false;
}

bool tk_common_opt(int key, const char *name)
{
	return tk_opt_in(common_opts, key, name);
}

void tk_select_defaults(const struct tk_tool *tool, struct tk_env *env)
{
	memset(env->events_mask, 0, sizeof(env->events_mask));
	for (const struct tk_tool_event *e = tool->events; e->name; e++)
		if (e->on_by_default)
			tk_event_select(env, e->id, true);
}

bool tk_select_event(const struct tk_tool *tool, struct tk_env *env, const char *name)
{
	bool found = false;

	for (const struct tk_tool_event *e = tool->events; e->name; e++) {
		if (!strcmp(name, "all") || !strcmp(name, e->name)) {
			tk_event_select(env, e->id, true);
			found = true;
		}
	}
	return found;
}

/*
 * A tool option with the short key of a common one replaces it (both its
 * short and long form): syscalltrace's -e selects syscalls, not events.
 */
static bool tool_overrides(const struct tk_tool *t, int key)
{
	for (const struct tk_tool_opt *o = t->opts; key < 256 && o && o->name; o++)
		if (o->key == key)
			return true;
	return false;
}

size_t tk_tool_opts(const struct tk_tool *t, const struct tk_tool_opt **out, size_t max)
{
	const struct tk_tool_opt *lists[2] = { t->opts, common_opts };
	size_t n = 0;

	/* the order of --help: the tool's own, then the common ones it keeps */
	for (int l = 0; l < 2; l++)
		for (const struct tk_tool_opt *o = lists[l]; o && o->name; o++)
			if (l == 0 || !tool_overrides(t, o->key)) {
				if (n < max)
					out[n] = o;
				n++;
			}
	return n;
}

/* common: skip the common options the tool replaces. */
static void print_opts(const struct tk_tool *t, const struct tk_tool_opt *o, bool common)
{
	for (; o && o->name; o++) {
		char left[64];

		if (common && tool_overrides(t, o->key))
			continue;
		if (o->key < 256)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->key, o->name,
				 o->arg ? " " : "", o->arg ? o->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name,
				 o->arg ? " " : "", o->arg ? o->arg : "");
		printf("  %-26s %s\n", left, o->help);
	}
}

static void print_help(const struct tk_tool *t)
{
	const struct tk_tool_event *e;

	printf("Usage: %s [OPTIONS] [-- COMMAND [ARGS...]]\n%s\n\n", t->name, t->summary);
	printf("With COMMAND, run it and trace it and all its descendants only; exit\n"
	       "with its exit status.\n");
	if (!tool_overrides(t, 'e')) {
		printf("\nEvents (-e):");
		for (e = t->events; e->name; e++)
			printf(" %s%s", e->name, e->on_by_default ? "*" : "");
		printf("   (* = default)\n");
	}
	printf("\nOptions:\n");
	print_opts(t, t->opts, false);
	print_opts(t, common_opts, true);
	/* tracekit trace's summary line is "tracekit: …", its first word */
	printf("\nAt exit, '%.*s: N events, M lost' is printed on stderr.\n",
	       (int)strcspn(t->name, " "), t->name);
	/* from the table generated from this tool's BPF object */
	if (tk_min_linux(t->name, false))
		printf("\nKernel: Linux %s or later with BTF; with --perfbuf, Linux %s.\n",
		       tk_min_linux(t->name, false), tk_min_linux(t->name, true));
	if (t->examples)
		printf("\nExamples:\n%s", t->examples);
}

static int parse_events(const struct tk_tool *t, const char *list, struct tk_env *env)
{
	char *copy = strdup(list), *save = NULL, *tok;
	bool any = false;
	int rc = 0;

	if (!copy)
		return tk_fail("out of memory");
	memset(env->events_mask, 0, sizeof(env->events_mask));
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!tk_select_event(t, env, tok)) {
			rc = tk_usage_error("unknown event '%s'", tok);
			break;
		}
		any = true;
	}
	if (!rc && !any)
		rc = tk_usage_error("no events selected");
	free(copy);
	return rc;
}

/*
 * --cgroup PATH: a directory of the cgroup v2 hierarchy, wherever it is
 * mounted (/sys/fs/cgroup, or /sys/fs/cgroup/unified on a hybrid host).
 * The filesystem type tells it from a v1 controller's directory, whose
 * tasks the kernel's v2 check would silently never match.
 */
static int parse_cgroup(const char *path, struct tk_env *env)
{
	struct statfs sfs;
	struct stat st;

	if (env->ncgroups == TK_MAX_CGROUPS)
		return tk_usage_error("at most %d --cgroup options", TK_MAX_CGROUPS);
	if (!*path)
		return tk_usage_error("empty cgroup path");
	if (stat(path, &st))
		return tk_usage_error("invalid cgroup '%s': %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return tk_usage_error("invalid cgroup '%s': not a directory", path);
	if (statfs(path, &sfs))
		return tk_usage_error("invalid cgroup '%s': %s", path, strerror(errno));
	if (sfs.f_type != CGROUP2_SUPER_MAGIC)
		return tk_usage_error("invalid cgroup '%s': not a cgroup v2 directory (%s; on a "
				      "hybrid host cgroup v2 is at /sys/fs/cgroup/unified)", path,
				      sfs.f_type == CGROUP_SUPER_MAGIC ? "it is cgroup v1"
								       : "no cgroup filesystem");
	env->cgroups[env->ncgroups++] = path;
	return 0;
}

/* Builds getopt's tables from the common options and the tool's own. */
static int build_getopt(const struct tk_tool *t, struct option *lo, size_t nlo,
			char *so, size_t nso)
{
	const struct tk_tool_opt *lists[2] = { common_opts, t->opts };
	size_t n = 0, s = 0;

	so[s++] = '+'; /* stop at the first non-option: the command */
	so[s++] = ':'; /* report missing arguments as ':' */
	for (int l = 0; l < 2; l++) {
		for (const struct tk_tool_opt *o = lists[l]; o && o->name; o++) {
			if (l == 0 && tool_overrides(t, o->key))
				continue;
			if (n + 1 >= nlo || s + 3 >= nso)
				return -1;
			lo[n++] = (struct option){ o->name, o->arg ? required_argument : no_argument,
						   NULL, o->key };
			if (o->key < 256) {
				so[s++] = (char)o->key;
				if (o->arg)
					so[s++] = ':';
			}
		}
	}
	lo[n] = (struct option){ 0 };
	so[s] = 0;
	return 0;
}

int tk_parse_args(const struct tk_tool *t, int argc, char **argv, struct tk_env *env)
{
	const char *last_arg = NULL;
	struct option lo[64];
	char so[128];
	__u64 v;
	int c;

	tk_prog = t->name;
	memset(env, 0, sizeof(*env));
	env->tool = t;
	env->ringbuf_size = TK_DEFAULT_RINGBUF_SIZE;
	env->wakeup = TK_WAKEUP_BOUNDED;
	env->drain_ms = TK_DEFAULT_DRAIN_MS;
	tk_select_defaults(t, env);
	if (build_getopt(t, lo, 64, so, sizeof(so)))
		return tk_fail("too many options");

	optind = 0; /* 0, not 1: glibc then fully reinitialises (tests parse many times) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		last_arg = optarg;
		if (c != '?' && c != ':' && tool_overrides(t, c)) {
			if (!t->parse_opt || t->parse_opt(c, optarg))
				return 2;
			continue;
		}
		switch (c) {
		case 'p':
			if (tk_parse_u64(optarg, 1, 0x7fffffff, false, &v))
				return tk_usage_error("invalid pid '%s'", optarg);
			env->pid = v;
			break;
		case 'u':
			if (tk_parse_u64(optarg, 0, 0xfffffffe, false, &v))
				return tk_usage_error("invalid uid '%s'", optarg);
			env->uid = v;
			env->have_uid = true;
			break;
		case 'c':
			if (!*optarg || strlen(optarg) >= TK_COMM_LEN)
				return tk_usage_error("invalid command name '%s' (1..%d bytes)",
						      optarg, TK_COMM_LEN - 1);
			strcpy(env->comm, optarg);
			break;
		case 'e':
			if (parse_events(t, optarg, env))
				return 2;
			break;
		case 'j':
			env->json = true;
			break;
		case 'o':
			if (!*optarg)
				return tk_usage_error("empty output file name");
			env->output = optarg;
			break;
		case 'T':
			env->timestamp = true;
			break;
		case 'C':
			env->containers = true;
			break;
		case 'd':
			if (tk_parse_seconds(optarg, &env->duration))
				return tk_usage_error("invalid duration '%s'", optarg);
			break;
		case 'n':
			if (tk_parse_u64(optarg, 1, ~0ULL, false, &env->count))
				return tk_usage_error("invalid count '%s'", optarg);
			break;
		case OPT_RINGBUF:
			if (tk_parse_u64(optarg, 4096, 1ULL << 30, true, &v) || (v & (v - 1)))
				return tk_usage_error("invalid ring buffer size '%s': a power of two from 4096 to 1G",
						      optarg);
			env->ringbuf_size = v;
			break;
		case OPT_PERFBUF:
			env->perfbuf = true;
			break;
		case OPT_WAKEUP:
			if (!strcmp(optarg, "bounded"))
				env->wakeup = TK_WAKEUP_BOUNDED;
			else if (!strcmp(optarg, "batch"))
				env->wakeup = TK_WAKEUP_BATCH;
			else if (!strcmp(optarg, "event"))
				env->wakeup = TK_WAKEUP_EVENT;
			else
				return tk_usage_error("invalid wakeup policy '%s': bounded, batch or event", optarg);
			break;
		case OPT_RAW:
			if (!*optarg)
				return tk_usage_error("empty raw output file name");
			env->raw = optarg;
			break;
		case OPT_APPEND:
			env->append = true;
			break;
		case OPT_METRICS:
			if (!*optarg)
				return tk_usage_error("empty metrics file name");
			env->metrics = optarg;
			break;
		case OPT_CGROUP:
			if (parse_cgroup(optarg, env))
				return 2;
			break;
		case OPT_DRAIN:
			if (tk_parse_u64(optarg, 1, 1000, false, &v))
				return tk_usage_error("invalid drain interval '%s' (1..1000 ms)", optarg);
			env->drain_ms = v;
			break;
		case 'v':
			env->verbose = true;
			break;
		case 'h':
			print_help(t);
			exit(0);
		case 'V':
			printf("%s (tracekit) %s\n", t->name, TK_VERSION);
			exit(0);
		case ':':
			return tk_usage_error("option '%s' needs an argument", argv[optind - 1]);
		case '?':
			if (optopt && optopt < 256)
				return tk_usage_error("unknown option '-%c'", optopt);
			return tk_usage_error("unknown option '%s'", argv[optind - 1]);
		default:
			if (!t->parse_opt || t->parse_opt(c, optarg))
				return 2;
		}
	}
	/* "tool --" alone would trace system-wide: the operator meant a command.
	 * (A "--" that was an option's argument is not the separator.) */
	if (optind == argc && optind > 1 && !strcmp(argv[optind - 1], "--") &&
	    argv[optind - 1] != last_arg)
		return tk_usage_error("'--' must be followed by a command");
	if (optind < argc)
		env->cmd = &argv[optind];
	if (env->cmd && env->pid)
		return tk_usage_error("-p and a command exclude each other");
	if (env->append && !env->output && !env->raw)
		return tk_usage_error("--append needs -o FILE or --raw FILE");
	return t->check_args ? t->check_args(env) : 0;
}
