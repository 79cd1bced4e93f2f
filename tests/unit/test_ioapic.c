/* Unit tests for the I/O APIC model (docs/requirements/ioapic.md). */
#include "test.h"

#include "dev/ioapic.h"

#define MAX_MSGS 64

/* Host-side recorder for the deliver callback. */
struct host {
	struct apic_msg msg[MAX_MSGS];
	unsigned n;
	struct ioapic io;
};

static void host_deliver(void *opaque, const struct apic_msg *m)
{
	struct host *h = opaque;

	if (h->n < MAX_MSGS)
		h->msg[h->n] = *m;
	h->n++;
}

static void host_init(struct host *h, uint8_t id)
{
	memset(h, 0, sizeof(*h));
	ioapic_init(&h->io, id, host_deliver, h);
}

static uint32_t rd(struct ioapic *io, uint32_t reg)
{
	ioapic_mmio_write(io, IOAPIC_REGSEL, reg);
	return ioapic_mmio_read(io, IOAPIC_WIN);
}

static void wr(struct ioapic *io, uint32_t reg, uint32_t value)
{
	ioapic_mmio_write(io, IOAPIC_REGSEL, reg);
	ioapic_mmio_write(io, IOAPIC_WIN, value);
}

/* High half first, so the low write (which may unmask) sees the final
 * destination, as guests do it. */
static void set_rte(struct ioapic *io, unsigned pin, uint64_t rte)
{
	wr(io, IOAPIC_REG_REDIR + 2 * pin + 1, (uint32_t)(rte >> 32));
	wr(io, IOAPIC_REG_REDIR + 2 * pin, (uint32_t)rte);
}

static bool same_state(const struct ioapic *a, const struct ioapic *b)
{
	if (a->id != b->id || a->reset_id != b->reset_id || a->ioregsel != b->ioregsel ||
	    a->pin_level != b->pin_level || a->deliver != b->deliver || a->opaque != b->opaque)
		return false;
	for (unsigned i = 0; i < IOAPIC_PINS; i++)
		if (a->redir[i] != b->redir[i])
			return false;
	return true;
}

#define RTE(vec, mode) ((uint64_t)(vec) | ((uint64_t)(mode) << IOAPIC_RTE_DM_SHIFT))
#define LEVEL          IOAPIC_RTE_LEVEL
#define LOW            IOAPIC_RTE_POLARITY
#define MASKED         IOAPIC_RTE_MASK
#define RIRR           IOAPIC_RTE_REMOTE_IRR
#define DEST(d)        ((uint64_t)(d) << IOAPIC_RTE_DEST_SHIFT)

TEST(ioapic_mmio_decode, "REQ-IOAPIC-001")
{
	static const uint64_t other[] = {
		0x01, 0x02, 0x03, 0x04, 0x08, 0x0c, 0x0f, 0x11, 0x14, 0x18, 0x1c, 0x20,
		0x30, 0x3c, 0x3f, 0x41, 0x44, 0x50, 0x800, 0xffc, 0xfff, 0x1000,
		0x100000000ULL, UINT64_MAX,
	};
	struct host h;
	struct ioapic *io = &h.io;
	struct ioapic before;

	host_init(&h, 3);
	/* IOREGSEL keeps bits 7:0 only. */
	ioapic_mmio_write(io, IOAPIC_REGSEL, 0xabcdef01);
	CHECK_EQ(ioapic_mmio_read(io, IOAPIC_REGSEL), 0x01);
	CHECK_EQ(ioapic_mmio_read(io, IOAPIC_WIN), 0x00170020);
	ioapic_mmio_write(io, IOAPIC_REGSEL, 0xff);
	CHECK_EQ(ioapic_mmio_read(io, IOAPIC_REGSEL), 0xff);
	/* IOWIN follows IOREGSEL for reads and writes. */
	ioapic_mmio_write(io, IOAPIC_REGSEL, IOAPIC_REG_REDIR + 1);
	ioapic_mmio_write(io, IOAPIC_WIN, 0x12000000);
	CHECK_EQ(ioapic_mmio_read(io, IOAPIC_WIN), 0x12000000);
	CHECK_EQ(ioapic_entry(io, 0), DEST(0x12) | MASKED);
	/* The EOI register is write-only. */
	CHECK_EQ(ioapic_mmio_read(io, IOAPIC_EOI), 0);

	/* Make some state non-trivial, then poke every other offset. */
	set_rte(io, 5, RTE(0x40, APIC_DM_FIXED) | LEVEL);
	ioapic_set_irq(io, 5, true);
	CHECK_EQ(h.n, 1);
	ioapic_mmio_write(io, IOAPIC_REGSEL, IOAPIC_REG_REDIR + 10);
	before = *io;
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		CHECK_EQ(ioapic_mmio_read(io, other[i]), 0);
		ioapic_mmio_write(io, other[i], 0xffffffff);
		ioapic_mmio_write(io, other[i], 0);
		ioapic_mmio_write(io, other[i], 0x40);
		CHECK(same_state(io, &before));
		CHECK_EQ(h.n, 1);
	}
}

