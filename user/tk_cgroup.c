// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Cgroup ids to paths, containers, pods and units (see tk_cgroup.h). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tk_cgroup.h"

/* ---- the path conventions ------------------------------------------------ */

static bool is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static bool is_hex_id(const char *s, size_t n)
{
	return n == TK_CG_ID_LEN && is_hex(s, n);
}

/* "<prefix><64 hex><suffix>" exactly; the id into id[]. */
static bool wrapped_id(const char *c, size_t n, const char *prefix, const char *suffix, char *id)
{
	size_t p = strlen(prefix), s = strlen(suffix);

	if (n != p + TK_CG_ID_LEN + s || strncmp(c, prefix, p) || strncmp(c + n - s, suffix, s) ||
	    !is_hex_id(c + p, TK_CG_ID_LEN))
		return false;
	memcpy(id, c + p, TK_CG_ID_LEN);
	id[TK_CG_ID_LEN] = 0;
	return true;
}

/* Digits of a pod UID without dashes: a static or mirror pod's (the
 * kubelet's hash of the manifest). */
#define TK_CG_UID_HEX 32

/* A pod UID, 8-4-4-4-12 lowercase hex with sep between the groups, as
 * the dashed form into uid[]; or 32 hex digits without separators, as
 * they are. */
static bool pod_uid(const char *s, size_t n, char sep, char *uid)
{
	if (n == TK_CG_UID_HEX && is_hex(s, n)) {
		memcpy(uid, s, n);
		uid[n] = 0;
		return true;
	}
	if (n != TK_CG_UID_LEN)
		return false;
	for (size_t i = 0; i < n; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != sep
			 : !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	}
	for (size_t i = 0; i < n; i++)
		uid[i] = s[i] == sep ? '-' : s[i];
	uid[n] = 0;
	return true;
}

static bool ends_with(const char *c, size_t n, const char *suffix)
{
	size_t s = strlen(suffix);

	return n > s && !strncmp(c + n - s, suffix, s);
}

/*
 * The systemd form of a pod: "kubepods-pod<uid>.slice" (guaranteed QoS)
 * or "kubepods-<qos>-pod<uid>.slice", the uid with underscores (or 32
 * hex digits).
 */
static bool systemd_pod(const char *c, size_t n, char *uid)
{
	static const size_t lens[] = { TK_CG_UID_LEN, TK_CG_UID_HEX };

	if (!ends_with(c, n, ".slice") || strncmp(c, "kubepods-", 9))
		return false;
	n -= 6;
	for (size_t i = 0; i < 2; i++)
		if (n >= 8 + 4 + lens[i] && !strncmp(c + n - lens[i] - 4, "-pod", 4) &&
		    pod_uid(c + n - lens[i], lens[i], '_', uid))
			return true;
	return false;
}

bool tk_cgroup_parse(const char *path, struct tk_cg_attr *a)
{
	bool in_docker = false, in_kube = false, in_pod = false, in_libpod = false;

	memset(a, 0, sizeof(*a));
	for (const char *c = path; *c;) {
		size_t n;
		char id[TK_CG_ID_LEN + 1];
		bool container = false;

		while (*c == '/')
			c++;
		n = strcspn(c, "/");
		if (!n)
			break;
		if (wrapped_id(c, n, "docker-", ".scope", id) ||
		    wrapped_id(c, n, "libpod-", ".scope", id) ||
		    (in_kube && (wrapped_id(c, n, "cri-containerd-", ".scope", id) ||
				 wrapped_id(c, n, "crio-", ".scope", id))) ||
		    (in_pod && wrapped_id(c, n, "crio-", "", id)) ||       /* CRI-O, cgroupfs */
		    (in_libpod && wrapped_id(c, n, "libpod-", "", id)) || /* podman, cgroupfs */
		    ((in_docker || in_pod) && wrapped_id(c, n, "", "", id))) {
			memcpy(a->container_id, id, sizeof(id));
			container = true;
		} else if (in_kube && n > 3 && !strncmp(c, "pod", 3) &&
			   pod_uid(c + 3, n - 3, '-', a->pod_uid)) {
			in_pod = true;
		} else if (systemd_pod(c, n, a->pod_uid)) {
			in_kube = in_pod = true;
		}
		/* the next component is docker's (podman's) cgroupfs id only
		 * right here */
		in_docker = n == 6 && !strncmp(c, "docker", 6);
		in_libpod = n == 13 && !strncmp(c, "libpod_parent", 13);
		if ((n >= 8 && !strncmp(c, "kubepods", 8) &&
		     (n == 8 || c[8] == '-' || c[8] == '.')))
			in_kube = true;
		if (!container && (ends_with(c, n, ".service") || ends_with(c, n, ".scope"))) {
			a->unit = c;
			a->unit_len = n;
		}
		c += n;
	}
	return a->container_id[0] || a->pod_uid[0] || a->unit;
}

