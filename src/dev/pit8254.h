/* 8254 PIT (REQ-PIT-*): channels 0-2 at 0x40-0x42, control at 0x43, and
 * port 0x61 (channel 2 gate, speaker enable, OUT2 status). Channel 0's OUT
 * drives ISA IRQ0. Not thread-safe (owner locks). `now` is ns of
 * CLOCK_MONOTONIC; counts derive from it, so reads count down in real time.
 * Requirements and simplifications: docs/requirements/pit.md. */
#ifndef KEEL_DEV_PIT8254_H
#define KEEL_DEV_PIT8254_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/irq.h"

#define PIT_BASE      0x40
#define PIT_PORT_61   0x61
#define PIT_HZ        1193182ULL
#define PIT_CHANNELS  3
/* Port 0x61 bit 4 toggles with this half-period (about 18 PIT clocks, the
 * DRAM refresh rate a PC BIOS programs into channel 1). */
#define PIT_REFRESH_NS 15085ULL

/* One counter. A count value below is the number of clocks it stands for:
 * 1..65536 in binary, 1..10000 in BCD (a written 0 is the maximum). */
struct pit_channel {
	/* Programming: control word and count register (CR). */
	uint8_t mode;            /* M2..M0 as written (0-7); 6/7 act as 2/3 */
	uint8_t rw;              /* 1 LSB only, 2 MSB only, 3 LSB then MSB */
	bool bcd;
	bool gate;               /* GATE input level */
	bool write_msb;          /* rw 3: the next data write is the MSB */
	bool read_msb;           /* rw 3: the next data read is the MSB */
	uint8_t write_lsb;       /* rw 3: LSB waiting for its MSB */
	uint32_t count;          /* CR value; 0 = none written since the control word */
	bool null_count;         /* CR written but not yet loaded into the counter */

	/* Output latch (counter latch / read-back). */
	uint16_t latched_count;  /* as the guest reads it (BCD encoded in BCD mode) */
	uint8_t latched_bytes;   /* bytes of latched_count still unread; 0 = none */
	bool status_latched;
	uint8_t latched_status;

	/* Counting element. While running, it counts from load_ns: `start`
	 * clocks to the next terminal count (modes 0, 1, 4, 5) or the period
	 * (modes 2, 3), entered `phase` clocks into that period. */
	bool running;
	uint64_t load_ns;
	uint32_t start;
	uint32_t phase;
	bool done;               /* modes 0/4: terminal count already passed */
	/* While stopped: counter value and OUT level, held. */
	uint32_t frozen;
	bool frozen_out;
	bool held;               /* modes 0/4: paused by GATE low, resumes on high */

	/* Modes 2/3: count written while counting, loaded at pending_ns (end of
	 * the current period or half-period). pending = 0: none. */
	uint32_t pending;
	uint32_t pending_phase;
	uint64_t pending_ns;
};

struct pit {
	struct pit_channel ch[PIT_CHANNELS];
	uint8_t port61;          /* bit 0 gate2, bit 1 speaker data */
	struct irq_line irq0;    /* channel 0 OUT */
	bool irq0_level;         /* last level given to irq0 */
	uint64_t next_irq_ns;    /* next rising edge of OUT0, TIME_NEVER if none */
	uint64_t last_ns;        /* latest `now` seen; earlier times are raised to it */
};

/* All channels unprogrammed: as after a control word "LSB then MSB, mode 0,
 * binary" with no count; IRQ0 is taken to be low (no callback). */
void pit_init(struct pit *p, struct irq_line irq0, uint64_t now);
/* Ports 0x40-0x43 and 0x61; any other port reads 0xff, writes are ignored. */
uint8_t pit_io_read(struct pit *p, uint16_t port, uint64_t now);
void pit_io_write(struct pit *p, uint16_t port, uint8_t value, uint64_t now);
/* Absolute time of the next rising edge of OUT0 (TIME_NEVER: none); always
 * later than every `now` passed so far. */
uint64_t pit_next_deadline(const struct pit *p);
/* Brings the model to `now`; a rising edge of OUT0 since the last call
 * (several periods: coalesced into one) reaches IRQ0 as one low->high. */
void pit_advance(struct pit *p, uint64_t now);

/* Period in ns (rounded to nearest) that channel `ch` is programmed for in
 * mode 2 or 3 (latest count written); 0 when not periodic, without count or
 * ch >= PIT_CHANNELS. */
uint64_t pit_channel_period_ns(const struct pit *p, unsigned ch);
/* OUT level of channel `ch` at `now` without changing the model (false for
 * ch >= PIT_CHANNELS). */
bool pit_channel_out(const struct pit *p, unsigned ch, uint64_t now);
/* Next time after `now` at which OUT of channel `ch` rises, if no port is
 * written meanwhile (TIME_NEVER: none, or ch >= PIT_CHANNELS); for channel 0
 * this is what pit_next_deadline reports. The model is not changed. */
uint64_t pit_channel_next_rise(const struct pit *p, unsigned ch, uint64_t now);

#endif