TEST(ioapic_id_register, "REQ-IOAPIC-002")
{
	struct host h;
	struct ioapic *io = &h.io;

	host_init(&h, 0xf5); /* only 4 bits fit */
	CHECK_EQ(rd(io, IOAPIC_REG_ID), 0x05000000);
	wr(io, IOAPIC_REG_ID, 0xffffffff);
	CHECK_EQ(rd(io, IOAPIC_REG_ID), 0x0f000000);
	wr(io, IOAPIC_REG_ID, 0x0a000000);
	CHECK_EQ(rd(io, IOAPIC_REG_ID), 0x0a000000);
	wr(io, IOAPIC_REG_ID, 0xf0ffffff);
	CHECK_EQ(rd(io, IOAPIC_REG_ID), 0);
	CHECK_EQ(h.n, 0);

	host_init(&h, 0);
	CHECK_EQ(rd(io, IOAPIC_REG_ID), 0);
}

TEST(ioapic_version_register, "REQ-IOAPIC-003")
{
	struct host h;
	struct ioapic *io = &h.io;
	struct ioapic before;

	host_init(&h, 1);
	CHECK_EQ(rd(io, IOAPIC_REG_VER), 0x00170020);
	CHECK_EQ((rd(io, IOAPIC_REG_VER) >> 16) & 0xff, IOAPIC_PINS - 1);
	CHECK_EQ(rd(io, IOAPIC_REG_VER) & 0xff, IOAPIC_VERSION);
	before = *io;
	wr(io, IOAPIC_REG_VER, 0);
	wr(io, IOAPIC_REG_VER, 0xffffffff);
	CHECK(same_state(io, &before));
	CHECK_EQ(rd(io, IOAPIC_REG_VER), 0x00170020);
}

TEST(ioapic_arbitration_register, "REQ-IOAPIC-004")
{
	struct host h;
	struct ioapic *io = &h.io;

	host_init(&h, 7);
	CHECK_EQ(rd(io, IOAPIC_REG_ARB), 0x07000000);
	wr(io, IOAPIC_REG_ARB, 0x0c000000);
	CHECK_EQ(rd(io, IOAPIC_REG_ARB), 0x07000000);
	CHECK_EQ(rd(io, IOAPIC_REG_ID), 0x07000000);
	wr(io, IOAPIC_REG_ID, 0x0c000000);
	CHECK_EQ(rd(io, IOAPIC_REG_ARB), 0x0c000000);
	wr(io, IOAPIC_REG_ARB, 0xffffffff);
	CHECK_EQ(rd(io, IOAPIC_REG_ARB), 0x0c000000);
	CHECK_EQ(h.n, 0);
}

TEST(ioapic_unknown_registers, "REQ-IOAPIC-005")
{
	struct host h;
	struct ioapic *io = &h.io;
	struct ioapic before;

	host_init(&h, 2);
	for (unsigned i = 0; i < IOAPIC_PINS; i++)
		set_rte(io, i, RTE(0x20 + i, APIC_DM_FIXED) | LEVEL);
	for (unsigned i = 0; i < IOAPIC_PINS; i++)
		ioapic_set_irq(io, i, true);
	CHECK_EQ(h.n, IOAPIC_PINS);
	for (unsigned reg = 0x03; reg <= 0xff; reg++) {
		if (reg >= IOAPIC_REG_REDIR && reg < IOAPIC_REG_REDIR_END)
			continue;
		ioapic_mmio_write(io, IOAPIC_REGSEL, reg);
		before = *io;
		CHECK_EQ(ioapic_mmio_read(io, IOAPIC_WIN), 0);
		ioapic_mmio_write(io, IOAPIC_WIN, 0xffffffff);
		ioapic_mmio_write(io, IOAPIC_WIN, 0);
		CHECK(same_state(io, &before));
		CHECK_EQ(ioapic_mmio_read(io, IOAPIC_WIN), 0);
	}
	CHECK_EQ(h.n, IOAPIC_PINS);
}

