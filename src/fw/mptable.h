/* Intel MultiProcessor Specification 1.4 tables for a keel VM (REQ-MPT-*):
 * the MP floating pointer structure, then the MP configuration table, as
 * bytes for guest memory. Pure: no KVM, no allocation. For guests that find
 * CPUs and interrupt wiring without ACPI. What the entries say and why:
 * docs/requirements/firmware.md.
 *
 * Only platforms with local APICs have an MP table: without them there is
 * one CPU and a PIC, which needs no table, so mptable_build refuses
 * ("no APIC, no MP table") and the caller builds nothing. */
#ifndef KEEL_FW_MPTABLE_H
#define KEEL_FW_MPTABLE_H

#include <stddef.h>
#include <stdint.h>

#include "fw/acpi.h"

/* mptable_build never needs more than this many bytes (64 vCPUs). */
#define MPTABLE_BUILD_MAX 2048u

/* MP floating pointer (16-byte aligned) then the MP
 * configuration table, into buf = guest memory [gpa, gpa+len). Same conventions
 * as acpi_build: gpa 16-byte aligned, everything below 4 GiB, 0 with *used
 * and *mpfp_gpa (= gpa), or -1 with a message and buf untouched. */
int mptable_build(const struct fw_desc *d, uint64_t gpa, uint8_t *buf, size_t len,
		  size_t *used, uint64_t *mpfp_gpa, char *err, size_t errlen);

#endif
