/* Unit tests for the 8254 PIT model (docs/requirements/pit.md).
 *
 * Time in PIT clocks: tks(L, k) is the first ns at which k clocks have
 * elapsed since a load at L (the requirement's formula); mds(L, k) is half a
 * clock later, where a sample sees exactly k clocks even though L itself was
 * rounded to a ns. Rule used throughout: counts are loaded at tk() times,
 * samples are taken at md() times, and times never go backwards (the model
 * raises an earlier time to the latest one seen). */
#include "test.h"

#include <stdbool.h>

#include "dev/pit8254.h"

#define T0 1000000000ULL
#define CTRL 0x43

/* IRQ0 recorder. `bad` flags a call that did not change the level. */
struct fx {
	struct pit p;
	unsigned calls, rises;
	bool level, bad;
	unsigned bad_line;
};

static void fx_irq(void *opaque, unsigned line, bool level)
{
	struct fx *f = opaque;

	if (level == f->level)
		f->bad = true;
	if (line != 0)
		f->bad_line++;
	if (level)
		f->rises++;
	f->level = level;
	f->calls++;
}

static void fx_init(struct fx *f, uint64_t now)
{
	memset(f, 0, sizeof(*f));
	pit_init(&f->p, (struct irq_line){ fx_irq, f, 0 }, now);
}

/* ns after `base` at which k clocks have elapsed. */
static uint64_t tks(uint64_t base, uint64_t k)
{
	return base + (uint64_t)(((unsigned __int128)k * 1000000000ULL + PIT_HZ - 1) / PIT_HZ);
}

/* Mid-clock: k and a half clocks after `base`. */
static uint64_t mds(uint64_t base, uint64_t k)
{
	return base + (uint64_t)(((unsigned __int128)(2 * k + 1) * 1000000000ULL) / (2 * PIT_HZ));
}

static uint64_t tk(uint64_t k)
{
	return tks(T0, k);
}

static uint64_t md(uint64_t k)
{
	return mds(T0, k);
}

static void wr(struct fx *f, uint16_t port, uint8_t v, uint64_t now)
{
	pit_io_write(&f->p, port, v, now);
}

static uint8_t rd(struct fx *f, uint16_t port, uint64_t now)
{
	return pit_io_read(&f->p, port, now);
}

/* Control word "LSB then MSB, mode, binary" and a 16-bit count. */
static void prog(struct fx *f, unsigned ch, unsigned mode, unsigned count, uint64_t now)
{
	wr(f, CTRL, (uint8_t)(ch << 6 | 0x30 | mode << 1), now);
	wr(f, (uint16_t)(PIT_BASE + ch), (uint8_t)count, now);
	wr(f, (uint16_t)(PIT_BASE + ch), (uint8_t)(count >> 8), now);
}

/* Counter latch command, then LSB and MSB (channel in RW mode 3). */
static unsigned latch16(struct fx *f, unsigned ch, uint64_t now)
{
	unsigned lo, hi;

	wr(f, CTRL, (uint8_t)(ch << 6), now);
	lo = rd(f, (uint16_t)(PIT_BASE + ch), now);
	hi = rd(f, (uint16_t)(PIT_BASE + ch), now);
	return lo | hi << 8;
}

/* Read-back of the status byte only. */
static uint8_t status(struct fx *f, unsigned ch, uint64_t now)
{
	wr(f, CTRL, (uint8_t)(0xe0 | 2u << ch), now);
	return rd(f, (uint16_t)(PIT_BASE + ch), now);
}

static bool out2(struct fx *f, uint64_t now)
{
	return (rd(f, PIT_PORT_61, now) & 0x20) != 0;
}

static bool out0(struct fx *f, uint64_t now)
{
	return (status(f, 0, now) & 0x80) != 0;
}

TEST(pit_ports, "REQ-PIT-001")
{
	static const uint16_t others[] = { 0x3f, 0x44, 0x47, 0x60, 0x62, 0x20, 0x1040, 0xffff };
	struct fx f;
	struct pit before;

	fx_init(&f, T0);
	prog(&f, 0, 2, 100, T0);
	CHECK_EQ(rd(&f, CTRL, md(5)), 0xff);    /* control register is write-only */
	before = f.p;
	for (unsigned i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		CHECK_EQ(rd(&f, others[i], md(10)), 0xff);
		wr(&f, others[i], 0x00, md(10));
		wr(&f, others[i], 0xff, md(10));
	}
	CHECK(memcmp(&before, &f.p, sizeof(before)) == 0);
	/* The data ports are the three channels. */
	CHECK_EQ(latch16(&f, 0, md(10)), 90);
	prog(&f, 1, 0, 300, tk(20));
	prog(&f, 2, 2, 400, tk(20));
	CHECK_EQ(latch16(&f, 1, md(30)), 290);
	CHECK_EQ(latch16(&f, 2, md(30)), 400); /* gate 2 low: held */
	CHECK(!f.bad);
}

TEST(pit_time_base, "REQ-PIT-002")
{
	struct fx f;

	fx_init(&f, T0);
	prog(&f, 0, 0, 0xffff, T0);
	/* floor(elapsed ns * PIT_HZ / 1e9) from the load time: the count
	 * changes exactly at tks(T0, k). */
	for (uint64_t k = 1; k < 5000; k += 97) {
		CHECK_EQ(latch16(&f, 0, tk(k) - 1), 0xffff - (k - 1));
		CHECK_EQ(latch16(&f, 0, tk(k)), 0xffff - k);
	}
	/* A time earlier than one already seen counts as that time. */
	CHECK_EQ(latch16(&f, 0, T0), 0xffff - 4948);
	CHECK(!pit_channel_out(&f.p, 0, T0));
	CHECK_EQ(latch16(&f, 0, tk(6000)), 0xffff - 6000);
	/* Large elapsed times need 128-bit products: ten hours later. */
	CHECK_EQ(latch16(&f, 0, T0 + 36000ULL * 1000000000ULL),
		 (0xffff + 65536 - (36000ULL * PIT_HZ) % 65536) % 65536);
}

TEST(pit_no_drift, "REQ-PIT-002 REQ-PIT-011 REQ-PIT-020")
{
	struct fx f;
	const uint64_t n = 11932;       /* ~100 Hz */

	fx_init(&f, T0);
	prog(&f, 0, 2, (unsigned)n, T0);
	for (uint64_t k = 1; k <= 2000; k++) {
		CHECK_EQ(pit_next_deadline(&f.p), tk(k * n));
		pit_advance(&f.p, pit_next_deadline(&f.p));
	}
	/* One million periods later, still on the grid of the load time. */
	pit_advance(&f.p, tk(1000000 * n) + 5);
	CHECK_EQ(pit_next_deadline(&f.p), tk(1000001 * n));
	CHECK_EQ(latch16(&f, 0, md(1000000 * n + 7)), n - 7);
	CHECK(!f.bad);
}

TEST(pit_control_word, "REQ-PIT-003")
{
	struct fx f;
	uint64_t l;

	fx_init(&f, T0);
	prog(&f, 0, 2, 1000, T0);
	CHECK(f.level);                 /* mode 2: OUT high at once */
	wr(&f, CTRL, 0x34, md(300));    /* same mode again: count holds */
	CHECK_EQ(latch16(&f, 0, md(500)), 700);
	CHECK_EQ(pit_next_deadline(&f.p), TIME_NEVER);
	CHECK_EQ(status(&f, 0, md(500)), 0xc0 | 0x34);  /* OUT high, null count */
	/* Mode 0: OUT low right after the control word. */
	wr(&f, CTRL, 0x30, md(600));
	CHECK(!f.level);
	CHECK_EQ(status(&f, 0, md(600)), 0x40 | 0x30);
	/* Mode and BCD as written; RW picks the byte order. */
	wr(&f, CTRL, 0x1b, md(700));   /* ch0, LSB only, mode 5, BCD */
	CHECK_EQ(status(&f, 0, md(700)), 0xc0 | 0x1b);
	CHECK(f.level);
	wr(&f, CTRL, 0xbe, md(700));   /* ch2, LSB then MSB, mode 7 */
	CHECK_EQ(status(&f, 2, md(700)), 0xc0 | 0x3e);
	wr(&f, CTRL, 0x6c, md(700));   /* ch1, MSB only, mode 6 */
	CHECK_EQ(status(&f, 1, md(700)), 0xc0 | 0x2c);
	/* The control word resets the write toggle. */
	l = tk(800);
	wr(&f, CTRL, 0x30, l);
	wr(&f, PIT_BASE, 0x55, l);
	wr(&f, CTRL, 0x30, l);
	wr(&f, PIT_BASE, 0x10, l);
	wr(&f, PIT_BASE, 0x00, l);
	CHECK_EQ(pit_next_deadline(&f.p), tks(l, 16));
	/* ... and the read toggle. */
	(void)rd(&f, PIT_BASE, l);
	wr(&f, CTRL, 0x30, l);
	CHECK_EQ(rd(&f, PIT_BASE, l), 0x10);
	CHECK(!f.bad);
}