TEST(ioapic_redirection_layout, "REQ-IOAPIC-006")
{
	struct host h;
	struct ioapic *io = &h.io;

	host_init(&h, 0);
	/* Each entry at its own pair of indices, nothing shared. */
	for (unsigned i = 0; i < IOAPIC_PINS; i++) {
		wr(io, IOAPIC_REG_REDIR + 2 * i, MASKED | (0x30 + i));
		wr(io, IOAPIC_REG_REDIR + 2 * i + 1, (0x80u + i) << 24);
	}
	for (unsigned i = 0; i < IOAPIC_PINS; i++) {
		CHECK_EQ(rd(io, IOAPIC_REG_REDIR + 2 * i), MASKED | (0x30 + i));
		CHECK_EQ(rd(io, IOAPIC_REG_REDIR + 2 * i + 1), (0x80u + i) << 24);
		CHECK_EQ(ioapic_entry(io, i), DEST(0x80 + i) | MASKED | (0x30 + i));
	}
	/* All writable bits at once (masked, so nothing is sent). */
	wr(io, IOAPIC_REG_REDIR + 2 * 9, 0xffffffff);
	wr(io, IOAPIC_REG_REDIR + 2 * 9 + 1, 0xffffffff);
	CHECK_EQ(rd(io, IOAPIC_REG_REDIR + 2 * 9), 0x0001afff);
	CHECK_EQ(rd(io, IOAPIC_REG_REDIR + 2 * 9 + 1), 0xff000000);
	/* Every delivery mode value is stored. */
	for (unsigned mode = 0; mode < 8; mode++) {
		wr(io, IOAPIC_REG_REDIR + 2 * 4, MASKED | RTE(0x55, mode));
		CHECK_EQ((rd(io, IOAPIC_REG_REDIR + 2 * 4) >> 8) & 7, mode);
	}
	/* Each field on its own. */
	wr(io, IOAPIC_REG_REDIR + 2 * 4, MASKED | IOAPIC_RTE_DESTMODE);
	CHECK_EQ(ioapic_entry(io, 4) & 0xffffffff, MASKED | IOAPIC_RTE_DESTMODE);
	wr(io, IOAPIC_REG_REDIR + 2 * 4, MASKED | LOW);
	CHECK_EQ(ioapic_entry(io, 4) & 0xffffffff, MASKED | LOW);
	wr(io, IOAPIC_REG_REDIR + 2 * 4, MASKED | LEVEL);
	CHECK_EQ(ioapic_entry(io, 4) & 0xffffffff, MASKED | LEVEL);
	wr(io, IOAPIC_REG_REDIR + 2 * 4, 0x10);
	CHECK_EQ(ioapic_entry(io, 4) & 0xffffffff, 0x10);
	/* A write to one half keeps the other. */
	CHECK_EQ(ioapic_entry(io, 4) >> 32, 0x84000000);
	wr(io, IOAPIC_REG_REDIR + 2 * 4 + 1, 0x01000000);
	CHECK_EQ(ioapic_entry(io, 4), DEST(0x01) | 0x10);
	CHECK_EQ(h.n, 0);
}

TEST(ioapic_readonly_reserved_bits, "REQ-IOAPIC-007")
{
	struct host h;
	struct ioapic *io = &h.io;

	host_init(&h, 0);
	/* Delivery status, Remote IRR and bits 31:17 cannot be set. */
	wr(io, IOAPIC_REG_REDIR + 2 * 2, 0xfffe5000 | MASKED);
	CHECK_EQ(rd(io, IOAPIC_REG_REDIR + 2 * 2), MASKED);
	/* Bits 55:32 cannot be set. */
	wr(io, IOAPIC_REG_REDIR + 2 * 2 + 1, 0x00ffffff);
	CHECK_EQ(rd(io, IOAPIC_REG_REDIR + 2 * 2 + 1), 0);
	CHECK_EQ(ioapic_entry(io, 2), MASKED);

	/* Remote IRR, once set, cannot be cleared by a write either. */
	set_rte(io, 2, RTE(0x41, APIC_DM_FIXED) | LEVEL);
	ioapic_set_irq(io, 2, true);
	CHECK_EQ(h.n, 1);
	CHECK(ioapic_entry(io, 2) & RIRR);
	wr(io, IOAPIC_REG_REDIR + 2 * 2, RTE(0x41, APIC_DM_FIXED) | LEVEL);
	CHECK(ioapic_entry(io, 2) & RIRR);
	/* Delivery status reads 0 even right after a delivery. */
	CHECK_EQ(ioapic_entry(io, 2) & IOAPIC_RTE_DELIVS, 0);
	CHECK_EQ(rd(io, IOAPIC_REG_REDIR + 2 * 2), RTE(0x41, APIC_DM_FIXED) | LEVEL | RIRR);
	CHECK_EQ(h.n, 1);
}

