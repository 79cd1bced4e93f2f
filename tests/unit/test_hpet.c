/* HPET model (REQ-HPET-*). Time in the tests: T0 is the `now` of
 * hpet_init; one counter tick is 10 ns. */
#include "test.h"

#include "dev/hpet.h"

#define T0       1000000000ULL
#define TICK_NS  (NSEC_PER_SEC / HPET_HZ)
#define TN(n, r) (HPET_REG_TIMER(n) + (r))

struct ev {
	bool isa;
	unsigned line;
	bool level;
};

struct rec {
	unsigned n;
	struct ev ev[64];
};

static void rec_irq(void *opaque, bool isa, unsigned line, bool level)
{
	struct rec *r = opaque;

	if (r->n < 64)
		r->ev[r->n] = (struct ev){ isa, line, level };
	r->n++;
}

static bool ev_is(const struct rec *r, unsigned i, bool isa, unsigned line, bool level)
{
	return i < r->n && r->ev[i].isa == isa && r->ev[i].line == line && r->ev[i].level == level;
}

static uint64_t rd(struct hpet *h, uint64_t off, uint64_t now)
{
	return hpet_mmio_read(h, off, 8, now);
}

static void wr(struct hpet *h, uint64_t off, uint64_t v, uint64_t now)
{
	hpet_mmio_write(h, off, v, 8, now);
}

static uint64_t rd32(struct hpet *h, uint64_t off, uint64_t now)
{
	return hpet_mmio_read(h, off, 4, now);
}

static void wr32(struct hpet *h, uint64_t off, uint64_t v, uint64_t now)
{
	hpet_mmio_write(h, off, v, 4, now);
}

static uint64_t route(unsigned pin)
{
	return (uint64_t)pin << HPET_TN_ROUTE_SHIFT;
}

/* Fresh HPET with the counter started at T0. */
static void setup_running(struct hpet *h, struct rec *r)
{
	memset(r, 0, sizeof(*r));
	hpet_init(h, rec_irq, r, T0);
	wr(h, HPET_REG_GEN_CONF, HPET_CONF_ENABLE, T0);
}

TEST(hpet_gcap_id, "REQ-HPET-002")
{
	struct hpet h;
	uint64_t cap;

	hpet_init(&h, NULL, NULL, T0);
	cap = rd(&h, HPET_REG_GCAP_ID, T0);
	CHECK_EQ(cap & 0xff, 1);                        /* REV_ID */
	CHECK_EQ((cap >> 8) & 0x1f, HPET_TIMERS - 1);   /* NUM_TIM_CAP */
	CHECK_EQ((cap >> 13) & 1, 1);                   /* COUNT_SIZE_CAP: 64-bit */
	CHECK_EQ((cap >> 14) & 1, 0);                   /* reserved */
	CHECK_EQ((cap >> 15) & 1, 1);                   /* LEG_RT_CAP */
	CHECK_EQ((cap >> 16) & 0xffff, 0x8086);         /* VENDOR_ID */
	CHECK_EQ(cap >> 32, 10000000);                  /* 10 ns in fs */
	CHECK_EQ(rd32(&h, HPET_REG_GCAP_ID, T0), cap & 0xffffffff);
	CHECK_EQ(rd32(&h, HPET_REG_GCAP_ID + 4, T0), 10000000);
	wr(&h, HPET_REG_GCAP_ID, 0, T0);
	wr32(&h, HPET_REG_GCAP_ID + 4, 0, T0);
	CHECK_EQ(rd(&h, HPET_REG_GCAP_ID, T0), cap);
}

TEST(hpet_access_decode, "REQ-HPET-001")
{
	struct hpet h, before;
	struct rec r;
	static const uint64_t reserved[] = { 0x008, 0x018, 0x028, 0x030, 0x0e8, 0x0f8, 0x0fc,
					     TN(0, 0x10), TN(0, 0x18), TN(2, 0x1c),
					     HPET_REG_TIMER(HPET_TIMERS), 0x3f8 };

	setup_running(&h, &r);
	wr(&h, HPET_REG_GEN_CONF, HPET_CONF_ENABLE | HPET_CONF_LEG_RT, T0);
	/* both halves and the whole of a 64-bit register */
	CHECK_EQ(rd32(&h, HPET_REG_GEN_CONF, T0), 3);
	CHECK_EQ(rd32(&h, HPET_REG_GEN_CONF + 4, T0), 0);
	CHECK_EQ(rd32(&h, TN(0, HPET_TN_CONF) + 4, T0), HPET_TN_ROUTE_CAP);
	/* 1- and 2-byte, misaligned, 64-bit at +4, outside the block: 0 */
	CHECK_EQ(hpet_mmio_read(&h, HPET_REG_GEN_CONF, 1, T0), 0);
	CHECK_EQ(hpet_mmio_read(&h, HPET_REG_GEN_CONF, 2, T0), 0);
	CHECK_EQ(hpet_mmio_read(&h, HPET_REG_GCAP_ID + 1, 4, T0), 0);
	CHECK_EQ(hpet_mmio_read(&h, HPET_REG_GCAP_ID + 4, 8, T0), 0);
	CHECK_EQ(hpet_mmio_read(&h, HPET_REG_GCAP_ID, 3, T0), 0);
	CHECK_EQ(hpet_mmio_read(&h, HPET_SIZE, 8, T0), 0);
	CHECK_EQ(hpet_mmio_read(&h, UINT64_MAX - 7, 8, T0), 0);
	for (unsigned i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		CHECK_EQ(rd(&h, reserved[i] & ~7ULL, T0), 0);
		CHECK_EQ(rd32(&h, reserved[i], T0), 0);
	}
	/* writes there change nothing */
	before = h;
	hpet_mmio_write(&h, HPET_REG_GEN_CONF, 0, 1, T0);
	hpet_mmio_write(&h, HPET_REG_GEN_CONF, 0, 2, T0);
	hpet_mmio_write(&h, HPET_REG_GEN_CONF + 1, 0, 4, T0);
	hpet_mmio_write(&h, HPET_REG_GEN_CONF + 4, 0, 8, T0);
	hpet_mmio_write(&h, HPET_SIZE + HPET_REG_GEN_CONF, 0, 8, T0);
	for (unsigned i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		wr(&h, reserved[i] & ~7ULL, UINT64_MAX, T0);
		wr32(&h, reserved[i], 0xffffffff, T0);
	}
	CHECK(memcmp(&h, &before, sizeof(h)) == 0);
	CHECK_EQ(r.n, 0);
}

