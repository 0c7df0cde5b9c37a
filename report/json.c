/*
 * json.c - `memleak -j FILE`: the report as JSON Lines, one JSON object a
 * line, for scripts, dashboards and `memleak -d` comparisons. Schema
 * (README: "JSON Lines output"), version MLK_JSON_SCHEMA:
 *   {"record":"run", ...}       the kernel, the dump, crash, the options
 *   {"record":"orphan", ...}    each reported orphan (-n does not limit it)
 *   {"record":"group", ...}     each group of -s, with its stable id
 *   {"record":"holder_group", ...} each group of -a (written by holders.c)
 *   {"record":"summary", ...}   every figure of the text summary
 * Addresses are strings ("0xffff..."), sizes and counts numbers, ages in
 * seconds; a field that is not known is null.
 */
#include "report.h"
#include "json_write.h"


static void jw_key(struct jw *w, const char *key)
{
	if (!w->first[w->depth])
		putc(',', w->f);
	w->first[w->depth] = 0;
	if (key) {
		mlk_json_string(w->f, key);
		putc(':', w->f);
	}
}

void jw_push(struct jw *w, const char *key, char open)
{
	jw_key(w, key);
	putc(open, w->f);
	if (w->depth + 1 < MAX_JSON_DEPTH)
		w->depth++;
	w->first[w->depth] = 1;
}

void jw_pop(struct jw *w, char close)
{
	putc(close, w->f);
	if (w->depth > 0)
		w->depth--;
}

void jw_begin(struct jw *w, FILE *f, const char *record)
{
	w->f = f;
	w->depth = 0;
	w->first[0] = 1;
	putc('{', f);
	jw_key(w, "record");
	mlk_json_string(f, record);
}

void jw_end(struct jw *w)
{
	fputs("}\n", w->f);
}

void jw_str(struct jw *w, const char *key, const char *s)
{
	jw_key(w, key);
	mlk_json_string(w->f, s);
}

void jw_u64(struct jw *w, const char *key, uint64_t v)
{
	jw_key(w, key);
	fprintf(w->f, "%llu", (unsigned long long)v);
}

void jw_int(struct jw *w, const char *key, long v)
{
	jw_key(w, key);
	fprintf(w->f, "%ld", v);
}

static void jw_addr(struct jw *w, const char *key, uint64_t addr)
{
	jw_key(w, key);
	fprintf(w->f, "\"0x%llx\"", (unsigned long long)addr);
}

void jw_bool(struct jw *w, const char *key, int v)
{
	jw_key(w, key);
	fputs(v ? "true" : "false", w->f);
}

void jw_null(struct jw *w, const char *key)
{
	jw_key(w, key);
	fputs("null", w->f);
}

static void jw_seconds(struct jw *w, const char *key, int known,
		       uint64_t jiffies, unsigned hz)
{
	jw_key(w, key);
	if (known && hz)
		fprintf(w->f, "%.3f", (double)jiffies / hz);
	else
		fputs("null", w->f);
}

static void jw_id(struct jw *w, const char *key, uint64_t id)
{
	jw_key(w, key);
	fprintf(w->f, "\"%016llx\"", (unsigned long long)id);
}

/* ---- the output file ---- */

