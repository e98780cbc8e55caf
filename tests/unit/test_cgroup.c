// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* tk_cgroup: the path conventions (a table of paths and what each must
 * give, near misses included), the mount from mountinfo, and the resolver
 * on real directories: a walked tree in /tmp, and the cgroup2 mount by
 * file handle when run as root. */
#define _GNU_SOURCE
#include <stddef.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tk_cgroup.h"
#include "testlib.h"

#define H64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define H63 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde"
#define UP64 "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"
#define UID "8d3c7f4e-1a2b-4c5d-9e8f-0a1b2c3d4e5f"
#define UID_ "8d3c7f4e_1a2b_4c5d_9e8f_0a1b2c3d4e5f"
#define U32 "6b1c4d9e2f3a4b5c6d7e8f9a0b1c2d3e" /* a static pod's UID */
#define U31 "6b1c4d9e2f3a4b5c6d7e8f9a0b1c2d3"
#define UP32 "6B1C4D9E2F3A4B5C6D7E8F9A0B1C2D3E"

static void test_parse_table(void **state)
{
	static const struct {
		const char *path, *id, *pod, *unit;
	} t[] = {
		/* docker, systemd and cgroupfs drivers */
		{ "/system.slice/docker-" H64 ".scope", H64, "", "" },
		{ "/docker/" H64, H64, "", "" },
		{ "/docker/" H64 "/sub", H64, "", "" },
		/* kubepods, cgroupfs form */
		{ "/kubepods/burstable/pod" UID "/" H64, H64, UID, "" },
		{ "/kubepods/besteffort/pod" UID "/" H64, H64, UID, "" },
		{ "/kubepods/pod" UID "/" H64, H64, UID, "" },
		{ "/kubepods/burstable/pod" UID, "", UID, "" },
		/* kubepods, systemd form: the uid with underscores */
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
		  ".slice/cri-containerd-" H64 ".scope", H64, UID, "" },
		{ "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_
		  ".slice/crio-" H64 ".scope", H64, UID, "" },
		{ "/kubepods.slice/kubepods-pod" UID_ ".slice/docker-" H64 ".scope", H64, UID, "" },
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
		  ".slice/crio-conmon-" H64 ".scope", "", UID, "crio-conmon-" H64 ".scope" },
		/* static and mirror pods: a 32-hex UID, no dashes */
		{ "/kubepods/burstable/pod" U32 "/" H64, H64, U32, "" },
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" U32
		  ".slice/cri-containerd-" H64 ".scope", H64, U32, "" },
		{ "/kubepods.slice/kubepods-pod" U32 ".slice", "", U32, "" },
		/* CRI-O on cgroupfs */
		{ "/kubepods/besteffort/pod" UID "/crio-" H64, H64, UID, "" },
		{ "/kubepods/besteffort/pod" U32 "/crio-" H64, H64, U32, "" },
		/* podman */
		{ "/libpod_parent/libpod-" H64, H64, "", "" },
		{ "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" H64 ".scope",
		  H64, "", "user@1000.service" },
		{ "/machine.slice/libpod-conmon-" H64 ".scope", "", "",
		  "libpod-conmon-" H64 ".scope" },
		/* systemd units: the innermost .service or .scope */
		{ "/system.slice/cron.service", "", "", "cron.service" },
		{ "/user.slice/user-1000.slice/user@1000.service/app.slice/x.scope", "", "", "x.scope" },
		{ "/user.slice/user-1000.slice/session-3.scope", "", "", "session-3.scope" },
		{ "/init.scope", "", "", "init.scope" },
		{ "/system.slice/docker-" H64 ".scope/init.scope", H64, "", "init.scope" },
		/* near misses: no id, no uid, no unit */
		{ "/", "", "", "" },
		{ "/system.slice", "", "", "" },
		{ "/system.slice/docker-" H63 ".scope", "", "", "docker-" H63 ".scope" },
		{ "/system.slice/docker-" H64 "0.scope", "", "", "docker-" H64 "0.scope" },
		{ "/system.slice/docker-" UP64 ".scope", "", "", "docker-" UP64 ".scope" },
		{ "/system.slice/docker-" H64 ".scope.bak", "", "", "" },
		{ "/system.slice/docker-" H64 ".scopex", "", "", "" },
		{ "/system.slice/xdocker-" H64 ".scope", "", "", "xdocker-" H64 ".scope" },
		{ "/" H64, "", "", "" },                   /* bare id outside docker/kubepods */
		{ "/dockerx/" H64, "", "", "" },
		{ "/docker/x/" H64, "", "", "" },          /* not docker's direct child */
		{ "/kubepods/burstable/" H64, "", "", "" }, /* no pod above it */
		{ "/kubepods/burstable/pod" UID "x/" H64, "", "", "" },
		{ "/kubepods/burstable/pod" UID_ "/" H64, "", "", "" }, /* cgroupfs uses dashes */
		{ "/kubepodsx/pod" UID "/" H64, "", "", "" },
		{ "/x/pod" UID "/" H64, "", "", "" },      /* a pod only under kubepods */
		{ "/system.slice/cri-containerd-" H64 ".scope", "", "",
		  "cri-containerd-" H64 ".scope" },        /* containerd ids only under kubepods */
		{ "/kubepods.slice/kubepods-pod" UID ".slice", "", "", "" }, /* systemd: underscores */
		{ "/kubepods/burstable/pod" U31 "/" H64, "", "", "" },
		{ "/kubepods/burstable/pod" U32 "0/" H64, "", "", "" },   /* 33 digits */
		{ "/kubepods/burstable/pod" UP32 "/" H64, "", "", "" },
		{ "/kubepods.slice/kubepods-burstable-pod" U31 ".slice", "", "", "" },
		{ "/kubepods.slice/kubepods-burstable-pod" U32 "0.slice", "", "", "" },
		{ "/kubepods/besteffort/pod" UID "/crio-" H63, "", UID, "" },
		{ "/kubepods/besteffort/pod" UID "/crio-conmon-" H64, "", UID, "" },
		{ "/kubepods/besteffort/crio-" H64, "", "", "" },   /* no pod above it */
		{ "/system.slice/crio-" H64, "", "", "" },
		{ "/libpod_parent/libpod-" H64 "0", "", "", "" },
		{ "/libpod_parent/x/libpod-" H64, "", "", "" },     /* not its direct child */
		{ "/libpod_parentx/libpod-" H64, "", "", "" },
		{ "/system.slice/.service", "", "", "" },
		{ "/a.service.d", "", "", "" },
		/* hostile bytes stay bytes (the output escapes them) */
		{ "/system.slice/e\x1b[31m\xe2\x80\xaevil.service", "", "",
		  "e\x1b[31m\xe2\x80\xaevil.service" },
		{ "//system.slice///cron.service/", "", "", "cron.service" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct tk_cg_attr a;
		bool any = tk_cgroup_parse(t[i].path, &a);
		char unit[512] = "";

		if (a.unit)
			snprintf(unit, sizeof(unit), "%.*s", (int)a.unit_len, a.unit);
		if (strcmp(a.container_id, t[i].id) || strcmp(a.pod_uid, t[i].pod) ||
		    strcmp(unit, t[i].unit) || any != (t[i].id[0] || t[i].pod[0] || t[i].unit[0]))
			fail_msg("%s: container_id '%s' pod_uid '%s' unit '%s' (any %d), expected "
				 "'%s' '%s' '%s'", t[i].path, a.container_id, a.pod_uid, unit, any,
				 t[i].id, t[i].pod, t[i].unit);
	}
}

