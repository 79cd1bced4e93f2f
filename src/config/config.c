/* The system-description parser (REQ-CFG-*): libconfig text in, a fully
 * validated struct keel_config out. Every check lives here so that nothing
 * after config_load() has to distrust the values. */
#include "config/config.h"

#include "util/file.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libconfig.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A real system description is a few hundred bytes; a huge file is a mistake
 * (wrong file given), so refuse it before reading it all (REQ-CFG-018). */
#define CFG_FILE_MAX (1u << 20)
/* Dotted keys are short ("vms.[7].image.modules.[15].cmdline"); names of
 * unknown keys may be long and are then cut, which is fine in a message. */
#define KEY_MAX 256
/* Our schema nests 6 deep; deeper text is wrong anyway, and the literal walk
 * below must not recurse without bound. */
#define WALK_DEPTH_MAX 32

struct ctx {
	const char *file;       /* display path, first field of every message */
	const char *base_dir;   /* relative paths resolve here; NULL = cwd */
	char *err;
	size_t errlen;
};

/* ---- messages (REQ-CFG-010) ------------------------------------------- */

/* Writes "FILE:LINE: KEY: what" (or "FILE:LINE: what" when key is NULL) and
 * returns -1, so callers can `return fail(...)`. */
static int fail(const struct ctx *c, int line, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(const struct ctx *c, int line, const char *key, const char *fmt, ...)
{
	int n;

	if (c->err == NULL || c->errlen == 0)
		return -1;
	if (key != NULL)
		n = snprintf(c->err, c->errlen, "%s:%d: %s: ", c->file, line, key);
	else
		n = snprintf(c->err, c->errlen, "%s:%d: ", c->file, line);
	if (n >= 0 && (size_t)n < c->errlen) {
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	/* Names and paths come from the file: keep the message one line and
	 * free of terminal control sequences. */
	for (char *p = c->err; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return -1;
}

/* libconfig gives the root line 0; messages about it point at line 1. */
static int line_of(const config_setting_t *s)
{
	unsigned l = config_setting_source_line(s);

	return l != 0 ? (int)l : 1;
}

static const char *type_name(int type)
{
	switch (type) {
	case CONFIG_TYPE_GROUP:  return "a group { ... }";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:  return "an integer";
	case CONFIG_TYPE_FLOAT:  return "a float";
	case CONFIG_TYPE_STRING: return "a string";
	case CONFIG_TYPE_BOOL:   return "a boolean (true or false)";
	case CONFIG_TYPE_ARRAY:  return "an array [ ... ]";
	default:                 return "a list ( ... )";  /* LIST; NONE never parses */
	}
}

/* Keys longer than KEY_MAX (only absurd unknown names) are cut; that is
 * fine in a message, so the result is not checked. */
static void format_key(char *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void format_key(char *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out, KEY_MAX, fmt, ap);
	va_end(ap);
}

static void subkey(char *out, const char *parent, const char *name)
{
	if (parent[0] == '\0')
		format_key(out, "%s", name);
	else
		format_key(out, "%s.%s", parent, name);
}

static void elemkey(char *out, const char *parent, unsigned i)
{
	format_key(out, "%s.[%u]", parent, i);
}

/* ---- integer literals libconfig would truncate (REQ-CFG-004) ------------
 * libconfig 1.5 stores a literal without the L suffix in an int and silently
 * wraps anything larger (4294967296 becomes 0, 0x100000000 becomes 0). A
 * wrapped base address would be accepted and map guest RAM somewhere else,
 * so we re-scan the text with libconfig's own token rules, pair the integer
 * literals in text order with the integer settings in tree order, and tag
 * the settings whose literal does not fit (the tag is the setting's hook,
 * pointing at the literal). Reading a tagged setting is then an error with
 * the proper key. */

struct lit {
	const char *start;
	size_t len;
	bool is64;      /* had the L suffix */
	bool bad;       /* libconfig cannot hold the value as written */
};

static bool is_digit(int ch) { return ch >= '0' && ch <= '9'; }

static bool is_xdigit(int ch)
{
	return is_digit(ch) || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

static bool is_alpha(int ch) { return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'); }

static unsigned xdigit_val(int ch)
{
	if (is_digit(ch))
		return (unsigned)(ch - '0');
	return (unsigned)((ch | 0x20) - 'a' + 10);
}

/* Scans the number token at p (a digit, a sign, or '.'), as libconfig's
 * lexer would. Returns the end of the token; *l describes it when it is an
 * integer (l->start != NULL), floats and stray signs leave l->start NULL. */
static const char *scan_number(const char *p, struct lit *l)
{
	const char *q = p;
	uint64_t v = 0;
	bool neg = false, ovf = false, hex = false;

	memset(l, 0, sizeof(*l));
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && is_xdigit(p[2])) {
		hex = true;
		for (q = p + 2; is_xdigit(*q); q++) {
			ovf |= v > (UINT64_MAX >> 4);
			v = (v << 4) | xdigit_val(*q);
		}
	} else {
		if (*q == '-' || *q == '+')
			neg = *q++ == '-';
		const char *digits = q;
		while (is_digit(*q))
			q++;
		/* Float: digits followed by '.' or an exponent (libconfig's rule). */
		if (*q == '.' || ((*q == 'e' || *q == 'E') &&
				  (is_digit(q[1]) || ((q[1] == '+' || q[1] == '-') && is_digit(q[2]))))) {
			if (*q == '.')
				for (q++; is_digit(*q); q++)
					;
			if ((*q == 'e' || *q == 'E') &&
			    (is_digit(q[1]) || ((q[1] == '+' || q[1] == '-') && is_digit(q[2]))))
				for (q += 2; is_digit(*q); q++)
					;
			return q;
		}
		if (q == digits)
			return p + 1;   /* a lone sign: not a number */
		for (const char *d = digits; d < q; d++) {
			ovf |= v > (UINT64_MAX - 9) / 10;
			v = v * 10 + (uint64_t)(*d - '0');
		}
	}
	l->start = p;
	if (*q == 'L') {
		l->is64 = true;
		q += q[1] == 'L' ? 2 : 1;
	}
	l->len = (size_t)(q - p);
	if (hex)
		l->bad = ovf || (!l->is64 && v > UINT32_MAX);
	else if (l->is64)
		l->bad = ovf || v > (uint64_t)INT64_MAX + neg;
	else
		l->bad = ovf || v > (uint64_t)INT32_MAX + neg;
	return q;
}

struct lit_cursor {
	const char *p;
	int line;
};

/* Moves the cursor to the next integer literal, skipping comments, strings,
 * names and floats. Returns false at the end of the text. */
static bool next_int_literal(struct lit_cursor *cur, struct lit *l)
{
	const char *p = cur->p;

	while (*p != '\0') {
		if (*p == '\n') {
			cur->line++;
			p++;
		} else if (*p == '#' || (p[0] == '/' && p[1] == '/')) {
			while (*p != '\0' && *p != '\n')
				p++;
		} else if (p[0] == '/' && p[1] == '*') {
			for (p += 2; *p != '\0' && !(p[0] == '*' && p[1] == '/'); p++)
				cur->line += *p == '\n';
			if (*p != '\0')
				p += 2;
		} else if (*p == '"') {
			for (p++; *p != '\0' && *p != '"'; p++) {
				if (*p == '\\' && p[1] != '\0')
					p++;
				cur->line += *p == '\n';
			}
			if (*p != '\0')
				p++;
		} else if (is_alpha(*p) || *p == '*') {
			while (is_alpha(*p) || is_digit(*p) || *p == '-' || *p == '_' || *p == '*')
				p++;
		} else if (is_digit(*p) || *p == '-' || *p == '+' || *p == '.') {
			p = scan_number(p, l);
			if (l->start != NULL) {
				cur->p = p;
				return true;
			}
		} else {
			p++;
		}
	}
	cur->p = p;
	return false;
}

/* Tags each integer setting whose literal is bad. Returns false when the
 * text and the tree disagree (or nest too deep), so tags cannot be trusted. */
static bool tag_literals(config_setting_t *s, struct lit_cursor *cur, int depth)
{
	int type = config_setting_type(s);
	struct lit l;

	if (type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64) {
		if (!next_int_literal(cur, &l))
			return false;
		if (l.bad)
			config_setting_set_hook(s, (void *)(uintptr_t)l.start);
		return true;
	}
	if (type != CONFIG_TYPE_GROUP && type != CONFIG_TYPE_LIST && type != CONFIG_TYPE_ARRAY)
		return true;
	if (depth >= WALK_DEPTH_MAX)
		return false;
	for (int i = 0; i < config_setting_length(s); i++)
		if (!tag_literals(config_setting_get_elem(s, (unsigned)i), cur, depth + 1))
			return false;
	return true;
}

static int literal_error(const struct ctx *c, int line, const char *key, const struct lit *l)
{
	if (l->is64)
		return fail(c, line, key, "integer %.*s does not fit in 64 bits", (int)l->len,
			    l->start);
	return fail(c, line, key,
		    "integer %.*s does not fit in 32 bits; write %.*sL for a 64-bit integer",
		    (int)l->len, l->start, (int)l->len, l->start);
}

static int check_literals(const struct ctx *c, const char *text, config_setting_t *root)
{
	struct lit_cursor cur = { text, 1 };
	struct lit l;

	if (tag_literals(root, &cur, 0) && !next_int_literal(&cur, &l))
		return 0;
	/* Cannot pair literals with keys: refuse any bad literal without a key. */
	cur = (struct lit_cursor){ text, 1 };
	while (next_int_literal(&cur, &l))
		if (l.bad)
			return literal_error(c, cur.line, NULL, &l);
	return 0;
}

/* libconfig opens @include files itself, relative to the current folder; a
 * system description is one self-contained file, so refuse them before
 * libconfig sees the text. This matches more than libconfig would (also
 * inside strings and comments), which errs on the safe side. */
static int check_no_include(const struct ctx *c, const char *text)
{
	int line = 1;

	for (const char *p = text; *p != '\0'; line++) {
		p += strspn(p, " \t\r\f\v");
		if (strncmp(p, "@include", 8) == 0)
			return fail(c, line, NULL,
				    "@include is not supported: a system description is one file");
		p = strchrnul(p, '\n');
		if (*p == '\n')
			p++;
	}
	return 0;
}

/* ---- typed access ------------------------------------------------------ */

static int expect_type(const struct ctx *c, const config_setting_t *s, const char *key, int type)
{
	int t = config_setting_type(s);

	if (t == type || (type == CONFIG_TYPE_INT && t == CONFIG_TYPE_INT64))
		return 0;
	return fail(c, line_of(s), key, "expected %s, got %s", type_name(type), type_name(t));
}

/* Rejects members of group g not in `allowed` (REQ-CFG-003). */
static int check_keys(const struct ctx *c, const config_setting_t *g, const char *gkey,
		      const char *const *allowed)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(m);
		const char *const *a;
		char key[KEY_MAX], list[128];
		size_t n = 0;

		for (a = allowed; *a != NULL && strcmp(*a, name) != 0; a++)
			;
		if (*a != NULL)
			continue;
		list[0] = '\0';
		/* The allowed lists are short constants; the bound is belt and braces. */
		for (a = allowed; *a != NULL && n < sizeof(list); a++)
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s",
					      a == allowed ? "" : ", ", *a);
		subkey(key, gkey, name);
		return fail(c, line_of(m), key, "unknown key (allowed: %s)", list);
	}
	return 0;
}

/* Finds member `name` of group g, of the given type; builds its key. An
 * absent optional member leaves *out NULL; an absent required one is an
 * error at the group's line. */
static int member(const struct ctx *c, const config_setting_t *g, const char *gkey,
		  const char *name, bool required, int type, config_setting_t **out, char *key)
{
	subkey(key, gkey, name);
	*out = config_setting_get_member(g, name);
	if (*out == NULL)
		return required ? fail(c, line_of(g), key, "missing (required)") : 0;
	return expect_type(c, *out, key, type);
}

/* Integers: int or int64. Hex literals are read as unsigned (0xC0000000 is
 * 3 GiB, not negative); negative decimals are never meaningful here. */
static int get_uint(const struct ctx *c, const config_setting_t *s, const char *key, uint64_t *v)
{
	bool hex = config_setting_get_format(s) == CONFIG_FORMAT_HEX;
	const char *tag = config_setting_get_hook(s);
	long long x;

	if (tag != NULL) {
		struct lit l;

		scan_number(tag, &l);
		return literal_error(c, line_of(s), key, &l);
	}
	if (config_setting_type(s) == CONFIG_TYPE_INT) {
		int i = config_setting_get_int(s);

		x = hex ? (long long)(uint32_t)i : i;
	} else {
		x = config_setting_get_int64(s);
		if (hex) {
			*v = (uint64_t)x;
			return 0;
		}
	}
	if (x < 0)
		return fail(c, line_of(s), key, "must not be negative, got %lld", x);
	*v = (uint64_t)x;
	return 0;
}

/* An optional unsigned integer member: -1 on error (reported), 0 when
 * absent, 1 with *s, key and *v set. */
static int read_opt_uint(const struct ctx *c, const config_setting_t *g, const char *gkey,
			 const char *name, config_setting_t **s, char *key, uint64_t *v)
{
	if (member(c, g, gkey, name, false, CONFIG_TYPE_INT, s, key) != 0)
		return -1;
	if (*s == NULL)
		return 0;
	return get_uint(c, *s, key, v) != 0 ? -1 : 1;
}

static int opt_uint(const struct ctx *c, const config_setting_t *g, const char *gkey,
		    const char *name, uint64_t lo, uint64_t hi, uint64_t *v)
{
	config_setting_t *s;
	char key[KEY_MAX];
	int r = read_opt_uint(c, g, gkey, name, &s, key, v);

	if (r <= 0)
		return r;
	if (*v < lo || *v > hi)
		return fail(c, line_of(s), key, "must be %" PRIu64 " to %" PRIu64 ", got %" PRIu64,
			    lo, hi, *v);
	return 0;
}

static int opt_bool(const struct ctx *c, const config_setting_t *g, const char *gkey,
		    const char *name, bool *v)
{
	config_setting_t *s;
	char key[KEY_MAX];

	if (member(c, g, gkey, name, false, CONFIG_TYPE_BOOL, &s, key) != 0)
		return -1;
	if (s != NULL)
		*v = config_setting_get_bool(s) != 0;
	return 0;
}

/* Optional command line into a CFG_CMDLINE_MAX buffer (REQ-CFG-013). */
static int opt_cmdline(const struct ctx *c, const config_setting_t *g, const char *gkey,
		       char *out)
{
	config_setting_t *s;
	char key[KEY_MAX];
	const char *str;
	size_t n;

	if (member(c, g, gkey, "cmdline", false, CONFIG_TYPE_STRING, &s, key) != 0)
		return -1;
	if (s == NULL)
		return 0;
	str = config_setting_get_string(s);
	n = strlen(str);
	if (n >= CFG_CMDLINE_MAX)
		return fail(c, line_of(s), key, "is %zu bytes long, at most %d allowed", n,
			    CFG_CMDLINE_MAX - 1);
	memcpy(out, str, n + 1);
	return 0;
}

/* Resolves a string path against the config folder into out (PATH_MAX). */
static int resolve(const struct ctx *c, const config_setting_t *s, const char *key, char *out)
{
	const char *rel = config_setting_get_string(s);

	if (rel[0] == '\0')
		return fail(c, line_of(s), key, "must not be empty");
	if (path_join(c->base_dir, rel, out, PATH_MAX) != 0)
		return fail(c, line_of(s), key, "is too long for a path (%zu bytes)", strlen(rel));
	return 0;
}

/* Kernel and module files must be readable regular files now, so a typo is
 * reported here with its line rather than later by the loader (REQ-CFG-011).
 * stat() first: opening a device node may have side effects. */
static int resolve_file(const struct ctx *c, const config_setting_t *s, const char *key,
			char *out)
{
	struct stat st;
	int fd;

	if (resolve(c, s, key, out) != 0)
		return -1;
	if (stat(out, &st) != 0)
		return fail(c, line_of(s), key, "cannot open '%s': %s", out, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return fail(c, line_of(s), key, "'%s' is not a regular file", out);
	fd = open(out, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return fail(c, line_of(s), key, "cannot open '%s': %s", out, strerror(errno));
	close(fd);
	return 0;
}

/* ---- the schema -------------------------------------------------------- */

static const char *const root_keys[] = { "vms", NULL };
static const char *const vm_keys[] = { "name", "vcpus", "memory", "image", "timers",
				       "irqchip", "serial", "debug_exit", "on_reboot", NULL };
static const char *const memory_keys[] = { "regions", "ram_mb", NULL };
static const char *const region_keys[] = { "base", "size", NULL };
static const char *const image_keys[] = { "kernel", "protocol", "cmdline", "modules", "initrd",
					  "kernel_addr", "initrd_addr", NULL };
/* Keys of `image` that only the Linux boot protocol uses (REQ-CFG-024). */
static const char *const linux_only_keys[] = { "initrd", "kernel_addr", "initrd_addr", NULL };
static const char *const module_keys[] = { "path", "cmdline", NULL };
static const char *const timer_keys[] = { "pit", "hpet", "lapic", "rtc", "pm_timer", "kvmclock",
					   NULL };
static const char *const serial_keys[] = { "output", NULL };

static bool name_char(char ch)
{
	return is_alpha(ch) || is_digit(ch) || ch == '_' || ch == '-';
}

/* REQ-CFG-005 */
static int parse_name(const struct ctx *c, const config_setting_t *g, const char *vkey,
		      const struct keel_config *cfg, struct vm_config *vm)
{
	config_setting_t *s;
	char key[KEY_MAX];
	const char *name;
	size_t n;

	if (member(c, g, vkey, "name", true, CONFIG_TYPE_STRING, &s, key) != 0)
		return -1;
	name = config_setting_get_string(s);
	n = strlen(name);
	if (n == 0 || n >= CFG_NAME_MAX)
		return fail(c, line_of(s), key, "must be 1 to %d characters, got %zu",
			    CFG_NAME_MAX - 1, n);
	for (size_t i = 0; i < n; i++)
		if (!name_char(name[i]))
			return fail(c, line_of(s), key,
				    "character %zu (0x%02x) is not one of A-Z a-z 0-9 _ -", i + 1,
				    (unsigned char)name[i]);
	for (unsigned j = 0; j < vm->index; j++)
		if (strcmp(cfg->vms[j].name, name) == 0)
			return fail(c, line_of(s), key, "\"%s\" is already the name of vms.[%u] (line %d)",
				    name, j, cfg->vms[j].line);
	memcpy(vm->name, name, n + 1);
	return 0;
}

static int parse_region(const struct ctx *c, const config_setting_t *g, const char *rkey,
			struct vm_config *vm, unsigned j)
{
	struct cfg_region *r = &vm->regions[j];
	config_setting_t *bs, *ss;
	char bkey[KEY_MAX], skey[KEY_MAX];

	if (expect_type(c, g, rkey, CONFIG_TYPE_GROUP) != 0 ||
	    check_keys(c, g, rkey, region_keys) != 0 ||
	    member(c, g, rkey, "base", true, CONFIG_TYPE_INT, &bs, bkey) != 0 ||
	    member(c, g, rkey, "size", true, CONFIG_TYPE_INT, &ss, skey) != 0 ||
	    get_uint(c, bs, bkey, &r->base) != 0 || get_uint(c, ss, skey, &r->size) != 0)
		return -1;
	r->line = line_of(g);
	if (r->base % CFG_PAGE_SIZE != 0)
		return fail(c, line_of(bs), bkey, "0x%" PRIx64 " is not a multiple of 4 KiB (0x%llx)",
			    r->base, CFG_PAGE_SIZE);
	if (r->size == 0)
		return fail(c, line_of(ss), skey, "must not be 0");
	if (r->size % CFG_PAGE_SIZE != 0)
		return fail(c, line_of(ss), skey, "0x%" PRIx64 " is not a multiple of 4 KiB (0x%llx)",
			    r->size, CFG_PAGE_SIZE);
	if (r->base >= CFG_GPA_LIMIT)
		return fail(c, line_of(bs), bkey,
			    "0x%" PRIx64 " is beyond the guest-physical limit 0x%llx", r->base,
			    CFG_GPA_LIMIT);
	/* Written so it cannot overflow: base < limit here. */
	if (r->size > CFG_GPA_LIMIT - r->base)
		return fail(c, line_of(ss), skey,
			    "region 0x%" PRIx64 " + 0x%" PRIx64
			    " ends beyond the guest-physical limit 0x%llx",
			    r->base, r->size, CFG_GPA_LIMIT);
	/* REQ-CFG-009: pairwise, in file order; the memory-map builder sorts. */
	for (unsigned k = 0; k < j; k++) {
		const struct cfg_region *o = &vm->regions[k];

		if (r->base < o->base + o->size && o->base < r->base + r->size)
			return fail(c, r->line, rkey,
				    "[0x%" PRIx64 ", 0x%" PRIx64 ") overlaps vms.[%u].memory.regions.[%u]"
				    " [0x%" PRIx64 ", 0x%" PRIx64 ") at line %d",
				    r->base, r->base + r->size, vm->index, k, o->base,
				    o->base + o->size, o->line);
	}
	return 0;
}

/* REQ-CFG-007, REQ-CFG-008 */
static int parse_memory(const struct ctx *c, const config_setting_t *g, const char *vkey,
			struct vm_config *vm)
{
	config_setting_t *mem, *regions, *ram;
	char mkey[KEY_MAX], rkey[KEY_MAX], key[KEY_MAX];
	unsigned n;

	if (member(c, g, vkey, "memory", true, CONFIG_TYPE_GROUP, &mem, mkey) != 0 ||
	    check_keys(c, mem, mkey, memory_keys) != 0)
		return -1;
	vm->memory_line = line_of(mem);
	regions = config_setting_get_member(mem, "regions");
	ram = config_setting_get_member(mem, "ram_mb");
	if (regions != NULL && ram != NULL)
		return fail(c, vm->memory_line, mkey, "has both regions and ram_mb; give one");
	if (regions == NULL && ram == NULL)
		return fail(c, vm->memory_line, mkey, "needs regions or ram_mb");
	if (ram != NULL)
		return opt_uint(c, mem, mkey, "ram_mb", 1, CFG_RAM_MB_MAX, &vm->ram_mb);

	if (member(c, mem, mkey, "regions", true, CONFIG_TYPE_LIST, &regions, rkey) != 0)
		return -1;
	n = (unsigned)config_setting_length(regions);
	if (n == 0)
		return fail(c, line_of(regions), rkey, "must list at least one region");
	for (unsigned j = 0; j < n; j++) {
		const config_setting_t *r = config_setting_get_elem(regions, j);

		elemkey(key, rkey, j);
		if (j >= CFG_MAX_REGIONS)
			return fail(c, line_of(r), key, "too many regions (at most %d)",
				    CFG_MAX_REGIONS);
		if (parse_region(c, r, key, vm, j) != 0)
			return -1;
	}
	vm->nregions = n;
	return 0;
}

/* An optional guest-physical load address (REQ-CFG-023): absent means the
 * loader chooses; 0 is refused rather than read as "choose". */
static int opt_addr(const struct ctx *c, const config_setting_t *g, const char *gkey,
		    const char *name, uint64_t *v, int *line)
{
	config_setting_t *s;
	char key[KEY_MAX];
	int r = read_opt_uint(c, g, gkey, name, &s, key, v);

	if (r <= 0)
		return r;
	*line = line_of(s);
	if (*v == 0)
		return fail(c, *line, key, "must not be 0 (leave the key out to let keel choose)");
	if (*v % CFG_PAGE_SIZE != 0)
		return fail(c, *line, key, "0x%" PRIx64 " is not a multiple of 4 KiB (0x%llx)", *v,
			    CFG_PAGE_SIZE);
	if (*v >= CFG_GPA_LIMIT)
		return fail(c, *line, key, "0x%" PRIx64 " is beyond the guest-physical limit 0x%llx",
			    *v, CFG_GPA_LIMIT);
	return 0;
}

/* REQ-CFG-024: keys that belong to the other protocol are errors, not
 * silently ignored. */
static int check_protocol_keys(const struct ctx *c, const config_setting_t *img,
			       const char *ikey, const struct vm_config *vm)
{
	char key[KEY_MAX];

	if (vm->protocol == BOOT_LINUX) {
		const config_setting_t *m = config_setting_get_member(img, "modules");

		subkey(key, ikey, "modules");
		if (m != NULL)
			return fail(c, line_of(m), key,
				    "protocol \"linux\" takes one initrd (image.initrd), not "
				    "modules");
		return 0;
	}
	for (const char *const *n = linux_only_keys; *n != NULL; n++) {
		const config_setting_t *s = config_setting_get_member(img, *n);

		subkey(key, ikey, *n);
		if (s != NULL)
			return fail(c, line_of(s), key, "only for protocol \"linux\"");
	}
	return 0;
}

/* REQ-CFG-022, REQ-CFG-023 */
static int parse_linux_image(const struct ctx *c, const config_setting_t *img,
			     const char *ikey, struct vm_config *vm)
{
	config_setting_t *s;
	char key[KEY_MAX];

	if (member(c, img, ikey, "initrd", false, CONFIG_TYPE_STRING, &s, key) != 0)
		return -1;
	if (s != NULL) {
		if (resolve_file(c, s, key, vm->initrd) != 0)
			return -1;
		vm->initrd_line = line_of(s);
	}
	if (opt_addr(c, img, ikey, "kernel_addr", &vm->kernel_addr, &vm->kernel_addr_line) != 0 ||
	    opt_addr(c, img, ikey, "initrd_addr", &vm->initrd_addr, &vm->initrd_addr_line) != 0)
		return -1;
	if (vm->initrd_addr != 0 && vm->initrd[0] == '\0') {
		subkey(key, ikey, "initrd_addr");
		return fail(c, vm->initrd_addr_line, key, "is given but image.initrd is not");
	}
	return 0;
}

/* REQ-CFG-011 .. REQ-CFG-014, REQ-CFG-022 .. REQ-CFG-024 */
static int parse_image(const struct ctx *c, const config_setting_t *g, const char *vkey,
		       struct vm_config *vm)
{
	config_setting_t *img, *s, *mods;
	char ikey[KEY_MAX], key[KEY_MAX], mkey[KEY_MAX], ekey[KEY_MAX];
	unsigned n;

	if (member(c, g, vkey, "image", true, CONFIG_TYPE_GROUP, &img, ikey) != 0 ||
	    check_keys(c, img, ikey, image_keys) != 0 ||
	    member(c, img, ikey, "kernel", true, CONFIG_TYPE_STRING, &s, key) != 0 ||
	    resolve_file(c, s, key, vm->kernel) != 0)
		return -1;
	vm->kernel_line = line_of(s);

	if (member(c, img, ikey, "protocol", false, CONFIG_TYPE_STRING, &s, key) != 0)
		return -1;
	if (s != NULL) {
		const char *p = config_setting_get_string(s);

		if (strcmp(p, "multiboot") == 0)
			vm->protocol = BOOT_MULTIBOOT;
		else if (strcmp(p, "linux") == 0)
			vm->protocol = BOOT_LINUX;
		else
			return fail(c, line_of(s), key,
				    "\"%s\" is not a boot protocol (allowed: multiboot, linux)", p);
	}
	if (opt_cmdline(c, img, ikey, vm->cmdline) != 0 ||
	    check_protocol_keys(c, img, ikey, vm) != 0)
		return -1;
	if (vm->protocol == BOOT_LINUX)
		return parse_linux_image(c, img, ikey, vm);
	if (member(c, img, ikey, "modules", false, CONFIG_TYPE_LIST, &mods, mkey) != 0)
		return -1;
	if (mods == NULL)
		return 0;
	n = (unsigned)config_setting_length(mods);
	for (unsigned j = 0; j < n; j++) {
		const config_setting_t *m = config_setting_get_elem(mods, j);
		struct cfg_module *mod = &vm->modules[j];

		elemkey(ekey, mkey, j);
		if (j >= CFG_MAX_MODULES)
			return fail(c, line_of(m), ekey, "too many modules (at most %d)",
				    CFG_MAX_MODULES);
		if (expect_type(c, m, ekey, CONFIG_TYPE_GROUP) != 0 ||
		    check_keys(c, m, ekey, module_keys) != 0 ||
		    member(c, m, ekey, "path", true, CONFIG_TYPE_STRING, &s, key) != 0 ||
		    resolve_file(c, s, key, mod->path) != 0 ||
		    opt_cmdline(c, m, ekey, mod->cmdline) != 0)
			return -1;
		mod->line = line_of(m);
	}
	vm->nmodules = n;
	return 0;
}

/* REQ-CFG-015 */
static int parse_timers(const struct ctx *c, const config_setting_t *g, const char *vkey,
			struct vm_config *vm)
{
	config_setting_t *t;
	char tkey[KEY_MAX];

	/* Absent timers are on: the default platform is a full PC. */
	vm->timers = (struct cfg_timers){ true, true, true, true, true, true };
	vm->timers_line = vm->line;
	if (member(c, g, vkey, "timers", false, CONFIG_TYPE_GROUP, &t, tkey) != 0)
		return -1;
	if (t == NULL)
		return 0;
	vm->timers_line = line_of(t);
	if (check_keys(c, t, tkey, timer_keys) != 0 ||
	    opt_bool(c, t, tkey, "pit", &vm->timers.pit) != 0 ||
	    opt_bool(c, t, tkey, "hpet", &vm->timers.hpet) != 0 ||
	    opt_bool(c, t, tkey, "lapic", &vm->timers.lapic) != 0 ||
	    opt_bool(c, t, tkey, "rtc", &vm->timers.rtc) != 0 ||
	    opt_bool(c, t, tkey, "pm_timer", &vm->timers.pm_timer) != 0 ||
	    opt_bool(c, t, tkey, "kvmclock", &vm->timers.kvmclock) != 0)
		return -1;
	return 0;
}

/* REQ-CFG-020, REQ-CFG-021: who emulates the interrupt controllers, and
 * the combinations no platform can give. */
static int parse_irqchip(const struct ctx *c, const config_setting_t *g, const char *vkey,
			 struct vm_config *vm, unsigned vcpus)
{
	config_setting_t *s;
	char key[KEY_MAX], tkey[KEY_MAX + 16];

	if (member(c, g, vkey, "irqchip", false, CONFIG_TYPE_STRING, &s, key) != 0)
		return -1;
	vm->irqchip = IRQCHIP_VMM;
	vm->irqchip_line = vm->line;
	if (s != NULL) {
		const char *m = config_setting_get_string(s);

		vm->irqchip_line = line_of(s);
		if (strcmp(m, "kernel") == 0)
			vm->irqchip = IRQCHIP_KERNEL;
		else if (strcmp(m, "vmm") != 0)
			return fail(c, line_of(s), key,
				    "\"%s\" is not an irqchip mode (allowed: vmm, kernel)", m);
	}
	snprintf(tkey, sizeof(tkey), "%s.timers.lapic", vkey);
	if (!vm->timers.lapic && vcpus > 1)
		return fail(c, vm->timers_line, tkey,
			    "a VM with %u vCPUs needs the local APIC to start its other CPUs "
			    "(set lapic = true or vcpus = 1)", vcpus);
	if (!vm->timers.lapic && vm->irqchip == IRQCHIP_KERNEL)
		return fail(c, vm->timers_line, tkey,
			    "irqchip = \"kernel\" always has KVM's local APIC "
			    "(set lapic = true or irqchip = \"vmm\")");
	return 0;
}

/* REQ-CFG-016: the file itself is created when the VM starts; only its
 * folder has to exist now. */
static int parse_serial(const struct ctx *c, const config_setting_t *g, const char *vkey,
			struct vm_config *vm)
{
	config_setting_t *ser, *s;
	char skey[KEY_MAX], key[KEY_MAX], dir[PATH_MAX];
	struct stat st;

	vm->serial_stdout = true;
	if (member(c, g, vkey, "serial", false, CONFIG_TYPE_GROUP, &ser, skey) != 0)
		return -1;
	if (ser == NULL)
		return 0;
	if (check_keys(c, ser, skey, serial_keys) != 0 ||
	    member(c, ser, skey, "output", false, CONFIG_TYPE_STRING, &s, key) != 0)
		return -1;
	if (s == NULL || strcmp(config_setting_get_string(s), "stdout") == 0)
		return 0;
	if (resolve(c, s, key, vm->serial_path) != 0)
		return -1;
	vm->serial_stdout = false;
	if (stat(vm->serial_path, &st) == 0 && S_ISDIR(st.st_mode))
		return fail(c, line_of(s), key, "'%s' is a folder, not a file", vm->serial_path);
	memcpy(dir, vm->serial_path, PATH_MAX);
	dirname(dir);
	if (stat(dir, &st) != 0)
		return fail(c, line_of(s), key, "folder '%s' of the output file: %s", dir,
			    strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return fail(c, line_of(s), key, "'%s' is not a folder", dir);
	return 0;
}

/* REQ-CFG-025 */
static int parse_on_reboot(const struct ctx *c, const config_setting_t *g, const char *vkey,
			   struct vm_config *vm)
{
	config_setting_t *s;
	char key[KEY_MAX];

	/* "exit" by default: a triple-faulting partition must not silently
	 * come back (and status 1 for a fault stays what it always was). */
	vm->on_reboot = REBOOT_EXIT;
	vm->on_reboot_line = vm->line;
	if (member(c, g, vkey, "on_reboot", false, CONFIG_TYPE_STRING, &s, key) != 0)
		return -1;
	if (s == NULL)
		return 0;
	vm->on_reboot_line = line_of(s);
	if (strcmp(config_setting_get_string(s), "restart") == 0)
		vm->on_reboot = REBOOT_RESTART;
	else if (strcmp(config_setting_get_string(s), "exit") != 0)
		return fail(c, line_of(s), key,
			    "\"%s\" is not a reboot action (allowed: restart, exit)",
			    config_setting_get_string(s));
	return 0;
}

static int parse_vm(const struct ctx *c, const config_setting_t *g, const char *vkey,
		    struct keel_config *cfg, struct vm_config *vm)
{
	uint64_t vcpus = 1;

	if (check_keys(c, g, vkey, vm_keys) != 0 || parse_name(c, g, vkey, cfg, vm) != 0 ||
	    opt_uint(c, g, vkey, "vcpus", 1, CFG_MAX_VCPUS, &vcpus) != 0 ||
	    parse_memory(c, g, vkey, vm) != 0 || parse_image(c, g, vkey, vm) != 0 ||
	    parse_timers(c, g, vkey, vm) != 0 ||
	    parse_irqchip(c, g, vkey, vm, (unsigned)vcpus) != 0 ||
	    parse_serial(c, g, vkey, vm) != 0 ||
	    opt_bool(c, g, vkey, "debug_exit", &vm->debug_exit) != 0 ||
	    parse_on_reboot(c, g, vkey, vm) != 0)
		return -1;
	vm->vcpus = (unsigned)vcpus;
	return 0;
}

/* REQ-CFG-002 */
static int parse_root(const struct ctx *c, const config_setting_t *root, struct keel_config *cfg)
{
	config_setting_t *vms;
	char key[KEY_MAX];
	unsigned n;

	if (check_keys(c, root, "", root_keys) != 0 ||
	    member(c, root, "", "vms", true, CONFIG_TYPE_LIST, &vms, key) != 0)
		return -1;
	n = (unsigned)config_setting_length(vms);
	if (n == 0)
		return fail(c, line_of(vms), "vms", "must list at least one VM");
	for (unsigned i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(vms, i);
		struct vm_config *vm = &cfg->vms[i];

		elemkey(key, "vms", i);
		if (i >= CFG_MAX_VMS)
			return fail(c, line_of(g), key, "too many VMs (at most %d)", CFG_MAX_VMS);
		if (expect_type(c, g, key, CONFIG_TYPE_GROUP) != 0)
			return -1;
		vm->index = i;
		vm->line = line_of(g);
		if (parse_vm(c, g, key, cfg, vm) != 0)
			return -1;
	}
	cfg->nvms = n;
	return 0;
}

/* Number of the last line of text (a final newline ends it, not starts one). */
static int count_lines(const char *text)
{
	int n = 1;

	for (const char *p = text; *p != '\0'; p++)
		n += *p == '\n' && p[1] != '\0';
	return n;
}

/* Parses the n bytes at text (no NUL among them). The caller has set up
 * out->path and an empty err. */
static int parse_text(const struct ctx *c, const char *text, size_t n, struct keel_config *out)
{
	config_t cfg;
	char *copy;
	int rc;

	/* A NUL-terminated copy, ending in a newline: libconfig 1.5 only ends a
	 * '#' or '//' comment at a newline, so a last line that is a comment
	 * without one would otherwise be a "syntax error". */
	copy = malloc(n + 2);
	if (copy == NULL)
		return fail(c, 1, NULL, "out of memory");
	memcpy(copy, text, n);
	copy[n] = '\n';
	copy[n + 1] = '\0';
	if (n > 0 && text[n - 1] == '\n')
		copy[n] = '\0';

	rc = check_no_include(c, copy);
	if (rc == 0) {
		config_init(&cfg);
		if (config_read_string(&cfg, copy) != CONFIG_TRUE) {
			/* REQ-CFG-001: libconfig's own line and text. At the end
			 * of the text libconfig counts one line past the last. */
			int line = config_error_line(&cfg), last = count_lines(copy);

			rc = fail(c, line < last ? line : last, NULL, "%s", config_error_text(&cfg));
		} else {
			rc = check_literals(c, copy, config_root_setting(&cfg));
			if (rc == 0)
				rc = parse_root(c, config_root_setting(&cfg), out);
		}
		config_destroy(&cfg);
	}
	/* Tags point into copy: free it only after the last look at them. */
	free(copy);
	return rc;
}

/* Sets out up for a parse of `file`: zeroed, path recorded, err empty. */
static void start(struct keel_config *out, const char *file, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->path, sizeof(out->path), "%s", file);
	if (err != NULL && errlen > 0)
		err[0] = '\0';
}

/* Nothing half-parsed may be mistaken for a result. */
static int finish(struct keel_config *out, int rc)
{
	if (rc != 0) {
		out->nvms = 0;
		memset(out->vms, 0, sizeof(out->vms));
	}
	return rc;
}

int config_parse_string(const char *text, const char *display_path, const char *base_dir,
			struct keel_config *out, char *err, size_t errlen)
{
	struct ctx c = { display_path ? display_path : "(config)", base_dir, err, errlen };

	start(out, c.file, err, errlen);
	return finish(out, parse_text(&c, text, strlen(text), out));
}

/* REQ-CFG-018 */
int config_load(const char *path, struct keel_config *out, char *err, size_t errlen)
{
	struct ctx c = { path, NULL, err, errlen };
	struct file_buf fb;
	char ferr[PATH_MAX + 64], dir[PATH_MAX];
	struct stat st;
	const uint8_t *nul;
	int rc;

	start(out, path, err, errlen);
	/* Refuse a huge file before reading it all. */
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > CFG_FILE_MAX)
		return fail(&c, 1, NULL, "file is %lld bytes; a system description is at most %u",
			    (long long)st.st_size, CFG_FILE_MAX);
	if (file_read_all(path, &fb, ferr, sizeof(ferr)) != 0) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s", ferr);
		return -1;
	}
	/* libconfig reads C strings: a NUL would silently end the file early. */
	nul = memchr(fb.data, 0, fb.size);
	if (nul != NULL) {
		int line = 1;

		for (const uint8_t *p = fb.data; p < nul; p++)
			line += *p == '\n';
		file_buf_free(&fb);
		return fail(&c, line, NULL, "contains a NUL byte; not a text file");
	}
	/* Relative paths in the file are relative to the file's folder. */
	snprintf(dir, sizeof(dir), "%s", path);
	c.base_dir = dirname(dir);
	rc = parse_text(&c, (const char *)fb.data, fb.size, out);
	file_buf_free(&fb);
	return finish(out, rc);
}
