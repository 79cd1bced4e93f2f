/* The stop request of one VM: the first reason wins (REQ-CLI-003). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vm/vcpu.h"

void vm_stop_init(struct vm_stop *s)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
}

bool vm_stop_request(struct vm_stop *s, int status, const char *fmt, ...)
{
	bool first;

	pthread_mutex_lock(&s->lock);
	first = !s->requested;
	if (first) {
		va_list ap;

		s->requested = true;
		s->status = status;
		va_start(ap, fmt);
		vsnprintf(s->reason, sizeof(s->reason), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&s->lock);
	if (first && s->kick != NULL)
		s->kick(s->kick_opaque);
	return first;
}

bool vm_stop_requested(struct vm_stop *s)
{
	bool r;

	pthread_mutex_lock(&s->lock);
	r = s->requested;
	pthread_mutex_unlock(&s->lock);
	return r;
}