TEST(hpet_gen_conf, "REQ-HPET-003")
{
	struct hpet h;

	hpet_init(&h, NULL, NULL, T0);
	CHECK_EQ(rd(&h, HPET_REG_GEN_CONF, T0), 0);
	wr(&h, HPET_REG_GEN_CONF, UINT64_MAX, T0);
	CHECK_EQ(rd(&h, HPET_REG_GEN_CONF, T0), HPET_CONF_ENABLE | HPET_CONF_LEG_RT);
	wr32(&h, HPET_REG_GEN_CONF + 4, 0, T0); /* upper half: nothing stored there */
	CHECK_EQ(rd(&h, HPET_REG_GEN_CONF, T0), 3);
	wr32(&h, HPET_REG_GEN_CONF, HPET_CONF_LEG_RT, T0);
	CHECK_EQ(rd(&h, HPET_REG_GEN_CONF, T0), HPET_CONF_LEG_RT);
	wr(&h, HPET_REG_GEN_CONF, 0xfc, T0);
	CHECK_EQ(rd(&h, HPET_REG_GEN_CONF, T0), 0);
}

TEST(hpet_counter_runs_from_now, "REQ-HPET-004")
{
	struct hpet h;

	hpet_init(&h, NULL, NULL, T0);
	CHECK_EQ(rd(&h, HPET_REG_COUNTER, T0), 0); /* halted at reset */
	wr(&h, HPET_REG_GEN_CONF, HPET_CONF_ENABLE, T0);
	CHECK_EQ(rd(&h, HPET_REG_COUNTER, T0), 0);
	CHECK_EQ(rd(&h, HPET_REG_COUNTER, T0 + 9), 0);     /* whole ticks only */
	CHECK_EQ(rd(&h, HPET_REG_COUNTER, T0 + 10), 1);
	CHECK_EQ(rd(&h, HPET_REG_COUNTER, T0 + 1000), 100);
	/* derived from now: exactly HZ per second, after an hour too */
	CHECK_EQ(rd(&h, HPET_REG_COUNTER, T0 + 3600 * NSEC_PER_SEC), 3600 * HPET_HZ);
	CHECK_EQ(rd32(&h, HPET_REG_COUNTER, T0 + 3600 * NSEC_PER_SEC), (3600 * HPET_HZ) & 0xffffffff);
	CHECK_EQ(rd32(&h, HPET_REG_COUNTER + 4, T0 + 3600 * NSEC_PER_SEC), (3600 * HPET_HZ) >> 32);
	/* writes while running are ignored */
	wr(&h, HPET_REG_COUNTER, 5, T0 + 3600 * NSEC_PER_SEC);
	wr32(&h, HPET_REG_COUNTER + 4, 5, T0 + 3600 * NSEC_PER_SEC);
	CHECK_EQ(rd(&h, HPET_REG_COUNTER, T0 + 3600 * NSEC_PER_SEC + 10), 3600 * HPET_HZ + 1);
}

TEST(hpet_counter_halt_and_write, "REQ-HPET-004")
{
	struct hpet h;
	uint64_t t = T0;

	hpet_init(&h, NULL, NULL, T0);
	wr(&h, HPET_REG_COUNTER, 0x1122334455667788ULL, t);
	CHECK_EQ(rd(&h, HPET_REG_COUNTER, t + 100), 0x1122334455667788ULL);
	wr32(&h, HPET_REG_COUNTER, 0xaabbccdd, t + 100);
	CHECK_EQ(rd(&h, HPET_REG_COUNTER, t + 100), 0x11223344aabbccddULL);
	wr32(&h, HPET_REG_COUNTER + 4, 0xfffffffe, t + 100);
	CHECK_EQ(rd(&h, HPET_REG_COUNTER, t + 100), 0xfffffffeaabbccddULL);
	wr(&h, HPET_REG_COUNTER, UINT64_MAX - 4, t + 100);
	/* start at t + 500: runs from the written value, wraps at 2^64 */
	wr(&h, HPET_REG_GEN_CONF, HPET_CONF_ENABLE, t + 500);
	CHECK_EQ(rd(&h, HPET_REG_COUNTER, t + 500), UINT64_MAX - 4);
	CHECK_EQ(rd(&h, HPET_REG_COUNTER, t + 540), UINT64_MAX);
	CHECK_EQ(rd(&h, HPET_REG_COUNTER, t + 550), 0);
	CHECK_EQ(rd(&h, HPET_REG_COUNTER, t + 600), 5);
	/* halt: frozen; a later start resumes from there */
	wr(&h, HPET_REG_GEN_CONF, 0, t + 605);
	CHECK_EQ(rd(&h, HPET_REG_COUNTER, t + 10000), 5);
	wr(&h, HPET_REG_GEN_CONF, HPET_CONF_ENABLE, t + 20000);
	CHECK_EQ(rd(&h, HPET_REG_COUNTER, t + 20100), 15);
	/* re-writing ENABLE while running does not restart the counter */
	wr(&h, HPET_REG_GEN_CONF, HPET_CONF_ENABLE, t + 20200);
	CHECK_EQ(rd(&h, HPET_REG_COUNTER, t + 20200), 25);
}

TEST(hpet_time_never_goes_back, "REQ-HPET-005")
{
	struct hpet h;
	struct rec r;

	setup_running(&h, &r);
	CHECK_EQ(rd(&h, HPET_REG_COUNTER, T0 + 1000), 100);
	CHECK_EQ(rd(&h, HPET_REG_COUNTER, T0 + 500), 100); /* older now: taken as newest */
	CHECK_EQ(rd(&h, HPET_REG_COUNTER, 0), 100);
	hpet_advance(&h, T0);
	CHECK_EQ(rd(&h, HPET_REG_COUNTER, T0 + 1010), 101);
	/* a start with an old now starts at the newest */
	wr(&h, HPET_REG_GEN_CONF, 0, T0 + 1010);
	wr(&h, HPET_REG_GEN_CONF, HPET_CONF_ENABLE, T0);
	CHECK_EQ(rd(&h, HPET_REG_COUNTER, T0 + 1010), 101);
}

