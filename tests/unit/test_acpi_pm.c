/* ACPI PM1/GPE0 register blocks (REQ-PWR-001..008, 015). */
#include "test.h"

#include "dev/acpi_pm.h"

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

static void setup(struct acpi_pm *pm, struct events *e)
{
	memset(e, 0, sizeof(*e));
	memset(pm, 0xa5, sizeof(*pm)); /* init must not depend on prior contents */
	acpi_pm_init(pm, rec_event, e);
}

#define SLP(typ) ((uint32_t)(typ) << 10)

TEST(acpi_pm_init_state, "REQ-PWR-001 REQ-PWR-002 REQ-PWR-003 REQ-PWR-006 REQ-PWR-007")
{
	struct acpi_pm pm;
	struct events e;

	setup(&pm, &e);
	CHECK_EQ(acpi_pm_evt_read(&pm, 0, 4), 0);
	CHECK_EQ(acpi_pm_evt_read(&pm, 0, 2), 0);          /* PM1_STS */
	CHECK_EQ(acpi_pm_evt_read(&pm, 2, 2), 0);          /* PM1_EN */
	CHECK_EQ(acpi_pm_cnt_read(&pm, 0, 2), ACPI_PM1_CNT_SCI_EN);
	CHECK_EQ(acpi_pm_gpe_read(&pm, 0, 4), 0);
	CHECK(!acpi_pm_sci_level(&pm));
	CHECK_EQ(e.total, 0);
}

TEST(acpi_pm1_sts_write_one_to_clear, "REQ-PWR-001")
{
	struct acpi_pm pm;
	struct events e;

	setup(&pm, &e);
	/* Nothing in keel sets status bits: writes of 1s keep reading 0. */
	acpi_pm_evt_write(&pm, 0, 0xffff, 2);
	CHECK_EQ(acpi_pm_evt_read(&pm, 0, 2), 0);
	/* Stand in for a source to see the clearing. */
	pm.pm1_sts = ACPI_PM1_STS_MASK;
	CHECK_EQ(acpi_pm_evt_read(&pm, 0, 2), 0x8731);
	acpi_pm_evt_write(&pm, 0, 0, 2);                   /* 0s leave bits */
	CHECK_EQ(acpi_pm_evt_read(&pm, 0, 2), 0x8731);
	acpi_pm_evt_write(&pm, 0, ACPI_PM1_PWRBTN_STS, 2);
	CHECK_EQ(acpi_pm_evt_read(&pm, 0, 2), 0x8631);
	acpi_pm_evt_write(&pm, 1, 0x80, 1);                /* WAK_STS via the high byte */
	CHECK_EQ(acpi_pm_evt_read(&pm, 0, 2), 0x0631);
	acpi_pm_evt_write(&pm, 0, 0xce, 1);                /* reserved bits 1-3, 6, 7 */
	CHECK_EQ(acpi_pm_evt_read(&pm, 0, 2), 0x0631);
	acpi_pm_evt_write(&pm, 0, ACPI_PM1_TMR_STS | ACPI_PM1_BM_STS | ACPI_PM1_GBL_STS, 1);
	CHECK_EQ(acpi_pm_evt_read(&pm, 0, 2), 0x0600);
	CHECK_EQ(acpi_pm_evt_read(&pm, 1, 1), 0x06);
	CHECK_EQ(acpi_pm_evt_read(&pm, 0, 1), 0x00);
	acpi_pm_evt_write(&pm, 0, 0xffff, 2);
	CHECK_EQ(acpi_pm_evt_read(&pm, 0, 2), 0);
	CHECK_EQ(acpi_pm_evt_read(&pm, 2, 2), 0);          /* PM1_EN untouched */
	/* Undefined bits a source might leave never read back. */
	pm.pm1_sts = 0xffff;
	CHECK_EQ(acpi_pm_evt_read(&pm, 0, 2), 0x8731);
	CHECK_EQ(e.total, 0);
}

