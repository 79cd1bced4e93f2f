/* ACPI PM timer (REQ-PMT-*), from the ACPI specification (PM_TMR, FADT
 * TMR_VAL_EXT). The count is a pure function of `now`: nothing is stored but
 * the start time, so reads never drift and need no periodic update. */
#include "dev/pmtimer.h"

#include "dev/irq.h"

void pmtimer_init(struct pmtimer *t, bool wide, uint64_t now)
{
	t->start_ns = now;
	t->wide = wide;
}

uint32_t pmtimer_read(const struct pmtimer *t, uint64_t now)
{
	uint64_t d, ticks;

	if (now < t->start_ns)
		return 0;
	d = now - t->start_ns;
	/* Split so nothing overflows: whole seconds (< 2^35) times the rate stay
	 * below 2^57, and the sub-second rest times the rate below 2^52. The sum
	 * is exactly floor(d * HZ / 1e9) because the first term is whole. */
	ticks = ns_to_ticks(d, PMTIMER_HZ);
	return (uint32_t)(ticks & (t->wide ? 0xffffffffULL : 0x00ffffffULL));
}

void pmtimer_io(struct pmtimer *t, uint64_t offset, uint8_t *data, unsigned len, bool is_write,
		uint64_t now)
{
	uint32_t v;

	if (is_write)
		return; /* PM_TMR is read-only */
	v = pmtimer_read(t, now);
	/* Byte i of the access is counter byte offset+i; bytes past the 4-byte
	 * register read as an open bus (0xff). */
	for (unsigned i = 0; i < len; i++) {
		uint64_t b = offset + i;

		data[i] = (offset < PMTIMER_LEN && b < PMTIMER_LEN) ? (uint8_t)(v >> (8 * b)) : 0xff;
	}
}