static int mount_of(const char *text, char *out, size_t len)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int rc;

	assert_non_null(f);
	rc = tk_cgroup_find_mount(f, out, len);
	fclose(f);
	return rc;
}

static void test_find_mount(void **state)
{
	char m[64];

	(void)state;
	/* pure v2 */
	assert_int_equal(mount_of("22 1 0:21 / /proc rw - proc proc rw\n"
				  "30 22 0:26 / /sys/fs/cgroup rw,nosuid shared:9 - cgroup2 cgroup2 rw\n",
				  m, sizeof(m)), 0);
	assert_string_equal(m, "/sys/fs/cgroup");
	/* hybrid: v1 controllers beside the unified hierarchy */
	assert_int_equal(mount_of("31 25 0:27 / /sys/fs/cgroup ro - tmpfs tmpfs ro\n"
				  "32 31 0:28 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd\n"
				  "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n",
				  m, sizeof(m)), 0);
	assert_string_equal(m, "/sys/fs/cgroup/unified");
	/* a subtree's bind mount first, then the whole hierarchy; escapes */
	assert_int_equal(mount_of("50 1 0:38 /kubepods /mnt/sub rw - cgroup2 cgroup2 rw\n"
				  "51 1 0:38 / /mnt/my\\040cg rw - cgroup2 cgroup2 rw\n",
				  m, sizeof(m)), 0);
	assert_string_equal(m, "/mnt/my cg");
	/* the whole hierarchy first: a later subtree's bind mount does not replace it */
	assert_int_equal(mount_of("51 1 0:38 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"
				  "52 1 0:38 /kubepods /mnt/sub rw - cgroup2 cgroup2 rw\n",
				  m, sizeof(m)), 0);
	assert_string_equal(m, "/sys/fs/cgroup");
	assert_int_equal(mount_of("50 1 0:38 /kubepods /mnt/sub rw - cgroup2 cgroup2 rw\n", m,
				  sizeof(m)), 0);
	assert_string_equal(m, "/mnt/sub");
	/* none: v1 only; "cgroup2" as a source or an option is no type */
	assert_int_equal(mount_of("32 31 0:28 / /sys/fs/cgroup/cpu rw - cgroup cgroup2 rw\n"
				  "33 31 0:29 / /x\\040-\\040cgroup2 rw - tmpfs cgroup2 rw\n",
				  m, sizeof(m)), -1);
	assert_int_equal(mount_of("", m, sizeof(m)), -1);
	/* does not fit */
	assert_int_equal(mount_of("30 22 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", m, 8),
			 -1);
}

