/* MC146818 RTC / CMOS model (REQ-RTC-*). The host clock is set so that at
 * monotonic T0 it is exactly 2024-02-29 12:34:56 UTC (a Thursday). */
#include "test.h"

#include "dev/rtc.h"

#define T0      5000000000ULL
#define EPOCH0  1709210096LL        /* 2024-02-29 12:34:56 UTC */
#define SEC     NSEC_PER_SEC
#define MS      1000000ULL

struct irqrec {
	unsigned n;
	bool level;
};

static void rec_irq(void *opaque, unsigned line, bool level)
{
	struct irqrec *r = opaque;

	(void)line;
	r->n++;
	r->level = level;
}

static uint8_t rd(struct rtc *r, unsigned idx, uint64_t now)
{
	rtc_io_write(r, RTC_PORT_INDEX, (uint8_t)idx, now);
	return rtc_io_read(r, RTC_PORT_DATA, now);
}

static void wr(struct rtc *r, unsigned idx, uint8_t v, uint64_t now)
{
	rtc_io_write(r, RTC_PORT_INDEX, (uint8_t)idx, now);
	rtc_io_write(r, RTC_PORT_DATA, v, now);
}

/* Host realtime is `epoch_s` seconds (+ sub_ns) at T0. */
static void setup_at(struct rtc *r, struct irqrec *rec, int64_t epoch_s, uint64_t sub_ns)
{
	struct irq_line l = { rec_irq, rec, 8 };

	memset(rec, 0, sizeof(*rec));
	rtc_init(r, l, epoch_s * (int64_t)SEC + (int64_t)sub_ns - (int64_t)T0, T0);
}

static void setup(struct rtc *r, struct irqrec *rec)
{
	setup_at(r, rec, EPOCH0, 0);
}

/* Sets the guest clock under SET, in the current format. */
static void set_clock(struct rtc *r, uint64_t now, uint8_t cen, uint8_t yr, uint8_t mon, uint8_t mday,
		      uint8_t h, uint8_t m, uint8_t s)
{
	uint8_t b = rd(r, RTC_REG_B, now);

	wr(r, RTC_REG_B, b | RTC_B_SET, now);
	wr(r, RTC_CENTURY, cen, now);
	wr(r, RTC_YEAR, yr, now);
	wr(r, RTC_MONTH, mon, now);
	wr(r, RTC_MDAY, mday, now);
	wr(r, RTC_HOUR, h, now);
	wr(r, RTC_MIN, m, now);
	wr(r, RTC_SEC, s, now);
	wr(r, RTC_REG_B, b & ~RTC_B_SET, now);
}

static bool time_is(struct rtc *r, uint64_t now, uint8_t cen, uint8_t yr, uint8_t mon, uint8_t mday,
		    uint8_t h, uint8_t m, uint8_t s)
{
	return rd(r, RTC_CENTURY, now) == cen && rd(r, RTC_YEAR, now) == yr &&
	       rd(r, RTC_MONTH, now) == mon && rd(r, RTC_MDAY, now) == mday &&
	       rd(r, RTC_HOUR, now) == h && rd(r, RTC_MIN, now) == m && rd(r, RTC_SEC, now) == s;
}

TEST(rtc_init_state, "REQ-RTC-015")
{
	struct rtc r;
	struct irqrec rec;

	setup(&r, &rec);
	CHECK_EQ(r.index, 0);
	CHECK(!r.nmi_masked);
	CHECK(!r.irq_level);
	CHECK_EQ(rec.n, 0);
	CHECK_EQ(rd(&r, RTC_REG_A, T0), 0x26);
	CHECK_EQ(rd(&r, RTC_REG_B, T0), 0x02);
	CHECK_EQ(rd(&r, RTC_REG_C, T0), 0x00);
	CHECK_EQ(rd(&r, RTC_REG_D, T0), 0x80);
	CHECK_EQ(r.offset_s, 0);
	CHECK_EQ(rtc_next_deadline(&r), TIME_NEVER);
	for (unsigned i = 0x0e; i < 0x80; i++)
		if (i != RTC_CENTURY)
			CHECK_EQ(rd(&r, i, T0), 0);
}

TEST(rtc_ports_and_index, "REQ-RTC-001")
{
	struct rtc r;
	struct irqrec rec;

	setup(&r, &rec);
	rtc_io_write(&r, RTC_PORT_INDEX, 0x8d, T0);   /* NMI off, register D */
	CHECK(r.nmi_masked);
	CHECK_EQ(r.index, 0x0d);
	CHECK_EQ(rtc_io_read(&r, RTC_PORT_DATA, T0), 0x80);
	CHECK_EQ(rtc_io_read(&r, RTC_PORT_INDEX, T0), 0xff);  /* write-only */
	rtc_io_write(&r, RTC_PORT_INDEX, 0x0d, T0);
	CHECK(!r.nmi_masked);
	/* index >= 128 is index & 0x7f (bit 7 is the NMI mask) */
	rtc_io_write(&r, RTC_PORT_INDEX, 0xc0, T0);
	CHECK_EQ(r.index, 0x40);
	rtc_io_write(&r, RTC_PORT_DATA, 0x5a, T0);
	CHECK_EQ(r.cmos[0x40], 0x5a);
	CHECK_EQ(rd(&r, 0x40, T0), 0x5a);
	/* other ports: 0xff, writes ignored */
	CHECK_EQ(rtc_io_read(&r, 0x72, T0), 0xff);
	CHECK_EQ(rtc_io_read(&r, 0x0, T0), 0xff);
	rtc_io_write(&r, 0x72, 0x11, T0);
	rtc_io_write(&r, 0x73, 0x11, T0);
	CHECK_EQ(r.index, 0x40);
	CHECK_EQ(r.cmos[0x40], 0x5a);
	CHECK(!r.nmi_masked);
}

