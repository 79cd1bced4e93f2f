/* Unit tests of the boot plan helpers (src/boot/boot.c). */
#include "test.h"

#include <stdlib.h>

#include "boot/boot.h"

/* Appends an entry (and, when `backed`, a slot) to a hand-built map. */
static void mm_add(struct memmap *mm, uint64_t base, uint64_t size, enum memmap_type type,
		   int backed)
{
	mm->entries[mm->nentries++] = (struct memmap_entry){ base, size, type };
	if (backed) {
		mm->slots[mm->nslots++] = (struct memmap_slot){ base, size, mm->backing_size };
		mm->backing_size += size;
	}
}

static struct boot_plan g_plan;
static struct memmap g_mm;

static void reset(void)
{
	memset(&g_plan, 0, sizeof(g_plan));
	memset(&g_mm, 0, sizeof(g_mm));
}

TEST(boot_plan_add_items, "REQ-MB-022")
{
	static const uint8_t src[4] = { 1, 2, 3, 4 };

	reset();
	CHECK_EQ(boot_plan_add(&g_plan, 0x1000, 0x10, src, 4, "kernel segment 0"), 0);
	CHECK_EQ(g_plan.nitems, 1);
	CHECK_EQ(g_plan.items[0].gpa, 0x1000);
	CHECK_EQ(g_plan.items[0].size, 0x10);
	CHECK(g_plan.items[0].src == src);
	CHECK_EQ(g_plan.items[0].src_len, 4);
	CHECK(strcmp(g_plan.items[0].what, "kernel segment 0") == 0);
	/* Zero fill only: src is dropped; a NULL label becomes empty. */
	CHECK_EQ(boot_plan_add(&g_plan, 0x2000, 0x10, src, 0, NULL), 0);
	CHECK(g_plan.items[1].src == NULL);
	CHECK(strcmp(g_plan.items[1].what, "") == 0);
	/* Long labels are cut, not overflowed. */
	CHECK_EQ(boot_plan_add(&g_plan, 0x3000, 1, NULL, 0,
			       "a very long label that does not fit into the what buffer at all"),
		 0);
	CHECK_EQ(strlen(g_plan.items[2].what), BOOT_WHAT_MAX - 1);
	/* Ending exactly at 2^64 is representable. */
	CHECK_EQ(boot_plan_add(&g_plan, UINT64_MAX - 0xfff, 0x1000, NULL, 0, "top"), 0);
}

TEST(boot_plan_add_rejects, "REQ-MB-022")
{
	static const uint8_t src[4] = { 0 };

	reset();
	CHECK_EQ(boot_plan_add(NULL, 0, 1, NULL, 0, "x"), -1);
	CHECK_EQ(boot_plan_add(&g_plan, 0x1000, 2, src, 3, "src_len > size"), -1);
	CHECK_EQ(boot_plan_add(&g_plan, UINT64_MAX - 0xfff, 0x1001, NULL, 0, "wraps"), -1);
	CHECK_EQ(boot_plan_add(&g_plan, 0x1000, 4, NULL, 4, "no source"), -1);
	CHECK_EQ(g_plan.nitems, 0);
	for (unsigned i = 0; i < BOOT_MAX_ITEMS; i++)
		CHECK_EQ(boot_plan_add(&g_plan, 0x1000ull * i, 0x10, NULL, 0, "x"), 0);
	CHECK_EQ(boot_plan_add(&g_plan, 0x100000, 0x10, NULL, 0, "one too many"), -1);
	CHECK_EQ(g_plan.nitems, BOOT_MAX_ITEMS);
}