TEST(acpi_pm1_en_read_write, "REQ-PWR-002")
{
	struct acpi_pm pm;
	struct events e;

	setup(&pm, &e);
	acpi_pm_evt_write(&pm, 2, 0xffff, 2);
	CHECK_EQ(acpi_pm_evt_read(&pm, 2, 2), ACPI_PM1_EN_MASK);
	CHECK_EQ(pm.pm1_en, ACPI_PM1_EN_MASK);             /* undefined bits not even kept */
	CHECK_EQ(acpi_pm_evt_read(&pm, 2, 1), 0x21);
	CHECK_EQ(acpi_pm_evt_read(&pm, 3, 1), 0x07);       /* high byte alone */
	acpi_pm_evt_write(&pm, 3, 0x00, 1);                /* high byte only */
	CHECK_EQ(acpi_pm_evt_read(&pm, 2, 2), ACPI_PM1_TMR_EN | ACPI_PM1_GBL_EN);
	acpi_pm_evt_write(&pm, 2, 0xde, 1);                /* low byte: only 0 and 5 exist */
	CHECK_EQ(acpi_pm_evt_read(&pm, 2, 2), 0);
	acpi_pm_evt_write(&pm, 3, 0x01, 1);
	CHECK_EQ(acpi_pm_evt_read(&pm, 2, 2), ACPI_PM1_PWRBTN_EN);
	acpi_pm_evt_write(&pm, 2, ACPI_PM1_SLPBTN_EN | ACPI_PM1_RTC_EN, 2);
	CHECK_EQ(acpi_pm_evt_read(&pm, 2, 2), 0x0600);
	acpi_pm_evt_write(&pm, 2, 0xf8de, 2);              /* nothing defined */
	CHECK_EQ(acpi_pm_evt_read(&pm, 2, 2), 0);
	/* 4 bytes at the block start: STS (write 1 to clear) and EN at once. */
	pm.pm1_sts = ACPI_PM1_RTC_STS | ACPI_PM1_TMR_STS;
	acpi_pm_evt_write(&pm, 0, (uint32_t)ACPI_PM1_RTC_EN << 16 | ACPI_PM1_TMR_STS, 4);
	CHECK_EQ(acpi_pm_evt_read(&pm, 0, 4), (uint32_t)ACPI_PM1_RTC_EN << 16 | ACPI_PM1_RTC_STS);
	CHECK_EQ(e.total, 0);
}

TEST(acpi_pm1_cnt_fields, "REQ-PWR-003")
{
	struct acpi_pm pm;
	struct events e;

	setup(&pm, &e);
	CHECK_EQ(acpi_pm_cnt_read(&pm, 0, 2), 0x0001);
	CHECK_EQ(acpi_pm_cnt_read(&pm, 0, 1), 0x01);
	CHECK_EQ(acpi_pm_cnt_read(&pm, 1, 1), 0x00);
	/* SCI_EN cannot be turned off; BM_RLD, GBL_RLS, reserved read 0. */
	acpi_pm_cnt_write(&pm, 0, 0xc3fe & ~ACPI_PM1_CNT_SLP_EN, 2);
	CHECK_EQ(acpi_pm_cnt_read(&pm, 0, 2), 0x0001);
	acpi_pm_cnt_write(&pm, 0, SLP(7) | ACPI_PM1_CNT_BM_RLD | ACPI_PM1_CNT_GBL_RLS, 2);
	CHECK_EQ(acpi_pm_cnt_read(&pm, 0, 2), SLP(7) | ACPI_PM1_CNT_SCI_EN);
	CHECK_EQ(acpi_pm_cnt_read(&pm, 1, 1), 0x1c);
	/* The low byte holds no SLP_TYP bits: writing it leaves SLP_TYP. */
	acpi_pm_cnt_write(&pm, 0, 0xff, 1);
	CHECK_EQ(acpi_pm_cnt_read(&pm, 0, 2), SLP(7) | ACPI_PM1_CNT_SCI_EN);
	acpi_pm_cnt_write(&pm, 1, 0x08, 1);                /* SLP_TYP = 2 */
	CHECK_EQ(acpi_pm_cnt_read(&pm, 0, 2), SLP(2) | ACPI_PM1_CNT_SCI_EN);
	for (unsigned t = 0; t < 8; t++) {
		acpi_pm_cnt_write(&pm, 0, SLP(t) | 0xc000, 2);
		CHECK_EQ(acpi_pm_cnt_read(&pm, 0, 2), SLP(t) | ACPI_PM1_CNT_SCI_EN);
	}
	CHECK_EQ(e.total, 0);
}