TEST(ioapic_reset_values, "REQ-IOAPIC-008")
{
	struct host h;
	struct ioapic *io = &h.io;

	host_init(&h, 0x9);
	CHECK_EQ(io->pin_level, 0);
	for (unsigned i = 0; i < IOAPIC_PINS; i++)
		CHECK_EQ(ioapic_entry(io, i), 0x10000);
	CHECK_EQ(ioapic_mmio_read(io, IOAPIC_REGSEL), 0);
	CHECK_EQ(rd(io, IOAPIC_REG_ID), 0x09000000);

	/* Dirty everything, then reset. */
	ioapic_set_irq(io, 3, true);   /* inactive: active low */
	for (unsigned i = 0; i < IOAPIC_PINS; i++)
		set_rte(io, i, DEST(0xff) | RTE(0x50 + i, APIC_DM_LOWEST) | LEVEL | LOW);
	CHECK_EQ(h.n, IOAPIC_PINS - 1); /* the others are active (low) */
	CHECK_EQ(ioapic_entry(io, 3) & RIRR, 0);
	CHECK(ioapic_entry(io, 0) & RIRR);
	wr(io, IOAPIC_REG_ID, 0x03000000);
	ioapic_mmio_write(io, IOAPIC_REGSEL, 0x77);
	ioapic_reset(io);
	for (unsigned i = 0; i < IOAPIC_PINS; i++)
		CHECK_EQ(ioapic_entry(io, i), 0x10000);
	CHECK_EQ(ioapic_mmio_read(io, IOAPIC_REGSEL), 0);
	CHECK_EQ(rd(io, IOAPIC_REG_ID), 0x09000000);
	CHECK_EQ(io->pin_level, 1u << 3); /* inputs kept */
	CHECK_EQ(h.n, IOAPIC_PINS - 1);   /* reset sends nothing */
	/* The kept level counts: raising it again is no edge. */
	set_rte(io, 3, RTE(0x33, APIC_DM_FIXED));
	ioapic_set_irq(io, 3, true);
	CHECK_EQ(h.n, IOAPIC_PINS - 1);

	/* init starts every input low again. */
	io->pin_level = 0xffffff;
	ioapic_init(io, 2, host_deliver, &h);
	CHECK_EQ(io->pin_level, 0);
}

TEST(ioapic_input_polarity, "REQ-IOAPIC-009")
{
	static const unsigned bad[] = { IOAPIC_PINS, 31, 32, 33, 64, 1000, UINT32_MAX };
	struct host h;
	struct ioapic *io = &h.io;
	struct ioapic before;

	host_init(&h, 0);
	/* Active high, edge: rising wire is the edge. */
	set_rte(io, 1, RTE(0x31, APIC_DM_FIXED));
	ioapic_set_irq(io, 1, true);
	CHECK_EQ(h.n, 1);
	ioapic_set_irq(io, 1, false);
	CHECK_EQ(h.n, 1);
	/* Active low, edge: falling wire is the edge. */
	set_rte(io, 6, RTE(0x36, APIC_DM_FIXED) | LOW);
	ioapic_set_irq(io, 6, true);
	CHECK_EQ(h.n, 1);
	ioapic_set_irq(io, 6, false);
	CHECK_EQ(h.n, 2);
	CHECK_EQ(h.msg[1].vector, 0x36);
	/* Active low, level: a low wire is active at once. */
	set_rte(io, 7, RTE(0x37, APIC_DM_FIXED) | LEVEL | LOW);
	CHECK_EQ(h.n, 3);
	CHECK_EQ(h.msg[2].vector, 0x37);
	/* Active high, level with a high wire. */
	ioapic_set_irq(io, 8, true);
	set_rte(io, 8, RTE(0x38, APIC_DM_FIXED) | LEVEL);
	CHECK_EQ(h.n, 4);
	CHECK_EQ(io->pin_level, 1u << 8);

	/* Pins out of range change nothing. */
	for (unsigned i = 0; i < IOAPIC_PINS; i++)
		set_rte(io, i, RTE(0x40, APIC_DM_FIXED));
	before = *io;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ioapic_set_irq(io, bad[i], true);
		ioapic_set_irq(io, bad[i], false);
		ioapic_set_irq(io, bad[i], true);
	}
	CHECK(same_state(io, &before));
	CHECK_EQ(h.n, 4);
}

