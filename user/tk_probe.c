// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Kernel feature probing before load: a kernel that lacks something a
 * tool's object uses gets one line naming it and the release that brings
 * it, instead of a verifier log or libbpf's "not found in kernel BTF".
 *
 * What is probed comes from the tables scripts/kernel-table generates from
 * the built objects (build/tk_features.c), not from per-tool code. Every
 * check reads the running kernel's BTF, which the tools need anyway:
 *  - helpers, map types, program and attach types: their enumerator in
 *    enum bpf_func_id / bpf_map_type / bpf_prog_type / bpf_attach_type.
 *    That is what the kernel was built with, for every program type;
 *    libbpf_probe_bpf_helper() cannot probe BPF_PROG_TYPE_TRACING (tp_btf)
 *    and would answer for one program type only. It is also the check the
 *    BPF side makes for its own fallbacks (bpf_core_enum_value_exists), so
 *    both sides agree on what the kernel has;
 *  - kfuncs: a FUNC of that name (what libbpf resolves the call against);
 *  - tracepoints: tp/CAT/NAME in tracefs, tp_btf/ and raw_tp/ as the
 *    btf_trace_NAME typedef the kernel emits for each raw tracepoint.
 * Instruction-set features (bounded loops 5.3) have no such witness: they
 * count towards the minimum release but are left to the verifier.
 * The same tracepoint check first leaves out a tool's optional programs
 * whose call this kernel does not have (struct tk_tool optional_progs),
 * so what is left must all be there.
 */
#include <stdlib.h>
#include <sys/stat.h>
#include <bpf/btf.h>
#include "tk.h"

int tk_linux_cmp(const char *a, const char *b)
{
	unsigned va[3] = { 0 }, vb[3] = { 0 };

	sscanf(a, "%u.%u.%u", &va[0], &va[1], &va[2]);
	sscanf(b, "%u.%u.%u", &vb[0], &vb[1], &vb[2]);
	for (int i = 0; i < 3; i++)
		if (va[i] != vb[i])
			return va[i] < vb[i] ? -1 : 1;
	return 0;
}

/* Whether this row counts for the chosen transport. */
static bool needed(const struct tk_feature *f, bool perfbuf)
{
	return f->use == TK_USE_ALWAYS || (f->use == TK_USE_RINGBUF && !perfbuf);
}

const char *tk_min_linux(const char *tool, bool perfbuf)
{
	const char *min = NULL;

	for (const struct tk_feature *f = tk_tool_features; f->tool; f++)
		if (!strcmp(f->tool, tool) && needed(f, perfbuf) &&
		    (!min || tk_linux_cmp(f->release, min) > 0))
			min = f->release;
	return min;
}

/* "ENUM:ENUMERATOR": is ENUMERATOR a value of enum ENUM? */
static bool btf_has_enumerator(const struct btf *btf, const char *witness)
{
	const char *colon = strchr(witness, ':');
	char ename[64];
	int id;

	if (!colon || (size_t)(colon - witness) >= sizeof(ename))
		return false;
	memcpy(ename, witness, colon - witness);
	ename[colon - witness] = 0;
	id = btf__find_by_name_kind(btf, ename, BTF_KIND_ENUM);
	if (id > 0) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const struct btf_enum *v = btf_enum(t);

		for (int i = 0; i < btf_vlen(t); i++)
			if (!strcmp(btf__name_by_offset(btf, v[i].name_off), colon + 1))
				return true;
	}
	return false;
}

static bool btf_has(const struct btf *btf, const char *name, int kind)
{
	return btf__find_by_name_kind(btf, name, kind) > 0;
}

/* A tracepoint named by a SEC(): "tp/CAT/NAME", "tp_btf/NAME", "raw_tp/NAME". */
static bool has_tracepoint(const struct tk_kernel *k, const char *sec)
{
	const char *rest = strchr(sec, '/');
	char path[512];
	struct stat st;

	if (!rest)
		return false;
	rest++;
	if (!strncmp(sec, "tp/", 3)) {
		snprintf(path, sizeof(path), "%s/%s", k->events, rest);
		return !stat(path, &st);
	}
	snprintf(path, sizeof(path), "btf_trace_%s", rest);
	return btf_has(k->btf, path, BTF_KIND_TYPEDEF);
}

static bool has_feature(const struct tk_kernel *k, const struct tk_feature *f)
{
	switch (f->kind) {
	case TK_FEAT_KFUNC:
		return btf_has(k->btf, f->btf, BTF_KIND_FUNC);
	case TK_FEAT_HELPER:
	case TK_FEAT_MAP:
	case TK_FEAT_SECTION:
		return btf_has_enumerator(k->btf, f->btf);
	default:
		return true;
	}
}

