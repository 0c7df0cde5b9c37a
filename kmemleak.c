/*
 * kmemleak.c - crash(8) extension: `memleak` finds kernel memory that
 * nothing points to any more, in a vmcore or on a live system.
 *
 *   crash> extend kmemleak.so
 *   crash> memleak
 *
 * This file is the crash entry point: the command table, the options, the
 * help text and the order of the phases:
 *   1. the architecture (arch/) and every reader's debuginfo questions
 *      (dump/debuginfo.h), answered once per session, before any scan;
 *   2. the readers (readers/) turn the dump into tracked blocks and root
 *      ranges;
 *   3. the engine (engine/) marks what the roots reach;
 *   4. the report (report/) prints what stays unreached.
 * No lower layer calls up into this file.
 */
#include "memleak.h"
#include <sys/time.h>
#include <sys/resource.h>
#include <unistd.h>


static struct memleak_run *active_run;

/* ---- phase 1: the architecture and the debuginfo -------------------------------- */

/*
 * Every reader's debuginfo table, in the order of the phases. The essential
 * ones (struct page, slab caches, task stacks, module data) refuse the
 * kernel when unusable; the others degrade (the summary says what).
 */
static int prepare_kernel(void)
{
	const struct mlk_needs *tables[] = {
		NULL, /* the architecture's, below */
		&mlk_page_needs, &mlk_slub_needs, &mlk_tasks_needs,
		&mlk_modules_needs, &mlk_reserved_needs, &mlk_percpu_needs,
		&mlk_vmalloc_needs, &mlk_stack_depot_needs, &mlk_tracks_needs,
		&mlk_kml_needs, &mlk_page_owners_needs, &mlk_registers_needs,
	};

	if (mlk_debuginfo_ready())
		return 0;
	if (!mlk_arch_select())
		return -1;
	if (!(vt->flags & KMALLOC_SLUB)) {
		error(INFO, "this kernel does not use SLUB "
		      "(SLAB and SLOB are not supported)\n");
		return -1;
	}
	tables[0] = mlk_arch->needs;
	return mlk_debuginfo_prepare(tables, MLK_COUNT(tables));
}

static void run_free(struct memleak_run *run)
{
	if (!run)
		return;
	mlk_orphans_free(&run->orphans);
	mlk_aliases_free(&run->aliases);
	mlk_holders_free(run->holders);
	mlk_supps_free(&run->supps);
	mlk_jsonl_free(&run->diff_then);
	if (run->json_out && run->json_out != fp)
		fclose(run->json_out);    /* interrupted while writing */
	mlk_scan_free(run->sc);
	mlk_tracks_free(&run->tracks);
	mlk_page_owners_free(&run->owners);
	mlk_index_free(run->ix);
	mlk_roots_free(&run->roots);
	mlk_masks_free(&run->masks);
	mlk_vmalloc_free(&run->vmalloc);
	mlk_percpu_free(&run->percpu);
	mlk_slub_free(&run->slub);
	free(run);
}

/* Called by crash before every command and after an interrupted one. */
static void memleak_cleanup(void)
{
	struct memleak_run *run = active_run;

	active_run = NULL;
	run_free(run);
	mlk_window_cache_reset();
	mlk_gdb_hold_reset();
}

/* Progress on stderr for scans longer than a few seconds (tty only). */
static int report_progress(void *ctx, const struct mlk_stats *st)
{
	struct memleak_run *run = ctx;

	if (!run->show_progress || mlk_seconds_since(&run->last_progress) < 2.0)
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
		fprintf(fp, "memleak: [%6.2fs] %s\n", mlk_seconds_since(&r->started),
			what);
}

/* ---- the scan ----------------------------------------------------------------- */

/*
 * When the per-cpu allocations are blocks, the first chunk (memblock
 * memory) is scanned through them, not as reserved memory.
 */
static void skip_percpu_first_chunk(struct memleak_run *run)
{
	ulong start, end;

	if (!run->roots.percpu_static_only)
		return;
	if (mlk_percpu_first_chunk(&start, &end) < 0 ||
	    mlk_reserved_skip(&run->reserved, start, end) < 0) {
		/* cannot tell it apart: scan whole units as roots instead */
		run->roots.percpu_static_only = 0;
	}
}