TEST(rtc_reads_host_time_bcd, "REQ-RTC-002 REQ-RTC-003")
{
	struct rtc r;
	struct irqrec rec;

	setup(&r, &rec);
	CHECK(time_is(&r, T0, 0x20, 0x24, 0x02, 0x29, 0x12, 0x34, 0x56));
	CHECK_EQ(rd(&r, RTC_DOW, T0), 5);           /* Thursday; 1 = Sunday */
	/* the clock runs: +11:25:04 -> Friday 2024-03-01 00:00:00 */
	CHECK(time_is(&r, T0 + 41104 * SEC - 1, 0x20, 0x24, 0x02, 0x29, 0x23, 0x59, 0x59));
	CHECK(time_is(&r, T0 + 41104 * SEC, 0x20, 0x24, 0x03, 0x01, 0x00, 0x00, 0x00));
	CHECK_EQ(rd(&r, RTC_DOW, T0 + 41104 * SEC), 6);
	CHECK(time_is(&r, T0 + 41104 * SEC + 2 * SEC + 3 * 60 * SEC + 4 * 3600 * SEC, 0x20, 0x24,
		      0x03, 0x01, 0x04, 0x03, 0x02));
}

TEST(rtc_binary_and_12h, "REQ-RTC-003")
{
	struct rtc r;
	struct irqrec rec;

	setup(&r, &rec);
	wr(&r, RTC_REG_B, RTC_B_24H | RTC_B_DM, T0);
	CHECK(time_is(&r, T0, 20, 24, 2, 29, 12, 34, 56));
	CHECK_EQ(rd(&r, RTC_DOW, T0), 5);
	/* 12-hour, binary: 12:34 PM */
	wr(&r, RTC_REG_B, RTC_B_DM, T0);
	CHECK_EQ(rd(&r, RTC_HOUR, T0), 0x80 | 12);
	CHECK_EQ(rd(&r, RTC_HOUR, T0 + 3600 * SEC), 0x80 | 1);     /* 1 PM */
	CHECK_EQ(rd(&r, RTC_HOUR, T0 + 12 * 3600 * SEC), 12);      /* 0:34 = 12 AM */
	CHECK_EQ(rd(&r, RTC_HOUR, T0 + 23 * 3600 * SEC), 11);      /* 11 AM */
	/* 12-hour BCD */
	wr(&r, RTC_REG_B, 0, T0 + 23 * 3600 * SEC);
	CHECK_EQ(rd(&r, RTC_HOUR, T0 + 23 * 3600 * SEC), 0x11);
	CHECK_EQ(rd(&r, RTC_HOUR, T0 + 34 * 3600 * SEC), 0x80 | 0x10); /* 10 PM */
	CHECK_EQ(rd(&r, RTC_HOUR, T0 + 36 * 3600 * SEC), 0x12);        /* 12 AM */
	CHECK_EQ(rd(&r, RTC_HOUR, T0 + 48 * 3600 * SEC), 0x92);        /* 12 PM */
}

/* Calendar against a day-by-day reference: every day of selected years
 * and every 97th day from 0000 to 9999. */
TEST(rtc_calendar, "REQ-RTC-002")
{
	struct rtc r;
	struct irqrec rec;
	static const uint8_t mlen[13] = { 0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	unsigned y = 0, m = 1, d = 1, dow = 6; /* 0000-01-01 was a Saturday */
	const int64_t to1970 = 719528LL * 86400;

	setup(&r, &rec);
	wr(&r, RTC_REG_B, RTC_B_24H | RTC_B_DM, T0);
	for (int64_t day = 0; day < 3652425; day++) {
		bool dense = y < 2 || (y >= 1899 && y <= 1901) || (y >= 1999 && y <= 2001) ||
			     (y >= 2099 && y <= 2101) || y >= 9998;

		if (dense || day % 97 == 0) {
			r.offset_s = day * 86400 + 43200 - to1970 - EPOCH0;
			CHECK_EQ(rd(&r, RTC_MDAY, T0), d);
			CHECK_EQ(rd(&r, RTC_MONTH, T0), m);
			CHECK_EQ(rd(&r, RTC_YEAR, T0), y % 100);
			CHECK_EQ(rd(&r, RTC_CENTURY, T0), y / 100);
			CHECK_EQ(rd(&r, RTC_DOW, T0), dow + 1);
		}
		dow = (dow + 1) % 7;
		if (++d > mlen[m] + (unsigned)(m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))) {
			d = 1;
			if (++m > 12) {
				m = 1;
				y++;
			}
		}
	}
	CHECK_EQ(y, 10000);
}

TEST(rtc_clock_wraps_after_9999, "REQ-RTC-014")
{
	struct rtc r;
	struct irqrec rec;

	setup(&r, &rec);
	set_clock(&r, T0, 0x99, 0x99, 0x12, 0x31, 0x23, 0x59, 0x59);
	wr(&r, RTC_DOW, 6, T0);                         /* 9999-12-31 is a Friday */
	CHECK(time_is(&r, T0 + SEC, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00));
	CHECK_EQ(rd(&r, RTC_DOW, T0 + SEC), 7);         /* 0000-01-01 a Saturday */
	/* 1999 -> 2000: year wraps and the century follows */
	set_clock(&r, T0 + SEC, 0x19, 0x99, 0x12, 0x31, 0x23, 0x59, 0x59);
	CHECK(time_is(&r, T0 + 2 * SEC, 0x20, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00));
	/* 2100 is no leap year, 2000 was */
	set_clock(&r, T0 + 2 * SEC, 0x21, 0x00, 0x02, 0x28, 0x23, 0x59, 0x59);
	CHECK(time_is(&r, T0 + 3 * SEC, 0x21, 0x00, 0x03, 0x01, 0x00, 0x00, 0x00));
	set_clock(&r, T0 + 3 * SEC, 0x20, 0x00, 0x02, 0x28, 0x23, 0x59, 0x59);
	CHECK(time_is(&r, T0 + 4 * SEC, 0x20, 0x00, 0x02, 0x29, 0x00, 0x00, 0x00));
}

TEST(rtc_time_never_goes_back, "REQ-RTC-014")
{
	struct rtc r;
	struct irqrec rec;

	setup(&r, &rec);
	CHECK_EQ(rd(&r, RTC_SEC, T0 + 3 * SEC), 0x59);
	CHECK_EQ(rd(&r, RTC_SEC, T0), 0x59);        /* older now: the newest is used */
	rtc_advance(&r, T0);
	CHECK_EQ(r.now_ns, T0 + 3 * SEC);
	/* host clocks at the ends of the int64 ns range (years 1677 and 2262)
	 * still give a valid date */
	setup_at(&r, &rec, INT64_MIN / (int64_t)SEC + 10, 0);
	CHECK(rd(&r, RTC_MONTH, T0) >= 1 && rd(&r, RTC_MONTH, T0) <= 0x12);
	setup_at(&r, &rec, INT64_MAX / (int64_t)SEC, 0);
	CHECK(rd(&r, RTC_MDAY, T0) >= 1 && rd(&r, RTC_MDAY, T0) <= 0x31);
}

