#include "fw/acpi.h"

#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "dev/hpet.h"
#include "dev/ioapic.h"
#include "dev/lapic.h"
#include "dev/pit8254.h"
#include "dev/rtc.h"
#include "dev/uart16550.h"
#include "fw/acpi_hw.h"
#include "fw/aml.h"
#include "util/errmsg.h"
#include "util/le.h"

/* Revisions: ACPI 6.3 throughout (FADT 6 with minor version 3, MADT 5). */
#define RSDP_REV          2
#define RSDT_REV          1
#define XSDT_REV          1
#define FADT_REV          6
#define FADT_MINOR        3
#define MADT_REV          5
#define DSDT_REV          2       /* 2: AML integers are 64 bits */
#define HPET_TABLE_REV    1
#define FACS_VERSION      2

#define HDR_LEN           36      /* common table header */
#define RSDP_LEN          36
#define FACS_LEN          64
#define FADT_LEN          276     /* revision 6 */
#define HPET_TABLE_LEN    56
#define TABLE_ALIGN       16
#define FACS_ALIGN        64
#define FOUR_GIB          0x100000000ULL

#define OEM_ID            "KEEL  "
#define CREATOR_ID        "KEEL"
#define OEM_REVISION      1
#define CREATOR_REVISION  1

/* FADT offsets (ACPI 6.3 table 5.34). */
#define FADT_FIRMWARE_CTRL  36
#define FADT_DSDT           40
#define FADT_PM_PROFILE     45
#define FADT_SCI_INT        46
#define FADT_SMI_CMD        48
#define FADT_PM1A_EVT_BLK   56
#define FADT_PM1A_CNT_BLK   64
#define FADT_PM_TMR_BLK     76
#define FADT_GPE0_BLK       80
#define FADT_PM1_EVT_LEN    88
#define FADT_PM1_CNT_LEN    89
#define FADT_PM_TMR_LEN     91
#define FADT_GPE0_BLK_LEN   92
#define FADT_P_LVL2_LAT     96
#define FADT_P_LVL3_LAT     98
#define FADT_CENTURY        108
#define FADT_IAPC_BOOT_ARCH 109
#define FADT_FLAGS          112
#define FADT_RESET_REG      116
#define FADT_RESET_VALUE    128
#define FADT_MINOR_VERSION  131
#define FADT_X_DSDT         140
#define FADT_X_PM1A_EVT_BLK 148
#define FADT_X_PM1A_CNT_BLK 172
#define FADT_X_PM_TMR_BLK   208
#define FADT_X_GPE0_BLK     220

/* FADT fixed feature flags (5.2.9 table 5.35). */
#define FADT_F_WBINVD         (1u << 0)
#define FADT_F_PROC_C1        (1u << 2)
#define FADT_F_PWR_BUTTON     (1u << 4)
#define FADT_F_SLP_BUTTON     (1u << 5)
#define FADT_F_FIX_RTC        (1u << 6)
#define FADT_F_TMR_VAL_EXT    (1u << 8)
#define FADT_F_RESET_REG_SUP  (1u << 10)

/* IA-PC boot architecture flags (5.2.9.3). */
#define BOOT_LEGACY_DEVICES   (1u << 0)
#define BOOT_VGA_NOT_PRESENT  (1u << 2)
#define BOOT_MSI_NOT_SUPPORTED (1u << 3)
#define BOOT_CMOS_RTC_NOT_PRESENT (1u << 5)

/* C2/C3 entry latencies above these limits mean "not supported". */
#define P_LVL2_LAT_NONE     101
#define P_LVL3_LAT_NONE     1001

/* Generic Address Structure (5.2.3.2). */
#define GAS_LEN             12
#define GAS_SYSTEM_MEMORY   0
#define GAS_SYSTEM_IO       1
#define GAS_ACCESS_ANY      0
#define GAS_ACCESS_BYTE     1
#define GAS_ACCESS_WORD     2
#define GAS_ACCESS_DWORD    3

/* MADT (5.2.12). */
#define MADT_PCAT_COMPAT    (1u << 0)
#define MADT_LAPIC          0
#define MADT_IOAPIC         1
#define MADT_ISO            2
#define MADT_LAPIC_NMI      4
#define MADT_LAPIC_LEN      8
#define MADT_IOAPIC_LEN     12
#define MADT_ISO_LEN        10
#define MADT_LAPIC_NMI_LEN  6
#define MADT_ENABLED        (1u << 0)
#define MPS_CONFORMING      0x0                 /* polarity and trigger of the bus */
#define MPS_ACTIVE_HIGH     0x1
#define MPS_LEVEL           (0x3 << 2)
#define MADT_ALL_CPUS       0xff

