/* ACPI PM timer model (REQ-PMT-*). */
#include "test.h"

#include "dev/pmtimer.h"

/* floor(d * 3579545 / 1e9) by 128-bit arithmetic, the reference. */
static uint64_t ref_ticks(uint64_t d)
{
	return (uint64_t)((unsigned __int128)d * PMTIMER_HZ / 1000000000ULL);
}

TEST(pmtimer_counts_from_start, "REQ-PMT-001")
{
	struct pmtimer t;
	const uint64_t t0 = 5000000000ULL;

	pmtimer_init(&t, false, t0);
	CHECK_EQ(pmtimer_read(&t, t0), 0);
	CHECK_EQ(pmtimer_read(&t, t0 - 1), 0);      /* before the start: 0 */
	CHECK_EQ(pmtimer_read(&t, 0), 0);
	CHECK_EQ(pmtimer_read(&t, t0 + 279), 0);     /* one tick is 279.36 ns */
	CHECK_EQ(pmtimer_read(&t, t0 + 280), 1);
	CHECK_EQ(pmtimer_read(&t, t0 + 1000000000ULL), 3579545 & 0xffffff);
	/* 24 bits: wraps after 2^24 ticks (4.69 s) */
	CHECK_EQ(pmtimer_read(&t, t0 + 5000000000ULL), ref_ticks(5000000000ULL) & 0xffffff);
}

TEST(pmtimer_exact_for_any_time, "REQ-PMT-001")
{
	struct pmtimer narrow, wide;
	static const uint64_t ds[] = { 1, 999999999, 1000000000, 123456789012345ULL,
				       1ULL << 63, UINT64_MAX - 7, UINT64_MAX };

	pmtimer_init(&narrow, false, 0);
	pmtimer_init(&wide, true, 0);
	CHECK(wide.wide && !narrow.wide);
	for (unsigned i = 0; i < sizeof(ds) / sizeof(ds[0]); i++) {
		CHECK_EQ(pmtimer_read(&wide, ds[i]), ref_ticks(ds[i]) & 0xffffffff);
		CHECK_EQ(pmtimer_read(&narrow, ds[i]), ref_ticks(ds[i]) & 0xffffff);
	}
	/* no drift: at whole seconds exactly N * 3579545 */
	for (uint64_t s = 0; s < 100000; s += 997)
		CHECK_EQ(pmtimer_read(&wide, s * 1000000000ULL), (uint32_t)(s * PMTIMER_HZ));
	/* monotonic between wraps */
	for (uint64_t ns = 0, prev = 0; ns < 10000000; ns += 137) {
		uint32_t v = pmtimer_read(&wide, ns);

		CHECK(v >= prev);
		prev = v;
	}
}

TEST(pmtimer_io_bytes, "REQ-PMT-002")
{
	struct pmtimer t;
	const uint64_t now = 3000000000ULL; /* 10738635 = 0x00a3dbcb ticks */
	uint32_t v;
	uint8_t d[8];

	pmtimer_init(&t, true, 0);
	v = pmtimer_read(&t, now);
	CHECK_EQ(v, 0x00a3dbcb);
	memset(d, 0, sizeof(d));
	pmtimer_io(&t, 0, d, 4, false, now);
	CHECK_EQ(d[0] | d[1] << 8 | d[2] << 16 | (uint32_t)d[3] << 24, v);
	for (unsigned off = 0; off < 4; off++) {
		pmtimer_io(&t, off, d, 1, false, now);
		CHECK_EQ(d[0], (uint8_t)(v >> (8 * off)));
	}
	pmtimer_io(&t, 2, d, 2, false, now);
	CHECK_EQ(d[0] | d[1] << 8, v >> 16);
	/* bytes beyond the register read as open bus */
	pmtimer_io(&t, 2, d, 4, false, now);
	CHECK_EQ(d[0] | d[1] << 8, v >> 16);
	CHECK_EQ(d[2], 0xff);
	CHECK_EQ(d[3], 0xff);
	pmtimer_io(&t, 4, d, 4, false, now);
	CHECK_EQ(d[0] & d[1] & d[2] & d[3], 0xff);
	pmtimer_io(&t, UINT64_MAX, d, 2, false, now);
	CHECK_EQ(d[0] & d[1], 0xff);
}

TEST(pmtimer_io_writes_ignored, "REQ-PMT-002")
{
	struct pmtimer t, before;
	uint8_t d[4] = { 1, 2, 3, 4 };

	pmtimer_init(&t, false, 100);
	before = t;
	pmtimer_io(&t, 0, d, 4, true, 5000000000ULL);
	CHECK_EQ(d[0], 1);
	CHECK_EQ(d[3], 4);
	CHECK(memcmp(&t, &before, sizeof(t)) == 0);
	/* 24-bit: the top byte reads 0 */
	pmtimer_io(&t, 3, d, 1, false, 5000000000ULL);
	CHECK_EQ(d[0], 0);
}
