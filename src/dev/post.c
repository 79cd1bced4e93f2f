#include "dev/post.h"

#include <string.h>

void post_io(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write)
{
	struct post_port *p = opaque;

	(void)offset;
	if (is_write)
		p->last = data[0];
	else
		memset(data, p->last, len);
}
