/*
 * orphans.c - what is known of each orphan once the scan is done: its
 * allocation record, grouping key, age (in flight or not), suppression,
 * whether the options select it; and the groups of -s, with their stable
 * ids. The writers (leaks.c, json.c) print from these facts.
 *
 * Every orphan gets a class, as valgrind memcheck does: an orphan pointed
 * to by another orphan is an *indirect* leak (it goes away with its owner);
 * the others are *direct* (classify.c). Then the age rule: an orphan
 * allocated less than -m seconds before the dump, or held by such an
 * orphan, is in flight and is counted, not reported (mm/kmemleak.c waits
 * the same 5 s, jiffies_min_age).
 */
#define _GNU_SOURCE /* qsort_r */
#include "report.h"
#include "json_write.h"

double mlk_seconds_since(const struct timeval *t0)
{
	struct timeval now;

	gettimeofday(&now, NULL);
	return (now.tv_sec - t0->tv_sec) + (now.tv_usec - t0->tv_usec) / 1e6;
}

const struct mlk_cache *mlk_report_cache(const struct memleak_run *run,
					 const struct mlk_block *b)
{
	return b->kind == MLK_KIND_SLAB ?
		mlk_slub_cache_by_tag(&run->slub, b->tag) : NULL;
}

void mlk_describe_block(const struct memleak_run *run,
			const struct mlk_block *b, char *out, size_t outsz)
{
	const struct mlk_cache *c = mlk_report_cache(run, b);

	if (c)
		snprintf(out, outsz, "slab object 0x%llx (\"%s\", %u bytes)",
			 (unsigned long long)b->start, c->name, b->size);
	else
		snprintf(out, outsz, "%s block 0x%llx (%u bytes)",
			 mlk_kind_name(b->kind), (unsigned long long)b->start,
			 b->size);
}

const struct mlk_block *mlk_report_orphan(const struct report *r, size_t i)
{
	return mlk_index_at(r->run->ix, r->run->orphans.block[i]);
}

/*
 * The first page of a vmalloc area or large kmalloc block, for its
 * page_owner record (vmalloc: translated through the page tables).
 */
static int first_pfn_of(const struct mlk_block *b, ulong *pfn)
{
	physaddr_t paddr;

	if (b->kind == MLK_KIND_PAGES) {
		*pfn = VTOP(b->start) >> PAGESHIFT();
		return 0;
	}
	if (b->kind == MLK_KIND_VMALLOC &&
	    kvtop(NULL, b->start, &paddr, 0)) {
		*pfn = paddr >> PAGESHIFT();
		return 0;
	}
	return -1;
}

int mlk_report_alloc_info(struct report *r, const struct mlk_block *b)
{
	const struct mlk_cache *c = mlk_report_cache(r->run, b);
	ulong pfn;

	if (!c && r->run->owners.ready && first_pfn_of(b, &pfn) == 0)
		return mlk_page_owners_alloc_info(&r->run->owners, pfn, &r->ai);
	if (!c) {
		memset(&r->ai, 0, sizeof(r->ai));
		r->ai.why = "not recorded for this kind of block";
		return -1;
	}
	return mlk_tracks_get(&r->run->tracks, c, b->start, &r->ai);
}

void mlk_report_key(const struct mlk_block *b, const struct mlk_alloc_info *ai,
		    int have_stack, ulong vmalloc_caller, uint8_t *key_type,
		    uint64_t *key)
{
	if (ai->have_track && ai->handle && have_stack) {
		*key_type = KEY_STACK;
		*key = ai->handle;
	} else if (ai->have_track) {
		*key_type = KEY_CALLER;
		*key = ai->caller;
	} else if (b->kind == MLK_KIND_VMALLOC) {
		*key_type = KEY_VMALLOC;
		*key = vmalloc_caller;
	} else {
		*key_type = KEY_CACHE;
		*key = ((uint64_t)b->kind << 32) | b->tag;
	}
}

/* The suppression rule that matches orphan b itself (r->ai is its record). */
static long own_suppression(const struct report *r, const struct mlk_block *b,
			    ulong vmalloc_caller)
{
	const struct mlk_cache *c = mlk_report_cache(r->run, b);
	const struct mlk_alloc_info *ai = &r->ai;
	mlk_addr_t caller[1];
	const mlk_addr_t *frames = NULL;
	unsigned nframes = 0;

	if (ai->have_track && ai->nr_entries) {
		frames = ai->entries;
		nframes = ai->nr_entries;
	} else if (ai->have_track && ai->caller) {
		caller[0] = ai->caller;
		frames = caller;
		nframes = 1;
	} else if (vmalloc_caller) {
		caller[0] = vmalloc_caller;
		frames = caller;
		nframes = 1;
	}
	return mlk_suppression_of(&r->run->supps, b, c ? c->name : NULL,
				  frames, nframes);
}

