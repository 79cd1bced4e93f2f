/* Intel MP table (src/fw/mptable.c), decoded byte by byte. */
#include "dev/ioapic.h"
#include "dev/lapic.h"
#include "fw/acpi_hw.h"
#include "fw/mptable.h"
#include "test.h"
#include "vm/irqchip.h"

#define MP_GPA 0xf0000ULL

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p) { return rd16(p) | (uint32_t)rd16(p + 2) << 16; }

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n-- > 0)
		s = (uint8_t)(s + *p++);
	return s;
}

static struct fw_desc smp(unsigned ncpus)
{
	return (struct fw_desc){ .ncpus = ncpus, .lapic = true, .hpet = true, .pm_timer = true,
				 .rtc = true, .pit = true };
}

TEST(mptable_floating_pointer_and_header, "REQ-MPT-001")
{
	static uint8_t buf[MPTABLE_BUILD_MAX];
	const struct fw_desc d = smp(2);
	size_t used = 0;
	uint64_t fp = 0;
	char err[128];
	const uint8_t *t;

	memset(buf, 0xaa, sizeof(buf));
	CHECK_EQ(mptable_build(&d, MP_GPA, buf, sizeof(buf), &used, &fp, err, sizeof(err)), 0);
	CHECK_EQ(fp, MP_GPA);
	CHECK(memcmp(buf, "_MP_", 4) == 0);
	CHECK_EQ(buf[8], 1);                            /* 16 bytes */
	CHECK_EQ(buf[9], 4);                            /* spec 1.4 */
	CHECK_EQ(sum(buf, 16), 0);
	CHECK_EQ(buf[11], 0);                           /* config table present */
	CHECK_EQ(buf[12] & 0x80, 0);                    /* virtual wire, no IMCR */
	CHECK_EQ(buf[13] | buf[14] | buf[15], 0);
	CHECK_EQ(rd32(buf + 4), MP_GPA + 16);
	t = buf + 16;
	CHECK(memcmp(t, "PCMP", 4) == 0);
	CHECK_EQ(t[6], 4);
	CHECK_EQ(16 + rd16(t + 4), used);
	CHECK_EQ(sum(t, rd16(t + 4)), 0);
	CHECK(memcmp(t + 8, "KEEL    ", 8) == 0);
	CHECK_EQ(rd32(t + 28), 0);                      /* no OEM table */
	CHECK_EQ(rd32(t + 36), LAPIC_DEFAULT_BASE);
	CHECK_EQ(rd16(t + 40), 0);                      /* no extended table */
	CHECK_EQ(t[42], 0);
}

