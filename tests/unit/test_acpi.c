/* ACPI tables (src/fw/acpi.c): decoded here byte by byte, and by ACPICA's
 * disassembler (`iasl -d`, Debian package acpica-tools), whose output is
 * compiled back with iasl to prove it is valid ASL. */
#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

#include "dev/hpet.h"
#include "dev/ioapic.h"
#include "dev/lapic.h"
#include "dev/rtc.h"
#include "fw/acpi.h"
#include "fw/acpi_hw.h"
#include "fw/aml.h"
#include "test.h"
#include "vm/irqchip.h"

#define PC_GPA 0xe0000ULL

struct built {
	uint8_t buf[ACPI_BUILD_MAX];
	uint64_t gpa, rsdp;
	size_t used;
};

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p) { return rd16(p) | (uint32_t)rd16(p + 2) << 16; }
static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n-- > 0)
		s = (uint8_t)(s + *p++);
	return s;
}

static struct fw_desc full_pc(unsigned ncpus)
{
	return (struct fw_desc){ .ncpus = ncpus, .lapic = true, .hpet = true, .pm_timer = true,
				 .rtc = true, .pit = true };
}

static int build(struct built *b, const struct fw_desc *d, uint64_t gpa)
{
	char err[160];

	memset(b, 0xaa, sizeof(*b));
	b->gpa = gpa;
	return acpi_build(d, gpa, b->buf, sizeof(b->buf), &b->used, &b->rsdp, err, sizeof(err));
}

/* The table at guest address `addr` if it lies wholly inside the output
 * (its length included), else NULL. */
static const uint8_t *at(const struct built *b, uint64_t addr)
{
	const uint8_t *t;

	if (addr < b->gpa || addr + 8 > b->gpa + b->used)
		return NULL;
	t = b->buf + (addr - b->gpa);
	if (rd32(t + 4) < 8 || addr + rd32(t + 4) > b->gpa + b->used)
		return NULL;
	return t;
}

static const uint8_t *xsdt_of(const struct built *b)
{
	return at(b, rd64(b->buf + 24));
}

/* The table the XSDT lists with signature `sig`, or NULL. */
static const uint8_t *find(const struct built *b, const char *sig)
{
	const uint8_t *x = xsdt_of(b);

	for (uint32_t i = 0; x != NULL && 36 + 8 * i < rd32(x + 4); i++) {
		const uint8_t *t = at(b, rd64(x + 36 + 8 * i));

		if (t != NULL && memcmp(t, sig, 4) == 0)
			return t;
	}
	return NULL;
}