TEST(acpi_pm_s5_powers_off, "REQ-PWR-004 REQ-PWR-015")
{
	struct acpi_pm pm;
	struct events e;

	setup(&pm, &e);
	/* ACPICA: SLP_TYP first, then SLP_TYP | SLP_EN (with SCI_EN read back). */
	acpi_pm_cnt_write(&pm, 0, SLP(ACPI_SLP_TYP_S5) | ACPI_PM1_CNT_SCI_EN, 2);
	CHECK_EQ(e.total, 0);
	acpi_pm_cnt_write(&pm, 0, SLP(ACPI_SLP_TYP_S5) | ACPI_PM1_CNT_SCI_EN | ACPI_PM1_CNT_SLP_EN, 2);
	CHECK_EQ(e.off, 1);
	CHECK_EQ(e.total, 1);
	CHECK_EQ(acpi_pm_cnt_read(&pm, 0, 2), SLP(5) | ACPI_PM1_CNT_SCI_EN); /* SLP_EN reads 0 */
	/* One write, one event: a single write with both fields. */
	acpi_pm_cnt_write(&pm, 0, SLP(5) | ACPI_PM1_CNT_SLP_EN, 2);
	CHECK_EQ(e.off, 2);
	/* The high byte alone: 0x34 = SLP_TYP 5 | SLP_EN. */
	acpi_pm_cnt_write(&pm, 1, 0x34, 1);
	CHECK_EQ(e.off, 3);
	/* SLP_EN with SLP_TYP 0 in the same byte: the write's SLP_TYP counts. */
	acpi_pm_cnt_write(&pm, 1, 0x20, 1);
	CHECK_EQ(e.off, 3);
	CHECK_EQ(acpi_pm_cnt_read(&pm, 0, 2), ACPI_PM1_CNT_SCI_EN);
	/* Reads and writes elsewhere never power off. */
	acpi_pm_cnt_write(&pm, 1, 0x14, 1);                /* S5 without SLP_EN */
	for (unsigned i = 0; i < 4; i++) {
		acpi_pm_evt_write(&pm, i, 0xff, 1);
		acpi_pm_gpe_write(&pm, i, 0xff, 1);
		(void)acpi_pm_cnt_read(&pm, i, 1);
	}
	acpi_pm_cnt_write(&pm, 0, 0xff, 1);                /* low byte: no SLP_EN */
	acpi_pm_cnt_write(&pm, 0, 0xffffffff, 4);          /* does not fit */
	acpi_pm_cnt_write(&pm, 1, 0xffff, 2);              /* crosses the end */
	CHECK_EQ(e.off, 3);
	CHECK_EQ(e.total, 3);
	/* No callback: nothing happens, nothing breaks. */
	acpi_pm_init(&pm, NULL, NULL);
	acpi_pm_cnt_write(&pm, 0, SLP(5) | ACPI_PM1_CNT_SLP_EN, 2);
	CHECK_EQ(acpi_pm_cnt_read(&pm, 0, 2), SLP(5) | ACPI_PM1_CNT_SCI_EN);
	CHECK_EQ(e.total, 3);
}

TEST(acpi_pm_other_sleep_states_ignored, "REQ-PWR-005")
{
	struct acpi_pm pm;
	struct events e;

	setup(&pm, &e);
	acpi_pm_evt_write(&pm, 2, 0x0121, 2);
	acpi_pm_gpe_write(&pm, 2, 0x8001, 2);
	for (unsigned round = 0; round < 2; round++) {
		for (unsigned t = 0; t < 8; t++) {
			if (t == ACPI_SLP_TYP_S5)
				continue;
			acpi_pm_cnt_write(&pm, 0, SLP(t) | ACPI_PM1_CNT_SLP_EN, 2);
			CHECK_EQ(e.total, 0);
			CHECK_EQ(acpi_pm_cnt_read(&pm, 0, 2), SLP(t) | ACPI_PM1_CNT_SCI_EN);
			CHECK(pm.slp_logged & (1u << t));      /* logged (once) */
		}
	}
	CHECK_EQ(pm.slp_logged, 0xdf);
	CHECK_EQ(acpi_pm_evt_read(&pm, 0, 4), 0x01210000);
	CHECK_EQ(acpi_pm_gpe_read(&pm, 0, 4), 0x80010000);
	CHECK(!acpi_pm_sci_level(&pm));
}