/*
 * An orphan is suppressed when a rule matches it, or when its direct
 * owner is suppressed (what an annotated block holds goes with it); the
 * rule that matched is charged with the blocks.
 */
static void apply_suppressions(struct report *r)
{
	const struct mlk_orphans *orph = &r->run->orphans;
	size_t i;

	for (i = 0; i < orph->count; i++) {
		struct orphan_note *n = &r->notes[i];
		const struct orphan_note *owner = &r->notes[orph->owner[i]];
		struct mlk_supp_rule *rule;

		if (n->supp_rule < 0)
			n->supp_rule = owner->supp_rule;
		if (n->supp_rule < 0 || n->in_flight)
			continue;
		rule = &r->run->supps.rule[n->supp_rule];
		rule->blocks++;
		rule->bytes += mlk_report_orphan(r, i)->size;
	}
}

int mlk_report_block_selected(const struct report *r,
			      const struct mlk_block *b)
{
	const struct memleak_opts *o = r->o;
	const struct mlk_cache *c = mlk_report_cache(r->run, b);

	if (o->kind >= 0 && b->kind != o->kind)
		return 0;
	if (b->size < o->min_size)
		return 0;
	if (o->addr_hi && (b->start < o->addr_lo || b->start >= o->addr_hi))
		return 0;
	return !o->cache || (c && strcmp(c->name, o->cache) == 0);
}

/*
 * Live system: a slab orphan whose object was freed, or whose slab page
 * went to another use, between the scan and the report (see
 * mlk_slub_still_allocated()). Counted in run->freed_since_scan.
 */
static int changed_since_scan(struct memleak_run *run,
			      const struct mlk_block *b)
{
	if (!ACTIVE() || b->kind != MLK_KIND_SLAB ||
	    mlk_slub_still_allocated(&run->slub, b->start, b->tag) != 0)
		return 0;
	run->freed_since_scan++;
	return 1;
}

static void take_notes(struct report *r)
{
	struct memleak_run *run = r->run;
	const struct mlk_orphans *orph = &run->orphans;
	uint64_t min_age = (uint64_t)r->o->min_age * run->tracks.hz;
	ulong vmalloc_caller;
	size_t i;

	for (i = 0; i < orph->count; i++) {
		const struct mlk_block *b = mlk_report_orphan(r, i);
		struct orphan_note *n = &r->notes[i];

		if (changed_since_scan(run, b)) {
			memset(&r->ai, 0, sizeof(r->ai));
			r->ai.why = "none any more (freed since the scan)";
			n->young = 1; /* in flight: held back like young ones */
		} else if (mlk_report_alloc_info(r, b) < 0 &&
			   b->kind == MLK_KIND_SLAB && !r->ai.have_age) {
			run->without_track++;
		}
		vmalloc_caller = b->kind == MLK_KIND_VMALLOC ?
			mlk_vmalloc_caller(&run->vmalloc, b->tag) : 0;
		mlk_report_key(b, &r->ai, r->ai.nr_entries != 0,
			       vmalloc_caller, &n->key_type, &n->key);
		n->supp_rule = (int32_t)own_suppression(r, b, vmalloc_caller);
		n->have_age = r->ai.have_age;
		n->age_jiffies = r->ai.age_jiffies;
		n->young = n->young ||
			(n->have_age && n->age_jiffies < min_age);
	}
	/* in flight: young, or held by a young direct owner */
	for (i = 0; i < orph->count; i++) {
		struct orphan_note *n = &r->notes[i];

		n->in_flight = n->young || r->notes[orph->owner[i]].young;
		if (n->in_flight) {
			run->young++;
			run->young_bytes += mlk_report_orphan(r, i)->size;
		}
	}
	apply_suppressions(r);
	for (i = 0; i < orph->count; i++) {
		struct orphan_note *n = &r->notes[i];

		if (n->in_flight || n->supp_rule >= 0)
			continue;
		n->selected = mlk_report_block_selected(r,
						mlk_report_orphan(r, i));
		if (n->selected) {
			r->reported++;
			r->reported_bytes += mlk_report_orphan(r, i)->size;
			r->direct_reported += orph->owner[i] == i;
		}
	}
}

/*
 * Per-cpu orphans: allocations in no index of orphan classes (nothing
 * records who allocated them, and their copies are scanned per CPU), so
 * they are reported as direct leaks of their own.
 */
