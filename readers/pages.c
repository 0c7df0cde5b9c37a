/*
 * pages.c - one pass over the struct page array.
 *
 * The struct pages are read in large batches (PAGES_PER_CHUNK at a time,
 * one readmem each) and handed to visitors: the SLUB reader keeps slab
 * head pages, the reserved-memory collector below keeps PG_reserved runs.
 *
 * Reserved pages stand in for memblock allocations: what the kernel took
 * at boot before the page allocator ran (hash tables, the per-cpu first
 * chunk, the log buffer, mem_section...) stays PageReserved
 * (mm/memblock.c: memblock_free_all() frees only unreserved ranges to the
 * buddy allocator). The in-kernel kmemleak knows them through
 * kmemleak_alloc_phys() records and scans them; offline, the reserved bit
 * is what is left of that knowledge. The kernel image (already scanned by
 * section, and its text holds no pointers) and the crashkernel reservation
 * (another kernel's memory) are left out.
 *
 * The kernel image is reserved too, except what the kernel gave back to
 * the page allocator at boot: its init sections (mm/memblock.c:
 * free_reserved_area() from free_initmem()) and, with AMD memory
 * encryption, the unused tail of .bss..decrypted, which lies inside .bss
 * (arch/x86/mm/mem_encrypt_amd.c: mem_encrypt_free_decrypted_mem()).
 * Those pages may hold anything since - a slab, say - and must not be
 * scanned as the kernel's .bss: the image pages found not reserved here
 * are left out of the roots.
 */
#include "readers.h"
#include "pageowner.h"
#include "bytes.h"

#define PAGES_PER_CHUNK 1024UL

struct page_walk {
	const struct mlk_page_visitor *visitors;
	size_t nvisitors;
	struct mlk_pages_stats *st;
	struct mlk_buf buf;
};

static int visit_run(struct page_walk *w, ulong first_page, ulong pfn,
		     const unsigned char *pages, ulong count)
{
	long psz = mlk_page.size;
	ulong i;
	size_t v;

	for (i = 0; i < count; i++)
		for (v = 0; v < w->nvisitors; v++)
			if (w->visitors[v].visit(w->visitors[v].arg,
						 first_page + i * psz, pfn + i,
						 pages + i * psz) < 0)
				return -1;
	w->st->pages_walked += count;
	return 0;
}

static int within_one_section(ulong pfn, ulong count)
{
	return IS_SPARSEMEM() &&
	       (pfn & PAGE_SECTION_MASK()) ==
	       ((pfn + count - 1) & PAGE_SECTION_MASK());
}

/*
 * Reads the struct pages of [pfn, pfn + count) with one readmem; when that
 * fails (a hole in the vmemmap, or pages missing from the dump), retries
 * one vmemmap page's worth at a time and skips what stays unreadable.
 * A run whose struct pages are not virtually contiguous is split in two.
 */
static int walk_chunk(struct page_walk *w, ulong pfn, ulong count)
{
	long psz = mlk_page.size;
	ulong first, last, step, done;

	/*
	 * Struct pages exist per sparsemem section (128 MiB on x86_64), far
	 * larger than a chunk: a chunk within one section whose first page
	 * has none lies in a hole, and splitting it page by page would cost a
	 * phys_to_page() (a mem_section read) per missing pfn.
	 */
	if (!phys_to_page((physaddr_t)pfn << PAGESHIFT(), &first) &&
	    within_one_section(pfn, count))
		return 0;
	if (!phys_to_page((physaddr_t)pfn << PAGESHIFT(), &first) ||
	    !phys_to_page((physaddr_t)(pfn + count - 1) << PAGESHIFT(), &last) ||
	    last != first + (count - 1) * psz) {
		if (count == 1)
			return 0; /* no struct page for this pfn */
		step = count / 2;
		return walk_chunk(w, pfn, step) < 0 ||
		       walk_chunk(w, pfn + step, count - step) < 0 ? -1 : 0;
	}
	if (mlk_buf_reserve(&w->buf, count * psz) < 0)
		return -1;
	if (mlk_readk(first, w->buf.data, count * psz))
		return visit_run(w, first, pfn, w->buf.data, count);
	step = PAGESIZE() / psz ? PAGESIZE() / psz : 1;
	for (done = 0; done < count; done += step) {
		ulong n = count - done < step ? count - done : step;

		if (!mlk_readk(first + done * psz, w->buf.data, n * psz)) {
			w->st->chunks_unreadable++;
			continue;
		}
		if (visit_run(w, first + done * psz, pfn + done, w->buf.data,
			      n) < 0)
			return -1;
	}
	return 0;
}