TEST(hpet_timer_config_bits, "REQ-HPET-006")
{
	struct hpet h;
	const uint64_t caps = HPET_TN_PER_CAP | HPET_TN_SIZE_CAP | (HPET_TN_ROUTE_CAP << 32);

	hpet_init(&h, NULL, NULL, T0);
	for (unsigned n = 0; n < HPET_TIMERS; n++) {
		CHECK_EQ(rd(&h, TN(n, HPET_TN_CONF), T0), caps);
		CHECK_EQ(rd(&h, TN(n, HPET_TN_CMP), T0), UINT64_MAX); /* reset: all ones */
		CHECK_EQ(rd(&h, TN(n, HPET_TN_FSB), T0), 0);
		/* all ones: reserved bits, caps, FSB stay; route 31 refused */
		wr(&h, TN(n, HPET_TN_CONF), UINT64_MAX, T0);
		CHECK_EQ(rd(&h, TN(n, HPET_TN_CONF), T0),
			 caps | HPET_TN_INT_TYPE | HPET_TN_INT_ENB | HPET_TN_TYPE |
				 HPET_TN_VAL_SET | HPET_TN_32MODE);
		wr(&h, TN(n, HPET_TN_CONF), 0, T0);
		CHECK_EQ(rd(&h, TN(n, HPET_TN_CONF), T0), caps);
		wr(&h, TN(n, HPET_TN_FSB), UINT64_MAX, T0);
		CHECK_EQ(rd(&h, TN(n, HPET_TN_FSB), T0), 0);
	}
	/* 32-bit halves of the config */
	wr32(&h, TN(1, HPET_TN_CONF), HPET_TN_INT_ENB | route(22), T0);
	CHECK_EQ(rd32(&h, TN(1, HPET_TN_CONF), T0), (caps & 0xffffffff) | HPET_TN_INT_ENB | route(22));
	CHECK_EQ(rd32(&h, TN(1, HPET_TN_CONF) + 4, T0), HPET_TN_ROUTE_CAP);
	wr32(&h, TN(1, HPET_TN_CONF) + 4, 0, T0); /* read-only half */
	CHECK_EQ(rd(&h, TN(1, HPET_TN_CONF), T0), caps | HPET_TN_INT_ENB | route(22));
}

TEST(hpet_route_cap_enforced, "REQ-HPET-007")
{
	struct hpet h;
	struct rec r;

	setup_running(&h, &r);
	for (unsigned pin = 0; pin < 32; pin++) {
		wr(&h, TN(2, HPET_TN_CONF), route(21), T0);
		wr(&h, TN(2, HPET_TN_CONF), route(pin), T0);
		CHECK_EQ((rd(&h, TN(2, HPET_TN_CONF), T0) & HPET_TN_ROUTE) >> HPET_TN_ROUTE_SHIFT,
			 (pin >= 20 && pin <= 23) ? pin : 21);
	}
	/* a refused route does not block the other bits of the write */
	wr(&h, TN(2, HPET_TN_CONF), route(3) | HPET_TN_INT_ENB, T0);
	CHECK_EQ(rd(&h, TN(2, HPET_TN_CONF), T0) & (HPET_TN_ROUTE | HPET_TN_INT_ENB),
		 route(21) | HPET_TN_INT_ENB);
}

TEST(hpet_unrouted_timer_is_silent, "REQ-HPET-007")
{
	struct hpet h;
	struct rec r;

	setup_running(&h, &r);
	/* reset route 0 is outside the cap: no line, but level status is set */
	wr(&h, TN(0, HPET_TN_CONF), HPET_TN_INT_ENB, T0);
	wr(&h, TN(0, HPET_TN_CMP), 10, T0);
	CHECK_EQ(hpet_next_deadline(&h), TIME_NEVER);
	hpet_advance(&h, T0 + 100);
	CHECK_EQ(r.n, 0);
	wr(&h, TN(0, HPET_TN_CONF), HPET_TN_INT_ENB | HPET_TN_INT_TYPE, T0 + 100);
	wr(&h, TN(0, HPET_TN_CMP), 20, T0 + 100);
	hpet_advance(&h, T0 + 200);
	CHECK_EQ(r.n, 0);
	CHECK_EQ(rd(&h, HPET_REG_GEN_INT_STS, T0 + 200), 1);
}

TEST(hpet_one_shot_64, "REQ-HPET-008 REQ-HPET-012 REQ-HPET-015")
{
	struct hpet h;
	struct rec r;

	setup_running(&h, &r);
	wr(&h, TN(0, HPET_TN_CONF), HPET_TN_INT_ENB | route(20), T0);
	wr(&h, TN(0, HPET_TN_CMP), 1000, T0);
	CHECK_EQ(hpet_next_deadline(&h), T0 + 1000 * TICK_NS);
	hpet_advance(&h, T0 + 1000 * TICK_NS - 1);
	CHECK_EQ(r.n, 0);
	CHECK_EQ(rd(&h, HPET_REG_COUNTER, T0 + 1000 * TICK_NS - 1), 999);
	hpet_advance(&h, T0 + 1000 * TICK_NS);
	CHECK_EQ(r.n, 2);
	CHECK(ev_is(&r, 0, false, 20, true));
	CHECK(ev_is(&r, 1, false, 20, false));
	CHECK_EQ(rd(&h, HPET_REG_GEN_INT_STS, T0 + 1000 * TICK_NS), 0); /* edge: no status */
	CHECK_EQ(rd(&h, TN(0, HPET_TN_CMP), T0 + 1000 * TICK_NS), 1000);
	/* 64-bit: the next match is 2^64 ticks away */
	CHECK_EQ(hpet_next_deadline(&h), TIME_NEVER);
	hpet_advance(&h, T0 + 1000 * NSEC_PER_SEC);
	CHECK_EQ(r.n, 2);
}

TEST(hpet_one_shot_now_and_past, "REQ-HPET-008")
{
	struct hpet h;
	struct rec r;
	uint64_t t = T0 + 5000;   /* counter 500 */

	setup_running(&h, &r);
	wr(&h, TN(1, HPET_TN_CONF), HPET_TN_INT_ENB | route(21), t);
	/* equal to the counter: matches during the write */
	wr(&h, TN(1, HPET_TN_CMP), 500, t);
	CHECK_EQ(r.n, 2);
	/* already passed (64-bit): never in practice */
	wr(&h, TN(1, HPET_TN_CMP), 499, t);
	CHECK_EQ(r.n, 2);
	CHECK_EQ(hpet_next_deadline(&h), TIME_NEVER);
	/* comparator equal to the counter when it starts: matches at start */
	wr(&h, HPET_REG_GEN_CONF, 0, t);
	wr(&h, TN(1, HPET_TN_CMP), 500, t);
	CHECK_EQ(r.n, 2);
	wr(&h, HPET_REG_GEN_CONF, HPET_CONF_ENABLE, t + 70);
	CHECK_EQ(r.n, 4);
}

