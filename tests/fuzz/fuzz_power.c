/* verifies: REQ-PWR-001 REQ-PWR-002 REQ-PWR-003 REQ-PWR-004 REQ-PWR-005 REQ-PWR-006 REQ-PWR-007 REQ-PWR-008 REQ-PWR-009 REQ-PWR-010 REQ-PWR-011 REQ-PWR-012 REQ-PWR-013 REQ-PWR-014 REQ-PWR-015 */
/* libFuzzer target for the power-management models: ACPI PM1/GPE0 blocks,
 * reset control (0xcf9) and the i8042. The input is a sequence of
 * operations of 6 bytes each (op, sel, 4 bytes of value):
 *   op & 7 = 0  PM1 event block      1  PM1 control block
 *            2  GPE0 block           3  reset control register
 *            4, 5  i8042, port 0x60 + (sel & 7) (or sel * 257 if op & 0x80)
 *            6  a status source: PM1_STS |= value & defined bits,
 *               GPE0_STS |= value >> 16 (keel has none; this stands in)
 *            7  power cycle: every model re-initialised
 *   op & 8: write (else read); (op >> 4) & 7 picks the length from
 *   {1, 2, 4, 3, 0, 8, 1, 2}; offset sel & 7, or UINT64_MAX - (sel & 7)
 *   if op & 0x80.
 * Every model runs beside a reference kept here, written byte by byte
 * from the requirements: each read must give the reference's value, each
 * write must raise exactly the events the reference predicts (per model,
 * per kind), and after every operation all registers, the SCI level and
 * the structs' invariants are compared. A violation aborts. */
#include "dev/acpi_pm.h"
#include "dev/i8042.h"
#include "dev/reset.h"
#include "util/log.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { SRC_PM, SRC_RST, SRC_KBC, NSRC };

struct counts {
	unsigned n[NSRC][3];     /* [source][event kind] */
};

struct tag {
	struct counts *c;
	unsigned src;
};

static void on_event(void *opaque, enum power_event ev)
{
	struct tag *t = opaque;

	if (ev != POWER_OFF && ev != POWER_RESET)
		abort();
	t->c->n[t->src][ev]++;
}

/* The reference, as bytes. */
struct ref {
	uint8_t evt[4];          /* PM1_STS lo, hi, PM1_EN lo, hi */
	uint8_t cnt_hi;          /* PM1_CNT high byte as read: SLP_TYP << 2 */
	uint8_t gpe[4];
	uint8_t rst;
	uint8_t ram[32], out, outport, pending;
	bool obf, a2;
};

static const uint8_t pm1_sts_bytes[2] = { 0x31, 0x87 };
static const uint8_t pm1_en_bytes[2] = { 0x21, 0x07 };

static void ref_init(struct ref *r)
{
	memset(r, 0, sizeof(*r));
	r->ram[0] = 0x74;
	r->outport = 0x03;
}

static uint32_t ones(unsigned len)
{
	return len >= 4 ? 0xffffffffu : (1u << (8 * len)) - 1;
}

static bool ok(uint64_t off, unsigned len, unsigned size)
{
	return (len == 1 || len == 2 || len == 4) && off < size && off + len <= size;
}

static uint32_t bytes_at(const uint8_t *img, uint64_t off, unsigned len)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < len; i++)
		v |= (uint32_t)img[off + i] << (8 * i);
	return v;
}

/* STS (write 1 to clear) bytes 0-1 and EN bytes 2-3 of a 4-byte block. */
static void ref_sts_en_write(uint8_t *img, const uint8_t *en_mask, uint64_t off, uint32_t v,
			     unsigned len)
{
	for (unsigned i = 0; i < len; i++) {
		unsigned p = (unsigned)off + i;
		uint8_t b = (uint8_t)(v >> (8 * i));

		if (p < 2)
			img[p] &= (uint8_t)~b;
		else
			img[p] = b & en_mask[p - 2];
	}
}

static bool ref_sci(const struct ref *r)
{
	return (r->evt[0] & r->evt[2]) || (r->evt[1] & r->evt[3]) || (r->gpe[0] & r->gpe[2]) ||
	       (r->gpe[1] & r->gpe[3]);
}

static uint8_t ref_status(const struct ref *r)
{
	return (uint8_t)((r->obf ? 1 : 0) | 0x04 | (r->a2 ? 0x08 : 0) | 0x10);
}

