// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <cmocka.h>
#include "tk_cgroup.h"
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

/* Whether v has key with value val as the JSON shows it (numbers in
 * decimal, true/false, strings unquoted). */
static bool field_is(const struct jv *v, const char *key, const char *val)
{
	const struct jv *f = json_get(v, key);
	char num[32];

	if (!f)
		return false;
	if (f->type == J_STR)
		return !strcmp(f->str, val);
	if (f->type == J_BOOL)
		return !strcmp(val, f->b ? "true" : "false");
	snprintf(num, sizeof(num), "%lld", f->inum);
	return f->type == J_NUM && !strcmp(num, val);
}

size_t records_match(const struct records *r, const char *spec)
{
	char buf[512], *save, *k;
	size_t n = 0;

	for (size_t i = 0; i < r->n; i++) {
		bool all = true;

		snprintf(buf, sizeof(buf), "%s", spec);
		for (k = strtok_r(buf, " ", &save); k && all; k = strtok_r(NULL, " ", &save)) {
			char *eq = strchr(k, '=');

			if (eq)
				*eq = 0;
			all = eq && field_is(r->v[i], k, eq + 1);
		}
		n += all;
	}
	return n;
}

/* ---- BPF programs the tools under test loaded -------------------------------
 *
 * A leak check looks at the programs of the tools this test ran, by id, and
 * at nothing else: other tracekit tools may run on the host (as services, or
 * other people's tests) with the same program names. Program ids are
 * allocated cyclically over 31 bits and never reused in practice, so "every
 * id our tools held is gone" is exact.
 *
 * The ids come from a sampler thread that watches this process's children
 * (every tool a test starts is one, however it is started: proc_start,
 * run_quiet, run_valgrind or the test's own fork+exec) and reads the
 * fdinfo of their bpf-prog and bpf_link fds (`prog_id:`) whenever a child's
 * fd table changes. A tool holds every program fd from its load to its
 * exit and opens links after the last load, so the scan after that change
 * sees them all. With -v the runtime also prints its ids after attach
 * ("TOOL: program ids: ..."), which proc_cleanup() adds: exact even for a
 * run too short to be sampled.
 */

#define TL_MAX_IDS 4096
#define TL_MAX_KIDS 64

static pthread_mutex_t ids_lock = PTHREAD_MUTEX_INITIALIZER;
static __u32 seen_ids[TL_MAX_IDS];
static size_t n_seen;
static bool ids_overflow;

static void ids_add(__u32 id)
{
	pthread_mutex_lock(&ids_lock);
	for (size_t i = 0; i < n_seen; i++)
		if (seen_ids[i] == id)
			goto out;
	if (n_seen < TL_MAX_IDS)
		seen_ids[n_seen++] = id;
	else
		ids_overflow = true; /* reported by tk_progs_left(): never a silent pass */
out:
	pthread_mutex_unlock(&ids_lock);
}

/* The program id behind fd of pid, or 0 if it is no program or link. */
static __u32 fd_prog_id(pid_t pid, const char *fd)
{
	char path[64], target[64], buf[1024];
	const char *p;
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/%d/fd/%s", (int)pid, fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return 0;
	target[n] = 0;
	if (strcmp(target, "anon_inode:bpf-prog") && strcmp(target, "anon_inode:bpf_link"))
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", (int)pid, fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return 0;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	p = strstr(buf, "prog_id:");
	return p ? (__u32)strtoul(p + 8, NULL, 10) : 0;
}

/* Calls fn(id, arg) for the program fds and links pid holds; returns the
 * fd table's signature (count and sum of fd numbers) or 0 if unreadable. */
