/* Unit tests of the system-description parser (src/config/config.c).
 * Error cases are tables: each row gives the text, and the line and key the
 * one-line message must start with ("t.cfg:LINE: KEY: "). */
#include "test.h"

#include "config/config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* A temporary folder with files "k", "m", "sub/k2" and folder "sub"; the
 * relative paths of the configs below resolve against it. */
static char g_dir[64];    /* short, so paths built from it always fit */
static struct keel_config *g_cfg;
static char g_err[2048];

static void put_file(const char *name, const void *data, size_t len)
{
	char p[PATH_MAX];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", g_dir, name);
	f = fopen(p, "wb");
	if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		perror(p);
		exit(2);
	}
}

static void remove_fixture(void)
{
	static const char *const files[] = { "k", "m", "sub/k2", "sys.cfg", "nul.cfg", "big.cfg",
					     "noread", NULL };
	char p[PATH_MAX];

	for (const char *const *f = files; *f != NULL; f++) {
		snprintf(p, sizeof(p), "%s/%s", g_dir, *f);
		unlink(p);
	}
	snprintf(p, sizeof(p), "%s/sub", g_dir);
	rmdir(p);
	rmdir(g_dir);
	free(g_cfg);
}

static void setup(void)
{
	char p[PATH_MAX];

	if (g_dir[0] != '\0')
		return;
	snprintf(g_dir, sizeof(g_dir), "/tmp/keel-test-config-XXXXXX");
	g_cfg = malloc(sizeof(*g_cfg));
	if (mkdtemp(g_dir) == NULL || g_cfg == NULL) {
		perror("setup");
		exit(2);
	}
	snprintf(p, sizeof(p), "%s/sub", g_dir);
	if (mkdir(p, 0755) != 0) {
		perror(p);
		exit(2);
	}
	put_file("k", "kernel", 6);
	put_file("m", "module", 6);
	put_file("sub/k2", "k2", 2);
	atexit(remove_fixture);
}

static int parse(const char *text)
{
	setup();
	memset(g_err, 0, sizeof(g_err));
	return config_parse_string(text, "t.cfg", g_dir, g_cfg, g_err, sizeof(g_err));
}

struct err_case {
	const char *text;
	int line;
	const char *key;        /* NULL: message without a key (syntax errors) */
	const char *what;
};

/* Checks one error case; reports (without stopping) on mismatch. */
static void check_err_at(const char *file, int tline, const struct err_case *e)
{
	char want[512];
	int rc = parse(e->text);

	if (e->key != NULL)
		snprintf(want, sizeof(want), "t.cfg:%d: %s: ", e->line, e->key);
	else
		snprintf(want, sizeof(want), "t.cfg:%d: ", e->line);
	if (rc != -1 || strncmp(g_err, want, strlen(want)) != 0 ||
	    strstr(g_err, e->what) == NULL || strchr(g_err, '\n') != NULL || g_cfg->nvms != 0)
		test_fail(file, tline, "rc %d, message \"%s\": want \"%s...%s\" for:\n%s", rc, g_err,
			  want, e->what, e->text);
}

#define CHECK_ERRS(cases)                                                         \
	do {                                                                      \
		for (size_t i_ = 0; i_ < sizeof(cases) / sizeof((cases)[0]); i_++) \
			check_err_at(__FILE__, __LINE__, &(cases)[i_]);           \
	} while (0)

#define CHECK_OK(text)                                                            \
	do {                                                                      \
		if (parse(text) != 0) {                                           \
			test_fail(__FILE__, __LINE__, "unexpected error \"%s\" for:\n%s", \
				  g_err, text);                                   \
			return;                                                   \
		}                                                                 \
	} while (0)

/* Building blocks of a minimal VM; HEAD is lines 1-3, so the first line
 * after it is line 4. */
#define HEAD "vms = (\n  {\n    name = \"a\";\n"
#define MEM  "    memory = { ram_mb = 16; };\n"
#define IMG  "    image = { kernel = \"k\"; };\n"
#define TAIL "  }\n);\n"
#define MINI HEAD MEM IMG TAIL
#define REGION(r) HEAD "    memory = { regions = ( " r " ); };\n" IMG TAIL
#define IMAGE(i) HEAD MEM "    image = { kernel = \"k\"; " i " };\n" TAIL

