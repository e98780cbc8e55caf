/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tk_net.h — TCP connection events (nettrace).
 *
 * Addresses are 16 bytes; for AF_INET only the first 4 are used. Ports are
 * host byte order. error is a negative errno for failed connects.
 */
#ifndef TK_NET_H
#define TK_NET_H
#include "tk_event.h"

#define TK_NET_FIELDS(F, A)                                       \
	F(u16, family, 40, ENUM, family)                          \
	F(u16, sport, 42, DEC, 0)                                 \
	F(u16, dport, 44, DEC, 0)                                 \
	F(u8, oldstate, 46, ENUM, tcp_state)                      \
	F(u8, newstate, 47, ENUM, tcp_state)                      \
	A(u8, saddr, 16, 48, IPADDR, family)                      \
	A(u8, daddr, 16, 64, IPADDR, family)                      \
	F(s32, error, 80, ERRNO, 0)                               \
	F(u32, ppid, 84, DEC, 0)                                  \
	F(u64, duration_ns, 88, DURATION, 0)                      \
	F(u64, bytes_sent, 96, DEC, 0)                            \
	F(u64, bytes_received, 104, DEC, 0)
TK_DEFINE_STRUCT(net_event, TK_NET_FIELDS, 112)

/* ids 32..47 */
#define TK_NET_EVENTS(E)                                          \
	E(connect, 32, net_event, TK_NET_FIELDS, "connect")                  \
	E(accept, 33, net_event, TK_NET_FIELDS, "accept")                   \
	E(tcp_close, 34, net_event, TK_NET_FIELDS, "close")                \
	E(state, 35, net_event, TK_NET_FIELDS, "state")                    \
	E(retransmit, 36, net_event, TK_NET_FIELDS, "retransmit")

#endif
