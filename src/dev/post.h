/* POST diagnostic port 0x80 (REQ-POST-001): firmware and Linux write to it
 * as an I/O delay; keel accepts writes silently and reads back the last one. */
#ifndef KEEL_DEV_POST_H
#define KEEL_DEV_POST_H

#include <stdbool.h>
#include <stdint.h>

#define POST_PORT 0x80

struct post_port {
	uint8_t last;
};

void post_io(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write);

#endif