TEST(rtc_set_clock, "REQ-RTC-004 REQ-RTC-010")
{
	struct rtc r;
	struct irqrec rec;

	setup(&r, &rec);
	wr(&r, RTC_REG_B, RTC_B_24H | RTC_B_UIE, T0);
	/* SET going high clears UIE; the time bytes freeze */
	wr(&r, RTC_REG_B, RTC_B_SET | RTC_B_24H | RTC_B_UIE, T0);
	CHECK_EQ(rd(&r, RTC_REG_B, T0), RTC_B_SET | RTC_B_24H);
	CHECK(time_is(&r, T0 + 5 * SEC, 0x20, 0x24, 0x02, 0x29, 0x12, 0x34, 0x56));
	/* while SET stays high, UIE can be set again */
	wr(&r, RTC_REG_B, RTC_B_SET | RTC_B_24H | RTC_B_UIE, T0 + 5 * SEC);
	CHECK_EQ(rd(&r, RTC_REG_B, T0 + 5 * SEC), RTC_B_SET | RTC_B_24H | RTC_B_UIE);
	wr(&r, RTC_REG_B, RTC_B_SET | RTC_B_24H, T0 + 5 * SEC);
	wr(&r, RTC_YEAR, 0x01, T0 + 5 * SEC);
	wr(&r, RTC_MONTH, 0x09, T0 + 5 * SEC);
	wr(&r, RTC_MDAY, 0x09, T0 + 5 * SEC);
	wr(&r, RTC_HOUR, 0x08, T0 + 5 * SEC);
	wr(&r, RTC_MIN, 0x46, T0 + 5 * SEC);
	wr(&r, RTC_SEC, 0x40, T0 + 5 * SEC);
	wr(&r, RTC_DOW, 0x03, T0 + 5 * SEC);   /* 2001-09-09 was a Sunday: guest says 3 */
	CHECK_EQ(rd(&r, RTC_SEC, T0 + 6 * SEC), 0x40);   /* reads what was written */
	wr(&r, RTC_REG_B, RTC_B_24H, T0 + 6 * SEC + 300 * MS);
	CHECK(time_is(&r, T0 + 6 * SEC + 300 * MS, 0x20, 0x01, 0x09, 0x09, 0x08, 0x46, 0x40));
	/* runs on from there, the guest's weekday numbering too */
	CHECK(time_is(&r, T0 + 7 * SEC, 0x20, 0x01, 0x09, 0x09, 0x08, 0x46, 0x41));
	CHECK_EQ(rd(&r, RTC_DOW, T0 + 7 * SEC), 3);
	CHECK_EQ(rd(&r, RTC_DOW, T0 + 7 * SEC + 86400 * SEC), 4);
	CHECK_EQ(rd(&r, RTC_DOW, T0 + 7 * SEC + 4 * 86400 * SEC), 7);
	CHECK_EQ(rd(&r, RTC_DOW, T0 + 7 * SEC + 5 * 86400 * SEC), 1);
}

TEST(rtc_write_while_running, "REQ-RTC-004")
{
	struct rtc r;
	struct irqrec rec;

	setup(&r, &rec);
	wr(&r, RTC_MIN, 0x00, T0);
	CHECK(time_is(&r, T0, 0x20, 0x24, 0x02, 0x29, 0x12, 0x00, 0x56));
	CHECK(time_is(&r, T0 + 4 * SEC, 0x20, 0x24, 0x02, 0x29, 0x12, 0x01, 0x00));
	wr(&r, RTC_CENTURY, 0x19, T0 + 4 * SEC);
	CHECK(time_is(&r, T0 + 4 * SEC, 0x19, 0x24, 0x02, 0x29, 0x12, 0x01, 0x00));
	CHECK_EQ(rd(&r, RTC_DOW, T0 + 4 * SEC), 5); /* weekday keeps counting its own way */
}

TEST(rtc_set_out_of_range, "REQ-RTC-004")
{
	struct rtc r;
	struct irqrec rec;

	setup(&r, &rec);
	/* BCD garbage clamps: sec 0x7f -> 79 -> 59, min 0xaa -> 59,
	 * hour 0x99 -> 23, month 0x13 -> 12, day 0x00 -> 1 */
	set_clock(&r, T0, 0x20, 0x23, 0x13, 0x00, 0x99, 0xaa, 0x7f);
	CHECK(time_is(&r, T0, 0x20, 0x23, 0x12, 0x01, 0x23, 0x59, 0x59));
	/* Feb 31 runs into March; year/century clamp to 99 */
	set_clock(&r, T0, 0x20, 0x23, 0x02, 0x31, 0x00, 0x00, 0x00);
	CHECK(time_is(&r, T0, 0x20, 0x23, 0x03, 0x03, 0x00, 0x00, 0x00));
	set_clock(&r, T0, 0xff, 0xff, 0x01, 0x01, 0x00, 0x00, 0x00);
	CHECK(time_is(&r, T0, 0x99, 0x99, 0x01, 0x01, 0x00, 0x00, 0x00));
	/* DOW 0 and 9 clamp to 1..7 */
	wr(&r, RTC_DOW, 0, T0);
	CHECK_EQ(rd(&r, RTC_DOW, T0), 1);
	wr(&r, RTC_DOW, 9, T0);
	CHECK_EQ(rd(&r, RTC_DOW, T0), 7);
	/* 12-hour: hour 0 clamps to 1 AM, 0x8d (13 PM) to 12 PM */
	wr(&r, RTC_REG_B, 0, T0);
	wr(&r, RTC_HOUR, 0x00, T0);
	CHECK_EQ(rd(&r, RTC_HOUR, T0), 0x01);
	wr(&r, RTC_HOUR, 0x93, T0);
	CHECK_EQ(rd(&r, RTC_HOUR, T0), 0x92);
	wr(&r, RTC_REG_B, RTC_B_24H | RTC_B_DM, T0);
	CHECK_EQ(rd(&r, RTC_HOUR, T0), 12);
	wr(&r, RTC_HOUR, 200, T0);
	CHECK_EQ(rd(&r, RTC_HOUR, T0), 23);
}

