/*
 * rawread.c - the benchmark's physical reference: a crash(8) extension whose
 * command `rawread` reads, once, the memory a leak scan has to read, through
 * the same path as memleak (crash's readmem(), KVADDR, RETURN_ON_ERROR|QUIET),
 * in large batches, and does nothing with it:
 *
 *   1. the struct page array, every node, in batches;
 *   2. every slab page (PG_slab heads and their tail pages), through the
 *      direct map, runs of contiguous pages in batches;
 *   3. reserved memory (PG_reserved pages outside the kernel image);
 *   4. the kernel's .data, ro_after_init and .bss;
 *   5. every VM_ALLOC vmalloc area (vmap_area_list up to 6.8, the busy
 *      list of each vmap_nodes[] from 6.9), through its mapping.
 *
 *   crash> extend bench/rawread.so
 *   crash> rawread [-b batch_bytes] [-s]
 *
 * -b  batch size (default 1 MiB); -s also looks at every 8-byte word with a
 *     range test (is it inside the lowest..highest slab page?), a lower bound
 *     of what any scanner's per-word work costs.
 * Prints one line per phase and a total:
 *   rawread: <phase> <bytes> bytes, <pages> pages, <reads> reads, <failed> failed, <s> s
 *   rawread: total <bytes> bytes (<MB> MB) in <s> s wall, <s> s cpu[, <n> words in range]
 *
 * Part of the benchmark (bench/), not of the product. What a page is (slab,
 * head, tail, reserved) comes from memleak's own readers/pageflags.c, so the
 * two agree on every kernel. Build: make bench/rawread.so
 */
#include "readers.h"
#include <sys/time.h>
#include <sys/resource.h>

struct rr_stats {
	ulonglong bytes, reads, failed, pages;
	double seconds;
};

struct rr {
	unsigned char *buf;
	ulong batch;
	int scan_words;
	ulong lo, hi;			/* range test bounds (-s) */
	ulonglong in_range;
	struct rr_stats *cur;
};

static double now(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return tv.tv_sec + tv.tv_usec / 1e6;
}

static double cpu_now(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void look(struct rr *r, const unsigned char *p, ulong len)
{
	const ulong *w = (const ulong *)p;
	ulong i, n = len / sizeof(ulong);
	ulonglong hits = 0;

	for (i = 0; i < n; i++)
		hits += w[i] - r->lo < r->hi - r->lo;
	r->in_range += hits;
}

/* Reads [addr, addr + len) in batches; a failed batch is retried page by page. */
static void read_range(struct rr *r, ulong addr, ulong len)
{
	while (len > 0) {
		ulong n = len < r->batch ? len : r->batch;

		r->cur->reads++;
		if (readmem(addr, KVADDR, r->buf, n, "rawread",
			    RETURN_ON_ERROR | QUIET)) {
			r->cur->bytes += n;
			if (r->scan_words)
				look(r, r->buf, n);
		} else {
			ulong off = 0;

			while (off < n) {
				ulong piece = PAGESIZE() - ((addr + off) & (PAGESIZE() - 1));

				if (piece > n - off)
					piece = n - off;
				r->cur->reads++;
				if (readmem(addr + off, KVADDR, r->buf, piece,
					    "rawread", RETURN_ON_ERROR | QUIET)) {
					r->cur->bytes += piece;
					if (r->scan_words)
						look(r, r->buf, piece);
				} else {
					r->cur->failed++;
				}
				off += piece;
			}
		}
		addr += n;
		len -= n;
	}
}

/* ---- page runs ------------------------------------------------------------ */

struct runs {
	ulong *start, *count;		/* pfn runs */
	size_t n, cap;
};

static void runs_add(struct runs *rs, ulong pfn)
{
	if (rs->n && rs->start[rs->n - 1] + rs->count[rs->n - 1] == pfn) {
		rs->count[rs->n - 1]++;
		return;
	}
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 4096;
		rs->start = realloc(rs->start, rs->cap * sizeof(ulong));
		rs->count = realloc(rs->count, rs->cap * sizeof(ulong));
		if (!rs->start || !rs->count)
			error(FATAL, "rawread: out of memory\n");
	}
	rs->start[rs->n] = pfn;
	rs->count[rs->n] = 1;
	rs->n++;
}

