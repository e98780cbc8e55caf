/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * nettrace: TCP connection lifecycle from tracepoints only (no kprobes).
 *
 * Everything hangs off sock:inet_sock_set_state, which fires for every TCP
 * state change of every socket:
 *
 *   CLOSE -> SYN_SENT       connect(), in the caller's context: owner known
 *   SYN_SENT -> ESTABLISHED connect event (usually in softirq)
 *   SYN_SENT -> CLOSE       failed connect; sk_err already holds the cause
 *   LISTEN -> SYN_RECV      a passive child is born (softirq)
 *   SYN_RECV -> ESTABLISHED it joins the listen queue (softirq)
 *   * -> CLOSE              close event, with the tcp_sock's counters
 *
 * Because most of these run in softirq on behalf of whatever task was
 * interrupted, the owner of each socket is remembered in net_socks (keyed
 * by the struct sock pointer) when it is known for sure: at SYN_SENT, at
 * accept() return (sys_exit_accept/accept4: the returned fd is resolved to
 * its sock), and, for sockets that predate us, at the transitions only the
 * owner's own close()/shutdown() makes.
 */
#include "tk.bpf.h"
#include <bpf/bpf_endian.h>

#define AF_INET 2
#define AF_INET6 10
/* errno values (uapi asm-generic/errno*.h; vmlinux.h has no macros) */
#define EPIPE 32
#define ECONNABORTED 103
#define ECONNRESET 104

const volatile __u8 targ_families = 0;  /* bit 0 IPv4, bit 1 IPv6; 0 = both */
const volatile __u8 targ_port_need = 0; /* TK_NET_PORT_* options given */
/* TK_NET_PORT_* bits per port: set by userspace before load */
const volatile __u8 targ_ports[65536] = {};

struct net_owner {
	__u32 pid, tid, uid;
	__u16 in_tree;   /* command mode: pid was traced when it took the socket */
	__u16 in_cgroup; /* --cgroup: it was in a selected cgroup then */
	char comm[TK_COMM_LEN];
	__u64 cgroup_id; /* its cgroup then: softirq runs in whatever task */
};

#define NS_ACTIVE 1   /* we saw (or inferred) its connect() */
#define NS_PASSIVE 2  /* a listener's child */
#define NS_UNWANTED 4 /* -4/-6/--port left its tuple out at the last change */

struct net_sock {
	struct net_owner own; /* pid 0: not known (yet) */
	__u64 syn_ns;         /* SYN_SENT */
	__u64 est_ns;         /* ESTABLISHED */
	__u64 state_ns;       /* last transition */
	__u32 flags;
	__u32 state;          /* newstate of the last change seen; 0: not known */
	/* the connection, once its local port is chosen (0 before): an entry
	 * whose socket died unseen is told from the socket born unseen at
	 * its address (net_sock_stale()) */
	__u16 sport, dport;
	__u32 addrs;          /* net_addr_fold() */
};

/*
 * Live sockets we know something about. Entries go at CLOSE; LRU so that
 * a socket freed without reaching CLOSE through us (a child dropped while
 * we raced its accept) can never fill the map.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64); /* struct sock * */
	__type(value, struct net_sock);
} net_socks SEC(".maps");

/*
 * The sockets that existed when tracing began (net_snapshot), by address:
 * a socket seen with no entry is one of these, or one born while we
 * traced whose first changes went unseen. Filled right after attach, in
 * every network namespace; net_old_complete is set once it holds them
 * all. A key leaves when its socket's CLOSE or a new socket's birth at
 * its address is seen.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64); /* struct sock * */
	__type(value, __u8);
} net_old SEC(".maps");

/* userspace sets it after the snapshot, unless net_old_full */
volatile __u32 net_old_complete;
__u32 net_old_full; /* a socket did not fit in net_old */

/*
 * Listeners and who listens: until accept() names the real owner, a
 * passive child is attributed to its listener's process. A port is not a
 * listener: the same port listens in other network namespaces, and with
 * SO_REUSEPORT several sockets (often of several processes) listen on one
 * port together, the kernel choosing one per connection by a hash we
 * cannot see. So listeners are kept by socket, and a port (in its netns)
 * counts its listeners: a child is attributed only when its port has
 * exactly one, otherwise its owner stays unknown (pid 0) until accept().
 */
struct net_listener {
	struct net_owner own;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64); /* struct sock * of the listener */
	__type(value, struct net_listener);
} net_listeners SEC(".maps");

struct net_port_key {
	__u32 netns; /* inode number of the network namespace */
	__u16 port;
	__u16 __pad;
};

struct net_port {
	__u64 sk;    /* the first listener; the only one when count is 1 */
	__u32 count; /* listeners on this port in this netns */
	__u32 __pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct net_port_key);
	__type(value, struct net_port);
} net_ports SEC(".maps");

struct net_tuple {
	__u32 saddr[4], daddr[4]; /* words: the v4-mapped test reads them */
	__u16 family, sport, dport, __pad;
};

/* ---- reading sockets --------------------------------------------------- */

/*
 * Two ways to read a field. The sockets tp_btf programs receive are
 * pointers the verifier knows (BTF): a plain load, no helper call, and
 * these run ~10 times per connection. The socket accept() returned is
 * found by walking the fd table with bpf_probe_read: it can only be read
 * the same way (BPF_CORE_READ).
 */
#define NET_LOAD(p, f) ((p)->f)
#define NET_PROBE(p, f) BPF_CORE_READ(p, f)

/*
 * The tuple of a socket or a request sock; both start with sock_common.
 * The local port is skc_num, or inet_sport when in (the full socket's
 * inet_sock) is given: tcp_set_state() releases the port (skc_num = 0)
 * before the CLOSE tracepoint fires (net_state_change() says when it
 * passes one).
 */