/* Appends printf output to a growing text buffer (tests build big configs). */
static void append(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void append(char *buf, size_t len, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

TEST(config_full, "REQ-CFG-002 REQ-CFG-005 REQ-CFG-006 REQ-CFG-007 REQ-CFG-008 REQ-CFG-011 "
		  "REQ-CFG-012 REQ-CFG-013 REQ-CFG-014 REQ-CFG-015 REQ-CFG-016 REQ-CFG-017")
{
	static char text[8192];
	char want[PATH_MAX];
	const struct vm_config *v;

	setup();
	snprintf(text, sizeof(text),
		 "# full system description\n"
		 "vms = (\n"
		 "  {\n"
		 "    name = \"rtos-1_A\";\n"
		 "    vcpus = 2;\n"
		 "    memory = {\n"
		 "      regions = (\n"
		 "        { base = 0x100000; size = 0x200000; },\n"
		 "        { base = 0x0; size = 0x9f000; },\n"
		 "        { base = 0x100000000L; size = 0x40000000L; },\n"
		 "        { base = 0xC0000000; size = 4096; }\n"
		 "      );\n"
		 "    };\n"
		 "    image = {\n"
		 "      kernel = \"k\";\n"
		 "      protocol = \"multiboot\";\n"
		 "      cmdline = \"hello world\";\n"
		 "      modules = (\n"
		 "        { path = \"m\"; cmdline = \"data\"; },\n"
		 "        { path = \"sub/k2\"; }\n"
		 "      );\n"
		 "    };\n"
		 "    timers = { pit = true; hpet = true; lapic = true; rtc = true; pm_timer = true; };\n"
		 "    serial = { output = \"sub/serial.log\"; };\n"
		 "    debug_exit = true;\n"
		 "  },\n"
		 "  {\n"
		 "    name = \"linux\";\n"
		 "    memory = { ram_mb = 4096; };\n"
		 "    image = { kernel = \"%s/k\"; protocol = \"linux\"; };\n"
		 "    timers = { pit = false; };\n"
		 "    serial = { output = \"stdout\"; };\n"
		 "    debug_exit = false;\n"
		 "  }\n"
		 ");\n",
		 g_dir);
	CHECK_OK(text);
	CHECK(strcmp(g_cfg->path, "t.cfg") == 0);
	CHECK_EQ(g_cfg->nvms, 2);

	v = &g_cfg->vms[0];
	CHECK(strcmp(v->name, "rtos-1_A") == 0);
	CHECK_EQ(v->line, 3);
	CHECK_EQ(v->index, 0);
	CHECK_EQ(v->vcpus, 2);
	CHECK_EQ(v->memory_line, 6);
	CHECK_EQ(v->ram_mb, 0);
	CHECK_EQ(v->nregions, 4);
	/* File order is kept. */
	CHECK_EQ(v->regions[0].base, 0x100000);
	CHECK_EQ(v->regions[0].size, 0x200000);
	CHECK_EQ(v->regions[0].line, 8);
	CHECK_EQ(v->regions[1].base, 0);
	CHECK_EQ(v->regions[1].size, 0x9f000);
	CHECK_EQ(v->regions[1].line, 9);
	CHECK_EQ(v->regions[2].base, 0x100000000ULL);
	CHECK_EQ(v->regions[2].size, 0x40000000ULL);
	CHECK_EQ(v->regions[2].line, 10);
	/* A 32-bit hex literal with the top bit set is unsigned, not negative. */
	CHECK_EQ(v->regions[3].base, 0xC0000000ULL);
	CHECK_EQ(v->regions[3].size, 0x1000);
	CHECK_EQ(v->regions[3].line, 11);
	snprintf(want, sizeof(want), "%s/k", g_dir);
	CHECK(strcmp(v->kernel, want) == 0);
	CHECK_EQ(v->kernel_line, 15);
	CHECK_EQ(v->protocol, BOOT_MULTIBOOT);
	CHECK(strcmp(v->cmdline, "hello world") == 0);
	CHECK_EQ(v->nmodules, 2);
	snprintf(want, sizeof(want), "%s/m", g_dir);
	CHECK(strcmp(v->modules[0].path, want) == 0);
	CHECK(strcmp(v->modules[0].cmdline, "data") == 0);
	CHECK_EQ(v->modules[0].line, 19);
	snprintf(want, sizeof(want), "%s/sub/k2", g_dir);
	CHECK(strcmp(v->modules[1].path, want) == 0);
	CHECK(strcmp(v->modules[1].cmdline, "") == 0);
	CHECK_EQ(v->modules[1].line, 20);
	CHECK(v->timers.pit && v->timers.hpet && v->timers.lapic && v->timers.rtc &&
	      v->timers.pm_timer);
	CHECK(!v->serial_stdout);
	snprintf(want, sizeof(want), "%s/sub/serial.log", g_dir);
	CHECK(strcmp(v->serial_path, want) == 0);
	CHECK(v->debug_exit);

	v = &g_cfg->vms[1];
	CHECK(strcmp(v->name, "linux") == 0);
	CHECK_EQ(v->line, 27);
	CHECK_EQ(v->index, 1);
	CHECK_EQ(v->vcpus, 1);
	CHECK_EQ(v->nregions, 0);
	CHECK_EQ(v->ram_mb, 4096);
	CHECK_EQ(v->memory_line, 29);
	snprintf(want, sizeof(want), "%s/k", g_dir);
	CHECK(strcmp(v->kernel, want) == 0);   /* absolute path kept */
	CHECK_EQ(v->kernel_line, 30);
	CHECK_EQ(v->protocol, BOOT_LINUX);
	CHECK(!v->timers.pit && v->timers.hpet);   /* absent timers default to on */
	CHECK(v->timers.kvmclock);
	CHECK(v->serial_stdout);
	CHECK(!v->debug_exit);
}

TEST(config_defaults, "REQ-CFG-006 REQ-CFG-012 REQ-CFG-013 REQ-CFG-014 REQ-CFG-015 REQ-CFG-016 "
		      "REQ-CFG-017")
{
	const struct vm_config *v;

	CHECK_OK(MINI);
	v = &g_cfg->vms[0];
	CHECK_EQ(g_cfg->nvms, 1);
	CHECK_EQ(v->vcpus, 1);
	CHECK_EQ(v->ram_mb, 16);
	CHECK_EQ(v->nregions, 0);
	CHECK_EQ(v->protocol, BOOT_MULTIBOOT);
	CHECK(strcmp(v->cmdline, "") == 0);
	CHECK_EQ(v->nmodules, 0);
	CHECK(v->timers.pit && v->timers.hpet && v->timers.lapic && v->timers.rtc &&
	      v->timers.pm_timer);
	CHECK_EQ(v->irqchip, IRQCHIP_VMM);
	CHECK(v->serial_stdout);
	CHECK(strcmp(v->serial_path, "") == 0);
	CHECK(!v->debug_exit);

	/* Empty optional groups and lists keep the defaults too. */
	CHECK_OK(HEAD MEM "    image = { kernel = \"k\"; modules = ( ); };\n"
		 "    timers = { };\n    serial = { };\n" TAIL);
	CHECK_EQ(v->nmodules, 0);
	CHECK(v->timers.pit);
	CHECK(v->serial_stdout);
}

TEST(config_syntax_error, "REQ-CFG-001 REQ-CFG-010")
{
	static const struct err_case cases[] = {
		{ "vms = (\n  {\n    name = ;\n", 3, NULL, "syntax error" },
		{ HEAD "    name = \"b\";\n" MEM IMG TAIL, 4, NULL, "duplicate setting name" },
		{ "vms = (\n  {\n    name = \"a\";\n    vcpus = = 1;\n", 4, NULL, "syntax error" },
		/* Terminators are optional in libconfig: the error is at the end. */
		{ "vms = (\n  {\n    name = \"a\"\n    vcpus = 1;\n", 4, NULL, "syntax error" },
		{ "vms = (\n  {\n    name = \"a\"\n    vcpus = 1;", 4, NULL, "syntax error" },
		{ "vms = (\n\n\n", 3, NULL, "syntax error" },
		{ "vms", 1, NULL, "syntax error" },
		{ "vms = (\n  { name = \"unterminated; }\n);\n", 3, NULL, "syntax error" },
		{ "# refuses includes\n  @include \"other.cfg\"\n", 2, NULL,
		  "@include is not supported" },
		{ MINI "@include \"x\"", 8, NULL, "@include is not supported" },
	};

	CHECK_ERRS(cases);
}

TEST(config_unknown_keys, "REQ-CFG-003 REQ-CFG-010")
{
	static const struct err_case cases[] = {
		{ MINI "foo = 1;\n", 8, "foo", "unknown key (allowed: vms)" },
		{ HEAD "    cpus = 2;\n" MEM IMG TAIL, 4, "vms.[0].cpus",
		  "unknown key (allowed: name, vcpus, memory, image, timers, irqchip, serial, debug_exit, "
		  "on_reboot)" },
		{ HEAD "    memory = {\n      ram_mb = 16;\n      size = 1;\n    };\n" IMG TAIL, 6,
		  "vms.[0].memory.size", "unknown key (allowed: regions, ram_mb)" },
		{ REGION("{ base = 0; size = 0x1000; flags = 1; }"), 4,
		  "vms.[0].memory.regions.[0].flags", "unknown key (allowed: base, size)" },
		{ IMAGE("ramdisk = \"m\";"), 5, "vms.[0].image.ramdisk",
		  "unknown key (allowed: kernel, protocol, cmdline, modules, initrd, kernel_addr, "
		  "initrd_addr)" },
		{ HEAD MEM "    image = { kernel = \"k\";\n"
		  "      modules = ( { path = \"m\"; name = \"x\"; } ); };\n" TAIL, 6,
		  "vms.[0].image.modules.[0].name", "unknown key (allowed: path, cmdline)" },
		{ HEAD MEM IMG "    timers = { pit = true; apic = false; };\n" TAIL, 6,
		  "vms.[0].timers.apic", "unknown key (allowed: pit, hpet, lapic, rtc, pm_timer, kvmclock)" },
		{ HEAD MEM IMG "    serial = { file = \"x\"; };\n" TAIL, 6, "vms.[0].serial.file",
		  "unknown key (allowed: output)" },
	};

	CHECK_ERRS(cases);
}

TEST(config_wrong_types, "REQ-CFG-004 REQ-CFG-010")
{
	static const struct err_case cases[] = {
		{ "vms = { a = 1; };\n", 1, "vms", "expected a list ( ... ), got a group { ... }" },
		{ "vms = [ 1, 2 ];\n", 1, "vms", "expected a list ( ... ), got an array [ ... ]" },
		{ "vms = ( 1 );\n", 1, "vms.[0]", "expected a group { ... }, got an integer" },
		{ "vms = (\n  {\n    name = 5;\n" MEM IMG TAIL, 3, "vms.[0].name",
		  "expected a string, got an integer" },
		{ HEAD "    vcpus = \"2\";\n" MEM IMG TAIL, 4, "vms.[0].vcpus",
		  "expected an integer, got a string" },
		{ HEAD "    vcpus = 2.0;\n" MEM IMG TAIL, 4, "vms.[0].vcpus",
		  "expected an integer, got a float" },
		{ HEAD "    memory = ( );\n" IMG TAIL, 4, "vms.[0].memory",
		  "expected a group { ... }, got a list ( ... )" },
		{ HEAD "    memory = { regions = { base = 0; size = 4096; }; };\n" IMG TAIL, 4,
		  "vms.[0].memory.regions", "expected a list ( ... ), got a group { ... }" },
		{ REGION("5"), 4, "vms.[0].memory.regions.[0]",
		  "expected a group { ... }, got an integer" },
		{ REGION("{ base = \"0\"; size = 4096; }"), 4, "vms.[0].memory.regions.[0].base",
		  "expected an integer, got a string" },
		{ REGION("{ base = 0; size = true; }"), 4, "vms.[0].memory.regions.[0].size",
		  "expected an integer, got a boolean" },
		{ HEAD "    memory = { ram_mb = \"16\"; };\n" IMG TAIL, 4, "vms.[0].memory.ram_mb",
		  "expected an integer, got a string" },
		{ HEAD MEM "    image = \"k\";\n" TAIL, 5, "vms.[0].image",
		  "expected a group { ... }, got a string" },
		{ HEAD MEM "    image = { kernel = 1; };\n" TAIL, 5, "vms.[0].image.kernel",
		  "expected a string, got an integer" },
		{ IMAGE("protocol = true;"), 5, "vms.[0].image.protocol",
		  "expected a string, got a boolean" },
		{ IMAGE("cmdline = 1;"), 5, "vms.[0].image.cmdline", "expected a string" },
		{ IMAGE("modules = { path = \"m\"; };"), 5, "vms.[0].image.modules",
		  "expected a list ( ... ), got a group" },
		{ IMAGE("modules = ( \"m\" );"), 5, "vms.[0].image.modules.[0]",
		  "expected a group { ... }, got a string" },
		{ IMAGE("modules = ( { path = 1; } );"), 5, "vms.[0].image.modules.[0].path",
		  "expected a string, got an integer" },
		{ IMAGE("modules = ( { path = \"m\"; cmdline = 1; } );"), 5,
		  "vms.[0].image.modules.[0].cmdline", "expected a string, got an integer" },
		{ HEAD MEM IMG "    timers = true;\n" TAIL, 6, "vms.[0].timers",
		  "expected a group { ... }, got a boolean" },
		{ HEAD MEM IMG "    timers = { pit = 1; };\n" TAIL, 6, "vms.[0].timers.pit",
		  "expected a boolean (true or false), got an integer" },
		{ HEAD MEM IMG "    timers = { hpet = \"no\"; };\n" TAIL, 6, "vms.[0].timers.hpet",
		  "expected a boolean (true or false), got a string" },
		{ HEAD MEM IMG "    timers = { lapic = 0; };\n" TAIL, 6, "vms.[0].timers.lapic",
		  "expected a boolean" },
		{ HEAD MEM IMG "    timers = { rtc = 0; };\n" TAIL, 6, "vms.[0].timers.rtc",
		  "expected a boolean" },
		{ HEAD MEM IMG "    timers = { pm_timer = 0; };\n" TAIL, 6, "vms.[0].timers.pm_timer",
		  "expected a boolean" },
		{ HEAD MEM IMG "    serial = \"stdout\";\n" TAIL, 6, "vms.[0].serial",
		  "expected a group { ... }, got a string" },
		{ HEAD MEM IMG "    serial = { output = true; };\n" TAIL, 6, "vms.[0].serial.output",
		  "expected a string, got a boolean" },
		{ HEAD MEM IMG "    debug_exit = 1;\n" TAIL, 6, "vms.[0].debug_exit",
		  "expected a boolean (true or false), got an integer" },
		{ HEAD MEM IMG "    debug_exit = [ true ];\n" TAIL, 6, "vms.[0].debug_exit",
		  "expected a boolean (true or false), got an array" },
	};

	CHECK_ERRS(cases);
}

TEST(config_missing_keys, "REQ-CFG-002 REQ-CFG-005 REQ-CFG-007 REQ-CFG-008 REQ-CFG-011 "
			  "REQ-CFG-014 REQ-CFG-010")
{
	static const struct err_case cases[] = {
		{ "", 1, "vms", "missing (required)" },
		{ "# nothing here\n", 1, "vms", "missing (required)" },
		{ "vms = ( );\n", 1, "vms", "must list at least one VM" },
		{ "vms = (\n  {\n" MEM IMG TAIL, 2, "vms.[0].name", "missing (required)" },
		{ HEAD IMG TAIL, 2, "vms.[0].memory", "missing (required)" },
		{ HEAD MEM TAIL, 2, "vms.[0].image", "missing (required)" },
		{ HEAD MEM "    image = { cmdline = \"x\"; };\n" TAIL, 5, "vms.[0].image.kernel",
		  "missing (required)" },
		{ REGION("{ size = 4096; }"), 4, "vms.[0].memory.regions.[0].base",
		  "missing (required)" },
		{ REGION("{ base = 0; }"), 4, "vms.[0].memory.regions.[0].size",
		  "missing (required)" },
		{ IMAGE("modules = ( { cmdline = \"x\"; } );"), 5, "vms.[0].image.modules.[0].path",
		  "missing (required)" },
		{ HEAD "    memory = { };\n" IMG TAIL, 4, "vms.[0].memory", "needs regions or ram_mb" },
		{ HEAD "    memory = {\n      ram_mb = 16;\n      regions = ( { base = 0; size = 4096; } );\n"
		  "    };\n" IMG TAIL, 4, "vms.[0].memory", "has both regions and ram_mb" },
	};

	CHECK_ERRS(cases);
}

TEST(config_names, "REQ-CFG-005 REQ-CFG-010")
{
	static const struct err_case cases[] = {
		{ "vms = (\n  {\n    name = \"\";\n" MEM IMG TAIL, 3, "vms.[0].name",
		  "must be 1 to 31 characters, got 0" },
		{ "vms = (\n  {\n    name = \"abcdefghijklmnopqrstuvwxyz012345\";\n" MEM IMG TAIL, 3,
		  "vms.[0].name", "must be 1 to 31 characters, got 32" },
		{ "vms = (\n  {\n    name = \"a b\";\n" MEM IMG TAIL, 3, "vms.[0].name",
		  "character 2 (0x20) is not one of A-Z a-z 0-9 _ -" },
		{ "vms = (\n  {\n    name = \"vm.1\";\n" MEM IMG TAIL, 3, "vms.[0].name",
		  "character 3 (0x2e)" },
		{ "vms = (\n"
		  "  { name = \"a\"; memory = { ram_mb = 16; }; image = { kernel = \"k\"; }; },\n"
		  "  { name = \"b\"; memory = { ram_mb = 16; }; image = { kernel = \"k\"; }; },\n"
		  "  {\n"
		  "    name = \"a\"; memory = { ram_mb = 16; }; image = { kernel = \"k\"; }; }\n"
		  ");\n",
		  5, "vms.[2].name", "\"a\" is already the name of vms.[0] (line 2)" },
	};

	CHECK_ERRS(cases);
	CHECK_OK("vms = (\n  {\n    name = \"Az09_-abcdefghijklmnopqrstuvwxy\";\n" MEM IMG TAIL);
	CHECK(strcmp(g_cfg->vms[0].name, "Az09_-abcdefghijklmnopqrstuvwxy") == 0);
}

TEST(config_vm_count, "REQ-CFG-002 REQ-CFG-010")
{
	static char text[4096];
	static const struct err_case cases[] = {
		{ "vms = ( { name = \"a\"; memory = { ram_mb = 16; }; image = { kernel = \"k\"; }; },\n"
		  "        { name = \"b\"; memory = { ram_mb = 16; }; image = { kernel = \"k\"; }; },\n"
		  "        { name = \"c\"; memory = { ram_mb = 16; }; image = { kernel = \"k\"; }; },\n"
		  "        { name = \"d\"; memory = { ram_mb = 16; }; image = { kernel = \"k\"; }; },\n"
		  "        { name = \"e\"; memory = { ram_mb = 16; }; image = { kernel = \"k\"; }; },\n"
		  "        { name = \"f\"; memory = { ram_mb = 16; }; image = { kernel = \"k\"; }; },\n"
		  "        { name = \"g\"; memory = { ram_mb = 16; }; image = { kernel = \"k\"; }; },\n"
		  "        { name = \"h\"; memory = { ram_mb = 16; }; image = { kernel = \"k\"; }; },\n"
		  "        { name = \"i\"; memory = { ram_mb = 16; }; image = { kernel = \"k\"; }; } );\n",
		  9, "vms.[8]", "too many VMs (at most 8)" },
	};

	CHECK_ERRS(cases);
	text[0] = '\0';
	append(text, sizeof(text), "vms = (\n");
	for (int i = 0; i < CFG_MAX_VMS; i++)
		append(text, sizeof(text),
		       "  { name = \"vm%d\"; memory = { ram_mb = 16; }; image = { kernel = \"k\"; }; }%s\n",
		       i, i + 1 < CFG_MAX_VMS ? "," : "");
	append(text, sizeof(text), ");\n");
	CHECK_OK(text);
	CHECK_EQ(g_cfg->nvms, CFG_MAX_VMS);
	CHECK(strcmp(g_cfg->vms[7].name, "vm7") == 0);
	CHECK_EQ(g_cfg->vms[7].index, 7);
	CHECK_EQ(g_cfg->vms[7].line, 9);
}

TEST(config_vcpus, "REQ-CFG-006 REQ-CFG-004 REQ-CFG-010")
{
	static const struct err_case cases[] = {
		{ HEAD "    vcpus = 0;\n" MEM IMG TAIL, 4, "vms.[0].vcpus", "must be 1 to 64, got 0" },
		{ HEAD "    vcpus = 65;\n" MEM IMG TAIL, 4, "vms.[0].vcpus", "must be 1 to 64, got 65" },
		{ HEAD "    vcpus = -1;\n" MEM IMG TAIL, 4, "vms.[0].vcpus",
		  "must not be negative, got -1" },
		{ HEAD "    vcpus = -1L;\n" MEM IMG TAIL, 4, "vms.[0].vcpus",
		  "must not be negative, got -1" },
		{ HEAD "    vcpus = 0x100000000L;\n" MEM IMG TAIL, 4, "vms.[0].vcpus",
		  "must be 1 to 64, got 4294967296" },
	};

	CHECK_ERRS(cases);
	CHECK_OK(HEAD "    vcpus = 64;\n" MEM IMG TAIL);
	CHECK_EQ(g_cfg->vms[0].vcpus, 64);
	CHECK_OK(HEAD "    vcpus = 0x40;\n" MEM IMG TAIL);
	CHECK_EQ(g_cfg->vms[0].vcpus, 64);
	CHECK_OK(HEAD "    vcpus = 3L;\n" MEM IMG TAIL);
	CHECK_EQ(g_cfg->vms[0].vcpus, 3);
	CHECK_OK(HEAD "    vcpus = 1;\n" MEM IMG TAIL);
	CHECK_EQ(g_cfg->vms[0].vcpus, 1);
}

TEST(config_ram_mb, "REQ-CFG-007 REQ-CFG-010")
{
	static const struct err_case cases[] = {
		{ HEAD "    memory = { ram_mb = 0; };\n" IMG TAIL, 4, "vms.[0].memory.ram_mb",
		  "must be 1 to 65536, got 0" },
		{ HEAD "    memory = { ram_mb = 65537; };\n" IMG TAIL, 4, "vms.[0].memory.ram_mb",
		  "must be 1 to 65536, got 65537" },
	};

	CHECK_ERRS(cases);
	CHECK_OK(HEAD "    memory = { ram_mb = 65536; };\n" IMG TAIL);
	CHECK_EQ(g_cfg->vms[0].ram_mb, 65536);
	CHECK_EQ(g_cfg->vms[0].nregions, 0);
	CHECK_OK(HEAD "    memory = { ram_mb = 1; };\n" IMG TAIL);
	CHECK_EQ(g_cfg->vms[0].ram_mb, 1);
}

TEST(config_regions, "REQ-CFG-008 REQ-CFG-010")
{
	static const struct err_case cases[] = {
		{ REGION("{ base = 0x1234; size = 0x1000; }"), 4, "vms.[0].memory.regions.[0].base",
		  "0x1234 is not a multiple of 4 KiB" },
		{ REGION("{ base = 0x1000; size = 0x1800; }"), 4, "vms.[0].memory.regions.[0].size",
		  "0x1800 is not a multiple of 4 KiB" },
		{ REGION("{ base = 0x1000; size = 0; }"), 4, "vms.[0].memory.regions.[0].size",
		  "must not be 0" },
		{ REGION("{ base = 0x400000000000L; size = 0x1000; }"), 4,
		  "vms.[0].memory.regions.[0].base", "is beyond the guest-physical limit 0x400000000000" },
		{ REGION("{ base = 0x3FFFFFFFF000L; size = 0x2000; }"), 4,
		  "vms.[0].memory.regions.[0].size", "ends beyond the guest-physical limit" },
		/* base + size would wrap around 2^64 */
		{ REGION("{ base = 0x2000; size = 0xFFFFFFFFFFFFF000L; }"), 4,
		  "vms.[0].memory.regions.[0].size", "ends beyond the guest-physical limit" },
		{ REGION("{ base = 0xFFFFFFFFFFFFF000L; size = 0x2000; }"), 4,
		  "vms.[0].memory.regions.[0].base", "is beyond the guest-physical limit" },
		{ REGION("{ base = -4096; size = 0x1000; }"), 4, "vms.[0].memory.regions.[0].base",
		  "must not be negative" },
		{ HEAD "    memory = { regions = ( ); };\n" IMG TAIL, 4, "vms.[0].memory.regions",
		  "must list at least one region" },
	};

	CHECK_ERRS(cases);
	/* Up to the limit exactly is fine; regions may touch. */
	CHECK_OK(REGION("{ base = 0x3FFFFFFFF000L; size = 0x1000; },"
			"{ base = 0; size = 0x1000; }, { base = 0x1000; size = 0x1000; }"));
	CHECK_EQ(g_cfg->vms[0].nregions, 3);
	CHECK_EQ(g_cfg->vms[0].regions[0].base, 0x3FFFFFFFF000ULL);
	CHECK_EQ(g_cfg->vms[0].memory_line, 4);
}

TEST(config_region_overlap, "REQ-CFG-009 REQ-CFG-010")
{
	static const struct err_case cases[] = {
		{ HEAD "    memory = {\n"
		  "      regions = (\n"
		  "        { base = 0x0; size = 0x2000; },\n"
		  "        { base = 0x10000; size = 0x1000; },\n"
		  "        { base = 0x1000; size = 0x1000; }\n"
		  "      );\n"
		  "    };\n" IMG TAIL,
		  8, "vms.[0].memory.regions.[2]",
		  "[0x1000, 0x2000) overlaps vms.[0].memory.regions.[0] [0x0, 0x2000) at line 6" },
		/* The later region encloses an earlier one. */
		{ HEAD "    memory = {\n"
		  "      regions = (\n"
		  "        { base = 0x0; size = 0x1000; },\n"
		  "        { base = 0x10000; size = 0x1000; },\n"
		  "        { base = 0x8000; size = 0x100000; }\n"
		  "      );\n"
		  "    };\n" IMG TAIL,
		  8, "vms.[0].memory.regions.[2]", "overlaps vms.[0].memory.regions.[1]" },
		/* Identical regions. */
		{ REGION("{ base = 0x0; size = 0x1000; }, { base = 0x0; size = 0x1000; }"), 4,
		  "vms.[0].memory.regions.[1]", "overlaps vms.[0].memory.regions.[0]" },
	};

	CHECK_ERRS(cases);
}

TEST(config_region_count, "REQ-CFG-008 REQ-CFG-010")
{
	static char text[8192];
	struct err_case e = { text, 4 + 1 + CFG_MAX_REGIONS + 1, "vms.[0].memory.regions.[16]",
			      "too many regions (at most 16)" };

	for (int n = CFG_MAX_REGIONS; n <= CFG_MAX_REGIONS + 1; n++) {
		text[0] = '\0';
		append(text, sizeof(text), HEAD "    memory = {\n      regions = (\n");
		for (int i = 0; i < n; i++)
			append(text, sizeof(text), "        { base = 0x%x; size = 0x1000; }%s\n",
			       i * 0x1000, i + 1 < n ? "," : "");
		append(text, sizeof(text), "      );\n    };\n" IMG TAIL);
		if (n == CFG_MAX_REGIONS) {
			CHECK_OK(text);
			CHECK_EQ(g_cfg->vms[0].nregions, CFG_MAX_REGIONS);
			CHECK_EQ(g_cfg->vms[0].regions[15].base, 0xf000);
			CHECK_EQ(g_cfg->vms[0].regions[15].line, 6 + 15);
		} else {
			check_err_at(__FILE__, __LINE__, &e);
		}
	}
}

TEST(config_kernel, "REQ-CFG-011 REQ-CFG-010")
{
	static char longpath[PATH_MAX + 100], text[PATH_MAX + 400], missing[PATH_MAX + 200];
	static const struct err_case cases[] = {
		{ HEAD MEM "    image = { kernel = \"\"; };\n" TAIL, 5, "vms.[0].image.kernel",
		  "must not be empty" },
		{ HEAD MEM "    image = { kernel = \"sub\"; };\n" TAIL, 5, "vms.[0].image.kernel",
		  "/sub' is not a regular file" },
		{ HEAD MEM "    image = { kernel = \"/dev/null\"; };\n" TAIL, 5, "vms.[0].image.kernel",
		  "'/dev/null' is not a regular file" },
	};
	struct err_case e = { text, 5, "vms.[0].image.kernel", missing };

	CHECK_ERRS(cases);

	setup();
	snprintf(missing, sizeof(missing), "cannot open '%s/nope': No such file or directory", g_dir);
	snprintf(text, sizeof(text), HEAD MEM "    image = {\n      kernel = \"nope\"; };\n" TAIL);
	e.line = 6;
	check_err_at(__FILE__, __LINE__, &e);

	memset(longpath, 'x', PATH_MAX);
	longpath[PATH_MAX] = '\0';
	snprintf(text, sizeof(text), HEAD MEM "    image = { kernel = \"%s\"; };\n" TAIL, longpath);
	e.line = 5;
	e.what = "is too long";
	check_err_at(__FILE__, __LINE__, &e);

	/* Unreadable: root reads anything with mode 000, but not this one. */
	if (geteuid() == 0) {
		snprintf(text, sizeof(text),
			 HEAD MEM "    image = { kernel = \"/proc/sys/vm/compact_memory\"; };\n" TAIL);
	} else {
		char p[PATH_MAX];

		put_file("noread", "x", 1);
		snprintf(p, sizeof(p), "%s/noread", g_dir);
		CHECK(chmod(p, 0) == 0);
		snprintf(text, sizeof(text), HEAD MEM "    image = { kernel = \"noread\"; };\n" TAIL);
	}
	if (access("/proc/sys/vm/compact_memory", F_OK) == 0 || geteuid() != 0) {
		e.what = "Permission denied";
		check_err_at(__FILE__, __LINE__, &e);
	}
}

TEST(config_image_options, "REQ-CFG-012 REQ-CFG-013 REQ-CFG-010")
{
	static char text[2 * CFG_CMDLINE_MAX + 512], big[CFG_CMDLINE_MAX + 1];
	static const struct err_case cases[] = {
		{ IMAGE("protocol = \"elf\";"), 5, "vms.[0].image.protocol",
		  "\"elf\" is not a boot protocol (allowed: multiboot, linux)" },
		{ IMAGE("protocol = \"\";"), 5, "vms.[0].image.protocol", "is not a boot protocol" },
	};
	struct err_case e = { text, 5, "vms.[0].image.cmdline",
			      "is 4096 bytes long, at most 4095 allowed" };

	CHECK_ERRS(cases);
	memset(big, 'c', CFG_CMDLINE_MAX);
	big[CFG_CMDLINE_MAX] = '\0';
	snprintf(text, sizeof(text), IMAGE("cmdline = \"%s\";"), big);
	check_err_at(__FILE__, __LINE__, &e);
	snprintf(text, sizeof(text), IMAGE("modules = ( { path = \"m\"; cmdline = \"%s\"; } );"), big);
	e.key = "vms.[0].image.modules.[0].cmdline";
	check_err_at(__FILE__, __LINE__, &e);

	big[CFG_CMDLINE_MAX - 1] = '\0';    /* 4095 bytes fit */
	snprintf(text, sizeof(text), IMAGE("cmdline = \"%s\"; modules = ( { path = \"m\"; cmdline = \"%s\"; } );"),
		 big, big);
	CHECK_OK(text);
	CHECK_EQ(strlen(g_cfg->vms[0].cmdline), CFG_CMDLINE_MAX - 1);
	CHECK_EQ(strlen(g_cfg->vms[0].modules[0].cmdline), CFG_CMDLINE_MAX - 1);
	/* String escapes and concatenation reach the guest as written. */
	CHECK_OK(IMAGE("cmdline = \"a \\\"b\\\" \" \"c\\\\d\";"));
	CHECK(strcmp(g_cfg->vms[0].cmdline, "a \"b\" c\\d") == 0);
}

TEST(config_modules, "REQ-CFG-014 REQ-CFG-010")
{
	static char text[8192], missing[PATH_MAX + 100];
	struct err_case e = { text, 6, "vms.[0].image.modules.[0].path", missing };

	setup();
	snprintf(missing, sizeof(missing), "cannot open '%s/gone': No such file", g_dir);
	snprintf(text, sizeof(text), IMAGE("\n      modules = ( { path = \"gone\"; } );"));
	check_err_at(__FILE__, __LINE__, &e);
	snprintf(text, sizeof(text), IMAGE("\n      modules = ( { path = \"sub\"; } );"));
	e.what = "is not a regular file";
	check_err_at(__FILE__, __LINE__, &e);
	snprintf(text, sizeof(text), IMAGE("\n      modules = ( { path = \"\"; } );"));
	e.what = "must not be empty";
	check_err_at(__FILE__, __LINE__, &e);

	for (int n = CFG_MAX_MODULES; n <= CFG_MAX_MODULES + 1; n++) {
		text[0] = '\0';
		append(text, sizeof(text), HEAD MEM "    image = {\n      kernel = \"k\";\n      modules = (\n");
		for (int i = 0; i < n; i++)
			append(text, sizeof(text), "        { path = \"m\"; cmdline = \"m%d\"; }%s\n", i,
			       i + 1 < n ? "," : "");
		append(text, sizeof(text), "      );\n    };\n" TAIL);
		if (n == CFG_MAX_MODULES) {
			CHECK_OK(text);
			CHECK_EQ(g_cfg->vms[0].nmodules, CFG_MAX_MODULES);
			CHECK(strcmp(g_cfg->vms[0].modules[15].cmdline, "m15") == 0);
			CHECK_EQ(g_cfg->vms[0].modules[15].line, 8 + 15);
		} else {
			e.line = 8 + CFG_MAX_MODULES;
			e.key = "vms.[0].image.modules.[16]";
			e.what = "too many modules (at most 16)";
			check_err_at(__FILE__, __LINE__, &e);
		}
	}
}

TEST(config_serial, "REQ-CFG-016 REQ-CFG-010")
{
	static char text[1024], what[PATH_MAX + 100];
	struct err_case e = { text, 6, "vms.[0].serial.output", what };
	char want[PATH_MAX];

	setup();
	snprintf(text, sizeof(text), HEAD MEM IMG "    serial = { output = \"nodir/out.log\"; };\n" TAIL);
	snprintf(what, sizeof(what), "folder '%s/nodir' of the output file: No such file", g_dir);
	check_err_at(__FILE__, __LINE__, &e);
	snprintf(text, sizeof(text), HEAD MEM IMG "    serial = { output = \"k/out.log\"; };\n" TAIL);
	snprintf(what, sizeof(what), "'%s/k' is not a folder", g_dir);
	check_err_at(__FILE__, __LINE__, &e);
	snprintf(text, sizeof(text), HEAD MEM IMG "    serial = { output = \"sub\"; };\n" TAIL);
	snprintf(what, sizeof(what), "'%s/sub' is a folder, not a file", g_dir);
	check_err_at(__FILE__, __LINE__, &e);
	snprintf(text, sizeof(text), HEAD MEM IMG "    serial = { output = \"\"; };\n" TAIL);
	snprintf(what, sizeof(what), "must not be empty");
	check_err_at(__FILE__, __LINE__, &e);

	CHECK_OK(HEAD MEM IMG "    serial = { output = \"out.log\"; };\n" TAIL);
	CHECK(!g_cfg->vms[0].serial_stdout);
	snprintf(want, sizeof(want), "%s/out.log", g_dir);
	CHECK(strcmp(g_cfg->vms[0].serial_path, want) == 0);
	/* An existing file is fine (it is replaced when the VM starts). */
	CHECK_OK(HEAD MEM IMG "    serial = { output = \"m\"; };\n" TAIL);
	CHECK(!g_cfg->vms[0].serial_stdout);
	CHECK_OK(HEAD MEM IMG "    serial = { output = \"stdout\"; };\n" TAIL);
	CHECK(g_cfg->vms[0].serial_stdout);
	CHECK(strcmp(g_cfg->vms[0].serial_path, "") == 0);
}

TEST(config_debug_exit_timers, "REQ-CFG-015 REQ-CFG-017")
{
	CHECK_OK(HEAD MEM IMG "    debug_exit = true;\n"
		 "    timers = { rtc = true; lapic = TRUE; pit = false; pm_timer = false; };\n" TAIL);
	CHECK(g_cfg->vms[0].debug_exit);
	CHECK(g_cfg->vms[0].timers.rtc && g_cfg->vms[0].timers.lapic && g_cfg->vms[0].timers.hpet);
	CHECK(!g_cfg->vms[0].timers.pit && !g_cfg->vms[0].timers.pm_timer);
}

TEST(config_irqchip, "REQ-CFG-020 REQ-CFG-021 REQ-CFG-010")
{
	static const struct err_case cases[] = {
		{ HEAD MEM IMG "    irqchip = \"qemu\";\n" TAIL, 6, "vms.[0].irqchip",
		  "\"qemu\" is not an irqchip mode (allowed: vmm, kernel)" },
		{ HEAD MEM IMG "    irqchip = 1;\n" TAIL, 6, "vms.[0].irqchip", "" },
		{ HEAD "    vcpus = 2;\n" MEM IMG "    timers = { lapic = false; };\n" TAIL, 7,
		  "vms.[0].timers.lapic", "a VM with 2 vCPUs needs the local APIC" },
		{ HEAD MEM IMG "    timers = { lapic = false; };\n    irqchip = \"kernel\";\n" TAIL, 6,
		  "vms.[0].timers.lapic", "irqchip = \"kernel\" always has KVM's local APIC" },
	};

	CHECK_OK(HEAD MEM IMG "    irqchip = \"kernel\";\n" TAIL);
	CHECK_EQ(g_cfg->vms[0].irqchip, IRQCHIP_KERNEL);
	CHECK_EQ(g_cfg->vms[0].irqchip_line, 6);
	CHECK_OK(HEAD MEM IMG "    irqchip = \"vmm\";\n    timers = { lapic = false; };\n" TAIL);
	CHECK_EQ(g_cfg->vms[0].irqchip, IRQCHIP_VMM);
	CHECK(!g_cfg->vms[0].timers.lapic);
	CHECK_ERRS(cases);
}

/* libconfig keeps un-suffixed literals in 32 bits and wraps larger ones
 * silently; keel refuses them with the key of the setting. */
TEST(config_int_literals, "REQ-CFG-004 REQ-CFG-010")
{
	static const struct err_case cases[] = {
		{ REGION("{ base = 0x0; size = 0x100000000; }"), 4, "vms.[0].memory.regions.[0].size",
		  "integer 0x100000000 does not fit in 32 bits; write 0x100000000L for a 64-bit integer" },
		{ REGION("{ base = 2147483648; size = 0x1000; }"), 4, "vms.[0].memory.regions.[0].base",
		  "integer 2147483648 does not fit in 32 bits" },
		{ HEAD "    memory = { ram_mb = 4294967312; };\n" IMG TAIL, 4, "vms.[0].memory.ram_mb",
		  "integer 4294967312 does not fit in 32 bits" },
		{ HEAD "    vcpus = -2147483649;\n" MEM IMG TAIL, 4, "vms.[0].vcpus",
		  "integer -2147483649 does not fit in 32 bits" },
		{ REGION("{ base = 99999999999999999999L; size = 0x1000; }"), 4,
		  "vms.[0].memory.regions.[0].base", "integer 99999999999999999999L does not fit in 64 bits" },
		{ REGION("{ base = 0; size = 0x10000000000000000LL; }"), 4,
		  "vms.[0].memory.regions.[0].size", "integer 0x10000000000000000LL does not fit in 64 bits" },
		{ REGION("{ base = 9223372036854775808L; size = 0x1000; }"), 4,
		  "vms.[0].memory.regions.[0].base", "does not fit in 64 bits" },
		/* In range for libconfig, so only the sign is wrong. */
		{ HEAD "    vcpus = -2147483648;\n" MEM IMG TAIL, 4, "vms.[0].vcpus",
		  "must not be negative, got -2147483648" },
		{ REGION("{ base = -9223372036854775808L; size = 0x1000; }"), 4,
		  "vms.[0].memory.regions.[0].base", "must not be negative" },
		/* Comments, strings, names, floats, and bools before the bad literal
		 * must not shift the pairing of literals with settings. */
		{ "# 4294967296 in a comment\n"
		  "vms = ( {                    // 0x100000000 too\n"
		  "  timers = ( 1.5, .5, 1e5, -2.5e+3, 1.e2, +.5, 5E3, 1e+5, 2E-3, 1.5E+2, 4.5e3,\n"
		  "             -7, +8, 0x1f, 0XaBcDeF, 3L, TRUE );\n"
		  "  /* 99999999999999999999\n     4294967296 */\n"
		  "  image = { cmdline = \"9999999999 \\\" 0x100000000 \\\\\"; kernel = \"k\"; };\n"
		  "  serial = { out-2 = 5; x*3_y = 0x7; *z = 1; };\n"
		  "  name = \"a\";\n"
		  "  vcpus = 4294967296;\n"
		  "  memory = { ram_mb = 16; };\n"
		  "} );\n",
		  10, "vms.[0].vcpus", "integer 4294967296 does not fit in 32 bits" },
		{ HEAD "    memory = { ram_mb = 99999999999999999999; };\n" IMG TAIL, 4,
		  "vms.[0].memory.ram_mb", "integer 99999999999999999999 does not fit in 32 bits" },
	};

	CHECK_ERRS(cases);
	CHECK_OK(REGION("{ base = 0x100000000L; size = 2147483648L; },"
			"{ base = 0xFFFFF000; size = 0x1000LL; }, { base = 4096; size = 2147479552; }"));
	CHECK_EQ(g_cfg->vms[0].regions[0].base, 0x100000000ULL);
	CHECK_EQ(g_cfg->vms[0].regions[0].size, 0x80000000ULL);
	CHECK_EQ(g_cfg->vms[0].regions[1].base, 0xFFFFF000ULL);
	CHECK_EQ(g_cfg->vms[0].regions[1].size, 0x1000);
	CHECK_EQ(g_cfg->vms[0].regions[2].size, 2147479552ULL);
	CHECK_OK(REGION("{ base = 0XABC000; size = 0X1000; }"));
	CHECK_EQ(g_cfg->vms[0].regions[0].base, 0xABC000);
	/* Comments running to the end of the text (libconfig accepts an
	 * unterminated block comment). */
	CHECK_OK(MINI "# 4294967296 and no newline");
	CHECK_OK(MINI "// 4294967296 and no newline");
	CHECK_OK(MINI "/* 4294967296 * / and never closed");
}

/* Deeper nesting than the schema allows: literals are then checked without
 * pairing them to keys, with the right line. */
TEST(config_int_literals_deep, "REQ-CFG-004 REQ-CFG-003 REQ-CFG-010")
{
	static char text[8192];
	for (int bad = 0; bad <= 1; bad++) {
		struct err_case e = { text, 12, NULL, "integer 4294967296 does not fit in 32 bits" };

		text[0] = '\0';
		append(text, sizeof(text), MINI "x = \"multi\nline\";\n/* a\n b */ deep = ");
		for (int i = 0; i < 40; i++)
			append(text, sizeof(text), "{ d = ");
		append(text, sizeof(text), "\n%s;", bad ? "4294967296" : "1");
		for (int i = 0; i < 40; i++)
			append(text, sizeof(text), " }%s", i + 1 < 40 ? ";" : "");
		append(text, sizeof(text), ";\n");
		if (bad) {
			check_err_at(__FILE__, __LINE__, &e);
		} else {
			e.line = 8;
			e.key = "x";
			e.what = "unknown key (allowed: vms)";
			check_err_at(__FILE__, __LINE__, &e);
		}
	}
}

TEST(config_messages, "REQ-CFG-010 REQ-CFG-019")
{
	static struct keel_config cfg;
	char small[16];

	/* No buffer, or a tiny one, is still an error and never overflows. */
	CHECK_EQ(config_parse_string("vms = 1;", "t.cfg", NULL, &cfg, NULL, 0), -1);
	CHECK_EQ(config_parse_string("vms = 1;", "t.cfg", NULL, &cfg, small, 0), -1);
	memset(small, 'z', sizeof(small));
	CHECK_EQ(config_parse_string("vms = 1;", "t.cfg", NULL, &cfg, small, sizeof(small)), -1);
	CHECK(strcmp(small, "t.cfg:1: vms: e") == 0);
	memset(small, 'z', sizeof(small));
	CHECK_EQ(config_parse_string("vms = 1;", "a-very-long-name.cfg", NULL, &cfg, small,
				     sizeof(small)), -1);
	CHECK(memchr(small, '\0', sizeof(small)) != NULL);
	/* No display path. */
	CHECK_EQ(config_parse_string("vms = 1;", NULL, NULL, &cfg, g_err, sizeof(g_err)), -1);
	CHECK_STR_CONTAINS(g_err, "(config):1: vms: expected a list");
	/* A relative kernel with no base folder resolves against the cwd. */
	CHECK_EQ(config_parse_string(HEAD MEM "    image = { kernel = \"keel-no-such-file\"; };\n" TAIL,
				     "t.cfg", NULL, &cfg, g_err, sizeof(g_err)), -1);
	CHECK_STR_CONTAINS(g_err, "t.cfg:5: vms.[0].image.kernel: cannot open 'keel-no-such-file'");
	/* Control characters from the file do not reach the terminal. */
	CHECK_EQ(config_parse_string(HEAD MEM "    image = { kernel = \"a\nb\\x1b[2J\"; };\n" TAIL,
				     "t.cfg", NULL, &cfg, g_err, sizeof(g_err)), -1);
	CHECK_STR_CONTAINS(g_err, "t.cfg:5: vms.[0].image.kernel: cannot open 'a?b?[2J'");
	/* Failure leaves no VM behind. */
	CHECK_EQ(cfg.nvms, 0);
	CHECK_STR_CONTAINS(cfg.path, "t.cfg");
}

TEST(config_load_file, "REQ-CFG-018 REQ-CFG-011 REQ-CFG-010")
{
	static const char text[] = MINI;
	static const char nul[] = "vms = (\n  {\0\n";
	char path[128], want[PATH_MAX + 100];
	int fd;

	setup();
	put_file("sys.cfg", text, sizeof(text) - 1);
	snprintf(path, sizeof(path), "%s/sys.cfg", g_dir);
	CHECK_EQ(config_load(path, g_cfg, g_err, sizeof(g_err)), 0);
	CHECK(strcmp(g_cfg->path, path) == 0);
	CHECK_EQ(g_cfg->nvms, 1);
	snprintf(want, sizeof(want), "%s/k", g_dir);   /* relative to the file's folder */
	CHECK(strcmp(g_cfg->vms[0].kernel, want) == 0);

	put_file("sys.cfg", HEAD MEM "    image = { kernel = \"x\"; };\n" TAIL,
		 sizeof(HEAD MEM "    image = { kernel = \"x\"; };\n" TAIL) - 1);
	CHECK_EQ(config_load(path, g_cfg, g_err, sizeof(g_err)), -1);
	snprintf(want, sizeof(want), "%s:5: vms.[0].image.kernel: cannot open '%s/x'", path, g_dir);
	CHECK_STR_CONTAINS(g_err, want);

	snprintf(path, sizeof(path), "%s/none.cfg", g_dir);
	CHECK_EQ(config_load(path, g_cfg, g_err, sizeof(g_err)), -1);
	CHECK_STR_CONTAINS(g_err, "none.cfg");
	CHECK_STR_CONTAINS(g_err, "No such file or directory");
	CHECK_EQ(config_load(path, g_cfg, NULL, 0), -1);

	CHECK_EQ(config_load(g_dir, g_cfg, g_err, sizeof(g_err)), -1);
	CHECK_STR_CONTAINS(g_err, "is not a regular file");

	put_file("nul.cfg", nul, sizeof(nul) - 1);
	snprintf(path, sizeof(path), "%s/nul.cfg", g_dir);
	CHECK_EQ(config_load(path, g_cfg, g_err, sizeof(g_err)), -1);
	snprintf(want, sizeof(want), "%s:2: contains a NUL byte", path);
	CHECK_STR_CONTAINS(g_err, want);

	snprintf(path, sizeof(path), "%s/big.cfg", g_dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	CHECK(ftruncate(fd, (1 << 20) + 1) == 0);
	close(fd);
	CHECK_EQ(config_load(path, g_cfg, g_err, sizeof(g_err)), -1);
	snprintf(want, sizeof(want), "%s:1: file is 1048577 bytes", path);
	CHECK_STR_CONTAINS(g_err, want);
}

/* Linux image keys: an initrd file and pinned load addresses. */
#define LINUX_IMG(i) HEAD MEM "    image = { kernel = \"k\"; protocol = \"linux\"; " i " };\n" TAIL

TEST(config_linux_image, "REQ-CFG-022 REQ-CFG-023 REQ-CFG-011 REQ-CFG-010")
{
	static char text[1024], what[PATH_MAX + 100];
	struct err_case e = { text, 6, "vms.[0].image.initrd", what };
	const struct vm_config *v;
	char want[PATH_MAX];

	setup();
	v = &g_cfg->vms[0];
	CHECK_OK(HEAD MEM "    image = {\n      kernel = \"k\";\n      protocol = \"linux\";\n"
		 "      initrd = \"m\";\n      kernel_addr = 0x2000000;\n"
		 "      initrd_addr = 0x100000000L;\n    };\n" TAIL);
	snprintf(want, sizeof(want), "%s/m", g_dir);
	CHECK(strcmp(v->initrd, want) == 0);   /* relative to the config folder */
	CHECK_EQ(v->initrd_line, 8);
	CHECK_EQ(v->kernel_addr, 0x2000000);
	CHECK_EQ(v->kernel_addr_line, 9);
	CHECK_EQ(v->initrd_addr, 0x100000000ULL);
	CHECK_EQ(v->initrd_addr_line, 10);
	CHECK_EQ(v->protocol, BOOT_LINUX);

	/* Defaults: no initrd, addresses chosen by the loader. */
	CHECK_OK(LINUX_IMG(""));
	CHECK(strcmp(v->initrd, "") == 0);
	CHECK_EQ(v->kernel_addr, 0);
	CHECK_EQ(v->initrd_addr, 0);
	/* Largest page-aligned address below the limit. */
	CHECK_OK(LINUX_IMG("kernel_addr = 0x3ffffffff000L;"));
	CHECK_EQ(v->kernel_addr, CFG_GPA_LIMIT - 0x1000);

	/* The initrd is checked like the kernel. */
	setup();
	snprintf(text, sizeof(text), HEAD MEM "    image = { kernel = \"k\"; protocol = \"linux\";\n"
		 "      initrd = \"gone\"; };\n" TAIL);
	snprintf(what, sizeof(what), "cannot open '%s/gone': No such file", g_dir);
	check_err_at(__FILE__, __LINE__, &e);
	snprintf(text, sizeof(text), HEAD MEM "    image = { kernel = \"k\"; protocol = \"linux\";\n"
		 "      initrd = \"sub\"; };\n" TAIL);
	snprintf(what, sizeof(what), "'%s/sub' is not a regular file", g_dir);
	check_err_at(__FILE__, __LINE__, &e);
	snprintf(text, sizeof(text), HEAD MEM "    image = { kernel = \"k\"; protocol = \"linux\";\n"
		 "      initrd = \"\"; };\n" TAIL);
	snprintf(what, sizeof(what), "must not be empty");
	check_err_at(__FILE__, __LINE__, &e);
}

TEST(config_linux_image_errors, "REQ-CFG-022 REQ-CFG-023 REQ-CFG-004 REQ-CFG-010")
{
	static const struct err_case cases[] = {
		{ LINUX_IMG("initrd = 5;"), 5, "vms.[0].image.initrd",
		  "expected a string, got an integer" },
		{ LINUX_IMG("kernel_addr = \"0x1000000\";"), 5, "vms.[0].image.kernel_addr",
		  "expected an integer, got a string" },
		{ LINUX_IMG("initrd = \"m\"; initrd_addr = true;"), 5, "vms.[0].image.initrd_addr",
		  "expected an integer, got a boolean" },
		{ LINUX_IMG("kernel_addr = 0x1000800;"), 5, "vms.[0].image.kernel_addr",
		  "0x1000800 is not a multiple of 4 KiB (0x1000)" },
		{ LINUX_IMG("initrd = \"m\"; initrd_addr = 0x7fff001;"), 5,
		  "vms.[0].image.initrd_addr", "0x7fff001 is not a multiple of 4 KiB" },
		{ LINUX_IMG("kernel_addr = 0;"), 5, "vms.[0].image.kernel_addr",
		  "must not be 0 (leave the key out to let keel choose)" },
		{ LINUX_IMG("initrd = \"m\"; initrd_addr = 0;"), 5, "vms.[0].image.initrd_addr",
		  "must not be 0" },
		{ LINUX_IMG("kernel_addr = 0x400000000000L;"), 5, "vms.[0].image.kernel_addr",
		  "0x400000000000 is beyond the guest-physical limit 0x400000000000" },
		{ LINUX_IMG("initrd = \"m\"; initrd_addr = 0xfffffffffffff000L;"), 5,
		  "vms.[0].image.initrd_addr", "is beyond the guest-physical limit" },
		{ LINUX_IMG("kernel_addr = -4096;"), 5, "vms.[0].image.kernel_addr",
		  "must not be negative" },
		{ LINUX_IMG("kernel_addr = 0x100000000;"), 5, "vms.[0].image.kernel_addr",
		  "does not fit in 32 bits; write 0x100000000L" },
		{ LINUX_IMG("initrd_addr = 0x8000000;"), 5, "vms.[0].image.initrd_addr",
		  "is given but image.initrd is not" },
	};

	CHECK_ERRS(cases);
}

TEST(config_protocol_keys, "REQ-CFG-024 REQ-CFG-010")
{
	static const struct err_case cases[] = {
		{ IMAGE("initrd = \"m\";"), 5, "vms.[0].image.initrd",
		  "only for protocol \"linux\"" },
		{ IMAGE("protocol = \"multiboot\";\n      kernel_addr = 0x100000;"), 6,
		  "vms.[0].image.kernel_addr", "only for protocol \"linux\"" },
		{ IMAGE("initrd_addr = 0x100000;"), 5, "vms.[0].image.initrd_addr",
		  "only for protocol \"linux\"" },
		/* The protocol decides before the value is looked at. */
		{ IMAGE("initrd = 5;"), 5, "vms.[0].image.initrd", "only for protocol \"linux\"" },
		{ LINUX_IMG("\n      modules = ( { path = \"m\"; } );"), 6, "vms.[0].image.modules",
		  "protocol \"linux\" takes one initrd (image.initrd), not modules" },
		{ LINUX_IMG("modules = ( );"), 5, "vms.[0].image.modules", "not modules" },
	};

	CHECK_ERRS(cases);
	/* Multiboot keeps its modules. */
	CHECK_OK(IMAGE("protocol = \"multiboot\"; modules = ( { path = \"m\"; } );"));
	CHECK_EQ(g_cfg->vms[0].nmodules, 1);
}

TEST(config_on_reboot, "REQ-CFG-025 REQ-CFG-004 REQ-CFG-010")
{
	static const struct err_case cases[] = {
		{ HEAD MEM IMG "    on_reboot = \"halt\";\n" TAIL, 6, "vms.[0].on_reboot",
		  "\"halt\" is not a reboot action (allowed: restart, exit)" },
		{ HEAD MEM IMG "    on_reboot = \"\";\n" TAIL, 6, "vms.[0].on_reboot",
		  "is not a reboot action" },
		{ HEAD MEM IMG "    on_reboot = true;\n" TAIL, 6, "vms.[0].on_reboot",
		  "expected a string, got a boolean" },
		{ HEAD MEM IMG "    on_reboot = 1;\n" TAIL, 6, "vms.[0].on_reboot",
		  "expected a string, got an integer" },
	};

	CHECK_OK(MINI);
	CHECK_EQ(g_cfg->vms[0].on_reboot, REBOOT_EXIT);      /* the default */
	CHECK_EQ(g_cfg->vms[0].on_reboot_line, 2);
	CHECK_OK(HEAD MEM IMG "    on_reboot = \"exit\";\n" TAIL);
	CHECK_EQ(g_cfg->vms[0].on_reboot, REBOOT_EXIT);
	CHECK_EQ(g_cfg->vms[0].on_reboot_line, 6);
	CHECK_OK(HEAD MEM IMG "    on_reboot = \"restart\";\n" TAIL);
	CHECK_EQ(g_cfg->vms[0].on_reboot, REBOOT_RESTART);
	CHECK_ERRS(cases);
}

TEST(config_kvmclock, "REQ-CFG-026 REQ-CFG-015")
{
	CHECK_OK(HEAD MEM IMG "    timers = { kvmclock = false; };\n" TAIL);
	CHECK(!g_cfg->vms[0].timers.kvmclock && g_cfg->vms[0].timers.pit);
	CHECK_OK(HEAD MEM IMG TAIL);
	CHECK(g_cfg->vms[0].timers.kvmclock);
	{
		static const struct err_case cases[] = {
			{ HEAD MEM IMG "    timers = { kvmclock = 1; };\n" TAIL, 6,
			  "vms.[0].timers.kvmclock", "expected a boolean" },
		};
		CHECK_ERRS(cases);
	}
}