TEST(rtc_format_change_under_set, "REQ-RTC-003 REQ-RTC-004")
{
	struct rtc r;
	struct irqrec rec;

	setup(&r, &rec);
	/* frozen bytes are in the old format (BCD); switched to binary under
	 * SET, they are read in the new one when SET clears */
	wr(&r, RTC_REG_B, RTC_B_SET | RTC_B_24H, T0);
	wr(&r, RTC_REG_B, RTC_B_SET | RTC_B_24H | RTC_B_DM, T0);
	CHECK_EQ(rd(&r, RTC_SEC, T0), 0x56);
	wr(&r, RTC_SEC, 10, T0);
	wr(&r, RTC_MIN, 20, T0);
	wr(&r, RTC_HOUR, 7, T0);
	wr(&r, RTC_MDAY, 2, T0);
	wr(&r, RTC_MONTH, 3, T0);
	wr(&r, RTC_YEAR, 24, T0);
	wr(&r, RTC_CENTURY, 20, T0);
	wr(&r, RTC_REG_B, RTC_B_24H | RTC_B_DM, T0);
	CHECK(time_is(&r, T0, 20, 24, 3, 2, 7, 20, 10));
}

TEST(rtc_divider_and_uip, "REQ-RTC-005")
{
	struct rtc r;
	struct irqrec rec;
	const uint64_t edge = T0 + SEC - 244000;

	setup(&r, &rec);
	/* UIP in the last 244 us before each second */
	CHECK_EQ(rd(&r, RTC_REG_A, T0), 0x26);
	CHECK_EQ(rd(&r, RTC_REG_A, edge - 1), 0x26);
	CHECK_EQ(rd(&r, RTC_REG_A, edge), 0xa6);
	CHECK_EQ(rd(&r, RTC_SEC, edge), 0x56);
	CHECK_EQ(rd(&r, RTC_REG_A, T0 + SEC - 1), 0xa6);
	CHECK_EQ(rd(&r, RTC_REG_A, T0 + SEC), 0x26);
	CHECK_EQ(rd(&r, RTC_SEC, T0 + SEC), 0x57);
	/* writes keep bits 6:0 only */
	wr(&r, RTC_REG_A, 0xa5, T0 + SEC);
	CHECK_EQ(rd(&r, RTC_REG_A, T0 + SEC), 0x25);
	/* SET: no UIP */
	wr(&r, RTC_REG_B, RTC_B_SET | RTC_B_24H, T0 + SEC);
	CHECK_EQ(rd(&r, RTC_REG_A, T0 + 2 * SEC - 1), 0x25);
	wr(&r, RTC_REG_B, RTC_B_24H, T0 + 2 * SEC - 1);
	/* divider reset (DV=110): the clock stands still, no UIP, no ticks */
	wr(&r, RTC_REG_A, 0x66, T0 + 2 * SEC - 1);
	CHECK_EQ(rd(&r, RTC_SEC, T0 + 10 * SEC - 1), 0x57);
	CHECK_EQ(rd(&r, RTC_REG_A, T0 + 10 * SEC - 1), 0x66);
	rd(&r, RTC_REG_C, T0 + 10 * SEC - 1);
	wr(&r, RTC_REG_B, RTC_B_24H | RTC_B_PIE | RTC_B_UIE, T0 + 10 * SEC - 1);
	CHECK_EQ(rtc_next_deadline(&r), TIME_NEVER);
	rtc_advance(&r, T0 + 12 * SEC);
	CHECK_EQ(rd(&r, RTC_REG_C, T0 + 12 * SEC), 0);
	/* other DV values (000, 001, 011, 10x) stop it too */
	for (uint8_t dv = 0; dv < 8; dv++) {
		if (dv == 2)
			continue;
		wr(&r, RTC_REG_A, (uint8_t)(dv << 4 | 6), T0 + 12 * SEC);
		CHECK_EQ(rtc_next_deadline(&r), TIME_NEVER);
	}
	/* running again: resumes from the stopped time */
	wr(&r, RTC_REG_A, 0x26, T0 + 12 * SEC);
	CHECK_EQ(rd(&r, RTC_SEC, T0 + 12 * SEC), 0x57);
	CHECK_EQ(rd(&r, RTC_SEC, T0 + 13 * SEC), 0x58);
}

/* Deadline of the first periodic tick after a second boundary. */
static uint64_t first_tick(unsigned rs)
{
	struct rtc r;
	struct irqrec rec;

	setup(&r, &rec);
	wr(&r, RTC_REG_A, (uint8_t)(0x20 | rs), T0);
	wr(&r, RTC_REG_B, RTC_B_24H | RTC_B_PIE, T0);
	return rtc_next_deadline(&r);
}

TEST(rtc_periodic_rates, "REQ-RTC-006")
{
	/* rs 1, 2: 256 Hz, 128 Hz; rs >= 3: 32768 >> (rs - 1) Hz; first tick
	 * at the first ns whose 32.768 kHz count reaches the interval */
	CHECK_EQ(first_tick(0), TIME_NEVER);
	CHECK_EQ(first_tick(1), T0 + 3906250);
	CHECK_EQ(first_tick(2), T0 + 7812500);
	CHECK_EQ(first_tick(3), T0 + 122071);     /* 8192 Hz: 122070.3125 ns */
	CHECK_EQ(first_tick(4), T0 + 244141);
	CHECK_EQ(first_tick(6), T0 + 976563);     /* 1024 Hz */
	CHECK_EQ(first_tick(8), T0 + 3906250);    /* 256 Hz, same as rs 1 */
	CHECK_EQ(first_tick(9), T0 + 7812500);
	CHECK_EQ(first_tick(15), T0 + 500000000); /* 2 Hz */
}

