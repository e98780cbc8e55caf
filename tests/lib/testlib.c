// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "testlib.h"

/* ---- JSON parser ---------------------------------------------------------- */

struct jp {
	const char *s;
	bool err;
};

static struct jv *jparse_value(struct jp *p, int depth);

static void ws(struct jp *p)
{
	while (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' || *p->s == '\r')
		p->s++;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Four hex digits at s, or -1. */
static long hex4(const char *s)
{
	long v = 0;

	for (int i = 0; i < 4; i++) {
		int h = hexval(s[i]);

		if (h < 0)
			return -1;
		v = v << 4 | h;
	}
	return v;
}

static int put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = 0xc0 | (cp >> 6);
		o[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = 0xe0 | (cp >> 12);
		o[1] = 0x80 | ((cp >> 6) & 0x3f);
		o[2] = 0x80 | (cp & 0x3f);
		return 3;
	}
	o[0] = 0xf0 | (cp >> 18);
	o[1] = 0x80 | ((cp >> 12) & 0x3f);
	o[2] = 0x80 | ((cp >> 6) & 0x3f);
	o[3] = 0x80 | (cp & 0x3f);
	return 4;
}

/* Strict UTF-8 sequence length (same rules as the decoder under test,
 * written independently). */
static int utf8_len(const unsigned char *s)
{
	unsigned cp;
	int n;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		n = 2, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static char *jparse_string(struct jp *p, size_t *lenp)
{
	const char *s = p->s + 1, *end = s;
	char *out, *o;

	/* A decoded string is never longer than its literal (an escape is
	 * longer than what it stands for): sized by the literal, not by the
	 * rest of the text, which made parsing a long line quadratic. */
	while (*end && *end != '"')
		end += *end == '\\' && end[1] ? 2 : 1;
	out = o = malloc(end - s + 1);
	if (!out) {
		p->err = true;
		return NULL;
	}
	while (*s != '"') {
		unsigned char c = *s;

		if (c < 0x20)
			goto bad; /* raw control characters are invalid JSON */
		if (c == '\\') {
			s++;
			switch (*s) {
			case '"': *o++ = '"'; break;
			case '\\': *o++ = '\\'; break;
			case '/': *o++ = '/'; break;
			case 'b': *o++ = '\b'; break;
			case 'f': *o++ = '\f'; break;
			case 'n': *o++ = '\n'; break;
			case 'r': *o++ = '\r'; break;
			case 't': *o++ = '\t'; break;
			case 'u': {
				long cp = hex4(s + 1), lo;

				if (cp < 0)
					goto bad;
				s += 4;
				if (cp >= 0xd800 && cp <= 0xdbff && s[1] == '\\' && s[2] == 'u') {
					lo = hex4(s + 3);
					if (lo < 0xdc00 || lo > 0xdfff)
						goto bad;
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					s += 6;
				} else if (cp >= 0xd800 && cp <= 0xdfff) {
					goto bad; /* lone surrogate */
				}
				o += put_utf8(o, cp);
				break;
			}
			default:
				goto bad;
			}
			s++;
			continue;
		}
		{
			int n = utf8_len((const unsigned char *)s);

			if (!n)
				goto bad;
			while (n--)
				*o++ = *s++;
		}
	}
	*o = 0;
	*lenp = o - out;
	p->s = s + 1;
	return out;
bad:
	free(out);
	p->err = true;
	return NULL;
}

static struct jv *jnew(enum jtype t)
{
	struct jv *v = calloc(1, sizeof(*v));

	if (v)
		v->type = t;
	return v;
}

static struct jv *jparse_value(struct jp *p, int depth)
{
	struct jv *v = NULL;

	if (depth > 64) {
		p->err = true;
		return NULL;
	}
	ws(p);
	switch (*p->s) {
	case '{':
	case '[': {
		bool obj = *p->s == '{';
		char close = obj ? '}' : ']';
		size_t cap = 0;

		v = jnew(obj ? J_OBJ : J_ARR);
		p->s++;
		ws(p);
		if (*p->s == close) {
			p->s++;
			return v;
		}
		for (;;) {
			char *key = NULL;
			struct jv *item;
			size_t kl;

			ws(p);
			if (obj) {
				if (*p->s != '"')
					goto bad;
				key = jparse_string(p, &kl);
				if (!key)
					goto bad;
				ws(p);
				if (*p->s != ':') {
					free(key);
					goto bad;
				}
				p->s++;
			}
			item = jparse_value(p, depth + 1);
			if (!item) {
				free(key);
				goto bad;
			}
			/* grown by doubling: an argv of 4096 empty strings is
			 * a valid record, and growing by one was quadratic */
			if (v->len == cap) {
				void *items, *keys;

				cap = cap ? 2 * cap : 8;
				items = realloc(v->items, cap * sizeof(*v->items));
				if (items)
					v->items = items;
				keys = obj && items ? realloc(v->keys, cap * sizeof(*v->keys)) : NULL;
				if (keys)
					v->keys = keys;
				if (!items || (obj && !keys)) {
					free(key);
					json_free(item);
					goto bad;
				}
			}
			v->items[v->len] = *item;
			free(item);
			if (obj)
				v->keys[v->len] = key;
			v->len++;
			ws(p);
			if (*p->s == ',') {
				p->s++;
				continue;
			}
			if (*p->s == close) {
				p->s++;
				return v;
			}
			goto bad;
		}
	}
	case '"':
		v = jnew(J_STR);
		v->str = jparse_string(p, &v->len);
		if (!v->str)
			goto bad;
		return v;
	case 't':
	case 'f':
	case 'n':
		if (!strncmp(p->s, "true", 4) || !strncmp(p->s, "null", 4)) {
			v = jnew(*p->s == 't' ? J_BOOL : J_NULL);
			v->b = *p->s == 't';
			p->s += 4;
			return v;
		}
		if (!strncmp(p->s, "false", 5)) {
			v = jnew(J_BOOL);
			p->s += 5;
			return v;
		}
		goto bad;
	default: {
		const char *start = p->s;
		char *end;

		/* RFC 8259 number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
		if (*p->s == '-')
			p->s++;
		if (*p->s == '0')
			p->s++;
		else if (*p->s >= '1' && *p->s <= '9')
			while (*p->s >= '0' && *p->s <= '9')
				p->s++;
		else
			goto bad;
		if (*p->s == '.') {
			p->s++;
			if (*p->s < '0' || *p->s > '9')
				goto bad;
			while (*p->s >= '0' && *p->s <= '9')
				p->s++;
		}
		if (*p->s == 'e' || *p->s == 'E') {
			p->s++;
			if (*p->s == '+' || *p->s == '-')
				p->s++;
			if (*p->s < '0' || *p->s > '9')
				goto bad;
			while (*p->s >= '0' && *p->s <= '9')
				p->s++;
		}
		v = jnew(J_NUM);
		v->num = strtod(start, &end);
		v->inum = strtoll(start, NULL, 10);
		return v;
	}
	}
bad:
	p->err = true;
	json_free(v);
	return NULL;
}

static void jfree_inner(struct jv *v)
{
	free(v->str);
	for (size_t i = 0; i < v->len && (v->type == J_ARR || v->type == J_OBJ); i++) {
		jfree_inner(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
}

void json_free(struct jv *v)
{
	if (!v)
		return;
	jfree_inner(v);
	free(v);
}

struct jv *json_parse(const char *text)
{
	struct jp p = { .s = text };
	struct jv *v = jparse_value(&p, 0);

	if (!v || p.err)
		goto bad;
	ws(&p);
	if (*p.s)
		goto bad;
	return v;
bad:
	json_free(v);
	return NULL;
}

const struct jv *json_get(const struct jv *obj, const char *key)
{
	if (!obj || obj->type != J_OBJ)
		return NULL;
	for (size_t i = 0; i < obj->len; i++)
		if (!strcmp(obj->keys[i], key))
			return &obj->items[i];
	return NULL;
}

long long json_int(const struct jv *obj, const char *key, long long dflt)
{
	const struct jv *v = json_get(obj, key);

	return v && v->type == J_NUM ? v->inum : dflt;
}

const char *json_str(const struct jv *obj, const char *key)
{
	const struct jv *v = json_get(obj, key);

	return v && v->type == J_STR ? v->str : NULL;
}

char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0, len = 0, n;

	if (!f)
		return NULL;
	do {
		if (len + 4096 + 1 > cap) {
			cap = (cap + 4096) * 2;
			buf = realloc(buf, cap);
		}
		n = fread(buf + len, 1, 4096, f);
		len += n;
	} while (n > 0);
	fclose(f);
	buf[len] = 0;
	return buf;
}

int records_load(const char *path, struct records *r)
{
	char *text = slurp(path), *save = NULL, *line;

	memset(r, 0, sizeof(*r));
	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct jv *v = json_parse(line);

		if (!v) {
			r->invalid++;
			fprintf(stderr, "invalid JSON line: %s\n", line);
			continue;
		}
		r->v = realloc(r->v, (r->n + 1) * sizeof(*r->v));
		r->v[r->n++] = v;
	}
	free(text);
	return 0;
}

void records_free(struct records *r)
{
	for (size_t i = 0; i < r->n; i++)
		json_free(r->v[i]);
	free(r->v);
	memset(r, 0, sizeof(*r));
}

size_t records_count(const struct records *r, const char *ev, long long pid)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n; i++) {
		const char *e = json_str(r->v[i], "event");

		if (ev && (!e || strcmp(e, ev)))
			continue;
		if (pid && json_int(r->v[i], "pid", -1) != pid)
			continue;
		n++;
	}
	return n;
}

/* ---- processes ------------------------------------------------------------ */

char tl_root[PATH_MAX / 2];

__attribute__((constructor)) static void find_root(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *p;

	/* binaries live in ROOT/build/tests/ */
	if (n <= 0)
		return;
	exe[n] = 0;
	for (int i = 0; i < 3 && (p = strrchr(exe, '/')); i++)
		*p = 0;
	if (strlen(exe) < sizeof(tl_root))
		memcpy(tl_root, exe, strlen(exe) + 1);
}

const char *tl_path(const char *rel)
{
	static char bufs[8][PATH_MAX];
	static int next;
	char *b = bufs[next++ % 8];

	snprintf(b, PATH_MAX, "%s/%s", tl_root, rel);
	return b;
}

bool tl_is_root(void)
{
	return geteuid() == 0;
}

int proc_start(struct proc *p, char *const argv[])
{
	int fo, fe;

	snprintf(p->out, sizeof(p->out), "/tmp/tk-test-out-XXXXXX");
	snprintf(p->err, sizeof(p->err), "/tmp/tk-test-err-XXXXXX");
	fo = mkstemp(p->out);
	fe = mkstemp(p->err);
	if (fo < 0 || fe < 0)
		return -1;
	fflush(NULL);
	p->pid = fork();
	if (p->pid < 0)
		return -1;
	if (p->pid == 0) {
		dup2(fo, 1);
		dup2(fe, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fo);
	close(fe);
	return 0;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

bool proc_wait_stderr(struct proc *p, const char *needle, int timeout_ms)
{
	for (int t = 0; t < timeout_ms; t += 10) {
		char *s = slurp(p->err);
		bool found = s && strstr(s, needle);

		free(s);
		if (found)
			return true;
		if (waitpid(p->pid, NULL, WNOHANG) == p->pid) {
			p->pid = -1;
			return false;
		}
		sleep_ms(10);
	}
	return false;
}

int proc_wait(struct proc *p, int timeout_ms)
{
	int status;

	if (p->pid <= 0)
		return -1;
	for (int t = 0; t < timeout_ms; t += 10) {
		if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
			p->pid = -1;
			if (WIFEXITED(status))
				return WEXITSTATUS(status);
			return 128 + WTERMSIG(status);
		}
		sleep_ms(10);
	}
	kill(p->pid, SIGKILL);
	waitpid(p->pid, &status, 0);
	p->pid = -1;
	return -1;
}

void proc_cleanup(struct proc *p)
{
	if (p->pid > 0) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, NULL, 0);
		p->pid = -1;
	}
	unlink(p->out);
	unlink(p->err);
}

int proc_summary(struct proc *p, unsigned long long *events, unsigned long long *lost)
{
	char *s = slurp(p->err), *line;
	int rc = -1;

	for (line = s; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		char name[64];

		if (sscanf(line, "%63[^:]: %llu events, %llu lost", name, events, lost) == 3) {
			rc = 0;
			break;
		}
	}
	free(s);
	return rc;
}

int run_quiet(char *const argv[])
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 1);
		dup2(fd, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int tk_progs_loaded(const char *prefix)
{
	__u32 id = 0;
	int n = 0;

	while (!bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info info = { 0 };
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    !strncmp(info.name, prefix, strlen(prefix)))
			n++;
		close(fd);
	}
	return n;
}

int tk_progs_left(const char *prefix)
{
	int n = tk_progs_loaded(prefix);

	for (int i = 0; n && i < 50; i++) {
		usleep(100000);
		n = tk_progs_loaded(prefix);
	}
	return n;
}

int run_valgrind(char *const argv[])
{
	char *vg[64] = { "/usr/bin/valgrind", "-q", "--leak-check=full", "--show-leak-kinds=all",
			 "--errors-for-leak-kinds=all", "--error-exitcode=99" };
	char supp[PATH_MAX];
	int n = 6;

	if (access(vg[0], X_OK))
		return VALGRIND_MISSING;
	snprintf(supp, sizeof(supp), "--suppressions=%s", tl_path("tests/valgrind.supp"));
	vg[n++] = supp;
	for (; *argv && n < 63; argv++)
		vg[n++] = *argv;
	vg[n] = NULL;
	return run_quiet(vg);
}