/* The tk_prog_features row of a kind for name: exact, else the longest glob. */
static const struct tk_feature *prog_feature(__u8 kind, const char *name, size_t len)
{
	const struct tk_feature *best = NULL;
	size_t best_len = 0;

	for (const struct tk_feature *f = tk_prog_features; f->name; f++) {
		size_t n = strlen(f->name);

		if (f->kind != kind)
			continue;
		if (n == len && !strncmp(f->name, name, len))
			return f;
		if (n && f->name[n - 1] == '*' && n - 1 <= len && n - 1 >= best_len &&
		    !strncmp(f->name, name, n - 1)) {
			best = f;
			best_len = n - 1;
		}
	}
	return best;
}

struct probe_result {
	const char *need;     /* the newest release needed */
	const char *missing;  /* the newest missing feature's release */
	char what[160];       /* and its name */
	unsigned nmissing;
};

static void account(struct probe_result *r, const char *release, bool have, const char *kind,
		    const char *name, size_t len)
{
	if (!r->need || tk_linux_cmp(release, r->need) > 0)
		r->need = release;
	if (have)
		return;
	r->nmissing++;
	if (!r->missing || tk_linux_cmp(release, r->missing) > 0) {
		r->missing = release;
		snprintf(r->what, sizeof(r->what), "%s%.*s", kind, (int)len, name);
	}
}

int tk_probe_check(const char *tool, const char *const *sections, size_t nsections,
		   bool perfbuf, const struct tk_kernel *k, char *msg, size_t len)
{
	struct probe_result r = { 0 };
	bool known = false;

	for (const struct tk_feature *f = tk_tool_features; f->tool; f++) {
		const char *name = f->name;

		if (strcmp(f->tool, tool))
			continue;
		known = true;
		/* program types and tracepoints: below, for the programs that load */
		if (f->kind == TK_FEAT_SECTION || f->kind == TK_FEAT_TRACEPOINT || !needed(f, perfbuf))
			continue;
		if (f->kind == TK_FEAT_MAP)
			name = strchr(f->btf, ':') ? strchr(f->btf, ':') + 1 : f->btf;
		account(&r, f->release, has_feature(k, f), "", name, strlen(name));
	}
	if (!known) {
		snprintf(msg, len, "no kernel feature table for %s (a build error)", tool);
		return -1;
	}
	for (size_t i = 0; i < nsections; i++) {
		const char *sec = sections[i] + (sections[i][0] == '?');
		const char *slash = strchr(sec, '/'), *ev = strrchr(sec, '/');
		const struct tk_feature *f;

		if (!slash)
			continue;
		f = prog_feature(TK_FEAT_SECTION, sec, slash - sec);
		if (f) {
			char what[64];

			snprintf(what, sizeof(what), "%.*s programs", (int)(slash - sec), sec);
			account(&r, f->release, has_feature(k, f), "", what, strlen(what));
		}
		/* an iterator's target (iter/tcp) is no tracepoint: its
		 * section's row dates it */
		if (!strncmp(sec, "iter/", 5))
			continue;
		/* scripts/kernel-table refuses to build a table that leaves out a
		 * tracepoint the objects attach to: "?" cannot happen in a build */
		f = prog_feature(TK_FEAT_TRACEPOINT, ev + 1, strlen(ev + 1));
		account(&r, f ? f->release : "?", has_tracepoint(k, sec), "tracepoint ", slash + 1,
			strlen(slash + 1));
	}
	if (!r.nmissing)
		return 0;
	if (r.nmissing > 1)
		snprintf(msg, len, "this kernel lacks %s (Linux %s) and %u more; %s needs Linux %s or later",
			 r.what, r.missing, r.nmissing - 1, tool, r.need);
	else
		snprintf(msg, len, "this kernel lacks %s (Linux %s); %s needs Linux %s or later",
			 r.what, r.missing, tool, r.need);
	return -1;
}

/* Whether name is in list, "a,b,c*": comma-separated, a trailing '*'
 * matching any rest. */
bool tk_prog_in_list(const char *name, const char *list)
{
	size_t nlen = strlen(name);

	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");
		bool glob = len && p[len - 1] == '*';

		if (glob ? len - 1 <= nlen && !strncmp(p, name, len - 1)
			 : len == nlen && !strncmp(p, name, len))
			return true;
		p += len + (p[len] == ',');
	}
	return false;
}