TEST(pit_mode_aliases, "REQ-PIT-003 REQ-PIT-011 REQ-PIT-012")
{
	struct fx f;
	uint64_t l = tk(200);

	fx_init(&f, T0);
	wr(&f, CTRL, 0x3c, T0);        /* mode 6 = mode 2 */
	wr(&f, PIT_BASE, 100, T0);
	wr(&f, PIT_BASE, 0, T0);
	CHECK_EQ(pit_next_deadline(&f.p), tk(100));
	CHECK(out0(&f, md(98)));
	CHECK(!out0(&f, md(99)));
	CHECK(out0(&f, md(100)));
	CHECK_EQ(latch16(&f, 0, md(150)), 50);
	wr(&f, CTRL, 0x3e, l);         /* mode 7 = mode 3 */
	wr(&f, PIT_BASE, 100, l);
	wr(&f, PIT_BASE, 0, l);
	CHECK(out0(&f, mds(l, 49)));
	CHECK(!out0(&f, mds(l, 50)));
	CHECK_EQ(pit_channel_period_ns(&f.p, 0), (100 * 1000000000ULL + PIT_HZ / 2) / PIT_HZ);
}

TEST(pit_count_rw_modes, "REQ-PIT-004")
{
	struct fx f;
	uint64_t l;

	fx_init(&f, T0);
	/* LSB only: MSB is 0; reads return the LSB only. */
	wr(&f, CTRL, 0x10, T0);
	wr(&f, PIT_BASE, 0x34, T0);
	CHECK_EQ(pit_next_deadline(&f.p), tk(0x34));
	CHECK_EQ(rd(&f, PIT_BASE, md(4)), 0x30);
	CHECK_EQ(rd(&f, PIT_BASE, md(4)), 0x30);
	/* MSB only: LSB is 0; reads return the MSB only. */
	l = tk(100);
	wr(&f, CTRL, 0x20, l);
	wr(&f, PIT_BASE, 0x12, l);
	CHECK_EQ(pit_next_deadline(&f.p), tks(l, 0x1200));
	CHECK_EQ(rd(&f, PIT_BASE, mds(l, 0x101)), 0x10);
	/* LSB then MSB: the count is loaded after the second byte. */
	l = tk(10000);
	wr(&f, CTRL, 0x30, l);
	wr(&f, PIT_BASE, 0x00, l);
	CHECK_EQ(pit_next_deadline(&f.p), TIME_NEVER);
	wr(&f, PIT_BASE, 0x02, l);
	CHECK_EQ(pit_next_deadline(&f.p), tks(l, 0x200));
	/* Count 0 is 65536 clocks; it reads 0, then 0xffff. */
	l = tk(20000);
	prog(&f, 0, 0, 0, l);
	CHECK_EQ(latch16(&f, 0, l), 0);
	CHECK_EQ(latch16(&f, 0, tks(l, 1)), 0xffff);
	CHECK_EQ(pit_next_deadline(&f.p), tks(l, 65536));
	/* LSB-only count 0 and MSB-only count 0 are 65536 too. */
	l = tk(100000);
	wr(&f, CTRL, 0x10, l);
	wr(&f, PIT_BASE, 0, l);
	CHECK_EQ(pit_next_deadline(&f.p), tks(l, 65536));
	l = tk(200000);
	wr(&f, CTRL, 0x20, l);
	wr(&f, PIT_BASE, 0, l);
	CHECK_EQ(pit_next_deadline(&f.p), tks(l, 65536));
	CHECK(!f.bad);
}

TEST(pit_bcd, "REQ-PIT-005 REQ-PIT-004")
{
	struct fx f;
	uint64_t l;

	fx_init(&f, T0);
	wr(&f, CTRL, 0x31, T0);        /* mode 0, BCD */
	wr(&f, PIT_BASE, 0x99, T0);
	wr(&f, PIT_BASE, 0x99, T0);
	CHECK_EQ(pit_next_deadline(&f.p), tk(9999));
	CHECK_EQ(latch16(&f, 0, md(1)), 0x9998);
	CHECK_EQ(latch16(&f, 0, md(1234)), 0x8765);
	CHECK_EQ(latch16(&f, 0, md(9999)), 0x0000);
	CHECK_EQ(latch16(&f, 0, md(10000)), 0x9999);  /* wraps in decimal */
	/* BCD count 0 is 10000 clocks. */
	l = tk(20000);
	wr(&f, CTRL, 0x31, l);
	wr(&f, PIT_BASE, 0, l);
	wr(&f, PIT_BASE, 0, l);
	CHECK_EQ(pit_next_deadline(&f.p), tks(l, 10000));
	CHECK_EQ(latch16(&f, 0, mds(l, 1)), 0x9999);
	/* Invalid digits A-F count as 9: 0x1a2f is 1929. */
	l = tk(40000);
	wr(&f, CTRL, 0x31, l);
	wr(&f, PIT_BASE, 0x2f, l);
	wr(&f, PIT_BASE, 0x1a, l);
	CHECK_EQ(latch16(&f, 0, l), 0x1929);
	CHECK_EQ(pit_next_deadline(&f.p), tks(l, 1929));
	l = tk(50000);
	wr(&f, CTRL, 0x31, l);
	wr(&f, PIT_BASE, 0xff, l);
	wr(&f, PIT_BASE, 0xff, l);
	CHECK_EQ(latch16(&f, 0, l), 0x9999);
	/* A binary value held from before reads as BCD modulo 10000. */
	l = tk(60000);
	prog(&f, 1, 0, 54321, l);
	wr(&f, CTRL, 0x71, l);         /* ch1 BCD mode 0, no count */
	CHECK_EQ(latch16(&f, 1, l), 0x4321);
	/* BCD periodic: count 0 = 10000 clocks per period. */
	l = tk(70000);
	wr(&f, CTRL, 0x37, l);         /* mode 3 BCD */
	wr(&f, PIT_BASE, 0, l);
	wr(&f, PIT_BASE, 0, l);
	CHECK_EQ(pit_next_deadline(&f.p), tks(l, 10000));
	CHECK_EQ(latch16(&f, 0, l), 0x0000);
	CHECK_EQ(latch16(&f, 0, mds(l, 1)), 0x9998);
	CHECK_EQ(pit_channel_period_ns(&f.p, 0), (10000 * 1000000000ULL + PIT_HZ / 2) / PIT_HZ);
	/* LSB-only BCD: two digits. */
	l = tk(90000);
	wr(&f, CTRL, 0x11, l);
	wr(&f, PIT_BASE, 0x42, l);
	CHECK_EQ(pit_next_deadline(&f.p), tks(l, 42));
	CHECK_EQ(rd(&f, PIT_BASE, mds(l, 2)), 0x40);
	CHECK(!f.bad);
}

TEST(pit_counter_latch, "REQ-PIT-006")
{
	struct fx f;
	uint64_t l;

	fx_init(&f, T0);
	prog(&f, 0, 2, 1000, T0);
	wr(&f, CTRL, 0x00, md(100));
	wr(&f, CTRL, 0x00, md(200));   /* ignored: still latched */
	CHECK_EQ(rd(&f, PIT_BASE, md(300)), 900 & 0xff);
	wr(&f, CTRL, 0x00, md(350));   /* ignored: MSB not yet read */
	CHECK_EQ(rd(&f, PIT_BASE, md(400)), 900 >> 8);
	/* Released: the next read is live. */
	CHECK_EQ(rd(&f, PIT_BASE, md(400)), 600 & 0xff);
	CHECK_EQ(rd(&f, PIT_BASE, md(400)), 600 >> 8);
	/* One-byte modes release after one byte. */
	l = tk(500);
	wr(&f, CTRL, 0x14, l);         /* LSB only, mode 2 */
	wr(&f, PIT_BASE, 200, l);
	wr(&f, CTRL, 0x00, mds(l, 10));
	CHECK_EQ(rd(&f, PIT_BASE, mds(l, 20)), 190);
	CHECK_EQ(rd(&f, PIT_BASE, mds(l, 20)), 180);
	l = tk(1000);
	wr(&f, CTRL, 0x24, l);         /* MSB only, mode 2 */
	wr(&f, PIT_BASE, 2, l);
	wr(&f, CTRL, 0x00, mds(l, 0x100));
	CHECK_EQ(rd(&f, PIT_BASE, mds(l, 0x1ff)), 1);
	CHECK_EQ(rd(&f, PIT_BASE, mds(l, 0x1ff)), 0);
	/* A control word releases a latch half read. */
	l = tk(3000);
	prog(&f, 0, 2, 1000, l);
	wr(&f, CTRL, 0x00, mds(l, 100));
	CHECK_EQ(rd(&f, PIT_BASE, mds(l, 100)), 900 & 0xff);
	wr(&f, CTRL, 0x34, mds(l, 200));
	CHECK_EQ(rd(&f, PIT_BASE, mds(l, 300)), 800 & 0xff);
	CHECK_EQ(rd(&f, PIT_BASE, mds(l, 300)), 800 >> 8);
	/* Latches are per channel. */
	l = tk(5000);
	prog(&f, 1, 2, 500, l);
	wr(&f, CTRL, 0x40, mds(l, 100));
	CHECK_EQ(latch16(&f, 0, mds(l, 200)), 800);
	CHECK_EQ(rd(&f, PIT_BASE + 1, mds(l, 300)), 400 & 0xff);
	CHECK_EQ(rd(&f, PIT_BASE + 1, mds(l, 300)), 400 >> 8);
}

