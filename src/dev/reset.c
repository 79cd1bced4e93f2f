/* Reset control register 0xcf9 (REQ-PWR-009, REQ-PWR-010), from the Intel
 * ICH/PCH datasheets (Reset Control Register, I/O address CF9h). Choices:
 * docs/requirements/power.md. */
#include "dev/reset.h"

#include <stddef.h>

void reset_ctl_init(struct reset_ctl *r, power_event_fn event, void *opaque)
{
	*r = (struct reset_ctl){ .event = event, .opaque = opaque };
}

uint32_t reset_ctl_read(const struct reset_ctl *r, uint64_t offset, unsigned len)
{
	if (offset != 0 || len != 1)
		return len >= 4 ? 0xffffffffu : (uint32_t)((1ull << (8 * len)) - 1);
	return r->value & RESET_CTL_MASK;
}

void reset_ctl_write(struct reset_ctl *r, uint64_t offset, uint32_t value, unsigned len)
{
	uint8_t v = (uint8_t)(value & RESET_CTL_MASK);
	bool edge = !(r->value & RESET_CTL_RST_CPU) && (v & RESET_CTL_RST_CPU);

	if (offset != 0 || len != 1)
		return;
	r->value = v;
	/* The edge, not the level, starts a reset: Linux's "reboot=pci" writes
	 * SYS_RST alone first, then SYS_RST | RST_CPU. The register keeps the
	 * value until the reset the owner performs re-initialises it. */
	if (edge && r->event != NULL)
		r->event(r->opaque, POWER_RESET);
}