TEST(ioapic_edge_trigger, "REQ-IOAPIC-010")
{
	static const unsigned edge_modes[] = { APIC_DM_SMI, APIC_DM_NMI, APIC_DM_INIT,
					       APIC_DM_EXTINT };
	struct host h;
	struct ioapic *io = &h.io;

	host_init(&h, 0);
	set_rte(io, 4, DEST(1) | RTE(0x44, APIC_DM_FIXED));
	ioapic_set_irq(io, 4, false); /* low -> low */
	CHECK_EQ(h.n, 0);
	ioapic_set_irq(io, 4, true);  /* rising: one message */
	CHECK_EQ(h.n, 1);
	ioapic_set_irq(io, 4, true);  /* high -> high */
	CHECK_EQ(h.n, 1);
	ioapic_set_irq(io, 4, false); /* falling */
	CHECK_EQ(h.n, 1);
	ioapic_set_irq(io, 4, true);
	CHECK_EQ(h.n, 2);
	CHECK_EQ(ioapic_entry(io, 4) & RIRR, 0);
	CHECK(!h.msg[1].level);

	/* Masked: the edge is lost, unmasking sends nothing. */
	ioapic_set_irq(io, 4, false);
	set_rte(io, 4, DEST(1) | RTE(0x44, APIC_DM_FIXED) | MASKED);
	ioapic_set_irq(io, 4, true);
	CHECK_EQ(h.n, 2);
	set_rte(io, 4, DEST(1) | RTE(0x44, APIC_DM_FIXED));
	CHECK_EQ(h.n, 2);
	ioapic_set_irq(io, 4, false);
	ioapic_set_irq(io, 4, true);
	CHECK_EQ(h.n, 3);
	/* EOI of an edge vector does nothing. */
	ioapic_eoi(io, 0x44);
	CHECK_EQ(h.n, 3);

	/* SMI, NMI, INIT, ExtINT: edge even with the level bit set. */
	for (size_t i = 0; i < sizeof(edge_modes) / sizeof(edge_modes[0]); i++) {
		unsigned n0 = h.n;

		ioapic_set_irq(io, 10, false);
		set_rte(io, 10, RTE(0, edge_modes[i]) | LEVEL);
		CHECK_EQ(h.n, n0);
		ioapic_set_irq(io, 10, true);
		CHECK_EQ(h.n, n0 + 1);
		CHECK_EQ(h.msg[n0].delivery, edge_modes[i]);
		CHECK(!h.msg[n0].level);
		CHECK_EQ(ioapic_entry(io, 10) & RIRR, 0);
		ioapic_set_irq(io, 10, true);
		set_rte(io, 10, RTE(0, edge_modes[i]) | LEVEL); /* no re-evaluation */
		CHECK_EQ(h.n, n0 + 1);
	}
}

TEST(ioapic_level_trigger, "REQ-IOAPIC-011")
{
	struct host h;
	struct ioapic *io = &h.io;

	host_init(&h, 0);
	set_rte(io, 9, DEST(2) | RTE(0x59, APIC_DM_FIXED) | LEVEL);
	CHECK_EQ(h.n, 0);
	ioapic_set_irq(io, 9, true);
	CHECK_EQ(h.n, 1);
	CHECK(h.msg[0].level);
	CHECK(ioapic_entry(io, 9) & RIRR);
	/* Remote IRR set: nothing more, whatever the input or entry writes. */
	ioapic_set_irq(io, 9, true);
	ioapic_set_irq(io, 9, false);
	ioapic_set_irq(io, 9, true);
	set_rte(io, 9, DEST(2) | RTE(0x59, APIC_DM_FIXED) | LEVEL);
	CHECK_EQ(h.n, 1);
	/* EOI with the input still active sends again. */
	ioapic_eoi(io, 0x59);
	CHECK_EQ(h.n, 2);
	CHECK(ioapic_entry(io, 9) & RIRR);
	/* Input gone: EOI clears Remote IRR and sends nothing. */
	ioapic_set_irq(io, 9, false);
	ioapic_eoi(io, 0x59);
	CHECK_EQ(h.n, 2);
	CHECK_EQ(ioapic_entry(io, 9) & RIRR, 0);

	/* Masked while active: nothing; unmasking sends. */
	set_rte(io, 9, DEST(2) | RTE(0x59, APIC_DM_FIXED) | LEVEL | MASKED);
	ioapic_set_irq(io, 9, true);
	CHECK_EQ(h.n, 2);
	CHECK_EQ(ioapic_entry(io, 9) & RIRR, 0);
	set_rte(io, 9, DEST(2) | RTE(0x59, APIC_DM_FIXED) | LEVEL);
	CHECK_EQ(h.n, 3);
	CHECK(ioapic_entry(io, 9) & RIRR);
	/* Masked with Remote IRR set: EOI clears it, nothing sent. */
	set_rte(io, 9, DEST(2) | RTE(0x59, APIC_DM_FIXED) | LEVEL | MASKED);
	ioapic_eoi(io, 0x59);
	CHECK_EQ(h.n, 3);
	CHECK_EQ(ioapic_entry(io, 9) & RIRR, 0);

	/* A polarity write that makes the input active sends. */
	ioapic_set_irq(io, 9, false);
	set_rte(io, 9, RTE(0x59, APIC_DM_LOWEST) | LEVEL);
	CHECK_EQ(h.n, 3);
	set_rte(io, 9, RTE(0x59, APIC_DM_LOWEST) | LEVEL | LOW);
	CHECK_EQ(h.n, 4);
	CHECK_EQ(h.msg[3].delivery, APIC_DM_LOWEST);
	CHECK(h.msg[3].level);

	/* Edge -> level while the input is active sends. */
	ioapic_set_irq(io, 11, true);
	set_rte(io, 11, RTE(0x5b, APIC_DM_FIXED));
	CHECK_EQ(h.n, 4);
	set_rte(io, 11, RTE(0x5b, APIC_DM_FIXED) | LEVEL);
	CHECK_EQ(h.n, 5);
	CHECK_EQ(h.msg[4].vector, 0x5b);
}