TEST(boot_plan_find_overlap_ranges, "REQ-MB-022")
{
	reset();
	CHECK_EQ(boot_plan_find_overlap(NULL, 0, 1), -1);
	CHECK_EQ(boot_plan_find_overlap(&g_plan, 0, UINT64_MAX), -1);
	CHECK_EQ(boot_plan_add(&g_plan, 0x1000, 0x1000, NULL, 0, "a"), 0);
	CHECK_EQ(boot_plan_add(&g_plan, 0x5000, 0, NULL, 0, "empty"), 0);
	CHECK_EQ(boot_plan_add(&g_plan, UINT64_MAX - 0xfff, 0x1000, NULL, 0, "top"), 0);
	CHECK_EQ(boot_plan_find_overlap(&g_plan, 0, 0x1000), -1);      /* adjacent below */
	CHECK_EQ(boot_plan_find_overlap(&g_plan, 0x2000, 0x1000), -1); /* adjacent above */
	CHECK_EQ(boot_plan_find_overlap(&g_plan, 0xfff, 2), 0);
	CHECK_EQ(boot_plan_find_overlap(&g_plan, 0x1fff, 0x100), 0);
	CHECK_EQ(boot_plan_find_overlap(&g_plan, 0x1800, 1), 0);
	CHECK_EQ(boot_plan_find_overlap(&g_plan, 0, 0x10000), 0);      /* encloses */
	CHECK_EQ(boot_plan_find_overlap(&g_plan, 0x1800, 0), -1);      /* empty query */
	CHECK_EQ(boot_plan_find_overlap(&g_plan, 0x5000, 0x10), -1);   /* empty item */
	/* A query reaching the top of the space finds the item there, without wrapping. */
	CHECK_EQ(boot_plan_find_overlap(&g_plan, UINT64_MAX - 0x10, 0x11), 2);
	CHECK_EQ(boot_plan_find_overlap(&g_plan, 0x3000, UINT64_MAX - 0x3000), 2);
}

TEST(boot_plan_alloc_first_fit, "REQ-MB-022")
{
	reset();
	mm_add(&g_mm, 0, 0x9fc00, MEMMAP_RAM, 1);
	mm_add(&g_mm, 0x9fc00, 0x60400, MEMMAP_RESERVED, 0);
	mm_add(&g_mm, 0x100000, 0x700000, MEMMAP_RAM, 1);
	/* Address 0 is never handed out: the first fit from 0 is the first aligned address. */
	CHECK_EQ(boot_plan_alloc(&g_plan, &g_mm, 0x100, 0x1000, 0, 1ull << 32), 0x1000);
	CHECK_EQ(boot_plan_alloc(&g_plan, &g_mm, 0x100, 0, 0, 1ull << 32), 1);
	CHECK_EQ(boot_plan_alloc(&g_plan, &g_mm, 0x100, 16, 0x1001, 1ull << 32), 0x1010);
	/* Skips items; restarts after the one in the way, then aligns. */
	CHECK_EQ(boot_plan_add(&g_plan, 0x1000, 0x1800, NULL, 0, "a"), 0);
	CHECK_EQ(boot_plan_add(&g_plan, 0x3000, 0x1000, NULL, 0, "b"), 0);
	CHECK_EQ(boot_plan_alloc(&g_plan, &g_mm, 0x1000, 0x1000, 0x1000, 1ull << 32), 0x4000);
	CHECK_EQ(boot_plan_alloc(&g_plan, &g_mm, 0x800, 0x800, 0x1000, 1ull << 32), 0x2800);
	/* Does not fit below the 640K hole: goes to the next RAM entry. */
	CHECK_EQ(boot_plan_alloc(&g_plan, &g_mm, 0x1000, 0x1000, 0x9f000, 1ull << 32), 0x100000);
	CHECK_EQ(boot_plan_alloc(&g_plan, &g_mm, 0x100000, 0x1000, 0x5000, 1ull << 32), 0x100000);
	/* The limit is an exclusive upper bound. */
	CHECK_EQ(boot_plan_alloc(&g_plan, &g_mm, 0x1000, 0x1000, 0x7ff000, 0x800000), 0x7ff000);
	CHECK_EQ(boot_plan_alloc(&g_plan, &g_mm, 0x1000, 0x1000, 0x7ff000, 0x7fffff), 0);
	CHECK_EQ(boot_plan_alloc(&g_plan, &g_mm, 0x1000, 0x1000, 0x5000, 0xa0000), 0x5000);
	CHECK_EQ(boot_plan_alloc(&g_plan, &g_mm, 0x1000, 0x1000, 0x9f000, 0xa0000), 0);
	/* Nothing big enough. */
	CHECK_EQ(boot_plan_alloc(&g_plan, &g_mm, 0x800000, 0x1000, 0, 1ull << 32), 0);
	CHECK_EQ(boot_plan_alloc(&g_plan, &g_mm, 0x1000, 0x1000, 0x800000, 1ull << 32), 0);
}

