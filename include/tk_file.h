/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tk_file.h — file events (filetrace).
 *
 * Every file event carries the same keys (the JSON consumer can rely on
 * them); fields that do not apply to an operation are 0 / -1 / "":
 *
 *   call       the syscall (openat, pread64, renameat2, rmdir, …)
 *   fd         the descriptor the event is about: the new fd of an open,
 *              the argument of read/write/close/ftruncate; -1 otherwise
 *   ret        the syscall's result: fd, byte count, 0, or -errno
 *   flags      open: the flags passed (openat2: how.flags);
 *              read/write/close/ftruncate: the open file's f_flags
 *   mode       open/creat/mkdir: the mode passed (0 without O_CREAT or
 *              O_TMPFILE); operations on an open file: the inode's i_mode
 *   requested  read/write: bytes asked for; truncate: the new length
 *   bytes      read/write: bytes transferred (0 on error)
 *   inode/dev/size  operations on an open file (and successful opens):
 *              inode number, device (major:minor, the superblock's
 *              s_dev), file size after the call
 *   truncated  a path or filename was longer than its buffer (or deeper
 *              than the walk bound) and was cut
 *   filename   the name as passed to the syscall (opens, unlink, rename,
 *              mkdir, truncate)
 *   path       the absolute path: for an open file, from its dentries and
 *              mounts (the kernel's view, up to the process's root);
 *              otherwise the cwd's or dirfd's path joined with filename
 *
 * filename and path are packed strings (tk_event.h): the fixed part is
 * 120 bytes, and a record is that plus each string's length and NUL, so a
 * typical open costs ~160 bytes. Every file record carries both strings,
 * possibly empty (1 byte: the NUL), so every record has the same keys.
 *
 * rename has its own struct: the same fields plus newpath (packed between
 * filename and path); its flags are renameat2's RENAME_* flags.
 *
 * Why not the seed layout: the design seed (FileEvent: timestamp, pid, uid,
 * inode, dev, size, operation, flags, mode, ret, filename[128]) states 192
 * bytes, but under C layout rules it is 184 (8+4+4+8+8+8+4+4+4+4+128, every
 * field naturally aligned, 184 % 8 == 0). tests/unit/test_layout.c compiles
 * that struct and asserts 184.
 */
#ifndef TK_FILE_H
#define TK_FILE_H
#include "tk_event.h"

#define TK_FILE_NAME_LEN 256  /* filename as passed */
#define TK_FILE_PATH_LEN 4096 /* PATH_MAX */

/* The syscalls behind the events (the `call` field): X(name, number). */
#define TK_FILE_CALLS(X)                                          \
	X(open, 1) X(openat, 2) X(openat2, 3) X(creat, 4)         \
	X(read, 5) X(pread64, 6) X(readv, 7) X(preadv, 8)         \
	X(preadv2, 9) X(write, 10) X(pwrite64, 11) X(writev, 12)  \
	X(pwritev, 13) X(pwritev2, 14) X(close, 15)               \
	X(unlink, 16) X(unlinkat, 17) X(rmdir, 18)                \
	X(rename, 19) X(renameat, 20) X(renameat2, 21)            \
	X(truncate, 22) X(ftruncate, 23) X(mkdir, 24) X(mkdirat, 25)

/* Syscall numbers below this are mapped to calls (filetrace's
 * targ_call_of_nr: one program for every syscall, dispatching on the
 * number); the traced ones are below 450 on every architecture. */
#define TK_FILE_NR_MAX 512

enum tk_file_call {
#define TK__FC(name, n) TK_FC_##name = n,
	TK_FILE_CALLS(TK__FC)
#undef TK__FC
};

/* The fields every file event starts with (48..113). */
#define TK_FILE_HEAD(F, A, flag_table)                            \
	F(u16, call, 48, ENUM, file_call)                         \
	F(u8, truncated, 50, BOOL, 0)                             \
	F(u8, __pad0, 51, PAD, 0)                                 \
	F(s32, fd, 52, DEC, 0)                                    \
	F(s64, ret, 56, ERRNO, 0)                                 \
	F(u32, flags, 64, FLAGS, flag_table)                      \
	F(u32, mode, 68, OCT, 0)                                  \
	F(u64, requested, 72, DEC, 0)                             \
	F(u64, bytes, 80, DEC, 0)                                 \
	F(u64, inode, 88, DEC, 0)                                 \
	F(u64, dev, 96, DEV, 0)                                   \
	F(s64, size, 104, DEC, 0)                                 \
	F(u16, filename_len, 112, VSTR, filename)

#define TK_FILE_FIELDS(F, A)                                      \
	TK_FILE_HEAD(F, A, open_flags)                            \
	F(u16, path_len, 114, VSTR, path)                         \
	F(u32, __pad1, 116, PAD, 0)
TK_DEFINE_STRUCT(file_event, TK_FILE_FIELDS, 120)

/* rename: path is the old name's, newpath the new name's absolute path. */
#define TK_RENAME_FIELDS(F, A)                                    \
	TK_FILE_HEAD(F, A, rename_flags)                          \
	F(u16, newpath_len, 114, VSTR, newpath)                   \
	F(u16, path_len, 116, VSTR, path)                         \
	F(u16, __pad1, 118, PAD, 0)
TK_DEFINE_STRUCT(rename_event, TK_RENAME_FIELDS, 120)

