/* One host thread per VM that fires the emulated timers (REQ-TMR-002): it
 * sleeps on a timerfd armed at the earliest absolute CLOCK_MONOTONIC
 * deadline the owner reports, so there is no drift and no busy waiting. A
 * deadline change from another thread re-arms it through an eventfd. */
#ifndef KEEL_HOST_TIMER_THREAD_H
#define KEEL_HOST_TIMER_THREAD_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct timer_thread {
	int tfd, efd;
	pthread_t thread;
	bool started;
	/* Called on the timer thread: next deadline (ns, UINT64_MAX none), and
	 * fire(now) to advance the models. Both lock what they touch. */
	uint64_t (*next)(void *opaque);
	void (*fire)(void *opaque, uint64_t now);
	void *opaque;
	uint64_t wakeups;
	bool realtime;           /* running SCHED_FIFO */
};

int timer_thread_start(struct timer_thread *t, uint64_t (*next)(void *),
		       void (*fire)(void *, uint64_t), void *opaque);
/* A deadline may have moved earlier: look again (any thread). */
void timer_thread_rearm(struct timer_thread *t);
void timer_thread_stop(struct timer_thread *t);

#endif