int mlk_report_percpu_selected(const struct report *r,
			       const struct mlk_block *b)
{
	return mlk_block_is_orphan(b) && mlk_report_block_selected(r, b) &&
	       mlk_suppression_of(&r->run->supps, b, NULL, NULL, 0) < 0;
}

static void count_percpu(struct report *r)
{
	const struct mlk_index *pix = r->run->percpu.pix;
	size_t i, n = pix && r->run->roots.percpu_static_only ?
		mlk_index_count(pix) : 0;

	for (i = 0; i < n; i++) {
		const struct mlk_block *b =
			mlk_index_at((struct mlk_index *)pix, i);

		if (!mlk_report_percpu_selected(r, b))
			continue;
		r->percpu_reported++;
		r->percpu_bytes += b->size;
	}
	r->reported += r->percpu_reported;
	r->direct_reported += r->percpu_reported;
	r->reported_bytes += r->percpu_bytes;
}

/* Per-cpu orphans a rule (kind:percpu) suppresses, charged to it. */
static void count_percpu_suppressed(struct report *r)
{
	const struct mlk_index *pix = r->run->percpu.pix;
	size_t i, n = pix && r->run->roots.percpu_static_only ?
		mlk_index_count(pix) : 0;

	for (i = 0; i < n && r->run->supps.count; i++) {
		const struct mlk_block *b =
			mlk_index_at((struct mlk_index *)pix, i);
		long rule;

		if (!mlk_block_is_orphan(b))
			continue;
		rule = mlk_suppression_of(&r->run->supps, b, NULL, NULL, 0);
		if (rule >= 0) {
			r->run->supps.rule[rule].blocks++;
			r->run->supps.rule[rule].bytes += b->size;
		}
	}
}

static int cmp_orphan_key(const void *a, const void *b, void *notes)
{
	const struct orphan_note *n = notes;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	if (n[x].key_type != n[y].key_type)
		return n[x].key_type < n[y].key_type ? -1 : 1;
	if (n[x].key != n[y].key)
		return n[x].key < n[y].key ? -1 : 1;
	return (x > y) - (x < y);
}

void mlk_report_add_cache(uint32_t caches[MAX_GROUP_CACHES], unsigned *n,
			  unsigned *more, const struct mlk_block *b)
{
	unsigned k;

	if (b->kind != MLK_KIND_SLAB)
		return;
	for (k = 0; k < *n; k++)
		if (caches[k] == b->tag)
			return;
	if (*n < MAX_GROUP_CACHES)
		caches[(*n)++] = b->tag;
	else
		*more = 1;
}

static void group_add(struct report *r, struct group *g, size_t i)
{
	const struct mlk_orphans *orph = &r->run->orphans;
	const struct mlk_block *b = mlk_report_orphan(r, i);
	const struct orphan_note *n = &r->notes[i];

	if (!g->direct) {
		g->key_type = n->key_type;
		g->key = n->key;
		g->first = i;
		g->min_size = g->max_size = b->size;
	}
	g->direct++;
	g->indirect += orph->held_blocks[i];
	g->bytes += b->size + orph->held_bytes[i];
	g->min_size = b->size < g->min_size ? b->size : g->min_size;
	g->max_size = b->size > g->max_size ? b->size : g->max_size;
	if (n->have_age) {
		if (!g->have_age || n->age_jiffies < g->min_age)
			g->min_age = n->age_jiffies;
		if (!g->have_age || n->age_jiffies > g->max_age)
			g->max_age = n->age_jiffies;
		g->have_age = 1;
	}
	if (g->nsamples < MAX_GROUP_SAMPLES)
		g->samples[g->nsamples++] = i;
	mlk_report_add_cache(g->caches, &g->ncaches, &g->more_caches, b);
	if (b->kind == MLK_KIND_SLAB) {
		const struct mlk_cache *c = mlk_report_cache(r->run, b);

		if (c && (!g->first_cache_name ||
			  strcmp(c->name, g->first_cache_name) < 0))
			g->first_cache_name = c->name;
	}
}

static int cmp_group_bytes(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	return x->first < y->first ? -1 : x->first > y->first;
}

/* The selected direct orphans, sorted by grouping key. */
static size_t *sorted_directs(struct report *r, size_t *count)
{
	const struct mlk_orphans *orph = &r->run->orphans;
	size_t i, n = 0, *order = malloc((orph->count + 1) * sizeof(*order));

	if (!order)
		return NULL;
	for (i = 0; i < orph->count; i++)
		if (r->notes[i].selected && orph->owner[i] == i)
			order[n++] = i;
	qsort_r(order, n, sizeof(*order), cmp_orphan_key, r->notes);
	*count = n;
	return order;
}

