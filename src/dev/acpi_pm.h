/* ACPI fixed-hardware power-management registers (REQ-PWR-001..008): the
 * PM1a event block (PM1_STS, PM1_EN), the PM1a control block (PM1_CNT) and
 * the GPE0 block (GPE0_STS, GPE0_EN), at the ports src/fw/acpi_hw.h names
 * (0x600, 0x604, 0x620). The PM timer (0x608) is dev/pmtimer.
 *
 * keel has no fixed-event or GPE sources and no sleep states but S5: status
 * bits are never set by keel (reads give 0), enables only store. Writing
 * SLP_EN with SLP_TYP = S5 asks the owner to power off. The SCI level is
 * modelled all the same (acpi_pm_sci_level), so an owner that one day adds
 * a source gets a correct interrupt. Not thread-safe: the owner serialises.
 * Requirements and choices: docs/requirements/power.md. */
#ifndef KEEL_DEV_ACPI_PM_H
#define KEEL_DEV_ACPI_PM_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/power.h"
#include "fw/acpi_hw.h"

/* PM1_STS bits (ACPI 6.x 4.8.3.1.1); write 1 to clear. */
#define ACPI_PM1_TMR_STS      (1u << 0)
#define ACPI_PM1_BM_STS       (1u << 4)
#define ACPI_PM1_GBL_STS      (1u << 5)
#define ACPI_PM1_PWRBTN_STS   (1u << 8)
#define ACPI_PM1_SLPBTN_STS   (1u << 9)
#define ACPI_PM1_RTC_STS      (1u << 10)
#define ACPI_PM1_WAK_STS      (1u << 15)
#define ACPI_PM1_STS_MASK     0x8731u

/* PM1_EN bits (4.8.3.1.2). */
#define ACPI_PM1_TMR_EN       (1u << 0)
#define ACPI_PM1_GBL_EN       (1u << 5)
#define ACPI_PM1_PWRBTN_EN    (1u << 8)
#define ACPI_PM1_SLPBTN_EN    (1u << 9)
#define ACPI_PM1_RTC_EN       (1u << 10)
#define ACPI_PM1_EN_MASK      0x0721u

/* PM1_CNT bits besides SCI_EN, SLP_TYP and SLP_EN (fw/acpi_hw.h). */
#define ACPI_PM1_CNT_BM_RLD   (1u << 1)
#define ACPI_PM1_CNT_GBL_RLS  (1u << 2)
#define ACPI_PM1_CNT_SLP_TYP_MASK (7u << 10)

struct acpi_pm {
	uint16_t pm1_sts;        /* only ACPI_PM1_STS_MASK bits */
	uint16_t pm1_en;         /* only ACPI_PM1_EN_MASK bits */
	uint8_t slp_typ;         /* PM1_CNT SLP_TYP, 0-7 */
	uint16_t gpe0_sts, gpe0_en;
	uint8_t slp_logged;      /* bit n: "SLP_TYP=n not supported" logged */
	power_event_fn event;
	void *opaque;
};

/* Power-on state: every status and enable bit 0, SLP_TYP 0. Call again
 * when the VM restarts. */
void acpi_pm_init(struct acpi_pm *pm, power_event_fn event, void *opaque);

/* Each block is accessed by byte offset from its base port and length.
 * An access of 1, 2 or 4 bytes that lies inside the block works on the
 * bytes it covers (little-endian, registers packed as in the block);
 * anything else (other lengths, offsets past the end, an access crossing
 * the end) reads all-ones (0xff per byte, 0xffffffff for lengths above 4)
 * and its write is ignored.
 *   event block, ACPI_PM1A_EVT_PORT, 4 bytes: PM1_STS at 0, PM1_EN at 2
 *   control,     ACPI_PM1A_CNT_PORT, 2 bytes: PM1_CNT
 *   GPE0,        ACPI_GPE0_PORT,     4 bytes: GPE0_STS at 0, GPE0_EN at 2 */
uint32_t acpi_pm_evt_read(const struct acpi_pm *pm, uint64_t offset, unsigned len);
void acpi_pm_evt_write(struct acpi_pm *pm, uint64_t offset, uint32_t value, unsigned len);
/* A write that sets SLP_EN with SLP_TYP (as the write leaves it) =
 * ACPI_SLP_TYP_S5 raises one POWER_OFF; with another SLP_TYP it raises
 * nothing and logs a warning (once per SLP_TYP value). */
uint32_t acpi_pm_cnt_read(const struct acpi_pm *pm, uint64_t offset, unsigned len);
void acpi_pm_cnt_write(struct acpi_pm *pm, uint64_t offset, uint32_t value, unsigned len);
uint32_t acpi_pm_gpe_read(const struct acpi_pm *pm, uint64_t offset, unsigned len);
void acpi_pm_gpe_write(struct acpi_pm *pm, uint64_t offset, uint32_t value, unsigned len);

/* The SCI output (ISA IRQ ACPI_SCI_IRQ, level, active high):
 * (PM1_STS & PM1_EN) != 0 || (GPE0_STS & GPE0_EN) != 0. Only writes can
 * change it; the owner drives the line after each write. */
bool acpi_pm_sci_level(const struct acpi_pm *pm);

#endif