static void ref_kbc_cmd(struct ref *r, uint8_t c, unsigned *resets)
{
	r->a2 = true;
	r->pending = 0;
	if (c >= 0x20 && c < 0x40) {
		r->out = r->ram[c - 0x20];
		r->obf = true;
	} else if ((c >= 0x60 && c < 0x80) || c == 0xd1) {
		r->pending = c;
	} else if (c == 0xa7 || c == 0xa8) {
		r->ram[0] = (uint8_t)(c == 0xa7 ? r->ram[0] | 0x20 : r->ram[0] & 0xdf);
	} else if (c == 0xad || c == 0xae) {
		r->ram[0] = (uint8_t)(c == 0xad ? r->ram[0] | 0x10 : r->ram[0] & 0xef);
	} else if (c == 0xaa || c == 0xa9 || c == 0xab || c == 0xd0) {
		r->out = c == 0xaa ? 0x55 : c == 0xd0 ? r->outport : 0x00;
		r->obf = true;
	} else if (c >= 0xf0 && c % 2 == 0) {
		(*resets)++;
	}
}

static void ref_kbc_data(struct ref *r, uint8_t v, unsigned *resets)
{
	r->a2 = false;
	if (r->pending >= 0x60 && r->pending < 0x80)
		r->ram[r->pending - 0x60] = v;
	if (r->pending == 0xd1) {
		r->outport = v | 1;
		if (v % 2 == 0)
			(*resets)++;
	}
	r->pending = 0;
}

struct sys {
	struct acpi_pm pm;
	struct reset_ctl rst;
	struct i8042 kbc;
	struct counts c;
	struct tag tags[NSRC];
};

static void sys_init(struct sys *s)
{
	acpi_pm_init(&s->pm, on_event, &s->tags[SRC_PM]);
	reset_ctl_init(&s->rst, on_event, &s->tags[SRC_RST]);
	i8042_init(&s->kbc, on_event, &s->tags[SRC_KBC]);
}

/* Everything readable without side effects, against the reference. */
static void check(struct sys *s, const struct ref *r)
{
	uint8_t cnt[2] = { 0x01, r->cnt_hi };

	if (acpi_pm_evt_read(&s->pm, 0, 4) != bytes_at(r->evt, 0, 4) ||
	    acpi_pm_cnt_read(&s->pm, 0, 2) != bytes_at(cnt, 0, 2) ||
	    acpi_pm_gpe_read(&s->pm, 0, 4) != bytes_at(r->gpe, 0, 4))
		abort();
	if (acpi_pm_sci_level(&s->pm) != ref_sci(r))
		abort();
	/* The level is STS & EN of the registers as the guest reads them. */
	if (acpi_pm_sci_level(&s->pm) !=
	    (((acpi_pm_evt_read(&s->pm, 0, 2) & acpi_pm_evt_read(&s->pm, 2, 2)) |
	      (acpi_pm_gpe_read(&s->pm, 0, 2) & acpi_pm_gpe_read(&s->pm, 2, 2))) != 0))
		abort();
	if ((s->pm.pm1_sts & ~ACPI_PM1_STS_MASK) || (s->pm.pm1_en & ~ACPI_PM1_EN_MASK) ||
	    s->pm.slp_typ > 7 || (s->pm.slp_logged & (1u << ACPI_SLP_TYP_S5)))
		abort();
	if (reset_ctl_read(&s->rst, 0, 1) != r->rst || (s->rst.value & ~RESET_CTL_MASK))
		abort();
	if (i8042_read(&s->kbc, I8042_PORT_CMD, 1) != ref_status(r) || s->kbc.obf != r->obf ||
	    s->kbc.out != r->out || s->kbc.outport != r->outport || s->kbc.pending != r->pending ||
	    memcmp(s->kbc.ram, r->ram, sizeof(r->ram)) != 0 || !(s->kbc.outport & I8042_OUT_RESET))
		abort();
}