#define NET_DEFINE_TUPLE_READER(name, RD)                                           \
	static __always_inline bool name(const struct sock_common *c,                \
					 const struct inet_sock *in, struct net_tuple *t) \
	{                                                                             \
		__u16 family = RD(c, skc_family);                                     \
                                                                                      \
		__builtin_memset(t, 0, sizeof(*t));                                   \
		t->sport = in ? bpf_ntohs(RD(in, inet_sport)) : RD(c, skc_num);       \
		t->dport = bpf_ntohs(RD(c, skc_dport));                               \
		if (family == AF_INET) {                                              \
			t->saddr[0] = RD(c, skc_rcv_saddr);                           \
			t->daddr[0] = RD(c, skc_daddr);                               \
		} else if (family == AF_INET6) {                                      \
			t->saddr[0] = RD(c, skc_v6_rcv_saddr.in6_u.u6_addr32[0]);     \
			t->saddr[1] = RD(c, skc_v6_rcv_saddr.in6_u.u6_addr32[1]);     \
			t->saddr[2] = RD(c, skc_v6_rcv_saddr.in6_u.u6_addr32[2]);     \
			t->saddr[3] = RD(c, skc_v6_rcv_saddr.in6_u.u6_addr32[3]);     \
			t->daddr[0] = RD(c, skc_v6_daddr.in6_u.u6_addr32[0]);         \
			t->daddr[1] = RD(c, skc_v6_daddr.in6_u.u6_addr32[1]);         \
			t->daddr[2] = RD(c, skc_v6_daddr.in6_u.u6_addr32[2]);         \
			t->daddr[3] = RD(c, skc_v6_daddr.in6_u.u6_addr32[3]);         \
			family = net_unmap_v4(t);                                     \
		} else {                                                              \
			return false;                                                 \
		}                                                                     \
		t->family = family;                                                   \
		return true;                                                          \
	}

/* ::ffff:a.b.c.d on both ends is an IPv4 connection: report it as one. */
static __always_inline __u16 net_unmap_v4(struct net_tuple *t)
{
	__u32 *s = t->saddr, *d = t->daddr;

	if (s[0] || s[1] || s[2] != bpf_htonl(0xffff) || d[0] || d[1] ||
	    d[2] != bpf_htonl(0xffff))
		return AF_INET6;
	s[0] = s[3];
	d[0] = d[3];
	s[1] = s[2] = s[3] = 0;
	d[1] = d[2] = d[3] = 0;
	return AF_INET;
}

NET_DEFINE_TUPLE_READER(net_tuple_load, NET_LOAD)
NET_DEFINE_TUPLE_READER(net_tuple_probe, NET_PROBE)

/* A tp_btf socket's inet_sock (NULL if it is not a full TCP socket). */
static __always_inline const struct inet_sock *net_inet(const struct sock *sk)
{
	struct tcp_sock *tp = bpf_skc_to_tcp_sock((void *)sk);

	return tp ? &tp->inet_conn.icsk_inet : NULL;
}

/* -4/-6 and the port options, all in the kernel. */
static __always_inline bool net_want_tuple(const struct net_tuple *t)
{
	__u8 l, r;

	if (targ_families && !(targ_families & (t->family == AF_INET ? 1 : 2)))
		return false;
	if (!targ_port_need)
		return true;
	l = targ_ports[t->sport];
	r = targ_ports[t->dport];
	if ((targ_port_need & TK_NET_PORT_ANY) && !((l | r) & TK_NET_PORT_ANY))
		return false;
	if ((targ_port_need & TK_NET_PORT_LOCAL) && !(l & TK_NET_PORT_LOCAL))
		return false;
	if ((targ_port_need & TK_NET_PORT_REMOTE) && !(r & TK_NET_PORT_REMOTE))
		return false;
	return true;
}

/* The current task as owner: pid, tid and uid as plain loads from its
 * task_struct (the helpers' values, as tk_fill_hdr_task()); comm by the
 * helper (copied from the BTF pointer, clang 14 spills past 512 bytes of
 * stack in the accept programs).
 * A global function, checked once per program instead of once on every
 * path to each of its five call sites: its loads through the trusted task
 * pointer each cost the verifier a few scans of the kernel's whole BTF
 * (see net_state_change()), which made it the larger part of the state
 * programs' load time. */
__noinline int net_owner_current(struct net_owner *o)
{
	struct task_struct *t = bpf_get_current_task_btf();

	if (!o)
		return 0;
	o->pid = t->tgid;
	o->tid = t->pid;
	o->uid = t->cred->uid.val;
	o->in_tree = tk_in_tree(o->pid);
	o->in_cgroup = tk_want_current_cgroup();
	bpf_get_current_comm(o->comm, sizeof(o->comm));
	o->cgroup_id = tk_task_cgroup_id(t);
	return 0;
}

/*
 * Nobody known: pid 0, the socket's own uid. (Read with a helper call on
 * purpose: as a plain load, clang merges it with the load from the map
 * value in net_owner_of(), and the verifier refuses one instruction that
 * reads two kinds of pointer.)
 */
static __always_inline void net_owner_unknown(const struct sock *sk, struct net_owner *o)
{
	__builtin_memset(o, 0, sizeof(*o));
	o->uid = BPF_CORE_READ(sk, sk_uid.val);
}

static __always_inline void net_owner_of(const struct sock *sk, const struct net_sock *s,
					 struct net_owner *o)
{
	if (s && s->own.pid)
		__builtin_memcpy(o, &s->own, sizeof(*o));
	else
		net_owner_unknown(sk, o);
}

/* Starts a fresh entry: a socket's birth, or a reused sock address. */
static __always_inline struct net_sock *net_sock_new(__u64 key, const struct net_owner *o,
						     __u32 flags, __u64 now)
{
	struct net_sock fresh = { .flags = flags, .state_ns = now };

	__builtin_memcpy(&fresh.own, o, sizeof(*o));
	bpf_map_update_elem(&net_socks, &key, &fresh, BPF_ANY);
	return bpf_map_lookup_elem(&net_socks, &key);
}

/* ---- emitting ------------------------------------------------------------ */

static __always_inline void net_fill_hdr(struct tk_hdr *h, __u32 event,
					 const struct net_owner *o, __u64 now)
{
	h->ts_ns = now;
	h->event = event;
	h->pid = o->pid;
	h->tid = o->tid;
	h->uid = o->uid;
	__builtin_memcpy(h->comm, o->comm, sizeof(h->comm));
	h->cgroup_id = o->cgroup_id;
}

