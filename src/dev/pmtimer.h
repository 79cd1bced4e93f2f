/* ACPI PM timer (REQ-PMT-*): a free-running 3.579545 MHz counter, read-only
 * at port PMTIMER_PORT (32-bit reads), 24 or 32 bits wide. The count derives
 * from `now` (ns of CLOCK_MONOTONIC), so it never drifts from the host clock.
 * Requirements: docs/requirements/rtc.md (second table). */
#ifndef KEEL_DEV_PMTIMER_H
#define KEEL_DEV_PMTIMER_H

#include <stdbool.h>
#include <stdint.h>

#define PMTIMER_PORT 0x608      /* PM1 base 0x600 + 8, as on QEMU's PC machines */
#define PMTIMER_LEN  4          /* bytes of port space the counter occupies */
#define PMTIMER_HZ   3579545ULL

struct pmtimer {
	uint64_t start_ns;       /* the count is 0 here */
	bool wide;               /* 32-bit counter (FADT TMR_VAL_EXT) */
};

void pmtimer_init(struct pmtimer *t, bool wide, uint64_t now);
/* floor((now - start_ns) * PMTIMER_HZ / 1e9) modulo 2^24 (2^32 if wide);
 * a `now` before start_ns reads 0. */
uint32_t pmtimer_read(const struct pmtimer *t, uint64_t now);
/* Port handler shape for the bus: any offset of the 4-byte range reads the
 * counter bytes at that offset; writes are ignored. */
void pmtimer_io(struct pmtimer *t, uint64_t offset, uint8_t *data, unsigned len, bool is_write,
		uint64_t now);

#endif