int mlk_pages_walk(const struct mlk_page_visitor *visitors, size_t n,
		   struct mlk_pages_stats *st)
{
	struct page_walk w = { .visitors = visitors, .nvisitors = n, .st = st };
	int node, ret = 0;

	for (node = 0; node < vt->numnodes && ret == 0; node++) {
		const struct node_table *nt = &vt->node_table[node];
		ulong pfn = nt->start_paddr >> PAGESHIFT();
		ulong end = pfn + nt->size;

		/* chunks aligned to PAGES_PER_CHUNK: none crosses a section */
		while (pfn < end && ret == 0) {
			ulong count = PAGES_PER_CHUNK - pfn % PAGES_PER_CHUNK;

			if (count > end - pfn)
				count = end - pfn;
			ret = walk_chunk(&w, pfn, count);
			pfn += count;
		}
	}
	mlk_buf_free(&w.buf);
	return ret;
}

/* ---- the struct page array as a root ------------------------------------- */

/*
 * page->private, page->mapping and friends hold pointers to tracked blocks
 * (buffer heads, swap entries, slab lists...): mm/kmemleak.c scans every
 * struct page of every online pfn ("Struct page scanning for each node").
 */
int mlk_pages_add_memmap_roots(struct mlk_roots *roots)
{
	int node;

	for (node = 0; node < vt->numnodes; node++) {
		const struct node_table *nt = &vt->node_table[node];
		ulong first;

		if (!nt->size ||
		    !phys_to_page((physaddr_t)nt->start_paddr, &first))
			continue;
		if (mlk_roots_add(roots, first,
				  first + nt->size * mlk_page.size,
				  MLK_ROOT_MEMMAP) < 0)
			return -1;
	}
	return 0;
}

/* ---- reserved (memblock) memory as a root ---------------------------------- */

static void pfn_range_of(ulong start_vaddr, ulong end_vaddr, ulong *lo,
			 ulong *hi)
{
	*lo = VTOP(start_vaddr) >> PAGESHIFT();
	*hi = (VTOP(end_vaddr - 1) >> PAGESHIFT()) + 1;
}

/* struct resource, for the crashkernel reservation (crashk_res) */
static long resource_start = MLK_NO_ANSWER, resource_end = MLK_NO_ANSWER;

static const struct mlk_need reserved_needs[] = {
	MLK_MEMBER(&resource_start, "resource", "start", MLK_OPTIONAL),
	MLK_MEMBER(&resource_end, "resource", "end", MLK_OPTIONAL),
};

const struct mlk_needs mlk_reserved_needs = {
	"reserved memory", reserved_needs, MLK_COUNT(reserved_needs), NULL, 0,
};

static void crashkernel_pfns(struct mlk_reserved *r)
{
	uint64_t start, end;
	ulong res;

	if (!symbol_exists("crashk_res") || resource_start < 0 ||
	    resource_end < 0)
		return;
	res = symbol_value("crashk_res");
	if (!mlk_readk(res + resource_start, &start, sizeof(start)) ||
	    !mlk_readk(res + resource_end, &end, sizeof(end)) || end <= start)
		return;
	r->crash_lo = start >> PAGESHIFT();
	r->crash_hi = (end >> PAGESHIFT()) + 1;
}

