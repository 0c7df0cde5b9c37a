/*
 * kmemleak.c - crash(8) extension: `memleak` finds kernel memory that
 * nothing points to any more, in a vmcore or on a live system.
 *
 *   crash> extend kmemleak.so
 *   crash> memleak
 *
 * This file is the crash entry point: the command table, the options, the
 * help text and the report. The work is in extension/: the readers turn
 * the dump into tracked blocks and root ranges, the engine marks what the
 * roots reach, and what stays unreached is printed here.
 */
#include "readers.h"
#include "tracks.h"
#include <sys/time.h>
#include <sys/resource.h>
#include <unistd.h>

#define DEFAULT_HEX_BYTES 32
#define DEFAULT_MIN_AGE_SECONDS 5
#define MAX_HEX_BYTES     4096

struct memleak_opts {
	long max_reports;   /* -n: at most this many orphans printed */
	long hex_bytes;     /* -x: bytes of hex dump per orphan */
	const char *cache;  /* -c: only orphans of this cache */
	ulong watch;        /* -w: explain who references this block */
	long min_age;       /* -m: younger orphans are in flight (seconds) */
	int summary_only;   /* -q */
	int verbose;        /* -v */
};

/*
 * Everything one `memleak` allocates hangs off this, so that crash's
 * CLEANUP hook can free it when the command is interrupted (Ctrl-C makes
 * crash longjmp back to its prompt, past our own frees).
 */
struct memleak_run {
	struct mlk_slub slub;
	struct mlk_vmalloc_stats vmalloc;
	struct mlk_masks masks;
	struct mlk_source source;
	struct mlk_roots roots;
	struct mlk_reserved reserved;
	struct mlk_pages_stats pages;
	uint64_t register_cpus;
	int scanning_registers;
	struct mlk_index *ix;
	struct mlk_scan *sc;
	struct mlk_tracks tracks;
	uint64_t young, young_bytes;    /* orphans younger than -m */
	uint64_t without_track;         /* orphans with no allocation record */
	struct timeval started;
	struct timeval last_progress;
	int show_progress;
};

static struct memleak_run *active_run;

static void run_free(struct memleak_run *run)
{
	if (!run)
		return;
	mlk_scan_free(run->sc);
	mlk_tracks_free(&run->tracks);
	mlk_index_free(run->ix);
	mlk_roots_free(&run->roots);
	mlk_masks_free(&run->masks);
	mlk_vmalloc_free(&run->vmalloc);
	mlk_slub_free(&run->slub);
	free(run);
}

/* Called by crash before every command and after an interrupted one. */
static void memleak_cleanup(void)
{
	struct memleak_run *run = active_run;

	active_run = NULL;
	run_free(run);
}

static double seconds_since(const struct timeval *t0)
{
	struct timeval now;

	gettimeofday(&now, NULL);
	return (now.tv_sec - t0->tv_sec) + (now.tv_usec - t0->tv_usec) / 1e6;
}

/* Progress on stderr for scans longer than a few seconds (tty only). */
static int report_progress(void *ctx, const struct mlk_stats *st)
{
	struct memleak_run *run = ctx;

	if (!run->show_progress || seconds_since(&run->last_progress) < 2.0)
		return 0;
	gettimeofday(&run->last_progress, NULL);
	fprintf(stderr, "\rmemleak: %llu MB scanned, %llu blocks reached...",
		(unsigned long long)((st->root_bytes + st->block_bytes) >> 20),
		(unsigned long long)st->grey);
	return 0;
}

static void phase(const struct memleak_opts *o, const struct memleak_run *r,
		  const char *what)
{
	if (o->verbose)
		fprintf(fp, "memleak: [%6.2fs] %s\n", seconds_since(&r->started),
			what);
}

/* ---- the scan ----------------------------------------------------------------- */

/* One pass over the struct pages: slab objects, reserved memory. */
static int walk_pages(struct memleak_run *run)
{
	struct mlk_slab_walk *slabs = mlk_slub_walk_begin(&run->slub, run->ix);
	struct mlk_page_visitor visitors[2] = {
		{ mlk_slub_visit_page, slabs },
		{ mlk_reserved_visit, &run->reserved },
	};
	int ret;

	if (!slabs)
		return -1;
	if (mlk_reserved_init(&run->reserved, &run->roots) < 0)
		error(INFO, "PG_reserved unknown: reserved memory "
		      "not scanned\n");
	ret = mlk_pages_walk(visitors, 2, &run->pages);
	if (ret == 0)
		ret = mlk_reserved_finish(&run->reserved);
	mlk_slub_walk_end(slabs);
	return ret;
}