/* ---- the mount -------------------------------------------------------------- */

/* mountinfo escapes blanks, tabs, newlines and backslashes as \ooo. */
static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = 0;
}

int tk_cgroup_find_mount(FILE *f, char *out, size_t len)
{
	char *line = NULL;
	size_t cap = 0;
	int found = 0; /* 1: a subtree's bind mount, 2: the whole hierarchy */

	while (found < 2 && getline(&line, &cap, f) > 0) {
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE ... */
		char *save = NULL, *root = NULL, *mnt = NULL, *tok, *sep;
		int i = 0;

		sep = strstr(line, " - ");
		if (!sep || strncmp(sep + 3, "cgroup2 ", 8))
			continue;
		*sep = 0;
		for (tok = strtok_r(line, " ", &save); tok && i < 5; tok = strtok_r(NULL, " ", &save), i++) {
			if (i == 3)
				root = tok;
			else if (i == 4)
				mnt = tok;
		}
		if (!mnt)
			continue;
		unescape(mnt);
		if (strlen(mnt) >= len)
			continue;
		strcpy(out, mnt);
		found = !strcmp(root, "/") ? 2 : found ? found : 1;
	}
	free(line);
	return found ? 0 : -1;
}

/* ---- the cache ------------------------------------------------------------- */

struct cg_entry {
	struct tk_cg_info info;
	__u8 misses; /* lookups that found nothing, up to TK_CG_RETRIES */
};

struct tk_cgroups {
	char mount[PATH_MAX];
	size_t mount_len;
	int mount_fd;
	int handle_type; /* what name_to_handle_at() gave for the mount */
	bool by_handle;
	struct cg_entry *v; /* open addressing; id 0 marks a free slot */
	size_t cap, n;      /* cap: a power of two */
};

static size_t slot_of(const struct tk_cgroups *cg, __u64 id)
{
	size_t i = (size_t)(id * 0x9e3779b97f4a7c15ULL) & (cg->cap - 1);

	while (cg->v[i].info.id && cg->v[i].info.id != id)
		i = (i + 1) & (cg->cap - 1);
	return i;
}

/* The entry of id, added (unresolved, misses 0) if new: only adding one
 * moves the others (tk_cg_info pointers stay valid over hits). */
static struct cg_entry *entry(struct tk_cgroups *cg, __u64 id)
{
	size_t i;

	if (cg->cap && cg->v[i = slot_of(cg, id)].info.id == id)
		return &cg->v[i];
	if (cg->n * 2 >= cg->cap) {
		struct cg_entry *old = cg->v;
		size_t oldcap = cg->cap, cap = oldcap ? oldcap * 2 : 256;

		cg->v = calloc(cap, sizeof(*cg->v));
		if (!cg->v) {
			cg->v = old;
			return NULL;
		}
		cg->cap = cap;
		for (size_t j = 0; j < oldcap; j++)
			if (old[j].info.id)
				cg->v[slot_of(cg, old[j].info.id)] = old[j];
		free(old);
	}
	i = slot_of(cg, id);
	if (!cg->v[i].info.id) {
		cg->v[i].info.id = id;
		cg->n++;
	}
	return &cg->v[i];
}