/* An entry of the list that names no program is a mistake in the tool:
 * it would make nothing optional, silently. */
int tk_probe_optional(const struct tk_env *env, const struct tk_bpf *b,
				 const struct tk_kernel *k)
{
	const struct tk_tool *t = env->tool;
	const char *list = t->optional_progs;
	struct bpf_program *p;

	if (!list)
		return 0;
	for (const char *e = list; *e;) {
		size_t len = strcspn(e, ",");
		char entry[128];
		bool found = false;

		snprintf(entry, sizeof(entry), "%.*s", (int)len, e);
		bpf_object__for_each_program(p, b->obj)
			found = found || tk_prog_in_list(bpf_program__name(p), entry);
		if (!found)
			return tk_fail("optional program '%s' is not in the BPF object (a build error)",
				       entry);
		e += len + (e[len] == ',');
	}
	bpf_object__for_each_program(p, b->obj) {
		const char *sec = bpf_program__section_name(p);

		if (!bpf_program__autoload(p) || !tk_prog_in_list(bpf_program__name(p), list) ||
		    has_tracepoint(k, sec + (sec[0] == '?')))
			continue;
		bpf_program__set_autoload(p, false);
		if (env->verbose)
			fprintf(stderr, "%s: no tracepoint %s on this kernel: %s not loaded\n", tk_prog,
				strchr(sec, '/') ? strchr(sec, '/') + 1 : sec, bpf_program__name(p));
	}
	for (const struct tk_tool_event *e = t->events; e->name; e++) {
		bool loads = false;

		if (!tk_event_selected(env, e->id) || !e->progs)
			continue;
		bpf_object__for_each_program(p, b->obj)
			loads = loads || (bpf_program__autoload(p) &&
					  tk_prog_in_list(bpf_program__name(p), e->progs));
		if (!loads)
			return tk_fail("this kernel has none of the tracepoints of event '%s'",
				       e->name);
	}
	return 0;
}

int tk_probe_kernel(const struct tk_env *env, const struct tk_bpf *b, clockid_t *clock)
{
	size_t n = 0, cap = 0;
	const char **secs = NULL;
	struct bpf_program *p;
	struct tk_kernel k = { .events = tk_tracefs_events() };
	char msg[256];
	int err;

	/*
	 * --perfbuf: no ring-buffer map at all, so kernels before 5.8 can load
	 * the object. libbpf (1.1 too) then poisons each instruction that
	 * loads tk_rb; those sit in the branches tk_use_perfbuf prunes, and the
	 * verifier removes dead code before it resolves anything in it. If one
	 * were reachable, the load would fail: the perfbuf path provably uses
	 * no ring buffer.
	 */
	if (env->perfbuf) {
		err = bpf_map__set_autocreate(b->rb, false);
		if (err)
			return tk_fail("cannot leave out the ring buffer: %s", strerror(-err));
	}
	k.btf = tk_vmlinux_btf();
	err = errno;
	if (!k.btf)
		return tk_fail("cannot read the kernel's BTF: %s", strerror(err));
	*clock = tk_event_clock(k.btf);
	if (tk_probe_optional(env, b, &k))
		return 1;
	bpf_object__for_each_program(p, b->obj) {
		if (!bpf_program__autoload(p))
			continue;
		if (n == cap) {
			const char **grown = realloc(secs, (cap = cap ? 2 * cap : 16) * sizeof(*secs));

			if (!grown) {
				free(secs);
				return tk_fail("out of memory");
			}
			secs = grown;
		}
		secs[n++] = bpf_program__section_name(p);
	}
	err = tk_probe_check(env->tool->name, secs, n, env->perfbuf, &k, msg, sizeof(msg));
	free(secs);
	return err ? tk_fail("%s", msg) : 0;
}

static struct btf *vmlinux_btf;

const struct btf *tk_vmlinux_btf(void)
{
	if (!vmlinux_btf)
		vmlinux_btf = btf__load_vmlinux_btf(); /* sets errno when NULL */
	return vmlinux_btf;
}

void tk_vmlinux_btf_free(void)
{
	btf__free(vmlinux_btf);
	vmlinux_btf = NULL;
}

clockid_t tk_event_clock(const struct btf *btf)
{
	return btf_has_enumerator(btf, "bpf_func_id:BPF_FUNC_ktime_get_boot_ns") ? CLOCK_BOOTTIME
										  : CLOCK_MONOTONIC;
}