static uint64_t take(const uint8_t **p, size_t *left, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n && *left > 0; i++, (*left)--)
		v |= (uint64_t)*(*p)++ << (8 * i);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned lens[8] = { 1, 2, 4, 3, 0, 8, 1, 2 };
	struct sys s;
	struct ref r;
	struct counts want;

	log_set_level(-1); /* unsupported sleep states and commands warn */
	memset(&s, 0, sizeof(s));
	memset(&want, 0, sizeof(want));
	for (unsigned i = 0; i < NSRC; i++)
		s.tags[i] = (struct tag){ &s.c, i };
	sys_init(&s);
	ref_init(&r);
	check(&s, &r);
	while (size > 0) {
		uint8_t op = (uint8_t)take(&data, &size, 1);
		uint8_t sel = (uint8_t)take(&data, &size, 1);
		uint32_t v = (uint32_t)take(&data, &size, 4);
		bool wr = op & 8;
		unsigned len = lens[(op >> 4) & 7];
		uint64_t off = (op & 0x80) ? UINT64_MAX - (sel & 7) : (sel & 7);
		uint32_t got = 0, exp = 0;

		switch (op & 7) {
		case 0:
			if (!wr) {
				got = acpi_pm_evt_read(&s.pm, off, len);
				exp = ok(off, len, 4) ? bytes_at(r.evt, off, len) : ones(len);
			} else {
				acpi_pm_evt_write(&s.pm, off, v, len);
				if (ok(off, len, 4))
					ref_sts_en_write(r.evt, pm1_en_bytes, off, v, len);
			}
			break;
		case 1:
			if (!wr) {
				uint8_t cnt[2] = { 0x01, r.cnt_hi };

				got = acpi_pm_cnt_read(&s.pm, off, len);
				exp = ok(off, len, 2) ? bytes_at(cnt, off, len) : ones(len);
			} else if (ok(off, len, 2) && off + len == 2) {
				/* the access covers the high byte: SLP_TYP, SLP_EN */
				uint8_t hi = (uint8_t)(v >> (8 * (1 - off)));

				acpi_pm_cnt_write(&s.pm, off, v, len);
				r.cnt_hi = hi & 0x1c;
				if ((hi & 0x20) && r.cnt_hi == (ACPI_SLP_TYP_S5 << 2))
					want.n[SRC_PM][POWER_OFF]++;
			} else {
				acpi_pm_cnt_write(&s.pm, off, v, len);
			}
			break;
		case 2: {
			static const uint8_t all[2] = { 0xff, 0xff };

			if (!wr) {
				got = acpi_pm_gpe_read(&s.pm, off, len);
				exp = ok(off, len, 4) ? bytes_at(r.gpe, off, len) : ones(len);
			} else {
				acpi_pm_gpe_write(&s.pm, off, v, len);
				if (ok(off, len, 4))
					ref_sts_en_write(r.gpe, all, off, v, len);
			}
			break;
		}
		case 3:
			if (!wr) {
				got = reset_ctl_read(&s.rst, off, len);
				exp = (off == 0 && len == 1) ? r.rst : ones(len);
			} else {
				reset_ctl_write(&s.rst, off, v, len);
				if (off == 0 && len == 1) {
					if (!(r.rst & 4) && (v & 4))
						want.n[SRC_RST][POWER_RESET]++;
					r.rst = v & 0x0e;
				}
			}
			break;
		case 4:
		case 5: {
			uint16_t port = (op & 0x80) ? (uint16_t)(sel * 257u) : (uint16_t)(0x60 + (sel & 7));
			bool mine = len == 1 && (port == 0x60 || port == 0x64);

			if (!wr) {
				got = i8042_read(&s.kbc, port, len);
				exp = !mine ? ones(len) : port == 0x64 ? ref_status(&r) : r.out;
				if (mine && port == 0x60)
					r.obf = false;
			} else {
				i8042_write(&s.kbc, port, v, len);
				if (mine && port == 0x64)
					ref_kbc_cmd(&r, (uint8_t)v, &want.n[SRC_KBC][POWER_RESET]);
				else if (mine)
					ref_kbc_data(&r, (uint8_t)v, &want.n[SRC_KBC][POWER_RESET]);
			}
			break;
		}
		case 6:
			s.pm.pm1_sts |= (uint16_t)(v & ACPI_PM1_STS_MASK);
			s.pm.gpe0_sts |= (uint16_t)(v >> 16);
			r.evt[0] |= (uint8_t)v & pm1_sts_bytes[0];
			r.evt[1] |= (uint8_t)(v >> 8) & pm1_sts_bytes[1];
			r.gpe[0] |= (uint8_t)(v >> 16);
			r.gpe[1] |= (uint8_t)(v >> 24);
			break;
		default:
			sys_init(&s);
			ref_init(&r);
			break;
		}
		if (got != exp)
			abort();
		if (memcmp(&s.c, &want, sizeof(want)) != 0)
			abort();
		check(&s, &r);
	}
	return 0;
}
