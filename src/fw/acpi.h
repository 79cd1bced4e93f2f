/* ACPI tables for a keel VM (REQ-ACPI-*), built from a description of the
 * platform (struct fw_desc), as bytes for guest memory. Pure: no KVM, no
 * allocation. What each table says and why: docs/requirements/firmware.md.
 *
 * Layout from gpa: RSDP (36 bytes, where a scan finds it), FACS (64-byte
 * aligned), DSDT, FADT, MADT (with LAPIC), HPET (with HPET), XSDT, RSDT;
 * tables 16-byte aligned. The tables target ACPI 6.3 (FADT revision 6,
 * minor 3). Every table lies below 4 GiB: the RSDT and the FADT's
 * FIRMWARE_CTRL are 32-bit pointers. The range must be reported to the
 * guest as reserved (the FACS must not be in usable RAM). */
#ifndef KEEL_FW_ACPI_H
#define KEEL_FW_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fw_desc {
	unsigned ncpus;          /* LAPIC IDs 0..ncpus-1, all enabled */
	bool lapic;              /* false: no MADT, no IOAPIC, PIC only */
	bool hpet, pm_timer, rtc, pit;
};

/* acpi_build never needs more than this many bytes (64 vCPUs, every
 * device); the exact figure is *used. */
#define ACPI_BUILD_MAX 4096u

/* Builds RSDP, XSDT, RSDT, FADT (+FACS), DSDT, MADT (when lapic), HPET (when hpet)
 * into buf, which represents guest memory [gpa, gpa+len). RSDP first, at buf[0]
 * (gpa must be 16-byte aligned). 0 on success with *used = bytes used and
 * *rsdp_gpa; -1 with a message if len is too small or the description is invalid.
 * On success buf[0..*used) is written completely (padding zeroed); on
 * failure buf is untouched. */
int acpi_build(const struct fw_desc *d, uint64_t gpa, uint8_t *buf, size_t len,
	       size_t *used, uint64_t *rsdp_gpa, char *err, size_t errlen);

#endif