TEST(hpet_one_shot_32_wraps, "REQ-HPET-008 REQ-HPET-011")
{
	struct hpet h;
	struct rec r;

	memset(&r, 0, sizeof(r));
	hpet_init(&h, rec_irq, &r, T0);
	wr(&h, HPET_REG_COUNTER, 0x1fffffff0ULL, T0);
	wr(&h, TN(0, HPET_TN_CONF), HPET_TN_INT_ENB | HPET_TN_32MODE | route(20), T0);
	wr(&h, TN(0, HPET_TN_CMP), 0xdead000000000010ULL, T0);
	CHECK_EQ(rd(&h, TN(0, HPET_TN_CMP), T0), 0x10); /* upper half ignored */
	wr(&h, HPET_REG_GEN_CONF, HPET_CONF_ENABLE, T0);
	/* low 32 bits go 0xfffffff0 -> 0x10: 0x20 ticks */
	CHECK_EQ(hpet_next_deadline(&h), T0 + 0x20 * TICK_NS);
	hpet_advance(&h, T0 + 0x20 * TICK_NS);
	CHECK_EQ(r.n, 2);
	CHECK_EQ(rd(&h, HPET_REG_COUNTER, T0 + 0x20 * TICK_NS), 0x200000010ULL);
	/* one-shot in 32-bit mode matches again when the low half comes round */
	CHECK_EQ(hpet_next_deadline(&h), T0 + (0x20 + (1ULL << 32)) * TICK_NS);
	/* several wraps missed: one interrupt */
	hpet_advance(&h, T0 + (0x20 + 5 * (1ULL << 32)) * TICK_NS + 3);
	CHECK_EQ(r.n, 4);
	CHECK_EQ(hpet_next_deadline(&h), T0 + (0x20 + 6 * (1ULL << 32)) * TICK_NS);
}

TEST(hpet_periodic_linux_sequence, "REQ-HPET-009 REQ-HPET-012")
{
	struct hpet h;
	struct rec r;
	uint64_t t = T0 + 1234;   /* counter 123 */
	uint64_t first = 123 + 50, period = 100;

	setup_running(&h, &r);
	wr32(&h, TN(0, HPET_TN_CONF),
	     HPET_TN_INT_ENB | HPET_TN_TYPE | HPET_TN_VAL_SET | HPET_TN_32MODE | route(20), t);
	CHECK(rd(&h, TN(0, HPET_TN_CONF), t) & HPET_TN_VAL_SET);
	wr32(&h, TN(0, HPET_TN_CMP), first, t);   /* accumulator (and period) */
	CHECK_EQ(rd(&h, TN(0, HPET_TN_CONF), t) & HPET_TN_VAL_SET, 0); /* self-clearing */
	wr32(&h, TN(0, HPET_TN_CMP), period, t);  /* period only */
	CHECK_EQ(rd(&h, TN(0, HPET_TN_CMP), t), first);
	for (uint64_t k = 0; k < 1000; k++) {
		uint64_t due = T0 + (first + k * period) * TICK_NS;

		CHECK_EQ(hpet_next_deadline(&h), due);
		hpet_advance(&h, due);
		CHECK_EQ(r.n, 2 * (k + 1));
		CHECK_EQ(rd(&h, TN(0, HPET_TN_CMP), due), first + (k + 1) * period);
	}
	/* absolute positions: no drift after a million periods */
	hpet_advance(&h, T0 + (first + 999999 * period) * TICK_NS);
	CHECK_EQ(hpet_next_deadline(&h), T0 + (first + 1000000 * period) * TICK_NS);
	/* a new rate applies from the next match */
	wr32(&h, TN(0, HPET_TN_CMP), 7, T0 + (first + 999999 * period) * TICK_NS);
	hpet_advance(&h, T0 + (first + 1000000 * period) * TICK_NS);
	CHECK_EQ(hpet_next_deadline(&h), T0 + (first + 1000000 * period + 7) * TICK_NS);
}

TEST(hpet_periodic_64_val_set_halves, "REQ-HPET-009")
{
	struct hpet h;
	struct rec r;

	setup_running(&h, &r);
	wr(&h, TN(1, HPET_TN_CONF), HPET_TN_INT_ENB | HPET_TN_TYPE | HPET_TN_VAL_SET | route(21), T0);
	/* a 32-bit guest sets a 64-bit accumulator low half first */
	wr32(&h, TN(1, HPET_TN_CMP), 0x200, T0);
	CHECK(rd(&h, TN(1, HPET_TN_CONF), T0) & HPET_TN_VAL_SET); /* still armed */
	wr32(&h, TN(1, HPET_TN_CMP) + 4, 0, T0);
	CHECK_EQ(rd(&h, TN(1, HPET_TN_CONF), T0) & HPET_TN_VAL_SET, 0);
	CHECK_EQ(rd(&h, TN(1, HPET_TN_CMP), T0), 0x200);
	/* then the period, both halves */
	wr32(&h, TN(1, HPET_TN_CMP), 0x100, T0);
	wr32(&h, TN(1, HPET_TN_CMP) + 4, 0, T0);
	CHECK_EQ(rd(&h, TN(1, HPET_TN_CMP), T0), 0x200);
	CHECK_EQ(h.t[1].period, 0x100);
	hpet_advance(&h, T0 + 0x200 * TICK_NS);
	CHECK_EQ(rd(&h, TN(1, HPET_TN_CMP), T0 + 0x200 * TICK_NS), 0x300);
	/* a 64-bit write with VAL_SET sets both at once */
	wr(&h, TN(1, HPET_TN_CONF), HPET_TN_INT_ENB | HPET_TN_TYPE | HPET_TN_VAL_SET | route(21),
	   T0 + 0x200 * TICK_NS);
	wr(&h, TN(1, HPET_TN_CMP), 0x1000, T0 + 0x200 * TICK_NS);
	CHECK_EQ(rd(&h, TN(1, HPET_TN_CONF), T0) & HPET_TN_VAL_SET, 0);
	CHECK_EQ(h.t[1].period, 0x1000);
	CHECK_EQ(hpet_next_deadline(&h), T0 + 0x1000 * TICK_NS);
}

