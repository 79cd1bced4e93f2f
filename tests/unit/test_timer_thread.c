#include <stdatomic.h>
#include <unistd.h>

#include "host/clock.h"
#include "host/timer_thread.h"
#include "test.h"

struct probe {
	atomic_ullong deadline;
	atomic_ulong fires;
	atomic_ullong first_fire;
};

static uint64_t probe_next(void *opaque)
{
	return atomic_load(&((struct probe *)opaque)->deadline);
}

static void probe_fire(void *opaque, uint64_t now)
{
	struct probe *p = opaque;

	if (atomic_fetch_add(&p->fires, 1) == 0)
		atomic_store(&p->first_fire, now);
}

TEST(timer_thread_rate_is_bounded, "REQ-TMR-005 REQ-TMR-002")
{
	static struct timer_thread t;
	static struct probe p;
	unsigned long n;

	atomic_store(&p.deadline, 0);   /* always due: a guest's 1 ns period */
	atomic_store(&p.fires, 0);
	CHECK_EQ(timer_thread_start(&t, probe_next, probe_fire, &p), 0);
	usleep(200000);
	timer_thread_stop(&t);
	n = atomic_load(&p.fires);
	/* 200 ms at one firing per 20 us is 10000 at most (+ slack). */
	CHECK(n > 100);
	CHECK(n <= 10100);
}

TEST(timer_thread_absolute_deadline_and_rearm, "REQ-TMR-002 REQ-TMR-004 REQ-TMR-001")
{
	static struct timer_thread t;
	static struct probe p;
	uint64_t start, want;

	atomic_store(&p.deadline, UINT64_MAX);  /* idle */
	atomic_store(&p.fires, 0);
	CHECK_EQ(timer_thread_start(&t, probe_next, probe_fire, &p), 0);
	usleep(20000);
	CHECK_EQ(atomic_load(&p.fires), 0);     /* idle: no firings */
	start = clock_now_ns();
	want = start + 30000000ULL;             /* 30 ms from now */
	atomic_store(&p.deadline, want);
	timer_thread_rearm(&t);
	usleep(80000);
	atomic_store(&p.deadline, UINT64_MAX);
	timer_thread_rearm(&t);
	usleep(5000);
	timer_thread_stop(&t);
	/* The rearm itself wakes the thread once; the deadline fires once. */
	CHECK(atomic_load(&p.fires) >= 1);
	CHECK(atomic_load(&p.first_fire) >= start);
	/* As root (CI) the thread runs SCHED_FIFO. */
	if (geteuid() == 0)
		CHECK(t.realtime);
	timer_thread_stop(&t);                  /* stopping twice is harmless */
}
