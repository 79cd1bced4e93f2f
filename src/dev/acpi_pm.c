/* ACPI PM1 and GPE0 register blocks (REQ-PWR-001..008), from the ACPI 6.x
 * specification, 4.8 (fixed hardware registers). Requirements and choices:
 * docs/requirements/power.md.
 *
 * Every access is taken apart into the bytes it covers: a byte of a
 * status register clears the bits written as 1, a byte of an enable or
 * control register replaces its bits. Doing it per byte makes a 1-byte
 * write to the high half of a register, a 2-byte write straddling STS and
 * EN and a 4-byte write of the whole block one code path. */
#include "dev/acpi_pm.h"

#include <stddef.h>

#include "util/log.h"

#define PM_BLOCK_LEN  4u         /* event and GPE0 blocks: STS + EN */
#define PM_CNT_LEN    2u

/* One write broken into 16-bit registers: bits written and their values. */
struct split {
	uint16_t mask[2];
	uint16_t val[2];
};

static uint32_t all_ones(unsigned len)
{
	return len >= 4 ? 0xffffffffu : (uint32_t)((1ull << (8 * len)) - 1);
}

/* The access lies inside a block of `size` bytes and has a port width. */
static bool fits(uint64_t offset, unsigned len, unsigned size)
{
	return (len == 1 || len == 2 || len == 4) && offset < size && len <= size - offset;
}

/* Value of the bytes [offset, offset + len) of registers r[] (little-endian,
 * r[0] at byte 0). The caller checked fits(). */
static uint32_t gather(const uint16_t *r, uint64_t offset, unsigned len)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < len; i++) {
		unsigned b = (unsigned)offset + i;

		v |= (uint32_t)((r[b / 2] >> (8 * (b % 2))) & 0xff) << (8 * i);
	}
	return v;
}

static struct split scatter(uint64_t offset, uint32_t value, unsigned len)
{
	struct split s = { { 0, 0 }, { 0, 0 } };

	for (unsigned i = 0; i < len; i++) {
		unsigned b = (unsigned)offset + i, sh = 8 * (b % 2);

		s.mask[b / 2] |= (uint16_t)(0xffu << sh);
		s.val[b / 2] |= (uint16_t)(((value >> (8 * i)) & 0xff) << sh);
	}
	return s;
}

/* STS (write 1 to clear) + EN (read/write) pair, shared by PM1 and GPE0. */
static void sts_en_write(uint16_t *sts, uint16_t *en, uint16_t en_mask, uint64_t offset,
			 uint32_t value, unsigned len)
{
	struct split s = scatter(offset, value, len);

	*sts &= (uint16_t)~s.val[0];
	*en = (uint16_t)((*en & ~s.mask[1]) | (s.val[1] & en_mask));
}

void acpi_pm_init(struct acpi_pm *pm, power_event_fn event, void *opaque)
{
	*pm = (struct acpi_pm){ .event = event, .opaque = opaque };
}

uint32_t acpi_pm_evt_read(const struct acpi_pm *pm, uint64_t offset, unsigned len)
{
	uint16_t r[2] = { (uint16_t)(pm->pm1_sts & ACPI_PM1_STS_MASK),
			  (uint16_t)(pm->pm1_en & ACPI_PM1_EN_MASK) };

	return fits(offset, len, PM_BLOCK_LEN) ? gather(r, offset, len) : all_ones(len);
}

void acpi_pm_evt_write(struct acpi_pm *pm, uint64_t offset, uint32_t value, unsigned len)
{
	if (fits(offset, len, PM_BLOCK_LEN))
		sts_en_write(&pm->pm1_sts, &pm->pm1_en, ACPI_PM1_EN_MASK, offset, value, len);
}

uint32_t acpi_pm_cnt_read(const struct acpi_pm *pm, uint64_t offset, unsigned len)
{
	/* SCI_EN reads 1: the FADT has no SMI_CMD, so the platform is in ACPI
	 * mode from power-on and OSPM never has to switch. */
	uint16_t r[1] = { (uint16_t)(ACPI_PM1_CNT_SCI_EN | (pm->slp_typ & 7u) << 10) };

	return fits(offset, len, PM_CNT_LEN) ? gather(r, offset, len) : all_ones(len);
}

void acpi_pm_cnt_write(struct acpi_pm *pm, uint64_t offset, uint32_t value, unsigned len)
{
	struct split s;
	unsigned typ;

	if (!fits(offset, len, PM_CNT_LEN))
		return;
	s = scatter(offset, value, len);
	/* SLP_TYP lives in the high byte, so a write of only the low byte
	 * (SCI_EN, BM_RLD, GBL_RLS: nothing to do here) leaves it alone. */
	if (s.mask[0] & ACPI_PM1_CNT_SLP_TYP_MASK)
		pm->slp_typ = (uint8_t)ACPI_PM1_CNT_SLP_TYP(s.val[0]);
	if (!(s.val[0] & ACPI_PM1_CNT_SLP_EN))
		return;
	typ = pm->slp_typ;
	if (typ == ACPI_SLP_TYP_S5) {
		if (pm->event != NULL)
			pm->event(pm->opaque, POWER_OFF);
		return;
	}
	/* S1-S4 would need a wake path keel does not have: stay in S0, and say
	 * why once so a guest's failing suspend is explained. */
	if (!(pm->slp_logged & (1u << typ))) {
		pm->slp_logged |= (uint8_t)(1u << typ);
		log_warn("sleep state SLP_TYP=%u not supported", typ);
	}
}

uint32_t acpi_pm_gpe_read(const struct acpi_pm *pm, uint64_t offset, unsigned len)
{
	uint16_t r[2] = { pm->gpe0_sts, pm->gpe0_en };

	return fits(offset, len, PM_BLOCK_LEN) ? gather(r, offset, len) : all_ones(len);
}

void acpi_pm_gpe_write(struct acpi_pm *pm, uint64_t offset, uint32_t value, unsigned len)
{
	if (fits(offset, len, PM_BLOCK_LEN))
		sts_en_write(&pm->gpe0_sts, &pm->gpe0_en, 0xffffu, offset, value, len);
}

bool acpi_pm_sci_level(const struct acpi_pm *pm)
{
	return (pm->pm1_sts & pm->pm1_en & ACPI_PM1_STS_MASK & ACPI_PM1_EN_MASK) != 0 ||
	       (pm->gpe0_sts & pm->gpe0_en) != 0;
}
