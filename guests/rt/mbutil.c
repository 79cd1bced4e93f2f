#include "rt.h"

const struct mb_mmap_entry *mb_mmap_next(const struct mb_info *mbi, uint32_t *off)
{
	uint64_t o = *off;

	/* The size field itself must fit, and then the entry it describes. */
	if (o + 4 > mbi->mmap_length)
		return NULL;
	const struct mb_mmap_entry *e = phys((uint64_t)mbi->mmap_addr + o);
	if (o + 4 + e->size > mbi->mmap_length)
		return NULL;
	*off = (uint32_t)(o + 4 + e->size);
	return e;
}

/* End of an entry, saturating instead of wrapping past 2^64. */
static uint64_t entry_end(const struct mb_mmap_entry *e)
{
	return e->length > UINT64_MAX - e->base_addr ? UINT64_MAX : e->base_addr + e->length;
}

uint64_t mb_ram_end_from(const struct mb_info *mbi, uint64_t addr)
{
	/* Adjacent RAM entries count as one range; each pass moves addr to
	 * the end of a RAM entry containing it, so this terminates. */
	for (bool moved = true; moved;) {
		moved = false;
		uint32_t off = 0;
		const struct mb_mmap_entry *e;
		for (int i = 0; i < MB_MMAP_MAX && (e = mb_mmap_next(mbi, &off)); i++) {
			if (e->type == MB_MMAP_RAM && e->base_addr <= addr && addr < entry_end(e)) {
				addr = entry_end(e);
				moved = true;
			}
		}
	}
	return addr;
}