/*
 * Blocks and roots, in the order they depend on each other: the struct
 * page pass finds slab objects and reserved memory, the kernel's roots
 * name the thread stacks, and the vmalloc reader leaves those out.
 */
static int build_index(struct memleak_run *run, const struct memleak_opts *o)
{
	phase(o, run, "reading slab caches");
	if (mlk_slub_read_caches(&run->slub) < 0)
		return -1;
	run->ix = mlk_index_new();
	if (!run->ix)
		return -1;
	phase(o, run, "walking the struct page array");
	if (walk_pages(run) < 0)
		return -1;
	phase(o, run, "collecting roots");
	if (mlk_roots_collect(&run->roots) < 0)
		return -1;
	phase(o, run, "reading vmalloc areas");
	if (mlk_vmalloc_add_areas(run->ix, &run->masks, &run->roots,
				  &run->vmalloc) < 0)
		return -1;
	mlk_masks_finish(&run->masks);
	return mlk_index_finish(run->ix);
}

static const char *kind_name(int kind)
{
	static const char *const names[MLK_KIND_COUNT] = {
		"slab", "vmalloc", "pages", "percpu"
	};
	return kind >= 0 && kind < MLK_KIND_COUNT ? names[kind] : "?";
}

/* ---- -w: who references a block ---------------------------------------------- */

static const struct mlk_root *root_containing(const struct mlk_roots *r,
					      ulong addr)
{
	size_t lo = 0, hi = r->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct mlk_root *m = &r->ranges[mid];

		if (addr < m->start)
			hi = mid;
		else if (addr - m->start >= m->len)
			lo = mid + 1;
		else
			return m;
	}
	return NULL;
}

static void describe_block(const struct memleak_run *run,
			   const struct mlk_block *b, char *out, size_t outsz)
{
	const struct mlk_cache *c = b->kind == MLK_KIND_SLAB ?
		mlk_slub_cache_by_tag(&run->slub, b->tag) : NULL;

	if (c)
		snprintf(out, outsz, "slab object 0x%llx (\"%s\", %u bytes)",
			 (unsigned long long)b->start, c->name, b->size);
	else
		snprintf(out, outsz, "%s block 0x%llx (%u bytes)",
			 kind_name(b->kind), (unsigned long long)b->start,
			 b->size);
}

static void print_reference(void *ctx, mlk_addr_t where,
			    const struct mlk_block *from)
{
	const struct memleak_run *run = ctx;
	const struct mlk_root *root;
	char desc[160];

	if (from)
		describe_block(run, from, desc, sizeof(desc));
	else if (run->scanning_registers)
		snprintf(desc, sizeof(desc), "the saved registers of a CPU");
	else if ((root = root_containing(&run->roots, (ulong)where)))
		snprintf(desc, sizeof(desc), "root: %s",
			 mlk_root_kind_name(root->kind));
	else
		snprintf(desc, sizeof(desc), "root");
	fprintf(fp, "memleak: -w: referenced from 0x%llx, in %s\n",
		(unsigned long long)where, desc);
}

static void watch_block(struct memleak_run *run, ulong addr)
{
	const struct mlk_block *b = mlk_index_lookup(run->ix, addr);
	char desc[160];

	if (!b || mlk_scan_watch(run->sc, addr, print_reference, run) < 0) {
		error(INFO, "-w: 0x%lx is in no tracked block (free, or not "
		      "an allocation memleak tracks)\n", addr);
		return;
	}
	describe_block(run, b, desc, sizeof(desc));
	fprintf(fp, "memleak: -w: watching %s\n", desc);
}

static int scan_roots(struct memleak_run *run, const struct memleak_opts *o)
{
	size_t i;

	run->source = mlk_crash_source(&run->masks);
	run->sc = mlk_scan_new(run->ix, &run->source, report_progress, run);
	if (!run->sc)
		return -1;
	if (o->watch)
		watch_block(run, o->watch);
	phase(o, run, "scanning roots");
	for (i = 0; i < run->roots.count; i++) {
		const struct mlk_root *r = &run->roots.ranges[i];

		if (mlk_scan_root(run->sc, r->start, r->len) < 0)
			return -1;
	}
	run->scanning_registers = 1;
	if (mlk_registers_scan(run->sc, &run->register_cpus) < 0)
		return -1;
	run->scanning_registers = 0;
	return 0;
}