TEST(boot_plan_alloc_arguments, "REQ-MB-022")
{
	reset();
	mm_add(&g_mm, 0, 0x100000, MEMMAP_RAM, 1);
	CHECK_EQ(boot_plan_alloc(NULL, &g_mm, 0x10, 1, 0, 1ull << 32), 0);
	CHECK_EQ(boot_plan_alloc(&g_plan, NULL, 0x10, 1, 0, 1ull << 32), 0);
	CHECK_EQ(boot_plan_alloc(&g_plan, &g_mm, 0, 1, 0, 1ull << 32), 0);
	CHECK_EQ(boot_plan_alloc(&g_plan, &g_mm, 0x10, 3, 0, 1ull << 32), 0);
	CHECK_EQ(boot_plan_alloc(&g_plan, &g_mm, 0x2000, 1, 0, 0x1000), 0);
	/* Reserved entries are not RAM. */
	reset();
	mm_add(&g_mm, 0, 0x100000, MEMMAP_RESERVED, 1);
	CHECK_EQ(boot_plan_alloc(&g_plan, &g_mm, 0x10, 1, 0, 1ull << 32), 0);
}

TEST(boot_plan_alloc_adjacent_entries, "REQ-MB-022")
{
	/* Two touching RAM entries form one range (memmap_is_ram semantics). */
	reset();
	mm_add(&g_mm, 0x1000, 0x1000, MEMMAP_RAM, 1);
	mm_add(&g_mm, 0x2000, 0x1000, MEMMAP_RAM, 1);
	CHECK_EQ(boot_plan_alloc(&g_plan, &g_mm, 0x2000, 0x1000, 0, 1ull << 32), 0x1000);
}

TEST(boot_plan_alloc_top_of_space, "REQ-MB-022")
{
	uint64_t top = UINT64_MAX - 0xfff;

	/* An entry reaching 2^64 and an item at its very end: no wrap-around. */
	reset();
	mm_add(&g_mm, top - 0x1000, 0x2000, MEMMAP_RAM, 0);
	g_mm.entries[0].size = UINT64_MAX; /* base + size overflows: treated as "to the top" */
	CHECK_EQ(boot_plan_add(&g_plan, top, 0x1000, NULL, 0, "top"), 0);
	CHECK_EQ(boot_plan_alloc(&g_plan, &g_mm, 0x1000, 0x1000, 0, UINT64_MAX), 0);
	CHECK_EQ(boot_plan_alloc(&g_plan, &g_mm, 0x1000, 0x1000, top, UINT64_MAX), 0);
	/* Alignment overflow near the top. */
	CHECK_EQ(boot_plan_alloc(&g_plan, &g_mm, 0x10, 0x1000, UINT64_MAX - 5, UINT64_MAX), 0);
	/* A candidate that is not RAM skips to the next entry. */
	reset();
	mm_add(&g_mm, 0x1000, 0x1000, MEMMAP_RAM, 0);
	mm_add(&g_mm, 0x4000, 0x1000, MEMMAP_RAM, 0);
	CHECK_EQ(boot_plan_alloc(&g_plan, &g_mm, 0x1000, 0x1000, 0x1800, 1ull << 32), 0x4000);
}

