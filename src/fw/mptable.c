#include "fw/mptable.h"

#include <string.h>

#include "config/config.h"
#include "dev/ioapic.h"
#include "dev/lapic.h"
#include "fw/acpi_hw.h"
#include "util/errmsg.h"
#include "util/le.h"

/* MP floating pointer structure (MP spec 1.4, 4.1). */
#define MPFP_LEN          16
#define MP_SPEC_REV       4       /* 1.4 */

/* Configuration table header and entries (4.2, 4.3). */
#define MPC_HDR_LEN       44
#define MPC_CPU           0
#define MPC_BUS           1
#define MPC_IOAPIC        2
#define MPC_IOINT         3
#define MPC_LINT          4
#define MPC_CPU_LEN       20
#define MPC_ENTRY_LEN     8       /* every other entry type */
#define MPC_CPU_EN        (1u << 0)
#define MPC_CPU_BP        (1u << 1)
#define MPC_IOAPIC_EN     (1u << 0)

/* Interrupt types and the polarity/trigger flags (PO bits 1:0, EL 3:2). */
#define MP_INT            0
#define MP_NMI            1
#define MP_EXTINT         3
#define MP_CONFORMING     0x0
#define MP_ACTIVE_HIGH    0x1
#define MP_LEVEL          (0x3 << 2)
#define MP_ALL_LAPICS     0xff

/* What the processor entries claim: family 6 (stepping, model 0) with an
 * FPU and an on-chip APIC (CPUID.1:EDX bits 0 and 9). OSes take the real
 * values from CPUID; the table's only need to be plausible. */
#define MP_CPU_SIGNATURE  (6u << 8)
#define MP_CPU_FEATURES   ((1u << 0) | (1u << 9))

#define ISA_BUS_ID        0
#define ISA_IRQS          16
#define FOUR_GIB          0x100000000ULL

/* An I/O or local interrupt assignment entry (4.3.4, 4.3.5). */
static uint8_t *irq_entry(uint8_t *p, uint8_t kind, uint8_t type, uint16_t flags, uint8_t src_irq,
			  uint8_t dest_id, uint8_t dest_pin)
{
	p[0] = kind;
	p[1] = type;
	le_put16(p + 2, flags);
	p[4] = ISA_BUS_ID;
	p[5] = src_irq;
	p[6] = dest_id;
	p[7] = dest_pin;
	return p + MPC_ENTRY_LEN;
}

/* The ISA IRQs wired to the I/O APIC: 0 (to pin 2) and 1, 3-15 (to the pin
 * of the same number); IRQ2 is the PIC cascade and reaches no pin. */
#define MP_IOINTS         (ISA_IRQS - 1)

static size_t table_len(unsigned ncpus)
{
	return MPC_HDR_LEN + (size_t)ncpus * MPC_CPU_LEN +
	       (1 /* bus */ + 1 /* I/O APIC */ + MP_IOINTS + 2 /* LINT0, LINT1 */) * MPC_ENTRY_LEN;
}

