#include "bus/iobus.h"
#include "test.h"

struct recorder {
	uint64_t offset;
	unsigned len, calls;
	bool is_write;
	uint8_t last[8];
};

static void rec_fn(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write)
{
	struct recorder *r = opaque;

	r->offset = offset;
	r->len = len;
	r->is_write = is_write;
	r->calls++;
	if (is_write)
		memcpy(r->last, data, len);
	else
		memset(data, 0x42, len);
}

TEST(iobus_register_rejects_overlap, "REQ-BUS-002")
{
	struct iobus bus;
	struct recorder r = { 0 };

	iobus_init(&bus, "port");
	CHECK_EQ(iobus_register(&bus, 0x3f8, 8, rec_fn, &r, "a"), 0);
	CHECK_EQ(iobus_register(&bus, 0x3f0, 9, rec_fn, &r, "b"), -1);  /* tail overlaps */
	CHECK_EQ(iobus_register(&bus, 0x3ff, 1, rec_fn, &r, "c"), -1);  /* inside */
	CHECK_EQ(iobus_register(&bus, 0x3f0, 8, rec_fn, &r, "d"), 0);   /* touches, ok */
	CHECK_EQ(iobus_register(&bus, 0x400, 0, rec_fn, &r, "e"), -1);  /* empty */
	CHECK_EQ(iobus_register(&bus, UINT64_MAX, 2, rec_fn, &r, "f"), -1); /* wraps */
	CHECK_EQ(iobus_register(&bus, 0x500, 1, NULL, &r, "g"), -1);
	CHECK_EQ(bus.nranges, 2);
	CHECK_EQ(bus.ranges[0].base, 0x3f0); /* kept sorted */
	for (unsigned i = 2; i < IOBUS_MAX_RANGES; i++)
		CHECK_EQ(iobus_register(&bus, 0x1000 + i * 4, 4, rec_fn, &r, "x"), 0);
	CHECK_EQ(iobus_register(&bus, 0x9000, 4, rec_fn, &r, "full"), -1);
	iobus_destroy(&bus);
}

TEST(iobus_dispatch_by_offset, "REQ-BUS-001")
{
	struct iobus bus;
	struct recorder a = { 0 }, b = { 0 };
	uint8_t data[8] = { 0x11, 0x22 };

	iobus_init(&bus, "mmio");
	CHECK_EQ(iobus_register(&bus, 0xfee00000, 0x1000, rec_fn, &a, "a"), 0);
	CHECK_EQ(iobus_register(&bus, 0xfec00000, 0x20, rec_fn, &b, "b"), 0);
	CHECK(iobus_find(&bus, 0xfee00fff) == &bus.ranges[1]);
	CHECK(iobus_find(&bus, 0xfee01000) == NULL);
	CHECK(iobus_find(&bus, 0) == NULL);
	CHECK(iobus_access(&bus, 0xfec00010, data, 2, true));
	CHECK_EQ(b.offset, 0x10);
	CHECK_EQ(b.len, 2);
	CHECK(b.is_write);
	CHECK_EQ(b.last[1], 0x22);
	CHECK(iobus_access(&bus, 0xfee000f0, data, 4, false));
	CHECK_EQ(a.offset, 0xf0);
	CHECK_EQ(data[3], 0x42);
	iobus_destroy(&bus);
}

TEST(iobus_unclaimed_reads_ones_logs_once, "REQ-BUS-003 REQ-BUS-004")
{
	struct iobus bus;
	struct recorder r = { 0 };
	uint8_t data[8] = { 0 };

	iobus_init(&bus, "port");
	CHECK_EQ(iobus_register(&bus, 0x60, 1, rec_fn, &r, "kbd"), 0);
	CHECK(!iobus_access(&bus, 0x1234, data, 4, false));
	CHECK_EQ(data[0], 0xff);
	CHECK_EQ(data[3], 0xff);
	CHECK_EQ(data[4], 0);
	CHECK(!iobus_access(&bus, 0x1234, data, 4, false));
	CHECK(!iobus_access(&bus, 0x1234, data, 1, true));
	CHECK_EQ(bus.unclaimed_count, 3);
	CHECK_EQ(bus.nlogged, 1);        /* logged once per address */
	/* Straddling the end of a range is unclaimed, not half-delivered. */
	CHECK(!iobus_access(&bus, 0x60, data, 2, false));
	CHECK_EQ(r.calls, 0);
	/* The remembered set is bounded. */
	for (unsigned i = 0; i < IOBUS_MAX_LOGGED + 10; i++)
		iobus_access(&bus, 0x10000 + i, data, 1, true);
	CHECK_EQ(bus.nlogged, IOBUS_MAX_LOGGED);
	/* Odd lengths are clamped to the 8-byte data buffer. */
	CHECK(!iobus_access(&bus, 0x5000, data, 0, false));
	CHECK(!iobus_access(&bus, 0x5000, data, 100, false));
	iobus_destroy(&bus);
}