static int run_scan(struct memleak_run *run, const struct memleak_opts *o)
{
	if (build_index(run, o) < 0 || scan_roots(run, o) < 0)
		return -1;
	phase(o, run, "scanning reachable blocks");
	if (mlk_scan_drain(run->sc) < 0)
		return -1;
	mlk_scan_finish(run->sc);
	if (run->show_progress)
		fprintf(stderr, "\r%60s\r", "");
	return 0;
}

/* ---- the report --------------------------------------------------------------- */

static void print_hexdump(ulong addr, uint32_t size, long max_bytes)
{
	unsigned char bytes[MAX_HEX_BYTES];
	char line[MLK_HEXLINE];
	long len = size < max_bytes ? size : max_bytes, off;

	if (len <= 0)
		return;
	if (!mlk_readk(addr, bytes, len)) {
		fprintf(fp, "  hex dump: contents not in the dump\n");
		return;
	}
	fprintf(fp, "  hex dump (first %ld bytes):\n", len);
	for (off = 0; off < len; off += 16) {
		long n = len - off < 16 ? len - off : 16;

		mlk_hexdump_line(bytes + off, n, line, sizeof(line));
		fprintf(fp, "    %s\n", line);
	}
}

static void print_vmalloc_origin(const struct memleak_run *run,
				 const struct mlk_block *b)
{
	ulong caller = mlk_vmalloc_caller(&run->vmalloc, b->tag), offset;
	struct syment *sp = caller ? value_search(caller, &offset) : NULL;

	if (sp)
		fprintf(fp, "  vmalloc area, allocated by %s+0x%lx\n", sp->name,
			offset);
	else
		fprintf(fp, "  vmalloc area\n");
}

static void print_alloc_info(const struct memleak_run *run,
			     const struct mlk_alloc_info *ai)
{
	if (!ai->have_track)
		return;
	if (ai->have_age)
		fprintf(fp, "  pid %d, cpu %d, jiffies %llu (age %.3fs)\n",
			ai->pid, ai->cpu, (unsigned long long)ai->when,
			(double)ai->age_jiffies / run->tracks.hz);
	else
		fprintf(fp, "  pid %d, cpu %d, jiffies %llu\n", ai->pid, ai->cpu,
			(unsigned long long)ai->when);
}

static void print_backtrace(const struct mlk_alloc_info *ai)
{
	char sym[256];
	unsigned i;

	if (!ai->have_track)
		return;
	fprintf(fp, "  backtrace:\n");
	if (!ai->nr_entries) {
		mlk_format_symbol(ai->caller, sym, sizeof(sym));
		fprintf(fp, "    [<%016lx>] %s\n", ai->caller, sym);
		fprintf(fp, "    (no stack: %s)\n",
			ai->stack_why ? ai->stack_why : "not recorded");
		return;
	}
	for (i = 0; i < ai->nr_entries; i++) {
		mlk_format_symbol(ai->entries[i], sym, sizeof(sym));
		fprintf(fp, "    [<%016llx>] %s\n",
			(unsigned long long)ai->entries[i], sym);
	}
}

static void print_orphan(const struct memleak_run *run,
			 const struct mlk_block *b,
			 const struct mlk_alloc_info *ai,
			 const struct memleak_opts *o)
{
	const struct mlk_cache *c = mlk_slub_cache_by_tag(&run->slub, b->tag);

	fprintf(fp, "unreferenced object 0x%016llx (size %u):\n",
		(unsigned long long)b->start, b->size);
	if (b->kind == MLK_KIND_SLAB && c)
		fprintf(fp, "  cache \"%s\", slab 0x%lx\n", c->name,
			mlk_slub_slab_of(b->start));
	else if (b->kind == MLK_KIND_VMALLOC)
		print_vmalloc_origin(run, b);
	else
		fprintf(fp, "  %s block\n", kind_name(b->kind));
	print_alloc_info(run, ai);
	if (b->flags & MLK_F_UNREADABLE)
		fprintf(fp, "  (part of its contents is missing from the dump)\n");
	print_hexdump(b->start, b->size, o->hex_bytes);
	print_backtrace(ai);
}

