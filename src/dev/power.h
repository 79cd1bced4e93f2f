/* Power events (REQ-PWR-*): what the power-management models (ACPI PM
 * registers, reset control port 0xcf9, i8042 keyboard controller) ask of
 * the platform. The models only report; the owner stops or restarts the
 * VM. Requirements: docs/requirements/power.md. */
#ifndef KEEL_DEV_POWER_H
#define KEEL_DEV_POWER_H

enum power_event {
	POWER_OFF = 1,          /* S5 soft off: stop the VM for good */
	POWER_RESET = 2,        /* system reset: restart the VM */
};

/* Called synchronously from inside the write that triggers the event, once
 * per triggering write; NULL: events are dropped. */
typedef void (*power_event_fn)(void *opaque, enum power_event ev);

#endif
