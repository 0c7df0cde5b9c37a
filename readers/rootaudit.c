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
 *
 * The struct pages are read a span at a time: the 2^max_order pages
 * aligned around a page hold every head its buddy check looks at, and root
 * ranges are runs of pages, so one read serves a whole run. Page by page,
 * each check cost up to max_order struct page look-ups (a mem_section read
 * and a dump read each): 2.3 M reads and about 60 % of memleak's time on a
 * 4 GiB dump with 57,000 root pages.
 */
#include "readers.h"
#include "bytes.h"

/*
 * The struct pages of one aligned span of pfns. A span lies inside one
 * memory section (no larger, aligned), where the memory map is contiguous.
 */
struct span {
	unsigned max_order;     /* the buddy allocator's (MAX_PAGE_ORDER) */
	ulong npfns;            /* pfns per span, a power of 2 */
	ulong base;             /* first pfn of the span held; ULONG_MAX: none */
	ulong page;             /* its struct page */
	int ok;                 /* buf holds the span's struct pages */
	unsigned char *buf;     /* npfns struct pages */
};

static void span_init(struct span *sp)
{
	memset(sp, 0, sizeof(*sp));
	sp->base = ULONG_MAX;
	sp->max_order = mlk_arch->max_page_order();
	sp->npfns = 1UL << sp->max_order;
	if (IS_SPARSEMEM() && PAGES_PER_SECTION() &&
	    sp->npfns > (ulong)PAGES_PER_SECTION())
		sp->npfns = PAGES_PER_SECTION();
	if (mlk_page.size > 0)
		sp->buf = malloc(sp->npfns * (size_t)mlk_page.size);
}

/* Loads the span of pfn (once per span); whether buf holds it. */
static int span_load(struct span *sp, ulong pfn)
{
	ulong base = pfn & ~(sp->npfns - 1), last;
	size_t psz = (size_t)mlk_page.size;

	if (base == sp->base)
		return sp->ok;
	sp->base = base;
	sp->ok = sp->buf &&
		phys_to_page((physaddr_t)base << PAGESHIFT(), &sp->page) &&
		phys_to_page((physaddr_t)(base + sp->npfns - 1) << PAGESHIFT(),
			     &last) &&
		last == sp->page + (sp->npfns - 1) * psz &&
		mlk_readk(sp->page, sp->buf, sp->npfns * psz);
	return sp->ok;
}

/* The address of pfn's struct page. */
static int struct_page_of(struct span *sp, ulong pfn, ulong *page)
{
	if (span_load(sp, pfn)) {
		*page = sp->page + (pfn - sp->base) * (ulong)mlk_page.size;
		return 1;
	}
	return phys_to_page((physaddr_t)pfn << PAGESHIFT(), page);
}

/* pfn's struct page into pg: from the span, else read alone (a hole). */
static int read_struct_page(struct span *sp, ulong pfn, unsigned char *pg,
			    size_t len)
{
	ulong page;

	if (span_load(sp, pfn)) {
		memcpy(pg, sp->buf + (pfn - sp->base) * (size_t)mlk_page.size,
		       len);
		return 1;
	}
	return phys_to_page((physaddr_t)pfn << PAGESHIFT(), &page) &&
	       mlk_readk(page, pg, len);
}

/* Whether pfn lies in a free block of the buddy allocator. */
static int in_free_block(struct span *sp, ulong pfn, const unsigned char *own)
{
	unsigned char pg[256];
	unsigned order;

	if (mlk_page_is_buddy(own))
		return 1;
	for (order = 1; order <= sp->max_order; order++) {
		ulong head = pfn & ~((1UL << order) - 1);

		if (head == pfn)
			continue;
		if (!read_struct_page(sp, head, pg, (size_t)mlk_page.size))
			return 0;
		if (mlk_page_is_buddy(pg))
			return mlk_get_u64(pg, mlk_page.private) >= order;
	}
	return 0;
}

/* One page: its struct page (its head's, for a tail) says what it is. */
static void audit_page(struct span *sp, ulong vaddr, int kind,
		       struct mlk_root_audit *a)
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
	if (!read_struct_page(sp, pfn, pg, (size_t)mlk_page.size)) {
		a->unknown++;
		return;
	}
	if (mlk_page_knows_buddy() && in_free_block(sp, pfn, pg)) {
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
	    (!struct_page_of(sp, pfn, &page) ||
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
	struct span sp;
	size_t i;

	memset(a, 0, sizeof(*a));
	span_init(&sp);
	for (i = 0; i < r->count; i++) {
		ulong start = r->ranges[i].start & mask;
		ulong end = r->ranges[i].start + r->ranges[i].len;
		ulong v;

		for (v = start; v < end && v >= start; v += PAGESIZE())
			audit_page(&sp, v, r->ranges[i].kind, a);
	}
	free(sp.buf);
}
