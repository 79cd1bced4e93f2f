/* Everything about a VM that can be decided before it runs: its memory map,
 * its image files, and the boot plan. `keel check` prints it; `keel run`
 * builds the VM from it. Errors name the config file, line and key. */
#ifndef KEEL_VM_LAYOUT_H
#define KEEL_VM_LAYOUT_H

#include <stdbool.h>
#include <stdio.h>

#include "boot/boot.h"
#include "config/config.h"
#include "fw/acpi.h"
#include "fw/bda.h"
#include "fw/mptable.h"
#include "mem/memmap.h"
#include "util/file.h"

struct vm_layout {
	const struct keel_config *cfg;
	const struct vm_config *vm;
	struct memmap mm;
	struct file_buf kernel;
	struct file_buf modules[CFG_MAX_MODULES];
	struct boot_plan plan;
	struct bda_image bda;    /* firmware data the plan points into */
	struct file_buf initrd;  /* protocol "linux" */
	uint8_t acpi[ACPI_BUILD_MAX];        /* firmware tables the plan points into */
	uint8_t mptable[MPTABLE_BUILD_MAX];
	struct boot_fw_blob fw[2];
	unsigned nfw;
	uint64_t acpi_rsdp;
	bool images_dropped;     /* vm_layout_drop_images ran: no second apply */
};

/* 0, or -1 with "FILE:LINE: KEY: message" in err (REQ-CLI-002). */
int vm_layout_build(const struct keel_config *cfg, unsigned vm_index, struct vm_layout *l,
		    char *err, size_t errlen);
void vm_layout_free(struct vm_layout *l);
/* Unmaps the image files once the plan is in guest RAM (no restart). */
void vm_layout_drop_images(struct vm_layout *l);
/* The resolved layout, as `keel check` prints it (REQ-CLI-005). */
void vm_layout_print(const struct vm_layout *l, FILE *out);

#endif