/* HPET description table (IA-PC HPET 1.0a, 3.2.4). */
#define HPET_MIN_TICK       0x80

struct out {
	uint8_t *b;             /* scratch image of guest memory [gpa, gpa + cap) */
	size_t cap, off;
	uint64_t gpa;
	bool full;
};

/* The value for a checksum byte (which must read 0 now) so that the n
 * bytes sum to 0. */
/* Reserves n bytes at the next gpa aligned to `align`; returns the offset.
 * Running out only marks the output full: offsets stay consistent, so the
 * caller finishes and reports once. */
static size_t reserve(struct out *o, size_t n, uint64_t align)
{
	uint64_t at = (o->gpa + o->off + align - 1) & ~(align - 1);
	size_t off = (size_t)(at - o->gpa);

	if (off > o->cap || n > o->cap - off) {
		o->full = true;
		return 0;
	}
	o->off = off + n;
	return off;
}

static uint64_t gpa_of(const struct out *o, size_t off)
{
	return o->gpa + off;
}

static void header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	char table_id[9];

	/* OEM table ID: "KEEL" + the signature, e.g. "KEELFACP". */
	snprintf(table_id, sizeof(table_id), "KEEL%.4s", sig);
	memcpy(t, sig, 4);
	le_put32(t + 4, len);
	t[8] = rev;
	t[9] = 0;
	memcpy(t + 10, OEM_ID, 6);
	memcpy(t + 16, table_id, 8);
	le_put32(t + 24, OEM_REVISION);
	memcpy(t + 28, CREATOR_ID, 4);
	le_put32(t + 32, CREATOR_REVISION);
}

static void finish(uint8_t *t, uint32_t len)
{
	t[9] = le_checksum(t, len);
}

static void gas(uint8_t *p, uint8_t space, uint8_t bits, uint8_t access, uint64_t addr)
{
	p[0] = space;
	p[1] = bits;
	p[2] = 0;               /* bit offset */
	p[3] = access;
	le_put64(p + 4, addr);
}

static size_t build_facs(struct out *o)
{
	size_t off = reserve(o, FACS_LEN, FACS_ALIGN);
	uint8_t *t = o->b + off;

	if (o->full)
		return 0;
	/* No hardware signature, no S4BIOS, no 64-bit waking: keel has no
	 * sleep state to wake from (only S5). */
	memcpy(t, "FACS", 4);
	le_put32(t + 4, FACS_LEN);
	t[32] = FACS_VERSION;
	return off;
}

static void resource_device(struct aml *a, const char *name, const char *hid, int uid,
			    const uint8_t *crs, size_t crs_len)
{
	size_t dev = aml_device(a, name);

	aml_name(a, "_HID");
	aml_integer(a, aml_eisaid(hid));
	if (uid >= 0) {
		aml_name(a, "_UID");
		aml_integer(a, (uint64_t)uid);
	}
	aml_name(a, "_CRS");
	aml_buffer(a, crs, crs_len);
	aml_end(a, dev);
}

/* The DSDT: \_S5 for soft-off, and under \_SB the legacy devices that
 * exist, with their fixed resources, so an OS reserves them and binds its
 * PNP drivers. No processor objects: OSes bring CPUs up from the MADT. */
static void dsdt_aml(struct aml *a, const struct fw_desc *d)
{
	uint8_t rt[64];
	struct aml r;
	size_t pkg, sb;

	aml_name(a, "\\_S5");
	pkg = aml_package(a, 4);
	aml_integer(a, ACPI_SLP_TYP_S5);        /* PM1a_CNT.SLP_TYP */
	aml_integer(a, ACPI_SLP_TYP_S5);        /* PM1b_CNT.SLP_TYP (no PM1b) */
	aml_integer(a, 0);
	aml_integer(a, 0);
	aml_end(a, pkg);

	sb = aml_scope(a, "\\_SB");

	aml_init(&r, rt, sizeof(rt));
	aml_res_io(&r, UART_COM1_BASE, 8);
	aml_res_irq(&r, 1u << UART_COM1_IRQ);
	aml_res_end(&r);
	resource_device(a, "COM1", "PNP0501", 1, rt, r.len);

	if (d->rtc) {
		aml_init(&r, rt, sizeof(rt));
		aml_res_io(&r, RTC_PORT_INDEX, 2);
		aml_res_irq(&r, 1u << 8);
		aml_res_end(&r);
		resource_device(a, "RTC", "PNP0B00", -1, rt, r.len);
	}
	if (d->pit) {
		aml_init(&r, rt, sizeof(rt));
		aml_res_io(&r, PIT_BASE, 4);
		aml_res_irq(&r, 1u << 0);
		aml_res_end(&r);
		resource_device(a, "TMR", "PNP0100", -1, rt, r.len);
	}
	if (d->hpet) {
		/* No IRQ: timers route through legacy replacement or I/O APIC
		 * pins the OS programs; the HPET table describes the block. */
		aml_init(&r, rt, sizeof(rt));
		aml_res_mem32_fixed(&r, true, (uint32_t)HPET_BASE, HPET_SIZE);
		aml_res_end(&r);
		resource_device(a, "HPET", "PNP0103", 0, rt, r.len);
	}
	aml_end(a, sb);
}