static void runs_free(struct runs *rs)
{
	free(rs->start);
	free(rs->count);
	memset(rs, 0, sizeof(*rs));
}

/* Classification state of the struct page walk. */
struct page_walk {
	long psz;
	ulong kimg_lo, kimg_hi;
	ulong slab_head;		/* struct page of the current slab head */
	struct runs *slab, *resv;
};

static void classify(struct page_walk *w, ulong first, ulong pfn,
		     const unsigned char *pages, ulong n)
{
	ulong i;

	for (i = 0; i < n; i++) {
		const unsigned char *pg = pages + i * w->psz;

		if (mlk_page_is_tail(pg)) {
			ulong head = *(const ulong *)(pg + mlk_page.compound_head);

			if (w->slab_head && head - 1 == w->slab_head)
				runs_add(w->slab, pfn + i);
			continue;
		}
		w->slab_head = 0;
		if (mlk_page_is_slab(pg)) {
			runs_add(w->slab, pfn + i);
			if (mlk_page_is_head(pg))
				w->slab_head = first + i * w->psz;
		} else if (mlk_page_is_reserved(pg) &&
			   (pfn + i < w->kimg_lo || pfn + i >= w->kimg_hi)) {
			runs_add(w->resv, pfn + i);
		}
	}
}

/*
 * The struct pages of [pfn, pfn + n) with one readmem when they are
 * virtually contiguous; else the two halves. A batch never crosses a
 * memory section (walk_struct_pages), so one whose first page has no
 * struct page lies in a hole of the memory map: skipped whole (splitting
 * it down to single pages would cost a mem_section read per pfn).
 */
static void walk_span(struct rr *r, struct page_walk *w, ulong pfn, ulong n)
{
	ulong first, last;

	if (!phys_to_page((physaddr_t)pfn << PAGESHIFT(), &first))
		return;
	if (!phys_to_page((physaddr_t)(pfn + n - 1) << PAGESHIFT(), &last) ||
	    last != first + (n - 1) * w->psz) {
		if (n > 1) {
			walk_span(r, w, pfn, n / 2);
			walk_span(r, w, pfn + n / 2, n - n / 2);
		}
		return;
	}
	r->cur->reads++;
	if (!readmem(first, KVADDR, r->buf, n * w->psz, "rawread",
		     RETURN_ON_ERROR | QUIET)) {
		r->cur->failed++;
		if (n * w->psz > PAGESIZE()) {	/* retry in smaller pieces */
			ulong step = PAGESIZE() / w->psz, k;

			for (k = 0; k < n; k += step)
				walk_span(r, w, pfn + k, n - k < step ? n - k : step);
		}
		return;
	}
	r->cur->bytes += n * w->psz;
	r->cur->pages += n;
	if (r->scan_words)
		look(r, r->buf, n * w->psz);
	classify(w, first, pfn, r->buf, n);
}

/*
 * Phase 1: the struct pages, in batches of whole struct pages; classify each
 * page on the way (slab, reserved).
 */
static void walk_struct_pages(struct rr *r, struct runs *slab, struct runs *resv)
{
	static const struct mlk_needs *const tables[] = { &mlk_page_needs };
	struct page_walk w = {
		.kimg_lo = VTOP(symbol_value("_text")) >> PAGESHIFT(),
		.kimg_hi = (VTOP(symbol_value("_end") - 1) >> PAGESHIFT()) + 1,
		.slab = slab, .resv = resv,
	};
	ulong per_batch;
	int node;

	if (mlk_debuginfo_prepare(tables, 1) < 0 || mlk_page.compound_head < 0)
		error(FATAL, "rawread: struct page layout unknown\n");
	w.psz = mlk_page.size;
	per_batch = r->batch / w.psz;
	if (!per_batch)
		per_batch = 1;
	/* batches aligned to, and no larger than, a memory section */
	if (IS_SPARSEMEM() && PAGES_PER_SECTION() && per_batch > PAGES_PER_SECTION())
		per_batch = PAGES_PER_SECTION();
	for (node = 0; node < vt->numnodes; node++) {
		struct node_table *nt = &vt->node_table[node];
		ulong pfn = nt->start_paddr >> PAGESHIFT(), end = pfn + nt->size;

		while (pfn < end) {
			ulong n = per_batch - pfn % per_batch;

			if (n > end - pfn)
				n = end - pfn;
			walk_span(r, &w, pfn, n);
			pfn += n;
		}
	}
}