TEST(pit_read_back, "REQ-PIT-007")
{
	struct fx f;

	fx_init(&f, T0);
	prog(&f, 0, 2, 1000, T0);
	prog(&f, 1, 0, 500, T0);
	wr(&f, CTRL, 0x95, T0);        /* ch2: LSB only, mode 2, BCD */
	wr(&f, PIT_BASE + 2, 0x50, T0);
	/* Count and status of all three. */
	wr(&f, CTRL, 0xce, md(100));
	CHECK_EQ(rd(&f, PIT_BASE, md(200)), 0xb4);     /* OUT, RW 3, mode 2 */
	CHECK_EQ(rd(&f, PIT_BASE, md(200)), 900 & 0xff);
	CHECK_EQ(rd(&f, PIT_BASE, md(200)), 900 >> 8);
	CHECK_EQ(rd(&f, PIT_BASE, md(200)), 800 & 0xff); /* live again */
	CHECK_EQ(rd(&f, PIT_BASE, md(200)), 800 >> 8);
	CHECK_EQ(rd(&f, PIT_BASE + 1, md(200)), 0x30);   /* OUT low, mode 0 */
	CHECK_EQ(rd(&f, PIT_BASE + 1, md(200)), 400 & 0xff);
	CHECK_EQ(rd(&f, PIT_BASE + 1, md(200)), 400 >> 8);
	CHECK_EQ(rd(&f, PIT_BASE + 2, md(200)), 0x95);   /* gate low: OUT high */
	CHECK_EQ(rd(&f, PIT_BASE + 2, md(200)), 0x50);   /* one byte */
	/* Status only: a second status latch before reading is ignored. */
	wr(&f, CTRL, 0xe4, md(300));   /* ch1 status */
	wr(&f, CTRL, 0xe4, md(600));   /* after terminal count: ignored */
	CHECK_EQ(rd(&f, PIT_BASE + 1, md(600)), 0x30);
	CHECK_EQ(rd(&f, PIT_BASE + 1, md(600)), (0x10000 - 100) & 0xff); /* live */
	CHECK_EQ(rd(&f, PIT_BASE + 1, md(600)), (0x10000 - 100) >> 8);
	CHECK_EQ(status(&f, 1, md(600)), 0xb0);
	/* Count only; a counter latch command while latched is ignored. */
	wr(&f, CTRL, 0xd2, md(1100));
	wr(&f, CTRL, 0x00, md(1150));
	CHECK_EQ(latch16(&f, 0, md(1200)), 900);
	/* Neither count nor status: nothing latched. */
	wr(&f, CTRL, 0xf2, md(1300));
	CHECK_EQ(rd(&f, PIT_BASE, md(1400)), 600 & 0xff);
	CHECK_EQ(rd(&f, PIT_BASE, md(1400)), 600 >> 8);
	/* No channel selected: nothing latched. */
	wr(&f, CTRL, 0xc0, md(1500));
	CHECK_EQ(rd(&f, PIT_BASE, md(1600)), 400 & 0xff);
	CHECK_EQ(rd(&f, PIT_BASE, md(1600)), 400 >> 8);
	/* Reserved bit 0 is ignored. */
	wr(&f, CTRL, 0xd3, md(1700));
	CHECK_EQ(latch16(&f, 0, md(1800)), 300);
	/* Count latched first, then status: status is still read first. */
	wr(&f, CTRL, 0xd2, md(1900));
	wr(&f, CTRL, 0xe2, md(1950));
	CHECK_EQ(rd(&f, PIT_BASE, md(2000)), 0xb4);
	CHECK_EQ(rd(&f, PIT_BASE, md(2000)), 100);
	CHECK_EQ(rd(&f, PIT_BASE, md(2000)), 0);
	/* Null count shows in the status until the count is loaded. */
	wr(&f, CTRL, 0x30, md(2100));
	CHECK_EQ(status(&f, 0, md(2100)) & 0x40, 0x40);
	wr(&f, PIT_BASE, 5, md(2100));
	CHECK_EQ(status(&f, 0, md(2100)) & 0x40, 0x40);
	wr(&f, PIT_BASE, 0, md(2100));
	CHECK_EQ(status(&f, 0, md(2100)) & 0x40, 0);
}

TEST(pit_live_reads, "REQ-PIT-008")
{
	struct fx f;
	uint64_t l = tk(0x120);

	fx_init(&f, T0);
	prog(&f, 0, 0, 0x200, T0);
	/* Each byte comes from the count at the time of its read. */
	CHECK_EQ(rd(&f, PIT_BASE, md(1)), 0xff);        /* 0x1ff */
	CHECK_EQ(rd(&f, PIT_BASE, md(0x100)), 0x01);    /* 0x100 */
	/* Read and write toggles are independent. */
	wr(&f, PIT_BASE, 0x00, md(0x100));             /* LSB: write expects MSB */
	CHECK_EQ(rd(&f, PIT_BASE, md(0x100)), 0x00);    /* read LSB of held 0x100 */
	CHECK_EQ(rd(&f, PIT_BASE, md(0x110)), 0x01);    /* MSB: still held */
	wr(&f, PIT_BASE, 0x03, l);                     /* MSB: count 0x300 */
	CHECK_EQ(rd(&f, PIT_BASE, mds(l, 1)), 0xff);
	CHECK_EQ(rd(&f, PIT_BASE, mds(l, 1)), 0x02);
}

TEST(pit_mode0, "REQ-PIT-009 REQ-PIT-018 REQ-PIT-020")
{
	struct fx f;
	uint64_t l;
	const unsigned held = (1000 + 65536 - 300000 % 65536) % 65536;

	fx_init(&f, T0);
	prog(&f, 0, 0, 1000, T0);
	CHECK_EQ(f.calls, 0);           /* OUT0 low, as the line already is */
	CHECK_EQ(pit_next_deadline(&f.p), tk(1000));
	CHECK_EQ(latch16(&f, 0, md(999)), 1);
	CHECK(!out0(&f, md(999)));
	pit_advance(&f.p, tk(1000) - 1);
	CHECK_EQ(f.calls, 0);
	pit_advance(&f.p, tk(1000));
	CHECK_EQ(f.calls, 1);
	CHECK(f.level);
	CHECK_EQ(pit_next_deadline(&f.p), TIME_NEVER);
	CHECK_EQ(latch16(&f, 0, tk(1000)), 0);
	CHECK_EQ(latch16(&f, 0, tk(1001)), 0xffff);     /* keeps counting */
	pit_advance(&f.p, tk(1000 + 65536 * 3));
	CHECK_EQ(f.calls, 1);                           /* OUT stays high */
	CHECK(out0(&f, tk(1000 + 65536 * 3)));
	/* First byte of a new count: OUT low at once, counting stops. */
	wr(&f, PIT_BASE, 0x10, tk(300000));
	CHECK(!f.level);
	CHECK_EQ(f.calls, 2);
	CHECK_EQ(pit_next_deadline(&f.p), TIME_NEVER);
	CHECK_EQ(latch16(&f, 0, tk(300100)), held);
	CHECK_EQ(latch16(&f, 0, tk(300200)), held);
	l = tk(300300);
	wr(&f, PIT_BASE, 0x00, l);                      /* count 16 */
	CHECK_EQ(pit_next_deadline(&f.p), tks(l, 16));
	/* Rewriting a running count restarts it. */
	l = tk(300310);
	prog(&f, 0, 0, 100, l);
	CHECK_EQ(pit_next_deadline(&f.p), tks(l, 100));
	pit_advance(&f.p, tks(l, 100));
	CHECK(f.level);
	CHECK_EQ(f.rises, 2);
	CHECK(!f.bad);
}