int mlk_json_open(struct memleak_run *run, const char *path)
{
	run->json_path = path;
	if (strcmp(path, "-") == 0) {
		run->json_out = fp;
		return 0;
	}
	run->json_out = fopen(path, "w");
	if (!run->json_out) {
		error(INFO, "-j: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

void mlk_json_close(struct memleak_run *run)
{
	int failed;

	if (!run->json_out)
		return;
	if (run->json_out == fp) {
		run->json_out = NULL;
		return;
	}
	failed = ferror(run->json_out) | (fclose(run->json_out) != 0);
	run->json_out = NULL;
	if (failed)
		error(INFO, "-j: writing %s failed: the file is incomplete\n",
		      run->json_path);
	else
		fprintf(fp, "memleak: %llu JSON records written to %s\n",
			(unsigned long long)run->json_records, run->json_path);
}

/* ---- records ---- */

void jw_frames(struct jw *w, const char *key, const mlk_addr_t *frames,
	       unsigned n)
{
	char sym[256];
	const char *function, *module;
	unsigned k;

	jw_push(w, key, '[');
	for (k = 0; k < n; k++) {
		mlk_format_symbol(frames[k], sym, sizeof(sym));
		mlk_symbol_names(frames[k], &function, &module);
		jw_push(w, NULL, '{');
		jw_addr(w, "address", frames[k]);
		jw_str(w, "symbol", sym);
		jw_str(w, "function", function);
		jw_str(w, "module", module);
		jw_pop(w, '}');
	}
	jw_pop(w, ']');
}

void jw_caches(struct jw *w, const struct memleak_run *run,
	       const uint32_t *caches, unsigned n)
{
	unsigned k;

	jw_push(w, "caches", '[');
	for (k = 0; k < n; k++)
		jw_str(w, NULL, mlk_slub_cache_by_tag(&run->slub, caches[k])->name);
	jw_pop(w, ']');
}

/* The stack of r->ai: its frames, or its call site alone, or none. */
void jw_alloc_stack(struct jw *w, const struct mlk_alloc_info *ai)
{
	mlk_addr_t caller = ai->caller;

	if (ai->have_track && ai->nr_entries)
		jw_frames(w, "stack", ai->entries, ai->nr_entries);
	else if (ai->have_track && ai->caller)
		jw_frames(w, "stack", &caller, 1);
	else
		jw_null(w, "stack");
}

void mlk_json_run_record(struct report *r)
{
	struct memleak_run *run = r->run;
	struct jw w;
	char *build_id = pc->read_vmcoreinfo ?
		pc->read_vmcoreinfo("BUILD-ID") : NULL;
	int i;

	if (!run->json_out)
		return;
	jw_begin(&w, run->json_out, "run");
	jw_int(&w, "schema", MLK_JSON_SCHEMA);
	jw_str(&w, "tool", "kmemleak.so memleak");
	jw_str(&w, "kernel_release", kt->utsname.release);
	jw_str(&w, "build_id", build_id);
	jw_str(&w, "machine", MACHINE_TYPE);
	jw_str(&w, "crash_version", pc->program_version);
	jw_str(&w, "dump", ACTIVE() ? pc->live_memsrc : pc->dumpfile);
	jw_bool(&w, "live", ACTIVE());
	jw_push(&w, "options", '[');
	for (i = 1; i < argcnt && args[i]; i++)
		jw_str(&w, NULL, args[i]);
	jw_pop(&w, ']');
	jw_str(&w, "references", "any pointer into a block");
	jw_int(&w, "min_age_s", r->o->min_age);
	jw_u64(&w, "hz", run->tracks.hz);
	jw_u64(&w, "jiffies", run->tracks.jiffies);
	jw_end(&w);
	run->json_records++;
	free(build_id);
}

static void orphan_origin(struct jw *w, struct report *r,
			  const struct mlk_block *b)
{
	const struct mlk_cache *c = mlk_report_cache(r->run, b);

	jw_str(w, "kind", mlk_kind_name(b->kind));
	jw_str(w, "cache", c ? c->name : NULL);
	if (c)
		jw_addr(w, "slab", mlk_slub_slab_of(b->start));
	else
		jw_null(w, "slab");
}

static void orphan_track(struct jw *w, struct report *r)
{
	const struct mlk_alloc_info *ai = &r->ai;
	char comm[64];

	if (!ai->have_track) {
		jw_null(w, "pid");
		jw_null(w, "comm");
		jw_null(w, "allocation_record");
		jw_seconds(w, "age_s", 0, 0, 0);
		return;
	}
	jw_int(w, "pid", ai->pid);
	if (ai->from_page_owner)
		snprintf(comm, sizeof(comm), "%s", ai->comm);
	else if (!mlk_roots_comm_of_pid(&r->run->roots, ai->pid, ai->cpu,
					comm, sizeof(comm)))
		snprintf(comm, sizeof(comm), "(exited)");
	jw_str(w, "comm", comm);
	jw_str(w, "allocation_record", ai->from_page_owner ? "page_owner" :
	       "slub track");
	jw_seconds(w, "age_s", ai->have_age, ai->age_jiffies, r->run->tracks.hz);
}

static void orphan_record(struct report *r, size_t i, uint64_t group_id)
{
	const struct mlk_orphans *orph = &r->run->orphans;
	const struct mlk_block *b = mlk_report_orphan(r, i);
	struct jw w;

	mlk_report_alloc_info(r, b);
	jw_begin(&w, r->run->json_out, "orphan");
	jw_addr(&w, "address", b->start);
	jw_u64(&w, "size", b->size);
	orphan_origin(&w, r, b);
	jw_str(&w, "class", orph->owner[i] == i ? "direct" : "indirect");
	if (orph->owner[i] == i)
		jw_null(&w, "holder");
	else
		jw_addr(&w, "holder", mlk_report_orphan(r, orph->owner[i])->start);
	jw_u64(&w, "holds_blocks", orph->owner[i] == i ? orph->held_blocks[i] : 0);
	jw_u64(&w, "holds_bytes", orph->owner[i] == i ? orph->held_bytes[i] : 0);
	orphan_track(&w, r);
	jw_alloc_stack(&w, &r->ai);
	jw_id(&w, "group", group_id);
	jw_bool(&w, "contents_missing", b->flags & MLK_F_UNREADABLE);
	jw_end(&w);
	r->run->json_records++;
}

static void percpu_record(struct report *r, const struct mlk_block *b)
{
	struct jw w;

	jw_begin(&w, r->run->json_out, "orphan");
	jw_addr(&w, "address", b->start);
	jw_u64(&w, "size", b->size);
	jw_str(&w, "kind", "percpu");
	jw_null(&w, "cache");
	jw_null(&w, "slab");
	jw_str(&w, "class", "direct");
	jw_null(&w, "holder");
	jw_u64(&w, "holds_blocks", 0);
	jw_u64(&w, "holds_bytes", 0);
	jw_null(&w, "pid");
	jw_null(&w, "comm");
	jw_null(&w, "allocation_record");
	jw_null(&w, "age_s");
	jw_null(&w, "stack");
	jw_id(&w, "group", mlk_report_percpu_id());
	jw_bool(&w, "contents_missing", b->flags & MLK_F_UNREADABLE);
	jw_end(&w);
	r->run->json_records++;
}

/*
 * Every selected orphan, with the id of its group (an indirect orphan's
 * is its direct owner's).
 */
void mlk_json_orphans(struct report *r)
{
	const struct mlk_orphans *orph = &r->run->orphans;
	struct mlk_index *pix = r->run->percpu.pix;
	uint64_t *ids = calloc(orph->count + 1, sizeof(*ids));
	struct group *groups = NULL;
	size_t *order = NULL, ngroups = 0, g, m, i, npc;

	if (!r->run->json_out)
		return;
	if (!ids || mlk_report_groups(r, &groups, &ngroups, &order) < 0) {
		error(INFO, "-j: out of memory: no orphan records\n");
		goto out;
	}
	for (g = 0; g < ngroups; g++) {
		uint64_t id = mlk_report_stable_id(r, &groups[g]);

		for (m = 0; m < groups[g].direct; m++)
			ids[order[groups[g].members + m]] = id;
	}
	for (i = 0; i < orph->count; i++)
		if (r->notes[i].selected)
			orphan_record(r, i, ids[orph->owner[i]]);
	npc = pix && r->run->roots.percpu_static_only ? mlk_index_count(pix) : 0;
	for (i = 0; i < npc; i++) {
		const struct mlk_block *b = mlk_index_at(pix, i);

		if (mlk_report_percpu_selected(r, b))
			percpu_record(r, b);
	}
out:
	free(ids);
	free(groups);
	free(order);
}

static void group_record(struct report *r, const struct group *g)
{
	const unsigned hz = r->run->tracks.hz;
	struct jw w;
	unsigned k;

	jw_begin(&w, r->run->json_out, "group");
	jw_id(&w, "id", mlk_report_stable_id(r, g));   /* r->ai: g->first */
	jw_str(&w, "key", mlk_report_key_name(g->key_type));
	jw_u64(&w, "direct", g->direct);
	jw_u64(&w, "indirect", g->indirect);
	jw_u64(&w, "bytes", g->bytes);
	jw_str(&w, "kind", mlk_kind_name(mlk_report_orphan(r, g->first)->kind));
	jw_caches(&w, r->run, g->caches, g->ncaches);
	jw_bool(&w, "more_caches", g->more_caches);
	jw_u64(&w, "min_size", g->min_size);
	jw_u64(&w, "max_size", g->max_size);
	jw_seconds(&w, "min_age_s", g->have_age, g->min_age, hz);
	jw_seconds(&w, "max_age_s", g->have_age, g->max_age, hz);
	jw_push(&w, "sample_addresses", '[');
	for (k = 0; k < g->nsamples; k++)
		jw_addr(&w, NULL, mlk_report_orphan(r, g->samples[k])->start);
	jw_pop(&w, ']');
	if (g->key_type == KEY_VMALLOC) {
		mlk_addr_t caller = g->key;

		jw_frames(&w, "stack", &caller, 1);
	} else {
		jw_alloc_stack(&w, &r->ai);
	}
	jw_end(&w);
	r->run->json_records++;
}

void mlk_json_groups(struct report *r, const struct group *groups,
		     size_t ngroups)
{
	struct jw w;
	size_t g;

	if (!r->run->json_out)
		return;
	if (r->percpu_reported) {
		jw_begin(&w, r->run->json_out, "group");
		jw_id(&w, "id", mlk_report_percpu_id());
		jw_str(&w, "key", "percpu");
		jw_u64(&w, "direct", r->percpu_reported);
		jw_u64(&w, "indirect", 0);
		jw_u64(&w, "bytes", r->percpu_bytes);
		jw_str(&w, "kind", "percpu");
		jw_end(&w);
		r->run->json_records++;
	}
	for (g = 0; g < ngroups; g++)
		group_record(r, &groups[g]);
}

/* ---- the summary ---- */

static void summary_coverage(struct jw *w, const struct memleak_run *run)
{
	const struct mlk_stats *st = mlk_scan_stats(run->sc);
	const struct mlk_slub_stats *ss = &run->slub.st;
	const struct mlk_roots *roots = &run->roots;
	int k;

	jw_push(w, "blocks_tracked", '{');
	jw_u64(w, "blocks", st->blocks);
	jw_u64(w, "bytes", st->bytes_tracked);
	jw_u64(w, "slab_objects", ss->objects);
	jw_u64(w, "caches", ss->caches);
	jw_u64(w, "slabs", ss->slabs);
	jw_u64(w, "vmalloc_areas", run->vmalloc.tracked);
	jw_u64(w, "vmalloc_bytes", run->vmalloc.bytes);
	jw_u64(w, "percpu_allocations", run->percpu.allocations);
	jw_u64(w, "percpu_bytes", run->percpu.bytes);
	jw_u64(w, "cpus", run->percpu.ncpus);
	jw_u64(w, "large_kmalloc_blocks", run->compound.large_kmalloc);
	jw_u64(w, "large_kmalloc_pages", run->compound.large_kmalloc_pages);
	jw_pop(w, '}');
	jw_push(w, "sheaves", '{');
	jw_u64(w, "objects_free", ss->sheaf_free);
	jw_u64(w, "sheaves", ss->sheaves);
	jw_u64(w, "sheaves_rcu", ss->sheaves_rcu);
	jw_u64(w, "deferred_free", ss->deferred_free);
	jw_u64(w, "sheaves_bad", ss->sheaves_bad);
	jw_u64(w, "pointers_wild", ss->sheaf_wild);
	jw_u64(w, "pointers_unmatched", ss->sheaf_unmatched);
	jw_pop(w, '}');
	jw_push(w, "roots", '{');
	jw_u64(w, "bytes", st->root_bytes);
	jw_u64(w, "ranges", roots->count);
	jw_push(w, "bytes_by_kind", '{');
	for (k = 0; k < MLK_ROOT_KINDS; k++)
		jw_u64(w, mlk_root_kind_name(k), roots->per_kind_bytes[k]);
	jw_pop(w, '}');
	jw_u64(w, "tasks", roots->tasks);
	jw_bool(w, "task_list_damaged", roots->tasks_truncated);
	jw_u64(w, "modules", roots->modules);
	jw_bool(w, "module_list_damaged", roots->modules_truncated);
	jw_u64(w, "cpus", roots->cpus);
	jw_u64(w, "register_cpus", run->register_cpus);
	jw_u64(w, "freed_image_bytes", roots->freed_image_bytes);
	jw_pop(w, '}');
	jw_push(w, "blocks_scanned", '{');
	jw_u64(w, "blocks", st->grey);
	jw_u64(w, "bytes", st->block_bytes);
	jw_pop(w, '}');
}

static void summary_kernel_records(struct jw *w, const struct memleak_run *run)
{
	const struct mlk_kml_adopted *a = &run->adopted;

	jw_push(w, "kmemleak_records", '{');
	jw_bool(w, "read", a->done);
	jw_str(w, "why_not", a->done ? NULL : run->kml_why);
	jw_u64(w, "objects", a->objects);
	jw_bool(w, "partial", a->objects_bad || a->list_truncated);
	jw_u64(w, "not_leak", a->not_leak);
	jw_u64(w, "ignored", a->ignored);
	jw_u64(w, "no_scan", a->no_scan);
	jw_u64(w, "unmatched", a->unmatched);
	jw_u64(w, "foreign_ranges", a->foreign);
	jw_u64(w, "foreign_bytes", a->foreign_bytes);
	jw_u64(w, "metadata_bytes_excluded", run->roots.excluded_bytes);
	jw_pop(w, '}');
}

static void summary_orphans(struct jw *w, const struct report *r)
{
	const struct memleak_run *run = r->run;
	const struct mlk_stats *st = mlk_scan_stats(run->sc);
	const struct mlk_supps *s = &run->supps;
	uint64_t blocks = 0, bytes = 0;
	size_t i;

	jw_push(w, "orphans", '{');
	jw_u64(w, "reported", r->reported);
	jw_u64(w, "direct", r->direct_reported);
	jw_u64(w, "indirect", r->reported - r->direct_reported);
	jw_u64(w, "bytes", r->reported_bytes);
	jw_bool(w, "filtered", r->o->cache || r->o->kind >= 0 ||
		r->o->min_size || r->o->addr_hi);
	jw_u64(w, "in_flight", run->young);
	jw_u64(w, "in_flight_bytes", run->young_bytes);
	jw_str(w, "mode", r->o->strict ? "strict" : "default");
	if (run->aliases.ready && !r->o->strict) {
		jw_u64(w, "possibly_lost", st->possibly_lost);
		jw_u64(w, "possibly_lost_bytes", st->possibly_lost_bytes);
	} else {
		jw_null(w, "possibly_lost");
		jw_null(w, "possibly_lost_bytes");
	}
	jw_u64(w, "doubtful_references", st->doubtful_refs);
	jw_u64(w, "unreferenced_blocks", st->orphans);
	jw_u64(w, "unreferenced_bytes", st->orphan_bytes);
	jw_u64(w, "without_allocation_record", run->without_track);
	jw_pop(w, '}');
	jw_push(w, "suppressions", '{');
	jw_u64(w, "rules", s->count);
	jw_push(w, "used", '[');
	for (i = 0; i < s->count; i++) {
		const struct mlk_supp_rule *rule = &s->rule[i];

		blocks += rule->blocks;
		bytes += rule->bytes;
		if (!rule->blocks)
			continue;
		jw_push(w, NULL, '{');
		jw_str(w, "type", mlk_supp_type_name(rule->type));
		jw_str(w, "pattern", rule->pattern);
		jw_str(w, "source", rule->source);
		jw_u64(w, "line", rule->line);
		jw_str(w, "why", rule->why);
		jw_u64(w, "blocks", rule->blocks);
		jw_u64(w, "bytes", rule->bytes);
		jw_pop(w, '}');
	}
	jw_pop(w, ']');
	jw_u64(w, "blocks", blocks);
	jw_u64(w, "bytes", bytes);
	jw_pop(w, '}');
}

static void summary_damage(struct jw *w, const struct memleak_run *run)
{
	const struct mlk_stats *st = mlk_scan_stats(run->sc);
	const struct mlk_slub_stats *ss = &run->slub.st;
	int k;

	jw_push(w, "ages", '{');
	jw_u64(w, "records_after_dump", run->tracks.future_tracks);
	jw_u64(w, "allocated_after_scan_start", run->tracks.after_scan_start);
	jw_u64(w, "records_gone_since_scan", run->tracks.gone_since_scan);
	jw_u64(w, "freed_since_scan", run->freed_since_scan);
	jw_pop(w, '}');
	jw_str(w, "stack_depot_unreadable", run->tracks.stacks.absent ? NULL :
	       run->tracks.stacks.why);
	jw_push(w, "unreadable", '{');
	jw_u64(w, "pages", st->pages_unreadable);
	jw_push(w, "pages_by_root_kind", '{');
	for (k = 0; k < MLK_ROOT_KINDS; k++)
		jw_u64(w, mlk_root_kind_name(k), run->unreadable_by_root[k]);
	jw_pop(w, '}');
	jw_u64(w, "blocks", st->blocks_unreadable);
	jw_u64(w, "slabs", ss->slabs_unreadable);
	jw_u64(w, "struct_page_chunks", run->pages.chunks_unreadable);
	jw_pop(w, '}');
	jw_push(w, "damaged", '{');
	jw_u64(w, "freelists_corrupt", ss->freelists_corrupt);
	jw_u64(w, "slabs_absurd_counters", ss->slabs_bad);
	jw_u64(w, "slabs_unknown_cache", ss->slabs_unknown_cache);
	jw_u64(w, "objects_skipped", ss->objects_skipped);
	jw_u64(w, "slabs_reread", ss->slabs_reread);
	jw_bool(w, "cache_list_cut", ss->cache_list_truncated);
	jw_u64(w, "vmalloc_areas_absurd", run->vmalloc.absurd);
	jw_u64(w, "vmalloc_areas_truncated", run->vmalloc.truncated);
	jw_bool(w, "vmalloc_list_cut", run->vmalloc.list_truncated);
	jw_bool(w, "percpu_lists_cut", run->percpu.lists_truncated);
	jw_u64(w, "modules_bad", run->roots.modules_bad);
	jw_pop(w, '}');
	jw_push(w, "not_tracked", '{');
	jw_u64(w, "compound_allocations", run->compound.allocations);
	jw_u64(w, "compound_pages", run->compound.pages);
	jw_bool(w, "percpu_allocations", !run->roots.percpu_static_only);
	jw_bool(w, "vmalloc_areas", run->vmalloc.unsupported);
	jw_bool(w, "noleaktrace_caches", ss->caches_skipped);
	jw_pop(w, '}');
}

void mlk_json_summary(struct report *r, int partial)
{
	struct memleak_run *run = r->run;
	struct jw w;

	if (!run->json_out)
		return;
	jw_begin(&w, run->json_out, "summary");
	jw_bool(&w, "partial", partial);
	summary_coverage(&w, run);
	summary_kernel_records(&w, run);
	summary_orphans(&w, r);
	summary_damage(&w, run);
	jw_u64(&w, "debuginfo_late_questions", mlk_debuginfo_late_questions());
	jw_key(&w, "time_s");
	fprintf(w.f, "%.2f", mlk_seconds_since(&run->started));
	jw_u64(&w, "mb_read", mlk_reads.bytes >> 20);
	jw_end(&w);
	run->json_records++;
}