/* One pass over the struct pages: slab objects, reserved memory. */
static int walk_pages(struct memleak_run *run)
{
	struct mlk_slab_walk *slabs = mlk_slub_walk_begin(&run->slub, run->ix);
	struct mlk_page_visitor visitors[3] = {
		{ mlk_slub_visit_page, slabs },
		{ mlk_reserved_visit, &run->reserved },
		{ mlk_compound_visit, &run->compound },
	};
	int ret;

	if (!slabs)
		return -1;
	run->slub.skipped_roots = &run->roots;
	if (mlk_reserved_init(&run->reserved, &run->roots) < 0)
		error(INFO, "PG_reserved unknown: reserved memory "
		      "not scanned\n");
	else
		skip_percpu_first_chunk(run);
	if (mlk_compound_init(&run->compound, &run->roots, run->ix,
			      run->owners.ready ? &run->owners : NULL) < 0)
		error(INFO, "page flags unknown: compound page allocations "
		      "not scanned\n");
	ret = mlk_pages_walk(visitors, 3, &run->pages);
	if (ret == 0)
		ret = mlk_reserved_finish(&run->reserved);
	if (ret == 0)
		ret = mlk_compound_finish(&run->compound);
	mlk_slub_walk_end(slabs);
	return ret;
}

/*
 * The kernel's own records, when it keeps them: page_owner (who allocated
 * each page) and kmemleak's objects (annotations, its metadata pool).
 */
static int read_kernel_records(struct memleak_run *run,
			       const struct memleak_opts *o)
{
	ulong start, end;

	mlk_page_owners_init(&run->owners);
	if (o->no_kernel_records) {
		run->kml_why = "not used (-N)";
		return 0;
	}
	if (mlk_kml_init(&run->kml, &run->kml_why) < 0)
		return 0;
	/* kmemleak's static object pool points at what it tracks */
	if (mlk_kml_mem_pool(&start, &end) == 0 &&
	    mlk_roots_exclude(&run->roots, start, end, MLK_HOLE_KMEMLEAK) < 0)
		return -1;
	return 0;
}

/*
 * Blocks and roots, in the order they depend on each other: the struct
 * page pass finds slab objects and reserved memory, the kernel's roots
 * name the thread stacks, and the vmalloc reader leaves those out.
 */