/* Records id's path (absolute, under the mount); 0 or -1 (no memory). */
static int remember(struct tk_cgroups *cg, __u64 id, const char *abs)
{
	struct cg_entry *e = entry(cg, id);
	const char *rel = abs[cg->mount_len] ? abs + cg->mount_len : "/";
	char *p;

	if (!e)
		return -1;
	if (e->info.path)
		return 0;
	if (!(p = strdup(rel)))
		return -1;
	e->info.path = p;
	tk_cgroup_parse(p, &e->info.attr);
	return 0;
}

/* ---- resolving: by file handle ------------------------------------------------- */

struct cg_handle {
	struct file_handle fh;
	unsigned char id[8];
};

/* The directory of cgroup id, opened by its handle; -1 and errno
 * (ESTALE: removed). */
static int open_id(struct tk_cgroups *cg, __u64 id)
{
	struct cg_handle h = { .fh = { .handle_bytes = 8, .handle_type = cg->handle_type } };

	memcpy(h.id, &id, 8);
	return open_by_handle_at(cg->mount_fd, &h.fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static int by_handle(struct tk_cgroups *cg, __u64 id)
{
	char link[32], path[PATH_MAX];
	struct stat st;
	ssize_t n;
	int fd = open_id(cg, id), rc = -1;

	if (fd < 0)
		return -1; /* ESTALE: removed */
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n > 0) {
		path[n] = 0;
		/* removed between the open and the readlink ("… (deleted)"),
		 * or outside this mount namespace's view: the path must still
		 * lead to this very directory */
		if (!strncmp(path, cg->mount, cg->mount_len) &&
		    (!path[cg->mount_len] || path[cg->mount_len] == '/') && !stat(path, &st) &&
		    st.st_ino == id)
			rc = remember(cg, id, path);
	}
	close(fd);
	return rc;
}

/* ---- resolving: by walking the hierarchy --------------------------------------- */

/* Every directory under path (strlen len) into the cache, by inode. */
static void walk(struct tk_cgroups *cg, int dfd, char *path, size_t len)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;

	if (!d) {
		close(dfd);
		return;
	}
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		struct stat st;
		int fd;

		if ((de->d_type != DT_DIR && de->d_type != DT_UNKNOWN) || !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    len + 1 + l >= PATH_MAX)
			continue;
		fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue; /* removed meanwhile */
		if (fstat(fd, &st)) {
			close(fd);
			continue;
		}
		path[len] = '/';
		memcpy(path + len + 1, de->d_name, l + 1);
		remember(cg, st.st_ino, path);
		walk(cg, fd, path, len + 1 + l);
		path[len] = 0;
	}
	closedir(d);
}

