/* Reset control register, port 0xcf9 (REQ-PWR-009, REQ-PWR-010, REQ-PWR-015). */
#include "test.h"

#include "dev/reset.h"

struct events {
	unsigned off, reset, total;
};

static void rec_event(void *opaque, enum power_event ev)
{
	struct events *e = opaque;

	e->total++;
	if (ev == POWER_OFF)
		e->off++;
	else if (ev == POWER_RESET)
		e->reset++;
}

static void setup(struct reset_ctl *r, struct events *e)
{
	memset(e, 0, sizeof(*e));
	memset(r, 0x5a, sizeof(*r));
	reset_ctl_init(r, rec_event, e);
}

TEST(reset_ctl_register, "REQ-PWR-009")
{
	struct reset_ctl r;
	struct events e;

	setup(&r, &e);
	CHECK_EQ(reset_ctl_read(&r, 0, 1), 0);
	CHECK_EQ(RESET_CTL_PORT, 0xcf9);
	reset_ctl_write(&r, 0, 0x0a, 1);                   /* SYS_RST | FULL_RST */
	CHECK_EQ(reset_ctl_read(&r, 0, 1), 0x0a);
	reset_ctl_write(&r, 0, 0xf1, 1);                   /* only undefined bits */
	CHECK_EQ(reset_ctl_read(&r, 0, 1), 0);
	reset_ctl_write(&r, 0, 0xffffff02, 1);             /* a byte: high bits dropped */
	CHECK_EQ(reset_ctl_read(&r, 0, 1), 0x02);
	CHECK_EQ(e.total, 0);
	reset_ctl_write(&r, 0, 0xff, 1);                   /* RST_CPU 0->1: reset */
	CHECK_EQ(reset_ctl_read(&r, 0, 1), 0x0e);          /* bits 1-3 read back */
	CHECK_EQ(e.reset, 1);
	/* Other lengths and offsets: all-ones, writes ignored. */
	for (unsigned len = 0; len <= 8; len++) {
		uint32_t ones = len >= 4 ? 0xffffffffu : (1u << (8 * len)) - 1;

		if (len != 1)
			CHECK_EQ(reset_ctl_read(&r, 0, len), ones);
		CHECK_EQ(reset_ctl_read(&r, 1, len), ones);
		CHECK_EQ(reset_ctl_read(&r, UINT64_MAX, len), ones);
	}
	setup(&r, &e);
	for (unsigned len = 0; len <= 8; len++) {
		if (len != 1)
			reset_ctl_write(&r, 0, 0x06, len);
		reset_ctl_write(&r, 1, 0x06, len);
		reset_ctl_write(&r, 3, 0x06, len);
		reset_ctl_write(&r, UINT64_MAX, 0x06, len);
	}
	CHECK_EQ(reset_ctl_read(&r, 0, 1), 0);
	CHECK_EQ(e.total, 0);
}

TEST(reset_ctl_rst_cpu_edge, "REQ-PWR-010 REQ-PWR-015")
{
	struct reset_ctl r;
	struct events e;

	setup(&r, &e);
	reset_ctl_write(&r, 0, ACPI_RESET_VALUE, 1);       /* the FADT's 0x06 */
	CHECK_EQ(e.reset, 1);
	CHECK_EQ(e.total, 1);
	reset_ctl_write(&r, 0, 0x06, 1);                   /* no edge: RST_CPU already 1 */
	CHECK_EQ(e.total, 1);
	CHECK_EQ(reset_ctl_read(&r, 0, 1), 0x06);
	setup(&r, &e);                                     /* the owner restarted the VM */
	reset_ctl_write(&r, 0, 0x0e, 1);                   /* full reset */
	CHECK_EQ(e.reset, 1);
	setup(&r, &e);
	reset_ctl_write(&r, 0, 0x02, 1);                   /* Linux reboot=pci */
	CHECK_EQ(e.total, 0);
	reset_ctl_write(&r, 0, 0x06, 1);
	CHECK_EQ(e.reset, 1);
	CHECK_EQ(e.total, 1);
	reset_ctl_write(&r, 0, 0x02, 1);                   /* RST_CPU back to 0 */
	CHECK_EQ(e.total, 1);
	reset_ctl_write(&r, 0, 0x04, 1);                   /* soft reset: also a reset */
	CHECK_EQ(e.reset, 2);
	for (unsigned i = 0; i < 8; i++)
		(void)reset_ctl_read(&r, 0, 1);            /* reads never reset */
	CHECK_EQ(e.total, 2);
	/* Every old value x every written byte: one event iff 0->1. */
	for (unsigned old = 0; old < 16; old += 2) {
		for (unsigned v = 0; v < 256; v++) {
			setup(&r, &e);
			r.value = (uint8_t)old;
			reset_ctl_write(&r, 0, v, 1);
			CHECK_EQ(e.reset, (!(old & 4) && (v & 4)) ? 1 : 0);
			CHECK_EQ(e.off, 0);
			CHECK_EQ(reset_ctl_read(&r, 0, 1), v & 0x0e);
		}
	}
	/* No callback: the register still works. */
	reset_ctl_init(&r, NULL, NULL);
	reset_ctl_write(&r, 0, 0x06, 1);
	CHECK_EQ(reset_ctl_read(&r, 0, 1), 0x06);
}