TEST(pit_mode0_first_byte_holds, "REQ-PIT-009")
{
	struct fx f;
	uint64_t l = tk(1000);

	fx_init(&f, T0);
	prog(&f, 0, 0, 1000, T0);
	wr(&f, PIT_BASE, 0x10, tk(500));
	/* Held at 500 while waiting for the MSB. */
	wr(&f, CTRL, 0x00, md(700));
	CHECK_EQ(rd(&f, PIT_BASE, md(700)), 500 & 0xff);
	CHECK_EQ(rd(&f, PIT_BASE, md(700)), 500 >> 8);
	CHECK_EQ(pit_next_deadline(&f.p), TIME_NEVER);
	/* The gate cannot restart a counter waiting for its MSB (channel 2). */
	prog(&f, 2, 0, 1000, l);
	wr(&f, PIT_PORT_61, 1, l);
	wr(&f, PIT_BASE + 2, 0x10, mds(l, 100));
	wr(&f, PIT_PORT_61, 0, mds(l, 200));
	wr(&f, PIT_PORT_61, 1, mds(l, 300));
	CHECK_EQ(latch16(&f, 2, mds(l, 400)), 900);
	CHECK(!out2(&f, mds(l, 5000)));
}

TEST(pit_mode0_gate, "REQ-PIT-009 REQ-PIT-016")
{
	struct fx f;
	uint64_t l;

	fx_init(&f, T0);
	prog(&f, 2, 0, 100, T0);        /* gate 2 low: loaded, held */
	CHECK_EQ(latch16(&f, 2, md(50)), 100);
	CHECK_EQ(status(&f, 2, md(50)) & 0x40, 0);  /* loaded: no null count */
	CHECK(!out2(&f, md(50)));
	l = tk(60);
	wr(&f, PIT_PORT_61, 1, l);
	CHECK(!out2(&f, mds(l, 99)));
	CHECK(out2(&f, mds(l, 100)));
	/* Pause with 50 left, resume later. */
	l = tk(300);
	prog(&f, 2, 0, 100, l);
	wr(&f, PIT_PORT_61, 0, mds(l, 50));
	CHECK_EQ(latch16(&f, 2, mds(l, 200)), 50);
	CHECK(!out2(&f, mds(l, 200)));
	l = tk(600);
	wr(&f, PIT_PORT_61, 1, l);
	CHECK(!out2(&f, mds(l, 49)));
	CHECK(out2(&f, mds(l, 50)));
	/* Paused after terminal count: OUT stays high; counting goes on from
	 * the held value on resume, with no second terminal count. */
	wr(&f, PIT_PORT_61, 0, mds(l, 60));
	CHECK(out2(&f, mds(l, 70)));
	CHECK_EQ(latch16(&f, 2, mds(l, 70)), 0x10000 - 10);
	l = tk(1000);
	wr(&f, PIT_PORT_61, 1, l);
	CHECK_EQ(latch16(&f, 2, mds(l, 5)), 0x10000 - 15);
	CHECK(out2(&f, mds(l, 0x10000 - 10)));
	/* Paused exactly at terminal count (held 0): resumes from 65536. */
	l = tk(200000);
	prog(&f, 2, 0, 10, l);
	wr(&f, PIT_PORT_61, 0, tks(l, 10));
	CHECK(out2(&f, mds(l, 10)));
	CHECK_EQ(latch16(&f, 2, mds(l, 20)), 0);
	l = tk(200100);
	wr(&f, PIT_PORT_61, 1, l);
	CHECK_EQ(latch16(&f, 2, mds(l, 1)), 0xffff);
	CHECK(out2(&f, mds(l, 1)));
	/* Gate writes with no level change do nothing. */
	wr(&f, PIT_PORT_61, 1, mds(l, 10));
	CHECK_EQ(latch16(&f, 2, mds(l, 10)), 0xffff - 9);
}

TEST(pit_mode1, "REQ-PIT-010 REQ-PIT-016")
{
	struct fx f;
	uint64_t l = tk(10);

	fx_init(&f, T0);
	prog(&f, 2, 1, 100, T0);
	CHECK(out2(&f, T0));                            /* high until triggered */
	CHECK_EQ(status(&f, 2, T0) & 0x40, 0x40);       /* not loaded yet */
	CHECK_EQ(latch16(&f, 2, md(5)), 0);             /* unloaded counter */
	wr(&f, PIT_PORT_61, 1, l);                      /* trigger */
	CHECK_EQ(status(&f, 2, l) & 0xc0, 0);           /* OUT low, loaded */
	CHECK_EQ(latch16(&f, 2, l), 100);
	CHECK(!out2(&f, mds(l, 99)));
	CHECK(out2(&f, mds(l, 100)));
	CHECK_EQ(latch16(&f, 2, mds(l, 101)), 0xffff);
	CHECK(out2(&f, mds(l, 100 + 65536)));           /* one shot only */
	/* Retrigger during the one-shot restarts it; gate low does not stop it. */
	wr(&f, PIT_PORT_61, 0, tk(200000));
	l = tk(200010);
	wr(&f, PIT_PORT_61, 1, l);
	wr(&f, PIT_PORT_61, 0, mds(l, 40));
	CHECK_EQ(latch16(&f, 2, mds(l, 50)), 50);
	l = tk(200070);
	wr(&f, PIT_PORT_61, 1, l);
	CHECK(!out2(&f, mds(l, 99)));
	CHECK(out2(&f, mds(l, 100)));
	/* A new count waits for the next trigger. */
	l = tk(300000);
	wr(&f, PIT_BASE + 2, 20, l);
	wr(&f, PIT_BASE + 2, 0, l);
	CHECK_EQ(status(&f, 2, l) & 0x40, 0x40);
	CHECK(out2(&f, l));
	wr(&f, PIT_PORT_61, 0, mds(l, 10));
	l = tk(300020);
	wr(&f, PIT_PORT_61, 1, l);
	CHECK(!out2(&f, mds(l, 19)));
	CHECK(out2(&f, mds(l, 20)));
	/* No count after the control word: a trigger does nothing. */
	wr(&f, CTRL, 0xb2, tk(400000));
	wr(&f, PIT_PORT_61, 0, tk(400010));
	wr(&f, PIT_PORT_61, 1, tk(400020));
	CHECK(out2(&f, tk(400030)));
	CHECK_EQ(status(&f, 2, tk(400030)) & 0x40, 0x40);
}

TEST(pit_mode1_5_channel0, "REQ-PIT-010 REQ-PIT-014 REQ-PIT-016 REQ-PIT-020")
{
	struct fx f;
	uint64_t l = tk(100020);

	fx_init(&f, T0);
	prog(&f, 0, 1, 100, T0);
	/* Gate 0 is tied high: never triggered, OUT0 high. */
	CHECK(f.level);
	CHECK_EQ(pit_next_deadline(&f.p), TIME_NEVER);
	pit_advance(&f.p, tk(100000));
	CHECK_EQ(f.calls, 1);
	prog(&f, 0, 5, 100, tk(100000));
	CHECK_EQ(pit_next_deadline(&f.p), TIME_NEVER);
	CHECK_EQ(f.calls, 1);
	/* Writing port 0x61 never gates channels 0 and 1. */
	wr(&f, PIT_PORT_61, 1, tk(100010));
	wr(&f, PIT_PORT_61, 0, l);
	CHECK_EQ(pit_next_deadline(&f.p), TIME_NEVER);
	prog(&f, 1, 0, 100, l);
	wr(&f, PIT_PORT_61, 1, mds(l, 10));
	CHECK_EQ(latch16(&f, 1, mds(l, 30)), 70);
}