TEST(rtc_periodic_interrupt, "REQ-RTC-006 REQ-RTC-009 REQ-RTC-013")
{
	struct rtc r;
	struct irqrec rec;
	uint64_t d;

	setup(&r, &rec);
	wr(&r, RTC_REG_A, 0x2f, T0);               /* 2 Hz */
	CHECK_EQ(rtc_next_deadline(&r), TIME_NEVER);   /* PIE off */
	wr(&r, RTC_REG_B, RTC_B_24H | RTC_B_PIE, T0);
	d = rtc_next_deadline(&r);
	CHECK_EQ(d, T0 + 500 * MS);
	rtc_advance(&r, d - 1);
	CHECK_EQ(rec.n, 0);
	rtc_advance(&r, d);
	CHECK_EQ(rec.n, 1);
	CHECK(rec.level);
	/* IRQF set: the next tick is still reported (a read of C must not
	 * make the deadline earlier) */
	CHECK_EQ(rtc_next_deadline(&r), T0 + 1000 * MS);
	rtc_advance(&r, T0 + 1000 * MS);
	CHECK_EQ(rec.n, 1);
	/* missed ticks are one flag */
	rtc_advance(&r, T0 + 10 * SEC + 1);
	CHECK_EQ(rd(&r, RTC_REG_C, T0 + 10 * SEC + 1), RTC_C_IRQF | RTC_C_PF | RTC_C_UF);
	CHECK_EQ(rec.n, 2);
	CHECK(!rec.level);
	CHECK_EQ(rd(&r, RTC_REG_C, T0 + 10 * SEC + 1), 0);
	CHECK_EQ(rtc_next_deadline(&r), T0 + 10500 * MS);
	/* no drift: ticks stay on the grid */
	for (unsigned k = 21; k < 60; k++) {
		d = rtc_next_deadline(&r);
		CHECK_EQ(d, T0 + k * 500 * MS);
		rtc_advance(&r, d);
		CHECK_EQ(rd(&r, RTC_REG_C, d) & RTC_C_PF, RTC_C_PF);
	}
}

TEST(rtc_periodic_grid_sub_second_phase, "REQ-RTC-006")
{
	struct rtc r;
	struct irqrec rec;

	/* host time at T0 is x.300000000: ticks stay on the host's grid */
	setup_at(&r, &rec, EPOCH0, 300 * MS);
	wr(&r, RTC_REG_A, 0x2e, T0);                   /* 4 Hz */
	wr(&r, RTC_REG_B, RTC_B_24H | RTC_B_PIE, T0);
	CHECK_EQ(rtc_next_deadline(&r), T0 + 200 * MS);
	/* the grid exactly at a tick: the next one, not this one */
	rtc_advance(&r, T0 + 200 * MS);
	rd(&r, RTC_REG_C, T0 + 200 * MS);
	CHECK_EQ(rtc_next_deadline(&r), T0 + 450 * MS);
	CHECK_EQ(rd(&r, RTC_SEC, T0 + 699 * MS), 0x56);
	CHECK_EQ(rd(&r, RTC_SEC, T0 + 700 * MS), 0x57);
}

TEST(rtc_update_interrupt, "REQ-RTC-007 REQ-RTC-009 REQ-RTC-013")
{
	struct rtc r;
	struct irqrec rec;

	setup_at(&r, &rec, EPOCH0, 250 * MS);
	wr(&r, RTC_REG_A, RTC_A_DV_32K, T0);            /* no periodic flag */
	wr(&r, RTC_REG_B, RTC_B_24H | RTC_B_UIE, T0);
	CHECK_EQ(rtc_next_deadline(&r), T0 + 750 * MS);
	rtc_advance(&r, T0 + 750 * MS - 1);
	CHECK_EQ(rec.n, 0);
	rtc_advance(&r, T0 + 750 * MS);
	CHECK_EQ(rec.n, 1);
	CHECK_EQ(rd(&r, RTC_REG_C, T0 + 750 * MS), RTC_C_IRQF | RTC_C_UF);
	CHECK_EQ(rtc_next_deadline(&r), T0 + 1750 * MS);
	/* UF without UIE: flag only */
	wr(&r, RTC_REG_B, RTC_B_24H, T0 + 750 * MS);
	rtc_advance(&r, T0 + 1750 * MS);
	CHECK_EQ(rec.n, 2);
	CHECK(!rec.level);
	CHECK_EQ(rd(&r, RTC_REG_C, T0 + 1750 * MS), RTC_C_UF);
	/* SET: no updates */
	wr(&r, RTC_REG_B, RTC_B_24H | RTC_B_SET, T0 + 1750 * MS);
	rtc_advance(&r, T0 + 5 * SEC);
	CHECK_EQ(rd(&r, RTC_REG_C, T0 + 5 * SEC), 0);
}

TEST(rtc_alarm_interrupt, "REQ-RTC-008 REQ-RTC-013")
{
	struct rtc r;
	struct irqrec rec;

	setup(&r, &rec);
	wr(&r, RTC_REG_A, RTC_A_DV_32K, T0);
	wr(&r, RTC_HOUR_ALARM, 0x12, T0);
	wr(&r, RTC_MIN_ALARM, 0x35, T0);
	wr(&r, RTC_SEC_ALARM, 0x10, T0);
	wr(&r, RTC_REG_B, RTC_B_24H | RTC_B_AIE, T0);
	CHECK_EQ(rtc_next_deadline(&r), T0 + 14 * SEC);    /* 12:34:56 -> 12:35:10 */
	rtc_advance(&r, T0 + 14 * SEC - 1);
	CHECK_EQ(rec.n, 0);
	rtc_advance(&r, T0 + 14 * SEC);
	CHECK_EQ(rec.n, 1);
	CHECK_EQ(rd(&r, RTC_REG_C, T0 + 14 * SEC), RTC_C_IRQF | RTC_C_AF | RTC_C_UF);
	/* the same time tomorrow */
	CHECK_EQ(rtc_next_deadline(&r), T0 + (14 + 86400) * SEC);
	/* don't-care hour and minute: every minute at :30 */
	wr(&r, RTC_HOUR_ALARM, 0xc0, T0 + 14 * SEC);
	wr(&r, RTC_MIN_ALARM, 0xff, T0 + 14 * SEC);
	wr(&r, RTC_SEC_ALARM, 0x30, T0 + 14 * SEC);
	CHECK_EQ(rtc_next_deadline(&r), T0 + 34 * SEC);
	/* all don't care: every second */
	wr(&r, RTC_SEC_ALARM, 0xc5, T0 + 14 * SEC);
	CHECK_EQ(rtc_next_deadline(&r), T0 + 15 * SEC);
	/* a value no time has (BCD 0x60 seconds): never */
	wr(&r, RTC_SEC_ALARM, 0x60, T0 + 14 * SEC);
	CHECK_EQ(rtc_next_deadline(&r), TIME_NEVER);
	rtc_advance(&r, T0 + 200000 * SEC);
	CHECK_EQ(rd(&r, RTC_REG_C, T0 + 200000 * SEC) & RTC_C_AF, 0);
	wr(&r, RTC_SEC_ALARM, 0x00, T0 + 200000 * SEC);
	wr(&r, RTC_MIN_ALARM, 0x5a, T0 + 200000 * SEC);
	CHECK_EQ(rtc_next_deadline(&r), TIME_NEVER);
	wr(&r, RTC_MIN_ALARM, 0x00, T0 + 200000 * SEC);
	wr(&r, RTC_HOUR_ALARM, 0x24, T0 + 200000 * SEC);
	CHECK_EQ(rtc_next_deadline(&r), TIME_NEVER);
}

