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
 * free ones: pages inside a free block of the buddy allocator, whose head
 * page (the page itself, or the one at the block's alignment for some
 * order) is PageBuddy with that order or more in page->private
 * (mm/page_alloc.c: page_is_buddy(), set_buddy_order()); and pages of
 * the kernel image that are no longer PageReserved (given back: free, on a
 * per-CPU free list, or reused since). It runs with memleak -v; the
 * end-to-end tests require all three counts to be 0.
 */
#include "readers.h"
#include "bytes.h"

static int read_struct_page(ulong pfn, unsigned char *pg, size_t len)
{
	ulong page;

	return phys_to_page((physaddr_t)pfn << PAGESHIFT(), &page) &&
	       mlk_readk(page, pg, len);
}

/* Whether pfn lies in a free block of the buddy allocator. */
static int in_free_block(ulong pfn, const unsigned char *own)
{
	unsigned char pg[256];
	unsigned order;

	if (mlk_page_is_buddy(own))
		return 1;
	for (order = 1; order <= mlk_arch->default_max_page_order; order++) {
		ulong head = pfn & ~((1UL << order) - 1);

		if (head == pfn)
			continue;
		if (!read_struct_page(head, pg, (size_t)mlk_page.size))
			return 0;
		if (mlk_page_is_buddy(pg))
			return mlk_get_u64(pg, mlk_page.private) >= order;
	}
	return 0;
}

/* One page: its struct page (its head's, for a tail) says what it is. */
static void audit_page(ulong vaddr, int kind, struct mlk_root_audit *a)
{
	unsigned char pg[256];
	physaddr_t paddr;
	ulong pfn, page;

	a->pages++;
	if ((size_t)mlk_page.size > sizeof(pg) ||
	    !kvtop(NULL, vaddr, &paddr, 0)) {
		a->unknown++;
		return;
	}
	pfn = (ulong)(paddr >> PAGESHIFT());
	if (!read_struct_page(pfn, pg, (size_t)mlk_page.size)) {
		a->unknown++;
		return;
	}
	if (mlk_page_knows_buddy() && in_free_block(pfn, pg)) {
		a->free++;
		a->bad_by_kind[kind]++;
		if (!a->first_free)
			a->first_free = vaddr;
		return;
	}
	if (kind == MLK_ROOT_DATA && mlk_page.pg_reserved >= 0 &&
	    !mlk_page_is_reserved(pg)) {
		a->given_back++;
		a->bad_by_kind[kind]++;
		if (!a->first_given_back)
			a->first_given_back = vaddr;
		return;
	}
	/* a tail: its head page says (pageflags.c: compound_head/_info) */
	if (mlk_page_is_tail(pg) &&
	    (!phys_to_page((physaddr_t)pfn << PAGESHIFT(), &page) ||
	     !mlk_readk(mlk_page_head_from(page, pg), pg,
		       (size_t)mlk_page.size))) {
		a->unknown++;
		return;
	}
	if (mlk_page_is_slab(pg)) {
		a->slab++;
		a->bad_by_kind[kind]++;
		if (!a->first_slab)
			a->first_slab = vaddr;
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
			audit_page(v, r->ranges[i].kind, a);
	}
}
