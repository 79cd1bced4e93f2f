/* keel command line (REQ-CLI-*):
 *   keel run FILE     boot every VM of the system description
 *   keel check FILE   validate it and print the resolved layout, run nothing
 * Exit status: 0 clean stop; (V << 1) | 1 after a debug-exit write of V;
 * 1 guest fault or host failure; 2 bad input; 128+N stopped by signal N. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config/config.h"
#include "util/log.h"
#include "vm/layout.h"
#include "vm/vcpu.h"
#include "vm/vm.h"

#define KEEL_VERSION "0.1.0"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: keel [-v|-q] run FILE     boot the VMs described in FILE\n"
		"       keel [-v|-q] check FILE   validate FILE and print each VM's layout\n"
		"       keel --version\n"
		"  -v  more messages (debug)   -q  errors only\n"
		"exit status: 0 clean stop, (V<<1)|1 after the guest wrote V to port 0xf4,\n"
		"             1 guest fault or host failure, 2 bad input, 128+N signal N\n");
}

static int build_layouts(const struct keel_config *cfg, struct vm_layout *layouts)
{
	char err[1024];

	for (unsigned i = 0; i < cfg->nvms; i++) {
		if (vm_layout_build(cfg, i, &layouts[i], err, sizeof(err)) != 0) {
			log_err("%s", err);
			for (unsigned j = 0; j < i; j++)
				vm_layout_free(&layouts[j]);
			return -1;
		}
	}
	return 0;
}

static int cmd_check(const struct keel_config *cfg, struct vm_layout *layouts)
{
	for (unsigned i = 0; i < cfg->nvms; i++) {
		vm_layout_print(&layouts[i], stdout);
		vm_layout_free(&layouts[i]);
	}
	printf("%s: ok, %u VM%s\n", cfg->path, cfg->nvms, cfg->nvms == 1 ? "" : "s");
	return KEEL_EXIT_CLEAN;
}

static int run_one(struct vm_layout *l)
{
	char prefix[CFG_NAME_MAX + 8];

	snprintf(prefix, sizeof(prefix), "vm %s", l->vm->name);
	log_set_prefix(prefix);
	return vm_run(l);
}

/* REQ-CLI-006: each VM runs in its own process, so one VM's fault can never
 * touch another VM's memory or devices. The status is the first VM's (in
 * file order) that did not exit 0, or 0. */
static int cmd_run(const struct keel_config *cfg, struct vm_layout *layouts)
{
	pid_t pids[CFG_MAX_VMS];
	int result = KEEL_EXIT_CLEAN;

	if (cfg->nvms == 1) {
		int st = run_one(&layouts[0]);

		vm_layout_free(&layouts[0]);
		return st;
	}
	fflush(NULL);
	for (unsigned i = 0; i < cfg->nvms; i++) {
		pids[i] = fork();
		if (pids[i] < 0) {
			log_err("fork: %s", strerror(errno));
			pids[i] = 0;
			result = KEEL_EXIT_FAULT;
			continue;
		}
		if (pids[i] == 0)
			_exit(run_one(&layouts[i]));
	}
	for (unsigned i = 0; i < cfg->nvms; i++) {
		int wst, st;

		if (pids[i] == 0)
			continue;
		while (waitpid(pids[i], &wst, 0) < 0 && errno == EINTR)
			;
		st = WIFEXITED(wst) ? WEXITSTATUS(wst) : 128 + WTERMSIG(wst);
		if (st != 0)
			log_info("vm %s exited with status %d", layouts[i].vm->name, st);
		if (result == KEEL_EXIT_CLEAN)
			result = st;
		vm_layout_free(&layouts[i]);
	}
	return result;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	static struct keel_config cfg;
	static struct vm_layout layouts[CFG_MAX_VMS];
	char err[1024];
	const char *cmd;
	int c;

	while ((c = getopt_long(argc, argv, "+hvqV", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return KEEL_EXIT_CLEAN;
		case 'V':
			printf("keel %s\n", KEEL_VERSION);
			return KEEL_EXIT_CLEAN;
		case 'v':
			log_set_level(2);
			break;
		case 'q':
			log_set_level(0);
			break;
		default:
			usage(stderr);
			return KEEL_EXIT_USAGE;
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		return KEEL_EXIT_USAGE;
	}
	cmd = argv[optind];
	if (strcmp(cmd, "run") != 0 && strcmp(cmd, "check") != 0) {
		log_err("unknown command '%s'", cmd);
		usage(stderr);
		return KEEL_EXIT_USAGE;
	}
	if (config_load(argv[optind + 1], &cfg, err, sizeof(err)) != 0) {
		log_err("%s", err);
		return KEEL_EXIT_USAGE;
	}
	if (build_layouts(&cfg, layouts) != 0)
		return KEEL_EXIT_USAGE;
	if (strcmp(cmd, "check") == 0)
		return cmd_check(&cfg, layouts);
	return cmd_run(&cfg, layouts);
}
