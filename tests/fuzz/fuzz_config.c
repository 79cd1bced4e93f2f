/* verifies: REQ-CFG-001 REQ-CFG-004 REQ-CFG-005 REQ-CFG-006 REQ-CFG-007 REQ-CFG-008 REQ-CFG-009 REQ-CFG-010 REQ-CFG-013 REQ-CFG-014 REQ-CFG-019 */
/* libFuzzer target: any bytes as a system description. Whatever the input,
 * config_parse_string must not crash, leak or overrun (ASan/UBSan watch),
 * and must either fail with one "fuzz.cfg:LINE: ..." line or return values
 * the rest of keel can trust without checking again. base_dir is a temporary
 * folder with files "k" and "m" and folder "sub", so valid configs are
 * reachable (see tests/fuzz/seeds/fuzz_config/). */
#include "config/config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* libconfig 1.5 leaks a string token (allocated in its lexer) that its
 * parser drops on a syntax error (no bison %destructor): a library bug,
 * harmless for keel, which exits after a config error. Suppress exactly
 * those allocation sites; nothing of ours allocates through them. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:strbuf_append\nleak:libconfig_yylex\n";
}

static char g_dir[64];
static struct keel_config *g_cfg;
static char g_err[8192];

static void touch(const char *name)
{
	char p[128];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", g_dir, name);
	f = fopen(p, "w");
	if (f == NULL || fputs("x", f) == EOF || fclose(f) != 0) {
		perror(p);
		abort();
	}
}

static void cleanup(void)
{
	char p[128];

	snprintf(p, sizeof(p), "%s/k", g_dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/m", g_dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/sub", g_dir);
	rmdir(p);
	rmdir(g_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char p[128];

	(void)argc;
	(void)argv;
	snprintf(g_dir, sizeof(g_dir), "/tmp/keel-fuzz-config-XXXXXX");
	g_cfg = malloc(sizeof(*g_cfg));
	if (mkdtemp(g_dir) == NULL || g_cfg == NULL) {
		perror("fuzz_config init");
		abort();
	}
	touch("k");
	touch("m");
	snprintf(p, sizeof(p), "%s/sub", g_dir);
	if (mkdir(p, 0755) != 0) {
		perror(p);
		abort();
	}
	atexit(cleanup);
	return 0;
}

#define ENSURE(cond)                                                              \
	do {                                                                      \
		if (!(cond)) {                                                    \
			fprintf(stderr, "fuzz_config: invariant failed: %s (line %d)\n", \
				#cond, __LINE__);                                 \
			abort();                                                  \
		}                                                                 \
	} while (0)

static bool terminated(const char *s, size_t len)
{
	return memchr(s, '\0', len) != NULL;
}

static void check_vm(const struct keel_config *cfg, unsigned i)
{
	const struct vm_config *v = &cfg->vms[i];
	size_t n;

	ENSURE(v->index == i);
	ENSURE(v->line >= 1 && v->memory_line >= 1 && v->kernel_line >= 1);
	ENSURE(terminated(v->name, sizeof(v->name)));
	n = strlen(v->name);
	ENSURE(n >= 1 && n < CFG_NAME_MAX);
	ENSURE(strspn(v->name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			       "0123456789_-") == n);
	for (unsigned j = 0; j < i; j++)
		ENSURE(strcmp(cfg->vms[j].name, v->name) != 0);
	ENSURE(v->vcpus >= 1 && v->vcpus <= CFG_MAX_VCPUS);

	/* Exactly one memory form. */
	ENSURE((v->nregions > 0) != (v->ram_mb > 0));
	ENSURE(v->nregions <= CFG_MAX_REGIONS);
	ENSURE(v->ram_mb <= CFG_RAM_MB_MAX);
	for (unsigned j = 0; j < v->nregions; j++) {
		const struct cfg_region *r = &v->regions[j];

		ENSURE(r->line >= 1);
		ENSURE(r->base % CFG_PAGE_SIZE == 0 && r->size % CFG_PAGE_SIZE == 0);
		ENSURE(r->size > 0 && r->base < CFG_GPA_LIMIT && r->size <= CFG_GPA_LIMIT - r->base);
		for (unsigned k = 0; k < j; k++) {
			const struct cfg_region *o = &v->regions[k];

			ENSURE(r->base >= o->base + o->size || o->base >= r->base + r->size);
		}
	}
	for (unsigned j = v->nregions; j < CFG_MAX_REGIONS; j++)
		ENSURE(v->regions[j].size == 0);

	ENSURE(terminated(v->kernel, sizeof(v->kernel)) && v->kernel[0] != '\0');
	ENSURE(v->protocol == BOOT_MULTIBOOT || v->protocol == BOOT_LINUX);
	ENSURE(terminated(v->cmdline, sizeof(v->cmdline)));
	ENSURE(v->nmodules <= CFG_MAX_MODULES);
	for (unsigned j = 0; j < v->nmodules; j++) {
		const struct cfg_module *m = &v->modules[j];

		ENSURE(m->line >= 1);
		ENSURE(terminated(m->path, sizeof(m->path)) && m->path[0] != '\0');
		ENSURE(terminated(m->cmdline, sizeof(m->cmdline)));
	}
	ENSURE(terminated(v->serial_path, sizeof(v->serial_path)));
	ENSURE(v->serial_stdout == (v->serial_path[0] == '\0'));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	int rc;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(g_err, 'z', sizeof(g_err));
	rc = config_parse_string(text, "fuzz.cfg", g_dir, g_cfg, g_err, sizeof(g_err));
	free(text);

	ENSURE(rc == 0 || rc == -1);
	ENSURE(terminated(g_err, sizeof(g_err)));
	ENSURE(strcmp(g_cfg->path, "fuzz.cfg") == 0);
	if (rc != 0) {
		/* One line, "fuzz.cfg:LINE: ...", and no half-parsed result. */
		ENSURE(strncmp(g_err, "fuzz.cfg:", 9) == 0);
		ENSURE(g_err[9] >= '1' && g_err[9] <= '9');
		ENSURE(strchr(g_err, '\n') == NULL);
		ENSURE(g_cfg->nvms == 0);
		return 0;
	}
	ENSURE(g_err[0] == '\0');
	ENSURE(g_cfg->nvms >= 1 && g_cfg->nvms <= CFG_MAX_VMS);
	for (unsigned i = 0; i < g_cfg->nvms; i++)
		check_vm(g_cfg, i);
	return 0;
}