int mlk_reserved_init(struct mlk_reserved *r, struct mlk_roots *roots)
{
	memset(r, 0, sizeof(*r));
	r->roots = roots;
	if (mlk_page.pg_reserved < 0)
		return -1;
	if (symbol_exists("_text") && symbol_exists("_end")) {
		pfn_range_of(symbol_value("_text"), symbol_value("_end"),
			     &r->kernel_lo, &r->kernel_hi);
		r->kernel_vaddr = symbol_value("_text") & ~(ulong)(PAGESIZE() - 1);
	}
	crashkernel_pfns(r);
	r->enabled = 1;
	return 0;
}

static int flush_run(struct mlk_reserved *r)
{
	ulong start = r->run_start, count = r->run_count;

	r->run_count = 0;
	if (!count)
		return 0;
	r->runs++;
	return mlk_roots_add(r->roots, PTOV(start << PAGESHIFT()),
			     PTOV((start + count) << PAGESHIFT()),
			     MLK_ROOT_RESERVED);
}

static int excluded_pfn(const struct mlk_reserved *r, ulong pfn)
{
	unsigned i;

	if ((pfn >= r->kernel_lo && pfn < r->kernel_hi) ||
	    (pfn >= r->crash_lo && pfn < r->crash_hi))
		return 1;
	for (i = 0; i < r->nskip; i++)
		if (pfn >= r->skip_lo[i] && pfn < r->skip_hi[i])
			return 1;
	return 0;
}

int mlk_reserved_skip(struct mlk_reserved *r, ulong start_vaddr,
		      ulong end_vaddr)
{
	if (r->nskip == sizeof(r->skip_lo) / sizeof(r->skip_lo[0]) ||
	    end_vaddr <= start_vaddr)
		return -1;
	pfn_range_of(start_vaddr, end_vaddr, &r->skip_lo[r->nskip],
		     &r->skip_hi[r->nskip]);
	r->nskip++;
	return 0;
}

/* A run of kernel image pages given back, left out of the roots. */
static int flush_freed(struct mlk_reserved *r)
{
	ulong start = r->kernel_vaddr +
		((r->freed_start - r->kernel_lo) << PAGESHIFT());
	ulong count = r->freed_count;

	r->freed_count = 0;
	if (!count || !r->roots)
		return 0;
	return mlk_roots_exclude(r->roots, start, start + (count << PAGESHIFT()),
				 MLK_HOLE_FREED_IMAGE);
}

static int note_image_page(struct mlk_reserved *r, ulong pfn,
			   const unsigned char *pg)
{
	if (mlk_page_is_reserved(pg))
		return flush_freed(r);
	if (r->freed_count && r->freed_start + r->freed_count != pfn &&
	    flush_freed(r) < 0)
		return -1;
	if (!r->freed_count)
		r->freed_start = pfn;
	r->freed_count++;
	return 0;
}

int mlk_reserved_visit(void *arg, ulong page, ulong pfn,
		       const unsigned char *pg)
{
	struct mlk_reserved *r = arg;

	(void)page;
	if (!r->enabled)
		return 0;
	if (pfn >= r->kernel_lo && pfn < r->kernel_hi &&
	    note_image_page(r, pfn, pg) < 0)
		return -1;
	if (!mlk_page_is_reserved(pg) || excluded_pfn(r, pfn))
		return flush_run(r);
	if (r->run_count && r->run_start + r->run_count != pfn &&
	    flush_run(r) < 0)
		return -1;
	if (!r->run_count)
		r->run_start = pfn;
	r->run_count++;
	r->pages++;
	return 0;
}

int mlk_reserved_finish(struct mlk_reserved *r)
{
	if (!r->enabled)
		return 0;
	return flush_run(r) < 0 || flush_freed(r) < 0 ? -1 : 0;
}

/* ---- compound allocations: large kmalloc blocks, or roots ----------------------- */