TEST(ioapic_eoi, "REQ-IOAPIC-012")
{
	struct host h;
	struct ioapic *io = &h.io;

	host_init(&h, 0);
	/* Two level entries share vector 0x60, a third has 0x61. */
	set_rte(io, 0, RTE(0x60, APIC_DM_FIXED) | LEVEL);
	set_rte(io, 16, RTE(0x60, APIC_DM_FIXED) | LEVEL);
	set_rte(io, 23, RTE(0x61, APIC_DM_FIXED) | LEVEL);
	ioapic_set_irq(io, 0, true);
	ioapic_set_irq(io, 16, true);
	ioapic_set_irq(io, 23, true);
	CHECK_EQ(h.n, 3);
	ioapic_set_irq(io, 16, false);
	/* An unrelated vector changes nothing. */
	ioapic_eoi(io, 0x62);
	CHECK_EQ(h.n, 3);
	for (unsigned i = 0; i < 3; i++)
		CHECK(ioapic_entry(io, i == 0 ? 0 : i == 1 ? 16 : 23) & RIRR);
	/* 0x60: pin 0 (still active) re-sent, pin 16 cleared, pin 23 kept. */
	ioapic_eoi(io, 0x60);
	CHECK_EQ(h.n, 4);
	CHECK_EQ(h.msg[3].vector, 0x60);
	CHECK(ioapic_entry(io, 0) & RIRR);
	CHECK_EQ(ioapic_entry(io, 16) & RIRR, 0);
	CHECK(ioapic_entry(io, 23) & RIRR);

	/* The EOI register does the same with bits 7:0 of the value. */
	ioapic_set_irq(io, 23, false);
	ioapic_mmio_write(io, IOAPIC_EOI, 0xffffff61);
	CHECK_EQ(h.n, 4);
	CHECK_EQ(ioapic_entry(io, 23) & RIRR, 0);
	ioapic_mmio_write(io, IOAPIC_EOI, 0x60);
	CHECK_EQ(h.n, 5);
	CHECK(ioapic_entry(io, 0) & RIRR);
	/* Remote IRR already clear: an EOI sends nothing (pin 16 not active,
	 * and an active level entry without Remote IRR cannot exist here). */
	ioapic_eoi(io, 0x61);
	CHECK_EQ(h.n, 5);
}