static void read_runs(struct rr *r, const struct runs *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++) {
		r->cur->pages += rs->count[i];
		read_range(r, PTOV((physaddr_t)rs->start[i] << PAGESHIFT()),
			   rs->count[i] << PAGESHIFT());
	}
}

static void read_symbol_range(struct rr *r, const char *from, const char *to)
{
	ulong a, b;

	if (!symbol_exists((char *)from) || !symbol_exists((char *)to))
		return;
	a = symbol_value((char *)from);
	b = symbol_value((char *)to);
	if (b > a) {
		r->cur->pages += (b - a + PAGESIZE() - 1) >> PAGESHIFT();
		read_range(r, a, b - a);
	}
}

struct vmalloc_offsets {
	long va_list, va_vm, vm_addr, vm_flags, vm_nr;
};

/* Reads the VM_ALLOC areas on the busy list at head; returns 0 when cut short. */
static int read_vmap_list(struct rr *r, const struct vmalloc_offsets *o,
			  ulong head, ulong *budget)
{
	ulong pos;

	if (!readmem(head, KVADDR, &pos, sizeof(pos), "rawread",
		     RETURN_ON_ERROR | QUIET))
		return 0;
	while (pos && pos != head) {
		ulong va = pos - o->va_list, vm, addr, flags;
		uint nr;

		if (!(*budget)-- ||
		    !readmem(va + o->va_vm, KVADDR, &vm, sizeof(vm), "rawread",
			     RETURN_ON_ERROR | QUIET))
			return 0;
		if (vm && IS_KVADDR(vm) &&
		    readmem(vm + o->vm_addr, KVADDR, &addr, sizeof(addr), "rawread",
			    RETURN_ON_ERROR | QUIET) &&
		    readmem(vm + o->vm_flags, KVADDR, &flags, sizeof(flags),
			    "rawread", RETURN_ON_ERROR | QUIET) &&
		    readmem(vm + o->vm_nr, KVADDR, &nr, sizeof(nr), "rawread",
			    RETURN_ON_ERROR | QUIET) &&
		    (flags & 0x2 /* VM_ALLOC */) && nr < (1U << 26)) {
			r->cur->pages += nr;
			read_range(r, addr, (ulong)nr << PAGESHIFT());
		}
		if (!readmem(pos, KVADDR, &pos, sizeof(pos), "rawread",
			     RETURN_ON_ERROR | QUIET))
			return 0;
	}
	return 1;
}

/*
 * Phase 5: every VM_ALLOC area on vmap_area_list (up to 6.8), or on the
 * busy list (busy.head) of each of vmap_nodes[0 .. nr_vmap_nodes) (6.9+),
 * as readers/vmalloc.c finds them.
 */
static void read_vmalloc(struct rr *r)
{
	struct vmalloc_offsets o = {
		.va_list = MEMBER_OFFSET("vmap_area", "list"),
		.va_vm = MEMBER_OFFSET("vmap_area", "vm"),
		.vm_addr = MEMBER_OFFSET("vm_struct", "addr"),
		.vm_flags = MEMBER_OFFSET("vm_struct", "flags"),
		.vm_nr = MEMBER_OFFSET("vm_struct", "nr_pages"),
	};
	long node_size, node_busy, busy_head;
	ulong budget = 10000000, nodes;
	int nr, i;

	if (o.va_list < 0 || o.va_vm < 0 || o.vm_addr < 0 || o.vm_flags < 0 ||
	    o.vm_nr < 0)
		goto unknown;
	if (symbol_exists("vmap_area_list")) {
		read_vmap_list(r, &o, symbol_value("vmap_area_list"), &budget);
		return;
	}
	node_size = STRUCT_SIZE("vmap_node");
	node_busy = MEMBER_OFFSET("vmap_node", "busy");
	busy_head = MEMBER_OFFSET("rb_list", "head");
	if (!symbol_exists("vmap_nodes") || !symbol_exists("nr_vmap_nodes") ||
	    node_size <= 0 || node_busy < 0 || busy_head < 0 ||
	    !readmem(symbol_value("vmap_nodes"), KVADDR, &nodes, sizeof(nodes),
		     "rawread", RETURN_ON_ERROR | QUIET) || !nodes ||
	    !readmem(symbol_value("nr_vmap_nodes"), KVADDR, &nr, sizeof(nr),
		     "rawread", RETURN_ON_ERROR | QUIET) || nr <= 0 || nr > 4096)
		goto unknown;
	for (i = 0; i < nr; i++)
		if (!read_vmap_list(r, &o, nodes + (ulong)i * node_size +
				    node_busy + busy_head, &budget))
			break;
	return;
unknown:
	error(INFO, "rawread: vmalloc areas unknown, skipped\n");
}