/*
 * kmalloc() above the largest kmalloc cache takes whole compound pages
 * (mm/slab_common.c: kmalloc_large() asks for __GFP_COMP). Without
 * page_owner (CONFIG_PAGE_OWNER, page_owner=on) a dump cannot tell them
 * from other page allocations, so they are not tracked as blocks; but a
 * block whose only reference sits in one must not be reported. Compound
 * allocations with no mapping (not page cache, not anonymous or THP memory)
 * and a reference held are therefore scanned as roots. Free pages in the
 * buddy allocator are never compound, so nothing free is scanned.
 */
int mlk_compound_init(struct mlk_compound *c, struct mlk_roots *roots,
		      struct mlk_index *ix, struct mlk_page_owners *owners)
{
	memset(c, 0, sizeof(*c));
	c->roots = roots;
	c->ix = ix;
	c->owners = owners;
	if (mlk_page.pg_head < 0 || mlk_page.mapping < 0 ||
	    mlk_page.refcount < 0 || mlk_page.compound_head < 0)
		return -1;
	c->enabled = 1;
	return 0;
}

static int flush_compound(struct mlk_compound *c)
{
	ulong start = c->head_pfn, count = c->run_pages;

	c->run_pages = 0;
	if (count < 2)
		return 0;
	/*
	 * The page's type (PGTY_large_kmalloc, newer kernels) or page_owner
	 * names the allocator: a large kmalloc is a block like any slab object
	 * (mm/kmemleak.c tracks it too, from kmalloc_large()).
	 */
	if (c->ix && count <= UINT32_MAX >> PAGESHIFT() &&
	    (c->head_large_kmalloc || (c->owners &&
	     mlk_page_owners_is_large_kmalloc(c->owners, start)))) {
		c->large_kmalloc++;
		c->large_kmalloc_pages += count;
		return mlk_index_add(c->ix, PTOV(start << PAGESHIFT()),
				     (uint32_t)(count << PAGESHIFT()),
				     MLK_KIND_PAGES, 0, 1);
	}
	c->allocations++;
	c->pages += count;
	return mlk_roots_add(c->roots, PTOV(start << PAGESHIFT()),
			     PTOV((start + count) << PAGESHIFT()),
			     MLK_ROOT_COMPOUND);
}

/*
 * A compound allocation's head: no mapping and a reference held; or a
 * typed large kmalloc whatever its refcount: "mm, slab: use frozen pages
 * for large kmalloc" (5660ee54e798, slab tree for 6.17; the 7.2 source's
 * ___kmalloc_large_node() calls alloc_frozen_pages_noprof()) leaves
 * _refcount 0 on them.
 */
static int untracked_head(const unsigned char *pg)
{
	ulong mapping = mlk_get_u64(pg, mlk_page.mapping);
	int refcount = mlk_get_s32(pg, mlk_page.refcount);

	if (!mlk_page_is_head(pg) || mlk_page_is_slab(pg))
		return 0;
	return mlk_page_is_large_kmalloc(pg) || (mapping == 0 && refcount > 0);
}

int mlk_compound_visit(void *arg, ulong page, ulong pfn,
		       const unsigned char *pg)
{
	struct mlk_compound *c = arg;
	ulong head;

	if (!c->enabled)
		return 0;
	head = mlk_page_head_from(page, pg);
	if (c->run_pages && mlk_page_is_tail(pg) && head == c->head_page &&
	    pfn == c->head_pfn + c->run_pages) {
		c->run_pages++;
		return 0;
	}
	if (flush_compound(c) < 0)
		return -1;
	if (untracked_head(pg)) {
		c->head_large_kmalloc = mlk_page_is_large_kmalloc(pg);
		c->head_page = page;
		c->head_pfn = pfn;
		c->run_pages = 1;
	}
	return 0;
}

int mlk_compound_finish(struct mlk_compound *c)
{
	return c->enabled ? flush_compound(c) : 0;
}