static size_t build_dsdt(struct out *o, const struct fw_desc *d)
{
	size_t off = reserve(o, HDR_LEN, TABLE_ALIGN);
	struct aml a;

	if (o->full)
		return 0;
	aml_init(&a, o->b + o->off, o->cap - o->off);
	dsdt_aml(&a, d);
	if (a.overflow) {
		o->full = true;
		return 0;
	}
	o->off += a.len;
	header(o->b + off, "DSDT", (uint32_t)(HDR_LEN + a.len), DSDT_REV);
	finish(o->b + off, (uint32_t)(HDR_LEN + a.len));
	return off;
}

static size_t build_fadt(struct out *o, const struct fw_desc *d, size_t facs, size_t dsdt)
{
	size_t off = reserve(o, FADT_LEN, TABLE_ALIGN);
	uint8_t *t = o->b + off;
	uint32_t flags = FADT_F_WBINVD | FADT_F_PROC_C1 | FADT_F_PWR_BUTTON | FADT_F_SLP_BUTTON |
			 FADT_F_FIX_RTC | FADT_F_RESET_REG_SUP;
	uint16_t boot = BOOT_LEGACY_DEVICES | BOOT_VGA_NOT_PRESENT | BOOT_MSI_NOT_SUPPORTED;

	if (o->full)
		return 0;
	header(t, "FACP", FADT_LEN, FADT_REV);
	/* The spec allows only one FACS pointer to be non-zero; the tables
	 * are below 4 GiB, so the 32-bit one, which every OS reads. */
	le_put32(t + FADT_FIRMWARE_CTRL, (uint32_t)gpa_of(o, facs));
	le_put32(t + FADT_DSDT, (uint32_t)gpa_of(o, dsdt));
	le_put64(t + FADT_X_DSDT, gpa_of(o, dsdt));
	t[FADT_PM_PROFILE] = 0;                 /* unspecified */
	le_put16(t + FADT_SCI_INT, ACPI_SCI_IRQ);
	/* SMI_CMD 0: no SMM to hand over from; the hardware is always in
	 * ACPI mode (SCI_EN reads 1), so ACPI_ENABLE/DISABLE stay 0. */
	le_put32(t + FADT_SMI_CMD, 0);

	le_put32(t + FADT_PM1A_EVT_BLK, ACPI_PM1A_EVT_PORT);
	t[FADT_PM1_EVT_LEN] = ACPI_PM1A_EVT_LEN;
	gas(t + FADT_X_PM1A_EVT_BLK, GAS_SYSTEM_IO, ACPI_PM1A_EVT_LEN * 8, GAS_ACCESS_WORD,
	    ACPI_PM1A_EVT_PORT);
	le_put32(t + FADT_PM1A_CNT_BLK, ACPI_PM1A_CNT_PORT);
	t[FADT_PM1_CNT_LEN] = ACPI_PM1A_CNT_LEN;
	gas(t + FADT_X_PM1A_CNT_BLK, GAS_SYSTEM_IO, ACPI_PM1A_CNT_LEN * 8, GAS_ACCESS_WORD,
	    ACPI_PM1A_CNT_PORT);
	if (d->pm_timer) {
		le_put32(t + FADT_PM_TMR_BLK, ACPI_PM_TMR_PORT);
		t[FADT_PM_TMR_LEN] = ACPI_PM_TMR_LEN;
		gas(t + FADT_X_PM_TMR_BLK, GAS_SYSTEM_IO, ACPI_PM_TMR_LEN * 8, GAS_ACCESS_DWORD,
		    ACPI_PM_TMR_PORT);
		if (ACPI_PM_TMR_32BIT)
			flags |= FADT_F_TMR_VAL_EXT;
	}
	le_put32(t + FADT_GPE0_BLK, ACPI_GPE0_PORT);
	t[FADT_GPE0_BLK_LEN] = ACPI_GPE0_LEN;
	gas(t + FADT_X_GPE0_BLK, GAS_SYSTEM_IO, ACPI_GPE0_LEN * 8, GAS_ACCESS_BYTE, ACPI_GPE0_PORT);

	le_put16(t + FADT_P_LVL2_LAT, P_LVL2_LAT_NONE);
	le_put16(t + FADT_P_LVL3_LAT, P_LVL3_LAT_NONE);
	t[FADT_CENTURY] = d->rtc ? RTC_CENTURY : 0;
	if (!d->rtc)
		boot |= BOOT_CMOS_RTC_NOT_PRESENT;
	/* No 8042 flag: keel's i8042 only pulses reset, so OSes must not
	 * probe a keyboard controller. */
	le_put16(t + FADT_IAPC_BOOT_ARCH, boot);
	le_put32(t + FADT_FLAGS, flags);
	gas(t + FADT_RESET_REG, GAS_SYSTEM_IO, 8, GAS_ACCESS_BYTE, ACPI_RESET_PORT);
	t[FADT_RESET_VALUE] = ACPI_RESET_VALUE;
	t[FADT_MINOR_VERSION] = FADT_MINOR;
	/* Hypervisor vendor identity stays 0: keel offers no paravirtual
	 * interface for an OS to look for. */
	finish(t, FADT_LEN);
	return off;
}