static unsigned long long scan_fds(pid_t pid, bool (*changed)(unsigned long long, void *),
				   void (*fn)(__u32, void *), void *arg)
{
	unsigned long long count = 0, sum = 0, sig;
	char path[32];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	dir = opendir(path);
	if (!dir)
		return 0;
	while ((d = readdir(dir)))
		if (d->d_name[0] != '.') {
			count++;
			sum += strtoul(d->d_name, NULL, 10);
		}
	sig = count << 40 | (sum & ((1ULL << 40) - 1));
	if (changed && !changed(sig, arg)) {
		closedir(dir);
		return sig;
	}
	rewinddir(dir);
	while ((d = readdir(dir))) {
		__u32 id = d->d_name[0] != '.' ? fd_prog_id(pid, d->d_name) : 0;

		if (id)
			fn(id, arg);
	}
	closedir(dir);
	return sig;
}

struct kid {
	pid_t pid;
	unsigned long long sig;
};

static bool kid_changed(unsigned long long sig, void *arg)
{
	return ((struct kid *)arg)->sig != sig;
}

static void add_id(__u32 id, void *arg)
{
	(void)arg;
	ids_add(id);
}

static void *sampler(void *arg)
{
	struct kid kids[TL_MAX_KIDS] = { 0 }, next[TL_MAX_KIDS];
	struct timespec ms = { 0, 1000000 };
	char path[64], buf[4096];
	pid_t self = getpid();

	(void)arg;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)self, (int)self);
	for (;;) {
		size_t nn = 0;
		ssize_t n = -1;
		int f = open(path, O_RDONLY | O_CLOEXEC);

		if (f >= 0) {
			n = read(f, buf, sizeof(buf) - 1);
			close(f);
		}
		buf[n > 0 ? n : 0] = 0;
		for (char *s = buf, *e; nn < TL_MAX_KIDS; s = e) {
			long pid = strtol(s, &e, 10);

			if (e == s)
				break;
			next[nn] = (struct kid){ .pid = pid };
			for (size_t k = 0; k < TL_MAX_KIDS; k++)
				if (kids[k].pid == pid)
					next[nn].sig = kids[k].sig;
			next[nn].sig = scan_fds(pid, kid_changed, add_id, &next[nn]);
			nn++;
		}
		memset(kids, 0, sizeof(kids));
		memcpy(kids, next, nn * sizeof(*next));
		nanosleep(&ms, NULL);
	}
	return NULL;
}

__attribute__((constructor)) static void start_sampler(void)
{
	pthread_t t;

	/* only root runs tools that load programs */
	if (geteuid() == 0 && !pthread_create(&t, NULL, sampler, NULL))
		pthread_detach(t);
}

/* Adds the ids of a "TOOL: program ids: 1 2 3" line (-v) in file path. */
static void ids_from_stderr(const char *path)
{
	char *s = slurp(path), *save = NULL, *line;
	const char *tag = ": program ids:";

	for (line = s ? strtok_r(s, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		char *p = strstr(line, tag), *end;

		for (p = p ? p + strlen(tag) : NULL; p; p = end) {
			unsigned long id = strtoul(p, &end, 10);

			if (end == p || !id)
				break;
			ids_add(id);
		}
	}
	free(s);
}

struct held {
	const char *prefix;
	__u32 ids[256];
	int n;
};

static void count_held(__u32 id, void *arg)
{
	struct held *h = arg;
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);
	int fd;

	ids_add(id);
	for (int i = 0; i < h->n; i++)
		if (h->ids[i] == id)
			return;
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return;
	if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
	    !strncmp(info.name, h->prefix, strlen(h->prefix)) && h->n < 256)
		h->ids[h->n++] = id;
	close(fd);
}

int tk_progs_held(pid_t pid, const char *prefix)
{
	struct held h = { .prefix = prefix };

	scan_fds(pid, NULL, count_held, &h);
	return h.n;
}

