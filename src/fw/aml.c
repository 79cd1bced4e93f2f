#include "fw/aml.h"

#include <string.h>

/* Opcodes and prefixes (ACPI 6.x 20.3). */
#define AML_ZERO        0x00
#define AML_ONE         0x01
#define AML_NAME        0x08
#define AML_BYTE        0x0a
#define AML_WORD        0x0b
#define AML_DWORD       0x0c
#define AML_QWORD       0x0e
#define AML_SCOPE       0x10
#define AML_BUFFER      0x11
#define AML_PACKAGE     0x12
#define AML_DUAL_NAME   0x2e
#define AML_MULTI_NAME  0x2f
#define AML_EXT         0x5b
#define AML_EXT_DEVICE  0x82
#define AML_ROOT        '\\'

void aml_init(struct aml *a, uint8_t *buf, size_t cap)
{
	a->buf = buf;
	a->cap = cap;
	a->len = 0;
	a->overflow = false;
}

void aml_bytes(struct aml *a, const uint8_t *p, size_t n)
{
	if (a->overflow || n > a->cap - a->len) {
		a->overflow = true;
		return;
	}
	memcpy(a->buf + a->len, p, n);
	a->len += n;
}

void aml_byte(struct aml *a, uint8_t b)
{
	aml_bytes(a, &b, 1);
}

static void le(struct aml *a, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		aml_byte(a, (uint8_t)(v >> (8 * i)));
}

void aml_integer(struct aml *a, uint64_t v)
{
	if (v == 0) {
		aml_byte(a, AML_ZERO);
	} else if (v == 1) {
		aml_byte(a, AML_ONE);
	} else if (v <= 0xff) {
		aml_byte(a, AML_BYTE);
		le(a, v, 1);
	} else if (v <= 0xffff) {
		aml_byte(a, AML_WORD);
		le(a, v, 2);
	} else if (v <= 0xffffffffULL) {
		aml_byte(a, AML_DWORD);
		le(a, v, 4);
	} else {
		aml_byte(a, AML_QWORD);
		le(a, v, 8);
	}
}

void aml_namestring(struct aml *a, const char *path)
{
	unsigned nseg = 1;

	if (*path == AML_ROOT) {
		aml_byte(a, AML_ROOT);
		path++;
	}
	for (const char *p = path; *p != '\0'; p++)
		nseg += *p == '.';
	if (nseg == 2) {
		aml_byte(a, AML_DUAL_NAME);
	} else if (nseg > 2) {
		aml_byte(a, AML_MULTI_NAME);
		aml_byte(a, (uint8_t)nseg);
	}
	while (nseg-- > 0) {
		/* A NameSeg is always 4 bytes; short names are padded with '_'. */
		uint8_t seg[4] = { '_', '_', '_', '_' };

		for (unsigned i = 0; i < 4 && *path != '\0' && *path != '.'; i++)
			seg[i] = (uint8_t)*path++;
		aml_bytes(a, seg, 4);
		if (*path == '.')
			path++;
	}
}

void aml_name(struct aml *a, const char *path)
{
	aml_byte(a, AML_NAME);
	aml_namestring(a, path);
}

size_t aml_scope(struct aml *a, const char *path)
{
	size_t mark;

	aml_byte(a, AML_SCOPE);
	mark = a->len;
	aml_namestring(a, path);
	return mark;
}

size_t aml_device(struct aml *a, const char *path)
{
	size_t mark;

	aml_byte(a, AML_EXT);
	aml_byte(a, AML_EXT_DEVICE);
	mark = a->len;
	aml_namestring(a, path);
	return mark;
}

size_t aml_package(struct aml *a, uint8_t nelems)
{
	size_t mark;

	aml_byte(a, AML_PACKAGE);
	mark = a->len;
	aml_byte(a, nelems);
	return mark;
}

/* PkgLength (20.2.4) counts itself and the body. One byte holds up to 63;
 * longer ones put the count of extra bytes in bits 7:6 of the lead byte,
 * the low 4 bits of the length in its bits 3:0, and the rest 8 bits per
 * extra byte. */
void aml_end(struct aml *a, size_t mark)
{
	size_t body, total;
	unsigned n;
	uint8_t enc[4];

	if (a->overflow)
		return;
	body = a->len - mark;
	if (body + 1 <= 0x3f)
		n = 1;
	else if (body + 2 <= 0xfff)
		n = 2;
	else if (body + 3 <= 0xfffff)
		n = 3;
	else
		n = 4;
	total = body + n;
	if (n == 1) {
		enc[0] = (uint8_t)total;
	} else {
		enc[0] = (uint8_t)((n - 1) << 6 | (total & 0xf));
		for (unsigned i = 1; i < n; i++)
			enc[i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
	}
	if (total > 0xfffffff || n > a->cap - a->len) {
		a->overflow = true;
		return;
	}
	memmove(a->buf + mark + n, a->buf + mark, body);
	memcpy(a->buf + mark, enc, n);
	a->len += n;
}

void aml_buffer(struct aml *a, const uint8_t *p, size_t n)
{
	size_t mark;

	aml_byte(a, AML_BUFFER);
	mark = a->len;
	aml_integer(a, n);
	aml_bytes(a, p, n);
	aml_end(a, mark);
}

static unsigned hexval(char c)
{
	if (c >= '0' && c <= '9')
		return (unsigned)(c - '0');
	if (c >= 'A' && c <= 'F')
		return (unsigned)(c - 'A' + 10);
	if (c >= 'a' && c <= 'f')
		return (unsigned)(c - 'a' + 10);
	return 0;
}

uint32_t aml_eisaid(const char *id)
{
	/* Letters are 5 bits each ('A' = 1), big-endian in the first two
	 * bytes; the product number's hex digits follow in reading order. */
	unsigned mfg = (unsigned)(id[0] - 0x40) << 10 | (unsigned)(id[1] - 0x40) << 5 |
		       (unsigned)(id[2] - 0x40);
	uint8_t b[4] = {
		(uint8_t)(mfg >> 8 & 0x7f), (uint8_t)mfg,
		(uint8_t)(hexval(id[3]) << 4 | hexval(id[4])),
		(uint8_t)(hexval(id[5]) << 4 | hexval(id[6])),
	};

	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* Small item tags: type << 3 | length (6.4.2); large items: 0x80 | type. */
#define RES_IRQ_NOFLAGS   (0x04 << 3 | 2)
#define RES_IO            (0x08 << 3 | 7)
#define RES_END           (0x0f << 3 | 1)
#define RES_MEM32_FIXED   (0x80 | 0x06)

void aml_res_io(struct aml *a, uint16_t base, uint8_t len)
{
	aml_byte(a, RES_IO);
	aml_byte(a, 1);         /* decodes 16 address bits */
	le(a, base, 2);         /* minimum = maximum base: fixed */
	le(a, base, 2);
	aml_byte(a, 1);         /* alignment */
	aml_byte(a, len);
}

void aml_res_irq(struct aml *a, uint16_t mask)
{
	aml_byte(a, RES_IRQ_NOFLAGS);
	le(a, mask, 2);
}

void aml_res_mem32_fixed(struct aml *a, bool writable, uint32_t base, uint32_t len)
{
	aml_byte(a, RES_MEM32_FIXED);
	le(a, 9, 2);            /* length of the rest */
	aml_byte(a, writable ? 1 : 0);
	le(a, base, 4);
	le(a, len, 4);
}

void aml_res_end(struct aml *a)
{
	aml_byte(a, RES_END);
	aml_byte(a, 0);         /* checksum 0: "treat as correct" */
}