static int build_index(struct memleak_run *run, const struct memleak_opts *o)
{
	phase(o, run, "reading kernel records (page_owner, kmemleak)");
	if (read_kernel_records(run, o) < 0)
		return -1;
	phase(o, run, "reading slab caches");
	if (mlk_slub_read_caches(&run->slub) < 0)
		return -1;
	run->ix = mlk_index_new();
	if (!run->ix)
		return -1;
	phase(o, run, "reading per-cpu chunks");
	if (mlk_percpu_read(&run->percpu) < 0)
		return -1;
	run->roots.percpu_static_only = !run->percpu.unsupported;
	phase(o, run, "walking the struct page array");
	if (walk_pages(run) < 0)
		return -1;
	phase(o, run, "collecting roots");
	if (mlk_roots_collect(&run->roots) < 0)
		return -1;
	phase(o, run, "reading vmalloc areas");
	if (mlk_vmalloc_add_areas(run->ix, &run->masks, &run->roots,
				  run->percpu.vm_caller, &run->vmalloc) < 0)
		return -1;
	mlk_masks_finish(&run->masks);
	if (mlk_index_finish(run->ix) < 0)
		return -1;
	if (run->kml.ready) {
		phase(o, run, "adopting the kernel's kmemleak annotations");
		if (mlk_kml_adopt(&run->kml, run->ix,
				  run->roots.percpu_static_only ?
				  run->percpu.pix : NULL, &run->roots,
				  &run->adopted) < 0)
			return -1;
	}
	return 0;
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

static void print_reference(void *ctx, mlk_addr_t where,
			    const struct mlk_block *from)
{
	const struct memleak_run *run = ctx;
	const struct mlk_root *root;
	char desc[160];

	if (from)
		mlk_describe_block(run, from, desc, sizeof(desc));
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

	if (!b && run->roots.percpu_static_only)
		b = mlk_index_lookup(run->percpu.pix, addr);
	if (!b || mlk_scan_watch(run->sc, addr, print_reference, run) < 0) {
		error(INFO, "-w: 0x%lx is in no tracked block (free, or not "
		      "an allocation memleak tracks)\n", addr);
		return;
	}
	mlk_describe_block(run, b, desc, sizeof(desc));
	fprintf(fp, "memleak: -w: watching %s\n", desc);
}

/*
 * The alias table's filter (readers/aliases.h): without it, every interior
 * pointer counts and nothing is possibly lost; strict mode (-t) needs it.
 */
static int set_aliases(struct memleak_run *run, const struct memleak_opts *o)
{
	struct mlk_aliases *a = &run->aliases;
	struct timeval t0;
	int rc;

	phase(o, run, "reading the alias table");
	gettimeofday(&t0, NULL);
	rc = mlk_aliases_prepare(a, &run->slub);
	a->seconds = mlk_seconds_since(&t0);
	if (rc == 0 &&
	    mlk_scan_set_aliases(run->sc, a->by_tag, a->ntags, a->rules) < 0) {
		mlk_aliases_free(a);
		a->why = "too many blocks for the scan's alias marks";
	}
	if (o->verbose && a->ready)
		fprintf(fp, "memleak: alias table: %zu types, %s in %.2f s%s%s\n",
			a->ntypes, a->built_now ? "read from the DWARF" :
			a->from_session ? "kept from an earlier run" :
			"loaded from the cache", a->seconds,
			a->path[0] && !a->from_session ? ": " : "",
			a->from_session ? "" : a->path);
	if (!a->ready && o->strict) {
		error(INFO, "-t: no alias table (%s): strict mode cannot "
		      "tell an alias from another interior pointer\n", a->why);
		return -1;
	}
	return 0;
}

static int scan_roots(struct memleak_run *run, const struct memleak_opts *o)
{
	size_t i;

	run->source = mlk_crash_source(&run->masks);
	run->sc = mlk_scan_new(run->ix, &run->source, report_progress, run);
	if (!run->sc)
		return -1;
	mlk_scan_set_untag(run->sc, mlk_arch->untag);
	if (run->roots.percpu_static_only &&
	    mlk_scan_set_percpu(run->sc, run->percpu.pix,
				run->percpu.cpu_offsets, run->percpu.ncpus) < 0)
		return -1;
	if (o->holders) {
		run->parents_recorded = mlk_scan_record_parents(run->sc) == 0;
		if (!run->parents_recorded)
			error(INFO, "-a: out of memory: what holds each block "
			      "is not recorded\n");
	}
	if (set_aliases(run, o) < 0)
		return -1;
	if (o->watch) {
		run->breadth_first = mlk_scan_set_breadth_first(run->sc) == 0;
		if (!run->breadth_first)
			error(INFO, "-w: out of memory: no chain from a root\n");
		run->parents_recorded |= run->breadth_first;
		watch_block(run, o->watch);
	}
	phase(o, run, "scanning roots");
	for (i = 0; i < run->roots.count; i++) {
		const struct mlk_root *r = &run->roots.ranges[i];
		uint64_t before = mlk_scan_stats(run->sc)->pages_unreadable;

		if (mlk_scan_root(run->sc, r->start, r->len) < 0)
			return -1;
		run->unreadable_by_root[r->kind] +=
			mlk_scan_stats(run->sc)->pages_unreadable - before;
	}
	run->scanning_registers = 1;
	if (mlk_registers_scan(run->sc, &run->register_cpus) < 0)
		return -1;
	run->scanning_registers = 0;
	return 0;
}

/* -v: what the index and the scan's state take, per tracked block. */
static void print_memory(const struct memleak_run *run)
{
	size_t blocks = mlk_index_count(run->ix), store;
	size_t index = mlk_index_memory(run->ix);
	size_t scan = mlk_scan_memory(run->sc, &store);
	double per = blocks ? 1.0 / blocks : 0;

	fprintf(fp, "memleak: memory: index %zu MB (%.1f B/block), scan "
		"state %zu MB (%.1f B/block; edge store %zu MB, %.1f B/block)\n",
		index >> 20, index * per, scan >> 20, scan * per, store >> 20,
		store * per);
}

/* -v: whether every root page is memory the kernel still owns. */
static void print_root_audit(const struct memleak_run *run)
{
	struct mlk_root_audit a;
	int k;

	mlk_roots_audit(&run->roots, &a);
	fprintf(fp, "memleak: root audit: %llu root pages: %llu slab, %llu "
		"free, %llu given back, %llu without a readable struct page%s",
		(unsigned long long)a.pages, (unsigned long long)a.slab,
		(unsigned long long)a.free, (unsigned long long)a.given_back,
		(unsigned long long)a.unknown,
		mlk_page_knows_buddy() ? "" : " (free blocks not told)");
	if (a.first_slab)
		fprintf(fp, "; first slab page at %lx", a.first_slab);
	if (a.first_free)
		fprintf(fp, "; first free page at %lx", a.first_free);
	if (a.first_given_back)
		fprintf(fp, "; first given back at %lx", a.first_given_back);
	for (k = 0; k < MLK_ROOT_KINDS; k++)
		if (a.bad_by_kind[k])
			fprintf(fp, "; %llu in %s",
				(unsigned long long)a.bad_by_kind[k],
				mlk_root_kind_name(k));
	fprintf(fp, "\n");
}

static int run_scan(struct memleak_run *run, const struct memleak_opts *o)
{
	if (build_index(run, o) < 0 || scan_roots(run, o) < 0)
		return -1;
	phase(o, run, "scanning reachable blocks");
	if (mlk_scan_drain(run->sc) < 0)
		return -1;
	if (run->aliases.ready && !o->strict) {
		phase(o, run, "counting interior pointers that match no alias");
		if (mlk_scan_admit_doubtful(run->sc) < 0)
			return -1;
	}
	mlk_scan_finish(run->sc);
	if (o->verbose) {
		print_memory(run);
		print_root_audit(run);
	}
	if (run->show_progress)
		fprintf(stderr, "\r%60s\r", "");
	return 0;
}

/* ---- the command -------------------------------------------------------------- */

/* -r start-end (hexadecimal kernel addresses, end excluded) */
static int parse_range(char *arg, struct memleak_opts *o)
{
	char *dash = strchr(arg, '-');

	if (!dash) {
		error(INFO, "-r takes start-end\n");
		return -1;
	}
	*dash = '\0';
	o->addr_lo = htol(arg, FAULT_ON_ERROR, NULL);
	o->addr_hi = htol(dash + 1, FAULT_ON_ERROR, NULL);
	if (o->addr_hi <= o->addr_lo) {
		error(INFO, "-r: the end must lie above the start\n");
		return -1;
	}
	return 0;
}

/* -S FILE (any number of times, up to MAX_SUPP_FILES) or -S none. */
static int add_suppressions_option(struct memleak_opts *o, const char *arg)
{
	if (strcmp(arg, "none") == 0) {
		o->supp_none = 1;
		return 0;
	}
	if (o->nsupp_files == MAX_SUPP_FILES) {
		error(INFO, "-S: at most %d files\n", MAX_SUPP_FILES);
		return -1;
	}
	o->supp_files[o->nsupp_files++] = arg;
	return 0;
}

static int parse_opts(struct memleak_opts *o)
{
	int c;

	o->max_reports = -1;
	o->hex_bytes = DEFAULT_HEX_BYTES;
	o->min_age = DEFAULT_MIN_AGE_SECONDS;
	o->kind = -1;
	while ((c = getopt(argcnt, args, "n:x:c:w:m:k:b:r:S:j:d:asqvKNtp")) != EOF) {
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
		case 'k':
			o->kind = mlk_kind_by_name(optarg);
			if (o->kind < 0) {
				error(INFO, "-k takes slab, vmalloc, pages or "
				      "percpu\n");
				return -1;
			}
			break;
		case 'b':
			o->min_size = stol(optarg, FAULT_ON_ERROR, NULL);
			break;
		case 'r':
			if (parse_range(optarg, o) < 0)
				return -1;
			break;
		case 'S':
			if (add_suppressions_option(o, optarg) < 0)
				return -1;
			break;
		case 'j':
			o->json_path = optarg;
			break;
		case 'd':
			o->diff_path = optarg;
			break;
		case 's':
			o->grouped = 1;
			break;
		case 'a':
			o->holders = 1;
			break;
		case 't':
			o->strict = 1;
			break;
		case 'p':
			o->list_possibly = 1;
			break;
		case 'q':
			o->summary_only = 1;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 'K':
			o->kernel_report = 1;
			break;
		case 'N':
			o->no_kernel_records = 1;
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

	if (parse_opts(&opts) < 0)
		return;
	if (prepare_kernel() < 0)
		return;
	memleak_cleanup(); /* a previous run interrupted by Ctrl-C */
	run = calloc(1, sizeof(*run));
	if (!run) {
		error(INFO, "out of memory\n");
		return;
	}
	active_run = run;
	if (!opts.kernel_report &&
	    (mlk_suppressions_load(&run->supps, &opts) < 0 ||
	     mlk_diff_load(run, &opts) < 0)) {
		memleak_cleanup();
		return;
	}
	if (opts.kernel_report) {
		mlk_kml_report(run, &opts);
		memleak_cleanup();
		return;
	}
	memset(&mlk_reads, 0, sizeof(mlk_reads));
	mlk_window_cache_reset();
	gettimeofday(&run->started, NULL);
	run->last_progress = run->started;
	if (ACTIVE())
		run->have_scan_jiffies = mlk_read_jiffies(&run->scan_jiffies);
	run->show_progress = isatty(fileno(stderr)) && !opts.summary_only;

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
	mlk_report(run, &opts, partial);
	memleak_cleanup();
}

static char *help_memleak[] = {
"memleak",
"find kernel memory that nothing points to (leaks)",
"[-s] [-a] [-t] [-p] [-q] [-v] [-N] [-n count] [-x bytes] [-c cache] [-k kind]\n"
"        [-b bytes] [-r start-end] [-m seconds] [-w address] [-S file|none]\n"
"        [-j file] [-d file] | -K [-n count]",
"  Scans the kernel's memory, as kmemleak does, for allocated blocks that no",
"  pointer reaches any more, and prints each orphan with its cache, slab,",
"  class, allocation record, the first bytes of its contents and the stack",
"  that allocated it, then a summary of the scan.",
" ",
"  Blocks tracked: every allocated object of every SLUB cache, found by",
"  walking the struct page array (full slabs included), free objects told",
"  apart through the slab and per-CPU freelists; every vmalloc area; every",
"  per-cpu allocation (referenced through its __percpu pointer).",
"  Roots scanned: kernel .data, .bss and ro_after_init; each CPU's static",
"  per-cpu section; the live frames of every task's kernel stack (from the",
"  kernel's own task list); every module's data; the struct page array;",
"  reserved (boot-time memblock) memory; unmapped compound page allocations",
"  (large kmalloc, unless page_owner says which they are: then they are",
"  blocks); slabs skipped because their freelists do not add up (a damaged",
"  dump, or a live system changing under the scan); the CPU registers saved",
"  in the dump. Blocks reached from a root are scanned in turn; whatever",
"  stays unreached is an orphan.",
" ",
"  Kernels built with CONFIG_DEBUG_KMEMLEAK keep their own records: the",
"  scan then adopts their annotations (kmemleak_not_leak, kmemleak_ignore,",
"  kmemleak_no_scan) and leaves kmemleak's metadata out of the roots; -K",
"  prints the kernel's own report. With CONFIG_PAGE_OWNER and page_owner=on,",
"  large kmalloc and vmalloc orphans get their allocation stack from",
"  page_owner.",
" ",
"  An orphan pointed to by another orphan is an indirect leak (freed with",
"  its owner); the others are direct. With slub_debug=U, the kernel records",
"  who allocated each slab object: memleak prints the pid, age and stack,",
"  and keeps quiet about orphans younger than 5 seconds (in flight).",
" ",
"  A pointer into the middle of a block is a real reference when its",
"  offset is an alias of the block: the offset of an embedded structure",
"  (a list_head, rb_node, work_struct... two levels deep) of the block's",
"  type (a cache named after its struct), or of any type of its size",
"  (kmalloc-N). The alias table is read from the vmlinux's DWARF once per",
"  kernel build and kept in ~/.cache/kmemleak/. Every interior pointer",
"  counts, as in kmemleak; blocks reached only through interior pointers",
"  that match no alias are possibly lost, counted in the summary.",
" ",
"  Damaged or missing memory is skipped and counted in the summary; a scan",
"  that cannot complete says PARTIAL. On a live system (crash vmlinux",
"  /proc/kcore) memory changes while it is read: every walk is bounded, and",
"  what does not add up is skipped and counted in the summary's",
"  \"inconsistent\" line. Ctrl-C returns to the prompt.",
" ",
"            -s  one entry per allocation stack instead of one per block:",
"                the direct leaks allocated from the same stack, with the",
"                indirect blocks they hold, their caches, sizes, ages and a",
"                few addresses; sorted by bytes. Without allocation records,",
"                grouped by cache.",
"            -a  who holds the memory: every tracked block, reachable or",
"                not, grouped by allocation stack (or call site, vmalloc",
"                caller, cache), most bytes first: blocks, bytes, orphans,",
"                caches and the stack's top frames; then what first reached",
"                the group's reachable blocks in the scan, with counts: a",
"                root (kernel data, per-cpu areas, a task's stack with its",
"                pid and comm, a module's data, reserved memory, the saved",
"                registers...) or a block (its cache, allocation site and",
"                group). What /proc/allocinfo shows on a live 6.10+ kernel,",
"                and who keeps it alive. Printed instead of the orphans (and",
"                of -s); -n, -c, -k, -b, -r apply; with -j, holder_group",
"                records too. Reads the allocation record of every slab",
"                object; the scan keeps 4 bytes more per block.",
"            -t  strict mode (the 2006 design): only pointers to a block's",
"                start or to an alias count; the possibly lost blocks are",
"                then reported as leaks.",
"            -p  also list the possibly lost blocks (after the orphans).",
"            -q  print the summary only.",
"            -v  print the phases of the scan as they run, and per-block",
"                detail: each orphan's reference count; with -s, every",
"                direct block of each group and what it holds.",
"      -n count  print at most count orphans or groups (the summary counts",
"                them all).",
"      -x bytes  bytes of hex dump per orphan (default 32, 0 for none, max",
"                4096).",
"      -c cache  only report orphans of the named slab cache.",
"       -k kind  only report orphans of this kind: slab, vmalloc, pages",
"                (large kmalloc) or percpu.",
"      -b bytes  only report orphans of at least this size.",
"  -r start-end  only report orphans whose address lies in [start, end).",
"    -m seconds  orphans allocated less than this before the dump are in",
"                flight: counted, not reported (default 5, as kmemleak;",
"                needs the allocation records of slub_debug=U).",
"    -w address  explain a verdict: print every reference found to the",
"                block holding address, with where the referencing word",
"                lies (which kind of root, or which reachable block); then",
"                why it is alive: the shortest chain of references from a",
"                root (its symbol, task, CPU or registers) through each",
"                holding block (cache, member holding the pointer when its",
"                type is known, allocating function); or, for an orphan,",
"                that no chain exists and which orphan holds it. The scan",
"                then reads the blocks in breadth-first order (slower).",
"  -S file|none  suppressions: orphans that match a rule of file are",
"                counted, not reported (the summary lists the rules used).",
"                One rule a line, '#' comments: leak:GLOB (a function of",
"                the allocation stack, or its module), cache:GLOB (the slab",
"                cache), kind:GLOB (slab, vmalloc, pages, percpu); GLOB is",
"                a shell pattern matched against the whole name. Given",
"                several times, every file is read. Without -S none, a",
"                built-in list of the kernel's own kmemleak_not_leak() sites",
"                and the file $MEMLEAK_SUPPRESSIONS (or else",
"                ~/.config/kmemleak/suppressions, if it exists) are read",
"                first. An orphan held by a suppressed one is suppressed.",
"       -j file  also write the report as JSON Lines to file (\"-\": the",
"                screen): a run record, one per orphan (all of them: -n",
"                does not apply), one per group with a stable id (a hash of",
"                the stack's function names and the cache: the same leak",
"                has the same id after a reboot), and the summary. Schema:",
"                the README.",
"       -d file  after the report, compare this run with an earlier one:",
"                file is what memleak -j wrote then (another dump of the",
"                machine, or another boot). Groups (the direct orphans of",
"                one allocation stack and the indirect blocks they hold) are",
"                matched by stable id; printed: the groups that appeared,",
"                grew, shrank and disappeared, with blocks and bytes before,",
"                after and the change, largest change first, each with its",
"                key, caches and the top of its stack (-v: the unchanged",
"                ones too), and the orphans reported then and now. A file",
"                that is not memleak JSON Lines of a known schema is refused",
"                before the scan; another kernel release is said, and",
"                compared all the same (ids are made of function names).",
"            -N  do not use the kernel's kmemleak records (the offline scan",
"                alone, as on a kernel without kmemleak).",
"            -K  print what /sys/kernel/debug/kmemleak showed at the time of",
"                the dump, from the kernel's own kmemleak records (needs",
"                CONFIG_DEBUG_KMEMLEAK); frame addresses in full where the",
"                kernel hashes them. No scan is run.",
"\nEXAMPLES",
"  Scan the dump and list the orphans:\n",
"    %s> memleak",
"    unreferenced object 0xffff8e8d41c3a2a0 (size 96):",
"      cache \"kmalloc-96\", slab 0xffffd7b8c4070e80",
"      leak: direct, holds 0 indirect blocks (0 bytes)",
"      comm \"insmod\", pid 95, cpu 1, jiffies 4294892629 (age 9.776s)",
"      hex dump (first 32 bytes):",
"        5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a  ZZZZZZZZZZZZZZZZ",
"        5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a  ZZZZZZZZZZZZZZZZ",
"      backtrace:",
"        [<ffffffff9c0a93b9>] __kmalloc+0x49/0x150",
"        [<ffffffffc02121b1>] plant_kmalloc_leaks+0x1a/0x40 [memleak_test]",
"    ...",
"    memleak summary:",
"      blocks tracked:  59455 slab objects, ...",
"      orphans: 12 reported (10 direct, 2 indirect; 4416 bytes), 0 younger than 5s not reported (in flight)",
" ",
"  One entry per allocation stack, largest first:\n",
"    %s> memleak -s",
"    unreferenced: 1 direct + 99 indirect blocks (12800 bytes) from one allocation stack",
"      caches: \"kmalloc-128\"; sizes 128..128; age 9.776s..9.776s",
"      direct blocks: 0xffff8e8d41c3a000",
"      backtrace:",
"    ...",
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
" ",
"  Who holds the memory, the 3 largest groups:\n",
"    %s> memleak -a -n 3",
"    #1 1 blocks (2097152 bytes), 0 orphans (0 bytes); by vmalloc caller; vmalloc",
"       at: pcpu_create_chunk",
"       held by: 1 blocks (2097152 bytes): block \"kmalloc-192\" allocated at pcpu_create_chunk < pcpu_balance_workfn (#1990)",
"    #2 1390 blocks (878480 bytes), 0 orphans (0 bytes); by stack; caches \"inode_cache\"",
"       at: alloc_inode < new_inode < tracefs_get_inode < tracefs_create_file",
"       held by: 1370 blocks (865840 bytes): block \"dentry\" allocated at __d_alloc < d_alloc (#13)",
"    ...",
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
	mlk_aliases_session_free();
}