/*
 * What the kernel recorded about the allocation of b (slab objects of
 * SLAB_STORE_USER caches). 0 when a record was found.
 */
static int alloc_info_of(struct memleak_run *run, const struct mlk_block *b,
			 struct mlk_alloc_info *ai)
{
	const struct mlk_cache *c = mlk_slub_cache_by_tag(&run->slub, b->tag);

	if (b->kind != MLK_KIND_SLAB || !c) {
		memset(ai, 0, sizeof(*ai));
		ai->why = "not recorded for this kind of block";
		return -1;
	}
	return mlk_tracks_get(&run->tracks, c, b->start, ai);
}

/*
 * The age rule: a block allocated less than min_age seconds before the
 * dump may simply not be stored anywhere yet (a pointer in flight between
 * the allocator and its first user); kmemleak waits as long
 * (mm/kmemleak.c: jiffies_min_age, 5 s) before calling a block a leak.
 */
static int is_young(const struct memleak_run *run,
		    const struct mlk_alloc_info *ai, long min_age)
{
	return ai->have_age &&
	       ai->age_jiffies < (uint64_t)min_age * run->tracks.hz;
}

static int orphan_selected(const struct memleak_run *run,
			   const struct mlk_block *b,
			   const struct memleak_opts *o)
{
	const struct mlk_cache *c;

	if (!mlk_block_is_orphan(b))
		return 0;
	if (!o->cache)
		return 1;
	c = mlk_slub_cache_by_tag(&run->slub, b->tag);
	return b->kind == MLK_KIND_SLAB && c && strcmp(c->name, o->cache) == 0;
}

static long print_orphans(struct memleak_run *run,
			  const struct memleak_opts *o)
{
	size_t i, n = mlk_index_count(run->ix);
	long printed = 0, selected = 0;
	struct mlk_alloc_info *ai = malloc(sizeof(*ai));

	if (!ai)
		return -1;
	for (i = 0; i < n; i++) {
		const struct mlk_block *b = mlk_index_at(run->ix, i);

		if (!orphan_selected(run, b, o))
			continue;
		if (alloc_info_of(run, b, ai) < 0)
			run->without_track++;
		if (is_young(run, ai, o->min_age)) {
			run->young++;
			run->young_bytes += b->size;
			continue;
		}
		selected++;
		if (o->summary_only ||
		    (o->max_reports >= 0 && printed >= o->max_reports))
			continue;
		print_orphan(run, b, ai, o);
		printed++;
	}
	free(ai);
	if (printed < selected && !o->summary_only)
		fprintf(fp, "(%ld more not shown: -n limits the list)\n",
			selected - printed);
	return selected;
}

