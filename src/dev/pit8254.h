/* 8254 PIT (REQ-PIT-*): channels 0-2 at 0x40-0x42, control at 0x43, and
 * port 0x61 (channel 2 gate, speaker enable, OUT2 status). Channel 0's OUT
 * drives ISA IRQ0. Not thread-safe (owner locks). `now` is ns of
 * CLOCK_MONOTONIC; counts derive from it, so reads count down in real time. */
#ifndef KEEL_DEV_PIT8254_H
#define KEEL_DEV_PIT8254_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/irq.h"

#define PIT_BASE      0x40
#define PIT_PORT_61   0x61
#define PIT_HZ        1193182ULL

struct pit_channel {
	/* implementer's choice of fields */
	uint32_t count;          /* reload value (0 means 0x10000) */
	uint16_t latched_count;
	uint8_t latched_status;
	uint8_t mode, rw_mode, bcd, gate;
	uint8_t read_state, write_state, write_latch;
	bool count_latched, status_latched, null_count, out;
	uint64_t load_ns;        /* when counting started */
};

struct pit {
	struct pit_channel ch[3];
	uint8_t port61;          /* bit 0 gate2, bit 1 speaker data */
	struct irq_line irq0;    /* channel 0 OUT */
	uint64_t next_irq_ns;
};

void pit_init(struct pit *p, struct irq_line irq0, uint64_t now);
uint8_t pit_io_read(struct pit *p, uint16_t port, uint64_t now);
void pit_io_write(struct pit *p, uint16_t port, uint8_t value, uint64_t now);
uint64_t pit_next_deadline(const struct pit *p);
void pit_advance(struct pit *p, uint64_t now);

#endif
