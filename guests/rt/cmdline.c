/* key=value lookup in a Multiboot command line. */
#include "rt.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

bool cmdline_get(const char *p, const char *key, char *buf, size_t len)
{
	size_t klen = strlen(key);

	if (!p || !len)
		return false;
	while (*p) {
		while (is_space(*p))
			p++;
		if (!*p)
			break;
		const char *tok = p;
		bool match = strncmp(tok, key, klen) == 0 && tok[klen] == '=';
		/* Find the end of the token; a quoted value may hold spaces. */
		const char *eq = tok;
		while (*eq && !is_space(*eq) && *eq != '=')
			eq++;
		const char *v = eq, *vend;
		if (*eq == '=') {
			v = eq + 1;
			if (*v == '"') {
				v++;
				vend = v;
				while (*vend && *vend != '"')
					vend++;
				p = *vend ? vend + 1 : vend;
			} else {
				vend = v;
				while (*vend && !is_space(*vend))
					vend++;
				p = vend;
			}
		} else {
			vend = p = eq;
		}
		if (match) {
			size_t n = (size_t)(vend - v);
			if (n >= len)
				n = len - 1;
			memcpy(buf, v, n);
			buf[n] = '\0';
			return true;
		}
		/* a quote left mid-token: skip the rest of that token */
		while (*p && !is_space(*p))
			p++;
	}
	return false;
}

int cmdline_u32(const char *cmdline, const char *key, uint32_t *out)
{
	char buf[24];
	const char *s = buf;
	unsigned base = 10;
	uint64_t v = 0;

	if (!cmdline_get(cmdline, key, buf, sizeof(buf)))
		return 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return -1;
	for (; *s; s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return -1;
		v = v * base + d;
		if (v > 0xffffffffu)
			return -1;
	}
	*out = (uint32_t)v;
	return 1;
}