static void print_summary(const struct memleak_run *run, long selected,
			  const struct memleak_opts *o, int partial)
{
	const struct mlk_stats *st = mlk_scan_stats(run->sc);
	const struct mlk_slub_stats *ss = &run->slub.st;
	const struct mlk_roots *r = &run->roots;
	int k;

	fprintf(fp, "\nmemleak summary%s:\n",
		partial ? " (PARTIAL: the scan did not complete)" : "");
	fprintf(fp, "  blocks tracked:  %llu (%llu bytes): %llu slab objects "
		"(%llu caches, %llu slabs), %llu vmalloc areas (%llu bytes)\n",
		(unsigned long long)st->blocks,
		(unsigned long long)st->bytes_tracked,
		(unsigned long long)ss->objects,
		(unsigned long long)ss->caches,
		(unsigned long long)ss->slabs,
		(unsigned long long)run->vmalloc.tracked,
		(unsigned long long)run->vmalloc.bytes);
	fprintf(fp, "  roots scanned:   %llu bytes in %zu ranges (before "
		"merging overlaps:", (unsigned long long)st->root_bytes,
		r->count);
	for (k = 0; k < MLK_ROOT_KINDS; k++)
		fprintf(fp, "%s %s %llu", k ? "," : "", mlk_root_kind_name(k),
			(unsigned long long)r->per_kind_bytes[k]);
	fprintf(fp, ")\n                   (%llu tasks%s, %llu modules%s, "
		"%llu CPUs, saved registers of %llu CPUs)\n",
		(unsigned long long)r->tasks,
		r->tasks_truncated ? " - task list damaged" : "",
		(unsigned long long)r->modules,
		r->modules_truncated ? " - module list damaged" : "",
		(unsigned long long)r->cpus,
		(unsigned long long)run->register_cpus);
	fprintf(fp, "  blocks scanned:  %llu reachable blocks, %llu bytes\n",
		(unsigned long long)st->grey,
		(unsigned long long)st->block_bytes);
	fprintf(fp, "  orphans: %ld reported%s, %llu younger than %lds not "
		"reported (in flight)\n", selected,
		o->cache ? " (in the selected cache)" : "",
		(unsigned long long)run->young, o->min_age);
	fprintf(fp, "                   (%llu unreferenced blocks, %llu bytes, "
		"before the age rule)\n",
		(unsigned long long)st->orphans,
		(unsigned long long)st->orphan_bytes);
	if (run->without_track)
		fprintf(fp, "  allocation records: none for %llu orphans (slab "
			"tracks need slub_debug=U; the age rule needs them)\n",
			(unsigned long long)run->without_track);
	if (run->tracks.depot_why)
		fprintf(fp, "  stack depot:     not readable (%s)\n",
			run->tracks.depot_why);
	fprintf(fp, "  unreadable:      %llu pages skipped while scanning, "
		"%llu slabs unreadable, %llu struct page chunks unreadable\n",
		(unsigned long long)st->pages_unreadable,
		(unsigned long long)ss->slabs_unreadable,
		(unsigned long long)run->pages.chunks_unreadable);
	if (ss->freelists_corrupt || ss->slabs_bad || ss->slabs_unknown_cache ||
	    ss->cache_list_truncated)
		fprintf(fp, "  damaged:         %llu corrupt freelists, %llu slabs "
			"with absurd counters, %llu slabs of unknown caches%s\n",
			(unsigned long long)ss->freelists_corrupt,
			(unsigned long long)ss->slabs_bad,
			(unsigned long long)ss->slabs_unknown_cache,
			ss->cache_list_truncated ? ", slab_caches list cut" : "");
	fprintf(fp, "  not tracked:     page allocations (large kmalloc), "
		"per-cpu allocations%s%s\n",
		run->vmalloc.unsupported ? ", vmalloc areas (no vmap_area_list "
		"on this kernel)" : "",
		ss->caches_skipped ? ", SLAB_NOLEAKTRACE caches" : "");
	fprintf(fp, "  time:            %.2f s, %llu MB read\n",
		seconds_since(&run->started),
		(unsigned long long)(mlk_reads.bytes >> 20));
}

/* ---- the command -------------------------------------------------------------- */

static int parse_opts(struct memleak_opts *o)
{
	int c;

	o->max_reports = -1;
	o->hex_bytes = DEFAULT_HEX_BYTES;
	o->min_age = DEFAULT_MIN_AGE_SECONDS;
	while ((c = getopt(argcnt, args, "n:x:c:w:m:qv")) != EOF) {
		switch (c) {
		case 'n':
			o->max_reports = stol(optarg, FAULT_ON_ERROR, NULL);
			break;
		case 'x':
			o->hex_bytes = stol(optarg, FAULT_ON_ERROR, NULL);
			if (o->hex_bytes < 0 || o->hex_bytes > MAX_HEX_BYTES) {
				error(INFO, "-x takes 0 to %d bytes\n",
				      MAX_HEX_BYTES);
				return -1;
			}
			break;
		case 'c':
			o->cache = optarg;
			break;
		case 'w':
			o->watch = htol(optarg, FAULT_ON_ERROR, NULL);
			break;
		case 'm':
			o->min_age = stol(optarg, FAULT_ON_ERROR, NULL);
			if (o->min_age < 0 || o->min_age > 1000000000L) {
				error(INFO, "-m takes a number of seconds\n");
				return -1;
			}
			break;
		case 'q':
			o->summary_only = 1;
			break;
		case 'v':
			o->verbose = 1;
			break;
		default:
			argerrs++;
			break;
		}
	}
	if (argerrs || args[optind]) {
		cmd_usage(pc->curcmd, SYNOPSIS);
		return -1;
	}
	return 0;
}