#define NET_PUT_TUPLE(e, t)                                          \
	do {                                                         \
		(e)->family = (t)->family;                           \
		__builtin_memcpy((e)->saddr, (t)->saddr, 16);        \
		(e)->sport = (t)->sport;                             \
		__builtin_memcpy((e)->daddr, (t)->daddr, 16);        \
		(e)->dport = (t)->dport;                             \
	} while (0)

/*
 * The filters after the event's own -e check: tuple, then owner. In
 * command mode an owner counts if it was traced when it took the socket,
 * with --cgroup if it was in a selected cgroup then: its close may well
 * come after it exited or moved. An unknown owner (pid 0) is in none.
 */
static __always_inline bool net_want_owner(const struct net_owner *o)
{
	return tk_want_task(o->pid, o->uid, o->comm) && (!tk_follow || o->in_tree) &&
	       (!tk_ncgroups || o->in_cgroup);
}

static __always_inline bool net_wanted(const struct net_tuple *t, const struct net_owner *o)
{
	return net_want_tuple(t) && net_want_owner(o);
}

static __always_inline __u64 since(__u64 start, __u64 now)
{
	return start && start <= now ? now - start : 0;
}

/* What every net event starts with: the header and the tuple. */
struct net_head {
	struct tk_hdr hdr;
	__u16 family;
	__u8 saddr[16];
	__u16 sport;
	__u8 daddr[16];
	__u16 dport;
};
#define NET_HEAD_CHECK(ident, id, st, FIELDS, label)                                \
	_Static_assert(__builtin_offsetof(struct tk_##st, family) ==                \
			       __builtin_offsetof(struct net_head, family) &&       \
		       __builtin_offsetof(struct tk_##st, saddr) ==                 \
			       __builtin_offsetof(struct net_head, saddr) &&        \
		       __builtin_offsetof(struct tk_##st, sport) ==                 \
			       __builtin_offsetof(struct net_head, sport) &&        \
		       __builtin_offsetof(struct tk_##st, daddr) ==                 \
			       __builtin_offsetof(struct net_head, daddr) &&        \
		       __builtin_offsetof(struct tk_##st, dport) ==                 \
			       __builtin_offsetof(struct net_head, dport),          \
		       "struct tk_" #st " does not start with the net tuple");
TK_NET_EVENTS(NET_HEAD_CHECK)

/*
 * Filters, then reserves a record of `size` bytes (a constant) and fills
 * its header and tuple. NULL: filtered out, or no room (counted as lost).
 */
static __always_inline void *net_begin(__u32 event, __u32 size, const struct net_tuple *t,
				       const struct net_owner *o, __u64 now)
{
	struct net_head *h;

	if (!net_wanted(t, o))
		return NULL;
	h = tk_reserve(size);
	if (!h)
		return NULL;
	net_fill_hdr(&h->hdr, event, o, now);
	NET_PUT_TUPLE(h, t);
	return h;
}

/* t: the socket's tuple, NULL when it has none (then no record) */
static __always_inline void emit_connect(void *ctx, const struct sock *sk,
					 const struct net_sock *s, const struct net_tuple *t,
					 int error, __u64 now)
{
	struct tk_net_connect_event *e;
	struct net_owner o;

	if (!tk_event_enabled(TK_EV_connect) || !t)
		return;
	net_owner_of(sk, s, &o);
	e = net_begin(TK_EV_connect, sizeof(*e), t, &o, now);
	if (!e)
		return;
	e->__pad0 = 0;
	e->error = error;
	e->__pad1 = 0;
	e->duration_ns = s ? since(s->syn_ns, now) : 0;
	tk_submit(ctx, e, sizeof(*e));
}

/*
 * bytes_acked counts acknowledged sequence space, so an active open's SYN
 * and an acknowledged FIN each add one; bytes_received counts the peer's
 * FIN. Take them out so the numbers are the application's bytes.
 */
static __always_inline void net_bytes(const struct sock *sk, const struct tcp_sock *tp,
				      const struct net_sock *s, int oldstate, __u64 *sent,
				      __u64 *received)
{
	__u64 acked = tp->bytes_acked, rcvd = tp->bytes_received;
	bool fin_sent = oldstate == TCP_FIN_WAIT1 || oldstate == TCP_FIN_WAIT2 ||
			oldstate == TCP_CLOSING || oldstate == TCP_LAST_ACK;

	if (s && (s->flags & NS_ACTIVE) && acked)
		acked--;
	/* everything, FIN included, acknowledged */
	if (fin_sent && acked && tp->snd_una == tp->write_seq)
		acked--;
	/* SOCK_DONE: tcp_fin() saw the peer's FIN in sequence */
	if ((sk->__sk_common.skc_flags & (1UL << SOCK_DONE)) && rcvd)
		rcvd--;
	*sent = acked;
	*received = rcvd;
}

/* Who ended it, from the state it leaves for CLOSE (no history needed). */
static __always_inline __u8 net_closer(int oldstate, int err)
{
	switch (oldstate) {
	case TCP_FIN_WAIT1:
	case TCP_FIN_WAIT2:
	case TCP_CLOSING:
		return TK_NET_CLOSED_LOCAL;  /* our FIN went first */
	case TCP_CLOSE_WAIT:
	case TCP_LAST_ACK:
		return TK_NET_CLOSED_REMOTE; /* theirs did */
	case TCP_ESTABLISHED:
		/* straight to CLOSE: a reset from the peer, or our abort
		 * (close() with unread data, SO_LINGER 0, a timeout) */
		return err == ECONNRESET || err == EPIPE ? TK_NET_CLOSED_REMOTE
							 : TK_NET_CLOSED_LOCAL;
	default:
		return TK_NET_CLOSED_UNKNOWN;
	}
}

/* tp: sk as a tcp_sock (bpf_skc_to_tcp_sock(); NULL: not one, no record) */
static __always_inline void emit_close(void *ctx, const struct sock *sk,
				       const struct tcp_sock *tp, const struct net_sock *s,
				       const struct net_tuple *t, int oldstate, __u64 now)
{
	struct tk_net_close_event *e;
	struct net_owner o;
	int err;

	if (!tk_event_enabled(TK_EV_tcp_close) || !tp || !t)
		return;
	net_owner_of(sk, s, &o);
	e = net_begin(TK_EV_tcp_close, sizeof(*e), t, &o, now);
	if (!e)
		return;
	err = sk->sk_err;
	e->closed_by = net_closer(oldstate, err);
	e->__pad0 = 0;
	e->error = -err;
	e->retransmits = tp->total_retrans;
	e->duration_ns = s ? since(s->est_ns, now) : 0;
	net_bytes(sk, tp, s, oldstate, &e->bytes_sent, &e->bytes_received);
	e->srtt_us = tp->srtt_us >> 3; /* stored << 3 */
	e->__pad1 = 0;
	tk_submit(ctx, e, sizeof(*e));
}

static __always_inline void emit_state(void *ctx, const struct sock *sk,
				       const struct net_sock *s, const struct net_tuple *t,
				       int oldstate, int newstate, __u64 now)
{
	struct tk_net_state_event *e;
	struct net_owner o;

	if (!t)
		return;
	net_owner_of(sk, s, &o);
	e = net_begin(TK_EV_state, sizeof(*e), t, &o, now);
	if (!e)
		return;
	e->oldstate = oldstate;
	e->newstate = newstate;
	e->duration_ns = s ? since(s->state_ns, now) : 0;
	tk_submit(ctx, e, sizeof(*e));
}

/* ---- the state machine --------------------------------------------------- */

/* bind() sets inet_sport; skc_num is gone by the time a listener closes. */
static __always_inline __u16 net_local_port(const struct sock *sk)
{
	const struct inet_sock *in = net_inet(sk);

	return in ? bpf_ntohs(in->inet_sport) : 0;
}

static __always_inline struct net_port_key net_port_key(const struct sock *sk)
{
	struct net_port_key k = { .port = net_local_port(sk) };

	k.netns = sk->__sk_common.skc_net.net->ns.inum;
	return k;
}

/* listen(): in the owner's context. */
static __always_inline void net_listen_add(const struct sock *sk, const struct net_owner *o)
{
	struct net_port_key k = net_port_key(sk);
	struct net_port fresh = { .sk = (__u64)sk, .count = 1 }, *p;
	struct net_listener nl;
	__u64 key = (__u64)sk;

	__builtin_memcpy(&nl.own, o, sizeof(nl.own));
	if (bpf_map_update_elem(&net_listeners, &key, &nl, BPF_ANY))
		return;
	/* two CPUs may add the port's first listeners at once: one creates
	 * the entry, the other counts itself in it */
	if (!bpf_map_update_elem(&net_ports, &k, &fresh, BPF_NOEXIST))
		return;
	p = bpf_map_lookup_elem(&net_ports, &k);
	if (p)
		__sync_fetch_and_add(&p->count, 1);
}

/* A listener's LISTEN -> CLOSE. */
static __always_inline void net_listen_remove(const struct sock *sk)
{
	struct net_port_key k = net_port_key(sk);
	__u64 key = (__u64)sk;
	struct net_port *p;

	if (bpf_map_delete_elem(&net_listeners, &key))
		return; /* listening since before we started */
	p = bpf_map_lookup_elem(&net_ports, &k);
	if (!p)
		return;
	/* (no fetching atomics: they need -mcpu=v3.) A listener that
	 * comes as the last goes may lose its port entry: its children are
	 * then unknown (pid 0) until accept(), never someone else's. */
	__sync_fetch_and_add(&p->count, -1);
	if (!p->count)
		bpf_map_delete_elem(&net_ports, &k);
}

/* The owner of a passive child's listener: sk is the child (or, for a
 * SYN-ACK retransmit, the listener itself: then listener = sk). */
static __always_inline void net_listener_owner(const struct sock *sk, __u64 listener,
					       struct net_owner *o)
{
	struct net_port_key k = net_port_key(sk);
	struct net_listener *l;
	struct net_port *p;

	if (!listener) {
		p = bpf_map_lookup_elem(&net_ports, &k);
		if (p && p->count == 1)
			listener = p->sk;
	}
	l = listener ? bpf_map_lookup_elem(&net_listeners, &listener) : NULL;
	if (l)
		__builtin_memcpy(o, &l->own, sizeof(*o));
	else
		net_owner_unknown(sk, o);
}

/*
 * Per-state facts as bits of one constant, indexed by the state, rather
 * than switches: each case of a switch is a path the verifier walks on
 * with a different constant, and net_count_gap() met two of them, so the
 * state programs' checking grew with the product of their cases; a shift
 * by an unknown amount is one path. With every event selected (-e all)
 * each state program went from 86k to 44k processed instructions (the
 * verifier's statistics, this object's default rodata) and from ~0.29 to
 * ~0.21 s of start-up (strace -T of its load); with the default events,
 * which leave the state record out, from 38k to 37k.
 */
#define NET_BIT(s) (1ULL << (s))
#define NET_ESTABLISHED_SET                                                                    \
	(NET_BIT(TCP_ESTABLISHED) | NET_BIT(TCP_FIN_WAIT1) | NET_BIT(TCP_FIN_WAIT2) |          \
	 NET_BIT(TCP_CLOSE_WAIT) | NET_BIT(TCP_LAST_ACK) | NET_BIT(TCP_CLOSING))

static __always_inline bool net_was_established(int oldstate)
{
	return (__u32)oldstate < 64 && (NET_ESTABLISHED_SET >> oldstate & 1);
}

/* Where a state lies on the usual way to CLOSE, the client's (SYN_SENT,
 * ESTABLISHED, FIN_WAIT1, FIN_WAIT2 or CLOSING, CLOSE) or the server's
 * (SYN_RECV, ESTABLISHED, CLOSE_WAIT, LAST_ACK, CLOSE); -1 off both. Each
 * state's rank + 1 in a nibble (0: off both ways). */
#define NET_RANK(s, r) ((__u64)((r) + 1) << ((s) * 4))
#define NET_RANKS                                                                              \
	(NET_RANK(TCP_SYN_SENT, 0) | NET_RANK(TCP_SYN_RECV, 0) | NET_RANK(TCP_ESTABLISHED, 1) |  \
	 NET_RANK(TCP_FIN_WAIT1, 2) | NET_RANK(TCP_CLOSE_WAIT, 2) | NET_RANK(TCP_FIN_WAIT2, 3) | \
	 NET_RANK(TCP_CLOSING, 3) | NET_RANK(TCP_LAST_ACK, 3) | NET_RANK(TCP_CLOSE, 4))

static __always_inline int net_path_rank(int state)
{
	if ((__u32)state >= 16)
		return -1;
	return (int)(NET_RANKS >> (state * 4) & 15) - 1;
}

/*
 * The changes a gap from `last` to `to` held, one at least: those of the
 * usual way, a graceful close. A shorter way (a reset or an abort goes
 * straight to CLOSE; a close() in SYN_RECV skips ESTABLISHED) is counted
 * up to two changes too many, never too few. A socket that had only begun
 * (SYN_SENT, SYN_RECV) and is CLOSE is counted its usual end there: one.
 */
static __always_inline __u64 net_gap_changes(int last, int to)
{
	int a = net_path_rank(last), b = net_path_rank(to);

	if (a < 0 || b <= a || (a == 0 && to == TCP_CLOSE))
		return 1;
	return b - a;
}

/* The counting of a gap from `last` to `to`, once the tuple passed. */
static __always_inline void net_count_missed(const struct sock *sk, const struct net_sock *s,
					     int last, int to)
{
	__u64 n = tk_event_enabled(TK_EV_state) ? net_gap_changes(last, to) : 0;
	struct net_owner o;

	net_owner_of(sk, s, &o);
	if (!net_want_owner(&o))
		return;
	if (last == TCP_SYN_SENT && to != TCP_SYN_RECV && tk_event_enabled(TK_EV_connect))
		n++;
	if (net_was_established(last) && to == TCP_CLOSE && tk_event_enabled(TK_EV_tcp_close))
		n++;
	if (n)
		tk_count_n(TK_STAT_UNSEEN, n);
}

/*
 * The kernel sometimes runs no program at all on this tracepoint for a
 * change and counts no recursion miss (README: nettrace). Such a change
 * still shows: the socket's next change starts from a state other than
 * the one we last saw it enter. `from` is where that change starts: its
 * oldstate, or CLOSE when it is a birth at the address of a socket whose
 * entry is still here (the socket went to CLOSE, and was freed, unseen).
 * Counted per gap: with -e state, the changes it held (net_gap_changes(),
 * a state record each), plus the records it provably took:
 *  - the connect record, when it left SYN_SENT (for ESTABLISHED or CLOSE:
 *    both emit one) and does not resume in SYN_RECV (a simultaneous
 *    open, which emits none; one through SYN_RECV whose two changes were
 *    both lost would be an overcount of 1);
 *  - the close record, when it left an established state and passed
 *    CLOSE (every way from those to CLOSE emits one).
 * From SYN_RECV to CLOSE may or may not have passed ESTABLISHED: nothing
 * more is counted. Only for sockets the filters pass: the current tuple
 * when it is the same connection, else the verdict kept at the last change
 * seen (an active socket's local port is not yet chosen at SYN_SENT, so
 * --port-local leaves such a gap uncounted rather than guessed). t is the
 * socket's tuple (NULL: it has none); from CLOSE it is not read.
 */
static __always_inline void net_count_gap(const struct sock *sk, const struct net_sock *s,
					  const struct net_tuple *t, int from)
{
	if (from == TCP_CLOSE) {
		if (s->flags & NS_UNWANTED)
			return;
	} else if (!t || !net_want_tuple(t)) {
		return;
	}
	net_count_missed(sk, s, s->state, from);
}

/*
 * Whether a socket seen with no entry was born while we traced, its first
 * changes unseen. Once the snapshot is complete: when it is not in
 * net_old. Before (the moments between attach and ready): only when its
 * change is one that nothing but a birth can precede, SYN_SENT -> (any),
 * which only CLOSE -> SYN_SENT precedes, or SYN_RECV -> ESTABLISHED, which
 * only a child's LISTEN -> SYN_RECV does (a connect or handshake under way
 * at start is then counted once too many); any other is taken to be older
 * than the tracer.
 */
static __always_inline bool net_born_unseen(__u64 key, int oldstate)
{
	if (net_old_complete)
		return !bpf_map_lookup_elem(&net_old, &key);
	return oldstate == TCP_SYN_SENT || oldstate == TCP_SYN_RECV;
}

/*
 * A passive child not yet accepted has no struct socket; neither has an
 * active socket its owner closed, but that one has left ESTABLISHED and
 * CLOSE_WAIT (a child can reach CLOSE_WAIT before accept(), on the peer's
 * FIN). Any other is taken as active: its unseen connect record is then
 * counted, never missed.
 */
static __always_inline bool net_unaccepted_child(const struct sock *sk, int oldstate)
{
	return !sk->sk_socket && (oldstate == TCP_ESTABLISHED || oldstate == TCP_CLOSE_WAIT);
}

/*
 * The entry of a socket born unseen (net_born_unseen()), made at its first
 * change seen, so that its later changes chain and its accept() is not
 * counted again; and the changes it missed: with -e state, those from its
 * birth to `oldstate` on the usual way (net_path_rank(); a listener's
 * one), and an active socket past SYN_SENT the connect record its
 * SYN_SENT -> ESTABLISHED carried. Its owner as at a birth: a child's
 * listener's; for an active socket the one net_state_change() learns at
 * FIN_WAIT1 or LAST_ACK, else unknown (so -p/-u/-c and command mode leave
 * it uncounted).
 */
static __always_inline struct net_sock *net_unseen_birth(const struct sock *sk,
							 const struct net_tuple *t, __u64 key,
							 int oldstate, int newstate, __u64 now)
{
	bool passive = oldstate == TCP_SYN_RECV || net_unaccepted_child(sk, oldstate);
	int rank = net_path_rank(oldstate);
	struct net_owner o;
	struct net_sock *s;
	__u64 n = 0;

	if (!t || !net_want_tuple(t))
		return NULL;
	if (passive)
		net_listener_owner(sk, 0, &o);
	else if (newstate == TCP_FIN_WAIT1 || newstate == TCP_LAST_ACK)
		net_owner_current(&o);
	else
		net_owner_unknown(sk, &o);
	s = newstate == TCP_CLOSE ? NULL
				  : net_sock_new(key, &o, passive ? NS_PASSIVE : NS_ACTIVE, now);
	if (!net_want_owner(&o))
		return s;
	if (tk_event_enabled(TK_EV_state))
		n += rank > 0 ? rank + 1 : 1;
	if (!passive && rank > 0 && tk_event_enabled(TK_EV_connect))
		n++;
	if (n)
		tk_count_n(TK_STAT_UNSEEN, n);
	return s;
}

/* Both ends' addresses in one word (the ports tell most connections apart). */
static __always_inline __u32 net_addr_fold(const struct net_tuple *t)
{
	__u32 d = t->daddr[0] ^ t->daddr[1] ^ t->daddr[2] ^ t->daddr[3];

	return t->saddr[0] ^ t->saddr[1] ^ t->saddr[2] ^ t->saddr[3] ^ (d << 16 | d >> 16);
}

/*
 * Whether entry s is another socket's: a socket at this address whose
 * end (its CLOSE) was never delivered, then freed, and whose memory a new
 * socket took with its birth unseen too (the misses come in bursts on one
 * CPU, and a freed sock's memory goes to that CPU's next one). A
 * connection's tuple never changes once its local port is chosen.
 */
static __always_inline bool net_sock_stale(const struct net_sock *s, const struct net_tuple *t)
{
	return s->sport && t->sport &&
	       (s->sport != t->sport || s->dport != t->dport || s->addrs != net_addr_fold(t));
}

/* An entry net_sock_stale() found: its socket's unseen end is counted, as a
 * birth at its address would, and the entry goes. */
static __always_inline void net_sock_drop_stale(const struct sock *sk, const struct net_sock *s,
						__u64 key)
{
	net_count_gap(sk, s, NULL, TCP_CLOSE);
	bpf_map_delete_elem(&net_socks, &key);
}

/* Keeps what net_count_gap() needs: the state entered, the connection and the filters' verdict. */
static __always_inline void net_sock_seen(struct net_sock *s, const struct net_tuple *t,
					  int newstate, __u64 now)
{
	s->state_ns = now;
	s->state = newstate;
	if (!t) {
		s->flags |= NS_UNWANTED;
		return;
	}
	if (t->sport && !s->sport) {
		s->sport = t->sport;
		s->dport = t->dport;
		s->addrs = net_addr_fold(t);
	}
	if (net_want_tuple(t))
		s->flags &= ~NS_UNWANTED;
	else
		s->flags |= NS_UNWANTED;
}

static __always_inline void net_state_change(void *ctx, const struct sock *tsk, int oldstate,
					     int newstate)
{
	/*
	 * The socket is read through the helper's pointer, not the
	 * tracepoint's: the argument is trusted, and every pointer-field load
	 * through a trusted pointer costs the verifier linear scans of the
	 * kernel's BTF (the quirk TK_CAST in tk_path.bpf.h explains; nettrace
	 * keeps Linux 5.12, so no kfunc). bpf_skc_to_tcp_sock() returns a
	 * plain BTF pointer, through which it looks up nothing: each state
	 * program took ~0.27 s to load before, ~20 ms now with
	 * net_owner_current() a global function too (strace -T of
	 * BPF_PROG_LOAD), for one helper call per change. The helper also
	 * answers "is it TCP" (the tracepoint fires for other protocols too)
	 * for the full sockets the tracepoint is given.
	 */
	const struct tcp_sock *tcp = bpf_skc_to_tcp_sock((void *)tsk);
	bool birth = newstate == TCP_SYN_SENT || newstate == TCP_LISTEN ||
		     (newstate == TCP_SYN_RECV && oldstate == TCP_LISTEN);
	int from = birth ? TCP_CLOSE : oldstate;
	const struct net_tuple *t;
	const struct sock *sk;
	struct net_tuple tuple;
	struct net_sock *s;
	struct net_owner o;
	__u64 key, now;

	if (!tcp)
		return;
	sk = &tcp->inet_conn.icsk_inet.sk;
	key = (__u64)sk;
	/*
	 * The local port is the socket's own skc_num, a load, except at CLOSE:
	 * tcp_set_state() releases the port (skc_num = 0) before the
	 * tracepoint, and inet_sport, in the tcp_sock, still has it. Before
	 * CLOSE the two agree (bind, connect's port choice and a child's
	 * clone set both).
	 */
	/* read once: nothing in this run changes it (NULL: no tuple) */
	t = net_tuple_load(&sk->__sk_common, newstate == TCP_CLOSE ? &tcp->inet_conn.icsk_inet : NULL,
			   &tuple)
		    ? &tuple
		    : NULL;
	/* else clang, knowing t's alignment, turns t + 4 into t | 4: the
	 * verifier rejects bitwise operations on pointers */
	barrier_var(t);
	now = tk_ktime_ns();
	s = bpf_map_lookup_elem(&net_socks, &key);
	if (s && !birth && t && net_sock_stale(s, t)) {
		net_sock_drop_stale(sk, s, key);
		s = NULL;
	}
	if (s && s->state && s->state != from)
		net_count_gap(sk, s, t, from);
	else if (!s && !birth && net_born_unseen(key, oldstate))
		s = net_unseen_birth(sk, t, key, oldstate, newstate, now);
	/* a birth at an old socket's address, or an old socket's end: the
	 * address no longer holds a socket older than the tracer */
	if ((birth || newstate == TCP_CLOSE) && bpf_map_lookup_elem(&net_old, &key))
		bpf_map_delete_elem(&net_old, &key); /* (a lookup takes no bucket lock) */

	switch (newstate) {
	case TCP_SYN_SENT:
		/* connect() (or a fast-open sendmsg) in the owner's context */
		net_owner_current(&o);
		s = net_sock_new(key, &o, NS_ACTIVE, now);
		if (s)
			s->syn_ns = now;
		break;
	case TCP_LISTEN:
		net_owner_current(&o); /* listen() */
		net_listen_add(sk, &o);
		s = net_sock_new(key, &o, 0, now);
		break;
	case TCP_SYN_RECV:
		if (oldstate != TCP_LISTEN)
			break;
		/* a new child (a copy of its listener, netns and port
		 * included): its listener's process until accept() */
		net_listener_owner(sk, 0, &o);
		s = net_sock_new(key, &o, NS_PASSIVE, now);
		break;
	case TCP_ESTABLISHED:
		if (!s) {
			net_owner_unknown(sk, &o);
			s = net_sock_new(key, &o, oldstate == TCP_SYN_SENT ? NS_ACTIVE : NS_PASSIVE,
					 now);
		}
		if (s)
			s->est_ns = now;
		if (oldstate == TCP_SYN_SENT)
			emit_connect(ctx, sk, s, t, 0, now);
		break;
	case TCP_FIN_WAIT1:
	case TCP_LAST_ACK:
		/* only the owner's close()/shutdown() gets here: learn it */
		if (!s || !s->own.pid) {
			net_owner_current(&o);
			if (s)
				__builtin_memcpy(&s->own, &o, sizeof(o));
			else
				s = net_sock_new(key, &o, 0, now);
		}
		break;
	case TCP_CLOSE:
		if (oldstate == TCP_SYN_SENT) {
			int err = sk->sk_err;

			emit_connect(ctx, sk, s, t, err ? -err : -ECONNABORTED, now);
		} else if (net_was_established(oldstate)) {
			emit_close(ctx, sk, tcp, s, t, oldstate, now);
		} else if (oldstate == TCP_LISTEN) {
			net_listen_remove(sk);
		}
		break;
	default:
		break;
	}
	if (tk_event_enabled(TK_EV_state))
		emit_state(ctx, sk, s, t, oldstate, newstate, now);
	if (newstate == TCP_CLOSE) {
		if (s)
			bpf_map_delete_elem(&net_socks, &key);
	} else if (s) {
		net_sock_seen(s, t, newstate, now);
	}
}

/*
 * The kernel never runs a tracing program inside itself on one CPU: a run
 * that would nest is skipped (and counted in the program's
 * recursion_misses). But this tracepoint does nest: a softirq processing
 * packets can interrupt net_state while it runs for a close() or
 * connect() in process context, and that state change would go unseen —
 * once in ~250 000 runs on a busy loopback here. So a second program on the
 * same tracepoint takes exactly the runs the first cannot: those that come
 * while the first is busy on this CPU. (Either may be called first; the
 * busy flag makes each change handled once. The nested run builds its
 * record in its own scratch slot: see tk_scratch_get().)
 *
 * Every skipped run is a lost event unless the other program took it (each
 * take-over is counted, TK_STAT_TAKEN_OVER, for -v):
 *  - net_state_nested running while net_state is busy: net_state's run for
 *    this change is (or was) skipped, and this one handles it;
 *  - net_state running while net_state_nested is busy below it (a run that
 *    found nothing to do, interrupted): net_state_nested's run for this
 *    change is skipped, and net_state handles it.
 * What neither flag covers is the few instructions before a program sets
 * its flag and after it clears it: a change nested there in net_state is
 * really lost. Such a loss, like a change the kernel delivers to no
 * program, leaves a gap in its socket's states, and the gaps are what
 * counts as lost (net_count_gap(), net_sweep): the recursion misses of
 * these two programs are not added (tk_tool.self_counted_progs), so a
 * change is counted once, and only for the sockets the filters pass.
 */
struct net_busy {
	__u32 state;  /* net_state is handling a change */
	__u32 nested; /* net_state_nested is running */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct net_busy);
} net_busy SEC(".maps");

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(net_state, const struct sock *sk, const int oldstate, const int newstate)
{
	__u32 zero = 0;
	struct net_busy *b = bpf_map_lookup_elem(&net_busy, &zero);

	if (!b)
		return 0;
	if (b->nested)
		tk_count(TK_STAT_TAKEN_OVER);
	b->state = 1;
	net_state_change(ctx, sk, oldstate, newstate);
	b->state = 0;
	return 0;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(net_state_nested, const struct sock *sk, const int oldstate, const int newstate)
{
	__u32 zero = 0;
	struct net_busy *b = bpf_map_lookup_elem(&net_busy, &zero);

	if (!b)
		return 0;
	b->nested = 1;
	if (b->state) {
		tk_count(TK_STAT_TAKEN_OVER);
		net_state_change(ctx, sk, oldstate, newstate);
	}
	b->nested = 0;
	return 0;
}

/* ---- the end: changes nothing followed ---------------------------------- */

/* A change seen less than this long ago may still be under way on another
 * CPU: tcp_set_state() stores the new state after the tracepoint. */
#define NET_SWEEP_SETTLE_NS 1000000ULL

/*
 * Run by userspace (BPF_PROG_TEST_RUN, Linux 5.10; never attached) for
 * each entry of net_socks, its key in ctx[0], while the state programs are
 * still attached, just before they are detached. A change nothing
 * followed leaves no gap: a connection's last changes, its address not
 * reused. Its socket's state now differs from the one its entry last saw
 * (an entry that saw CLOSE is gone), so an entry whose socket has moved on
 * counts what it missed, as a gap to the current state would. A change
 * nothing followed that came less than NET_SWEEP_SETTLE_NS before the
 * sweep stays uncounted.
 */
SEC("raw_tp")
int net_sweep(__u64 *ctx)
{
	__u64 key = ctx[0];
	const struct sock *sk = (const struct sock *)key;
	struct net_sock *s = bpf_map_lookup_elem(&net_socks, &key);
	int cur;

	if (!s || !s->state || (s->flags & NS_UNWANTED) ||
	    tk_ktime_ns() - s->state_ns < NET_SWEEP_SETTLE_NS)
		return 0;
	/* a freed socket's memory still reads as it was left: CLOSE (or, were
	 * it reused, a socket whose birth replaced this entry); a failed read
	 * is 0, no state */
	cur = BPF_CORE_READ(sk, __sk_common.skc_state);
	if (cur != (int)s->state && cur >= TCP_ESTABLISHED && cur <= TCP_CLOSING)
		net_count_missed(sk, s, s->state, cur);
	return 0;
}

/* ---- the start: sockets older than the tracer ---------------------------- */

/*
 * Run by userspace right after attach, once in each network namespace
 * (an iterator sees its creator's): every TCP socket there goes into
 * net_old. Time-wait and request socks are left out: they are not the
 * sockets inet_sock_set_state reports.
 */
SEC("iter/tcp")
int net_snapshot(struct bpf_iter__tcp *ctx)
{
	struct sock_common *c = ctx->sk_common;
	__u64 key;
	__u8 one = 1;

	if (!c || c->skc_state == TCP_TIME_WAIT || c->skc_state == TCP_NEW_SYN_RECV)
		return 0;
	key = (__u64)c;
	if (bpf_map_update_elem(&net_old, &key, &one, BPF_ANY))
		net_old_full = 1;
	return 0;
}

/* ---- accept(): the passive side's owner -------------------------------- */

/* The socket behind a file descriptor of the current task, or NULL. */
static __always_inline struct sock *net_fd_sock(long fd)
{
	/* the task is a BTF pointer: plain loads down to the fd array, which
	 * only a read can index (the verifier takes no variable offset there) */
	struct fdtable *fdt = bpf_get_current_task_btf()->files->fdt;
	struct file **fds = fdt->fd;
	unsigned int max = fdt->max_fds;
	struct socket *sock;
	struct file *f = NULL;

	if (fd < 0 || fd >= max)
		return NULL;
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]) || !f)
		return NULL;
	sock = BPF_CORE_READ(f, private_data);
	/* a socket's file and its struct socket point at each other */
	if (!sock || BPF_CORE_READ(sock, file) != f)
		return NULL;
	return BPF_CORE_READ(sock, sk);
}

static __always_inline void accept_exit(void *ctx, long ret)
{
	struct tk_net_accept_event *e;
	struct net_sock *s;
	struct net_owner o;
	struct net_tuple t;
	struct sock *sk;
	__u64 key, now, queued = 0;
	bool have_t;
	int cur;

	if (ret < 0)
		return;
	sk = net_fd_sock(ret);
	if (!sk || BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP ||
	    BPF_CORE_READ(sk, sk_type) != SOCK_STREAM)
		return;
	now = tk_ktime_ns();
	key = (__u64)sk;
	net_owner_current(&o);
	have_t = net_tuple_probe(&sk->__sk_common, (const struct inet_sock *)sk, &t);
	s = bpf_map_lookup_elem(&net_socks, &key);
	if (s && have_t && net_sock_stale(s, &t)) {
		net_sock_drop_stale(sk, s, key);
		s = NULL;
	}
	if (s) {
		__builtin_memcpy(&s->own, &o, sizeof(o));
		queued = since(s->est_ns, now);
	} else if ((cur = BPF_CORE_READ(sk, __sk_common.skc_state)) != TCP_CLOSE) {
		/* (an entry for a CLOSEd socket would never be removed) */
		s = net_sock_new(key, &o, NS_PASSIVE, now);
		/* None yet: it was established before we started, or its
		 * LISTEN -> SYN_RECV and SYN_RECV -> ESTABLISHED (and whatever
		 * came since) went unseen (net_born_unseen()). From here its
		 * changes chain as any other's. */
		if (s) {
			s->state = cur;
			if (!have_t || !net_want_tuple(&t))
				s->flags |= NS_UNWANTED;
			else if (net_want_owner(&o) && tk_event_enabled(TK_EV_state) &&
				 net_born_unseen(key, TCP_SYN_RECV))
				tk_count_n(TK_STAT_UNSEEN, 1 + net_gap_changes(TCP_SYN_RECV, cur));
		}
	}
	if (!tk_event_enabled(TK_EV_accept) || !have_t)
		return;
	e = net_begin(TK_EV_accept, sizeof(*e), &t, &o, now);
	if (!e)
		return;
	e->__pad0 = 0;
	e->duration_ns = queued;
	tk_submit(ctx, e, sizeof(*e));
}

SEC("tp/syscalls/sys_exit_accept")
int net_accept_exit(struct trace_event_raw_sys_exit *ctx)
{
	accept_exit(ctx, ctx->ret);
	return TK_TP_KEEP;
}

SEC("tp/syscalls/sys_exit_accept4")
int net_accept4_exit(struct trace_event_raw_sys_exit *ctx)
{
	accept_exit(ctx, ctx->ret);
	return TK_TP_KEEP;
}

/* ---- retransmissions (opt-in) --------------------------------------------- */

static __always_inline void emit_retransmit(void *ctx, const struct net_tuple *t,
					    const struct net_owner *o, __u8 state, __u32 count)
{
	struct tk_net_retransmit_event *e;

	e = net_begin(TK_EV_retransmit, sizeof(*e), t, o, tk_ktime_ns());
	if (!e)
		return;
	e->state = state;
	e->__pad0 = 0;
	e->retransmits = count;
	e->__pad1 = 0;
	tk_submit(ctx, e, sizeof(*e));
}

SEC("tp_btf/tcp_retransmit_skb")
int BPF_PROG(net_retransmit, const struct sock *sk, const struct sk_buff *skb)
{
	struct tcp_sock *tp = bpf_skc_to_tcp_sock((void *)sk);
	__u64 key = (__u64)sk;
	struct net_owner o;
	struct net_tuple t;

	if (!tp || !net_tuple_load(&sk->__sk_common, &tp->inet_conn.icsk_inet, &t))
		return 0;
	net_owner_of(sk, bpf_map_lookup_elem(&net_socks, &key), &o);
	/* __tcp_retransmit_skb() counts it in total_retrans before tracing */
	emit_retransmit(ctx, &t, &o, sk->__sk_common.skc_state, tp->total_retrans);
	return 0;
}

/* A half-open connection's SYN-ACK again: sk is the listener. */
SEC("tp_btf/tcp_retransmit_synack")
int BPF_PROG(net_retransmit_synack, const struct sock *sk, const struct request_sock *req)
{
	struct net_owner o;
	struct net_tuple t;

	if (!net_tuple_load(&req->__req_common, NULL, &t))
		return 0;
	net_listener_owner(sk, (__u64)sk, &o);
	/* tcp_rtx_synack() bumps num_retrans only after tracing it */
	emit_retransmit(ctx, &t, &o, TCP_NEW_SYN_RECV, req->num_retrans + 1);
	return 0;
}

/* command mode: follow the traced tree through fork/exit */
TK_FOLLOW_PROGRAMS(net)