TEST(pit_mode2, "REQ-PIT-011 REQ-PIT-018 REQ-PIT-019")
{
	struct fx f;

	fx_init(&f, T0);
	prog(&f, 0, 2, 4, T0);
	CHECK(f.level);
	CHECK_EQ(f.calls, 1);
	/* N, N-1, ... 1; OUT low while at 1, then reload. */
	CHECK_EQ(latch16(&f, 0, T0), 4);
	CHECK_EQ(latch16(&f, 0, md(1)), 3);
	CHECK(out0(&f, md(2)));
	CHECK_EQ(latch16(&f, 0, md(3)), 1);
	CHECK(!out0(&f, md(3)));
	CHECK_EQ(latch16(&f, 0, md(4)), 4);
	CHECK(out0(&f, md(4)));
	CHECK(!out0(&f, md(7)));
	CHECK_EQ(pit_next_deadline(&f.p), tk(8));
	/* The line follows at each advance. */
	fx_init(&f, T0);
	prog(&f, 0, 2, 100, T0);
	pit_advance(&f.p, md(99));
	CHECK(!f.level);
	pit_advance(&f.p, tk(100));
	CHECK(f.level);
	CHECK_EQ(f.rises, 2);
	CHECK_EQ(pit_next_deadline(&f.p), tk(200));
	CHECK(!f.bad);
}

TEST(pit_mode3, "REQ-PIT-012 REQ-PIT-018")
{
	struct fx f;
	uint64_t l;

	fx_init(&f, T0);
	prog(&f, 0, 3, 5, T0);          /* odd: high 3, low 2 */
	CHECK(out0(&f, md(0)));
	CHECK(out0(&f, md(2)));
	CHECK(!out0(&f, md(3)));
	CHECK(!out0(&f, md(4)));
	CHECK(out0(&f, md(5)));
	CHECK_EQ(latch16(&f, 0, md(5)), 4);
	CHECK_EQ(latch16(&f, 0, md(6)), 2);
	CHECK_EQ(latch16(&f, 0, md(7)), 0);
	CHECK_EQ(latch16(&f, 0, md(8)), 4);
	CHECK_EQ(latch16(&f, 0, md(9)), 2);
	CHECK_EQ(pit_next_deadline(&f.p), tk(10));
	l = tk(100);
	prog(&f, 0, 3, 6, l);           /* even: high 3, low 3 */
	CHECK_EQ(latch16(&f, 0, l), 6);
	CHECK_EQ(latch16(&f, 0, mds(l, 2)), 2);
	CHECK(out0(&f, mds(l, 2)));
	CHECK(!out0(&f, mds(l, 3)));
	CHECK_EQ(latch16(&f, 0, mds(l, 3)), 6);
	CHECK(!out0(&f, mds(l, 5)));
	CHECK(out0(&f, mds(l, 6)));
	/* Count 0: 65536, reads 0 then 0xfffe. */
	l = tk(200);
	prog(&f, 0, 3, 0, l);
	CHECK_EQ(latch16(&f, 0, l), 0);
	CHECK_EQ(latch16(&f, 0, mds(l, 1)), 0xfffe);
	CHECK(out0(&f, mds(l, 32767)));
	CHECK(!out0(&f, mds(l, 32768)));
	/* The line goes low in the low half and rises at the period. */
	fx_init(&f, T0);
	prog(&f, 0, 3, 100, T0);
	pit_advance(&f.p, md(50));
	CHECK(!f.level);
	CHECK_EQ(pit_next_deadline(&f.p), tk(100));
	pit_advance(&f.p, tk(100));
	CHECK(f.level);
	CHECK_EQ(f.rises, 2);
	CHECK(!f.bad);
}

TEST(pit_mode3_channel2_speaker, "REQ-PIT-012 REQ-PIT-016 REQ-PIT-017")
{
	struct fx f;
	uint64_t l = tk(20);

	fx_init(&f, T0);
	prog(&f, 2, 3, 10, T0);
	CHECK(out2(&f, md(7)));         /* gate low: OUT high, stopped */
	CHECK_EQ(latch16(&f, 2, md(7)), 10);
	wr(&f, PIT_PORT_61, 3, l);      /* gate + speaker on: starts */
	CHECK(out2(&f, mds(l, 4)));
	CHECK(!out2(&f, mds(l, 5)));
	CHECK(out2(&f, mds(l, 10)));
	/* Gate low in the low half: OUT forced high, count held. */
	wr(&f, PIT_PORT_61, 2, mds(l, 16));
	CHECK(out2(&f, mds(l, 16)));
	CHECK_EQ(latch16(&f, 2, mds(l, 30)), 8);
	/* Rising edge: a full period from the start. */
	l = tk(100);
	wr(&f, PIT_PORT_61, 3, l);
	CHECK_EQ(latch16(&f, 2, l), 10);
	CHECK(!out2(&f, mds(l, 5)));
	/* Gate low then high with no count after a control word: stays stopped. */
	wr(&f, CTRL, 0xb6, mds(l, 100));
	wr(&f, PIT_PORT_61, 0, mds(l, 110));
	wr(&f, PIT_PORT_61, 1, mds(l, 120));
	CHECK(out2(&f, mds(l, 130)));
	CHECK_EQ(status(&f, 2, mds(l, 130)), 0xc0 | 0x36);
}

TEST(pit_mode2_gate, "REQ-PIT-011 REQ-PIT-016")
{
	struct fx f;
	uint64_t l = tk(16);

	fx_init(&f, T0);
	wr(&f, PIT_PORT_61, 1, T0);
	prog(&f, 2, 2, 10, T0);
	CHECK(!out2(&f, md(9)));
	wr(&f, PIT_PORT_61, 0, md(9));  /* low: OUT high at once */
	CHECK(out2(&f, md(9)));
	CHECK_EQ(latch16(&f, 2, md(15)), 1);
	wr(&f, PIT_PORT_61, 1, l);      /* rising edge: reload */
	CHECK_EQ(latch16(&f, 2, l), 10);
	CHECK(!out2(&f, mds(l, 9)));
	CHECK(out2(&f, mds(l, 10)));
	/* Count written while the gate is low: loaded, starts on the edge. */
	wr(&f, PIT_PORT_61, 0, mds(l, 20));
	wr(&f, PIT_BASE + 2, 20, mds(l, 20));
	wr(&f, PIT_BASE + 2, 0, mds(l, 20));
	CHECK_EQ(latch16(&f, 2, mds(l, 30)), 20);
	CHECK_EQ(status(&f, 2, mds(l, 30)), 0x80 | 0x34);
	l = tk(100);
	wr(&f, PIT_PORT_61, 1, l);
	CHECK(!out2(&f, mds(l, 19)));
	CHECK(out2(&f, mds(l, 20)));
}

TEST(pit_mode4, "REQ-PIT-013 REQ-PIT-018 REQ-PIT-019 REQ-PIT-020")
{
	struct fx f;
	uint64_t l = tk(200000);

	fx_init(&f, T0);
	prog(&f, 0, 4, 100, T0);
	CHECK(f.level);                 /* OUT high */
	CHECK_EQ(status(&f, 0, T0) & 0x40, 0);
	CHECK_EQ(pit_next_deadline(&f.p), tk(101));
	pit_advance(&f.p, tk(100));     /* one-clock strobe */
	CHECK(!f.level);
	CHECK_EQ(latch16(&f, 0, tk(100)), 0);
	pit_advance(&f.p, tk(101));
	CHECK(f.level);
	CHECK_EQ(f.rises, 2);
	CHECK_EQ(pit_next_deadline(&f.p), TIME_NEVER);
	CHECK(out0(&f, md(100 + 65536)));  /* one strobe per count */
	/* A new count restarts; a skipped strobe still reaches IRQ0. */
	prog(&f, 0, 4, 50, l);
	CHECK_EQ(pit_next_deadline(&f.p), tks(l, 51));
	pit_advance(&f.p, tk(300000));
	CHECK_EQ(f.rises, 3);
	CHECK(f.level);
	CHECK_EQ(f.calls, 5);
	CHECK(!f.bad);
}

TEST(pit_mode4_gate, "REQ-PIT-013 REQ-PIT-016")
{
	struct fx f;
	uint64_t l = tk(20);

	fx_init(&f, T0);
	prog(&f, 2, 4, 100, T0);        /* gate low: held */
	CHECK(out2(&f, md(10)));
	CHECK_EQ(latch16(&f, 2, md(10)), 100);
	wr(&f, PIT_PORT_61, 1, l);
	wr(&f, PIT_PORT_61, 0, mds(l, 50));  /* 50 left */
	CHECK_EQ(latch16(&f, 2, mds(l, 70)), 50);
	l = tk(100);
	wr(&f, PIT_PORT_61, 1, l);
	CHECK(out2(&f, mds(l, 49)));
	CHECK(!out2(&f, mds(l, 50)));
	CHECK(out2(&f, mds(l, 51)));
	/* Paused during the strobe: the strobe ends on resume. */
	l = tk(1000);
	prog(&f, 2, 4, 10, l);
	wr(&f, PIT_PORT_61, 0, mds(l, 10));
	CHECK(!out2(&f, mds(l, 20)));
	l = tk(1100);
	wr(&f, PIT_PORT_61, 1, l);
	CHECK(out2(&f, l));
	CHECK_EQ(latch16(&f, 2, mds(l, 1)), 0xffff);
	CHECK(out2(&f, mds(l, 65536)));
	/* Paused after the strobe: no second strobe. */
	l = tk(100000);
	prog(&f, 2, 4, 10, l);
	wr(&f, PIT_PORT_61, 0, mds(l, 20));
	l = tk(100030);
	wr(&f, PIT_PORT_61, 1, l);
	CHECK(out2(&f, mds(l, 0x10000 - 10)));
}