static unsigned count_str(const char *hay, const char *needle)
{
	unsigned n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* ---- byte-level decoding ---- */

TEST(acpi_rsdp_and_root_tables, "REQ-ACPI-001")
{
	static struct built b;
	const struct fw_desc d = full_pc(2);
	const uint8_t *x, *r;
	const char *sigs[] = { "FACP", "APIC", "HPET" };

	CHECK_EQ(build(&b, &d, PC_GPA), 0);
	CHECK_EQ(b.rsdp, PC_GPA);
	CHECK(b.used <= ACPI_BUILD_MAX);
	CHECK(memcmp(b.buf, "RSD PTR ", 8) == 0);
	CHECK(memcmp(b.buf + 9, "KEEL  ", 6) == 0);
	CHECK_EQ(b.buf[15], 2);                         /* revision */
	CHECK_EQ(rd32(b.buf + 20), 36);                 /* length */
	CHECK_EQ(sum(b.buf, 20), 0);                    /* ACPI 1.0 checksum */
	CHECK_EQ(sum(b.buf, 36), 0);                    /* extended checksum */
	x = xsdt_of(&b);
	r = at(&b, rd32(b.buf + 16));
	CHECK(x != NULL && r != NULL);
	CHECK(memcmp(x, "XSDT", 4) == 0 && memcmp(r, "RSDT", 4) == 0);
	CHECK_EQ(rd32(x + 4), 36 + 3 * 8);
	CHECK_EQ(rd32(r + 4), 36 + 3 * 4);
	CHECK_EQ(sum(x, rd32(x + 4)), 0);
	CHECK_EQ(sum(r, rd32(r + 4)), 0);
	CHECK(memcmp(x + 10, "KEEL  ", 6) == 0);
	for (unsigned i = 0; i < 3; i++) {
		const uint8_t *t = at(&b, rd64(x + 36 + 8 * i));

		CHECK(t != NULL);
		CHECK(memcmp(t, sigs[i], 4) == 0);
		CHECK_EQ(rd32(r + 36 + 4 * i), rd64(x + 36 + 8 * i));  /* same list */
		CHECK_EQ(sum(t, rd32(t + 4)), 0);
		CHECK_EQ((rd64(x + 36 + 8 * i)) % 16, 0);
	}
}

TEST(acpi_tables_only_for_present_devices, "REQ-ACPI-001 REQ-ACPI-005 REQ-ACPI-006")
{
	static struct built b;
	struct fw_desc d = full_pc(1);

	d.lapic = false;
	CHECK_EQ(build(&b, &d, PC_GPA), 0);
	CHECK(find(&b, "APIC") == NULL);
	CHECK(find(&b, "HPET") != NULL);
	CHECK_EQ(rd32(xsdt_of(&b) + 4), 36 + 2 * 8);
	d.hpet = false;
	CHECK_EQ(build(&b, &d, PC_GPA), 0);
	CHECK(find(&b, "APIC") == NULL && find(&b, "HPET") == NULL);
	CHECK(find(&b, "FACP") != NULL);
	CHECK_EQ(rd32(xsdt_of(&b) + 4), 36 + 8);
	CHECK_EQ(rd32(at(&b, rd32(b.buf + 16)) + 4), 36 + 4);
	d = full_pc(4);
	d.hpet = false;
	CHECK_EQ(build(&b, &d, PC_GPA), 0);
	CHECK(find(&b, "APIC") != NULL && find(&b, "HPET") == NULL);
}

TEST(acpi_fadt_facs_dsdt_pointers_and_blocks, "REQ-ACPI-002")
{
	static struct built b;
	const struct fw_desc d = full_pc(1);
	const uint8_t *f, *facs, *dsdt;
	/* 16-byte aligned, not 64: the FACS must still land 64-byte aligned. */
	const uint64_t gpa = 0x7ff0010;

	CHECK_EQ(build(&b, &d, gpa), 0);
	f = find(&b, "FACP");
	CHECK(f != NULL);
	CHECK_EQ(rd32(f + 4), 276);
	CHECK_EQ(f[8], 6);
	CHECK_EQ(f[131], 3);                            /* minor: ACPI 6.3 */
	CHECK_EQ(sum(f, 276), 0);
	/* FACS: 32-bit pointer only (the spec forbids both). */
	CHECK_EQ(rd64(f + 132), 0);
	CHECK_EQ(rd32(f + 36) % 64, 0);
	CHECK(rd32(f + 36) >= gpa && rd32(f + 36) + 64 <= gpa + b.used);
	facs = b.buf + (rd32(f + 36) - gpa);
	CHECK(memcmp(facs, "FACS", 4) == 0);
	CHECK_EQ(rd32(facs + 4), 64);
	CHECK_EQ(facs[32], 2);
	/* DSDT: both pointers, same table. */
	CHECK_EQ(rd64(f + 140), rd32(f + 40));
	dsdt = at(&b, rd32(f + 40));
	CHECK(dsdt != NULL && memcmp(dsdt, "DSDT", 4) == 0);
	CHECK_EQ(sum(dsdt, rd32(dsdt + 4)), 0);
	CHECK_EQ(dsdt[8], 2);
	CHECK_EQ(rd16(f + 46), ACPI_SCI_IRQ);
	CHECK_EQ(rd32(f + 48), 0);                      /* SMI_CMD: always in ACPI mode */
	CHECK_EQ(f[52], 0);
	CHECK_EQ(f[53], 0);
	/* Blocks: address, length, and the X_ GAS (I/O space, bits = 8 x length). */
	CHECK_EQ(rd32(f + 56), ACPI_PM1A_EVT_PORT);
	CHECK_EQ(f[88], 4);
	CHECK_EQ(rd32(f + 64), ACPI_PM1A_CNT_PORT);
	CHECK_EQ(f[89], 2);
	CHECK_EQ(rd32(f + 76), ACPI_PM_TMR_PORT);
	CHECK_EQ(f[91], 4);
	CHECK_EQ(rd32(f + 80), ACPI_GPE0_PORT);
	CHECK_EQ(f[92], 4);
	CHECK_EQ(rd32(f + 60) | rd32(f + 68) | rd32(f + 72) | rd32(f + 84), 0); /* no b/PM2/GPE1 */
	const unsigned x_off[] = { 148, 172, 208, 220 };
	const unsigned port[] = { 0x600, 0x604, 0x608, 0x620 }, bits[] = { 32, 16, 32, 32 };
	for (unsigned i = 0; i < 4; i++) {
		CHECK_EQ(f[x_off[i]], 1);               /* system I/O */
		CHECK_EQ(f[x_off[i] + 1], bits[i]);
		CHECK_EQ(rd64(f + x_off[i] + 4), port[i]);
	}
	CHECK_EQ(rd32(f + 112) & (1u << 8), 1u << 8);   /* TMR_VAL_EXT: 32-bit timer */
}

TEST(acpi_fadt_without_pm_timer, "REQ-ACPI-002")
{
	static struct built b;
	struct fw_desc d = full_pc(1);
	const uint8_t *f;

	d.pm_timer = false;
	CHECK_EQ(build(&b, &d, PC_GPA), 0);
	f = find(&b, "FACP");
	CHECK(f != NULL);
	CHECK_EQ(rd32(f + 76), 0);
	CHECK_EQ(f[91], 0);
	for (unsigned i = 0; i < 12; i++)
		CHECK_EQ(f[208 + i], 0);
	CHECK_EQ(rd32(f + 112) & (1u << 8), 0);
	CHECK_EQ(rd32(f + 56), ACPI_PM1A_EVT_PORT);     /* the rest stays */
}

TEST(acpi_fadt_flags_reset_boot_arch_century, "REQ-ACPI-003")
{
	static struct built b;
	struct fw_desc d = full_pc(1);
	const uint8_t *f;

	CHECK_EQ(build(&b, &d, PC_GPA), 0);
	f = find(&b, "FACP");
	CHECK(f != NULL);
	/* WBINVD, PROC_C1, PWR_BUTTON, SLP_BUTTON, FIX_RTC, TMR_VAL_EXT, RESET_REG_SUP */
	CHECK_EQ(rd32(f + 112), 0x575);
	CHECK_EQ(f[116], 1);                            /* reset register: I/O */
	CHECK_EQ(f[117], 8);
	CHECK_EQ(f[119], 1);                            /* byte access */
	CHECK_EQ(rd64(f + 120), ACPI_RESET_PORT);
	CHECK_EQ(f[128], ACPI_RESET_VALUE);
	/* LEGACY_DEVICES, VGA not present, MSI not supported; no 8042. */
	CHECK_EQ(rd16(f + 109), 0x000d);
	CHECK_EQ(f[108], RTC_CENTURY);
	CHECK(rd16(f + 96) > 100);                      /* no C2 */
	CHECK(rd16(f + 98) > 1000);                     /* no C3 */
	CHECK_EQ(rd64(f + 268), 0);                     /* hypervisor vendor */
	d.rtc = false;
	CHECK_EQ(build(&b, &d, PC_GPA), 0);
	f = find(&b, "FACP");
	CHECK_EQ(f[108], 0);
	CHECK_EQ(rd16(f + 109), 0x002d);                /* + CMOS RTC not present */
}

/* Walks the MADT's entries; counts per type, checks each one. */
static void check_madt(unsigned ncpus)
{
	static struct built b;
	static struct irqchip ic;
	const struct irqchip_ops ops = { 0 };
	const struct fw_desc d = full_pc(ncpus);
	const uint8_t *m, *p, *end;
	unsigned n[8] = { 0 }, cpu = 0;

	CHECK_EQ(build(&b, &d, PC_GPA), 0);
	m = find(&b, "APIC");
	CHECK(m != NULL);
	CHECK_EQ(sum(m, rd32(m + 4)), 0);
	CHECK_EQ(rd32(m + 4), 44 + 8 * ncpus + 12 + 2 * 10 + 6);
	CHECK_EQ(rd32(m + 36), LAPIC_DEFAULT_BASE);
	CHECK_EQ(rd32(m + 40), 1);                      /* PCAT_COMPAT */
	/* The I/O APIC ID the MADT states is the one keel's irqchip programs. */
	irqchip_init(&ic, ncpus, true, 1000000, 0, &ops);
	end = m + rd32(m + 4);
	for (p = m + 44; p < end; p += p[1]) {
		CHECK(p[1] >= 2 && p + p[1] <= end);
		CHECK(p[0] < 8);
		n[p[0]]++;
		switch (p[0]) {
		case 0:
			CHECK_EQ(p[1], 8);
			CHECK_EQ(p[2], cpu);            /* UID */
			CHECK_EQ(p[3], cpu);            /* APIC ID, in order */
			CHECK_EQ(rd32(p + 4), 1);       /* enabled */
			cpu++;
			break;
		case 1:
			CHECK_EQ(p[1], 12);
			CHECK_EQ(p[2], ic.ioapic.id);
			CHECK_EQ(p[2], FW_IOAPIC_ID(ncpus));
			CHECK_EQ(rd32(p + 4), IOAPIC_BASE);
			CHECK_EQ(rd32(p + 8), 0);
			break;
		case 2:
			CHECK_EQ(p[1], 10);
			CHECK_EQ(p[2], 0);
			if (p[3] == 0) {
				CHECK_EQ(rd32(p + 4), 2);
				CHECK_EQ(rd16(p + 8), 0);       /* conforming: edge, high */
			} else {
				CHECK_EQ(p[3], ACPI_SCI_IRQ);
				CHECK_EQ(rd32(p + 4), ACPI_SCI_IRQ);
				CHECK_EQ(rd16(p + 8), 0x0d);    /* level, active high */
			}
			break;
		case 4:
			CHECK_EQ(p[1], 6);
			CHECK_EQ(p[2], 0xff);
			CHECK_EQ(p[5], 1);              /* LINT1 */
			break;
		}
	}
	CHECK(p == end);
	CHECK_EQ(n[0], ncpus);
	CHECK_EQ(n[1], 1);
	CHECK_EQ(n[2], 2);
	CHECK_EQ(n[3], 0);
	CHECK_EQ(n[4], 1);
}

TEST(acpi_madt_1_2_8_15_16_64_cpus, "REQ-ACPI-005")
{
	const unsigned counts[] = { 1, 2, 8, 15, 16, 64 };

	for (unsigned i = 0; i < sizeof(counts) / sizeof(counts[0]) && !test_failed(); i++)
		check_madt(counts[i]);
}

TEST(acpi_hpet_table_matches_model, "REQ-ACPI-006")
{
	static struct built b;
	struct hpet h;
	const struct fw_desc d = full_pc(1);
	const uint8_t *t;

	CHECK_EQ(build(&b, &d, PC_GPA), 0);
	t = find(&b, "HPET");
	CHECK(t != NULL);
	CHECK_EQ(rd32(t + 4), 56);
	CHECK_EQ(t[8], 1);
	CHECK_EQ(sum(t, 56), 0);
	hpet_init(&h, NULL, NULL, 0);
	CHECK_EQ(rd32(t + 36), (uint32_t)hpet_mmio_read(&h, HPET_REG_GCAP_ID, 8, 0));
	CHECK_EQ(t[40], 0);                             /* system memory */
	CHECK_EQ(t[41], 64);
	CHECK_EQ(rd64(t + 44), HPET_BASE);
	CHECK_EQ(t[52], 0);
	CHECK_EQ(rd16(t + 53), 0x80);
	CHECK_EQ(t[55], 0);
}

static bool contains(const uint8_t *p, size_t n, const void *needle, size_t m)
{
	for (size_t i = 0; i + m <= n; i++)
		if (memcmp(p + i, needle, m) == 0)
			return true;
	return false;
}

TEST(acpi_dsdt_names_follow_devices, "REQ-ACPI-004")
{
	static struct built b;
	struct fw_desc d = full_pc(1);
	const uint8_t *f, *t;
	const uint8_t s5[] = { 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0a, 0x05, 0x0a,
			       0x05, 0x00, 0x00 };

	CHECK_EQ(aml_eisaid("PNP0501"), 0x0105d041);
	CHECK_EQ(build(&b, &d, PC_GPA), 0);
	f = find(&b, "FACP");
	t = at(&b, rd32(f + 40));
	CHECK(t != NULL);
	CHECK(contains(t, rd32(t + 4), s5, sizeof(s5)));
	CHECK(contains(t, rd32(t + 4), "COM1", 4));
	CHECK(contains(t, rd32(t + 4), "RTC_", 4));
	CHECK(contains(t, rd32(t + 4), "TMR_", 4));
	CHECK(contains(t, rd32(t + 4), "HPET", 4));
	d.rtc = d.pit = d.hpet = false;
	CHECK_EQ(build(&b, &d, PC_GPA), 0);
	f = find(&b, "FACP");
	t = at(&b, rd32(f + 40));
	CHECK(t != NULL);
	CHECK_EQ(sum(t, rd32(t + 4)), 0);
	CHECK(contains(t, rd32(t + 4), "COM1", 4));     /* the UART is always there */
	CHECK(!contains(t, rd32(t + 4), "RTC_", 4));
	CHECK(!contains(t, rd32(t + 4), "TMR_", 4));
	CHECK(!contains(t, rd32(t + 4), "HPET", 4));
}

TEST(acpi_aml_pkglength_long_bodies, "REQ-ACPI-004")
{
	static uint8_t out[8192], body[5000];
	struct aml a;
	size_t mark;

	/* 2-byte PkgLength: lead byte 0x40 | low nibble, then bits 11:4. */
	aml_init(&a, out, sizeof(out));
	mark = aml_scope(&a, "\\_SB");
	aml_bytes(&a, body, 100);
	aml_end(&a, mark);
	CHECK(!a.overflow);
	CHECK_EQ(out[0], 0x10);
	CHECK_EQ(out[1], 0x40 | ((100 + 5 + 2) & 0xf));
	CHECK_EQ(out[2], (100 + 5 + 2) >> 4);
	CHECK_EQ(a.len, 1 + 2 + 5 + 100);
	/* 3-byte PkgLength for a body over 4 KiB. */
	aml_init(&a, out, sizeof(out));
	mark = aml_package(&a, 1);
	aml_bytes(&a, body, sizeof(body));
	aml_end(&a, mark);
	CHECK(!a.overflow);
	CHECK_EQ(out[1] >> 6, 2);
	CHECK_EQ((out[1] & 0xf) | out[2] << 4 | out[3] << 12, 1 + sizeof(body) + 3);
	/* Overflow is sticky and reported once. */
	aml_init(&a, out, 4);
	aml_name(&a, "\\_S5");
	CHECK(a.overflow);
	/* Multi-segment names. */
	aml_init(&a, out, sizeof(out));
	aml_namestring(&a, "\\_SB.PCI0.ISA");
	CHECK_EQ(a.len, 1 + 2 + 12);
	CHECK(memcmp(out, "\\\x2f\x03_SB_PCI0ISA_", 15) == 0);
}

TEST(acpi_errors_and_exact_size, "REQ-ACPI-007")
{
	static struct built b;
	static uint8_t small[ACPI_BUILD_MAX];
	struct fw_desc d = full_pc(64);
	size_t used = 0, need;
	uint64_t rsdp = 0;
	char err[160] = "";

	CHECK_EQ(build(&b, &d, PC_GPA), 0);
	need = b.used;
	CHECK(need <= ACPI_BUILD_MAX);
	/* Exactly enough works; one byte less fails and leaves buf alone. */
	CHECK_EQ(acpi_build(&d, PC_GPA, small, need, &used, &rsdp, err, sizeof(err)), 0);
	CHECK_EQ(used, need);
	CHECK(memcmp(small, b.buf, need) == 0);
	memset(small, 0x5a, sizeof(small));
	CHECK_EQ(acpi_build(&d, PC_GPA, small, need - 1, &used, &rsdp, err, sizeof(err)), -1);
	CHECK_STR_CONTAINS(err, "tables need");
	CHECK_EQ(small[0], 0x5a);
	CHECK_EQ(small[need / 2], 0x5a);
	/* Invalid descriptions and placements. */
	d.ncpus = 0;
	CHECK_EQ(build(&b, &d, PC_GPA), -1);
	d.ncpus = 65;
	CHECK_EQ(acpi_build(&d, PC_GPA, small, sizeof(small), &used, &rsdp, err, sizeof(err)), -1);
	CHECK_STR_CONTAINS(err, "65 vCPUs");
	d = full_pc(2);
	d.lapic = false;
	CHECK_EQ(acpi_build(&d, PC_GPA, small, sizeof(small), &used, &rsdp, err, sizeof(err)), -1);
	CHECK_STR_CONTAINS(err, "local APIC");
	d = full_pc(1);
	CHECK_EQ(acpi_build(&d, PC_GPA + 8, small, sizeof(small), &used, &rsdp, err, sizeof(err)), -1);
	CHECK_STR_CONTAINS(err, "aligned");
	CHECK_EQ(acpi_build(&d, 0xffffff00ULL, small, sizeof(small), &used, &rsdp, err, sizeof(err)),
		 -1);
	CHECK_STR_CONTAINS(err, "4 GiB");
	CHECK_EQ(acpi_build(&d, 0x100000000ULL, small, sizeof(small), &used, &rsdp, err, sizeof(err)),
		 -1);
	CHECK_EQ(acpi_build(NULL, PC_GPA, small, sizeof(small), &used, &rsdp, err, sizeof(err)), -1);
	CHECK_EQ(acpi_build(&d, PC_GPA, small, sizeof(small), &used, &rsdp, NULL, 0), 0);
}

/* ---- iasl ---- */

static char g_dsl[1 << 20], g_log[1 << 16], g_relog[1 << 16];

static bool slurp(const char *path, char *out, size_t cap)
{
	FILE *f = fopen(path, "r");
	size_t n;

	out[0] = '\0';
	if (f == NULL)
		return false;
	n = fread(out, 1, cap - 1, f);
	out[n] = '\0';
	fclose(f);
	return true;
}

static void remove_dir(const char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *e;
	char path[512];

	if (dp == NULL)
		return;
	while ((e = readdir(dp)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(dp);
	rmdir(dir);
}

static bool have_iasl(void)
{
	return system("command -v iasl >/dev/null 2>&1") == 0;
}

/* Disassembles table `t` with `iasl -d` (text into g_dsl, messages into
 * g_log), then compiles the result with iasl (messages into g_relog).
 * Returns false with a reason in g_log when a step cannot run. */
static bool iasl_roundtrip(const uint8_t *t, size_t n)
{
	char dir[] = "/tmp/keel-acpi-XXXXXX", path[256], cmd[512];
	FILE *f;
	bool ok = false;

	g_dsl[0] = g_log[0] = g_relog[0] = '\0';
	if (mkdtemp(dir) == NULL) {
		snprintf(g_log, sizeof(g_log), "mkdtemp failed");
		return false;
	}
	snprintf(path, sizeof(path), "%s/table.dat", dir);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(t, 1, n, f) != n) {
		if (f != NULL)
			fclose(f);
		snprintf(g_log, sizeof(g_log), "cannot write %s", path);
		goto out;
	}
	fclose(f);
	snprintf(cmd, sizeof(cmd), "cd %s && iasl -d table.dat >disasm.log 2>&1", dir);
	if (system(cmd) != 0) {
		snprintf(path, sizeof(path), "%s/disasm.log", dir);
		slurp(path, g_log, sizeof(g_log));
		goto out;
	}
	snprintf(path, sizeof(path), "%s/disasm.log", dir);
	slurp(path, g_log, sizeof(g_log));
	snprintf(path, sizeof(path), "%s/table.dsl", dir);
	if (!slurp(path, g_dsl, sizeof(g_dsl)))
		goto out;
	snprintf(cmd, sizeof(cmd), "cd %s && iasl table.dsl >compile.log 2>&1", dir);
	(void)!system(cmd);
	snprintf(path, sizeof(path), "%s/compile.log", dir);
	slurp(path, g_relog, sizeof(g_relog));
	ok = true;
out:
	remove_dir(dir);
	return ok;
}

#define REQUIRE_IASL()                                                                   \
	do {                                                                             \
		if (!have_iasl()) {                                                      \
			test_fail(__FILE__, __LINE__,                                    \
				  "iasl not found: install acpica-tools (scripts/setup)"); \
			return;                                                          \
		}                                                                        \
	} while (0)

/* iasl decoded the table, found no checksum or other fault, and its
 * output compiles back without errors or warnings. */
#define CHECK_IASL_CLEAN(t)                                                              \
	do {                                                                             \
		CHECK((t) != NULL);                                                      \
		if (!iasl_roundtrip((t), rd32((t) + 4))) {                               \
			test_fail(__FILE__, __LINE__, "iasl -d failed: %s", g_log);       \
			return;                                                          \
		}                                                                        \
		CHECK(strstr(g_log, "Error") == NULL && strstr(g_log, "Warning") == NULL); \
		CHECK(strstr(g_dsl, "Incorrect checksum") == NULL);                      \
		CHECK_STR_CONTAINS(g_relog, "0 Errors, 0 Warnings");                     \
	} while (0)

TEST(acpi_iasl_dsdt, "REQ-ACPI-004")
{
	static struct built b;
	struct fw_desc d = full_pc(1);
	const uint8_t *f;

	REQUIRE_IASL();
	CHECK_EQ(build(&b, &d, PC_GPA), 0);
	f = find(&b, "FACP");
	CHECK(f != NULL);
	CHECK_IASL_CLEAN(at(&b, rd32(f + 40)));
	CHECK_STR_CONTAINS(g_log, "Disassembly completed");
	CHECK_STR_CONTAINS(g_dsl, "DefinitionBlock (\"\", \"DSDT\", 2, \"KEEL  \"");
	CHECK_STR_CONTAINS(g_dsl, "Name (\\_S5, Package (0x04)");
	CHECK_STR_CONTAINS(g_dsl, "        0x05, \n        0x05, \n        Zero, \n        Zero\n");
	CHECK_STR_CONTAINS(g_dsl, "Scope (\\_SB)");
	CHECK_STR_CONTAINS(g_dsl, "Device (COM1)");
	CHECK_STR_CONTAINS(g_dsl, "EisaId (\"PNP0501\")");
	CHECK_STR_CONTAINS(g_dsl, "0x03F8,             // Range Minimum");
	CHECK_STR_CONTAINS(g_dsl, "0x08,               // Length");
	CHECK_STR_CONTAINS(g_dsl, "{4}");
	CHECK_STR_CONTAINS(g_dsl, "Device (RTC)");
	CHECK_STR_CONTAINS(g_dsl, "EisaId (\"PNP0B00\")");
	CHECK_STR_CONTAINS(g_dsl, "{8}");
	CHECK_STR_CONTAINS(g_dsl, "Device (TMR)");
	CHECK_STR_CONTAINS(g_dsl, "EisaId (\"PNP0100\")");
	CHECK_STR_CONTAINS(g_dsl, "Device (HPET)");
	CHECK_STR_CONTAINS(g_dsl, "EisaId (\"PNP0103\")");
	CHECK_STR_CONTAINS(g_dsl, "Memory32Fixed (ReadWrite,\n                    0xFED00000,");
	CHECK_STR_CONTAINS(g_dsl, "0x00000400,         // Address Length");
	CHECK_STR_CONTAINS(g_relog, "Compilation successful");

	d.rtc = d.pit = d.hpet = false;
	CHECK_EQ(build(&b, &d, PC_GPA), 0);
	f = find(&b, "FACP");
	CHECK_IASL_CLEAN(at(&b, rd32(f + 40)));
	CHECK_STR_CONTAINS(g_dsl, "Device (COM1)");
	CHECK(strstr(g_dsl, "Device (RTC)") == NULL);
	CHECK(strstr(g_dsl, "Device (HPET)") == NULL);
}

TEST(acpi_iasl_fadt_facs, "REQ-ACPI-002 REQ-ACPI-003")
{
	static struct built b;
	struct fw_desc d = full_pc(1);
	const uint8_t *f;

	REQUIRE_IASL();
	CHECK_EQ(build(&b, &d, PC_GPA), 0);
	f = find(&b, "FACP");
	CHECK_IASL_CLEAN(f);
	CHECK_STR_CONTAINS(g_dsl, "Revision : 06");
	CHECK_STR_CONTAINS(g_dsl, "SCI Interrupt : 0009");
	CHECK_STR_CONTAINS(g_dsl, "SMI Command Port : 00000000");
	CHECK_STR_CONTAINS(g_dsl, "PM1A Event Block Address : 00000600");
	CHECK_STR_CONTAINS(g_dsl, "PM1A Control Block Address : 00000604");
	CHECK_STR_CONTAINS(g_dsl, "PM Timer Block Address : 00000608");
	CHECK_STR_CONTAINS(g_dsl, "GPE0 Block Address : 00000620");
	CHECK_STR_CONTAINS(g_dsl, "PM Timer Block Length : 04");
	CHECK_STR_CONTAINS(g_dsl, "RTC Century Index : 32");
	CHECK_STR_CONTAINS(g_dsl, "Legacy Devices Supported (V2) : 1");
	CHECK_STR_CONTAINS(g_dsl, "8042 Present on ports 60/64 (V2) : 0");
	CHECK_STR_CONTAINS(g_dsl, "32-bit PM Timer (V1) : 1");
	CHECK_STR_CONTAINS(g_dsl, "Reset Register Supported (V2) : 1");
	CHECK_STR_CONTAINS(g_dsl, "Control Method Power Button (V1) : 1");
	CHECK_STR_CONTAINS(g_dsl, "Address : 0000000000000CF9");
	CHECK_STR_CONTAINS(g_dsl, "Value to cause reset : 06");
	CHECK_STR_CONTAINS(g_dsl, "FADT Minor Revision : 03");
	CHECK_EQ(count_str(g_dsl, "Space ID : 01 [SystemIO]"), 5);  /* reset + 4 blocks */
	CHECK_IASL_CLEAN(b.buf + (rd32(f + 36) - PC_GPA));
	CHECK_STR_CONTAINS(g_dsl, "Signature : \"FACS\"");
	CHECK_STR_CONTAINS(g_dsl, "Version : 02");

	d.pm_timer = d.rtc = false;
	CHECK_EQ(build(&b, &d, PC_GPA), 0);
	CHECK_IASL_CLEAN(find(&b, "FACP"));
	CHECK_STR_CONTAINS(g_dsl, "PM Timer Block Address : 00000000");
	CHECK_STR_CONTAINS(g_dsl, "PM Timer Block Length : 00");
	CHECK_STR_CONTAINS(g_dsl, "32-bit PM Timer (V1) : 0");
	CHECK_STR_CONTAINS(g_dsl, "CMOS RTC Not Present (V5) : 1");
	CHECK_STR_CONTAINS(g_dsl, "RTC Century Index : 00");
	CHECK_EQ(count_str(g_dsl, "Space ID : 01 [SystemIO]"), 4);
}

TEST(acpi_iasl_madt, "REQ-ACPI-005")
{
	static struct built b;
	const unsigned counts[] = { 1, 64 };

	REQUIRE_IASL();
	for (unsigned i = 0; i < 2; i++) {
		const struct fw_desc d = full_pc(counts[i]);

		CHECK_EQ(build(&b, &d, PC_GPA), 0);
		CHECK_IASL_CLEAN(find(&b, "APIC"));
		CHECK_STR_CONTAINS(g_dsl, "Local Apic Address : FEE00000");
		CHECK_STR_CONTAINS(g_dsl, "PC-AT Compatibility : 1");
		CHECK_EQ(count_str(g_dsl, "[Processor Local APIC]"), counts[i]);
		CHECK_EQ(count_str(g_dsl, "Processor Enabled : 1"), counts[i]);
		CHECK_EQ(count_str(g_dsl, "[I/O APIC]"), 1);
		CHECK_STR_CONTAINS(g_dsl, "Address : FEC00000");
		CHECK_EQ(count_str(g_dsl, "[Interrupt Source Override]"), 2);
		CHECK_STR_CONTAINS(g_dsl, "Interrupt : 00000002");
		CHECK_STR_CONTAINS(g_dsl, "Source : 09");
		CHECK_STR_CONTAINS(g_dsl, "Trigger Mode : 3");
		CHECK_EQ(count_str(g_dsl, "[Local APIC NMI]"), 1);
		CHECK_STR_CONTAINS(g_dsl, "Interrupt Input LINT : 01");
	}
}

TEST(acpi_iasl_hpet_and_root_tables, "REQ-ACPI-006 REQ-ACPI-001")
{
	static struct built b;
	const struct fw_desc d = full_pc(2);

	REQUIRE_IASL();
	CHECK_EQ(build(&b, &d, PC_GPA), 0);
	CHECK_IASL_CLEAN(find(&b, "HPET"));
	CHECK_STR_CONTAINS(g_dsl, "Hardware Block ID : 8086A201");
	CHECK_STR_CONTAINS(g_dsl, "Space ID : 00 [SystemMemory]");
	CHECK_STR_CONTAINS(g_dsl, "Address : 00000000FED00000");
	CHECK_STR_CONTAINS(g_dsl, "Sequence Number : 00");
	CHECK_STR_CONTAINS(g_dsl, "Minimum Clock Ticks : 0080");
	CHECK_IASL_CLEAN(xsdt_of(&b));
	CHECK_EQ(count_str(g_dsl, "ACPI Table Address"), 3);
	CHECK_IASL_CLEAN(at(&b, rd32(b.buf + 16)));
	CHECK_STR_CONTAINS(g_dsl, "[Root System Description Table");
	CHECK_EQ(count_str(g_dsl, "ACPI Table Address"), 3);
}
