/* An interrupt line between models (REQ-IRQ-*): the output of one model
 * (PIT OUT0, UART INTRPT, PIC INTR...) calls the input of another. Models
 * never know who is on the other end. */
#ifndef KEEL_DEV_IRQ_H
#define KEEL_DEV_IRQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef void (*irq_line_fn)(void *opaque, unsigned line, bool level);

struct irq_line {
	irq_line_fn fn;         /* NULL: not connected */
	void *opaque;
	unsigned line;          /* passed back to fn, e.g. the ISA IRQ number */
};

static inline void irq_line_set(const struct irq_line *l, bool level)
{
	if (l != NULL && l->fn != NULL)
		l->fn(l->opaque, l->line, level);
}

/* Time in the device models: nanoseconds of the host's CLOCK_MONOTONIC.
 * A timer model reports its next deadline as an absolute time
 * (TIME_NEVER when idle) and is advanced to `now` by its owner. */
#define TIME_NEVER UINT64_MAX
#define NSEC_PER_SEC 1000000000ULL

/* Whole periods of a `hz` clock in `ns` nanoseconds, floor(ns * hz / 1e9),
 * exact for every ns below 2^64 and hz up to 1 GHz (128-bit product). */
static inline uint64_t ns_to_ticks(uint64_t ns, uint64_t hz)
{
	return (uint64_t)((unsigned __int128)ns * hz / NSEC_PER_SEC);
}

#endif