static void walk_all(struct tk_cgroups *cg)
{
	char path[PATH_MAX];
	struct stat st;
	int fd = open(cg->mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (!fstat(fd, &st))
		remember(cg, st.st_ino, cg->mount);
	strcpy(path, cg->mount);
	walk(cg, fd, path, cg->mount_len);
}

/* ---- the resolver ------------------------------------------------------------- */

/* Whether ids open as handles here: the mount's own handle is its id. */
static bool handles_work(struct tk_cgroups *cg)
{
	struct cg_handle h = { .fh = { .handle_bytes = 8 } };
	struct stat st;
	__u64 id;
	int mnt_id, fd;

	if (name_to_handle_at(cg->mount_fd, "", &h.fh, &mnt_id, AT_EMPTY_PATH) ||
	    h.fh.handle_bytes != 8 || fstat(cg->mount_fd, &st))
		return false;
	memcpy(&id, h.id, 8);
	if (id != st.st_ino)
		return false;
	cg->handle_type = h.fh.handle_type;
	fd = open_by_handle_at(cg->mount_fd, &h.fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return false; /* EPERM: no CAP_DAC_READ_SEARCH */
	close(fd);
	return true;
}

struct tk_cgroups *tk_cgroups_new(const char *mount, unsigned flags)
{
	struct tk_cgroups *cg = calloc(1, sizeof(*cg));
	char found[PATH_MAX];

	if (!cg)
		return NULL;
	if (!mount) {
		FILE *f = fopen("/proc/self/mountinfo", "re");
		int rc = f ? tk_cgroup_find_mount(f, found, sizeof(found)) : -1;

		if (f)
			fclose(f);
		if (rc) {
			free(cg);
			errno = ENOENT;
			return NULL;
		}
		mount = found;
	}
	cg->mount_len = strlen(mount);
	/* "/" would make every path start with "//" */
	while (cg->mount_len > 1 && mount[cg->mount_len - 1] == '/')
		cg->mount_len--;
	if (cg->mount_len >= sizeof(cg->mount)) {
		free(cg);
		errno = ENAMETOOLONG;
		return NULL;
	}
	memcpy(cg->mount, mount, cg->mount_len);
	if (cg->mount_len == 1)
		cg->mount_len = 0;
	cg->mount_fd = open(mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg->mount_fd < 0) {
		free(cg);
		return NULL;
	}
	cg->by_handle = !(flags & TK_CG_WALK) && handles_work(cg);
	if (!cg->by_handle)
		walk_all(cg);
	return cg;
}

void tk_cgroups_free(struct tk_cgroups *cg)
{
	if (!cg)
		return;
	for (size_t i = 0; i < cg->cap; i++) {
		free((char *)cg->v[i].info.path);
		free(cg->v[i].info.json);
	}
	free(cg->v);
	close(cg->mount_fd);
	free(cg);
}

const char *tk_cgroups_mount(const struct tk_cgroups *cg)
{
	return cg->mount;
}

const char *tk_cgroup_label(const struct tk_cg_info *ci, size_t *len)
{
	if (ci && ci->attr.container_id[0]) {
		*len = TK_CG_SHORT_LEN;
		return ci->attr.container_id;
	}
	if (ci && ci->attr.unit) {
		*len = ci->attr.unit_len;
		return ci->attr.unit;
	}
	*len = 1;
	return "-";
}

bool tk_cgroups_by_handle(const struct tk_cgroups *cg)
{
	return cg->by_handle;
}

struct tk_cg_info *tk_cgroup_lookup(struct tk_cgroups *cg, __u64 id)
{
	struct cg_entry *e;

	if (!id)
		return NULL;
	/* the hit: one probe sequence, no allocation */
	if (cg->cap) {
		e = &cg->v[slot_of(cg, id)];
		if (e->info.id == id && (e->info.path || e->misses >= TK_CG_RETRIES))
			return &e->info;
	}
	if (cg->by_handle)
		by_handle(cg, id);
	else
		walk_all(cg);
	e = entry(cg, id);
	if (e && !e->info.path)
		e->misses++;
	return e ? &e->info : NULL;
}

bool tk_cgroup_removed(struct tk_cgroups *cg, __u64 id)
{
	const struct tk_cg_info *ci;
	char path[PATH_MAX];
	struct stat st;
	int fd;

	if (cg->by_handle) {
		fd = open_id(cg, id);
		if (fd < 0)
			return errno == ESTALE; /* else (EMFILE…): not known to be gone */
		close(fd);
		return false;
	}
	ci = tk_cgroup_lookup(cg, id);
	if (!ci)
		return false; /* out of memory: not known */
	if (!ci->path)
		return true;
	if (snprintf(path, sizeof(path), "%.*s%s", (int)cg->mount_len, cg->mount,
		     strcmp(ci->path, "/") ? ci->path : "") >= (int)sizeof(path))
		return false;
	return stat(path, &st) ? errno == ENOENT : st.st_ino != id;
}
