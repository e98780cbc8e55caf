// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* --metrics FILE: the Prometheus text format, written atomically (tk_metrics.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tk.h"
#include "tk_cgroup.h"
#include "tk_metrics.h"

struct tk_metrics {
	FILE *f;
	char *path, *tmp;
	const char *family;
	int err; /* a label value that could not be rendered: ENOMEM */
};

struct tk_metrics *tk_metrics_begin(const char *path)
{
	struct tk_metrics *m = calloc(1, sizeof(*m));
	const char *base = strrchr(path, '/');
	struct stat st;
	int fd, err;

	if (!m)
		return NULL;
	/*
	 * The rename replaces whatever has the name: a device (--metrics
	 * /dev/full as root made /dev/full a regular file), a fifo or a
	 * symlink would become our file. Only a regular file, or none, is one
	 * to replace. (A name that changes between this check and the rename
	 * is not guarded: the directory is the operator's.)
	 */
	if (!lstat(path, &st) && !S_ISREG(st.st_mode)) {
		free(m);
		errno = EEXIST;
		return NULL;
	}
	base = base ? base + 1 : path;
	m->path = strdup(path);
	if (!m->path || asprintf(&m->tmp, "%.*s.%s.tmp.%d", (int)(base - path), path, base,
				 (int)getpid()) < 0) {
		m->tmp = NULL;
		goto fail;
	}
	/* 0666 less the umask, as any new file: the collector runs as
	 * another user (prometheus) and must be able to read it */
	fd = open(m->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (fd < 0)
		goto fail;
	m->f = fdopen(fd, "w");
	if (!m->f) {
		err = errno;
		close(fd);
		unlink(m->tmp);
		errno = err;
		goto fail;
	}
	return m;
fail:
	err = errno;
	free(m->tmp);
	free(m->path);
	free(m);
	errno = err;
	return NULL;
}

void tk_metrics_family(struct tk_metrics *m, const char *name, const char *type,
		       const char *help)
{
	m->family = name;
	fprintf(m->f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* The decoder's text form of a hostile value, then the format's escapes. */
static void put_label_value(struct tk_metrics *m, const char *s, size_t len)
{
	FILE *f = m->f;
	char *text = NULL;
	size_t n = 0;
	FILE *mem = open_memstream(&text, &n);
	bool ok = false;

	/* any failure of the memstream (a write, its final flush) fails the
	 * write: a label cut short or empty would be a wrong value, silently */
	if (mem) {
		tk_fput_text(mem, s, len, false);
		ok = !ferror(mem);
		ok = !fclose(mem) && ok && text;
	}
	for (size_t i = 0; ok && i < n; i++) {
		if (text[i] == '\\' || text[i] == '"')
			fputc('\\', f);
		if (text[i] == '\n') /* tk_fput_text escapes it already; the format's rule */
			fputs("\\n", f);
		else
			fputc(text[i], f);
	}
	free(text);
	if (!ok)
		tk_metrics_fail(m, ENOMEM);
}

void tk_metrics_sample(struct tk_metrics *m, const struct tk_label *labels, int nlabels,
		       double value)
{
	fputs(m->family, m->f);
	for (int i = 0; i < nlabels; i++) {
		const struct tk_label *l = &labels[i];

		fprintf(m->f, "%c%s=\"", i ? ',' : '{', l->name);
		put_label_value(m, l->value, l->len ? l->len : strlen(l->value));
		fputc('"', m->f);
	}
	fprintf(m->f, "%s %.17g\n", nlabels ? "}" : "", value);
}

int tk_metrics_cgroup(struct tk_cgroups *cg, __u64 id, char idbuf[24], struct tk_label *l)
{
	const struct tk_cg_info *ci = cg ? tk_cgroup_lookup(cg, id) : NULL;
	int n = 0;

	snprintf(idbuf, 24, "%llu", (unsigned long long)id);
	l[n++] = (struct tk_label){ "cgroup_id", idbuf, 0 };
	if (ci && ci->path)
		l[n++] = (struct tk_label){ "cgroup", ci->path, 0 };
	if (ci && ci->attr.container_id[0])
		l[n++] = (struct tk_label){ "container_id", ci->attr.container_id, 0 };
	return n;
}

void tk_metrics_fail(struct tk_metrics *m, int err)
{
	if (!m->err)
		m->err = err;
}

int tk_metrics_end(struct tk_metrics *m)
{
	int err = m->err;

	errno = 0;
	if (!err && (fflush(m->f) || ferror(m->f)))
		err = errno ? errno : EIO;
	/* before the rename: a crash must leave the old file, not an empty new one */
	if (!err && fsync(fileno(m->f)))
		err = errno;
	if (fclose(m->f) && !err)
		err = errno;
	if (!err && rename(m->tmp, m->path))
		err = errno;
	if (err)
		unlink(m->tmp);
	free(m->tmp);
	free(m->path);
	free(m);
	errno = err;
	return err ? -1 : 0;
}
