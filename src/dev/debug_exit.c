#include "dev/debug_exit.h"

#include <string.h>

void debug_exit_init(struct debug_exit *d, debug_exit_fn fn, void *opaque)
{
	d->on_exit = fn;
	d->opaque = opaque;
}

int debug_exit_status(uint32_t value)
{
	/* An exit status has 8 bits; QEMU's (V << 1) | 1 is truncated the same way. */
	return (int)(((value << 1) | 1u) & 0xffu);
}

void debug_exit_io(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write)
{
	struct debug_exit *d = opaque;
	uint32_t value = 0;

	if (!is_write) {
		/* Nothing to read: the port behaves like an empty bus. */
		memset(data, 0xff, len);
		return;
	}
	/* Only port 0xf4 itself ends the VM (1-, 2- or 4-byte writes, as QEMU's
	 * iosize option allows); the other bytes of the range ignore writes. */
	if (offset != 0)
		return;
	memcpy(&value, data, len < 4 ? len : 4);
	d->on_exit(d->opaque, debug_exit_status(value), value);
}
