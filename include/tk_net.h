/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tk_net.h — TCP connection events (nettrace).
 *
 * Every event starts with the same connection tuple (offsets 48..85):
 * family, saddr, sport, daddr, dport, in that order so text output reads
 * "saddr=… sport=… daddr=… dport=…". s = this socket's side (local),
 * d = the peer. Ports are host byte order. Addresses are 16 bytes; AF_INET
 * uses the first 4. A v4-mapped IPv6 connection (::ffff:a.b.c.d on an
 * AF_INET6 socket) is reported as AF_INET, so -4 and the output agree.
 *
 * hdr.pid/tid/uid/comm are the socket's owner — the task that called
 * connect() or accept() — not whatever task the kernel happened to run
 * (state changes often happen in softirq). pid 0 means the owner is unknown
 * (a connection that predates the tracer and was never touched by its
 * owner since); uid is then the socket's uid.
 *
 * duration_ns is always the length of the phase the event ends:
 *   connect  SYN sent → established or failed (handshake time)
 *   accept   established → returned by accept() (time in the listen queue)
 *   close    established → closed (the connection's life)
 *   state    time spent in oldstate
 * 0 when the start of the phase was not seen.
 */
#ifndef TK_NET_H
#define TK_NET_H
#include "tk_event.h"

#define TK_NET_TUPLE_FIELDS(F, A)                                 \
	F(u16, family, 48, ENUM, family)                          \
	A(u8, saddr, 16, 50, IPADDR, family)                      \
	F(u16, sport, 66, DEC, 0)                                 \
	A(u8, daddr, 16, 68, IPADDR, family)                      \
	F(u16, dport, 84, DEC, 0)

/*
 * connect: an active open. error is 0 when established, else the negative
 * errno the connection failed with (-ECONNREFUSED, -ETIMEDOUT, …), or
 * -ECONNABORTED when its owner closed it before the handshake finished.
 */
#define TK_NET_CONNECT_FIELDS(F, A)                               \
	TK_NET_TUPLE_FIELDS(F, A)                                 \
	F(u16, __pad0, 86, PAD, 0)                                \
	F(s32, error, 88, ERRNO, 0)                               \
	F(u32, __pad1, 92, PAD, 0)                                \
	F(u64, duration_ns, 96, DURATION, 0)
TK_DEFINE_STRUCT(net_connect_event, TK_NET_CONNECT_FIELDS, 104)

/* accept: a passive open, reported when accept()/accept4() returns it. */
#define TK_NET_ACCEPT_FIELDS(F, A)                                \
	TK_NET_TUPLE_FIELDS(F, A)                                 \
	F(u16, __pad0, 86, PAD, 0)                                \
	F(u64, duration_ns, 88, DURATION, 0)
TK_DEFINE_STRUCT(net_accept_event, TK_NET_ACCEPT_FIELDS, 96)

/*
 * close: the end of an established connection. bytes_sent counts payload
 * bytes the peer acknowledged, bytes_received payload bytes received
 * (the kernel's bytes_acked/bytes_received without the SYN and FIN
 * sequence numbers). closed_by: who ended it first (local: this side sent
 * the first FIN or aborted; remote: the peer's FIN or RST came first).
 * error: 0 for an orderly close, else -ECONNRESET, -ETIMEDOUT, …
 * retransmits: segments retransmitted over the connection's life.
 * srtt_us: the last smoothed round-trip time.
 */
#define TK_NET_CLOSE_FIELDS(F, A)                                 \
	TK_NET_TUPLE_FIELDS(F, A)                                 \
	F(u8, closed_by, 86, ENUM, net_closer)                    \
	F(u8, __pad0, 87, PAD, 0)                                 \
	F(s32, error, 88, ERRNO, 0)                               \
	F(u32, retransmits, 92, DEC, 0)                           \
	F(u64, duration_ns, 96, DURATION, 0)                      \
	F(u64, bytes_sent, 104, DEC, 0)                           \
	F(u64, bytes_received, 112, DEC, 0)                       \
	F(u32, srtt_us, 120, DEC, 0)                              \
	F(u32, __pad1, 124, PAD, 0)
TK_DEFINE_STRUCT(net_close_event, TK_NET_CLOSE_FIELDS, 128)

/* state: one TCP state transition (opt-in). */
#define TK_NET_STATE_FIELDS(F, A)                                 \
	TK_NET_TUPLE_FIELDS(F, A)                                 \
	F(u8, oldstate, 86, ENUM, tcp_state)                      \
	F(u8, newstate, 87, ENUM, tcp_state)                      \
	F(u64, duration_ns, 88, DURATION, 0)
TK_DEFINE_STRUCT(net_state_event, TK_NET_STATE_FIELDS, 96)

/*
 * retransmit: a retransmitted segment (opt-in), SYN-ACKs of half-open
 * connections included (state NEW_SYN_RECV). retransmits: the
 * connection's retransmissions so far, this one included.
 */
#define TK_NET_RETRANSMIT_FIELDS(F, A)                            \
	TK_NET_TUPLE_FIELDS(F, A)                                 \
	F(u8, state, 86, ENUM, tcp_state)                         \
	F(u8, __pad0, 87, PAD, 0)                                 \
	F(u32, retransmits, 88, DEC, 0)                           \
	F(u32, __pad1, 92, PAD, 0)
TK_DEFINE_STRUCT(net_retransmit_event, TK_NET_RETRANSMIT_FIELDS, 96)

/* closed_by values (symbol table net_closer below). */
enum tk_net_closer {
	TK_NET_CLOSED_UNKNOWN = 0,
	TK_NET_CLOSED_LOCAL = 1,
	TK_NET_CLOSED_REMOTE = 2,
};

/* Port filter: bits per port in nettrace's targ_ports[65536] rodata. */
#define TK_NET_PORT_ANY 1    /* --port: local or remote */
#define TK_NET_PORT_LOCAL 2  /* --lport */
#define TK_NET_PORT_REMOTE 4 /* --rport */

#define TK_NET_DOMAIN 3
#define TK_NET_EVENTS(E)                                                                  \
	E(connect, TK_ID(TK_NET_DOMAIN, 1), net_connect_event, TK_NET_CONNECT_FIELDS, "connect") \
	E(accept, TK_ID(TK_NET_DOMAIN, 2), net_accept_event, TK_NET_ACCEPT_FIELDS, "accept")   \
	E(tcp_close, TK_ID(TK_NET_DOMAIN, 3), net_close_event, TK_NET_CLOSE_FIELDS, "close")   \
	E(state, TK_ID(TK_NET_DOMAIN, 4), net_state_event, TK_NET_STATE_FIELDS, "state")       \
	E(retransmit, TK_ID(TK_NET_DOMAIN, 5), net_retransmit_event, TK_NET_RETRANSMIT_FIELDS, \
	  "retransmit")

#ifdef TK_WANT_SYMS /* display tables: user/tk_events.c only (tk_event.h) */
#include <sys/socket.h>
TK_SYMS(family) = { TK_VAL_OF(AF_UNSPEC), TK_VAL_OF(AF_UNIX), TK_VAL_OF(AF_INET),
		    TK_VAL_OF(AF_INET6), TK_SYMS_END };
TK_SYMS(tcp_state) = {
	TK_VAL(1, "ESTABLISHED"), TK_VAL(2, "SYN_SENT"), TK_VAL(3, "SYN_RECV"),
	TK_VAL(4, "FIN_WAIT1"), TK_VAL(5, "FIN_WAIT2"), TK_VAL(6, "TIME_WAIT"),
	TK_VAL(7, "CLOSE"), TK_VAL(8, "CLOSE_WAIT"), TK_VAL(9, "LAST_ACK"),
	TK_VAL(10, "LISTEN"), TK_VAL(11, "CLOSING"), TK_VAL(12, "NEW_SYN_RECV"),
	TK_SYMS_END,
};
TK_SYMS(net_closer) = {
	TK_VAL(TK_NET_CLOSED_UNKNOWN, "unknown"), TK_VAL(TK_NET_CLOSED_LOCAL, "local"),
	TK_VAL(TK_NET_CLOSED_REMOTE, "remote"), TK_SYMS_END,
};
#endif

#endif
