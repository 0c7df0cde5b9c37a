/*
 * leaks.c - what `memleak` prints once the scan is done, from the facts
 * gathered by orphans.c (classes, ages, suppressions, groups).
 *
 * The default report lists orphans one by one, in the layout of
 * /sys/kernel/debug/kmemleak. `-s` groups the direct leaks by allocation
 * stack (::findleaks of illumos mdb does the same), counting the indirect
 * blocks under the direct leak that holds them, so a leaked list of 10,000
 * nodes is one finding. -j writes the same report as JSON Lines (json.c).
 */
#include "report.h"


/* ---- one orphan ------------------------------------------------------------ */

void mlk_print_hexdump(ulong addr, uint64_t size, long max_bytes)
{
	unsigned char bytes[MAX_HEX_BYTES];
	char line[MLK_HEXLINE];
	long len = size < (uint64_t)max_bytes ? (long)size : max_bytes, off;

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

static void print_origin(const struct memleak_run *run,
			 const struct mlk_block *b)
{
	const struct mlk_cache *c = mlk_report_cache(run, b);
	char sym[256];
	ulong caller;

	if (c) {
		fprintf(fp, "  cache \"%s\", slab 0x%lx\n", c->name,
			mlk_slub_slab_of(b->start));
		return;
	}
	if (b->kind == MLK_KIND_VMALLOC) {
		caller = mlk_vmalloc_caller(&run->vmalloc, b->tag);
		if (caller) {
			mlk_format_symbol(caller, sym, sizeof(sym));
			fprintf(fp, "  vmalloc area, allocated by %s\n", sym);
		} else {
			fprintf(fp, "  vmalloc area\n");
		}
		return;
	}
	if (b->kind == MLK_KIND_PAGES) {
		fprintf(fp, "  large kmalloc, %u pages (compound, from %s)\n",
			b->size >> PAGESHIFT(), mlk_page_types_large_kmalloc() ?
			"its page type" : "page_owner");
		return;
	}
	fprintf(fp, "  %s block\n", mlk_kind_name(b->kind));
}

static void print_class(const struct report *r, size_t i)
{
	const struct mlk_orphans *orph = &r->run->orphans;

	if (orph->owner[i] != i) {
		fprintf(fp, "  leak: indirect, held by 0x%llx\n",
			(unsigned long long)mlk_report_orphan(r, orph->owner[i])->start);
		return;
	}
	fprintf(fp, "  leak: direct, holds %llu indirect blocks (%llu bytes)\n",
		(unsigned long long)orph->held_blocks[i],
		(unsigned long long)orph->held_bytes[i]);
}

static void print_track(const struct memleak_run *run,
			const struct mlk_alloc_info *ai)
{
	char comm[32];

	if (!ai->have_track)
		return;
	if (ai->from_page_owner) {
		/* mm/page_owner.c keeps the name, and local_clock() in ns */
		fprintf(fp, "  comm \"%s\", pid %d, allocated at %llu.%09llu s "
			"(page_owner)\n", ai->comm, ai->pid,
			(unsigned long long)(ai->ts_nsec / 1000000000ULL),
			(unsigned long long)(ai->ts_nsec % 1000000000ULL));
		return;
	}
	/*
	 * The track keeps the pid, not the name (mm/slub.c: set_track()): the
	 * name is that of the task with this pid in the dump, if any.
	 */
	if (!mlk_roots_comm_of_pid(&run->roots, ai->pid, ai->cpu, comm,
				   sizeof(comm)))
		snprintf(comm, sizeof(comm), "(exited)");
	fprintf(fp, "  comm \"%s\", pid %d, cpu %d, jiffies %llu", comm,
		ai->pid, ai->cpu, (unsigned long long)ai->when);
	if (ai->have_age)
		fprintf(fp, " (age %.3fs)",
			(double)ai->age_jiffies / run->tracks.hz);
	fprintf(fp, "\n");
}

static void print_backtrace(const struct mlk_alloc_info *ai)
{
	char sym[256];

	if (!ai->have_track)
		return;
	fprintf(fp, "  backtrace:\n");
	if (!ai->nr_entries) {
		if (ai->caller) {
			mlk_format_symbol(ai->caller, sym, sizeof(sym));
			fprintf(fp, "    [<%016lx>] %s\n", ai->caller, sym);
		}
		fprintf(fp, "    (no stack: %s)\n",
			ai->stack_why ? ai->stack_why : "not recorded");
		return;
	}
	mlk_print_frames(ai->entries, ai->nr_entries);
}

void mlk_print_frames(const mlk_addr_t *entries, unsigned n)
{
	char sym[256];
	unsigned i;

	for (i = 0; i < n; i++) {
		mlk_format_symbol(entries[i], sym, sizeof(sym));
		fprintf(fp, "    [<%016llx>] %s\n",
			(unsigned long long)entries[i], sym);
	}
}

static void print_orphan(struct report *r, size_t i)
{
	const struct mlk_block *b = mlk_report_orphan(r, i);

	mlk_report_alloc_info(r, b);
	fprintf(fp, "unreferenced object 0x%016llx (size %u):\n",
		(unsigned long long)b->start, b->size);
	print_origin(r->run, b);
	print_class(r, i);
	print_track(r->run, &r->ai);
	if (r->o->verbose)
		fprintf(fp, "  references found: %u (needed %u); %s block\n",
			b->count, b->min_count, mlk_kind_name(b->kind));
	if (b->flags & MLK_F_UNREADABLE)
		fprintf(fp, "  (part of its contents is missing from the dump)\n");
	mlk_print_hexdump(b->start, b->size, r->o->hex_bytes);
	print_backtrace(&r->ai);
}

static void print_percpu_orphan(const struct report *r,
				const struct mlk_block *b)
{
	const struct mlk_percpu *pc = &r->run->percpu;

	fprintf(fp, "unreferenced object 0x%016llx (size %u):\n",
		(unsigned long long)b->start, b->size);
	fprintf(fp, "  per-cpu allocation (__percpu pointer); CPU 0's copy at "
		"0x%llx\n", (unsigned long long)(b->start + pc->cpu_offsets[0]));
	fprintf(fp, "  leak: direct, holds 0 indirect blocks (0 bytes)\n");
	if (b->flags & MLK_F_UNREADABLE)
		fprintf(fp, "  (part of its contents is missing from the dump)\n");
	mlk_print_hexdump(b->start + pc->cpu_offsets[0], b->size, r->o->hex_bytes);
}

/* Prints up to budget per-cpu orphans; returns how many it printed. */
static long print_percpu_orphans(const struct report *r, long budget)
{
	struct mlk_index *pix = r->run->percpu.pix;
	size_t i, n = pix && r->run->roots.percpu_static_only ?
		mlk_index_count(pix) : 0;
	long printed = 0;

	for (i = 0; i < n && (budget < 0 || printed < budget); i++) {
		const struct mlk_block *b = mlk_index_at(pix, i);

		if (!mlk_report_percpu_selected(r, b))
			continue;
		print_percpu_orphan(r, b);
		printed++;
	}
	return printed;
}

static void print_list(struct report *r)
{
	const struct memleak_opts *o = r->o;
	size_t i;
	long printed = 0;

	for (i = 0; i < r->run->orphans.count; i++) {
		if (!r->notes[i].selected)
			continue;
		if (o->max_reports >= 0 && printed >= o->max_reports)
			break;
		print_orphan(r, i);
		printed++;
	}
	printed += print_percpu_orphans(r, o->max_reports < 0 ? -1 :
					o->max_reports - printed);
	if ((uint64_t)printed < r->reported)
		fprintf(fp, "(%llu more not shown: -n limits the list)\n",
			(unsigned long long)(r->reported - printed));
}

/* -p: the possibly lost blocks, under the filters and -n. */
static void print_possibly_lost(struct report *r)
{
	struct mlk_index *ixs[2] = { r->run->ix, r->run->percpu.pix };
	long printed = 0, budget = r->o->max_reports;
	size_t k, i;

	for (k = 0; k < 2; k++) {
		for (i = 0; ixs[k] && i < mlk_index_count(ixs[k]); i++) {
			const struct mlk_block *b = mlk_index_at(ixs[k], i);

			if (!(b->flags & MLK_F_POSSIBLE) ||
			    (b->flags & MLK_F_IGNORE) ||
			    !mlk_report_block_selected(r, b))
				continue;
			if (budget >= 0 && printed >= budget) {
				fprintf(fp, "(more possibly lost blocks not "
					"shown: -n limits the list)\n");
				return;
			}
			mlk_report_alloc_info(r, b);
			fprintf(fp, "possibly lost object 0x%016llx (size %u):\n",
				(unsigned long long)b->start, b->size);
			print_origin(r->run, b);
			fprintf(fp, "  possibly lost: reachable only through "
				"interior pointers that match no alias (memleak "
				"-w 0x%llx shows one chain)\n",
				(unsigned long long)b->start);
			print_track(r->run, &r->ai);
			mlk_print_hexdump(b->start, b->size, r->o->hex_bytes);
			print_backtrace(&r->ai);
			printed++;
		}
	}
}

/* ---- -s: grouped by allocation stack ---------------------------------------- */

/* -v: every direct block of the group, with what it holds. */
static void print_group_members(const struct report *r, const struct group *g,
				const size_t *order)
{
	const struct mlk_orphans *orph = &r->run->orphans;
	uint64_t m;

	fprintf(fp, "  members:\n");
	for (m = 0; m < g->direct; m++) {
		size_t i = order[g->members + m];
		const struct mlk_block *b = mlk_report_orphan(r, i);

		fprintf(fp, "    0x%llx (%u bytes), holds %llu indirect blocks "
			"(%llu bytes)\n", (unsigned long long)b->start, b->size,
			(unsigned long long)orph->held_blocks[i],
			(unsigned long long)orph->held_bytes[i]);
	}
}

static void print_group(struct report *r, const struct group *g,
			const size_t *order)
{
	unsigned k;

	fprintf(fp, "unreferenced: %llu direct + %llu indirect blocks (%llu "
		"bytes) %s\n", (unsigned long long)g->direct,
		(unsigned long long)g->indirect, (unsigned long long)g->bytes,
		g->key_type == KEY_STACK ? "from one allocation stack" :
		g->key_type == KEY_CALLER ? "from one call site" :
		g->key_type == KEY_VMALLOC ? "from one vmalloc caller" :
		"of one cache (no allocation records)");
	fprintf(fp, "  caches: ");
	for (k = 0; k < g->ncaches; k++)
		fprintf(fp, "%s\"%s\"", k ? ", " : "",
			mlk_slub_cache_by_tag(&r->run->slub, g->caches[k])->name);
	if (!g->ncaches)
		fprintf(fp, "(%s)", mlk_kind_name(mlk_report_orphan(r, g->first)->kind));
	fprintf(fp, "%s; sizes %u..%u", g->more_caches ? ", ..." : "",
		g->min_size, g->max_size);
	if (g->have_age)
		fprintf(fp, "; age %.3fs..%.3fs",
			(double)g->min_age / r->run->tracks.hz,
			(double)g->max_age / r->run->tracks.hz);
	fprintf(fp, "\n  direct blocks:");
	for (k = 0; k < g->nsamples; k++)
		fprintf(fp, " 0x%llx",
			(unsigned long long)mlk_report_orphan(r, g->samples[k])->start);
	fprintf(fp, "%s\n", g->direct > g->nsamples ? " ..." : "");
	if (r->o->verbose)
		print_group_members(r, g, order);
	mlk_report_alloc_info(r, mlk_report_orphan(r, g->first));
	if (r->ai.have_track)
		print_backtrace(&r->ai);
	else if (g->key_type == KEY_VMALLOC)
		print_origin(r->run, mlk_report_orphan(r, g->first));
}

static void print_groups(struct report *r)
{
	size_t ngroups = 0, printed;
	size_t *order = NULL;
	struct group *groups = NULL;

	if (mlk_report_groups(r, &groups, &ngroups, &order) < 0) {
		error(INFO, "out of memory: no grouped report\n");
		return;
	}
	if (r->percpu_reported)
		fprintf(fp, "unreferenced: %llu direct + 0 indirect blocks (%llu "
			"bytes) of per-cpu allocations (no allocation records)\n",
			(unsigned long long)r->percpu_reported,
			(unsigned long long)r->percpu_bytes);
	for (printed = 0; printed < ngroups; printed++) {
		if (r->o->max_reports >= 0 && printed >= (size_t)r->o->max_reports)
			break;
		print_group(r, &groups[printed], order);
	}
	if (printed < ngroups)
		fprintf(fp, "(%zu more groups not shown: -n limits the list)\n",
			ngroups - printed);
	free(order);
	free(groups);
}

/* ---- summary ------------------------------------------------------------------ */

/* What the scan took from the kernel's own kmemleak records. */
static void print_kernel_records(const struct memleak_run *run)
{
	const struct mlk_kml_adopted *a = &run->adopted;

	if (!a->done) {
		if (run->kml_why)
			fprintf(fp, "  kmemleak records: %s\n", run->kml_why);
		return;
	}
	fprintf(fp, "  kmemleak records: %llu objects read%s; adopted: %llu "
		"kmemleak_not_leak (scanned, not reported), %llu "
		"kmemleak_ignore (neither), %llu kmemleak_no_scan; %llu "
		"annotated objects are no tracked block; %llu ranges (%llu "
		"bytes) only kmemleak tracks, scanned as roots; %llu bytes "
		"of kmemleak metadata left out of the roots\n",
		(unsigned long long)a->objects,
		a->objects_bad || a->list_truncated ? " (PARTIAL: list "
		"damaged)" : "",
		(unsigned long long)a->not_leak,
		(unsigned long long)a->ignored,
		(unsigned long long)a->no_scan,
		(unsigned long long)a->unmatched,
		(unsigned long long)a->foreign,
		(unsigned long long)a->foreign_bytes,
		(unsigned long long)run->roots.excluded_bytes);
}

static void print_coverage(const struct memleak_run *run)
{
	const struct mlk_stats *st = mlk_scan_stats(run->sc);
	const struct mlk_slub_stats *ss = &run->slub.st;
	const struct mlk_roots *r = &run->roots;
	int k;

	fprintf(fp, "  blocks tracked:  %llu (%llu bytes): %llu slab objects "
		"(%llu caches, %llu slabs), %llu vmalloc areas (%llu bytes), "
		"%llu per-cpu allocations (%llu bytes x %u CPUs)\n",
		(unsigned long long)st->blocks,
		(unsigned long long)st->bytes_tracked,
		(unsigned long long)ss->objects,
		(unsigned long long)ss->caches,
		(unsigned long long)ss->slabs,
		(unsigned long long)run->vmalloc.tracked,
		(unsigned long long)run->vmalloc.bytes,
		(unsigned long long)run->percpu.allocations,
		(unsigned long long)run->percpu.bytes, run->percpu.ncpus);
	if (ss->sheaves || ss->sheaves_bad || ss->deferred_free ||
	    ss->sheaf_wild || ss->sheaf_unmatched)
		fprintf(fp, "  sheaves:         %llu objects cached free in %llu "
			"sheaves (%llu waiting for RCU) and %llu deferred "
			"frees, not tracked; damage ignored: %llu sheaves or "
			"barn lists unreadable, cut, not of their cache or "
			"above their capacity, %llu pointers no "
			"free object of their cache, %llu in no slab read\n",
			(unsigned long long)(ss->sheaf_free),
			(unsigned long long)ss->sheaves,
			(unsigned long long)ss->sheaves_rcu,
			(unsigned long long)ss->deferred_free,
			(unsigned long long)ss->sheaves_bad,
			(unsigned long long)ss->sheaf_wild,
			(unsigned long long)ss->sheaf_unmatched);
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
	if (r->freed_image_bytes)
		fprintf(fp, "                   (%llu bytes of the kernel image "
			"that the kernel gave back to the page allocator at "
			"boot left out)\n",
			(unsigned long long)r->freed_image_bytes);
	fprintf(fp, "  blocks scanned:  %llu reachable blocks, %llu bytes\n",
		(unsigned long long)st->grey,
		(unsigned long long)st->block_bytes);
	if (mlk_page_types_large_kmalloc())
		fprintf(fp, "  large kmalloc:   %llu blocks (%llu pages) tracked "
			"by their page type\n",
			(unsigned long long)run->compound.large_kmalloc,
			(unsigned long long)run->compound.large_kmalloc_pages);
	else if (run->owners.ready)
		fprintf(fp, "  page_owner:      %llu large kmalloc blocks (%llu "
			"pages) tracked; stacks of large kmalloc and vmalloc "
			"blocks from page_owner\n",
			(unsigned long long)run->compound.large_kmalloc,
			(unsigned long long)run->compound.large_kmalloc_pages);
	print_kernel_records(run);
}

/* Which page allocations the scan does not track, and why. */
static const char *pages_untracked(const struct memleak_run *run, char *buf,
				   size_t bufsz)
{
	if (run->owners.ready || mlk_page_types_large_kmalloc())
		return "page allocations other than large kmalloc";
	snprintf(buf, bufsz, "page allocations (large kmalloc: %s)",
		 run->owners.why ? run->owners.why : "no page_owner records");
	return buf;
}

/*
 * On a live system memory changes while memleak reads it: a slab whose
 * freelists do not add up, a list that ends early, are inconsistent, not
 * damaged. Always printed there, zeros included.
 */
static void print_inconsistent(const struct memleak_run *run)
{
	const struct mlk_slub_stats *ss = &run->slub.st;
	const struct {
		int cut;
		const char *name;
	} lists[] = {
		{ ss->cache_list_truncated, "slab_caches" },
		{ run->roots.tasks_truncated, "tasks" },
		{ run->roots.modules_truncated, "modules" },
		{ run->vmalloc.list_truncated, "vmap areas" },
		{ run->percpu.lists_truncated, "per-cpu chunks" },
	};
	size_t i;
	int ncut = 0;

	fprintf(fp, "  inconsistent:    %llu slabs skipped (%llu freelists "
		"that do not add up, %llu absurd counters, %llu of unknown "
		"caches, %llu unreadable), %llu blocks in them not tracked "
		"(freelists that do not add up: the slab scanned as a root); "
		"%llu slabs consistent when read again; %llu vmalloc areas "
		"skipped; lists cut short:",
		(unsigned long long)(ss->freelists_corrupt + ss->slabs_bad +
				     ss->slabs_unknown_cache +
				     ss->slabs_unreadable),
		(unsigned long long)ss->freelists_corrupt,
		(unsigned long long)ss->slabs_bad,
		(unsigned long long)ss->slabs_unknown_cache,
		(unsigned long long)ss->slabs_unreadable,
		(unsigned long long)ss->objects_skipped,
		(unsigned long long)ss->slabs_reread,
		(unsigned long long)run->vmalloc.absurd);
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		if (lists[i].cut)
			fprintf(fp, "%s %s", ncut++ ? "," : "", lists[i].name);
	fprintf(fp, "%s (live system: memory changed while it was read)\n",
		ncut ? "" : " none");
}

static void print_damage(const struct memleak_run *run)
{
	const struct mlk_stats *st = mlk_scan_stats(run->sc);
	const struct mlk_slub_stats *ss = &run->slub.st;
	char why[160];

	uint64_t in_roots = 0;
	int k;

	fprintf(fp, "  unreadable:      %llu pages skipped while scanning",
		(unsigned long long)st->pages_unreadable);
	for (k = 0; k < MLK_ROOT_KINDS; k++) {
		if (!run->unreadable_by_root[k])
			continue;
		fprintf(fp, "%s%llu in %s", in_roots ? ", " : " (",
			(unsigned long long)run->unreadable_by_root[k],
			mlk_root_kind_name(k));
		in_roots += run->unreadable_by_root[k];
	}
	if (st->pages_unreadable > in_roots)
		fprintf(fp, "%s%llu in %llu reachable blocks, flagged in their "
			"reports", in_roots ? ", " : " (",
			(unsigned long long)(st->pages_unreadable - in_roots),
			(unsigned long long)st->blocks_unreadable);
	fprintf(fp, "%s; %llu slabs unreadable, %llu struct page chunks "
		"unreadable\n", st->pages_unreadable ? ")" : "",
		(unsigned long long)ss->slabs_unreadable,
		(unsigned long long)run->pages.chunks_unreadable);
	if (run->vmalloc.absurd || run->vmalloc.truncated ||
	    run->roots.modules_bad)
		fprintf(fp, "  damaged:         %llu vmalloc areas with corrupt "
			"sizes or addresses skipped, %llu larger than 4 GiB truncated, %llu "
			"modules with corrupt data ranges not scanned\n",
			(unsigned long long)run->vmalloc.absurd,
			(unsigned long long)run->vmalloc.truncated,
			(unsigned long long)run->roots.modules_bad);
	if (ACTIVE())
		print_inconsistent(run);
	else if (ss->freelists_corrupt || ss->slabs_bad ||
		 ss->slabs_unknown_cache || ss->cache_list_truncated)
		fprintf(fp, "  damaged:         %llu corrupt freelists, %llu slabs "
			"with absurd counters, %llu slabs of unknown caches%s "
			"(their objects are not tracked; a slab with a corrupt "
			"freelist is scanned as a root)\n",
			(unsigned long long)ss->freelists_corrupt,
			(unsigned long long)ss->slabs_bad,
			(unsigned long long)ss->slabs_unknown_cache,
			ss->cache_list_truncated ? ", slab_caches list cut" : "");
	fprintf(fp, "  not tracked:     %s (%llu compound allocations, %llu "
		"pages, scanned as roots instead)%s%s%s\n",
		pages_untracked(run, why, sizeof(why)),
		(unsigned long long)run->compound.allocations,
		(unsigned long long)run->compound.pages,
		run->roots.percpu_static_only ? "" : ", per-cpu allocations "
		"(allocation maps not readable: per-cpu units scanned as roots)",
		run->vmalloc.unsupported ? ", vmalloc areas (neither vmap_area_list "
		"nor vmap_nodes on this kernel)" : "",
		ss->caches_skipped ? ", SLAB_NOLEAKTRACE caches" : "");
}

/* The counting mode, the possibly lost blocks and the alias table. */
static void print_mode(const struct report *r)
{
	const struct memleak_run *run = r->run;
	const struct mlk_aliases *a = &run->aliases;
	const struct mlk_stats *st = mlk_scan_stats(run->sc);

	if (r->o->strict)
		fprintf(fp, "  mode:            strict (-t: only pointers to a "
			"block's start or to an alias of its type or size "
			"count); %llu interior pointers matching no alias did "
			"not count\n", (unsigned long long)st->doubtful_refs);
	else
		fprintf(fp, "  mode:            default (any interior pointer "
			"counts)\n");
	if (!a->ready) {
		fprintf(fp, "  possibly lost:   not told: no alias table (%s)\n",
			a->why ? a->why : "?");
		return;
	}
	if (!r->o->strict)
		fprintf(fp, "  possibly lost:   %llu blocks (%llu bytes) reachable "
			"only through interior pointers that match no alias "
			"(memleak -p lists them)\n",
			(unsigned long long)st->possibly_lost,
			(unsigned long long)st->possibly_lost_bytes);
	fprintf(fp, "  alias table:     %zu types%s; caches typed %llu by "
		"name, %llu by exact size, %llu by size range\n",
		a->ntypes, a->modules ? ", modules' included" : "",
		(unsigned long long)a->caches_by_typing[MLK_TYPED_NAME],
		(unsigned long long)a->caches_by_typing[MLK_TYPED_SIZE],
		(unsigned long long)a->caches_by_typing[MLK_TYPED_RANGE]);
}

static void print_summary(const struct report *r, int partial)
{
	const struct memleak_run *run = r->run;
	const struct mlk_stats *st = mlk_scan_stats(run->sc);
	const struct memleak_opts *o = r->o;

	fprintf(fp, "\nmemleak summary%s:\n",
		partial ? " (PARTIAL: the scan did not complete)" : "");
	print_coverage(run);
	fprintf(fp, "  orphans: %llu reported (%llu direct, %llu indirect; "
		"%llu bytes)%s, %llu younger than %lds not reported (in flight)\n",
		(unsigned long long)r->reported,
		(unsigned long long)r->direct_reported,
		(unsigned long long)(r->reported - r->direct_reported),
		(unsigned long long)r->reported_bytes,
		o->cache || o->kind >= 0 || o->min_size || o->addr_hi ?
		" under the filters" : "",
		(unsigned long long)run->young, o->min_age);
	fprintf(fp, "                   (%llu unreferenced blocks, %llu bytes, "
		"in all)\n", (unsigned long long)st->orphans,
		(unsigned long long)st->orphan_bytes);
	print_mode(r);
	mlk_print_suppressions_used(&run->supps);
	if (run->without_track)
		fprintf(fp, "  allocation records: none for %llu slab orphans "
			"(tracks need the boot option slub_debug=U; without "
			"them there are no backtraces and no age rule)\n",
			(unsigned long long)run->without_track);
	if (run->tracks.future_tracks)
		fprintf(fp, "  ages:            %llu allocation records are dated "
			"after the dump's jiffies (%lu): jiffies or the records "
			"are corrupt; those ages are unknown and the age rule "
			"spared none of them\n",
			(unsigned long long)run->tracks.future_tracks,
			run->tracks.jiffies);
	if (run->tracks.after_scan_start || run->tracks.gone_since_scan ||
	    run->freed_since_scan)
		fprintf(fp, "  ages:            %llu orphans allocated after the "
			"scan began, %llu whose allocation record is gone, "
			"%llu no longer allocated (freed, or their slab's page "
			"reused) when read again (live system: blocks allocated "
			"or freed while memory was read): in flight, counted "
			"with the younger ones\n",
			(unsigned long long)run->tracks.after_scan_start,
			(unsigned long long)run->tracks.gone_since_scan,
			(unsigned long long)run->freed_since_scan);
	if (run->tracks.stacks.why && !run->tracks.stacks.absent)
		fprintf(fp, "  stack depot:     not readable (%s)\n",
			run->tracks.stacks.why);
	print_damage(run);
	if (mlk_debuginfo_late_questions())
		fprintf(fp, "  debuginfo:       %lu questions asked after the "
			"start (a memleak bug: a Ctrl-C then may be lost)\n",
			mlk_debuginfo_late_questions());
	fprintf(fp, "  time:            %.2f s, %llu MB read\n",
		mlk_seconds_since(&run->started),
		(unsigned long long)(mlk_reads.bytes >> 20));
}

/* -j: every record, before the text report (whose -n does not apply). */
static void write_json(struct report *r, int partial)
{
	size_t ngroups = 0, *order = NULL;
	struct group *groups = NULL;

	if (mlk_json_open(r->run, r->o->json_path) < 0)
		return;
	mlk_json_run_record(r);
	mlk_json_orphans(r);
	if (mlk_report_groups(r, &groups, &ngroups, &order) == 0)
		mlk_json_groups(r, groups, ngroups);
	else
		error(INFO, "-j: out of memory: no group records\n");
	free(groups);
	free(order);
	mlk_holders_json(r);
	mlk_json_summary(r, partial);
}

void mlk_report(struct memleak_run *run, const struct memleak_opts *o,
		int partial)
{
	struct report r = { .run = run, .o = o };

	if (!run->classified) {
		if (mlk_classify_orphans(run->ix, &run->source,
					 &run->orphans) < 0) {
			error(INFO, "out of memory classifying the orphans\n");
			return;
		}
		run->classified = 1;
	}
	/* allocation records are only read for orphans: resolve them now */
	mlk_tracks_init(&run->tracks);
	run->tracks.scan_jiffies = run->scan_jiffies;
	run->tracks.have_scan_jiffies = run->have_scan_jiffies;
	r.notes = calloc(run->orphans.count + 1, sizeof(*r.notes));
	if (!r.notes) {
		error(INFO, "out of memory for the report\n");
		return;
	}
	mlk_report_take_notes(&r);
	/* -a -q without -j prints nothing of it: not built */
	if (o->holders && !run->holders && (!o->summary_only || o->json_path))
		mlk_holders_build(&r);
	if (o->json_path)
		write_json(&r, partial);
	if (o->watch)
		mlk_chain_print(&r, o->watch);
	if (!o->summary_only) {
		if (o->holders)
			mlk_holders_print(&r);
		else if (o->grouped)
			print_groups(&r);
		else
			print_list(&r);
		if (o->list_possibly)
			print_possibly_lost(&r);
	}
	print_summary(&r, partial);
	if (o->diff_path)
		mlk_diff_print(&r);
	mlk_json_close(run);
	free(r.notes);
}