TEST(acpi_gpe0_block, "REQ-PWR-006")
{
	struct acpi_pm pm;
	struct events e;

	setup(&pm, &e);
	acpi_pm_gpe_write(&pm, 0, 0xffff, 2);              /* no source: stays 0 */
	CHECK_EQ(acpi_pm_gpe_read(&pm, 0, 2), 0);
	acpi_pm_gpe_write(&pm, 2, 0xffff, 2);
	CHECK_EQ(acpi_pm_gpe_read(&pm, 2, 2), 0xffff);
	acpi_pm_gpe_write(&pm, 3, 0x12, 1);
	CHECK_EQ(acpi_pm_gpe_read(&pm, 2, 2), 0x12ff);
	CHECK_EQ(acpi_pm_gpe_read(&pm, 3, 1), 0x12);
	acpi_pm_gpe_write(&pm, 2, 0x34, 1);
	CHECK_EQ(acpi_pm_gpe_read(&pm, 2, 2), 0x1234);
	pm.gpe0_sts = 0xffff;
	CHECK_EQ(acpi_pm_gpe_read(&pm, 0, 4), 0x1234ffff);
	acpi_pm_gpe_write(&pm, 0, 0x00ff, 2);
	CHECK_EQ(acpi_pm_gpe_read(&pm, 0, 2), 0xff00);
	acpi_pm_gpe_write(&pm, 1, 0x0f, 1);
	CHECK_EQ(acpi_pm_gpe_read(&pm, 0, 2), 0xf000);
	/* 2 bytes across STS high and EN low. */
	acpi_pm_gpe_write(&pm, 1, 0x5510, 2);
	CHECK_EQ(acpi_pm_gpe_read(&pm, 0, 4), 0x1255e000);
	CHECK_EQ(acpi_pm_gpe_read(&pm, 1, 2), 0x55e0);
	acpi_pm_gpe_write(&pm, 0, 0x0000ffff, 4);
	CHECK_EQ(acpi_pm_gpe_read(&pm, 0, 4), 0);
	CHECK_EQ(e.total, 0);
}

TEST(acpi_sci_level, "REQ-PWR-007")
{
	struct acpi_pm pm;
	struct events e;
	static const uint16_t pairs[][2] = {
		{ ACPI_PM1_TMR_STS, ACPI_PM1_TMR_EN },     { ACPI_PM1_GBL_STS, ACPI_PM1_GBL_EN },
		{ ACPI_PM1_PWRBTN_STS, ACPI_PM1_PWRBTN_EN }, { ACPI_PM1_SLPBTN_STS, ACPI_PM1_SLPBTN_EN },
		{ ACPI_PM1_RTC_STS, ACPI_PM1_RTC_EN },
	};

	setup(&pm, &e);
	for (unsigned i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		pm.pm1_sts = pairs[i][0];
		CHECK(!acpi_pm_sci_level(&pm));
		acpi_pm_evt_write(&pm, 2, ACPI_PM1_EN_MASK & ~pairs[i][1], 2);
		CHECK(!acpi_pm_sci_level(&pm));                    /* other enables */
		acpi_pm_evt_write(&pm, 2, pairs[i][1], 2);
		CHECK(acpi_pm_sci_level(&pm));
		acpi_pm_evt_write(&pm, 0, pairs[i][0], 2);          /* OSPM clears */
		CHECK(!acpi_pm_sci_level(&pm));
		pm.pm1_sts = pairs[i][0];
		CHECK(acpi_pm_sci_level(&pm));
		acpi_pm_evt_write(&pm, 2, 0, 2);                    /* or disables */
		CHECK(!acpi_pm_sci_level(&pm));
		pm.pm1_sts = 0;
	}
	/* BM_STS and WAK_STS have no enable: they never raise the SCI. */
	pm.pm1_sts = ACPI_PM1_BM_STS | ACPI_PM1_WAK_STS;
	acpi_pm_evt_write(&pm, 2, 0xffff, 2);
	CHECK(!acpi_pm_sci_level(&pm));
	pm.pm1_sts = 0;
	acpi_pm_evt_write(&pm, 2, 0, 2);
	/* GPE0: any of the 16 pairs. */
	for (unsigned b = 0; b < 16; b++) {
		pm.gpe0_sts = (uint16_t)(1u << b);
		acpi_pm_gpe_write(&pm, 2, (uint16_t)~(1u << b), 2);
		CHECK(!acpi_pm_sci_level(&pm));
		acpi_pm_gpe_write(&pm, 2, 1u << b, 2);
		CHECK(acpi_pm_sci_level(&pm));
		acpi_pm_gpe_write(&pm, 0, 1u << b, 2);
		CHECK(!acpi_pm_sci_level(&pm));
	}
	CHECK_EQ(e.total, 0);
}

static bool ref_fits(uint64_t off, unsigned len, unsigned size)
{
	return (len == 1 || len == 2 || len == 4) && off < size && off + len <= size;
}