static size_t madt_len(unsigned ncpus)
{
	return HDR_LEN + 8 + ncpus * MADT_LAPIC_LEN + MADT_IOAPIC_LEN + 2 * MADT_ISO_LEN +
	       MADT_LAPIC_NMI_LEN;
}

static uint8_t *madt_iso(uint8_t *p, uint8_t irq, uint32_t gsi, uint16_t flags)
{
	p[0] = MADT_ISO;
	p[1] = MADT_ISO_LEN;
	p[2] = 0;               /* bus: ISA */
	p[3] = irq;
	le_put32(p + 4, gsi);
	le_put16(p + 8, flags);
	return p + MADT_ISO_LEN;
}

static size_t build_madt(struct out *o, const struct fw_desc *d)
{
	size_t len = madt_len(d->ncpus);
	size_t off = reserve(o, len, TABLE_ALIGN);
	uint8_t *t = o->b + off, *p;

	if (o->full)
		return 0;
	header(t, "APIC", (uint32_t)len, MADT_REV);
	le_put32(t + 36, (uint32_t)LAPIC_DEFAULT_BASE);
	le_put32(t + 40, MADT_PCAT_COMPAT);        /* the 8259s are there too */
	p = t + 44;
	/* Local APICs in APIC ID order, the boot CPU first (5.2.12.1). */
	for (unsigned i = 0; i < d->ncpus; i++, p += MADT_LAPIC_LEN) {
		p[0] = MADT_LAPIC;
		p[1] = MADT_LAPIC_LEN;
		p[2] = (uint8_t)i;              /* ACPI processor UID */
		p[3] = (uint8_t)i;              /* APIC ID */
		le_put32(p + 4, MADT_ENABLED);
	}
	p[0] = MADT_IOAPIC;
	p[1] = MADT_IOAPIC_LEN;
	p[2] = (uint8_t)FW_IOAPIC_ID(d->ncpus);
	p[3] = 0;
	le_put32(p + 4, (uint32_t)IOAPIC_BASE);
	le_put32(p + 8, 0);                        /* GSI base: pin n = GSI n */
	p += MADT_IOAPIC_LEN;
	/* Everything but these two is identity-mapped, edge, active high. */
	p = madt_iso(p, 0, 2, MPS_CONFORMING);
	p = madt_iso(p, ACPI_SCI_IRQ, ACPI_SCI_IRQ, MPS_ACTIVE_HIGH | MPS_LEVEL);
	p[0] = MADT_LAPIC_NMI;
	p[1] = MADT_LAPIC_NMI_LEN;
	p[2] = MADT_ALL_CPUS;
	le_put16(p + 3, MPS_CONFORMING);
	p[5] = 1;                               /* LINT1 */
	finish(t, (uint32_t)len);
	return off;
}

static size_t build_hpet(struct out *o)
{
	size_t off = reserve(o, HPET_TABLE_LEN, TABLE_ALIGN);
	uint8_t *t = o->b + off;
	/* The low half of the model's GCAP_ID register, from the same
	 * constants it is built from. */
	uint32_t block_id = (uint32_t)((uint64_t)HPET_VENDOR_ID << 16 | HPET_CAP_LEG_RT |
				       HPET_CAP_COUNT_SIZE | (uint64_t)(HPET_TIMERS - 1) << 8 |
				       HPET_CAP_REV_ID);

	if (o->full)
		return 0;
	header(t, "HPET", HPET_TABLE_LEN, HPET_TABLE_REV);
	le_put32(t + 36, block_id);
	gas(t + 40, GAS_SYSTEM_MEMORY, 64, GAS_ACCESS_ANY, HPET_BASE);
	t[52] = 0;                              /* HPET number */
	le_put16(t + 53, HPET_MIN_TICK);
	t[55] = 0;                              /* no page protection */
	finish(t, HPET_TABLE_LEN);
	return off;
}