TEST(pit_mode5, "REQ-PIT-014 REQ-PIT-016")
{
	struct fx f;
	uint64_t l = tk(10);

	fx_init(&f, T0);
	prog(&f, 2, 5, 100, T0);
	CHECK(out2(&f, T0));
	CHECK_EQ(status(&f, 2, T0) & 0x40, 0x40);
	wr(&f, PIT_PORT_61, 1, l);      /* trigger */
	CHECK_EQ(status(&f, 2, l) & 0x40, 0);
	CHECK(out2(&f, mds(l, 99)));
	CHECK(!out2(&f, mds(l, 100)));
	CHECK(out2(&f, mds(l, 101)));
	CHECK(out2(&f, mds(l, 100 + 65536)));
	/* Retrigger before terminal count restarts. */
	wr(&f, PIT_PORT_61, 0, tk(200000));
	l = tk(200010);
	wr(&f, PIT_PORT_61, 1, l);
	wr(&f, PIT_PORT_61, 0, mds(l, 40));
	l = tk(200060);
	wr(&f, PIT_PORT_61, 1, l);
	CHECK(out2(&f, mds(l, 50)));
	CHECK(!out2(&f, mds(l, 100)));
	CHECK(out2(&f, mds(l, 101)));
}

TEST(pit_periodic_rewrite, "REQ-PIT-015 REQ-PIT-011 REQ-PIT-020")
{
	struct fx f;

	fx_init(&f, T0);
	prog(&f, 0, 2, 100, T0);
	prog(&f, 0, 2, 100, T0);        /* same control word restarts */
	wr(&f, PIT_BASE, 50, md(30));
	CHECK_EQ(status(&f, 0, md(30)) & 0x40, 0x40);
	wr(&f, PIT_BASE, 0, md(30));
	CHECK_EQ(status(&f, 0, md(30)) & 0x40, 0x40);
	CHECK_EQ(latch16(&f, 0, md(40)), 60);           /* old period goes on */
	CHECK_EQ(pit_next_deadline(&f.p), tk(100));
	CHECK_EQ(pit_channel_period_ns(&f.p, 0), (50 * 1000000000ULL + PIT_HZ / 2) / PIT_HZ);
	/* A second write before the end replaces it. */
	wr(&f, PIT_BASE, 40, md(50));
	wr(&f, PIT_BASE, 0, md(50));
	pit_advance(&f.p, tk(100));
	CHECK_EQ(status(&f, 0, tk(100)) & 0x40, 0);
	CHECK_EQ(pit_next_deadline(&f.p), tks(tk(100), 40));
	CHECK_EQ(latch16(&f, 0, mds(tk(100), 10)), 30);
	CHECK_EQ(f.rises, 2);
	/* Written exactly at a period boundary: waits a whole period. */
	fx_init(&f, T0);
	prog(&f, 0, 2, 10, T0);
	wr(&f, PIT_BASE, 20, tk(10));
	wr(&f, PIT_BASE, 0, tk(10));
	CHECK_EQ(pit_next_deadline(&f.p), tk(20));
	CHECK_EQ(pit_channel_period_ns(&f.p, 0), (20 * 1000000000ULL + PIT_HZ / 2) / PIT_HZ);
	pit_advance(&f.p, md(25));
	CHECK_EQ(pit_next_deadline(&f.p), tks(tk(20), 20));
	CHECK(!f.bad);
}

TEST(pit_mode3_rewrite, "REQ-PIT-015 REQ-PIT-012")
{
	struct fx f;
	uint64_t p, l;

	/* Written in the high half: loaded when it ends, starting low. */
	fx_init(&f, T0);
	prog(&f, 0, 3, 100, T0);
	wr(&f, PIT_BASE, 40, md(10));
	wr(&f, PIT_BASE, 0, md(10));
	p = tk(50);
	CHECK_EQ(pit_next_deadline(&f.p), tks(p, 20));
	CHECK(out0(&f, p - 1));
	CHECK(!out0(&f, p));
	CHECK_EQ(latch16(&f, 0, p), 40);
	CHECK_EQ(status(&f, 0, p) & 0x40, 0);
	pit_advance(&f.p, tks(p, 20));
	CHECK(f.level);
	CHECK_EQ(pit_next_deadline(&f.p), tks(p, 60));
	CHECK(out0(&f, mds(p, 39)));
	CHECK(!out0(&f, mds(p, 40)));
	/* Written in the low half: loaded at the end of the period. */
	fx_init(&f, T0);
	prog(&f, 0, 3, 100, T0);
	wr(&f, PIT_BASE, 40, md(60));
	wr(&f, PIT_BASE, 0, md(60));
	CHECK_EQ(pit_next_deadline(&f.p), tk(100));
	pit_advance(&f.p, tk(100));
	CHECK_EQ(pit_next_deadline(&f.p), tks(tk(100), 40));
	CHECK(out0(&f, mds(tk(100), 19)));
	CHECK(!out0(&f, mds(tk(100), 20)));
	/* Odd new count written in the high half starts low for floor(N/2). */
	fx_init(&f, T0);
	prog(&f, 0, 3, 10, T0);
	wr(&f, PIT_BASE, 7, md(1));
	wr(&f, PIT_BASE, 0, md(1));
	CHECK_EQ(pit_next_deadline(&f.p), tks(tk(5), 3));
	/* New count 1 in the high half: 1-clock period from the boundary. */
	fx_init(&f, T0);
	prog(&f, 0, 3, 10, T0);
	wr(&f, PIT_BASE, 1, md(1));
	wr(&f, PIT_BASE, 0, md(1));
	CHECK_EQ(pit_next_deadline(&f.p), tks(tk(5), 1));
	/* Count 1 running, new count: loaded at the next clock. */
	l = tk(100);
	prog(&f, 0, 3, 1, l);
	wr(&f, PIT_BASE, 8, l);
	wr(&f, PIT_BASE, 0, l);
	CHECK_EQ(pit_next_deadline(&f.p), tks(l, 1));
	pit_advance(&f.p, tks(l, 1));
	CHECK_EQ(pit_next_deadline(&f.p), tks(tks(l, 1), 8));
	CHECK(!f.bad);
}

TEST(pit_rewrite_then_gate, "REQ-PIT-015 REQ-PIT-016")
{
	struct fx f;
	uint64_t l = tk(46);

	fx_init(&f, T0);
	wr(&f, PIT_PORT_61, 1, T0);
	prog(&f, 2, 2, 100, T0);
	wr(&f, PIT_BASE + 2, 50, md(30));
	wr(&f, PIT_BASE + 2, 0, md(30));
	wr(&f, PIT_PORT_61, 0, md(40));
	CHECK_EQ(latch16(&f, 2, md(45)), 60);
	CHECK_EQ(status(&f, 2, md(45)), 0xc0 | 0x34);   /* not loaded yet */
	wr(&f, PIT_PORT_61, 1, l);                      /* the edge loads it */
	CHECK_EQ(latch16(&f, 2, l), 50);
	CHECK_EQ(status(&f, 2, l), 0x80 | 0x34);
	CHECK(!out2(&f, mds(l, 49)));
	CHECK(out2(&f, mds(l, 50)));
	/* A control word drops a count waiting for the period end. */
	wr(&f, PIT_BASE + 2, 10, mds(l, 60));
	wr(&f, PIT_BASE + 2, 0, mds(l, 60));
	wr(&f, CTRL, 0xb4, mds(l, 70));
	CHECK_EQ(latch16(&f, 2, mds(l, 200)), 30);
}