TEST(boot_plan_apply_copies_and_fills, "REQ-MB-023")
{
	static const uint8_t data[6] = { 1, 2, 3, 4, 5, 6 };
	struct guest_mem gm;
	uint8_t *buf;
	char err[256];

	reset();
	mm_add(&g_mm, 0, 0x4000, MEMMAP_RAM, 1);
	mm_add(&g_mm, 0x10000, 0x4000, MEMMAP_RAM, 1);
	buf = malloc(g_mm.backing_size);
	CHECK(buf != NULL);
	memset(buf, 0xcc, g_mm.backing_size);
	guest_mem_init_buffer(&gm, &g_mm, buf);
	CHECK_EQ(boot_plan_add(&g_plan, 0x1000, 0x10, data, 6, "with bss"), 0);
	CHECK_EQ(boot_plan_add(&g_plan, 0x10ffe, 4, data, 4, "exact"), 0);
	CHECK_EQ(boot_plan_add(&g_plan, 0x3ff0, 0x10, NULL, 0, "zeros"), 0);
	CHECK_EQ(boot_plan_apply(&g_plan, &gm, err, sizeof(err)), 0);
	CHECK(memcmp(buf + 0x1000, data, 6) == 0);
	for (int i = 6; i < 0x10; i++)
		CHECK_EQ(buf[0x1000 + i], 0);
	CHECK_EQ(buf[0x1010], 0xcc);
	CHECK_EQ(buf[0x0fff], 0xcc);
	/* Second slot lives at buffer offset 0x4000. */
	CHECK(memcmp(buf + 0x4000 + 0xffe, data, 4) == 0);
	CHECK_EQ(buf[0x4000 + 0x1002], 0xcc);
	for (int i = 0; i < 0x10; i++)
		CHECK_EQ(buf[0x3ff0 + i], 0);
	CHECK_EQ(buf[0x4000], 0xcc);
	free(buf);
}

TEST(boot_plan_apply_refuses_outside_ram, "REQ-MB-023")
{
	static const uint8_t data[8] = { 0 };
	struct guest_mem gm;
	uint8_t *buf;
	char err[256];

	reset();
	mm_add(&g_mm, 0, 0x4000, MEMMAP_RAM, 1);
	buf = calloc(1, g_mm.backing_size);
	CHECK(buf != NULL);
	guest_mem_init_buffer(&gm, &g_mm, buf);
	/* Source bytes crossing the end of RAM. */
	CHECK_EQ(boot_plan_add(&g_plan, 0x3ffc, 8, data, 8, "module 0 (x)"), 0);
	CHECK_EQ(boot_plan_apply(&g_plan, &gm, err, sizeof(err)), -1);
	CHECK_STR_CONTAINS(err, "cannot place module 0 (x) at [0x3ffc-0x4004): not in guest RAM");
	/* Zero fill crossing the end of RAM. */
	reset();
	mm_add(&g_mm, 0, 0x4000, MEMMAP_RAM, 1);
	CHECK_EQ(boot_plan_add(&g_plan, 0x3000, 0x2000, data, 8, "kernel bss"), 0);
	CHECK_EQ(boot_plan_apply(&g_plan, &gm, err, sizeof(err)), -1);
	CHECK_STR_CONTAINS(err, "kernel bss");
	CHECK_EQ(boot_plan_apply(&g_plan, &gm, NULL, 0), -1);
	/* An item that boot_plan_add would have refused. */
	g_plan.items[0].src_len = 0x3000;
	CHECK_EQ(boot_plan_apply(&g_plan, &gm, err, sizeof(err)), -1);
	CHECK_STR_CONTAINS(err, "inconsistent boot item kernel bss");
	CHECK_EQ(boot_plan_apply(&g_plan, &gm, NULL, 0), -1);
	g_plan.items[0].src_len = 8;
	g_plan.items[0].src = NULL;
	CHECK_EQ(boot_plan_apply(&g_plan, &gm, err, sizeof(err)), -1);
	CHECK_EQ(boot_plan_apply(NULL, &gm, err, sizeof(err)), -1);
	CHECK_STR_CONTAINS(err, "internal error");
	CHECK_EQ(boot_plan_apply(&g_plan, NULL, NULL, 0), -1);
	/* A zero-length message buffer is not written. */
	err[0] = 'k';
	CHECK_EQ(boot_plan_apply(&g_plan, NULL, err, 0), -1);
	CHECK_EQ(boot_plan_apply(&g_plan, &gm, err, 0), -1);
	g_plan.items[0].src = data;
	CHECK_EQ(boot_plan_apply(&g_plan, &gm, err, 0), -1);
	CHECK_EQ(err[0], 'k');
	free(buf);
}