static size_t build_root(struct out *o, const char *sig, uint8_t rev, unsigned entry_len,
			 const size_t *tables, unsigned n)
{
	size_t len = HDR_LEN + (size_t)entry_len * n;
	size_t off = reserve(o, len, TABLE_ALIGN);
	uint8_t *t = o->b + off;

	if (o->full)
		return 0;
	header(t, sig, (uint32_t)len, rev);
	for (unsigned i = 0; i < n; i++) {
		if (entry_len == 8)
			le_put64(t + HDR_LEN + 8 * i, gpa_of(o, tables[i]));
		else
			le_put32(t + HDR_LEN + 4 * i, (uint32_t)gpa_of(o, tables[i]));
	}
	finish(t, (uint32_t)len);
	return off;
}

static void build_rsdp(struct out *o, size_t rsdt, size_t xsdt)
{
	uint8_t *t = o->b;              /* reserved first, at offset 0 */

	memcpy(t, "RSD PTR ", 8);
	memcpy(t + 9, OEM_ID, 6);
	t[15] = RSDP_REV;
	le_put32(t + 16, (uint32_t)gpa_of(o, rsdt));
	le_put32(t + 20, RSDP_LEN);
	le_put64(t + 24, gpa_of(o, xsdt));
	t[8] = le_checksum(t, 20);          /* ACPI 1.0 part */
	t[32] = le_checksum(t, RSDP_LEN);   /* whole structure */
}

int acpi_build(const struct fw_desc *d, uint64_t gpa, uint8_t *buf, size_t len,
	       size_t *used, uint64_t *rsdp_gpa, char *err, size_t errlen)
{
	uint8_t img[ACPI_BUILD_MAX];
	struct out o = { img, sizeof(img), 0, gpa, false };
	size_t facs, dsdt, list[3];
	unsigned n = 0;

	if (d == NULL || buf == NULL || used == NULL || rsdp_gpa == NULL) {
		errmsg_set(err, errlen, "ACPI: missing argument");
		return -1;
	}
	if (d->ncpus == 0 || d->ncpus > CFG_MAX_VCPUS) {
		errmsg_set(err, errlen, "ACPI: %u vCPUs (1 to %u supported)", d->ncpus,
			   (unsigned)CFG_MAX_VCPUS);
		return -1;
	}
	if (!d->lapic && d->ncpus > 1) {
		errmsg_set(err, errlen, "ACPI: %u vCPUs need local APICs", d->ncpus);
		return -1;
	}
	if (gpa % 16 != 0 || gpa >= FOUR_GIB) {
		errmsg_set(err, errlen, "ACPI: tables at 0x%llx: %s", (unsigned long long)gpa,
			   gpa % 16 != 0 ? "not 16-byte aligned" : "must lie below 4 GiB");
		return -1;
	}

	memset(img, 0, sizeof(img));
	reserve(&o, RSDP_LEN, 16);
	facs = build_facs(&o);
	dsdt = build_dsdt(&o, d);
	list[n++] = build_fadt(&o, d, facs, dsdt);
	if (d->lapic)
		list[n++] = build_madt(&o, d);
	if (d->hpet)
		list[n++] = build_hpet(&o);
	size_t xsdt = build_root(&o, "XSDT", XSDT_REV, 8, list, n);
	size_t rsdt = build_root(&o, "RSDT", RSDT_REV, 4, list, n);
	if (o.full) {           /* cannot happen: ACPI_BUILD_MAX covers the largest */
		errmsg_set(err, errlen, "ACPI: tables exceed %u bytes", ACPI_BUILD_MAX);
		return -1;
	}
	if (o.off > FOUR_GIB - gpa) {
		errmsg_set(err, errlen, "ACPI: tables at 0x%llx: must lie below 4 GiB",
			   (unsigned long long)gpa);
		return -1;
	}
	if (o.off > len) {
		errmsg_set(err, errlen, "ACPI: tables need %zu bytes, only %zu available", o.off, len);
		return -1;
	}
	build_rsdp(&o, rsdt, xsdt);
	memcpy(buf, img, o.off);
	*used = o.off;
	*rsdp_gpa = gpa;
	return 0;
}
