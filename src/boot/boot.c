/* Boot plan helpers (REQ-MB-022, REQ-MB-023): the data structure a boot
 * protocol loader fills, a first-fit allocator over the RAM entries of the
 * memory map, and the one place a plan is written into guest RAM. */
#include "boot/boot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int boot_plan_add(struct boot_plan *p, uint64_t gpa, uint64_t size, const uint8_t *src,
		  uint64_t src_len, const char *what)
{
	struct boot_item *it;

	if (p == NULL || p->nitems >= BOOT_MAX_ITEMS)
		return -1;
	/* An item must describe a real range: no wrap, no more source than space. */
	if (src_len > size || (size > 0 && size - 1 > UINT64_MAX - gpa) ||
	    (src_len > 0 && src == NULL))
		return -1;
	it = &p->items[p->nitems++];
	it->gpa = gpa;
	it->size = size;
	it->src = src_len > 0 ? src : NULL;
	it->src_len = src_len;
	snprintf(it->what, sizeof(it->what), "%s", what != NULL ? what : "");
	return 0;
}

/* [a, a+alen) and [b, b+blen) intersect; empty ranges intersect nothing.
 * Written without computing end addresses, which could wrap at 2^64. */
static int ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	if (alen == 0 || blen == 0)
		return 0;
	if (a <= b)
		return b - a < alen;
	return a - b < blen;
}

int boot_plan_find_overlap(const struct boot_plan *p, uint64_t gpa, uint64_t size)
{
	if (p == NULL)
		return -1;
	for (unsigned i = 0; i < p->nitems && i < BOOT_MAX_ITEMS; i++) {
		if (ranges_overlap(gpa, size, p->items[i].gpa, p->items[i].size))
			return (int)i;
	}
	return -1;
}

/* Rounds v up to a multiple of align (a power of two); 0 on overflow, which
 * callers treat as "no address" since 0 is never handed out anyway. */
static uint64_t align_up(uint64_t v, uint64_t align)
{
	uint64_t mask = align - 1;

	if (v > UINT64_MAX - mask)
		return 0;
	return (v + mask) & ~mask;
}

uint64_t boot_plan_alloc(const struct boot_plan *p, const struct memmap *mm, uint64_t size,
			 uint64_t align, uint64_t min_gpa, uint64_t limit)
{
	if (p == NULL || mm == NULL || size == 0 || size > limit)
		return 0;
	if (align == 0)
		align = 1;
	if ((align & (align - 1)) != 0)
		return 0;
	if (min_gpa == 0)
		min_gpa = 1; /* address 0 is never handed out */

	for (unsigned e = 0; e < mm->nentries && e < MEMMAP_MAX_ENTRIES; e++) {
		const struct memmap_entry *me = &mm->entries[e];
		uint64_t end = me->size > UINT64_MAX - me->base ? UINT64_MAX : me->base + me->size;
		uint64_t cand = me->base > min_gpa ? me->base : min_gpa;

		if (me->type != MEMMAP_RAM)
			continue;
		for (;;) {
			int idx;

			cand = align_up(cand, align);
			/* Entries are sorted: past the limit, no later entry can fit. */
			if (cand == 0 || cand > limit - size)
				return 0;
			if (cand >= end)
				break;
			/* Not RAM here means not RAM at any higher start in this entry. */
			if (!memmap_is_ram(mm, cand, size))
				break;
			idx = boot_plan_find_overlap(p, cand, size);
			if (idx < 0)
				return cand;
			/* Restart just past the item in the way. An item ending at 2^64
			 * gives 0 here, which align_up keeps at 0: "no address". */
			cand = p->items[idx].gpa + p->items[idx].size;
		}
	}
	return 0;
}

/* 1 MiB: bounds keel's transient memory while copying mapped images. */
#define BOOT_APPLY_CHUNK (1ULL << 20)

int boot_plan_apply(const struct boot_plan *p, const struct guest_mem *gm, char *err,
		    size_t errlen)
{
	if (p == NULL || gm == NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "internal error: no boot plan or guest memory");
		return -1;
	}
	for (unsigned i = 0; i < p->nitems && i < BOOT_MAX_ITEMS; i++) {
		const struct boot_item *it = &p->items[i];
		int rc = 0;

		if (it->src_len > it->size || (it->src_len > 0 && it->src == NULL)) {
			if (err != NULL && errlen > 0)
				snprintf(err, errlen, "internal error: inconsistent boot item %s",
					 it->what);
			return -1;
		}
		/* In chunks, so each chunk of a mapped image can be given back
		 * before the next one is read in. */
		for (uint64_t off = 0; rc == 0 && off < it->src_len; off += BOOT_APPLY_CHUNK) {
			uint64_t n = it->src_len - off;

			if (n > BOOT_APPLY_CHUNK)
				n = BOOT_APPLY_CHUNK;
			rc = guest_mem_write(gm, it->gpa + off, it->src + off, n);
			if (p->release_src != NULL)
				p->release_src(p->release_ctx, it->src + off, (size_t)n);
		}
		if (rc == 0 && it->size > it->src_len)
			rc = guest_mem_fill(gm, it->gpa + it->src_len, 0, it->size - it->src_len);
		if (rc != 0) {
			if (err != NULL && errlen > 0)
				snprintf(err, errlen,
					 "cannot place %s at [0x%llx-0x%llx): not in guest RAM",
					 it->what, (unsigned long long)it->gpa,
					 (unsigned long long)(it->gpa + it->size));
			return -1;
		}
	}
	return 0;
}

void boot_plan_free(struct boot_plan *p)
{
	if (p == NULL)
		return;
	free(p->owned);
	memset(p, 0, sizeof(*p));
}
