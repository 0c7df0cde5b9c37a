/*
 * rootaudit.c - is every root page memory the kernel still owns?
 *
 * A root is scanned because the kernel keeps pointers there. A page of a
 * root range that has become a slab page, or a free page, says that the
 * range is wrong: the kernel gave that memory back (init sections, the
 * unused tail of .bss..decrypted, see pages.c), and scanning it vouches for
 * blocks that nothing references - on 5.10 a slab inside the freed part of
 * .bss hid 146 nodes of a leaked list. The audit reads the struct page of
 * every root page (of its head page, for a tail) and counts slab pages and
 * free ones (a head page with _refcount 0: in the buddy allocator, or
 * between owners). It runs with memleak -v; the end-to-end tests require
 * both counts to be 0.
 */
#include "readers.h"
#include "bytes.h"

/* One page: its struct page (its head's, for a tail) says what it is. */
static void audit_page(ulong vaddr, struct mlk_root_audit *a)
{
	unsigned char pg[256];
	physaddr_t paddr;
	ulong page;

	a->pages++;
	if ((size_t)mlk_page.size > sizeof(pg) ||
	    !kvtop(NULL, vaddr, &paddr, 0) || !phys_to_page(paddr, &page) ||
	    !mlk_readk(page, pg, (size_t)mlk_page.size)) {
		a->unknown++;
		return;
	}
	if (mlk_page_is_tail(pg)) {
		page = mlk_page_head_of(page);
		if (!mlk_readk(page, pg, (size_t)mlk_page.size)) {
			a->unknown++;
			return;
		}
	}
	if (mlk_page_is_slab(pg)) {
		a->slab++;
		if (!a->first_slab)
			a->first_slab = vaddr;
	} else if (mlk_page.refcount >= 0 &&
		   mlk_get_s32(pg, mlk_page.refcount) == 0) {
		a->free++;
		if (!a->first_free)
			a->first_free = vaddr;
	}
}

void mlk_roots_audit(const struct mlk_roots *r, struct mlk_root_audit *a)
{
	ulong mask = ~(ulong)(PAGESIZE() - 1);
	size_t i;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < r->count; i++) {
		ulong start = r->ranges[i].start & mask;
		ulong end = r->ranges[i].start + r->ranges[i].len;
		ulong v;

		for (v = start; v < end && v >= start; v += PAGESIZE())
			audit_page(v, a);
	}
}