/* Walks the entries; checks each and their order (by type). */
static void check_entries(unsigned ncpus)
{
	static uint8_t buf[MPTABLE_BUILD_MAX];
	static struct irqchip ic;
	const struct irqchip_ops ops = { 0 };
	const struct fw_desc d = smp(ncpus);
	size_t used;
	uint64_t fp;
	char err[128];
	const uint8_t *t, *p, *end;
	unsigned n[5] = { 0 }, last = 0, cpu = 0, irqs = 0, count;

	CHECK_EQ(mptable_build(&d, MP_GPA, buf, sizeof(buf), &used, &fp, err, sizeof(err)), 0);
	CHECK(used <= MPTABLE_BUILD_MAX);
	irqchip_init(&ic, ncpus, true, 1000000, 0, &ops);
	t = buf + 16;
	CHECK_EQ(sum(t, rd16(t + 4)), 0);
	end = t + rd16(t + 4);
	count = rd16(t + 34);
	for (p = t + 44; p < end; p += p[0] == 0 ? 20 : 8, count--) {
		CHECK(p[0] <= 4);
		CHECK(p[0] >= last);                    /* ordered by type */
		last = p[0];
		n[p[0]]++;
		switch (p[0]) {
		case 0:
			CHECK_EQ(p[1], cpu);
			CHECK_EQ(p[2], 0x14);
			CHECK_EQ(p[3], cpu == 0 ? 3 : 1);       /* enabled, BSP on CPU 0 */
			CHECK_EQ((rd32(p + 4) >> 8) & 0xf, 6);  /* family */
			CHECK(rd32(p + 8) & (1u << 9));         /* APIC */
			cpu++;
			break;
		case 1:
			CHECK_EQ(p[1], 0);
			CHECK(memcmp(p + 2, "ISA   ", 6) == 0);
			break;
		case 2:
			CHECK_EQ(p[1], ic.ioapic.id);
			CHECK_EQ(p[2], IOAPIC_VERSION);
			CHECK_EQ(p[3], 1);
			CHECK_EQ(rd32(p + 4), IOAPIC_BASE);
			break;
		case 3:
			CHECK_EQ(p[1], 0);                      /* INT: no ExtINT pin */
			CHECK_EQ(p[4], 0);
			CHECK(p[5] < 16 && p[5] != 2);
			irqs |= 1u << p[5];
			CHECK_EQ(p[6], ic.ioapic.id);
			CHECK_EQ(p[7], p[5] == 0 ? 2 : p[5]);
			CHECK_EQ(rd16(p + 2), p[5] == ACPI_SCI_IRQ ? 0x0d : 0);
			break;
		case 4:
			CHECK_EQ(p[1], n[4] == 1 ? 3 : 1);      /* ExtINT, then NMI */
			CHECK_EQ(p[6], 0xff);
			CHECK_EQ(p[7], n[4] - 1);               /* LINT0, LINT1 */
			break;
		}
	}
	CHECK(p == end);
	CHECK_EQ(count, 0);
	CHECK_EQ(n[0], ncpus);
	CHECK_EQ(n[1], 1);
	CHECK_EQ(n[2], 1);
	CHECK_EQ(irqs, 0xfffb);
	CHECK_EQ(n[4], 2);
}

TEST(mptable_entries_1_2_8_64_cpus, "REQ-MPT-002")
{
	const unsigned counts[] = { 1, 2, 8, 15, 16, 64 };

	for (unsigned i = 0; i < sizeof(counts) / sizeof(counts[0]) && !test_failed(); i++)
		check_entries(counts[i]);
}

TEST(mptable_errors, "REQ-MPT-003")
{
	static uint8_t buf[MPTABLE_BUILD_MAX];
	struct fw_desc d = smp(64);
	size_t used = 0, need;
	uint64_t fp;
	char err[128] = "";

	CHECK_EQ(mptable_build(&d, MP_GPA, buf, sizeof(buf), &used, &fp, err, sizeof(err)), 0);
	need = used;
	CHECK_EQ(mptable_build(&d, MP_GPA, buf, need, &used, &fp, err, sizeof(err)), 0);
	memset(buf, 0x5a, sizeof(buf));
	CHECK_EQ(mptable_build(&d, MP_GPA, buf, need - 1, &used, &fp, err, sizeof(err)), -1);
	CHECK_STR_CONTAINS(err, "needs");
	CHECK_EQ(buf[0], 0x5a);
	d = smp(1);
	d.lapic = false;
	CHECK_EQ(mptable_build(&d, MP_GPA, buf, sizeof(buf), &used, &fp, err, sizeof(err)), -1);
	CHECK_STR_CONTAINS(err, "no APIC, no MP table");
	CHECK_EQ(buf[0], 0x5a);
	d = smp(0);
	CHECK_EQ(mptable_build(&d, MP_GPA, buf, sizeof(buf), &used, &fp, err, sizeof(err)), -1);
	d = smp(65);
	CHECK_EQ(mptable_build(&d, MP_GPA, buf, sizeof(buf), &used, &fp, err, sizeof(err)), -1);
	d = smp(1);
	CHECK_EQ(mptable_build(&d, MP_GPA + 4, buf, sizeof(buf), &used, &fp, err, sizeof(err)), -1);
	CHECK_STR_CONTAINS(err, "aligned");
	CHECK_EQ(mptable_build(&d, 0xfffffff0ULL, buf, sizeof(buf), &used, &fp, err, sizeof(err)),
		 -1);
	CHECK_STR_CONTAINS(err, "4 GiB");
	CHECK_EQ(mptable_build(NULL, MP_GPA, buf, sizeof(buf), &used, &fp, err, sizeof(err)), -1);
}
