/* Debug-exit port (REQ-DBG-*): a guest write of V ends the VM with exit
 * status (V << 1) | 1, like QEMU's isa-debug-exit, so guests written for
 * QEMU work unmodified. Pure model; the owner acts on the callback. */
#ifndef KEEL_DEV_DEBUG_EXIT_H
#define KEEL_DEV_DEBUG_EXIT_H

#include <stdbool.h>
#include <stdint.h>

#define DEBUG_EXIT_PORT 0xf4
#define DEBUG_EXIT_LEN  4       /* accepts 1-, 2- and 4-byte writes */

typedef void (*debug_exit_fn)(void *opaque, int status, uint32_t value);

struct debug_exit {
	debug_exit_fn on_exit;
	void *opaque;
};

void debug_exit_init(struct debug_exit *d, debug_exit_fn fn, void *opaque);
/* Process exit status for a written value: low 8 bits of (V << 1) | 1. */
int debug_exit_status(uint32_t value);
void debug_exit_io(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write);

#endif