TEST(hpet_one_shot_write_sets_period, "REQ-HPET-009")
{
	struct hpet h;
	struct rec r;

	setup_running(&h, &r);
	/* one-shot writes are "the last value written" too: switching to
	 * periodic uses them as the increment */
	wr(&h, TN(0, HPET_TN_CONF), HPET_TN_INT_ENB | route(20), T0);
	wr(&h, TN(0, HPET_TN_CMP), 40, T0);
	wr(&h, TN(0, HPET_TN_CONF), HPET_TN_INT_ENB | HPET_TN_TYPE | route(20), T0);
	CHECK_EQ(hpet_next_deadline(&h), T0 + 40 * TICK_NS);   /* unchanged by the type */
	hpet_advance(&h, T0 + 40 * TICK_NS);
	CHECK_EQ(rd(&h, TN(0, HPET_TN_CMP), T0 + 40 * TICK_NS), 80);
	/* periodic with period 0: the comparator stays, like one-shot */
	wr(&h, TN(0, HPET_TN_CONF), HPET_TN_INT_ENB | HPET_TN_TYPE | HPET_TN_VAL_SET | HPET_TN_32MODE |
	   route(20), T0 + 40 * TICK_NS);
	wr(&h, TN(0, HPET_TN_CMP), 100, T0 + 40 * TICK_NS);
	wr(&h, TN(0, HPET_TN_CMP), 0, T0 + 40 * TICK_NS);
	hpet_advance(&h, T0 + 100 * TICK_NS);
	CHECK_EQ(r.n, 4);
	CHECK_EQ(rd(&h, TN(0, HPET_TN_CMP), T0 + 100 * TICK_NS), 100);
	CHECK_EQ(hpet_next_deadline(&h), T0 + (100 + (1ULL << 32)) * TICK_NS);
}

TEST(hpet_periodic_catch_up, "REQ-HPET-010")
{
	struct hpet h;
	struct rec r;
	const uint64_t later = T0 + 10 * NSEC_PER_SEC + 5;   /* counter 10^9 */

	setup_running(&h, &r);
	/* period 1 tick, then ten seconds without an advance */
	wr(&h, TN(2, HPET_TN_CONF), HPET_TN_INT_ENB | HPET_TN_TYPE | HPET_TN_VAL_SET | route(22), T0);
	wr(&h, TN(2, HPET_TN_CMP), 1, T0);
	CHECK_EQ(h.t[2].period, 1);
	hpet_advance(&h, later);
	CHECK_EQ(r.n, 2);          /* a billion periods: one interrupt */
	CHECK_EQ(rd(&h, TN(2, HPET_TN_CMP), later), 1000000001ULL);
	CHECK_EQ(hpet_next_deadline(&h), T0 + 1000000001ULL * TICK_NS);
	CHECK(hpet_next_deadline(&h) > later);
	/* period 3 from comparator 1: matches at 1, 4, 7, ... */
	wr(&h, TN(2, HPET_TN_CONF), HPET_TN_INT_ENB | HPET_TN_TYPE | HPET_TN_VAL_SET | route(22), later);
	wr(&h, TN(2, HPET_TN_CMP), 1000000001ULL, later);
	wr(&h, TN(2, HPET_TN_CMP), 3, later);
	hpet_advance(&h, T0 + 1000000011ULL * TICK_NS);      /* 1, 4, 7, 10 passed */
	CHECK_EQ(r.n, 4);
	CHECK_EQ(rd(&h, TN(2, HPET_TN_CMP), T0 + 1000000011ULL * TICK_NS), 1000000013ULL);
	/* 32-bit periodic wraps at 2^32 */
	wr(&h, TN(2, HPET_TN_CONF), HPET_TN_INT_ENB | HPET_TN_TYPE | HPET_TN_VAL_SET | HPET_TN_32MODE |
	   route(22), T0 + 1000000011ULL * TICK_NS);
	wr(&h, TN(2, HPET_TN_CMP), 1000000012ULL, T0 + 1000000011ULL * TICK_NS);
	wr(&h, TN(2, HPET_TN_CMP), 0xf0000000ULL, T0 + 1000000011ULL * TICK_NS);
	hpet_advance(&h, T0 + 1000000012ULL * TICK_NS);
	CHECK_EQ(rd(&h, TN(2, HPET_TN_CMP), T0 + 1000000012ULL * TICK_NS),
		 (1000000012ULL + 0xf0000000ULL) & 0xffffffff);
}

TEST(hpet_huge_values_saturate, "REQ-HPET-010 REQ-HPET-015")
{
	struct hpet h;
	struct rec r;

	/* a 64-bit period beyond any time: the comparator still steps */
	setup_running(&h, &r);
	wr(&h, TN(0, HPET_TN_CONF), HPET_TN_INT_ENB | HPET_TN_TYPE | HPET_TN_VAL_SET | route(20), T0);
	wr(&h, TN(0, HPET_TN_CMP), 5, T0);
	wr(&h, TN(0, HPET_TN_CMP), UINT64_MAX - 1, T0);
	hpet_advance(&h, T0 + 5 * TICK_NS);
	CHECK_EQ(r.n, 2);
	CHECK_EQ(rd(&h, TN(0, HPET_TN_CMP), T0 + 5 * TICK_NS), 3); /* 5 + 2^64 - 2 */
	CHECK_EQ(hpet_next_deadline(&h), TIME_NEVER);
	/* a clock near its end: deadlines past 2^64 ns are TIME_NEVER */
	memset(&r, 0, sizeof(r));
	hpet_init(&h, rec_irq, &r, UINT64_MAX - 1000);
	wr(&h, HPET_REG_GEN_CONF, HPET_CONF_ENABLE, UINT64_MAX - 1000);
	wr(&h, TN(0, HPET_TN_CONF), HPET_TN_INT_ENB | route(20), UINT64_MAX - 1000);
	wr(&h, TN(0, HPET_TN_CMP), 1000, UINT64_MAX - 1000);
	CHECK_EQ(hpet_next_deadline(&h), TIME_NEVER);
	wr(&h, TN(0, HPET_TN_CMP), 50, UINT64_MAX - 1000);
	CHECK_EQ(hpet_next_deadline(&h), UINT64_MAX - 500);
	hpet_advance(&h, UINT64_MAX);
	CHECK_EQ(r.n, 2);
}

