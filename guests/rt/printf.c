/* Small printf: %s %c %d %i %u %x %X %p %%, length modifiers l, ll (and
 * z), a field width, '0' padding and '-' left alignment. One formatter
 * writes either to COM1 or to a buffer (snprintf). */
#include "rt.h"

struct sink {
	char *buf; /* NULL: COM1 */
	size_t cap, pos;
};

struct spec {
	bool left, zero;
	unsigned width;
};

static void put(struct sink *o, char c)
{
	if (!o->buf)
		serial_putc(c);
	else if (o->pos + 1 < o->cap)
		o->buf[o->pos] = c;
	o->pos++;
}

static void put_n(struct sink *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put(o, s[i]);
}

static int pad(struct sink *o, char c, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		put(o, c);
	return (int)n;
}

/* body[0..len) printed after prefix (sign or "0x"), padded to the width;
 * zero padding goes between prefix and body, as in C. */
static int emit_field(struct sink *o, const struct spec *sp, const char *prefix, const char *body, size_t len)
{
	size_t plen = strlen(prefix);
	unsigned fill = sp->width > plen + len ? sp->width - (unsigned)(plen + len) : 0;
	int n = 0;

	if (!sp->left && !sp->zero)
		n += pad(o, ' ', fill);
	put_n(o, prefix, plen);
	if (!sp->left && sp->zero)
		n += pad(o, '0', fill);
	put_n(o, body, len);
	if (sp->left)
		n += pad(o, ' ', fill);
	return n + (int)(plen + len);
}

static int emit_num(struct sink *o, const struct spec *sp, unsigned long long v, unsigned base,
		    bool upper, const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24];
	size_t i = sizeof(buf);

	do {
		buf[--i] = digits[v % base];
		v /= base;
	} while (v);
	return emit_field(o, sp, prefix, buf + i, sizeof(buf) - i);
}

static int format(struct sink *o, const char *fmt, va_list ap)
{
	int n = 0;

	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(o, *fmt);
			n++;
			continue;
		}
		fmt++;
		struct spec sp = { false, false, 0 };
		for (;; fmt++) {
			if (*fmt == '-')
				sp.left = true;
			else if (*fmt == '0')
				sp.zero = true;
			else
				break;
		}
		while (*fmt >= '0' && *fmt <= '9')
			sp.width = sp.width * 10 + (unsigned)(*fmt++ - '0');
		int lng = 0; /* 0: int, 1: long, 2: long long */
		if (*fmt == 'l') {
			lng = 1;
			if (*++fmt == 'l') {
				lng = 2;
				fmt++;
			}
		} else if (*fmt == 'z') {
			lng = 1; /* size_t is unsigned long on x86-64 */
			fmt++;
		}

		unsigned long long u;
		long long s;
		switch (*fmt) {
		case 'd':
		case 'i':
			s = lng == 2 ? va_arg(ap, long long)
			  : lng == 1 ? va_arg(ap, long) : va_arg(ap, int);
			/* negate in unsigned arithmetic: LLONG_MIN has no positive twin */
			u = s < 0 ? 0 - (unsigned long long)s : (unsigned long long)s;
			n += emit_num(o, &sp, u, 10, false, s < 0 ? "-" : "");
			break;
		case 'u':
		case 'x':
		case 'X':
			u = lng == 2 ? va_arg(ap, unsigned long long)
			  : lng == 1 ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
			n += emit_num(o, &sp, u, *fmt == 'u' ? 10 : 16, *fmt == 'X', "");
			break;
		case 'p':
			u = (uintptr_t)va_arg(ap, void *);
			n += emit_num(o, &sp, u, 16, false, "0x");
			break;
		case 'c': {
			char c = (char)va_arg(ap, int);
			n += emit_field(o, &sp, "", &c, 1);
			break;
		}
		case 's': {
			const char *str = va_arg(ap, const char *);
			if (!str)
				str = "(null)";
			n += emit_field(o, &sp, "", str, strlen(str));
			break;
		}
		case '%':
			put(o, '%');
			n++;
			break;
		case '\0':
			/* lone '%' at the end: print it and stop */
			put(o, '%');
			return n + 1;
		default:
			/* unknown conversion: show it verbatim */
			put(o, '%');
			put(o, *fmt);
			n += 2;
			break;
		}
	}
	return n;
}

int vprintf(const char *fmt, va_list ap)
{
	struct sink o = { NULL, 0, 0 };
	return format(&o, fmt, ap);
}

int printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sink o = { buf, size, 0 };
	int n = format(&o, fmt, ap);
	if (size)
		buf[o.pos < size ? o.pos : size - 1] = '\0';
	return n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
