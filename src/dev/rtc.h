/* MC146818 CMOS RTC (REQ-RTC-*): index/data at 0x70/0x71 (bit 7 of the index
 * is the NMI mask), date and time from the host clock in BCD or binary, 12/24
 * h, update-in-progress, periodic/alarm/update-ended interrupts on IRQ8 with
 * register C, 128 bytes of CMOS incl. memory size bytes. Not thread-safe. */
#ifndef KEEL_DEV_RTC_H
#define KEEL_DEV_RTC_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/irq.h"

#define RTC_PORT_INDEX 0x70
#define RTC_PORT_DATA  0x71

struct rtc {
	uint8_t cmos[128];
	uint8_t index;
	bool nmi_masked;
	int64_t offset_s;        /* guest time = host realtime + offset (guest sets the clock) */
	uint64_t next_periodic_ns, next_update_ns;
	struct irq_line irq8;
	bool irq_level;
	/* Host wall clock in seconds since the epoch (UTC) at monotonic `now`:
	 * realtime = realtime_at_zero + now / 1e9. Set by the owner. */
	int64_t realtime_at_zero_ns;
};

void rtc_init(struct rtc *r, struct irq_line irq8, int64_t realtime_at_zero_ns, uint64_t now);
/* CMOS memory-size bytes: base KiB, extended KiB (1-16 MiB), 64 KiB blocks
 * 16 MiB-4 GiB, and bytes above 4 GiB, as PC firmware leaves them. */
void rtc_set_memory(struct rtc *r, uint64_t below_4g_bytes, uint64_t above_4g_bytes);
uint8_t rtc_io_read(struct rtc *r, uint16_t port, uint64_t now);
void rtc_io_write(struct rtc *r, uint16_t port, uint8_t value, uint64_t now);
uint64_t rtc_next_deadline(const struct rtc *r);
void rtc_advance(struct rtc *r, uint64_t now);

#endif