TEST(hpet_32mode_switch, "REQ-HPET-011")
{
	struct hpet h;
	struct rec r;

	setup_running(&h, &r);
	wr(&h, TN(0, HPET_TN_CONF), HPET_TN_INT_ENB | route(20), T0);
	wr(&h, TN(0, HPET_TN_CMP), 0x100000020ULL, T0);
	CHECK_EQ(rd(&h, TN(0, HPET_TN_CMP), T0), 0x100000020ULL);
	CHECK_EQ(hpet_next_deadline(&h), T0 + 0x100000020ULL * TICK_NS);
	/* into 32-bit mode: upper half dropped, compares low 32 bits */
	wr(&h, TN(0, HPET_TN_CONF), HPET_TN_INT_ENB | HPET_TN_32MODE | route(20), T0 + 10);
	CHECK_EQ(rd(&h, TN(0, HPET_TN_CMP), T0 + 10), 0x20);
	CHECK_EQ(rd32(&h, TN(0, HPET_TN_CMP) + 4, T0 + 10), 0);
	CHECK_EQ(hpet_next_deadline(&h), T0 + 0x20 * TICK_NS);
	wr32(&h, TN(0, HPET_TN_CMP) + 4, 0xffffffff, T0 + 10);   /* ignored */
	CHECK_EQ(rd(&h, TN(0, HPET_TN_CMP), T0 + 10), 0x20);
	/* back to 64-bit: upper half stays 0 */
	wr(&h, TN(0, HPET_TN_CONF), HPET_TN_INT_ENB | route(20), T0 + 10);
	CHECK_EQ(rd(&h, TN(0, HPET_TN_CMP), T0 + 10), 0x20);
	CHECK_EQ(hpet_next_deadline(&h), T0 + 0x20 * TICK_NS);
	/* other config changes leave the match where it is */
	wr(&h, TN(0, HPET_TN_CONF), HPET_TN_INT_ENB | HPET_TN_INT_TYPE | route(21), T0 + 10);
	CHECK_EQ(hpet_next_deadline(&h), T0 + 0x20 * TICK_NS);
	CHECK_EQ(r.n, 0);
}

TEST(hpet_edge_disabled_and_blocked, "REQ-HPET-012")
{
	struct hpet h;
	struct rec r;

	setup_running(&h, &r);
	/* INT_ENB clear: edge timer runs, no pulse, no status, no deadline */
	wr(&h, TN(0, HPET_TN_CONF), route(20), T0);
	wr(&h, TN(0, HPET_TN_CMP), 10, T0);
	CHECK_EQ(hpet_next_deadline(&h), TIME_NEVER);
	hpet_advance(&h, T0 + 1000);
	CHECK_EQ(r.n, 0);
	CHECK_EQ(rd(&h, HPET_REG_GEN_INT_STS, T0 + 1000), 0);
	/* level timer 1 holds pin 20; edge timer 0 on pin 20 cannot pulse it */
	wr(&h, TN(1, HPET_TN_CONF), HPET_TN_INT_ENB | HPET_TN_INT_TYPE | route(20), T0 + 1000);
	wr(&h, TN(1, HPET_TN_CMP), 100, T0 + 1000);
	CHECK_EQ(r.n, 1);
	CHECK(ev_is(&r, 0, false, 20, true));
	wr(&h, TN(0, HPET_TN_CONF), HPET_TN_INT_ENB | route(20), T0 + 1000);
	wr(&h, TN(0, HPET_TN_CMP), 200, T0 + 1000);
	CHECK_EQ(hpet_next_deadline(&h), TIME_NEVER);   /* nothing it could change */
	hpet_advance(&h, T0 + 2000);
	CHECK_EQ(r.n, 1);
	/* a second level timer on the held line: status only, no call */
	wr(&h, TN(2, HPET_TN_CONF), HPET_TN_INT_ENB | HPET_TN_INT_TYPE | route(20), T0 + 2000);
	wr(&h, TN(2, HPET_TN_CMP), 300, T0 + 2000);
	CHECK_EQ(hpet_next_deadline(&h), TIME_NEVER);
	hpet_advance(&h, T0 + 3000);
	CHECK_EQ(r.n, 1);
	CHECK_EQ(rd(&h, HPET_REG_GEN_INT_STS, T0 + 3000), 6);
	/* released: the edge timer counts again */
	wr(&h, HPET_REG_GEN_INT_STS, 6, T0 + 3000);
	CHECK_EQ(r.n, 2);
	wr(&h, TN(0, HPET_TN_CMP), 400, T0 + 3000);
	CHECK_EQ(hpet_next_deadline(&h), T0 + 4000);
}

TEST(hpet_level_status, "REQ-HPET-013 REQ-HPET-015")
{
	struct hpet h;
	struct rec r;
	uint64_t t = T0 + 50 * TICK_NS;

	setup_running(&h, &r);
	wr(&h, TN(1, HPET_TN_CONF),
	   HPET_TN_INT_ENB | HPET_TN_INT_TYPE | HPET_TN_TYPE | HPET_TN_VAL_SET | route(21), T0);
	wr(&h, TN(1, HPET_TN_CMP), 50, T0);
	wr(&h, TN(1, HPET_TN_CMP), 50, T0);
	hpet_advance(&h, t);
	CHECK_EQ(r.n, 1);
	CHECK(ev_is(&r, 0, false, 21, true));
	CHECK_EQ(rd(&h, HPET_REG_GEN_INT_STS, t), 2);
	CHECK_EQ(rd32(&h, HPET_REG_GEN_INT_STS, t), 2);
	/* status set: nothing new to deliver, no deadline; later matches
	 * change nothing outside */
	CHECK_EQ(hpet_next_deadline(&h), TIME_NEVER);
	hpet_advance(&h, t + 500 * TICK_NS);
	CHECK_EQ(r.n, 1);
	/* writing 0s, or 1s for absent timers, does nothing */
	wr(&h, HPET_REG_GEN_INT_STS, ~2ULL, t + 500 * TICK_NS);
	CHECK_EQ(rd(&h, HPET_REG_GEN_INT_STS, t + 500 * TICK_NS), 2);
	CHECK_EQ(r.n, 1);
	wr32(&h, HPET_REG_GEN_INT_STS + 4, 0xffffffff, t + 500 * TICK_NS);
	CHECK_EQ(rd(&h, HPET_REG_GEN_INT_STS, t + 500 * TICK_NS), 2);
	/* write 1 clears and lowers the line */
	wr32(&h, HPET_REG_GEN_INT_STS, 2, t + 500 * TICK_NS);
	CHECK_EQ(rd(&h, HPET_REG_GEN_INT_STS, t + 500 * TICK_NS), 0);
	CHECK_EQ(r.n, 2);
	CHECK(ev_is(&r, 1, false, 21, false));
	CHECK_EQ(hpet_next_deadline(&h), T0 + 600 * TICK_NS);
	hpet_advance(&h, T0 + 600 * TICK_NS);
	CHECK_EQ(r.n, 3);
}