static __u64 ino(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_ino;
}

/* A cgroup-shaped tree in /tmp, resolved by walking: paths exact, one made
 * after start found on the retry, a removed one by id only, and the
 * negative result bounded (TK_CG_RETRIES lookups, then remembered). */
static void test_walk_resolver(void **state)
{
	char root[] = "/tmp/tk-cgroup-XXXXXX", p[256], q[256];
	const struct tk_cg_info *ci;
	struct tk_cgroups *cg;
	__u64 id, late, gone;

	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(p, sizeof(p), "%s/system.slice", root);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/system.slice/docker-" H64 ".scope", root);
	id = tl_mkdir_ino(p);
	snprintf(q, sizeof(q), "%s/gone.service", root);
	gone = tl_mkdir_ino(q);

	cg = tk_cgroups_new(root, TK_CG_WALK);
	assert_non_null(cg);
	assert_false(tk_cgroups_by_handle(cg));
	assert_string_equal(tk_cgroups_mount(cg), root);
	ci = tk_cgroup_lookup(cg, ino(root));
	assert_non_null(ci);
	assert_string_equal(ci->path, "/");
	ci = tk_cgroup_lookup(cg, id);
	assert_non_null(ci);
	assert_string_equal(ci->path, "/system.slice/docker-" H64 ".scope");
	assert_string_equal(ci->attr.container_id, H64);
	assert_null(tk_cgroup_lookup(cg, 0));

	/* made after the walk: found by walking again */
	snprintf(p, sizeof(p), "%s/system.slice/late.service", root);
	late = tl_mkdir_ino(p);
	ci = tk_cgroup_lookup(cg, late);
	assert_non_null(ci);
	assert_string_equal(ci->path, "/system.slice/late.service");
	assert_int_equal((int)ci->attr.unit_len, 12);

	/* removed after the walk: the cached path stays (the record was made
	 * while it existed). Removed only now: tmpfs reuses inode numbers,
	 * which cgroupfs ids never are. */
	assert_int_equal(rmdir(q), 0);
	ci = tk_cgroup_lookup(cg, gone);
	assert_non_null(ci);
	assert_string_equal(ci->path, "/gone.service");
	assert_int_equal(rmdir(p), 0);

	/* an id nothing has: unknown; retried TK_CG_RETRIES times, then not
	 * again — a directory that gets it afterwards is not looked for */
	for (int i = 0; i < TK_CG_RETRIES + 2; i++) {
		ci = tk_cgroup_lookup(cg, ~0ULL - 5);
		assert_non_null(ci);
		assert_null(ci->path);
		assert_int_equal(ci->id, ~0ULL - 5);
	}
	tk_cgroups_free(cg);
	snprintf(p, sizeof(p), "%s/system.slice/docker-" H64 ".scope", root);
	assert_int_equal(rmdir(p), 0);
	snprintf(p, sizeof(p), "%s/system.slice", root);
	assert_int_equal(rmdir(p), 0);
	assert_int_equal(rmdir(root), 0);
}