TEST(pit_port61, "REQ-PIT-017 REQ-PIT-016")
{
	struct fx f;

	fx_init(&f, 0);
	CHECK_EQ(rd(&f, PIT_PORT_61, 0), 0x00);
	wr(&f, PIT_PORT_61, 0xff, 0);
	CHECK_EQ(rd(&f, PIT_PORT_61, 0) & 0xcf, 0x03);  /* bits 2,3,6,7 read 0 */
	wr(&f, PIT_PORT_61, 0xfe, 0);
	CHECK_EQ(rd(&f, PIT_PORT_61, 0) & 0xcf, 0x02);
	wr(&f, PIT_PORT_61, 0x01, 0);
	CHECK_EQ(rd(&f, PIT_PORT_61, 0) & 0xcf, 0x01);
	/* Bit 4 toggles every PIT_REFRESH_NS. */
	CHECK_EQ(rd(&f, PIT_PORT_61, PIT_REFRESH_NS - 1) & 0x10, 0);
	CHECK_EQ(rd(&f, PIT_PORT_61, PIT_REFRESH_NS) & 0x10, 0x10);
	CHECK_EQ(rd(&f, PIT_PORT_61, 2 * PIT_REFRESH_NS - 1) & 0x10, 0x10);
	CHECK_EQ(rd(&f, PIT_PORT_61, 2 * PIT_REFRESH_NS) & 0x10, 0);
	CHECK_EQ(rd(&f, PIT_PORT_61, 1001 * PIT_REFRESH_NS) & 0x10, 0x10);
	/* Bit 5 is OUT2: low in mode 0 until terminal count. */
	CHECK_EQ(rd(&f, PIT_PORT_61, 1001 * PIT_REFRESH_NS) & 0x20, 0);
	wr(&f, CTRL, 0xb0, 1001 * PIT_REFRESH_NS);
	wr(&f, PIT_BASE + 2, 1, 1001 * PIT_REFRESH_NS);
	wr(&f, PIT_BASE + 2, 0, 1001 * PIT_REFRESH_NS);
	CHECK_EQ(rd(&f, PIT_PORT_61, 1001 * PIT_REFRESH_NS) & 0x20, 0);
	CHECK_EQ(rd(&f, PIT_PORT_61, 1002 * PIT_REFRESH_NS) & 0x20, 0x20);
	/* The speaker bit alone does not gate channel 2. */
	wr(&f, PIT_PORT_61, 0x02, 1002 * PIT_REFRESH_NS);
	CHECK_EQ(f.p.ch[2].gate, 0);
	CHECK_EQ(f.calls, 0);           /* channel 2 is not IRQ0 */
}

TEST(pit_irq_only_on_change, "REQ-PIT-018")
{
	struct fx f;
	struct fx g;

	fx_init(&f, T0);
	CHECK_EQ(f.calls, 0);           /* init: line taken as low, no call */
	prog(&f, 0, 2, 100, T0);        /* OUT0 high: one call */
	CHECK_EQ(f.calls, 1);
	prog(&f, 0, 3, 100, tk(10));    /* still high: no call */
	prog(&f, 0, 4, 100, tk(20));
	CHECK_EQ(f.calls, 1);
	for (uint64_t k = 21; k < 100; k++)
		pit_advance(&f.p, tk(k));
	CHECK_EQ(f.calls, 1);
	/* Reads and other channels never touch the line. */
	(void)rd(&f, PIT_BASE, tk(100));
	prog(&f, 1, 2, 3, tk(100));
	prog(&f, 2, 2, 3, tk(100));
	wr(&f, PIT_PORT_61, 1, tk(100));
	pit_advance(&f.p, tk(110));
	CHECK_EQ(f.calls, 1);
	CHECK_EQ(f.bad_line, 0);
	CHECK(!f.bad);
	/* A NULL fn is allowed; the line number is passed back. */
	memset(&g, 0, sizeof(g));
	pit_init(&g.p, (struct irq_line){ NULL, NULL, 0 }, T0);
	prog(&g, 0, 2, 2, T0);
	pit_advance(&g.p, tk(1000));
	CHECK(g.p.irq0_level);
	memset(&g, 0, sizeof(g));
	pit_init(&g.p, (struct irq_line){ fx_irq, &g, 7 }, T0);
	prog(&g, 0, 2, 2, T0);
	CHECK_EQ(g.bad_line, 1);
}

TEST(pit_coalesce, "REQ-PIT-019 REQ-PIT-020")
{
	struct fx f;
	uint64_t l = tk(20000);

	fx_init(&f, T0);
	prog(&f, 0, 2, 10, T0);
	CHECK_EQ(f.calls, 1);
	/* 1000 periods pass in one advance: one low->high. */
	pit_advance(&f.p, md(10005));
	CHECK_EQ(f.calls, 3);
	CHECK_EQ(f.rises, 2);
	CHECK(f.level);
	CHECK_EQ(pit_next_deadline(&f.p), tk(10010));
	/* Inside the low clock, before the rise: just the level. */
	pit_advance(&f.p, md(10009));
	CHECK_EQ(f.calls, 4);
	CHECK(!f.level);
	pit_advance(&f.p, tk(10010));
	CHECK_EQ(f.calls, 5);
	CHECK(f.level);
	/* Port writes deliver due edges first (periods up to 20000). */
	prog(&f, 0, 3, 10, l);
	CHECK_EQ(f.calls, 7);
	CHECK_EQ(f.rises, 4);
	/* Mode 3: skipped periods, landing in a low half: low, high, low. */
	pit_advance(&f.p, mds(l, 76));
	CHECK_EQ(f.calls, 10);
	CHECK_EQ(f.rises, 5);
	CHECK(!f.level);
	/* A port read delivers a due edge just as advance does. */
	(void)rd(&f, PIT_BASE, mds(l, 80));
	CHECK_EQ(f.rises, 6);
	CHECK(f.level);
	/* The deadline is never in the past. */
	for (uint64_t k = 81; k < 200; k += 3) {
		pit_advance(&f.p, mds(l, k));
		CHECK(pit_next_deadline(&f.p) > mds(l, k));
		CHECK_EQ(pit_next_deadline(&f.p), tks(l, (k / 10 + 1) * 10));
	}
	CHECK(!f.bad);
}

TEST(pit_count_one, "REQ-PIT-021 REQ-PIT-019")
{
	struct fx f;
	const uint64_t day = T0 + 86400ULL * 1000000000ULL;
	uint64_t l;

	fx_init(&f, T0);
	prog(&f, 0, 2, 1, T0);
	CHECK(f.level);
	CHECK_EQ(latch16(&f, 0, T0), 1);
	CHECK_EQ(pit_next_deadline(&f.p), tk(1));
	/* One second at 1.19 MHz: one coalesced edge, no per-clock work. */
	pit_advance(&f.p, T0 + 1000000000ULL);
	CHECK_EQ(f.rises, 2);
	CHECK_EQ(f.calls, 3);
	CHECK(out0(&f, T0 + 1000000000ULL));
	CHECK_EQ(latch16(&f, 0, T0 + 1000000000ULL), 1);
	CHECK_EQ(pit_next_deadline(&f.p), tk(PIT_HZ + 1));
	/* A day later, still one edge. */
	pit_advance(&f.p, day);
	CHECK_EQ(f.rises, 3);
	/* Advanced deadline by deadline: one edge per clock. */
	pit_advance(&f.p, pit_next_deadline(&f.p));
	pit_advance(&f.p, pit_next_deadline(&f.p));
	CHECK_EQ(f.rises, 5);
	/* Mode 3 count 1: same, reads 0. */
	l = day + 10000;
	prog(&f, 0, 3, 1, l);           /* delivers the edge due since */
	CHECK_EQ(f.rises, 6);
	CHECK_EQ(latch16(&f, 0, mds(l, 3)), 0);
	CHECK_EQ(f.rises, 7);
	CHECK(out0(&f, mds(l, 3)));
	pit_advance(&f.p, mds(l, 1000));
	CHECK_EQ(f.rises, 8);
	CHECK_EQ(pit_next_deadline(&f.p), tks(l, 1001));
	CHECK_EQ(pit_channel_period_ns(&f.p, 0), 838);   /* 1 / 1193182 Hz */
	CHECK(!f.bad);
}

TEST(pit_unprogrammed, "REQ-PIT-022")
{
	struct fx f;
	uint64_t l = tk(1000000);

	fx_init(&f, T0);
	for (unsigned ch = 0; ch < 3; ch++) {
		CHECK_EQ(rd(&f, (uint16_t)(PIT_BASE + ch), md(1000)), 0);
		CHECK_EQ(rd(&f, (uint16_t)(PIT_BASE + ch), md(1000)), 0);
		CHECK_EQ(status(&f, ch, md(1000)), 0x70);
		CHECK_EQ(pit_channel_period_ns(&f.p, ch), 0);
	}
	CHECK_EQ(rd(&f, PIT_PORT_61, md(1000)) & 0x20, 0);
	CHECK_EQ(pit_next_deadline(&f.p), TIME_NEVER);
	pit_advance(&f.p, md(100000));
	CHECK_EQ(f.calls, 0);
	/* A count without a control word: mode 0, LSB then MSB, binary. */
	wr(&f, PIT_BASE, 0x10, l);
	wr(&f, PIT_BASE, 0x00, l);
	CHECK_EQ(pit_next_deadline(&f.p), tks(l, 16));
	pit_advance(&f.p, tks(l, 16));
	CHECK(f.level);
}