static void phase_print(const char *name, const struct rr_stats *s)
{
	fprintf(fp, "rawread: %-14s %llu bytes, %llu pages, %llu reads, %llu failed, %.2f s\n",
		name, s->bytes, s->pages, s->reads, s->failed, s->seconds);
}

static void cmd_rawread(void)
{
	struct rr r = { .batch = 1UL << 20 };
	struct rr_stats st[5] = { { 0 } };
	static const char *names[5] = {
		"struct-pages", "slab-pages", "reserved", "kernel-data", "vmalloc"
	};
	struct runs slab = { 0 }, resv = { 0 };
	double t0, c0, t;
	ulonglong total = 0;
	int c, i;

	while ((c = getopt(argcnt, args, "b:s")) != EOF) {
		switch (c) {
		case 'b':
			r.batch = stol(optarg, FAULT_ON_ERROR, NULL);
			break;
		case 's':
			r.scan_words = 1;
			break;
		default:
			argerrs++;
		}
	}
	if (argerrs || r.batch < PAGESIZE() || r.batch > (256UL << 20))
		cmd_usage(pc->curcmd, SYNOPSIS);
	r.buf = malloc(r.batch);
	if (!r.buf)
		error(FATAL, "rawread: out of memory\n");
	/* The range test of -s: the direct map of all RAM. */
	r.lo = PTOV(vt->node_table[0].start_paddr);
	r.hi = PTOV((physaddr_t)(vt->node_table[vt->numnodes - 1].start_paddr +
		    ((physaddr_t)vt->node_table[vt->numnodes - 1].size << PAGESHIFT())));

	t0 = now();
	c0 = cpu_now();
	for (i = 0; i < 5; i++) {
		t = now();
		r.cur = &st[i];
		switch (i) {
		case 0: walk_struct_pages(&r, &slab, &resv); break;
		case 1: read_runs(&r, &slab); break;
		case 2: read_runs(&r, &resv); break;
		case 3:
			read_symbol_range(&r, "_sdata", "_edata");
			read_symbol_range(&r, "__start_ro_after_init", "__end_ro_after_init");
			read_symbol_range(&r, "__bss_start", "__bss_stop");
			break;
		case 4: read_vmalloc(&r); break;
		}
		st[i].seconds = now() - t;
		phase_print(names[i], &st[i]);
		total += st[i].bytes;
	}
	fprintf(fp, "rawread: total %llu bytes (%llu MB) in %.2f s wall, %.2f s cpu",
		total, total >> 20, now() - t0, cpu_now() - c0);
	if (r.scan_words)
		fprintf(fp, ", %llu words in range", r.in_range);
	fprintf(fp, "\n");
	runs_free(&slab);
	runs_free(&resv);
	free(r.buf);
}

static char *help_rawread[] = {
	"rawread",
	"read the memory a leak scan reads, once, in batches (benchmark)",
	"[-b batch_bytes] [-s]",
	"  Reads the struct page array, every slab page, reserved memory, the",
	"  kernel's data and bss and every VM_ALLOC vmalloc area with readmem()",
	"  in batches of batch_bytes (default 1 MiB), and prints the bytes read",
	"  and the time taken per phase.",
	"    -s  also test every word read against the direct map's range.",
	NULL
};

static struct command_table_entry command_table[] = {
	{ "rawread", cmd_rawread, help_rawread, 0 },
	{ NULL, NULL, NULL, 0 }
};

void __attribute__((constructor)) rawread_init(void)
{
	register_extension(command_table);
}

void __attribute__((destructor)) rawread_fini(void)
{
}