/* Many ids: the table grows and every entry is still found. */
static void test_many_ids(void **state)
{
	char root[] = "/tmp/tk-cgroup-XXXXXX", p[256];
	struct tk_cgroups *cg;
	__u64 ids[600];

	(void)state;
	assert_non_null(mkdtemp(root));
	for (int i = 0; i < 600; i++) {
		snprintf(p, sizeof(p), "%s/c%d.scope", root, i);
		ids[i] = tl_mkdir_ino(p);
	}
	cg = tk_cgroups_new(root, TK_CG_WALK);
	assert_non_null(cg);
	for (int i = 0; i < 600; i++) {
		const struct tk_cg_info *ci = tk_cgroup_lookup(cg, ids[i]);

		snprintf(p, sizeof(p), "/c%d.scope", i);
		assert_non_null(ci);
		assert_non_null(ci->path);
		assert_string_equal(ci->path, p);
	}
	tk_cgroups_free(cg);
	for (int i = 0; i < 600; i++) {
		snprintf(p, sizeof(p), "%s/c%d.scope", root, i);
		rmdir(p);
	}
	assert_int_equal(rmdir(root), 0);
}

/* The real cgroup2 mount by file handle (root only): a cgroup made after
 * the resolver started is found without a walk; once removed, a new
 * lookup of an id never seen gives the id alone. */
static void test_handle_resolver(void **state)
{
	struct tk_cgroups *cg;
	const struct tk_cg_info *ci;
	char p[512], name[64];
	__u64 id;

	(void)state;
	if (geteuid()) {
		skip();
		return;
	}
	cg = tk_cgroups_new(NULL, 0);
	if (!cg) {
		skip(); /* no cgroup2 here */
		return;
	}
	assert_true(tk_cgroups_by_handle(cg));
	snprintf(name, sizeof(name), "tkunit-%d.service", (int)getpid());
	snprintf(p, sizeof(p), "%s/%s", tk_cgroups_mount(cg), name);
	id = tl_mkdir_ino(p);
	ci = tk_cgroup_lookup(cg, id);
	assert_non_null(ci);
	assert_non_null(ci->path);
	assert_int_equal(ci->path[0], '/');
	assert_string_equal(ci->path + 1, name);
	assert_int_equal((int)ci->attr.unit_len, (int)strlen(name));
	snprintf(p, sizeof(p), "%s/%s.x", tk_cgroups_mount(cg), name);
	id = tl_mkdir_ino(p);
	assert_int_equal(rmdir(p), 0);
	ci = tk_cgroup_lookup(cg, id);
	assert_non_null(ci);
	assert_null(ci->path);
	snprintf(p, sizeof(p), "%s/%s", tk_cgroups_mount(cg), name);
	assert_int_equal(rmdir(p), 0);
	tk_cgroups_free(cg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_find_mount),
		cmocka_unit_test(test_walk_resolver),
		cmocka_unit_test(test_many_ids),
		cmocka_unit_test(test_handle_resolver),
	};
	return cmocka_run_group_tests_name("cgroup", tests, NULL, NULL);
}
