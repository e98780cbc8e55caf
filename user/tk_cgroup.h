/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tk_cgroup.h — which cgroup, container, pod or systemd unit a record's
 * cgroup_id names (part of libtk).
 *
 * The kernel records only the cgroup v2 id (bpf_get_current_cgroup_id():
 * the kernfs node id of the task's cgroup directory, its inode number on
 * 64-bit). The consumer turns it into a path relative to the cgroup2 root
 * and parses that path for the conventions container runtimes and systemd
 * follow. No runtime is asked: a path that follows no convention gives the
 * path alone, never a guess.
 *
 * Resolution is cached: a record whose cgroup was seen before costs one
 * hash lookup, so it stays off the hot path of a stream.
 */
#ifndef TK_CGROUP_H
#define TK_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

/* How many times a cgroup id that resolves to nothing is looked up again
 * before it is remembered as unknown. Ids are never reused, so a miss is
 * mostly a removed cgroup (final); the retries cover one created after the
 * hierarchy was walked (where file handles are not available) or a lookup
 * that failed for want of a file descriptor. */
#define TK_CG_RETRIES 3

/*
 * What a cgroup path says about its tasks, parsed by tk_cgroup_parse().
 * Fields that the path does not state are empty.
 *
 *  container_id  64 lowercase hex digits, from the innermost of
 *                  docker:      …/docker-<id>.scope (systemd driver),
 *                               /docker/<id> (cgroupfs driver)
 *                  kubepods:    …/kubepods…/pod<uid>/<id> or
 *                               …/pod<uid>/crio-<id> (cgroupfs),
 *                               …/kubepods-…-pod<uid>.slice/
 *                               cri-containerd-<id>.scope, crio-<id>.scope
 *                               or docker-<id>.scope (systemd)
 *                  podman:      …/libpod-<id>.scope (systemd),
 *                               /libpod_parent/libpod-<id> (cgroupfs)
 *                (conmon's scopes, libpod-conmon-<id>.scope and
 *                crio-conmon-<id>.scope, are the runtime's monitor, not
 *                the container; uppercase, 63 or 65 digits, or anything
 *                after the id but ".scope" is not an id)
 *  pod_uid       kubepods only: the pod's UID as 8-4-4-4-12 lowercase hex
 *                with dashes; the systemd form writes it with underscores
 *                (pod1234_…), reported with dashes as Kubernetes does. A
 *                static or mirror pod's UID is 32 hex digits without
 *                dashes (a hash of its manifest), reported as the path has
 *                it; 31 or 33 digits are no UID
 *  unit          the innermost component that is a systemd unit, a
 *                "<name>.service" or "<name>.scope", and that is not a
 *                container's own scope: "user@1000.service/app.slice/
 *                x.scope" gives "x.scope", the unit the task was started
 *                in; "system.slice/cron.service" gives "cron.service".
 *                Points into the parsed path (unit_len bytes, not
 *                NUL-terminated unless it is the last component).
 */
#define TK_CG_ID_LEN 64
#define TK_CG_UID_LEN 36
struct tk_cg_attr {
	char container_id[TK_CG_ID_LEN + 1];
	char pod_uid[TK_CG_UID_LEN + 1];
	const char *unit;
	size_t unit_len;
};

/* Parses a cgroup path ("/system.slice/docker-<id>.scope", relative to
 * the cgroup2 root) into *a. A pure function of the string: true if it
 * found anything (a->container_id, pod_uid or unit set). */
bool tk_cgroup_parse(const char *path, struct tk_cg_attr *a);

/*
 * The cgroup2 mount point from a mountinfo file (/proc/self/mountinfo's
 * format): /sys/fs/cgroup on a pure v2 host, /sys/fs/cgroup/unified on a
 * hybrid one, or wherever it is. A mount of the whole hierarchy (root
 * "/") is preferred to a bind mount of a subtree. 0, or -1 if there is
 * none (or it does not fit in len).
 */
int tk_cgroup_find_mount(FILE *mountinfo, char *out, size_t len);

/* One resolved cgroup: path relative to the mount ("/" for the root),
 * or NULL when the id names no cgroup (removed). */
struct tk_cg_info {
	__u64 id;
	const char *path;
	struct tk_cg_attr attr;
	/* The decoder's JSON keys for this cgroup, rendered at its first
	 * record (tk_output.c), so every later one costs a single write;
	 * NULL until then. Freed with the resolver. */
	char *json;
	size_t json_len;
};

/*
 * The resolver: ids to tk_cg_info, cached.
 *
 * An id is a kernfs file handle: open_by_handle_at() on the mount with
 * the id as an 8-byte handle opens the directory of a cgroup created at
 * any time, and /proc/self/fd/N names it, with no walk. Where handles do
 * not work (no CAP_DAC_READ_SEARCH, a kernel without kernfs export) the
 * hierarchy is walked and directories are matched by inode number; a
 * miss walks again (at most TK_CG_RETRIES times per id).
 */
struct tk_cgroups;

enum {
	TK_CG_WALK = 1, /* walk the hierarchy even where handles work (tests) */
};

/* A resolver for the cgroup2 hierarchy mounted at mount (NULL: find it in
 * /proc/self/mountinfo). NULL and errno on failure: ENOENT when no cgroup2
 * is mounted. */
struct tk_cgroups *tk_cgroups_new(const char *mount, unsigned flags);
void tk_cgroups_free(struct tk_cgroups *cg); /* NULL-safe */
/* The mount point the resolver uses. */
const char *tk_cgroups_mount(const struct tk_cgroups *cg);
/* Whether it resolves by file handle (false: by walking). */
bool tk_cgroups_by_handle(const struct tk_cgroups *cg);
/* The cgroup of id; NULL for id 0 or out of memory. info->path is NULL
 * for an id no cgroup has (any more). Valid until the next lookup. */
struct tk_cg_info *tk_cgroup_lookup(struct tk_cgroups *cg, __u64 id);

/*
 * Whether the cgroup of id is gone now (its directory removed), asked of
 * the kernel, not the cache: a removed cgroup's path stays cached so its
 * records still show it. By handle: the open fails with ESTALE. Walking:
 * its path no longer leads to a directory with that inode. For a summary
 * that drops the rows of removed cgroups (ids are never reused).
 */
bool tk_cgroup_removed(struct tk_cgroups *cg, __u64 id);
/* What -C shows for a cgroup: the container's short id (its first
 * TK_CG_SHORT_LEN digits, as docker ps shows it), else the unit, else "-"
 * (ci NULL, or nothing parsed). *len bytes, not NUL-terminated. */
#define TK_CG_SHORT_LEN 12
const char *tk_cgroup_label(const struct tk_cg_info *ci, size_t *len);

#endif /* TK_CGROUP_H */
