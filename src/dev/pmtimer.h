/* ACPI PM timer (REQ-PMT-*): a free-running 3.579545 MHz counter, read-only
 * at port PMTIMER_PORT (32-bit reads), 24 or 32 bits wide. */
#ifndef KEEL_DEV_PMTIMER_H
#define KEEL_DEV_PMTIMER_H

#include <stdbool.h>
#include <stdint.h>

#define PMTIMER_PORT 0x608      /* PM1 base 0x600 + 8, as on QEMU's PC machines */
#define PMTIMER_HZ   3579545ULL

struct pmtimer {
	uint64_t start_ns;
	bool wide;               /* 32-bit counter (FADT TMR_VAL_EXT) */
};

void pmtimer_init(struct pmtimer *t, bool wide, uint64_t now);
uint32_t pmtimer_read(const struct pmtimer *t, uint64_t now);
/* Port handler shape for the bus: any offset of the 4-byte range reads the
 * counter bytes at that offset; writes are ignored. */
void pmtimer_io(struct pmtimer *t, uint64_t offset, uint8_t *data, unsigned len, bool is_write,
		uint64_t now);

#endif