TEST(boot_plan_free_resets, "REQ-MB-022")
{
	reset();
	g_plan.owned = calloc(1, 32);
	g_plan.owned_size = 32;
	CHECK_EQ(boot_plan_add(&g_plan, 0x1000, 32, g_plan.owned, 32, "multiboot info"), 0);
	boot_plan_free(&g_plan);
	CHECK(g_plan.owned == NULL);
	CHECK_EQ(g_plan.owned_size, 0);
	CHECK_EQ(g_plan.nitems, 0);
	boot_plan_free(&g_plan); /* twice is harmless */
	boot_plan_free(NULL);
}

TEST(boot_plan_counts_bounded, "REQ-MB-022 REQ-MB-023")
{
	/* Corrupted counts never make the helpers read past their arrays. */
	struct guest_mem gm;
	uint8_t ram[0x2000];
	char err[128];

	reset();
	mm_add(&g_mm, 0, 0x2000, MEMMAP_RAM, 1);
	guest_mem_init_buffer(&gm, &g_mm, ram);
	g_mm.nentries = MEMMAP_MAX_ENTRIES + 10;
	g_plan.nitems = BOOT_MAX_ITEMS + 10;
	CHECK_EQ(boot_plan_find_overlap(&g_plan, 0x100000, 0x1000), -1);
	CHECK_EQ(boot_plan_apply(&g_plan, &gm, err, sizeof(err)), 0);
	/* No RAM entry: the allocator walks MEMMAP_MAX_ENTRIES entries, no more. */
	g_mm.entries[0].type = MEMMAP_RESERVED;
	CHECK_EQ(boot_plan_alloc(&g_plan, &g_mm, 0x1000, 0x1000, 0, 1ull << 32), 0);
}

static uint64_t g_released, g_release_calls, g_release_max;
static const uint8_t *g_release_next;

static void record_release(void *ctx, const uint8_t *src, size_t len)
{
	CHECK(ctx == &g_plan);
	/* Chunks arrive in order, back to back. */
	CHECK(src == g_release_next);
	g_release_next = src + len;
	g_released += len;
	g_release_calls++;
	if (len > g_release_max)
		g_release_max = len;
}

TEST(boot_plan_apply_hands_back_source_in_chunks, "REQ-MEM-006")
{
	enum { N = (5 << 20) / 2 + 123 }; /* 2.5 MiB + 123: three chunks */
	uint8_t *src = malloc(N), *buf;
	struct guest_mem gm;
	char err[256];

	reset();
	mm_add(&g_mm, 0, 4 << 20, MEMMAP_RAM, 1);
	buf = calloc(1, g_mm.backing_size);
	CHECK(src != NULL && buf != NULL);
	if (src == NULL || buf == NULL)
		goto out;
	for (size_t i = 0; i < N; i++)
		src[i] = (uint8_t)(i ^ (i >> 9));
	guest_mem_init_buffer(&gm, &g_mm, buf);
	CHECK_EQ(boot_plan_add(&g_plan, 0x1000, N + 0x1000, src, N, "kernel"), 0);
	g_plan.release_src = record_release;
	g_plan.release_ctx = &g_plan;
	g_released = g_release_calls = g_release_max = 0;
	g_release_next = src;
	CHECK_EQ(boot_plan_apply(&g_plan, &gm, err, sizeof(err)), 0);
	CHECK(memcmp(buf + 0x1000, src, N) == 0);
	CHECK_EQ(g_released, (uint64_t)N);
	CHECK_EQ(g_release_calls, 3u);
	CHECK_EQ(g_release_max, (uint64_t)(1 << 20));
	g_plan.release_src = NULL;
out:
	free(src);
	free(buf);
}