TEST(rtc_alarm_next_day_and_hours, "REQ-RTC-008")
{
	struct rtc r;
	struct irqrec rec;

	setup(&r, &rec);
	/* 12:34:56: an alarm at 12:34:50 is tomorrow's; at hh:34:57 next second */
	wr(&r, RTC_HOUR_ALARM, 0x12, T0);
	wr(&r, RTC_MIN_ALARM, 0x34, T0);
	wr(&r, RTC_SEC_ALARM, 0x50, T0);
	wr(&r, RTC_REG_B, RTC_B_24H | RTC_B_AIE, T0);
	CHECK_EQ(rtc_next_deadline(&r), T0 + (86400 - 6) * SEC);
	wr(&r, RTC_HOUR_ALARM, 0xff, T0);
	CHECK_EQ(rtc_next_deadline(&r), T0 + (3600 - 6) * SEC);     /* 13:34:50 */
	wr(&r, RTC_SEC_ALARM, 0x57, T0);
	CHECK_EQ(rtc_next_deadline(&r), T0 + SEC);
	/* minute don't care, hour fixed, past this minute's second */
	wr(&r, RTC_HOUR_ALARM, 0x12, T0);
	wr(&r, RTC_MIN_ALARM, 0xff, T0);
	wr(&r, RTC_SEC_ALARM, 0x10, T0);
	CHECK_EQ(rtc_next_deadline(&r), T0 + 14 * SEC);             /* 12:35:10 */
	/* hour passed today: tomorrow at the first minute of the hour */
	wr(&r, RTC_HOUR_ALARM, 0x11, T0);
	CHECK_EQ(rtc_next_deadline(&r), T0 + (86400 - 5696 + 10) * SEC); /* 11:00:10 */
	/* hour don't care, minute past: next hour */
	wr(&r, RTC_HOUR_ALARM, 0xc0, T0);
	wr(&r, RTC_MIN_ALARM, 0x10, T0);
	wr(&r, RTC_SEC_ALARM, 0xc0, T0);
	CHECK_EQ(rtc_next_deadline(&r), T0 + (3600 - 24 * 60 - 56) * SEC); /* 13:10:00 */
	/* 12-hour alarm bytes carry the PM bit: 0x81 is 1 PM */
	wr(&r, RTC_REG_B, RTC_B_AIE, T0);
	wr(&r, RTC_HOUR_ALARM, 0x81, T0);
	wr(&r, RTC_MIN_ALARM, 0x00, T0);
	wr(&r, RTC_SEC_ALARM, 0x00, T0);
	CHECK_EQ(rtc_next_deadline(&r), T0 + (3600 - 34 * 60 - 56) * SEC);
	wr(&r, RTC_HOUR_ALARM, 0x01, T0);                           /* 1 AM tomorrow */
	CHECK_EQ(rtc_next_deadline(&r), T0 + (13 * 3600 - 34 * 60 - 56) * SEC);
}

TEST(rtc_alarm_catch_up, "REQ-RTC-008 REQ-RTC-013")
{
	struct rtc r;
	struct irqrec rec;

	setup(&r, &rec);
	/* AIE off: flag set lazily when the guest looks */
	wr(&r, RTC_HOUR_ALARM, 0x13, T0);
	wr(&r, RTC_MIN_ALARM, 0x00, T0);
	wr(&r, RTC_SEC_ALARM, 0x00, T0);
	CHECK_EQ(rd(&r, RTC_REG_C, T0 + 1504 * SEC - 1) & RTC_C_AF, 0);    /* 12:59:59 */
	CHECK_EQ(rd(&r, RTC_REG_C, T0 + 3000 * SEC) & RTC_C_AF, RTC_C_AF);
	CHECK_EQ(rd(&r, RTC_REG_C, T0 + 3001 * SEC) & RTC_C_AF, 0);
	/* more than a day of updates unseen: every h:m:s came by */
	CHECK_EQ(rd(&r, RTC_REG_C, T0 + 3001 * SEC + 86400 * SEC) & RTC_C_AF, RTC_C_AF);
	/* across midnight */
	wr(&r, RTC_HOUR_ALARM, 0x00, T0 + 89401 * SEC);
	wr(&r, RTC_MIN_ALARM, 0x00, T0 + 89401 * SEC);
	wr(&r, RTC_SEC_ALARM, 0x01, T0 + 89401 * SEC);
	rd(&r, RTC_REG_C, T0 + 89401 * SEC);                                /* 13:24:57 */
	CHECK_EQ(rd(&r, RTC_REG_C, T0 + (89401 + 38103) * SEC) & RTC_C_AF, 0);   /* 00:00:00 */
	CHECK_EQ(rd(&r, RTC_REG_C, T0 + (89401 + 38104) * SEC) & RTC_C_AF, RTC_C_AF);
}