/* Expected read of bytes [off, off + len) of a block image, or all-ones. */
static uint32_t ref_read(const uint8_t *img, unsigned size, uint64_t off, unsigned len)
{
	uint32_t v = 0;

	if (!ref_fits(off, len, size))
		return len >= 4 ? 0xffffffffu : (1u << (8 * len)) - 1;
	for (unsigned i = 0; i < len; i++)
		v |= (uint32_t)img[off + i] << (8 * i);
	return v;
}

TEST(acpi_pm_access_widths, "REQ-PWR-008 REQ-PWR-015")
{
	static const uint64_t offs[] = { 0, 1, 2, 3, 4, 5, 7, 8, 0x100, 1ULL << 32,
					 UINT64_MAX - 2, UINT64_MAX - 1, UINT64_MAX };
	struct acpi_pm pm, before;
	struct events e;
	/* PM1_STS = 0x8401, PM1_EN = 0x0520, SLP_TYP = 3, GPE0 0xbeef / 0x1234 */
	const uint8_t evt[4] = { 0x01, 0x84, 0x20, 0x05 };
	const uint8_t cnt[2] = { 0x01, 0x0c };
	const uint8_t gpe[4] = { 0xef, 0xbe, 0x34, 0x12 };

	setup(&pm, &e);
	pm.pm1_sts = 0x8401;
	pm.gpe0_sts = 0xbeef;
	acpi_pm_evt_write(&pm, 2, 0x0520, 2);
	acpi_pm_cnt_write(&pm, 0, SLP(3), 2);
	acpi_pm_gpe_write(&pm, 2, 0x1234, 2);
	for (unsigned o = 0; o < sizeof(offs) / sizeof(offs[0]); o++) {
		for (unsigned len = 0; len <= 8; len++) {
			CHECK_EQ(acpi_pm_evt_read(&pm, offs[o], len), ref_read(evt, 4, offs[o], len));
			CHECK_EQ(acpi_pm_cnt_read(&pm, offs[o], len), ref_read(cnt, 2, offs[o], len));
			CHECK_EQ(acpi_pm_gpe_read(&pm, offs[o], len), ref_read(gpe, 4, offs[o], len));
		}
	}
	CHECK_EQ(acpi_pm_evt_read(&pm, 1, 2), 0x2084);     /* across STS and EN */
	CHECK_EQ(acpi_pm_evt_read(&pm, 0, 3), 0xffffff);   /* 3 bytes: no such width */
	/* Writes that do not fit change nothing, even all-ones (SLP_EN, S5). */
	memcpy(&before, &pm, sizeof(pm));
	for (unsigned o = 0; o < sizeof(offs) / sizeof(offs[0]); o++) {
		for (unsigned len = 0; len <= 8; len++) {
			static const uint32_t vals[] = { 0xffffffff, 0x00003400, 0x34343434, 0 };

			for (unsigned v = 0; v < 4; v++) {
				if (!ref_fits(offs[o], len, 4)) {
					acpi_pm_evt_write(&pm, offs[o], vals[v], len);
					acpi_pm_gpe_write(&pm, offs[o], vals[v], len);
				}
				if (!ref_fits(offs[o], len, 2))
					acpi_pm_cnt_write(&pm, offs[o], vals[v], len);
			}
		}
	}
	CHECK(memcmp(&pm, &before, sizeof(pm)) == 0);
	CHECK_EQ(e.total, 0);
	/* Every byte write that fits reaches exactly its byte. */
	for (unsigned b = 0; b < 4; b++) {
		setup(&pm, &e);
		acpi_pm_gpe_write(&pm, b, 0xff, 1);
		CHECK_EQ(acpi_pm_gpe_read(&pm, 0, 4), b >= 2 ? 0xffu << (8 * b) : 0);
		acpi_pm_evt_write(&pm, b, 0xff, 1);
		CHECK_EQ(acpi_pm_evt_read(&pm, 0, 4), b == 2 ? 0x00210000u : b == 3 ? 0x07000000u : 0);
	}
	/* 2-byte write at offset 1 of the event block: STS high, EN low. */
	setup(&pm, &e);
	pm.pm1_sts = 0x8731;
	acpi_pm_evt_write(&pm, 1, 0xff80, 2);
	CHECK_EQ(acpi_pm_evt_read(&pm, 0, 4), 0x00210731);
	/* 4-byte access of the control block does not fit. */
	CHECK_EQ(acpi_pm_cnt_read(&pm, 0, 4), 0xffffffff);
	CHECK_EQ(e.total, 0);
}