static void cmd_memleak(void)
{
	struct memleak_opts opts = { 0 };
	struct memleak_run *run;
	int partial;
	long selected;

	if (parse_opts(&opts) < 0)
		return;
	if (mlk_layout_init() < 0)
		return;
	memleak_cleanup(); /* a previous run interrupted by Ctrl-C */
	run = calloc(1, sizeof(*run));
	if (!run) {
		error(INFO, "out of memory\n");
		return;
	}
	active_run = run;
	memset(&mlk_reads, 0, sizeof(mlk_reads));
	gettimeofday(&run->started, NULL);
	run->last_progress = run->started;
	run->show_progress = isatty(fileno(stderr)) && !opts.summary_only;

	mlk_tracks_init(&run->tracks);
	partial = run_scan(run, &opts) < 0;
	if (partial && !run->sc) {
		error(INFO, "the scan could not start (see above); "
		      "nothing to report\n");
		memleak_cleanup();
		return;
	}
	if (partial)
		error(INFO, "the scan stopped early (out of memory or "
		      "damaged dump): the report below is PARTIAL and may "
		      "list reachable blocks\n");
	selected = print_orphans(run, &opts);
	print_summary(run, selected, &opts, partial);
	memleak_cleanup();
}

static char *help_memleak[] = {
"memleak",
"find kernel memory that nothing points to (leaks)",
"[-q] [-v] [-n count] [-x bytes] [-c cache] [-m seconds] [-w address]",
"  Scans the kernel's memory, as kmemleak does, for allocated blocks that no",
"  pointer reaches any more, and prints each orphan with its cache, slab and",
"  the first bytes of its contents, then a summary of the scan.",
" ",
"  Blocks tracked: every allocated object of every SLUB cache, found by",
"  walking the struct page array (full slabs included); free objects are",
"  told apart through the slab and per-CPU freelists.",
"  Roots scanned: kernel .data, .bss and ro_after_init; the static per-cpu",
"  area of each CPU; every task's kernel stack (from the kernel's own task",
"  list); every loaded module's data. Blocks reached from a root are scanned",
"  in turn; whatever stays unreached is reported.",
" ",
"  Damaged or missing memory is skipped and counted in the summary; a scan",
"  that cannot complete says PARTIAL. Ctrl-C returns to the prompt.",
" ",
"        -q  print the summary only.",
"        -v  print the phases of the scan as they run.",
"  -n count  print at most count orphans (the summary counts them all).",
"  -x bytes  bytes of hex dump per orphan (default 32, 0 for none, max 4096).",
"  -c cache  only report orphans of the named slab cache.",
"-m seconds  orphans allocated less than this before the dump are in flight,",
"            counted but not reported (default 5, as kmemleak; needs the",
"            allocation records of slub_debug=U).",
"-w address  explain a verdict: print every reference found to the block",
"            holding address, with where the referencing word lies (which",
"            kind of root, or which reachable block).",
"\nEXAMPLES",
"  Scan the dump and list the orphans:\n",
"    %s> memleak",
"    unreferenced object 0xffff8e8d41c3a2a0 (size 96):",
"      cache \"kmalloc-96\", slab 0xffffd7b8c4070e80",
"      hex dump (first 32 bytes):",
"        5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a  ZZZZZZZZZZZZZZZZ",
"        5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a  ZZZZZZZZZZZZZZZZ",
"    ...",
"    memleak summary:",
"      blocks tracked:  59455 slab objects, ...",
"      orphans: 12 (4416 bytes)",
" ",
"  Only the summary:\n",
"    %s> memleak -q",
" ",
"  Orphans of one cache, with 64 bytes of each:\n",
"    %s> memleak -c kmalloc-96 -x 64",
" ",
"  Why is a block not reported? Show who points to it:\n",
"    %s> memleak -q -w ffff8e8d41c3a2a0",
"    memleak: -w: watching slab object 0xffff8e8d41c3a2a0 (\"kmalloc-96\", 96 bytes)",
"    memleak: -w: referenced from 0xffffffffc0214020, in root: module data",
NULL
};

static struct command_table_entry command_table[] = {
	{ "memleak", cmd_memleak, help_memleak, 0 },
	{ "memleak_cleanup", memleak_cleanup, NULL, CLEANUP },
	{ NULL, NULL, NULL, 0 }
};

/*
 * Register the command first and resolve nothing here: kernel layouts are
 * looked up when memleak runs, so a kernel that lacks something still gets
 * the command and a clear message.
 */
void __attribute__((constructor)) memleak_init(void)
{
	register_extension(command_table);
}

void __attribute__((destructor)) memleak_fini(void)
{
	memleak_cleanup();
}
