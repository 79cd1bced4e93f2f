/* MC146818 CMOS RTC (REQ-RTC-*): index/data at 0x70/0x71 (bit 7 of the index
 * is the NMI mask), date and time from the host clock in BCD or binary, 12/24
 * h, update-in-progress, periodic/alarm/update-ended interrupts on IRQ8 with
 * register C, 128 bytes of CMOS incl. memory size bytes. Not thread-safe.
 * Requirements and choices: docs/requirements/rtc.md.
 *
 * Time: the guest's clock is host realtime (realtime_at_zero_ns + now) plus
 * a whole number of seconds (offset_s) that the guest changes by setting the
 * clock, so its seconds tick with the host's. A `now` older than one already
 * seen is taken as the newest seen. */
#ifndef KEEL_DEV_RTC_H
#define KEEL_DEV_RTC_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/irq.h"

#define RTC_PORT_INDEX 0x70
#define RTC_PORT_DATA  0x71

/* Register indices. */
#define RTC_SEC        0x00
#define RTC_SEC_ALARM  0x01
#define RTC_MIN        0x02
#define RTC_MIN_ALARM  0x03
#define RTC_HOUR       0x04
#define RTC_HOUR_ALARM 0x05
#define RTC_DOW        0x06     /* 1-7, 1 = Sunday after reset */
#define RTC_MDAY       0x07
#define RTC_MONTH      0x08
#define RTC_YEAR       0x09     /* 0-99 */
#define RTC_REG_A      0x0a
#define RTC_REG_B      0x0b
#define RTC_REG_C      0x0c
#define RTC_REG_D      0x0d
#define RTC_CENTURY    0x32     /* ACPI FADT CENTURY, same format as the others */

#define RTC_A_UIP      0x80
#define RTC_A_DV       0x70
#define RTC_A_DV_32K   0x20     /* DV = 010: 32.768 kHz time base, running */
#define RTC_A_RS       0x0f
#define RTC_B_SET      0x80
#define RTC_B_PIE      0x40
#define RTC_B_AIE      0x20
#define RTC_B_UIE      0x10
#define RTC_B_SQWE     0x08
#define RTC_B_DM       0x04     /* 1 = binary, 0 = BCD */
#define RTC_B_24H      0x02
#define RTC_B_DSE      0x01
#define RTC_C_IRQF     0x80
#define RTC_C_PF       0x40
#define RTC_C_AF       0x20
#define RTC_C_UF       0x10
#define RTC_D_VRT      0x80

#define RTC_UIP_NS     244000ULL /* UIP is set this long before each update */

struct rtc {
	uint8_t cmos[128];       /* registers A-D, alarms, CMOS memory; the time
				  * bytes (0,2,4,6-9,0x32) only while stopped */
	uint8_t index;
	bool nmi_masked;
	uint8_t dow_adjust;      /* guest's day-of-week numbering vs. ours, 0-6 */
	int64_t offset_s;        /* guest time = host realtime + offset (guest sets the clock) */
	int64_t last_s;          /* host second up to which updates are done */
	uint64_t now_ns;         /* newest `now` seen */
	uint64_t next_periodic_ns, next_update_ns, next_alarm_ns;
	struct irq_line irq8;
	bool irq_level;
	/* Host wall clock in seconds since the epoch (UTC) at monotonic `now`:
	 * realtime = realtime_at_zero + now / 1e9. Set by the owner. */
	int64_t realtime_at_zero_ns;
};

void rtc_init(struct rtc *r, struct irq_line irq8, int64_t realtime_at_zero_ns, uint64_t now);
/* CMOS memory-size bytes as PC firmware leaves them: 0x15/0x16 base KiB
 * (640), 0x17/0x18 = 0x30/0x31 KiB above 1 MiB (capped at 65535),
 * 0x34/0x35 64 KiB blocks from 16 MiB to 4 GiB, 0x5b-0x5d 64 KiB blocks
 * above 4 GiB. */
void rtc_set_memory(struct rtc *r, uint64_t below_4g_bytes, uint64_t above_4g_bytes);
uint8_t rtc_io_read(struct rtc *r, uint16_t port, uint64_t now);
void rtc_io_write(struct rtc *r, uint16_t port, uint8_t value, uint64_t now);
/* Earliest `now` at which an event of an enabled interrupt source (PIE,
 * AIE, UIE) happens; TIME_NEVER if none. Later than the newest `now` seen.
 * Only writes can make it earlier: reads (register C included) cannot, so
 * the owner need re-arm its timer only after rtc_io_write. */
uint64_t rtc_next_deadline(const struct rtc *r);
void rtc_advance(struct rtc *r, uint64_t now);

#endif
