/* The system description: a libconfig file listing the VMs (REQ-CFG-*).
 * It is validated once, completely, before anything runs; everything after
 * config_load() may assume the values are in range and consistent. */
#ifndef KEEL_CONFIG_CONFIG_H
#define KEEL_CONFIG_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CFG_MAX_VMS      8
#define CFG_MAX_REGIONS  16
#define CFG_MAX_MODULES  16
#define CFG_MAX_VCPUS    64
#define CFG_NAME_MAX     32     /* including NUL; [A-Za-z0-9_-]+ */
#define CFG_CMDLINE_MAX  4096   /* including NUL */
#define CFG_PAGE_SIZE    0x1000ULL
/* Guest-physical addresses must fit the 4-level paging limit of 2^46 bytes. */
#define CFG_GPA_LIMIT    (1ULL << 46)
#define CFG_RAM_MB_MAX   (64ULL * 1024)   /* 64 GiB */

enum boot_protocol { BOOT_MULTIBOOT = 0, BOOT_LINUX = 1 };

/* What a guest's reboot request does (REQ-CFG-025). */
enum reboot_action { REBOOT_EXIT = 0, REBOOT_RESTART = 1 };

/* Who emulates the interrupt controllers and the PIT (REQ-CFG-020). */
enum irqchip_mode { IRQCHIP_VMM = 0, IRQCHIP_KERNEL = 1 };

struct cfg_region {
	uint64_t base;
	uint64_t size;
	int line;               /* source line of this region, for messages */
};

struct cfg_module {
	char path[PATH_MAX];    /* resolved against the config file's folder */
	char cmdline[CFG_CMDLINE_MAX];
	int line;
};

struct cfg_timers {
	bool pit, hpet, lapic, rtc, pm_timer;
	bool kvmclock;          /* KVM's paravirtual clock offered (REQ-CFG-026) */
};

struct vm_config {
	char name[CFG_NAME_MAX];
	int line;               /* line of this VM's group */
	unsigned index;         /* position in vms, for "vms.[i]" keys */
	unsigned vcpus;

	/* Exactly one of: nregions > 0 (static map) or ram_mb > 0 (PC layout). */
	unsigned nregions;
	struct cfg_region regions[CFG_MAX_REGIONS];
	uint64_t ram_mb;
	int memory_line;

	char kernel[PATH_MAX];  /* resolved path */
	int kernel_line;
	enum boot_protocol protocol;
	char cmdline[CFG_CMDLINE_MAX];
	unsigned nmodules;
	struct cfg_module modules[CFG_MAX_MODULES];
	/* protocol "linux" only (REQ-CFG-022, REQ-CFG-023): */
	char initrd[PATH_MAX];  /* resolved path; "" = none */
	int initrd_line;
	uint64_t kernel_addr, initrd_addr;  /* 0 = chosen by the loader */
	int kernel_addr_line, initrd_addr_line;

	struct cfg_timers timers;   /* each defaults to true: a full PC */
	int timers_line;
	enum irqchip_mode irqchip;
	int irqchip_line;

	bool serial_stdout;     /* output = "stdout" */
	char serial_path[PATH_MAX]; /* resolved path when !serial_stdout */

	bool debug_exit;

	enum reboot_action on_reboot;
	int on_reboot_line;
};

struct keel_config {
	char path[PATH_MAX];    /* the file as given, used in messages */
	unsigned nvms;
	struct vm_config vms[CFG_MAX_VMS];
};

/* Parses and validates `path`. On error returns -1 and writes one message
 * "FILE:LINE: KEY: what is wrong" into err (REQ-CFG-010). */
int config_load(const char *path, struct keel_config *out, char *err, size_t errlen);

/* Same, from text in memory; base_dir resolves relative paths and
 * display_path names the source in messages. Used by tests and fuzzing. */
int config_parse_string(const char *text, const char *display_path, const char *base_dir,
			struct keel_config *out, char *err, size_t errlen);

#endif