TEST(rtc_register_c_and_irq8, "REQ-RTC-009")
{
	struct rtc r;
	struct irqrec rec;

	setup(&r, &rec);
	wr(&r, RTC_REG_A, RTC_A_DV_32K, T0);
	rtc_advance(&r, T0 + SEC);                    /* UF set, UIE off */
	CHECK_EQ(rec.n, 0);
	CHECK(!r.irq_level);
	/* enabling with the flag set raises IRQ8; disabling drops it */
	wr(&r, RTC_REG_B, RTC_B_24H | RTC_B_UIE, T0 + SEC);
	CHECK_EQ(rec.n, 1);
	CHECK(rec.level);
	wr(&r, RTC_REG_B, RTC_B_24H | RTC_B_UIE | RTC_B_PIE, T0 + SEC);
	CHECK_EQ(rec.n, 1);                           /* no change, no call */
	wr(&r, RTC_REG_B, RTC_B_24H, T0 + SEC);
	CHECK_EQ(rec.n, 2);
	CHECK(!rec.level);
	/* register C is read-only */
	wr(&r, RTC_REG_C, 0xff, T0 + SEC);
	CHECK_EQ(rd(&r, RTC_REG_C, T0 + SEC), RTC_C_UF);
	CHECK_EQ(rd(&r, RTC_REG_C, T0 + SEC), 0);
	/* reading C clears and lowers IRQ8; another event raises it again */
	wr(&r, RTC_REG_B, RTC_B_24H | RTC_B_UIE, T0 + SEC);
	rtc_advance(&r, T0 + 2 * SEC);
	CHECK_EQ(rec.n, 3);
	CHECK_EQ(rd(&r, RTC_REG_C, T0 + 2 * SEC), RTC_C_IRQF | RTC_C_UF);
	CHECK_EQ(rec.n, 4);
	CHECK(!rec.level);
	rtc_advance(&r, T0 + 3 * SEC);
	CHECK_EQ(rec.n, 5);
	CHECK(rec.level);
	CHECK_EQ(r.irq8.line, 8);
}

TEST(rtc_register_b_d, "REQ-RTC-010")
{
	struct rtc r;
	struct irqrec rec;

	setup(&r, &rec);
	/* every bit of B is stored; SQWE and DSE have no effect */
	wr(&r, RTC_REG_B, RTC_B_24H | RTC_B_SQWE | RTC_B_DSE | RTC_B_DM, T0);
	CHECK_EQ(rd(&r, RTC_REG_B, T0), RTC_B_24H | RTC_B_SQWE | RTC_B_DSE | RTC_B_DM);
	CHECK_EQ(rd(&r, RTC_HOUR, T0), 12);
	CHECK_EQ(rtc_next_deadline(&r), TIME_NEVER);
	/* April in the US-DST sense: DSE does not shift the hour */
	CHECK_EQ(rd(&r, RTC_HOUR, T0 + 40 * 86400 * SEC), 12);
	wr(&r, RTC_REG_B, 0x7f, T0);
	CHECK_EQ(rd(&r, RTC_REG_B, T0), 0x7f);
	wr(&r, RTC_REG_B, 0xff, T0);                  /* SET going high clears UIE */
	CHECK_EQ(rd(&r, RTC_REG_B, T0), 0xef);
	/* D: VRT only, read-only */
	wr(&r, RTC_REG_D, 0x00, T0);
	CHECK_EQ(rd(&r, RTC_REG_D, T0), 0x80);
	wr(&r, RTC_REG_D, 0xff, T0);
	CHECK_EQ(rd(&r, RTC_REG_D, T0), 0x80);
}

TEST(rtc_cmos_memory, "REQ-RTC-011")
{
	struct rtc r;
	struct irqrec rec;

	setup(&r, &rec);
	for (unsigned i = 0x0e; i < 0x80; i++)
		if (i != RTC_CENTURY)
			wr(&r, i, (uint8_t)(i * 7 + 1), T0);
	for (unsigned i = 0x0e; i < 0x80; i++)
		if (i != RTC_CENTURY)
			CHECK_EQ(rd(&r, i, T0 + SEC), (uint8_t)(i * 7 + 1));
	/* the alarm bytes are plain bytes too */
	wr(&r, RTC_SEC_ALARM, 0xde, T0);
	wr(&r, RTC_MIN_ALARM, 0xad, T0);
	wr(&r, RTC_HOUR_ALARM, 0x42, T0);
	CHECK_EQ(rd(&r, RTC_SEC_ALARM, T0), 0xde);
	CHECK_EQ(rd(&r, RTC_MIN_ALARM, T0), 0xad);
	CHECK_EQ(rd(&r, RTC_HOUR_ALARM, T0), 0x42);
	/* none of it touched the clock */
	CHECK(time_is(&r, T0 + SEC, 0x20, 0x24, 0x02, 0x29, 0x12, 0x34, 0x57));
}

static unsigned get16(const struct rtc *r, unsigned idx)
{
	return r->cmos[idx] | r->cmos[idx + 1] << 8;
}

TEST(rtc_memory_size_bytes, "REQ-RTC-012")
{
	struct rtc r;
	struct irqrec rec;
	const uint64_t mib = 1024 * 1024;

	setup(&r, &rec);
	rtc_set_memory(&r, 256 * mib, 2048 * mib);
	CHECK_EQ(get16(&r, 0x15), 640);
	CHECK_EQ(get16(&r, 0x17), 0xffff);              /* 255 MiB above 1 MiB: capped */
	CHECK_EQ(get16(&r, 0x30), 0xffff);
	CHECK_EQ(get16(&r, 0x34), 240 * 16);            /* 64 KiB blocks above 16 MiB */
	CHECK_EQ(r.cmos[0x5b] | r.cmos[0x5c] << 8 | r.cmos[0x5d] << 16, 2048 * 16);
	CHECK_EQ(rd(&r, 0x15, T0), 0x80);
	CHECK_EQ(rd(&r, 0x16, T0), 0x02);
	rtc_set_memory(&r, 8 * mib, 0);
	CHECK_EQ(get16(&r, 0x17), 7 * 1024);
	CHECK_EQ(get16(&r, 0x30), 7 * 1024);
	CHECK_EQ(get16(&r, 0x34), 0);
	CHECK_EQ(r.cmos[0x5b] | r.cmos[0x5c] | r.cmos[0x5d], 0);
	rtc_set_memory(&r, 512 * 1024, 0);
	CHECK_EQ(get16(&r, 0x15), 512);
	CHECK_EQ(get16(&r, 0x17), 0);
	rtc_set_memory(&r, mib, 0);
	CHECK_EQ(get16(&r, 0x17), 0);
	rtc_set_memory(&r, 16 * mib, 0);
	CHECK_EQ(get16(&r, 0x34), 0);
	rtc_set_memory(&r, 16 * mib + 65536, 0);
	CHECK_EQ(get16(&r, 0x34), 1);
	CHECK_EQ(get16(&r, 0x17), 15 * 1024 + 64);
	/* out-of-range sizes are capped, not wrapped */
	rtc_set_memory(&r, UINT64_MAX, UINT64_MAX);
	CHECK_EQ(get16(&r, 0x34), 0xffff);
	CHECK_EQ(r.cmos[0x5b] & r.cmos[0x5c] & r.cmos[0x5d], 0xff);
	rtc_set_memory(&r, 3072 * mib, (1ULL << 40) - 65536);
	CHECK_EQ(get16(&r, 0x34), (3072 - 16) * 16);
	CHECK_EQ(r.cmos[0x5b] | r.cmos[0x5c] << 8 | r.cmos[0x5d] << 16, 0xffffff);
}