int mptable_build(const struct fw_desc *d, uint64_t gpa, uint8_t *buf, size_t len,
		  size_t *used, uint64_t *mpfp_gpa, char *err, size_t errlen)
{
	uint8_t img[MPTABLE_BUILD_MAX];
	uint8_t *fp = img, *t = img + MPFP_LEN, *p;
	size_t tlen, total;
	unsigned ioapic_id;

	if (d == NULL || buf == NULL || used == NULL || mpfp_gpa == NULL) {
		errmsg_set(err, errlen, "MP table: missing argument");
		return -1;
	}
	if (!d->lapic) {
		errmsg_set(err, errlen, "no APIC, no MP table");
		return -1;
	}
	if (d->ncpus == 0 || d->ncpus > CFG_MAX_VCPUS) {
		errmsg_set(err, errlen, "MP table: %u vCPUs (1 to %u supported)", d->ncpus,
			   (unsigned)CFG_MAX_VCPUS);
		return -1;
	}
	if (gpa % 16 != 0) {
		errmsg_set(err, errlen, "MP table at 0x%llx: not 16-byte aligned",
			   (unsigned long long)gpa);
		return -1;
	}
	tlen = table_len(d->ncpus);
	total = MPFP_LEN + tlen;
	if (gpa >= FOUR_GIB || total > FOUR_GIB - gpa) {
		errmsg_set(err, errlen, "MP table at 0x%llx: must lie below 4 GiB",
			   (unsigned long long)gpa);
		return -1;
	}
	if (total > len) {
		errmsg_set(err, errlen, "MP table: needs %zu bytes, only %zu available", total, len);
		return -1;
	}
	memset(img, 0, total);
	ioapic_id = FW_IOAPIC_ID(d->ncpus);

	/* Configuration table, entries ordered by type as 4.3 requires. */
	memcpy(t, "PCMP", 4);
	le_put16(t + 4, (uint16_t)tlen);
	t[6] = MP_SPEC_REV;
	memcpy(t + 8, "KEEL    ", 8);           /* OEM ID */
	memcpy(t + 16, "KEEL VM     ", 12);     /* product ID */
	le_put16(t + 34, (uint16_t)(d->ncpus + 1 + 1 + MP_IOINTS + 2));
	le_put32(t + 36, (uint32_t)LAPIC_DEFAULT_BASE);
	/* No OEM table, no extended entries: length and checksum 0. */
	p = t + MPC_HDR_LEN;
	for (unsigned i = 0; i < d->ncpus; i++, p += MPC_CPU_LEN) {
		p[0] = MPC_CPU;
		p[1] = (uint8_t)i;                              /* APIC ID */
		p[2] = (uint8_t)LAPIC_VERSION;                  /* version register bits 7:0 */
		p[3] = (uint8_t)(MPC_CPU_EN | (i == 0 ? MPC_CPU_BP : 0));
		le_put32(p + 4, MP_CPU_SIGNATURE);
		le_put32(p + 8, MP_CPU_FEATURES);
	}
	p[0] = MPC_BUS;
	p[1] = ISA_BUS_ID;
	memcpy(p + 2, "ISA   ", 6);
	p += MPC_ENTRY_LEN;
	p[0] = MPC_IOAPIC;
	p[1] = (uint8_t)ioapic_id;
	p[2] = IOAPIC_VERSION;
	p[3] = MPC_IOAPIC_EN;
	le_put32(p + 4, (uint32_t)IOAPIC_BASE);
	p += MPC_ENTRY_LEN;
	/* No ExtINT entry on pin 0: keel wires the PIC's INTR to LINT0 only,
	 * never to an I/O APIC pin (docs/platform.md). The SCI is level,
	 * active high, as in the MADT; the other ISA IRQs conform to the bus
	 * (edge, active high). */
	for (unsigned irq = 0; irq < ISA_IRQS; irq++) {
		if (irq == 2)
			continue;
		p = irq_entry(p, MPC_IOINT, MP_INT,
			      irq == ACPI_SCI_IRQ ? MP_ACTIVE_HIGH | MP_LEVEL : MP_CONFORMING,
			      (uint8_t)irq, (uint8_t)ioapic_id, (uint8_t)(irq == 0 ? 2 : irq));
	}
	p = irq_entry(p, MPC_LINT, MP_EXTINT, MP_CONFORMING, 0, MP_ALL_LAPICS, 0);
	irq_entry(p, MPC_LINT, MP_NMI, MP_CONFORMING, 0, MP_ALL_LAPICS, 1);
	t[7] = le_checksum(t, tlen);

	/* Floating pointer: feature byte 1 = 0 (a configuration table is
	 * present), byte 2 bit 7 = 0 (no IMCR: virtual wire mode). */
	memcpy(fp, "_MP_", 4);
	le_put32(fp + 4, (uint32_t)(gpa + MPFP_LEN));
	fp[8] = MPFP_LEN / 16;
	fp[9] = MP_SPEC_REV;
	fp[10] = le_checksum(fp, MPFP_LEN);

	memcpy(buf, img, total);
	*used = total;
	*mpfp_gpa = gpa;
	return 0;
}