TEST(ioapic_edge_clears_remote_irr, "REQ-IOAPIC-013")
{
	struct host h;
	struct ioapic *io = &h.io;

	host_init(&h, 0);
	set_rte(io, 12, DEST(3) | RTE(0x70, APIC_DM_FIXED) | LEVEL);
	ioapic_set_irq(io, 12, true);
	CHECK_EQ(h.n, 1);
	CHECK(ioapic_entry(io, 12) & RIRR);
	/* Writing the high half is not a trigger-mode write. */
	wr(io, IOAPIC_REG_REDIR + 2 * 12 + 1, 0x04000000);
	CHECK(ioapic_entry(io, 12) & RIRR);
	/* Mask + edge clears it; restoring level with the input active sends. */
	wr(io, IOAPIC_REG_REDIR + 2 * 12, RTE(0x70, APIC_DM_FIXED) | MASKED);
	CHECK_EQ(ioapic_entry(io, 12) & RIRR, 0);
	CHECK_EQ(h.n, 1);
	wr(io, IOAPIC_REG_REDIR + 2 * 12, RTE(0x70, APIC_DM_FIXED) | LEVEL);
	CHECK_EQ(h.n, 2);
	CHECK(ioapic_entry(io, 12) & RIRR);
	/* Unmasked edge write clears it too and sends nothing (no edge). */
	wr(io, IOAPIC_REG_REDIR + 2 * 12, RTE(0x70, APIC_DM_FIXED));
	CHECK_EQ(ioapic_entry(io, 12) & RIRR, 0);
	CHECK_EQ(h.n, 2);
	/* Level bit kept but mode changed to NMI: Remote IRR stays set. */
	wr(io, IOAPIC_REG_REDIR + 2 * 12, RTE(0x70, APIC_DM_FIXED) | LEVEL);
	CHECK_EQ(h.n, 3);
	wr(io, IOAPIC_REG_REDIR + 2 * 12, RTE(0x70, APIC_DM_NMI) | LEVEL);
	CHECK(ioapic_entry(io, 12) & RIRR);
	CHECK_EQ(h.n, 3);
}

TEST(ioapic_message_content, "REQ-IOAPIC-014")
{
	struct host h;
	struct ioapic *io = &h.io;
	struct ioapic bare;

	host_init(&h, 0);
	set_rte(io, 3, DEST(0xa5) | RTE(0xfe, APIC_DM_LOWEST) | IOAPIC_RTE_DESTMODE | LEVEL);
	ioapic_set_irq(io, 3, true);
	CHECK_EQ(h.n, 1);
	CHECK_EQ(h.msg[0].vector, 0xfe);
	CHECK_EQ(h.msg[0].delivery, APIC_DM_LOWEST);
	CHECK(h.msg[0].logical);
	CHECK_EQ(h.msg[0].dest, 0xa5);
	CHECK(h.msg[0].level);

	set_rte(io, 20, DEST(0xff) | RTE(0x10, APIC_DM_FIXED) | LOW);
	ioapic_set_irq(io, 20, true);
	ioapic_set_irq(io, 20, false);
	CHECK_EQ(h.n, 2);
	CHECK_EQ(h.msg[1].vector, 0x10);
	CHECK_EQ(h.msg[1].delivery, APIC_DM_FIXED);
	CHECK(!h.msg[1].logical);
	CHECK_EQ(h.msg[1].dest, 0xff);
	CHECK(!h.msg[1].level);

	set_rte(io, 21, DEST(0) | RTE(0x99, APIC_DM_EXTINT) | IOAPIC_RTE_DESTMODE);
	ioapic_set_irq(io, 21, true);
	CHECK_EQ(h.n, 3);
	CHECK_EQ(h.msg[2].vector, 0x99);
	CHECK_EQ(h.msg[2].delivery, APIC_DM_EXTINT);
	CHECK(h.msg[2].logical);
	CHECK_EQ(h.msg[2].dest, 0);
	CHECK(!h.msg[2].level);

	/* NULL callback: state moves on as if the message had been sent. */
	ioapic_init(&bare, 0, NULL, NULL);
	set_rte(&bare, 5, RTE(0x45, APIC_DM_FIXED) | LEVEL);
	ioapic_set_irq(&bare, 5, true);
	CHECK(ioapic_entry(&bare, 5) & RIRR);
	ioapic_eoi(&bare, 0x45);
	CHECK(ioapic_entry(&bare, 5) & RIRR);
	set_rte(&bare, 6, RTE(0x46, APIC_DM_FIXED));
	ioapic_set_irq(&bare, 6, true);
	CHECK_EQ(h.n, 3);
}

