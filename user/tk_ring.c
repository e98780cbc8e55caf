// SPDX-License-Identifier: GPL-2.0
/*
 * tk_ring: the consumer side of a BPF_MAP_TYPE_RINGBUF, in place of
 * libbpf's ring_buffer__consume(). See tk.h for the contract; the why:
 *
 * The producer (bpf_ringbuf_reserve() and _submit()) reads consumer_pos on
 * every record: reserve, to see the space left, and submit, to decide on a
 * wakeup. libbpf's consumer stores consumer_pos after every record, so the
 * cache line holding it moves to the consumer's CPU once per record and
 * the producer's next read misses. Under a flood (syscalltrace stream
 * mode, ~2.5 M records/s on a 2-core AMD VM) the traced loop ran ~31 ns
 * a call slower while the consumer ran than with it stopped. Here the
 * consumer stores its position once per TK_RING_PUBLISH_DIV-th of the
 * ring and at the end of every pass, so the producer misses once per
 * batch instead (the same gap became ~11 ns). It helps only with a
 * backlog: a consumer that keeps pace reaches the end of a pass every
 * record or few, and stores there, as before.
 *
 * The price: during a pass, up to 1/TK_RING_PUBLISH_DIV of the ring is
 * read but not yet given back; a producer that fills the ring meanwhile
 * sees that much less room. It is counted like any other full ring
 * (reserve fails, the tool's per-CPU lost counter), never silent. The
 * watermark (tk_rb_watermark(): more than half the ring waiting forces a
 * wakeup) counts those bytes as waiting during a pass, so between 7/16
 * and 8/16 full it may force wakeups of a consumer that is running: a
 * cost to the producer, never a lost record; a consumer that sleeps has
 * given everything back.
 *
 * The wakeup: the kernel wakes the consumer (no flags given) when a record
 * is committed at consumer_pos, that is when the consumer has caught up.
 * After storing its position at the end of a pass, the consumer fences
 * (store-load: x86 may otherwise load producer_pos before the store is
 * seen) and looks at producer_pos once more; a record reserved before the
 * store is seen then, one reserved after it sees the consumer caught up
 * and wakes it. libbpf's loop has no such fence.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include "tk.h"

/* 1/16 of the ring (64 KiB of a 1 MiB ring): a few hundred records
 * between stores at the typical record size, and 6% of the ring at most
 * held back from a producer */
#define TK_RING_PUBLISH_DIV 16

int tk_ring_open(struct tk_ring *r, int map_fd, tk_ring_fn fn, void *ctx)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);
	size_t page = (size_t)getpagesize();
	struct epoll_event ev = { .events = EPOLLIN };
	void *cons = MAP_FAILED, *prod = MAP_FAILED;
	int err, epfd = -1;

	*r = (struct tk_ring){ .epfd = -1 };
	if (bpf_obj_get_info_by_fd(map_fd, &info, &len))
		return -1;
	if (info.type != BPF_MAP_TYPE_RINGBUF || !info.max_entries ||
	    (info.max_entries & (info.max_entries - 1))) {
		errno = EINVAL;
		return -1;
	}
	cons = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
	if (cons == MAP_FAILED)
		goto fail;
	/* producer_pos's page, then the data pages, which the kernel maps
	 * twice in a row: a record that wraps reads as one piece */
	prod = mmap(NULL, page + 2 * (size_t)info.max_entries, PROT_READ, MAP_SHARED, map_fd,
		    page);
	if (prod == MAP_FAILED)
		goto fail;
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, map_fd, &ev))
		goto fail;
	*r = (struct tk_ring){
		.epfd = epfd,
		.cons = cons,
		.prod = prod,
		.data = (const char *)prod + page,
		.mask = info.max_entries - 1,
		.publish = info.max_entries / TK_RING_PUBLISH_DIV,
		.page = page,
		.fn = fn,
		.ctx = ctx,
	};
	return 0;
fail:
	err = errno;
	if (epfd >= 0)
		close(epfd);
	if (prod != MAP_FAILED)
		munmap(prod, page + 2 * (size_t)info.max_entries);
	if (cons != MAP_FAILED)
		munmap(cons, page);
	errno = err;
	return -1;
}

void tk_ring_close(struct tk_ring *r)
{
	/* only an opened one has its mappings: a zeroed one's epfd 0 is
	 * not ours */
	if (r->cons) {
		close(r->epfd);
		munmap((void *)r->prod, r->page + 2 * (r->mask + 1));
		munmap(r->cons, r->page);
	}
	*r = (struct tk_ring){ .epfd = -1 };
}

int tk_ring_consume(struct tk_ring *r)
{
	unsigned long cons = *r->cons, given = cons;
	int n = 0, err = 0;

	for (;;) {
		/* one read of producer_pos a pass: it is the line the
		 * producer writes on every reserve */
		unsigned long prod = __atomic_load_n(r->prod, __ATOMIC_ACQUIRE);
		const __u32 *hdr = NULL;
		bool busy = false;

		while (cons < prod) {
			__u32 len;

			hdr = (const __u32 *)(r->data + (cons & r->mask));
			/* acquire: the record's bytes are read after its
			 * length, which the kernel's submit sets last */
			len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
			if (len & BPF_RINGBUF_BUSY_BIT) {
				busy = true; /* reserved, not yet submitted */
				break;
			}
			cons += ((len & ~BPF_RINGBUF_DISCARD_BIT) + BPF_RINGBUF_HDR_SZ + 7) & ~7UL;
			if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
				if (n < INT_MAX)
					n++;
				err = r->fn(r->ctx, (void *)(hdr + 2), len);
				if (err < 0)
					goto out;
			}
			if (cons - given >= r->publish) {
				__atomic_store_n(r->cons, cons, __ATOMIC_RELEASE);
				given = cons;
			}
		}
		/* caught up: the position given back, then one more look */
		if (cons != given) {
			__atomic_store_n(r->cons, cons, __ATOMIC_RELEASE);
			given = cons;
		}
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (busy ? __atomic_load_n(hdr, __ATOMIC_ACQUIRE) & BPF_RINGBUF_BUSY_BIT
			 : __atomic_load_n(r->prod, __ATOMIC_ACQUIRE) == cons)
			break;
	}
out:
	if (cons != given)
		__atomic_store_n(r->cons, cons, __ATOMIC_RELEASE);
	return err < 0 ? err : n;
}
