#include "mem/guest_mem.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void set_slots(struct guest_mem *gm, const struct memmap *mm)
{
	gm->nslots = mm->nslots;
	for (unsigned i = 0; i < mm->nslots; i++) {
		gm->slots[i].gpa = mm->slots[i].gpa;
		gm->slots[i].size = mm->slots[i].size;
		gm->slots[i].hva = gm->base + mm->slots[i].offset;
	}
}

int guest_mem_create(struct guest_mem *gm, const struct memmap *mm, const char *name,
		     char *err, size_t errlen)
{
	char fdname[64];
	void *p;

	memset(gm, 0, sizeof(*gm));
	gm->memfd = -1;
	snprintf(fdname, sizeof(fdname), "keel-ram-%s", name);
	/* REQ-MEM-004: a memfd, so later issues can share or colour guest RAM. */
	gm->memfd = memfd_create(fdname, MFD_CLOEXEC);
	if (gm->memfd < 0) {
		snprintf(err, errlen, "memfd_create: %s", strerror(errno));
		return -1;
	}
	if (ftruncate(gm->memfd, (off_t)mm->backing_size) != 0) {
		snprintf(err, errlen, "cannot size guest RAM (%llu bytes): %s",
			 (unsigned long long)mm->backing_size, strerror(errno));
		goto fail;
	}
	/* One mapping for all slots: slot i lives at its memfd offset. */
	p = mmap(NULL, mm->backing_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE,
		 gm->memfd, 0);
	if (p == MAP_FAILED) {
		snprintf(err, errlen, "cannot map guest RAM (%llu bytes): %s",
			 (unsigned long long)mm->backing_size, strerror(errno));
		goto fail;
	}
	gm->base = p;
	gm->size = mm->backing_size;
	gm->owns_mapping = true;
	set_slots(gm, mm);
	return 0;
fail:
	close(gm->memfd);
	gm->memfd = -1;
	return -1;
}

void guest_mem_init_buffer(struct guest_mem *gm, const struct memmap *mm, uint8_t *buf)
{
	memset(gm, 0, sizeof(*gm));
	gm->memfd = -1;
	gm->base = buf;
	gm->size = mm->backing_size;
	set_slots(gm, mm);
}

void guest_mem_destroy(struct guest_mem *gm)
{
	if (gm->owns_mapping && gm->base != NULL)
		munmap(gm->base, gm->size);
	if (gm->memfd >= 0)
		close(gm->memfd);
	memset(gm, 0, sizeof(*gm));
	gm->memfd = -1;
}

static const struct guest_mem_slot *find_slot(const struct guest_mem *gm, uint64_t gpa)
{
	for (unsigned i = 0; i < gm->nslots; i++) {
		const struct guest_mem_slot *s = &gm->slots[i];

		if (gpa >= s->gpa && gpa - s->gpa < s->size)
			return s;
	}
	return NULL;
}

void *guest_mem_ptr(const struct guest_mem *gm, uint64_t gpa, uint64_t len)
{
	const struct guest_mem_slot *s = find_slot(gm, gpa);

	/* Written so that no sum can overflow: len is compared with the room left. */
	if (s == NULL || len > s->size - (gpa - s->gpa))
		return NULL;
	return s->hva + (gpa - s->gpa);
}

/* Walks [gpa, gpa+len) slot by slot: copies from `src` into guest RAM,
 * from guest RAM into `dst`, or fills with `fill` when both are NULL. */
static int copy_range(const struct guest_mem *gm, uint64_t gpa, const uint8_t *src, uint8_t *dst,
		      uint8_t fill, uint64_t len)
{
	if (gpa + len < gpa)
		return -1;
	while (len > 0) {
		const struct guest_mem_slot *s = find_slot(gm, gpa);
		uint64_t off, chunk;

		if (s == NULL)
			return -1;
		off = gpa - s->gpa;
		chunk = s->size - off < len ? s->size - off : len;
		if (src != NULL) {
			memcpy(s->hva + off, src, chunk);
			src += chunk;
		} else if (dst != NULL) {
			memcpy(dst, s->hva + off, chunk);
			dst += chunk;
		} else {
			memset(s->hva + off, fill, chunk);
		}
		gpa += chunk;
		len -= chunk;
	}
	return 0;
}

/* All-or-nothing: check the whole range first so a failed write leaves guest
 * RAM untouched. */
static bool covered(const struct guest_mem *gm, uint64_t gpa, uint64_t len)
{
	if (gpa + len < gpa)
		return false;
	while (len > 0) {
		const struct guest_mem_slot *s = find_slot(gm, gpa);
		uint64_t room;

		if (s == NULL)
			return false;
		room = s->size - (gpa - s->gpa);
		if (room >= len)
			return true;
		gpa += room;
		len -= room;
	}
	return true;
}

int guest_mem_write(const struct guest_mem *gm, uint64_t gpa, const void *src, uint64_t len)
{
	if (!covered(gm, gpa, len))
		return -1;
	return copy_range(gm, gpa, src, NULL, 0, len);
}

int guest_mem_read(const struct guest_mem *gm, uint64_t gpa, void *dst, uint64_t len)
{
	if (!covered(gm, gpa, len))
		return -1;
	return copy_range(gm, gpa, NULL, dst, 0, len);
}

int guest_mem_fill(const struct guest_mem *gm, uint64_t gpa, uint8_t byte, uint64_t len)
{
	if (!covered(gm, gpa, len))
		return -1;
	return copy_range(gm, gpa, NULL, NULL, byte, len);
}
