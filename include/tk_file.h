/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tk_file.h — file events (filetrace).
 *
 * One struct serves every file operation; the event id names the operation.
 *
 * Why not the seed layout: the design seed (FileEvent: timestamp, pid, uid,
 * inode, dev, size, operation, flags, mode, ret, filename[128]) states 192
 * bytes, but under C layout rules it is 184 (8+4+4+8+8+8+4+4+4+4+128, every
 * field naturally aligned, 184 % 8 == 0). tests/unit/test_layout.c compiles
 * that struct and asserts 184. This layout keeps its fields, adds the common
 * header, both paths and fd/bytes, and is locked below at 656 bytes.
 */
#ifndef TK_FILE_H
#define TK_FILE_H
#include "tk_event.h"

#define TK_PATH_LEN 256

#define TK_FILE_FIELDS(F, A)                                      \
	F(u64, inode, 40, DEC, 0)                                 \
	F(u64, dev, 48, DEV, 0)                                   \
	F(s64, size, 56, DEC, 0)                                  \
	F(s64, ret, 64, ERRNO, 0)                                 \
	F(u64, bytes, 72, DEC, 0)                                 \
	F(u32, flags, 80, FLAGS, open_flags)                      \
	F(u32, mode, 84, OCT, 0)                                  \
	F(s32, fd, 88, DEC, 0)                                    \
	F(u32, __pad0, 92, PAD, 0)                                \
	A(char, filename, TK_PATH_LEN, 96, STR, 0)                \
	A(char, path, TK_PATH_LEN, 352, STR, 0)                   \
	A(char, newpath, 48, 608, STR, 0)
TK_DEFINE_STRUCT(file_event, TK_FILE_FIELDS, 656)

/* ids 16..31 */
#define TK_FILE_EVENTS(E)                                         \
	E(open, 16, file_event, TK_FILE_FIELDS, "open")                   \
	E(read, 17, file_event, TK_FILE_FIELDS, "read")                   \
	E(write, 18, file_event, TK_FILE_FIELDS, "write")                  \
	E(close, 19, file_event, TK_FILE_FIELDS, "close")                  \
	E(unlink, 20, file_event, TK_FILE_FIELDS, "unlink")                 \
	E(rename, 21, file_event, TK_FILE_FIELDS, "rename")                 \
	E(truncate, 22, file_event, TK_FILE_FIELDS, "truncate")               \
	E(mkdir, 23, file_event, TK_FILE_FIELDS, "mkdir")

#endif
