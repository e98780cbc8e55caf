/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tk_event.h — the machinery behind every tracekit event.
 *
 * This header is compiled unchanged by clang for BPF (-target bpf, after
 * vmlinux.h) and by gcc for userspace. It defines:
 *
 *   - the fixed-width field types (tk_u8 … tk_s64, tk_char),
 *   - struct tk_hdr, the common header that starts every record,
 *   - the "kinds" that tell the one generic decoder how to display a field,
 *   - TK_DEFINE_STRUCT(), which turns one field list into a C struct plus a
 *     _Static_assert for every field offset and a "no holes" size check.
 *
 * A field list is an X-macro taking two macros, F for scalars and A for
 * arrays:
 *
 *     #define MY_FIELDS(F, A)                          \
 *         F(u32,  ppid,      48, DEC,   0)             \
 *         A(char, filename, 256, 64, STR, 0)
 *
 *     F(type, name, offset, kind, aux)
 *     A(type, name, count, offset, kind, aux)
 *
 * type   one of u8 u16 u32 u64 s32 s64 char (pasted to tk_<type>)
 * offset the byte offset the field MUST have; asserted at compile time by
 *        both compilers, so the layout is an ABI, not an accident.
 * kind   how the decoder shows it (TK_K_<kind>, see enum tk_kind and the
 *        table below)
 * aux    extra decoder input: the symbol table of a FLAGS/ENUM field (the
 *        table tk_syms_<aux>, referenced by symbol, so a misspelt table is
 *        a compile error), the name of the string a VSTR/ARGV length field
 *        describes, the family field of an IPADDR field; 0 when unused.
 *
 * Because every field's offset is asserted AND the struct's size is asserted
 * to equal sizeof(struct tk_hdr) + the sum of the field sizes, a struct that
 * compiles has no implicit padding anywhere: padding must be an explicit
 * field of kind PAD. That matters because the BPF side reserves records in
 * place and does not zero them; an implicit hole would leak kernel memory.
 *
 * Variable-length records (strings travel at their length)
 * --------------------------------------------------------
 * A string whose length varies (a path, a filename, argv) is not a member
 * of the struct. The struct is the record's FIXED part; the strings follow
 * it, packed back to back, each exactly as long as it is:
 *
 *     | tk_hdr | fixed fields ... len_a len_b | a... \0 | b... \0 |
 *     0        48                       sizeof(struct)
 *
 * Each string is described by a length field in the fixed part, of kind
 * VSTR (one NUL-terminated string) or ARGV (NUL-separated strings), whose
 * aux is the string's name (the JSON key and the text label):
 *
 *     F(u16, path_len, 114, VSTR, path)
 *
 * The length counts the bytes the string occupies in the record, its NUL(s)
 * included; 0 means the record has no such string (then it is not shown).
 * The strings are packed in the order of their length fields, so the
 * decoder finds string k at sizeof(struct) + the lengths of strings 0..k-1.
 * A record is therefore exactly sizeof(struct) + the sum of its lengths;
 * the consumer may see a few more bytes (a perf buffer pads samples to 8
 * bytes, see tk_output_var() in bpf/tk.bpf.h), which the length fields make
 * irrelevant. Why not fixed char arrays with a zeroed tail: a 4 KiB path
 * array made a typical open record 4.4 KiB (or ~400 bytes sent short) for
 * ~120 meaningful bytes, and any unzeroed tail is a leak of whatever the
 * build buffer held before (other processes' paths).
 *
 * Fixed char arrays (kind STR) remain for strings of small, fixed size whose
 * tail is zero by construction: the header's comm (NUL-padded by the kernel).
 *
 * How each kind prints (docs/events.md has the same table)
 * ---------------------------------------------------------
 * The JSON key is the field's name (a VSTR/ARGV length field: its string's
 * name, aux). A symbolic kind follows the x + x_str rule: the number in
 * "x", its name in "x_str" when it has one. "-" = not in the output.
 *
 *   kind      text                     JSON                      shown
 *   NONE/PAD  -                        -                         never
 *   DEC       ppid=1                   "ppid":1                  always
 *   HEX       args={0x3,0x0}           "args":["0x3","0x0"]      always
 *   OCT       mode=0644                "mode":420                always
 *   BOOL      truncated=1              "truncated":true          text: when set
 *   ERRNO     ret=-2(ENOENT)           "ret":-2,"ret_str":"ENOENT"  always
 *   SIGNAL    signal=9(SIGKILL)        "signal":9,"signal_str":"SIGKILL"  text: when set
 *   FLAGS     flags=65(O_WRONLY|O_CREAT)  "flags":65,"flags_str":"O_WRONLY|O_CREAT"
 *   ENUM      family=AF_INET (or 99)   "family":2,"family_str":"AF_INET"  (no _str
 *                                      when the value has no name)
 *   DURATION  duration_ns=1.500ms      "duration_ns":1500000     always
 *   STR/VSTR  path=/etc/passwd, 'a b'  "path":"/etc/passwd"      VSTR: length > 0
 *   ARGV      argv=ls -l 'a b'         "argv":["ls","-l","a b"]  always
 *   IPADDR    saddr=127.0.0.1          "saddr":"127.0.0.1"       always
 *   DEV       dev=8:1                  "dev":"8:1"               always
 *   SYSCALL   nr=257(openat)           "nr":257,"syscall":"openat"  always
 *   EVENT     (the EVENT column)       "event":"open"            header only
 *   FD        fd=3                     "fd":3                    when >= 0
 *
 * ERRNO names only -1..-4095 (the kernel's -errno range); an unknown
 * syscall number is named syscall_<n>. The decoder's one table of these
 * forms is `kinds[]` in user/tk_output.c.
 *
 * Field names
 * -----------
 * A field's name (and a VSTR/ARGV/IPADDR aux) becomes a C identifier in
 * every userspace object that includes the contract, next to libc's
 * headers: it must not be a libc macro. glibc defines, among others,
 * errno, sa_handler, sa_sigaction, si_pid, si_uid, si_status, si_addr,
 * st_atime/st_mtime/st_ctime, stdin/stdout/stderr, and
 * (with _GNU_SOURCE) many more. The build checks it before compiling
 * anything: scripts/gen-registry tests `#ifdef <name>` for every field name
 * after the libc headers libtk includes, so a field named errno fails with
 * "field name 'errno' (include/tk_x.h) is a libc macro" instead of an
 * error deep inside a libtk object. Name such fields err, handler, sender…
 *
 * Event ids and registration
 * --------------------------
 * An event id is 16 bits: TK_ID(domain, n), the domain (1..255, one per
 * include/tk_<domain>.h, TK_<DOMAIN>_DOMAIN) in the high byte and the
 * event (1..255) in the low byte. A domain header defines
 * TK_<DOMAIN>_DOMAIN and TK_<DOMAIN>_EVENTS(E); the build (Makefile,
 * scripts/gen-registry) finds every include/tk_*.h that defines such a
 * list and generates build/tk_registry.h, which includes them all and
 * expands TK_ALL_EVENTS(E) (include/tk_events.h). Nothing else is edited
 * to add a domain. Two events with one id, or two domains with one number,
 * are a compile error (duplicate case labels in tk_events.h and the
 * registry), on both compilers.
 *
 * Symbol tables (FLAGS/ENUM) live in the domain header next to the fields,
 * inside `#ifdef TK_WANT_SYMS`: only user/tk_events.c defines it (with
 * _GNU_SOURCE, for the libc constants), so they compile away for BPF and
 * for every other object. A table is `TK_SYMS(name) = { …, TK_SYMS_END };`
 * and a field refers to it as aux `name`.
 */
#ifndef TK_EVENT_H
#define TK_EVENT_H

#if defined(__bpf__) || defined(__BPF__)
/* vmlinux.h (included first by every .bpf.c) provides the __u* types. */
#define TK_BPF 1
#else
#include <linux/types.h>
#include <stddef.h>
#endif

typedef __u8 tk_u8;
typedef __u16 tk_u16;
typedef __u32 tk_u32;
typedef __u64 tk_u64;
typedef __s32 tk_s32;
typedef __s64 tk_s64;
typedef char tk_char;

/* One definition for the whole project (bcc libbpf-tools has 41). */
#define TK_COMM_LEN 16

/* An event id: domain in the high byte, the domain's event in the low. */
#define TK_ID(domain, n) (((domain) << 8) | (n))
#define TK_ID_MAX 0xffff
/* -e selection: one bit per possible id, in 64-bit words (rodata
 * tk_events_mask in bpf/tk.bpf.h, tk_env.events_mask in user/tk.h). */
#define TK_EV_WORDS ((TK_ID_MAX + 1) / 64)

#ifndef TK_BPF
/*
 * One entry of a FLAGS/ENUM symbol table. ENUM: the field equals value.
 * FLAGS: the bits in mask equal value, and no earlier entry named any of
 * them. A flag is its own mask (TK_FLAG); a value held in a group of bits,
 * like open(2)'s access mode (O_RDONLY is 0 in O_ACCMODE), is TK_BITS. So
 * O_SYNC (which contains O_DSYNC's bit) listed first leaves no O_DSYNC.
 */
struct tk_sym {
	__u64 value;
	__u64 mask;   /* FLAGS only; 0 never matches */
	const char *name;
};
#define TK_SYMS(name) static const struct tk_sym tk_syms_##name[]
#define TK_VAL(v, name) { (v), 0, (name) }
#define TK_FLAG(v, name) { (v), (v), (name) }
#define TK_BITS(v, mask, name) { (v), (mask), (name) }
/* A constant named as it is spelled: TK_VAL_OF(SI_USER), TK_FLAG_OF(O_CREAT). */
#define TK_VAL_OF(x) TK_VAL(x, #x)
#define TK_FLAG_OF(x) TK_FLAG(x, #x)
#define TK_SYMS_END { 0, 0, NULL }
#endif

/*
 * Display kinds (the table above shows each one's forms). The BPF side
 * never looks.
 * NONE fields travel in the record but are not printed (lengths, counts
 * the decoder consumes itself); PAD fields are explicit padding.
 */
enum tk_kind {
	TK_K_NONE = 0,
	TK_K_PAD,
	TK_K_DEC,      /* signed or unsigned decimal, by type */
	TK_K_HEX,      /* 0x… (arrays of integers print as JSON arrays) */
	TK_K_OCT,      /* 0644 */
	TK_K_BOOL,     /* JSON true/false; text prints the name only when set */
	TK_K_ERRNO,    /* negative value is -errno: adds ENOENT etc. */
	TK_K_SIGNAL,   /* signal number: adds SIGKILL etc. (0 = none) */
	TK_K_FLAGS,    /* bit set; aux: its symbol table */
	TK_K_ENUM,     /* small enum; aux: its symbol table */
	TK_K_DURATION, /* nanoseconds; text shows a scaled unit */
	TK_K_STR,      /* NUL-terminated string in a fixed char array (comm) */
	TK_K_ARGV,     /* length field of packed NUL-separated strings; aux: their name */
	TK_K_IPADDR,   /* 16 bytes, v4 in the first 4; aux names the family field */
	TK_K_DEV,      /* kernel dev_t (major << 20 | minor) as "maj:min" */
	TK_K_SYSCALL,  /* syscall number: adds its name */
	TK_K_EVENT,    /* the header's event type: printed as the event's name */
	TK_K_FD,       /* file descriptor (s32): not shown at all when negative (none) */
	TK_K_VSTR,     /* length field of a packed string (see above); aux: its name */
	TK_K__COUNT,
};

enum tk_type {
	TK_T_u8 = 1, TK_T_u16, TK_T_u32, TK_T_u64, TK_T_s32, TK_T_s64, TK_T_char,
};

/*
 * The common header. Every record starts with it, so the consumer can read
 * `event` first and dispatch. pid is the process (tgid), tid the thread,
 * ts_ns is CLOCK_BOOTTIME nanoseconds (bpf_ktime_get_boot_ns), converted to
 * wall-clock time in userspace. cgroup_id is the task's cgroup v2 id
 * (bpf_get_current_cgroup_id(): the kernfs id of its cgroup2 directory,
 * which is that directory's inode number, `stat -c %i`), so a consumer can
 * tell which container or service a record came from; 0 when the tool
 * does not know the task (nettrace's sockets of an unknown owner). It is
 * last so the older fields kept their offsets.
 */
#define TK_HDR_FIELDS(F, A)                         \
	F(u64, ts_ns, 0, DEC, 0)                    \
	F(u32, event, 8, EVENT, 0)                  \
	F(u32, pid, 12, DEC, 0)                     \
	F(u32, tid, 16, DEC, 0)                     \
	F(u32, uid, 20, DEC, 0)                     \
	A(char, comm, TK_COMM_LEN, 24, STR, 0)      \
	F(u64, cgroup_id, 40, DEC, 0)

#define TK_HDR_SIZE 48

/* ---- X-macro expanders (internal) ------------------------------------ */
#define TK__MEMBER_F(t, n, off, kind, aux) tk_##t n;
#define TK__MEMBER_A(t, n, cnt, off, kind, aux) tk_##t n[cnt];
#define TK__SIZE_F(t, n, off, kind, aux) +sizeof(tk_##t)
#define TK__SIZE_A(t, n, cnt, off, kind, aux) +sizeof(tk_##t) * (cnt)
#define TK__STR(x) #x
#define TK__XSTR(x) TK__STR(x)

/*
 * Offset checks run inside an unused static inline function so that a
 * block-scoped typedef can name the struct being checked: _Static_assert is
 * a declaration, legal in a block, and an unused static inline costs nothing
 * on either side.
 */
#define TK__OFFCHK_F(t, n, off, kind, aux)                                   \
	_Static_assert(__builtin_offsetof(tk__cur_t, n) == (off),            \
		       "offset of " #n " is not " #off);
#define TK__OFFCHK_A(t, n, cnt, off, kind, aux) TK__OFFCHK_F(t, n, off, kind, aux)

struct tk_hdr {
	TK_HDR_FIELDS(TK__MEMBER_F, TK__MEMBER_A)
};

static inline void tk__check_hdr(void)
{
	typedef struct tk_hdr tk__cur_t;
	TK_HDR_FIELDS(TK__OFFCHK_F, TK__OFFCHK_A)
}
_Static_assert(sizeof(struct tk_hdr) == TK_HDR_SIZE, "tk_hdr size");
_Static_assert(sizeof(struct tk_hdr) == 0 TK_HDR_FIELDS(TK__SIZE_F, TK__SIZE_A),
	       "tk_hdr has a hole");

/*
 * TK_DEFINE_STRUCT(name, FIELDS, size): struct tk_<name> { struct tk_hdr hdr;
 * FIELDS… }, with every offset and the total size asserted. Offsets in the
 * field list are absolute (the header occupies 0..47).
 */
#define TK_DEFINE_STRUCT(name, FIELDS, size)                                 \
	struct tk_##name {                                                   \
		struct tk_hdr hdr;                                           \
		FIELDS(TK__MEMBER_F, TK__MEMBER_A)                           \
	};                                                                   \
	_Static_assert(sizeof(struct tk_##name) == (size),                   \
		       "size of struct tk_" #name " is not " #size);         \
	_Static_assert(sizeof(struct tk_##name) ==                           \
			       sizeof(struct tk_hdr) FIELDS(TK__SIZE_F, TK__SIZE_A), \
		       "struct tk_" #name " has an implicit hole");        \
	static inline void tk__check_##name(void)                            \
	{                                                                    \
		typedef struct tk_##name tk__cur_t;                          \
		FIELDS(TK__OFFCHK_F, TK__OFFCHK_A)                           \
	}

#endif /* TK_EVENT_H */