/* The largest records: the fixed part and every string at full length. */
#define TK_FILE_MAX (120 + TK_FILE_NAME_LEN + TK_FILE_PATH_LEN)
#define TK_RENAME_MAX (TK_FILE_MAX + TK_FILE_PATH_LEN)

#define TK_FILE_DOMAIN 2
#define TK_FILE_EVENTS(E)                                                           \
	E(open, TK_ID(TK_FILE_DOMAIN, 1), file_event, TK_FILE_FIELDS, "open")       \
	E(read, TK_ID(TK_FILE_DOMAIN, 2), file_event, TK_FILE_FIELDS, "read")       \
	E(write, TK_ID(TK_FILE_DOMAIN, 3), file_event, TK_FILE_FIELDS, "write")     \
	E(close, TK_ID(TK_FILE_DOMAIN, 4), file_event, TK_FILE_FIELDS, "close")     \
	E(unlink, TK_ID(TK_FILE_DOMAIN, 5), file_event, TK_FILE_FIELDS, "unlink")   \
	E(rename, TK_ID(TK_FILE_DOMAIN, 6), rename_event, TK_RENAME_FIELDS, "rename") \
	E(truncate, TK_ID(TK_FILE_DOMAIN, 7), file_event, TK_FILE_FIELDS, "truncate") \
	E(mkdir, TK_ID(TK_FILE_DOMAIN, 8), file_event, TK_FILE_FIELDS, "mkdir")

#ifdef TK_WANT_SYMS /* display tables: user/tk_events.c only (tk_event.h) */
#include <fcntl.h>
/*
 * The kernel sets O_LARGEFILE in every 64-bit file's f_flags, but 64-bit
 * glibc defines O_LARGEFILE as 0: name the kernel's bit (per arch).
 */
#if defined(__aarch64__) || defined(__arm__)
#define TK_K_O_LARGEFILE 0400000
#elif defined(__powerpc__) || defined(__mips__)
#define TK_K_O_LARGEFILE (O_LARGEFILE ? O_LARGEFILE : 0200000)
#else /* asm-generic, x86, riscv, s390 */
#define TK_K_O_LARGEFILE 0100000
#endif
/*
 * The access mode is a value in the low two bits, not flags: O_RDONLY (0)
 * is named when they are 0. Multi-bit flags come before the flags they
 * contain (O_SYNC ⊃ O_DSYNC, O_TMPFILE ⊃ O_DIRECTORY).
 */
TK_SYMS(open_flags) = {
	TK_BITS(O_RDONLY, O_ACCMODE, "O_RDONLY"), TK_FLAG_OF(O_WRONLY), TK_FLAG_OF(O_RDWR),
	TK_FLAG_OF(O_CREAT), TK_FLAG_OF(O_EXCL), TK_FLAG_OF(O_NOCTTY), TK_FLAG_OF(O_TRUNC),
	TK_FLAG_OF(O_APPEND), TK_FLAG_OF(O_NONBLOCK), TK_FLAG_OF(O_SYNC), TK_FLAG_OF(O_DSYNC),
	TK_FLAG_OF(O_DIRECT), TK_FLAG(TK_K_O_LARGEFILE, "O_LARGEFILE"), TK_FLAG_OF(O_TMPFILE),
	TK_FLAG_OF(O_DIRECTORY), TK_FLAG_OF(O_NOFOLLOW), TK_FLAG_OF(O_NOATIME),
	TK_FLAG_OF(O_CLOEXEC), TK_FLAG_OF(O_PATH), TK_SYMS_END,
};
/* renameat2(2) flags (<linux/fs.h> values; glibc's <stdio.h> has them
 * only with _GNU_SOURCE and newer versions) */
TK_SYMS(rename_flags) = {
	TK_FLAG(1, "RENAME_NOREPLACE"), TK_FLAG(2, "RENAME_EXCHANGE"),
	TK_FLAG(4, "RENAME_WHITEOUT"), TK_SYMS_END,
};
TK_SYMS(file_call) = {
#define TK__FC_SYM(name, n) TK_VAL(n, #name),
	TK_FILE_CALLS(TK__FC_SYM)
#undef TK__FC_SYM
	TK_SYMS_END,
};
#endif

/*
 * -s/--summary: per-interval counters, aggregated in the kernel in a hash
 * map keyed by (dev, inode, generation, pid) — or, with --per-cgroup, by
 * (dev, inode, generation, cgroup id), pid 0 — and read+cleared by
 * userspace each tick. The generation tells a reused inode number from the
 * file that had it before (unlink, then create).
 */
#define TK_FILE_TOP_PATH_LEN 256
struct tk_file_top_key {
	tk_u64 dev;
	tk_u64 inode;
	tk_u64 cgroup_id; /* --per-cgroup, else 0 */
	tk_u32 pid;       /* 0 with --per-cgroup */
	tk_u32 generation;
};
struct tk_file_top_val {
	tk_u64 opens;
	tk_u64 reads;
	tk_u64 writes;
	tk_u64 rbytes;
	tk_u64 wbytes;
	tk_u32 i_mode;
	tk_u32 __pad0;
	tk_char comm[TK_COMM_LEN];
	tk_char path[TK_FILE_TOP_PATH_LEN];
};
_Static_assert(sizeof(struct tk_file_top_key) == 32, "tk_file_top_key size");
_Static_assert(sizeof(struct tk_file_top_val) == 320, "tk_file_top_val size");

#endif