TEST(ioapic_illegal_and_reserved, "REQ-IOAPIC-015")
{
	struct host h;
	struct ioapic *io = &h.io;

	host_init(&h, 0);
	/* Fixed / lowest with vectors 0x00-0x0f: dropped, no Remote IRR. */
	for (unsigned v = 0; v < 0x10; v++) {
		set_rte(io, 1, RTE(v, APIC_DM_FIXED) | LEVEL);
		ioapic_set_irq(io, 1, true);
		CHECK_EQ(ioapic_entry(io, 1) & RIRR, 0);
		set_rte(io, 2, RTE(v, APIC_DM_LOWEST));
		ioapic_set_irq(io, 2, true);
		ioapic_set_irq(io, 2, false);
		CHECK_EQ(h.n, 0);
	}
	/* Once valid, the still-active level entry sends on the write. */
	set_rte(io, 1, RTE(0x10, APIC_DM_FIXED) | LEVEL);
	CHECK_EQ(h.n, 1);
	CHECK(ioapic_entry(io, 1) & RIRR);

	/* Reserved modes 3 and 6: dropped, edge or level. */
	set_rte(io, 3, RTE(0x80, 3) | LEVEL);
	set_rte(io, 4, RTE(0x80, APIC_DM_SIPI) | LEVEL);
	set_rte(io, 5, RTE(0x80, 3));
	set_rte(io, 6, RTE(0x80, APIC_DM_SIPI));
	for (unsigned p = 3; p <= 6; p++) {
		ioapic_set_irq(io, p, true);
		ioapic_set_irq(io, p, false);
		ioapic_set_irq(io, p, true);
		CHECK_EQ(ioapic_entry(io, p) & RIRR, 0);
	}
	CHECK_EQ(h.n, 1);

	/* Vectors below 0x10 are fine for the non-vectored modes. */
	set_rte(io, 7, RTE(0x00, APIC_DM_NMI));
	set_rte(io, 8, RTE(0x00, APIC_DM_SMI));
	set_rte(io, 9, RTE(0x00, APIC_DM_INIT));
	set_rte(io, 10, RTE(0x00, APIC_DM_EXTINT));
	for (unsigned p = 7; p <= 10; p++)
		ioapic_set_irq(io, p, true);
	CHECK_EQ(h.n, 5);
}

TEST(ioapic_entry_accessor, "REQ-IOAPIC-016")
{
	struct host h;
	struct ioapic *io = &h.io;

	host_init(&h, 0);
	set_rte(io, 23, DEST(0x42) | RTE(0xaa, APIC_DM_NMI) | MASKED | LOW);
	CHECK_EQ(ioapic_entry(io, 23), DEST(0x42) | RTE(0xaa, APIC_DM_NMI) | MASKED | LOW);
	CHECK_EQ(ioapic_entry(io, 0), MASKED);
	CHECK_EQ(ioapic_entry(io, IOAPIC_PINS), 0);
	CHECK_EQ(ioapic_entry(io, 100), 0);
	CHECK_EQ(ioapic_entry(io, UINT32_MAX), 0);
}

/* Deterministic random walk with the invariants of REQ-IOAPIC-017 (the
 * fuzz target explores further). */
struct walk {
	unsigned bad;
	unsigned n;
};

static void walk_deliver(void *opaque, const struct apic_msg *m)
{
	struct walk *w = opaque;
	unsigned d = m->delivery;

	w->n++;
	if (d == 3 || d == APIC_DM_SIPI || d > 7)
		w->bad++;
	if ((d == APIC_DM_FIXED || d == APIC_DM_LOWEST) && m->vector < 0x10)
		w->bad++;
	if (m->level && d != APIC_DM_FIXED && d != APIC_DM_LOWEST)
		w->bad++;
	if (m->dest > 0xff)
		w->bad++;
}

TEST(ioapic_random_walk, "REQ-IOAPIC-017")
{
	struct ioapic io;
	struct walk w = { 0, 0 };
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	ioapic_init(&io, 1, walk_deliver, &w);
	for (unsigned step = 0; step < 200000; step++) {
		uint32_t r, v;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		r = (uint32_t)x;
		v = (uint32_t)(x >> 32);
		switch (r & 7) {
		case 0:
			ioapic_mmio_write(&io, IOAPIC_REGSEL, v);
			break;
		case 1:
		case 2:
			/* Mostly redirection entries, unmasked half the time. */
			ioapic_mmio_write(&io, IOAPIC_REGSEL, 0x10 + (v & 0x3f));
			ioapic_mmio_write(&io, IOAPIC_WIN, v & ~((r >> 8) & 1 ? 0x10000u : 0));
			break;
		case 3:
			(void)ioapic_mmio_read(&io, (r >> 8) & 0x7f);
			break;
		case 4:
		case 5:
			ioapic_set_irq(&io, (r >> 8) % 28, (r >> 16) & 1);
			break;
		case 6:
			ioapic_eoi(&io, (uint8_t)v);
			break;
		default:
			if ((r >> 8) % 512 == 0)
				ioapic_reset(&io);
			else
				ioapic_mmio_write(&io, (r >> 8) & 0x7f, v);
			break;
		}
		for (unsigned i = 0; i < IOAPIC_PINS; i++) {
			uint64_t e = ioapic_entry(&io, i);

			CHECK_EQ(e & ~(IOAPIC_RTE_WRITABLE | RIRR), 0);
			if (e & RIRR)
				CHECK(e & LEVEL);
		}
		CHECK_EQ(w.bad, 0);
	}
	CHECK(w.n > 1000);
}