/* Of the ids seen, those still loaded (printed to stderr if report). */
static int ids_alive(bool report)
{
	int n = 0;

	pthread_mutex_lock(&ids_lock);
	for (size_t i = 0; i < n_seen; i++) {
		struct bpf_prog_info info = { 0 };
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(seen_ids[i]);

		if (fd < 0 && errno == ENOENT)
			continue;
		n++;
		if (report && fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len))
			fprintf(stderr, "still loaded: BPF program id %u name %s\n", seen_ids[i],
				info.name);
		else if (report)
			fprintf(stderr, "BPF program id %u: %s\n", seen_ids[i], strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	pthread_mutex_unlock(&ids_lock);
	return n;
}

int tk_progs_left(void)
{
	int n = ids_alive(false);

	for (int i = 0; n && i < 50; i++) {
		usleep(100000);
		n = ids_alive(false);
	}
	if (n)
		ids_alive(true);
	pthread_mutex_lock(&ids_lock);
	if (ids_overflow) {
		fprintf(stderr, "more than %d BPF program ids seen: leak check incomplete\n",
			TL_MAX_IDS);
		n = n ? n : 1;
	}
	n_seen = 0;
	ids_overflow = false;
	pthread_mutex_unlock(&ids_lock);
	return n;
}

size_t tk_progs_seen(void)
{
	size_t n;

	pthread_mutex_lock(&ids_lock);
	n = n_seen;
	pthread_mutex_unlock(&ids_lock);
	return n;
}

/* ---- cgroups --------------------------------------------------------------- */
const char *tl_cgroup2_root(void)
{
	static char root[PATH_MAX];
	FILE *f;

	if (root[0])
		return root;
	/* libtk's own reading of mountinfo, so the tests find the mount the
	 * tools find */
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return NULL;
	if (tk_cgroup_find_mount(f, root, sizeof(root)))
		root[0] = 0;
	fclose(f);
	return root[0] ? root : NULL;
}

unsigned long long tl_mkdir_ino(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0755))
		fail_msg("mkdir %s: %s", dir, strerror(errno));
	if (stat(dir, &st))
		fail_msg("stat %s: %s", dir, strerror(errno));
	return st.st_ino;
}

unsigned long long tl_cgroup_id(pid_t pid)
{
	const char *root = tl_cgroup2_root();
	char path[64], line[PATH_MAX], dir[PATH_MAX * 2];
	unsigned long long id = 0;
	struct stat st;
	FILE *f;

	if (!root)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid ? (int)pid : (int)getpid());
	f = fopen(path, "re");
	if (!f)
		return 0;
	/* the v2 hierarchy is the line "0::/PATH" */
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = 0;
		snprintf(dir, sizeof(dir), "%s%s", root, line + 3);
		if (!stat(dir, &st))
			id = st.st_ino;
		break;
	}
	fclose(f);
	return id;
}

/* ---- the harness -------------------------------------------------------------
 *
 * The processes tests started, by value: a failed assertion longjmps out of
 * the test, past its cleanup, and tl_teardown() must still stop them (a
 * stray tracer would also fail every later leak check) and remove their
 * files. proc_start() and the held workloads register here; proc_cleanup()
 * and the reaping of a workload unregister.
 */
#define TL_MAX_PROCS 256

struct tl_proc {
	pid_t pid;
	char out[256], err[256]; /* empty for a workload */
};

static struct tl_proc tl_procs[TL_MAX_PROCS];
static size_t tl_nprocs;

static void procs_add(pid_t pid, const char *out, const char *err)
{
	struct tl_proc *t;

	if (tl_nprocs == TL_MAX_PROCS) {
		/* only teardown's safety net is lost; say so */
		fprintf(stderr, "testlib: more than %d processes: pid %d not tracked\n",
			TL_MAX_PROCS, (int)pid);
		return;
	}
	t = &tl_procs[tl_nprocs++];
	t->pid = pid;
	snprintf(t->out, sizeof(t->out), "%s", out);
	snprintf(t->err, sizeof(t->err), "%s", err);
}

/* Forgets the entry of pid (err NULL) or of the output file err. */
static void procs_del(pid_t pid, const char *err)
{
	for (size_t i = 0; i < tl_nprocs; i++)
		if (err ? !strcmp(tl_procs[i].err, err) : tl_procs[i].pid == pid) {
			tl_procs[i] = tl_procs[--tl_nprocs];
			return;
		}
}

/* ---- processes ------------------------------------------------------------ */

char tl_root[PATH_MAX / 2];