TEST(rtc_deadline_rules, "REQ-RTC-013")
{
	struct rtc r;
	struct irqrec rec;

	setup_at(&r, &rec, EPOCH0, 100 * MS);
	wr(&r, RTC_REG_A, 0x2f, T0);                              /* ticks at .0, .5 */
	wr(&r, RTC_HOUR_ALARM, 0xff, T0);
	wr(&r, RTC_MIN_ALARM, 0xff, T0);
	wr(&r, RTC_SEC_ALARM, 0xff, T0);
	wr(&r, RTC_REG_B, RTC_B_24H | RTC_B_AIE | RTC_B_UIE, T0);
	CHECK_EQ(rtc_next_deadline(&r), T0 + 900 * MS);
	wr(&r, RTC_REG_B, RTC_B_24H | RTC_B_AIE | RTC_B_UIE | RTC_B_PIE, T0);
	CHECK_EQ(rtc_next_deadline(&r), T0 + 400 * MS);          /* the earliest */
	wr(&r, RTC_REG_B, RTC_B_24H | RTC_B_AIE, T0);
	CHECK_EQ(rtc_next_deadline(&r), T0 + 900 * MS);
	/* a far future realtime: beyond 2^64 ns is TIME_NEVER */
	setup_at(&r, &rec, EPOCH0, 0);
	r.realtime_at_zero_ns = INT64_MAX;
	rtc_advance(&r, UINT64_MAX - 1);
	wr(&r, RTC_REG_B, RTC_B_24H | RTC_B_UIE, UINT64_MAX - 1);
	CHECK_EQ(rtc_next_deadline(&r), TIME_NEVER);
}

/* Pseudo-random use: every deadline lies after the newest now, and
 * advancing to it raises IRQ8. */
TEST(rtc_deadline_always_future, "REQ-RTC-013")
{
	struct rtc r;
	struct irqrec rec;
	uint64_t now = T0, x = 0x9e3779b97f4a7c15ULL;

	setup(&r, &rec);
	for (unsigned i = 0; i < 20000; i++) {
		uint64_t d;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		switch ((x >> 4) % 6) {
		case 0:
			wr(&r, RTC_REG_A, (uint8_t)(0x20 | ((x >> 12) & 15)), now);
			break;
		case 1:
			wr(&r, RTC_REG_B, (uint8_t)(RTC_B_24H | ((x >> 12) & 0x70)), now);
			break;
		case 2:
			wr(&r, (unsigned)((x >> 12) % 6), (uint8_t)(x >> 20), now);
			break;
		case 3:
			rd(&r, RTC_REG_C, now);
			break;
		default:
			now += (x >> 24) % (3 * SEC);
			rtc_advance(&r, now);
			break;
		}
		d = rtc_next_deadline(&r);
		CHECK(d > now);
		if (d != TIME_NEVER && d - now < 3 * SEC) {
			bool was = r.irq_level;

			rtc_advance(&r, d - 1);
			CHECK(r.irq_level == was);
			rtc_advance(&r, d);
			CHECK(r.irq_level);
			now = d;
		}
		/* a read never makes the deadline earlier */
		if ((x >> 40) % 4 == 0) {
			rd(&r, (x >> 44) % 2 ? RTC_REG_C : RTC_SEC, now);
			CHECK(rtc_next_deadline(&r) >= d);
		}
	}
}

TEST(rtc_weekday_counts_on_its_own, "REQ-RTC-004")
{
	struct rtc r;
	struct irqrec rec;

	setup(&r, &rec);
	/* a new date without a day-of-week write: as on the chip, the weekday
	 * register keeps counting from its own value (Thursday, 5) */
	set_clock(&r, T0, 0x20, 0x01, 0x09, 0x09, 0x12, 0x00, 0x00); /* a Sunday */
	CHECK_EQ(rd(&r, RTC_DOW, T0), 5);
	CHECK_EQ(rd(&r, RTC_DOW, T0 + 12 * 3600 * SEC), 6);
	/* writing it fixes the numbering from then on */
	wr(&r, RTC_DOW, 1, T0 + 12 * 3600 * SEC);
	CHECK_EQ(rd(&r, RTC_DOW, T0 + 12 * 3600 * SEC), 1);
	CHECK_EQ(rd(&r, RTC_DOW, T0 + 36 * 3600 * SEC), 2);
}

TEST(rtc_unconnected_irq, "REQ-RTC-009")
{
	struct rtc r;
	struct irq_line none = { NULL, NULL, 8 };

	rtc_init(&r, none, EPOCH0 * (int64_t)SEC - (int64_t)T0, T0);
	wr(&r, RTC_REG_B, RTC_B_24H | RTC_B_UIE, T0);
	rtc_advance(&r, T0 + SEC);
	CHECK(r.irq_level);
	CHECK_EQ(rd(&r, RTC_REG_C, T0 + SEC) & RTC_C_IRQF, RTC_C_IRQF);
	CHECK(!r.irq_level);
}