TEST(hpet_level_enable_and_type_change, "REQ-HPET-013")
{
	struct hpet h;
	struct rec r;

	setup_running(&h, &r);
	/* level, interrupt disabled: status only */
	wr(&h, TN(0, HPET_TN_CONF), HPET_TN_INT_TYPE | route(23), T0);
	wr(&h, TN(0, HPET_TN_CMP), 5, T0);
	hpet_advance(&h, T0 + 100);
	CHECK_EQ(rd(&h, HPET_REG_GEN_INT_STS, T0 + 100), 1);
	CHECK_EQ(r.n, 0);
	/* enabling with the status set raises the line */
	wr(&h, TN(0, HPET_TN_CONF), HPET_TN_INT_TYPE | HPET_TN_INT_ENB | route(23), T0 + 100);
	CHECK_EQ(r.n, 1);
	CHECK(ev_is(&r, 0, false, 23, true));
	/* switching to edge lowers it; the status bit stays until cleared */
	wr(&h, TN(0, HPET_TN_CONF), HPET_TN_INT_ENB | route(23), T0 + 100);
	CHECK_EQ(r.n, 2);
	CHECK(ev_is(&r, 1, false, 23, false));
	CHECK_EQ(rd(&h, HPET_REG_GEN_INT_STS, T0 + 100), 1);
	/* clearing status while halted works too */
	wr(&h, HPET_REG_GEN_CONF, 0, T0 + 100);
	wr(&h, HPET_REG_GEN_INT_STS, 1, T0 + 100);
	CHECK_EQ(rd(&h, HPET_REG_GEN_INT_STS, T0 + 100), 0);
	CHECK_EQ(r.n, 2);
}

TEST(hpet_level_wired_or, "REQ-HPET-013")
{
	struct hpet h;
	struct rec r;

	setup_running(&h, &r);
	wr(&h, TN(0, HPET_TN_CONF), HPET_TN_INT_ENB | HPET_TN_INT_TYPE | route(20), T0);
	wr(&h, TN(1, HPET_TN_CONF), HPET_TN_INT_ENB | HPET_TN_INT_TYPE | route(20), T0);
	wr(&h, TN(0, HPET_TN_CMP), 10, T0);
	wr(&h, TN(1, HPET_TN_CMP), 10, T0);
	hpet_advance(&h, T0 + 100);
	/* both matched in one advance: the shared line rises once */
	CHECK_EQ(r.n, 1);
	CHECK_EQ(rd(&h, HPET_REG_GEN_INT_STS, T0 + 100), 3);
	wr(&h, HPET_REG_GEN_INT_STS, 1, T0 + 100);
	CHECK_EQ(r.n, 1);            /* timer 1 still holds it */
	wr(&h, HPET_REG_GEN_INT_STS, 2, T0 + 100);
	CHECK_EQ(r.n, 2);
	CHECK(ev_is(&r, 1, false, 20, false));
}

TEST(hpet_legacy_routing, "REQ-HPET-014")
{
	struct hpet h;
	struct rec r;

	setup_running(&h, &r);
	wr(&h, HPET_REG_GEN_CONF, HPET_CONF_ENABLE | HPET_CONF_LEG_RT, T0);
	for (unsigned n = 0; n < HPET_TIMERS; n++) {
		wr(&h, TN(n, HPET_TN_CONF), HPET_TN_INT_ENB | route(22), T0);
		wr(&h, TN(n, HPET_TN_CMP), 10 * (n + 1), T0);
	}
	hpet_advance(&h, T0 + 10 * TICK_NS);
	CHECK_EQ(r.n, 2);
	CHECK(ev_is(&r, 0, true, 0, true));   /* timer 0 -> IRQ0 */
	CHECK(ev_is(&r, 1, true, 0, false));
	hpet_advance(&h, T0 + 20 * TICK_NS);
	CHECK(ev_is(&r, 2, true, 8, true));   /* timer 1 -> IRQ8 */
	CHECK(ev_is(&r, 3, true, 8, false));
	hpet_advance(&h, T0 + 30 * TICK_NS);
	CHECK(ev_is(&r, 4, false, 22, true)); /* timer 2 keeps its pin */
	CHECK(ev_is(&r, 5, false, 22, false));
	CHECK_EQ(r.n, 6);
}

TEST(hpet_route_change_moves_level, "REQ-HPET-014")
{
	struct hpet h;
	struct rec r;

	setup_running(&h, &r);
	wr(&h, TN(1, HPET_TN_CONF), HPET_TN_INT_ENB | HPET_TN_INT_TYPE | route(20), T0);
	wr(&h, TN(1, HPET_TN_CMP), 0, T0);
	CHECK_EQ(r.n, 1);
	CHECK(ev_is(&r, 0, false, 20, true));
	/* legacy on: pin 20 drops, IRQ8 rises */
	wr(&h, HPET_REG_GEN_CONF, HPET_CONF_ENABLE | HPET_CONF_LEG_RT, T0);
	CHECK_EQ(r.n, 3);
	CHECK(ev_is(&r, 1, false, 20, false));
	CHECK(ev_is(&r, 2, true, 8, true));
	/* legacy off, new pin: IRQ8 drops, pin 21 rises */
	wr(&h, TN(1, HPET_TN_CONF), HPET_TN_INT_ENB | HPET_TN_INT_TYPE | route(21), T0);
	CHECK_EQ(r.n, 3);
	wr(&h, HPET_REG_GEN_CONF, HPET_CONF_ENABLE, T0);
	CHECK_EQ(r.n, 5);
	CHECK(ev_is(&r, 3, true, 8, false));
	CHECK(ev_is(&r, 4, false, 21, true));
	/* timer 0 in legacy mode as level: IRQ0 */
	wr(&h, HPET_REG_GEN_CONF, HPET_CONF_ENABLE | HPET_CONF_LEG_RT, T0);
	wr(&h, TN(0, HPET_TN_CONF), HPET_TN_INT_ENB | HPET_TN_INT_TYPE, T0);
	wr(&h, TN(0, HPET_TN_CMP), 0, T0);
	CHECK(ev_is(&r, r.n - 1, true, 0, true));
}