__attribute__((constructor)) static void find_root(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *p = NULL;

	/* binaries live under ROOT/build/ (tests/, asan/tests/, fuzz/) */
	if (n <= 0)
		return;
	exe[n] = 0;
	for (char *q = exe; (q = strstr(q, "/build/")); q++)
		p = q;
	if (!p)
		return;
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

int proc_start_stdout(struct proc *p, char *const argv[], int out_fd)
{
	int fo, fe;

	snprintf(p->out, sizeof(p->out), "/tmp/tk-test-out-XXXXXX");
	snprintf(p->err, sizeof(p->err), "/tmp/tk-test-err-XXXXXX");
	fo = mkstemp(p->out);
	fe = mkstemp(p->err);
	if (fo < 0 || fe < 0)
		return -1;
	if (out_fd == PROC_STDOUT_FILE)
		out_fd = fo;
	fflush(NULL);
	p->pid = fork();
	if (p->pid < 0)
		return -1;
	if (p->pid == 0) {
		if (out_fd < 0)
			close(1);
		else
			dup2(out_fd, 1);
		dup2(fe, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fo);
	close(fe);
	procs_add(p->pid, p->out, p->err);
	return 0;
}

int proc_start(struct proc *p, char *const argv[])
{
	return proc_start_stdout(p, argv, PROC_STDOUT_FILE);
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
	ids_from_stderr(p->err);
	procs_del(0, p->err);
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

int proc_run_err(char *const argv[], char **err)
{
	struct proc p;
	int rc;

	assert_int_equal(proc_start(&p, argv), 0);
	rc = proc_wait(&p, 30000);
	*err = slurp(p.err);
	assert_non_null(*err);
	proc_cleanup(&p);
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

int tl_teardown(void **state)
{
	int left;

	(void)state;
	for (size_t i = 0; i < tl_nprocs; i++) {
		struct tl_proc *t = &tl_procs[i];

		/* 0: still our unreaped child (a reaped pid may be anyone's now) */
		if (t->pid > 0 && waitpid(t->pid, NULL, WNOHANG) == 0) {
			kill(t->pid, SIGKILL);
			waitpid(t->pid, NULL, 0);
		}
		if (t->out[0])
			unlink(t->out);
		if (t->err[0])
			unlink(t->err);
	}
	tl_nprocs = 0;
	left = tk_progs_left();
	if (left) {
		fprintf(stderr, "[  ERROR   ] %d BPF programs of the tools this test ran still "
				"loaded after it ended\n", left);
		return -1;
	}
	return 0;
}

/* The path of the tool's binary, bin/NAME. */
static const char *tool_path(const char *name)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "bin/%s", name);
	return tl_path(rel);
}

/*
 * Forks argv held (argv[0] relative to the repository root unless it
 * starts with '/'): the child waits for a byte on a pipe before its exec
 * (EOF: it exits 127 without running), with stdout and stderr on
 * /dev/null and no other fd of ours (a test's pipe to the tool must not
 * stay open in it). Returns the pid; *go is the pipe's write end.
 */
static pid_t start_held(const char *const *argv, int *go)
{
	int p[2];
	pid_t pid;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		char c;

		dup2(null, 1);
		dup2(null, 2);
		dup2(p[0], 3);
		close_range(4, ~0U, 0);
		if (read(3, &c, 1) != 1)
			_exit(127);
		close(3);
		execv(argv[0][0] == '/' ? argv[0] : tl_path(argv[0]), (char *const *)argv);
		_exit(127);
	}
	close(p[0]);
	*go = p[1];
	procs_add(pid, "", "");
	return pid;
}

static void fail_run(const struct tl_run *run, const char *what)
{
	char *err = run->err ? NULL : slurp(run->p.err);

	fail_msg("%s %s; its stderr:\n%s", run->o.tool, what,
		 run->err ? run->err : err ? err : "(none)");
	free(err);
}

void tl_start_opts(struct tl_run *run, const struct tl_opts *o)
{
	const char *argv[64], *const *lists[2] = { o->args, o->more };
	const char *outfile = NULL;
	char pidbuf[16];
	size_t n = 0;

	memset(run, 0, sizeof(*run));
	run->o = *o;
	run->go = -1;
	argv[n++] = tool_path(o->tool);
	for (int l = 0; l < 2; l++)
		for (const char *const *a = lists[l]; a && *a; a++) {
			assert_true(n < 60);
			/* options are the ones before "--"; the command's are its own */
			if (!run->command && (!strcmp(*a, "-j") || !strcmp(*a, "--json")))
				run->json = true;
			if (!run->command && !strcmp(*a, "-o") && a[1])
				outfile = a[1];
			run->command |= !strcmp(*a, "--");
			argv[n++] = *a;
		}
	if (o->workload) {
		if (run->command)
			fail_msg("a held workload is traced by pid, not in command mode");
		run->workload = start_held(o->workload, &run->go);
		snprintf(pidbuf, sizeof(pidbuf), "%d", (int)run->workload);
		argv[n++] = "-p";
		argv[n++] = pidbuf;
	}
	argv[n] = NULL;
	assert_int_equal(proc_start_stdout(&run->p, (char *const *)argv,
					   o->out_fd ? o->out_fd : PROC_STDOUT_FILE), 0);
	/* -o: the records are there; stdout is the command's */
	snprintf(run->outfile, sizeof(run->outfile), "%s", outfile ? outfile : run->p.out);
	if (!run->command && !proc_wait_stderr(&run->p, TL_READY, 30000))
		fail_run(run, "did not get ready");
}

/* Waits up to 120 s for the held workload to end; it must exit 0. */
static void reap_workload(struct tl_run *run)
{
	int status = 0;
	pid_t got = 0;

	for (int t = 0; t < 120000 && !got; t += 10) {
		got = waitpid(run->workload, &status, WNOHANG);
		if (!got)
			sleep_ms(10);
	}
	if (!got) {
		kill(run->workload, SIGKILL);
		waitpid(run->workload, NULL, 0);
	}
	procs_del(run->workload, NULL);
	run->reaped = true;
	if (got != run->workload || !WIFEXITED(status) || WEXITSTATUS(status))
		fail_msg("the workload %s (pid %d) did not exit 0 (status 0x%x)", run->o.workload[0],
			 (int)run->workload, got == run->workload ? status : -1);
}

/* "TOOL: N events, M lost[; P printed (-n), A received after ...]" */
static void parse_summary_line(struct tl_run *run)
{
	size_t nl = strlen(run->o.tool);

	for (const char *l = run->err; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		const char *s = l + nl;
		int used = 0;

		if (strncmp(l, run->o.tool, nl) || strncmp(s, ": ", 2) ||
		    sscanf(s, ": %llu events, %n", &run->events, &used) != 1 || !used)
			continue;
		s += used;
		if (!strncmp(s, "lost unknown", 12))
			fail_run(run, "could not tell how many records were lost");
		if (sscanf(s, "%llu lost", &run->lost) != 1)
			continue;
		run->printed = run->events;
		s = strchr(s, ';');
		if (s && sscanf(s, "; %llu printed (-n), %llu received after", &run->printed,
				&run->after_limit) != 2)
			fail_run(run, "printed a summary line with an unknown tail");
		return;
	}
	fail_run(run, "printed no summary line");
}

static void check_records(struct tl_run *run)
{
	struct jv *last;

	if (records_load(run->outfile, &run->r))
		fail_msg("cannot read %s's records from %s", run->o.tool, run->outfile);
	if (run->r.invalid)
		fail_msg("%s printed %zu lines that are not valid JSON (shown above)", run->o.tool,
			 run->r.invalid);
	last = run->r.n ? run->r.v[run->r.n - 1] : NULL;
	if (!last || !json_str(last, "event") || strcmp(json_str(last, "event"), "summary"))
		fail_msg("%s's last JSON record is not the summary", run->o.tool);
	run->summary = last;
	run->r.n--;
	if ((unsigned long long)json_int(last, "events", -1) != run->events ||
	    (unsigned long long)json_int(last, "printed", -1) != run->printed ||
	    (unsigned long long)json_int(last, "lost", -1) != run->lost)
		fail_msg("%s's JSON summary (%lld events, %lld printed, %lld lost) is not its "
			 "summary line's (%llu, %llu, %llu)", run->o.tool,
			 json_int(last, "events", -1), json_int(last, "printed", -1),
			 json_int(last, "lost", -1), run->events, run->printed, run->lost);
	if (!run->o.table && run->r.n != run->printed)
		fail_msg("%s printed %zu records but counted %llu", run->o.tool, run->r.n,
			 run->printed);
}

void tl_stop(struct tl_run *run)
{
	const struct tl_opts *o = &run->o;

	if (o->frozen)
		kill(run->p.pid, SIGSTOP);
	if (run->go >= 0 && !o->hold) {
		assert_int_equal(write(run->go, "g", 1), 1);
		close(run->go);
		run->go = -1;
		reap_workload(run);
	}
	if (o->frozen)
		kill(run->p.pid, SIGCONT);
	if (o->during)
		o->during(run, o->arg);
	if (!run->command && !o->no_stop)
		kill(run->p.pid, o->stop_sig ? o->stop_sig : SIGINT);
	run->rc = proc_wait(&run->p, o->timeout_ms ? o->timeout_ms : 60000);
	run->err = slurp(run->p.err);
	run->out = slurp(run->p.out);
	if (run->rc != o->rc) {
		char what[64];

		snprintf(what, sizeof(what), "exited %d, expected %d", run->rc, o->rc);
		fail_run(run, what);
	}
	parse_summary_line(run);
	if (run->lost && !o->lossy)
		fail_msg("%s lost %llu records", o->tool, run->lost);
	if (run->json)
		check_records(run);
}

void tl_run_free(struct tl_run *run)
{
	if (run->go >= 0)
		close(run->go); /* EOF: a held workload exits 127 unrun */
	if (run->workload && !run->reaped) {
		waitpid(run->workload, NULL, 0);
		procs_del(run->workload, NULL);
	}
	if (run->summary)
		run->r.n++; /* records_free() frees it with the rest */
	records_free(&run->r);
	free(run->out);
	free(run->err);
	proc_cleanup(&run->p);
	memset(run, 0, sizeof(*run));
	run->go = -1;
}

const struct jv *tl_find(const struct tl_run *run, const char *ev, long long pid)
{
	for (size_t i = 0; i < run->r.n; i++) {
		const char *e = json_str(run->r.v[i], "event");

		if ((!ev || (e && !strcmp(e, ev))) &&
		    (!pid || json_int(run->r.v[i], "pid", -1) == pid))
			return run->r.v[i];
	}
	return NULL;
}

/* ---- the standard checks ---------------------------------------------------- */

void tl_std_bad_args(void **state)
{
	static const tl_args common[] = {
		{ "--bogus" }, { "-p", "abc" }, { "-d", "-1" }, { "-e", "nope" }, { "--" }, { NULL },
	};
	const struct tl_tool *t = *state;
	const tl_args *sets[2] = { common, t->bad };

	for (int s = 0; s < 2; s++)
		for (const tl_args *row = sets[s]; row && (*row)[0]; row++) {
			const char *argv[18] = { tool_path(t->name) };
			char args[256] = "", *err;
			size_t nl = strlen(t->name);
			struct proc p;
			int rc;

			for (int i = 0; (*row)[i]; i++) {
				argv[i + 1] = (*row)[i];
				snprintf(args + strlen(args), sizeof(args) - strlen(args), " %s",
					 (*row)[i]);
			}
			assert_int_equal(proc_start(&p, (char *const *)argv), 0);
			rc = proc_wait(&p, 10000);
			err = slurp(p.err);
			/* one line: "TOOL: what is wrong" */
			if (rc != 2 || !err || strncmp(err, t->name, nl) || strncmp(err + nl, ": ", 2) ||
			    strchr(err, '\n') != err + strlen(err) - 1)
				fail_msg("%s%s: exit %d (2 expected), stderr (one line expected):\n%s",
					 t->name, args, rc, err ? err : "");
			free(err);
			proc_cleanup(&p);
		}
}

void tl_std_signals(void **state)
{
	const struct tl_tool *t = *state;
	int sigs[] = { SIGINT, SIGTERM };

	NEED_ROOT();
	for (size_t i = 0; i < 2; i++) {
		struct tl_run run;

		tl_start(&run, .tool = t->name, .args = TL_ARGS("-j"), .more = t->filter,
			 .workload = t->workload, .stop_sig = sigs[i]);
		if (tk_progs_held(run.p.pid, t->prog_prefix) <= 0)
			fail_msg("%s holds no program named %s*", t->name, t->prog_prefix);
		tl_stop(&run);
		if (records_count(&run.r, t->event, run.workload) != t->n || run.r.n != t->n)
			fail_msg("%s %s: %zu records, %zu of them %s, expected %llu %s", t->name,
				 strsignal(sigs[i]), run.r.n,
				 records_count(&run.r, t->event, run.workload), t->event, t->n,
				 t->event);
		tl_run_free(&run);
		ASSERT_NO_PROGS_LEFT();
	}
}

void tl_std_sigpipe(void **state)
{
	const struct tl_tool *t = *state;
	struct tl_run run;
	char buf[4096];
	int out[2];

	NEED_ROOT();
	/* CLOEXEC: only the tool's stdout may hold the write end */
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	/* traced: the held workload, which does nothing */
	tl_start(&run, .tool = t->name, .more = t->filter, .workload = t->workload,
		 .hold = true, .out_fd = out[1], .no_stop = true, .timeout_ms = 10000);
	close(out[1]);
	assert_true(read(out[0], buf, sizeof(buf)) > 0); /* the column header */
	close(out[0]);                                    /* like head -1 exiting */
	/* nothing more to write: the tool must notice at its next drain, not
	 * at some later record */
	tl_stop(&run);
	tl_run_free(&run);
}

void tl_std_valgrind(void **state)
{
	const struct tl_tool *t = *state;

	NEED_ROOT();
	for (const tl_args *row = t->valgrind; row && (*row)[0]; row++) {
		const char *argv[18] = { tool_path(t->name) };
		int rc;

		for (int i = 0; (*row)[i]; i++)
			/* the command, like a workload, from the repository root */
			argv[i + 1] = i && !strcmp((*row)[i - 1], "--") && (*row)[i][0] != '/'
					      ? tl_path((*row)[i]) : (*row)[i];
		rc = run_valgrind((char *const *)argv);
		if (rc == VALGRIND_MISSING) {
			fprintf(stderr, "SKIPPED: valgrind not installed\n");
			skip();
		}
		if (rc != t->valgrind_rc)
			fail_msg("%s %s... under valgrind: exit %d, expected %d%s", t->name,
				 (*row)[0], rc, t->valgrind_rc,
				 rc == VALGRIND_ERROR ? " (valgrind found errors)" : "");
	}
}

void tl_std_frozen_loss(void **state)
{
	const struct tl_tool *t = *state;
	unsigned long long got;
	struct tl_run run;

	NEED_ROOT();
	tl_run(&run, .tool = t->name, .args = TL_ARGS("-j", "--ringbuf-size", "8192"),
	       .more = t->filter, .workload = t->workload, .frozen = true, .lossy = true);
	got = records_count(&run.r, t->event, run.workload);
	fprintf(stderr, "%s, frozen consumer, 8 KiB ring: %llu records, %llu lost of %llu\n",
		t->name, got, run.lost, t->n);
	if (got != run.r.n || got + run.lost != t->n || !run.lost)
		fail_msg("%s: %zu records, %llu of them %s, %llu lost: expected received + lost "
			 "== %llu, some lost", t->name, run.r.n, got, t->event, run.lost, t->n);
	tl_run_free(&run);
}