void mlk_report_take_notes(struct report *r)
{
	mlk_supps_reset_counts(&r->run->supps);
	take_notes(r);
	count_percpu(r);
	count_percpu_suppressed(r);
}

int mlk_report_groups(struct report *r, struct group **groups_out,
		      size_t *ngroups_out, size_t **order_out)
{
	size_t n = 0, i, ngroups = 0;
	size_t *order = sorted_directs(r, &n);
	struct group *groups = calloc(n + 1, sizeof(*groups));

	if (!order || !groups) {
		free(order);
		free(groups);
		return -1;
	}
	for (i = 0; i < n; i++) {
		const struct orphan_note *a = &r->notes[order[i]];
		const struct orphan_note *prev = i ? &r->notes[order[i - 1]] : NULL;

		if (!prev || prev->key_type != a->key_type || prev->key != a->key)
			groups[ngroups++].members = i;
		group_add(r, &groups[ngroups - 1], order[i]);
	}
	qsort(groups, ngroups, sizeof(*groups), cmp_group_bytes);
	*groups_out = groups;
	*ngroups_out = ngroups;
	*order_out = order;
	return 0;
}

/* The function name of addr, or "?" (an address is no stable name). */
static const char *function_of(ulong addr)
{
	const char *function, *module;

	mlk_symbol_names(addr, &function, &module);
	return function ? function : "?";
}

/* The group's cache name that sorts first, or its kind for no cache. */
static const char *group_cache_name(const struct report *r,
				    const struct group *g)
{
	if (g->first_cache_name)
		return g->first_cache_name;
	return mlk_kind_name(mlk_report_orphan(r, g->first)->kind);
}

uint64_t mlk_report_stable_id(struct report *r, const struct group *g)
{
	const struct mlk_alloc_info *ai = &r->ai;
	uint64_t h = MLK_FNV1A_SEED;
	unsigned k;

	mlk_report_alloc_info(r, mlk_report_orphan(r, g->first));
	h = mlk_fnv1a(h, &g->key_type, sizeof(g->key_type));
	switch (g->key_type) {
	case KEY_STACK:
		for (k = 0; k < ai->nr_entries; k++)
			h = mlk_fnv1a_str(h, function_of(ai->entries[k]));
		break;
	case KEY_CALLER:
		h = mlk_fnv1a_str(h, function_of(ai->caller));
		break;
	case KEY_VMALLOC:
		h = mlk_fnv1a_str(h, function_of(g->key));
		break;
	}
	return mlk_fnv1a_str(h, group_cache_name(r, g));
}

uint64_t mlk_report_percpu_id(void)
{
	return mlk_fnv1a_str(MLK_FNV1A_SEED, "percpu");
}

/*
 * Functions of the page allocator and of kmalloc's page path that head a
 * page_owner stack (mm/page_owner.c saves it in __set_page_owner(), deep
 * in the allocator): left out of a site. SLUB tracks need no list: the
 * track's addr is the allocator's caller (mm/slub.c, set_track() with
 * _RET_IP_ of the kmalloc or kmem_cache_alloc entry point).
 */
static const char *const allocator_prefixes[] = {
	"__set_page_owner", "post_alloc_hook", "prep_new_page",
	"get_page_from_freelist", "__alloc_pages", "alloc_pages",
	"__folio_alloc", "folio_alloc", "__kmalloc", "kmalloc",
	"___kmalloc", "kmem_cache_alloc", "__vmalloc", "vmalloc",
};

static int in_allocator(ulong addr)
{
	const char *function, *module;
	size_t k;

	mlk_symbol_names(addr, &function, &module);
	for (k = 0; function && k < MLK_COUNT(allocator_prefixes); k++)
		if (strncmp(function, allocator_prefixes[k],
			    strlen(allocator_prefixes[k])) == 0)
			return 1;
	return 0;
}

unsigned mlk_report_site_frame(const struct mlk_alloc_info *ai)
{
	unsigned k;

	for (k = 0; ai->caller && k < ai->nr_entries; k++)
		if (ai->entries[k] == ai->caller)
			return k;
	for (k = 0; k + 1 < ai->nr_entries && in_allocator(ai->entries[k]); k++)
		;
	return k;
}

const char *mlk_report_key_name(int key_type)
{
	switch (key_type) {
	case KEY_STACK: return "stack";
	case KEY_CALLER: return "call site";
	case KEY_VMALLOC: return "vmalloc caller";
	}
	return "cache";
}