TEST(pit_period_ns, "REQ-PIT-023")
{
	struct fx f;

	fx_init(&f, T0);
	prog(&f, 0, 2, 11932, T0);
	CHECK_EQ(pit_channel_period_ns(&f.p, 0), 10000151);   /* 11932 / 1193182 Hz */
	prog(&f, 1, 3, 0, T0);
	CHECK_EQ(pit_channel_period_ns(&f.p, 1), 54925401);   /* 65536 clocks */
	prog(&f, 2, 0, 100, T0);
	CHECK_EQ(pit_channel_period_ns(&f.p, 2), 0);          /* not periodic */
	CHECK_EQ(pit_channel_period_ns(&f.p, 3), 0);
	CHECK_EQ(pit_channel_period_ns(&f.p, 0xffffffffu), 0);
	wr(&f, CTRL, 0x34, T0);
	CHECK_EQ(pit_channel_period_ns(&f.p, 0), 0);          /* no count yet */
	CHECK(!pit_channel_out(&f.p, 3, T0));
}

TEST(pit_channel_next_rise, "REQ-PIT-023 REQ-PIT-020")
{
	struct fx f;
	uint64_t l = tk(100);

	fx_init(&f, T0);
	CHECK_EQ(pit_channel_next_rise(&f.p, 3, T0), TIME_NEVER);
	CHECK_EQ(pit_channel_next_rise(&f.p, 2, T0), TIME_NEVER);
	/* Channel 0: the same as the deadline. */
	prog(&f, 0, 2, 50, T0);
	CHECK_EQ(pit_channel_next_rise(&f.p, 0, md(10)), pit_next_deadline(&f.p));
	CHECK_EQ(pit_channel_next_rise(&f.p, 0, md(60)), tk(100));
	/* Mode 1 on channel 2: terminal count once triggered. */
	prog(&f, 2, 1, 30, l);
	CHECK_EQ(pit_channel_next_rise(&f.p, 2, l), TIME_NEVER);
	wr(&f, PIT_PORT_61, 1, l);
	CHECK_EQ(pit_channel_next_rise(&f.p, 2, mds(l, 10)), tks(l, 30));
	CHECK_EQ(pit_channel_next_rise(&f.p, 2, mds(l, 30)), TIME_NEVER);
	/* Mode 5: end of the strobe. */
	l = tk(1000);
	wr(&f, PIT_PORT_61, 0, l);
	prog(&f, 2, 5, 30, l);
	wr(&f, PIT_PORT_61, 1, l);
	CHECK_EQ(pit_channel_next_rise(&f.p, 2, mds(l, 30)), tks(l, 31));
	CHECK_EQ(pit_channel_next_rise(&f.p, 2, mds(l, 31)), TIME_NEVER);
	/* Mode 0 resumed after terminal count: no further rise. */
	l = tk(2000);
	prog(&f, 2, 0, 10, l);
	CHECK_EQ(pit_channel_next_rise(&f.p, 2, l), tks(l, 10));
	wr(&f, PIT_PORT_61, 0, mds(l, 20));
	wr(&f, PIT_PORT_61, 1, tk(2100));
	CHECK_EQ(pit_channel_next_rise(&f.p, 2, tk(2100)), TIME_NEVER);
	/* Mode 4 resumed after its strobe: no further rise. */
	l = tk(3000);
	prog(&f, 2, 4, 10, l);
	CHECK_EQ(pit_channel_next_rise(&f.p, 2, l), tks(l, 11));
	wr(&f, PIT_PORT_61, 0, mds(l, 20));
	wr(&f, PIT_PORT_61, 1, tk(3100));
	CHECK_EQ(pit_channel_next_rise(&f.p, 2, tk(3100)), TIME_NEVER);
	/* Not changing the model: an earlier time counts as the latest. */
	CHECK_EQ(pit_channel_next_rise(&f.p, 0, T0), tk(3150));
}

/* Every control word, then counts, gate changes and times up to the end of
 * the time range: no crash, deadlines ahead of time, values in range. */
TEST(pit_robust, "REQ-PIT-024 REQ-PIT-020 REQ-PIT-002")
{
	static const uint8_t counts[] = { 0x00, 0x01, 0x02, 0x03, 0x99, 0xfa, 0xff };
	static const uint64_t steps[] = { 0, 1, 837, 838, 839, 1000000, 54925493, 1ULL << 40 };
	struct fx f;

	for (unsigned cw = 0; cw < 256; cw++) {
		uint64_t now = T0;

		fx_init(&f, now);
		wr(&f, PIT_PORT_61, (uint8_t)(cw & 1), now);
		wr(&f, CTRL, (uint8_t)cw, now);
		for (unsigned i = 0; i < sizeof(counts); i++) {
			for (unsigned ch = 0; ch < 3; ch++) {
				wr(&f, (uint16_t)(PIT_BASE + ch), counts[i], now);
				wr(&f, (uint16_t)(PIT_BASE + ch), counts[(i + cw) % sizeof(counts)], now);
			}
			for (unsigned s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
				now += steps[(s + i) % (sizeof(steps) / sizeof(steps[0]))];
				pit_advance(&f.p, now);
				CHECK(pit_next_deadline(&f.p) > now);
				CHECK_EQ(f.level, pit_channel_out(&f.p, 0, now));
				wr(&f, PIT_PORT_61, (uint8_t)(s & 1), now);
				wr(&f, CTRL, (uint8_t)(0xc0 | (s << 1)), now);
				for (unsigned ch = 0; ch < 3; ch++) {
					const struct pit_channel *c = &f.p.ch[ch];

					(void)rd(&f, (uint16_t)(PIT_BASE + ch), now);
					CHECK(c->count <= 65536 && c->start <= 65536);
					CHECK(c->frozen <= 65536 && c->pending <= 65536);
					CHECK(!c->running || c->start >= 1);
					CHECK(!c->bcd || c->latched_bytes == 0 ||
					      ((c->latched_count & 0xf) <= 9 &&
					       ((c->latched_count >> 4) & 0xf) <= 9 &&
					       ((c->latched_count >> 8) & 0xf) <= 9 &&
					       (c->latched_count >> 12) <= 9));
				}
			}
		}
		/* The end of the time range. */
		pit_advance(&f.p, UINT64_MAX - 1);
		CHECK(pit_next_deadline(&f.p) > UINT64_MAX - 1);
		pit_advance(&f.p, UINT64_MAX);
		CHECK_EQ(pit_next_deadline(&f.p), TIME_NEVER);
		(void)rd(&f, PIT_BASE, 0);
		CHECK(!f.bad);
	}
}

TEST(pit_time_end, "REQ-PIT-024 REQ-PIT-020")
{
	struct fx f;

	/* Created near the end of time: the next edge is past 2^64 ns. */
	fx_init(&f, UINT64_MAX - 1000);
	prog(&f, 0, 2, 0, UINT64_MAX - 1000);
	CHECK_EQ(pit_next_deadline(&f.p), TIME_NEVER);
	CHECK_EQ(latch16(&f, 0, UINT64_MAX), 0x10000 - 1);
	prog(&f, 0, 2, 1, UINT64_MAX - 1000);
	CHECK(pit_next_deadline(&f.p) > UINT64_MAX - 1000);
	pit_advance(&f.p, UINT64_MAX);
	CHECK_EQ(pit_next_deadline(&f.p), TIME_NEVER);
	CHECK(f.level);
	/* A count for the next half-period, which would start past the end
	 * of time: never loaded, the old count goes on. */
	fx_init(&f, UINT64_MAX - 1000);
	prog(&f, 0, 3, 0, UINT64_MAX - 1000);
	wr(&f, PIT_BASE, 2, UINT64_MAX);
	wr(&f, PIT_BASE, 0, UINT64_MAX);
	CHECK_EQ(f.p.ch[0].pending_ns, TIME_NEVER);
	CHECK(pit_channel_out(&f.p, 0, UINT64_MAX));
	pit_advance(&f.p, UINT64_MAX);
	CHECK_EQ(f.p.ch[0].start, 65536);
	CHECK_EQ(status(&f, 0, UINT64_MAX), 0xc0 | 0x36);
	CHECK(!f.bad);
}
