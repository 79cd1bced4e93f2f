/* PC reset control register at port 0xcf9 (REQ-PWR-009, REQ-PWR-010), as on
 * Intel ICH/PCH chipsets: one byte, SYS_RST (bit 1) and FULL_RST (bit 3)
 * choose the kind of reset, a 0->1 transition of RST_CPU (bit 2) starts it.
 * keel has one kind of reset (restart the VM), so every kind raises
 * POWER_RESET. This is the FADT's RESET_REG (value 0x06). Not thread-safe:
 * the owner serialises. Requirements and choices: docs/requirements/power.md. */
#ifndef KEEL_DEV_RESET_H
#define KEEL_DEV_RESET_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/power.h"
#include "fw/acpi_hw.h"

#define RESET_CTL_PORT     ACPI_RESET_PORT
#define RESET_CTL_LEN      1
#define RESET_CTL_SYS_RST  (1u << 1)     /* 1: hard reset, 0: soft (INIT) */
#define RESET_CTL_RST_CPU  (1u << 2)     /* 0->1 starts the reset */
#define RESET_CTL_FULL_RST (1u << 3)     /* hard reset with a power cycle */
#define RESET_CTL_MASK     (RESET_CTL_SYS_RST | RESET_CTL_RST_CPU | RESET_CTL_FULL_RST)

struct reset_ctl {
	uint8_t value;           /* only RESET_CTL_MASK bits */
	power_event_fn event;
	void *opaque;
};

/* Power-on state: 0. Call again when the VM restarts: the reset is what
 * clears RST_CPU, so until then another write of 0x06 is no 0->1 edge. */
void reset_ctl_init(struct reset_ctl *r, power_event_fn event, void *opaque);
/* Only a 1-byte access at offset 0 reaches the register: it reads bits
 * 1-3 as written (other bits 0); anything else reads all-ones (0xff per
 * byte, 0xffffffff for lengths above 4) and its write is ignored. A write
 * stores bits 1-3; if it sets RST_CPU while RST_CPU was 0 it also raises
 * one POWER_RESET (0x06 and 0x0e from 0 do; 0x02 then 0x06 does once). */
uint32_t reset_ctl_read(const struct reset_ctl *r, uint64_t offset, unsigned len);
void reset_ctl_write(struct reset_ctl *r, uint64_t offset, uint32_t value, unsigned len);

#endif
