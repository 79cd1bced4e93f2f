/* The devices of one VM and their wiring to the buses and the host
 * (REQ-DBG-*, REQ-POST-*, REQ-CON-*). Built from the validated config. */
#ifndef KEEL_VM_PLATFORM_H
#define KEEL_VM_PLATFORM_H

#include <pthread.h>

#include "bus/iobus.h"
#include "config/config.h"
#include "dev/debug_exit.h"
#include "dev/post.h"
#include "dev/uart16550.h"
#include "host/console.h"
#include "vm/vcpu.h"

struct serial_port {
	struct uart16550 uart;
	pthread_mutex_t lock;   /* vCPU threads and the console input thread */
	struct console con;
};

struct platform {
	struct serial_port com1;
	struct debug_exit dbg;
	struct post_port post;
	struct vm_stop *stop;
};

int platform_init(struct platform *p, const struct vm_config *vm, struct iobus *pio,
		  struct iobus *mmio, struct vm_stop *stop, char *err, size_t errlen);
/* Starts host-side activity (console input) once the VM is about to run. */
int platform_start(struct platform *p);
void platform_destroy(struct platform *p);

#endif
