#include "host/timer_thread.h"

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "host/clock.h"

#define STOP_VALUE (1ULL << 62)
/* REQ-TMR-005: at most one firing per this interval, so a guest that
 * programs a 1 ns periodic timer cannot make this (real-time) thread spin;
 * the models coalesce what falls in between. */
#define MIN_INTERVAL_NS 20000ULL

static void arm(struct timer_thread *t, uint64_t deadline)
{
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	if (deadline != UINT64_MAX) {
		/* 0 would disarm: a deadline at time 0 is simply "now". */
		if (deadline == 0)
			deadline = 1;
		its.it_value.tv_sec = (time_t)(deadline / 1000000000ULL);
		its.it_value.tv_nsec = (long)(deadline % 1000000000ULL);
	}
	timerfd_settime(t->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

/* REQ-TMR-004: the timer thread must wake on time even when the host is
 * busy (late wake-ups coalesce guest ticks). It only sleeps and advances
 * models briefly, so a real-time priority cannot starve the host. Without
 * the privilege it keeps the normal policy, with the smallest timer slack. */
static void make_timely(struct timer_thread *t)
{
	struct sched_param sp = { .sched_priority = 10 };

	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	t->realtime = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) == 0;
}

static void *run(void *arg)
{
	struct timer_thread *t = arg;
	struct pollfd fds[2] = { { .fd = t->tfd, .events = POLLIN },
				 { .fd = t->efd, .events = POLLIN } };

	make_timely(t);

	uint64_t last = 0;

	for (;;) {
		uint64_t v, now, next = t->next(t->opaque);

		if (next != UINT64_MAX && next < last + MIN_INTERVAL_NS)
			next = last + MIN_INTERVAL_NS;
		arm(t, next);
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if ((fds[1].revents & POLLIN) && read(t->efd, &v, sizeof(v)) == sizeof(v) &&
		    v >= STOP_VALUE)
			break;
		if (fds[0].revents & POLLIN) {
			if (read(t->tfd, &v, sizeof(v)) < 0 && errno != EAGAIN)
				break;
		}
		now = clock_now_ns();
		t->wakeups++;
		t->fire(t->opaque, now);
		last = now;
	}
	return NULL;
}

int timer_thread_start(struct timer_thread *t, uint64_t (*next)(void *),
		       void (*fire)(void *, uint64_t), void *opaque)
{
	memset(t, 0, sizeof(*t));
	t->next = next;
	t->fire = fire;
	t->opaque = opaque;
	t->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	t->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (t->tfd < 0 || t->efd < 0)
		goto fail;
	if (pthread_create(&t->thread, NULL, run, t) != 0)
		goto fail;
	t->started = true;
	return 0;
fail:
	if (t->tfd >= 0)
		close(t->tfd);
	if (t->efd >= 0)
		close(t->efd);
	t->tfd = t->efd = -1;
	return -1;
}

void timer_thread_rearm(struct timer_thread *t)
{
	uint64_t one = 1;

	if (t->started && write(t->efd, &one, sizeof(one)) < 0) {
		/* The counter is saturated: a wake-up is pending anyway. */
	}
}

void timer_thread_stop(struct timer_thread *t)
{
	uint64_t stop = STOP_VALUE;

	if (!t->started)
		return;
	if (write(t->efd, &stop, sizeof(stop)) == sizeof(stop))
		pthread_join(t->thread, NULL);
	t->started = false;
	close(t->tfd);
	close(t->efd);
}