TEST(hpet_next_deadline_rules, "REQ-HPET-015")
{
	struct hpet h;
	struct rec r;

	memset(&r, 0, sizeof(r));
	hpet_init(&h, rec_irq, &r, T0);
	wr(&h, TN(0, HPET_TN_CONF), HPET_TN_INT_ENB | route(20), T0);
	wr(&h, TN(0, HPET_TN_CMP), 30, T0);
	CHECK_EQ(hpet_next_deadline(&h), TIME_NEVER);   /* halted */
	wr(&h, HPET_REG_GEN_CONF, HPET_CONF_ENABLE, T0);
	CHECK_EQ(hpet_next_deadline(&h), T0 + 300);
	wr(&h, TN(1, HPET_TN_CONF), HPET_TN_INT_ENB | route(20), T0);
	wr(&h, TN(1, HPET_TN_CMP), 20, T0);
	wr(&h, TN(2, HPET_TN_CONF), route(20), T0);      /* not enabled */
	wr(&h, TN(2, HPET_TN_CMP), 10, T0);
	CHECK_EQ(hpet_next_deadline(&h), T0 + 200);
	/* a start at a time that is not a whole tick: the match is at the
	 * first ns whose tick count reaches the comparator */
	wr(&h, HPET_REG_GEN_CONF, 0, T0 + 3);
	CHECK_EQ(hpet_next_deadline(&h), TIME_NEVER);
	wr(&h, HPET_REG_GEN_CONF, HPET_CONF_ENABLE, T0 + 7);
	CHECK_EQ(hpet_next_deadline(&h), T0 + 7 + 200);
	CHECK_EQ(rd(&h, HPET_REG_COUNTER, T0 + 206), 19);
	hpet_advance(&h, T0 + 206);
	CHECK_EQ(r.n, 0);
	hpet_advance(&h, T0 + 207);
	CHECK_EQ(r.n, 2);
	CHECK(hpet_next_deadline(&h) > T0 + 207);
	CHECK_EQ(hpet_next_deadline(&h), T0 + 307);
}

TEST(hpet_halted_timers_wait, "REQ-HPET-004 REQ-HPET-015")
{
	struct hpet h;
	struct rec r;

	setup_running(&h, &r);
	wr(&h, TN(0, HPET_TN_CONF), HPET_TN_INT_ENB | route(20), T0);
	wr(&h, TN(0, HPET_TN_CMP), 100, T0);
	wr(&h, HPET_REG_GEN_CONF, 0, T0 + 500);           /* counter 50 */
	hpet_advance(&h, T0 + 1000000);
	CHECK_EQ(r.n, 0);
	wr(&h, HPET_REG_GEN_CONF, HPET_CONF_ENABLE, T0 + 2000000);
	CHECK_EQ(hpet_next_deadline(&h), T0 + 2000000 + 500);
	hpet_advance(&h, T0 + 2000000 + 500);
	CHECK_EQ(r.n, 2);
}

TEST(hpet_no_callback, "REQ-HPET-012 REQ-HPET-013")
{
	struct hpet h;

	hpet_init(&h, NULL, NULL, T0);
	wr(&h, HPET_REG_GEN_CONF, HPET_CONF_ENABLE, T0);
	wr(&h, TN(0, HPET_TN_CONF), HPET_TN_INT_ENB | route(20), T0);
	wr(&h, TN(1, HPET_TN_CONF), HPET_TN_INT_ENB | HPET_TN_INT_TYPE | route(21), T0);
	wr(&h, TN(0, HPET_TN_CMP), 5, T0);
	wr(&h, TN(1, HPET_TN_CMP), 5, T0);
	hpet_advance(&h, T0 + 100);
	CHECK_EQ(rd(&h, HPET_REG_GEN_INT_STS, T0 + 100), 2);
	CHECK_EQ(h.lines, 1ULL << 21);
}

/* Many pseudo-random operations: after every advance the deadline lies
 * in the future, and advancing to it delivers something. */
TEST(hpet_deadline_always_future, "REQ-HPET-010 REQ-HPET-015")
{
	struct hpet h;
	struct rec r;
	uint64_t now = T0, x = 88172645463325252ULL;

	setup_running(&h, &r);
	for (unsigned i = 0; i < 20000; i++) {
		unsigned n;
		uint64_t d;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		n = (unsigned)(x % HPET_TIMERS);
		switch ((x >> 8) % 4) {
		case 0:
			wr(&h, TN(n, HPET_TN_CONF),
			   HPET_TN_INT_ENB | ((x >> 16) & (HPET_TN_TYPE | HPET_TN_32MODE | HPET_TN_VAL_SET)) |
				   route(20 + n),
			   now);
			break;
		case 1:
			wr(&h, TN(n, HPET_TN_CMP), rd(&h, HPET_REG_COUNTER, now) + ((x >> 20) % 1000), now);
			break;
		default:
			now += (x >> 24) % 3000;
			hpet_advance(&h, now);
			break;
		}
		d = hpet_next_deadline(&h);
		CHECK(d > now);
		if (d != TIME_NEVER && d - now < 100000) {
			unsigned before = r.n;

			hpet_advance(&h, d - 1);
			CHECK_EQ(r.n, before);
			hpet_advance(&h, d);
			CHECK(r.n > before);
			now = d;
		}
		/* a read never makes the deadline earlier */
		d = hpet_next_deadline(&h);
		rd(&h, (x >> 40) % 2 ? HPET_REG_GEN_INT_STS : TN(n, HPET_TN_CMP), now);
		CHECK(hpet_next_deadline(&h) >= d);
	}
}
