/*
 * holders.c - `memleak -a`: who holds the memory.
 *
 * Every tracked block, reachable or not, is grouped by its allocation
 * record as -s groups orphans (stack depot handle, else call site, else
 * vmalloc caller, else cache or kind): the view /proc/allocinfo gives on
 * a live 6.10+ kernel, read out of any dump. Per group: blocks, bytes,
 * orphans, caches, the stack's top frames; and what holds its reachable
 * blocks: for each one, what held the reference that turned it grey in
 * the scan (mlk_scan_record_parents()): a root range (its kind: kernel
 * data, a task's stack, a module's data, ...), the saved registers, or a
 * block (named by its group: cache and allocation site). Most "leaks" of
 * long-running systems are reachable memory that grows (a list never
 * trimmed); this answers which call site holds it and what keeps it alive.
 *
 * The roots' numbers are those of the scan: scan_roots() (kmemleak.c)
 * scans run->roots.ranges in order, then each CPU's saved registers.
 *
 * Cost: the allocation record of every slab object is read, in address
 * order, so the dump reader's page cache reads each slab page once; each
 * distinct stack depot handle is looked up once (tracks.skip_stacks).
 */
#define _GNU_SOURCE /* qsort_r */
#include "report.h"

#define NO_GROUP UINT32_MAX
#define HOLDERS_SHOWN 5           /* per group in the text view */
#define GROUP_SITE_FRAMES 4       /* frames on a group's "at:" line */
#define HOLDER_SITE_FRAMES 2      /* frames naming a holding block's site */
#define SITE_LEN 256
#define PROGRESS_EVERY ((size_t)1 << 16) /* blocks between progress lines */

/* What holds a reachable block. */
enum holder_type {
	HOLDER_START = 0, /* grey from the start: min_count 0 */
	HOLDER_ROOT,      /* a root range */
	HOLDER_REGISTERS, /* a CPU's saved registers */
	HOLDER_BLOCK,     /* a block */
};

struct holder {
	uint32_t group;     /* the held blocks' group */
	uint8_t type;       /* enum holder_type */
	uint8_t root_kind;  /* HOLDER_ROOT: enum mlk_root_kind */
	/*
	 * HOLDER_ROOT: the base of the task stack (task stacks), the
	 * struct load_module * (module data), else 0; HOLDER_BLOCK: the
	 * holding block's group.
	 */
	uint64_t detail;
	uint64_t blocks, bytes;
};

struct hgroup {
	uint8_t key_type;   /* enum group_key_type */
	uint64_t key;
	const struct mlk_block *sample; /* the first block seen */
	uint64_t blocks, bytes, orphans, orphan_bytes;
	uint64_t reachable, reachable_bytes;
	uint32_t caches[MAX_GROUP_CACHES];
	unsigned ncaches, more_caches;
	size_t first_holder, nholders;  /* in holders[], once sorted */
	uint32_t rank;                  /* 1 = the most bytes */
	char site[SITE_LEN];            /* the stack's top frames */
};

/* A stack depot handle, and whether its stack can be read. */
struct handle_note {
	uint32_t handle;
	int has_stack;
};

/* Open addressing: slots hold an item's index + 1, 0 when empty. */
struct slot_table {
	uint32_t *slots;
	size_t size;         /* a power of 2, or 0 */
	size_t used;
};

struct mlk_holders {
	struct hgroup *groups;
	size_t ngroups, groups_cap;
	struct slot_table group_slots;
	uint32_t *sorted;            /* group numbers, most bytes first */
	size_t nshown;               /* groups with selected blocks */
	uint32_t *block_group;       /* per block: main index, then per-cpu */
	size_t nmain, nblocks;
	struct holder *holders;
	size_t nholders, holders_cap;
	struct slot_table holder_slots;
	struct handle_note *handles;
	size_t nhandles, handles_cap;
	struct slot_table handle_slots;
	uint64_t *root_detail;       /* per root range, once looked up */
	uint8_t *root_detail_known;
	uint64_t blocks, bytes, orphans, orphan_bytes, reachable;
	uint64_t records_read;       /* slab tracks and page_owner records */
	double seconds;              /* building the view */
	uint64_t bytes_read;
};

/* ---- hash tables ---------------------------------------------------- */

static uint64_t mix64(uint64_t x)
{
	/* the finaliser of MurmurHash3 */
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

static uint64_t group_hash(const struct hgroup *g)
{
	return mix64(g->key ^ ((uint64_t)g->key_type << 59));
}

static uint64_t holder_hash(const struct holder *h)
{
	return mix64(h->detail ^ ((uint64_t)h->group << 16) ^
		     ((uint64_t)h->type << 8) ^ h->root_kind);
}

static int same_holder(const struct holder *a, const struct holder *b)
{
	return a->group == b->group && a->type == b->type &&
	       a->root_kind == b->root_kind && a->detail == b->detail;
}

/* Where the item of this hash lies, or the empty slot it would take. */
#define TABLE_PROBE(t, items, probe, hash, same)                          \
	({                                                                 \
		size_t at_ = (size_t)(hash) & ((t)->size - 1);             \
		while ((t)->slots[at_] &&                                  \
		       !same(&(items)[(t)->slots[at_] - 1], (probe)))      \
			at_ = (at_ + 1) & ((t)->size - 1);                 \
		at_;                                                       \
	})

/*
 * Room in t for one more item: at most half full, doubled (and every
 * item placed again by its hash) when not. 0, or -1 without memory.
 */
static int table_room(struct slot_table *t, const void *items, size_t elem,
		      uint64_t (*hash)(const void *item))
{
	size_t size = t->size ? t->size * 2 : 1024, i;
	uint32_t *slots;

	if ((t->used + 1) * 2 <= t->size)
		return 0;
	slots = calloc(size, sizeof(*slots));
	if (!slots)
		return -1;
	for (i = 0; i < t->size; i++) {
		uint32_t item = t->slots[i];
		size_t at;

		if (!item)
			continue;
		at = (size_t)hash((const char *)items + (item - 1) * elem) &
		     (size - 1);
		while (slots[at])
			at = (at + 1) & (size - 1);
		slots[at] = item;
	}
	free(t->slots);
	t->slots = slots;
	t->size = size;
	return 0;
}

static uint64_t group_hash_any(const void *item)
{
	return group_hash(item);
}

static uint64_t holder_hash_any(const void *item)
{
	return holder_hash(item);
}

static uint64_t handle_hash_any(const void *item)
{
	return mix64(((const struct handle_note *)item)->handle);
}

static int same_group(const struct hgroup *a, const struct hgroup *b)
{
	return a->key_type == b->key_type && a->key == b->key;
}

static int same_handle(const struct handle_note *a, const struct handle_note *b)
{
	return a->handle == b->handle;
}

/* ---- grouping every block ------------------------------------------- */

/*
 * Whether the stack of a depot handle can be read: looked up once per
 * handle (the first block's record), -1 when out of memory.
 */
static int handle_has_stack(struct mlk_holders *h, struct mlk_tracks *t,
			    uint32_t handle)
{
	struct handle_note probe = { .handle = handle }, *n;
	struct mlk_alloc_info *ai;
	size_t at;

	if (table_room(&h->handle_slots, h->handles, sizeof(*h->handles),
		       handle_hash_any) < 0)
		return -1;
	at = TABLE_PROBE(&h->handle_slots, h->handles, &probe,
			 mix64(handle), same_handle);
	if (h->handle_slots.slots[at])
		return h->handles[h->handle_slots.slots[at] - 1].has_stack;
	if (mlk_array_grow((void **)&h->handles, &h->handles_cap, h->nhandles,
			   sizeof(*h->handles), 256) < 0 ||
	    !(ai = calloc(1, sizeof(*ai))))
		return -1;
	mlk_alloc_info_stack(&t->stacks, handle, ai);
	n = &h->handles[h->nhandles];
	n->handle = handle;
	n->has_stack = ai->nr_entries != 0;
	free(ai);
	h->handle_slots.slots[at] = (uint32_t)++h->nhandles;
	h->handle_slots.used++;
	return n->has_stack;
}

/* The group of key (key_type, key), added for block b if new; or NO_GROUP. */
static uint32_t group_of_key(struct mlk_holders *h, uint8_t key_type,
			     uint64_t key, const struct mlk_block *b)
{
	struct hgroup probe = { .key_type = key_type, .key = key }, *g;
	size_t at;

	if (table_room(&h->group_slots, h->groups, sizeof(*h->groups),
		       group_hash_any) < 0)
		return NO_GROUP;
	at = TABLE_PROBE(&h->group_slots, h->groups, &probe,
			 group_hash(&probe), same_group);
	if (h->group_slots.slots[at])
		return h->group_slots.slots[at] - 1;
	if (mlk_array_grow((void **)&h->groups, &h->groups_cap, h->ngroups,
			   sizeof(*h->groups), 256) < 0)
		return NO_GROUP;
	g = &h->groups[h->ngroups];
	memset(g, 0, sizeof(*g));
	g->key_type = key_type;
	g->key = key;
	g->sample = b;
	h->group_slots.slots[at] = (uint32_t)++h->ngroups;
	h->group_slots.used++;
	return (uint32_t)(h->ngroups - 1);
}

/* The group of block b, from its allocation record; NO_GROUP: no memory. */
static uint32_t group_of_block(struct report *r, struct mlk_holders *h,
			       const struct mlk_block *b)
{
	struct memleak_run *run = r->run;
	const struct mlk_alloc_info *ai = &r->ai;
	ulong vmalloc_caller = b->kind == MLK_KIND_VMALLOC ?
		mlk_vmalloc_caller(&run->vmalloc, b->tag) : 0;
	int have_stack;
	uint8_t key_type;
	uint64_t key;

	if (mlk_report_alloc_info(r, b) == 0)
		h->records_read++;
	/* the depot stack was skipped: whether it is readable decides */
	have_stack = ai->nr_entries != 0;
	if (!have_stack && ai->have_track && ai->handle) {
		have_stack = handle_has_stack(h, &run->tracks, ai->handle);
		if (have_stack < 0)
			return NO_GROUP;
	}
	mlk_report_key(b, ai, have_stack, vmalloc_caller, &key_type, &key);
	return group_of_key(h, key_type, key, b);
}

/* Block number n: the main index first, then the per-cpu one. */
static const struct mlk_block *block_number(const struct memleak_run *run,
					    const struct mlk_holders *h,
					    size_t n)
{
	if (n < h->nmain)
		return mlk_index_at(run->ix, n);
	return mlk_index_at(run->percpu.pix, n - h->nmain);
}

static size_t number_of_block(const struct memleak_run *run,
			      const struct mlk_holders *h,
			      const struct mlk_block *b)
{
	const struct mlk_block *first = h->nmain ?
		mlk_index_at(run->ix, 0) : NULL;

	if (first && b >= first && b < first + h->nmain)
		return (size_t)(b - first);
	return h->nmain + (size_t)(b - mlk_index_at(run->percpu.pix, 0));
}

static void progress(const struct report *r, const struct mlk_holders *h,
		     size_t done)
{
	if (r->run->show_progress && done % PROGRESS_EVERY == 0)
		fprintf(stderr, "\rmemleak -a: allocation records of %zu of "
			"%zu blocks read...", done, h->nblocks);
}

static int group_every_block(struct report *r, struct mlk_holders *h)
{
	size_t n;

	r->run->tracks.skip_stacks = 1;
	for (n = 0; n < h->nblocks; n++) {
		h->block_group[n] = group_of_block(r, h,
						   block_number(r->run, h, n));
		if (h->block_group[n] == NO_GROUP)
			break;
		progress(r, h, n + 1);
	}
	r->run->tracks.skip_stacks = 0;
	if (r->run->show_progress)
		fprintf(stderr, "\r%70s\r", "");
	return n == h->nblocks ? 0 : -1;
}

/* ---- what holds each reachable block -------------------------------- */

/* A task stack's task, or a module data range's module; else 0. */
static uint64_t root_detail(struct mlk_holders *h,
			    const struct mlk_roots *roots, uint32_t no)
{
	const struct mlk_root *root = &roots->ranges[no];
	struct load_module *lm = NULL;
	char comm[32];
	int pid;

	if (h->root_detail_known[no])
		return h->root_detail[no];
	h->root_detail_known[no] = 1;
	if (root->kind == MLK_ROOT_STACK)
		h->root_detail[no] = mlk_roots_stack_of(roots, root->start,
							&pid, comm, sizeof(comm));
	else if (root->kind == MLK_ROOT_MODULE &&
		 module_symbol(root->start, NULL, &lm, NULL, 0) && lm)
		h->root_detail[no] = (uint64_t)(ulong)lm;
	return h->root_detail[no];
}

/* What held reachable block b when it turned grey. */
static struct holder holder_of(struct memleak_run *run, struct mlk_holders *h,
			       const struct mlk_block *b)
{
	struct holder ho = { .type = HOLDER_START };
	struct mlk_parent p;

	switch (mlk_scan_parent(run->sc, b, &p)) {
	case MLK_PARENT_ROOT:
		if (p.root >= run->roots.count) {
			ho.type = HOLDER_REGISTERS;
			break;
		}
		ho.type = HOLDER_ROOT;
		ho.root_kind = run->roots.ranges[p.root].kind;
		ho.detail = root_detail(h, &run->roots, p.root);
		break;
	case MLK_PARENT_BLOCK:
		ho.type = HOLDER_BLOCK;
		ho.detail = h->block_group[number_of_block(run, h, p.block)];
		break;
	case MLK_PARENT_NONE:
		break;
	}
	return ho;
}

static int count_holder(struct mlk_holders *h, const struct holder *probe,
			uint32_t size)
{
	struct holder *ho;
	size_t at;

	if (table_room(&h->holder_slots, h->holders, sizeof(*h->holders),
		       holder_hash_any) < 0)
		return -1;
	at = TABLE_PROBE(&h->holder_slots, h->holders, probe,
			 holder_hash(probe), same_holder);
	if (!h->holder_slots.slots[at]) {
		if (mlk_array_grow((void **)&h->holders, &h->holders_cap,
				   h->nholders, sizeof(*h->holders), 256) < 0)
			return -1;
		h->holders[h->nholders] = *probe;
		h->holder_slots.slots[at] = (uint32_t)++h->nholders;
		h->holder_slots.used++;
	}
	ho = &h->holders[h->holder_slots.slots[at] - 1];
	ho->blocks++;
	ho->bytes += size;
	return 0;
}

/* One selected block into its group's figures, and its holder. */
static int count_block(struct report *r, struct mlk_holders *h, size_t n)
{
	const struct mlk_block *b = block_number(r->run, h, n);
	struct hgroup *g = &h->groups[h->block_group[n]];
	struct holder ho;

	g->blocks++;
	g->bytes += b->size;
	h->blocks++;
	h->bytes += b->size;
	mlk_report_add_cache(g->caches, &g->ncaches, &g->more_caches, b);
	if (mlk_block_is_orphan(b)) {
		g->orphans++;
		g->orphan_bytes += b->size;
		h->orphans++;
		h->orphan_bytes += b->size;
	}
	if (!(b->flags & MLK_F_GREY))
		return 0;
	g->reachable++;
	g->reachable_bytes += b->size;
	h->reachable++;
	if (!r->run->parents_recorded)
		return 0;
	ho = holder_of(r->run, h, b);
	ho.group = h->block_group[n];
	return count_holder(h, &ho, b->size);
}

/* ---- order ---------------------------------------------------------- */

static int cmp_holders(const void *a, const void *b)
{
	const struct holder *x = a, *y = b;

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	if (x->blocks != y->blocks)
		return x->blocks > y->blocks ? -1 : 1;
	/* ties in a fixed order: by kind of holder, then what it is */
	if (x->type != y->type || x->root_kind != y->root_kind)
		return x->type != y->type ? x->type - y->type :
		       x->root_kind - y->root_kind;
	return (x->detail > y->detail) - (x->detail < y->detail);
}

static int cmp_groups_by_bytes(const void *a, const void *b, void *groups)
{
	const struct hgroup *g = groups;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	if (g[x].bytes != g[y].bytes)
		return g[x].bytes > g[y].bytes ? -1 : 1;
	return (x > y) - (x < y);
}

/* Holders by group, largest first; groups by bytes, ranked. */
static int sort_view(struct mlk_holders *h)
{
	size_t i;

	qsort(h->holders, h->nholders, sizeof(*h->holders), cmp_holders);
	for (i = h->nholders; i-- > 0;) {
		struct hgroup *g = &h->groups[h->holders[i].group];

		g->first_holder = i;
		g->nholders++;
	}
	h->sorted = malloc((h->ngroups + 1) * sizeof(*h->sorted));
	if (!h->sorted)
		return -1;
	for (i = 0; i < h->ngroups; i++)
		h->sorted[i] = (uint32_t)i;
	qsort_r(h->sorted, h->ngroups, sizeof(*h->sorted), cmp_groups_by_bytes,
		h->groups);
	for (i = 0; i < h->ngroups; i++) {
		h->groups[h->sorted[i]].rank = (uint32_t)(i + 1);
		if (h->groups[h->sorted[i]].blocks)
			h->nshown = i + 1;
	}
	return 0;
}

/* ---- sites: a stack's top frames ------------------------------------ */

/* "function [module] < caller < ..." for up to max frames. */
static void format_site(const mlk_addr_t *frames, unsigned n, unsigned max,
			char *out, size_t outsz)
{
	const char *function, *module;
	size_t len = 0;
	unsigned k;

	out[0] = '\0';
	for (k = 0; k < n && k < max && len < outsz; k++) {
		mlk_symbol_names(frames[k], &function, &module);
		if (function)
			len += snprintf(out + len, outsz - len, "%s%s%s%s%s",
					k ? " < " : "", function,
					module ? " [" : "", module ? module : "",
					module ? "]" : "");
		else
			len += snprintf(out + len, outsz - len, "%s0x%llx",
					k ? " < " : "",
					(unsigned long long)frames[k]);
	}
}

/*
 * A group's site, from its sample's record: max frames from the
 * allocating code on; the call site or vmalloc caller alone when no stack
 * is known; "" for none. Leaves the record in r->ai.
 */
static void group_site(struct report *r, const struct hgroup *g,
		       unsigned max, char *out, size_t outsz)
{
	const struct mlk_alloc_info *ai = &r->ai;
	mlk_addr_t caller;
	unsigned first;

	mlk_report_alloc_info(r, g->sample);
	if (g->key_type == KEY_STACK && ai->nr_entries) {
		first = mlk_report_site_frame(ai);
		format_site(ai->entries + first, ai->nr_entries - first, max,
			    out, outsz);
		return;
	}
	caller = g->key_type == KEY_CALLER ? ai->caller :
		 g->key_type == KEY_VMALLOC ? g->key : 0;
	if (caller)
		format_site(&caller, 1, 1, out, outsz);
	else
		out[0] = '\0';
}

static void name_sites(struct report *r, struct mlk_holders *h)
{
	size_t i;

	for (i = 0; i < h->ngroups; i++)
		group_site(r, &h->groups[i], GROUP_SITE_FRAMES,
			   h->groups[i].site, sizeof(h->groups[i].site));
}

/* ---- building ------------------------------------------------------- */

static int build(struct report *r, struct mlk_holders *h)
{
	struct memleak_run *run = r->run;
	const struct mlk_index *pix = run->percpu.pix;
	size_t n;

	h->nmain = mlk_index_count(run->ix);
	h->nblocks = h->nmain + (pix && run->roots.percpu_static_only ?
				 mlk_index_count(pix) : 0);
	h->block_group = malloc((h->nblocks + 1) * sizeof(*h->block_group));
	h->root_detail = calloc(run->roots.count + 1, sizeof(*h->root_detail));
	h->root_detail_known = calloc(run->roots.count + 1, 1);
	if (!h->block_group || !h->root_detail || !h->root_detail_known ||
	    group_every_block(r, h) < 0)
		return -1;
	for (n = 0; n < h->nblocks; n++)
		if (mlk_report_block_selected(r, block_number(run, h, n)) &&
		    count_block(r, h, n) < 0)
			return -1;
	if (sort_view(h) < 0)
		return -1;
	name_sites(r, h);
	return 0;
}

int mlk_holders_build(struct report *r)
{
	struct memleak_run *run = r->run;
	uint64_t read_before = mlk_reads.bytes;
	struct timeval t0;
	struct mlk_holders *h;

	gettimeofday(&t0, NULL);
	h = calloc(1, sizeof(*h));
	if (!h) {
		error(INFO, "-a: out of memory\n");
		return -1;
	}
	run->holders = h;
	if (build(r, h) < 0) {
		error(INFO, "-a: out of memory: no view of the holders\n");
		mlk_holders_free(h);
		run->holders = NULL;
		return -1;
	}
	h->seconds = mlk_seconds_since(&t0);
	h->bytes_read = mlk_reads.bytes - read_before;
	return 0;
}

void mlk_holders_free(struct mlk_holders *h)
{
	if (!h)
		return;
	free(h->groups);
	free(h->group_slots.slots);
	free(h->sorted);
	free(h->block_group);
	free(h->holders);
	free(h->holder_slots.slots);
	free(h->handles);
	free(h->handle_slots.slots);
	free(h->root_detail);
	free(h->root_detail_known);
	free(h);
}

/* ---- describing ----------------------------------------------------- */

/* The group's first cache, or its kind. */
static const char *group_cache(const struct memleak_run *run,
			       const struct hgroup *g)
{
	const struct mlk_cache *c = mlk_report_cache(run, g->sample);

	return c ? c->name : mlk_kind_name(g->sample->kind);
}

/*
 * The task of a stack holder: its pid and comm; 0 when the stack is not
 * known (the stack was a task's, but the task's pid unreadable).
 */
static int stack_task(const struct report *r, const struct holder *ho,
		      int *pid, char *comm, size_t commsz)
{
	return ho->type == HOLDER_ROOT && ho->root_kind == MLK_ROOT_STACK &&
	       ho->detail && mlk_roots_stack_of(&r->run->roots,
						(ulong)ho->detail, pid, comm,
						commsz) != 0;
}

static const char *module_name(uint64_t lm)
{
	return lm ? ((struct load_module *)(ulong)lm)->mod_name : NULL;
}

/* The first `frames` frames of a site ("a < b < c"). */
static void cut_site(const char *site, unsigned frames, char *out,
		     size_t outsz)
{
	const char *cut = site;
	unsigned k;

	for (k = 0; k < frames && cut; k++) {
		cut = strstr(cut, " < ");
		if (cut && k + 1 < frames)
			cut += 3;
	}
	snprintf(out, outsz, "%.*s", cut ? (int)(cut - site) : (int)strlen(site),
		 site);
}

/*
 * One line's worth on what holds: "root: ...", or "block ..." with
 * site_frames frames of the holding block's site.
 */
static void describe_holder(const struct report *r,
			    const struct mlk_holders *h,
			    const struct holder *ho, unsigned site_frames,
			    char *out, size_t outsz)
{
	const struct hgroup *by;
	char comm[32], site[SITE_LEN];
	int pid;

	switch (ho->type) {
	case HOLDER_ROOT:
		if (stack_task(r, ho, &pid, comm, sizeof(comm))) {
			snprintf(out, outsz, "root: task stack of pid %d (%s)",
				 pid, comm);
		} else if (ho->root_kind == MLK_ROOT_MODULE && ho->detail) {
			snprintf(out, outsz, "root: module data [%s]",
				 module_name(ho->detail));
		} else {
			snprintf(out, outsz, "root: %s",
				 mlk_root_kind_name(ho->root_kind));
		}
		break;
	case HOLDER_REGISTERS:
		snprintf(out, outsz, "root: saved CPU registers");
		break;
	case HOLDER_BLOCK:
		by = &h->groups[ho->detail];
		cut_site(by->site, site_frames, site, sizeof(site));
		snprintf(out, outsz, "block \"%s\"%s%s (#%u)",
			 group_cache(r->run, by), site[0] ? " allocated at " :
			 "", site, by->rank);
		break;
	default:
		snprintf(out, outsz, "reachable from the start (min_count 0: "
			 "kmemleak_not_leak() in the kernel's records)");
	}
}

/* ---- text ----------------------------------------------------------- */

static void print_holders_of(const struct report *r,
			     const struct mlk_holders *h,
			     const struct hgroup *g)
{
	uint64_t rest_blocks = 0, rest_bytes = 0;
	char desc[SITE_LEN + 128];
	size_t k;

	if (!g->reachable)
		return;
	if (!r->run->parents_recorded) {
		fprintf(fp, "   held by: (not recorded)\n");
		return;
	}
	for (k = 0; k < g->nholders; k++) {
		const struct holder *ho = &h->holders[g->first_holder + k];

		if (k >= HOLDERS_SHOWN) {
			rest_blocks += ho->blocks;
			rest_bytes += ho->bytes;
			continue;
		}
		describe_holder(r, h, ho, HOLDER_SITE_FRAMES, desc,
				sizeof(desc));
		fprintf(fp, "   %s %llu blocks (%llu bytes): %s\n",
			k ? "        " : "held by:",
			(unsigned long long)ho->blocks,
			(unsigned long long)ho->bytes, desc);
	}
	if (rest_blocks)
		fprintf(fp, "            %llu blocks (%llu bytes): %zu more "
			"holder%s\n", (unsigned long long)rest_blocks,
			(unsigned long long)rest_bytes,
			g->nholders - HOLDERS_SHOWN,
			g->nholders - HOLDERS_SHOWN > 1 ? "s" : "");
}

static void print_group(const struct report *r, const struct mlk_holders *h,
			const struct hgroup *g)
{
	unsigned k;

	fprintf(fp, "#%u %llu blocks (%llu bytes), %llu orphans (%llu bytes); "
		"by %s; ", g->rank, (unsigned long long)g->blocks,
		(unsigned long long)g->bytes, (unsigned long long)g->orphans,
		(unsigned long long)g->orphan_bytes, mlk_report_key_name(g->key_type));
	for (k = 0; k < g->ncaches; k++)
		fprintf(fp, "%s\"%s\"", k ? ", " : "caches ",
			mlk_slub_cache_by_tag(&r->run->slub, g->caches[k])->name);
	if (!g->ncaches)
		fprintf(fp, "%s", mlk_kind_name(g->sample->kind));
	fprintf(fp, "%s\n   at: %s\n", g->more_caches ? ", ..." : "",
		g->site[0] ? g->site : "(no allocation record)");
	print_holders_of(r, h, g);
}

void mlk_holders_print(struct report *r)
{
	const struct mlk_holders *h = r->run->holders;
	size_t i;

	if (!h)
		return;
	fprintf(fp, "memleak -a: every tracked block by allocation stack, most "
		"bytes first; what first reached each reachable block:\n");
	for (i = 0; i < h->nshown; i++) {
		if (r->o->max_reports >= 0 && i >= (size_t)r->o->max_reports)
			break;
		print_group(r, h, &h->groups[h->sorted[i]]);
	}
	if (i < h->nshown)
		fprintf(fp, "(%zu more groups not shown: -n limits the list)\n",
			h->nshown - i);
	fprintf(fp, "memleak -a: %zu groups: %llu blocks (%llu bytes), %llu "
		"reachable; %llu orphans (%llu bytes: every unreferenced block, "
		"in flight and suppressed ones included)%s\n", h->nshown,
		(unsigned long long)h->blocks, (unsigned long long)h->bytes,
		(unsigned long long)h->reachable, (unsigned long long)h->orphans,
		(unsigned long long)h->orphan_bytes,
		r->o->cache || r->o->kind >= 0 || r->o->min_size ||
		r->o->addr_hi ? " under the filters" : "");
	fprintf(fp, "memleak -a: cost: %.2f s, %llu MB read, %llu allocation "
		"records, %zu stack depot handles\n", h->seconds,
		(unsigned long long)(h->bytes_read >> 20),
		(unsigned long long)h->records_read, h->nhandles);
}

/* ---- JSON ----------------------------------------------------------- */

static void holder_json(struct jw *w, const struct report *r,
			const struct mlk_holders *h, const struct holder *ho)
{
	static const char *const type_names[] = {
		[HOLDER_START] = "start", [HOLDER_ROOT] = "root",
		[HOLDER_REGISTERS] = "registers", [HOLDER_BLOCK] = "block",
	};
	const struct hgroup *by = ho->type == HOLDER_BLOCK ?
		&h->groups[ho->detail] : NULL;
	char desc[SITE_LEN + 128], comm[32];
	int pid, have_task = stack_task(r, ho, &pid, comm, sizeof(comm));

	describe_holder(r, h, ho, GROUP_SITE_FRAMES, desc, sizeof(desc));
	jw_push(w, NULL, '{');
	jw_str(w, "holder", type_names[ho->type]);
	jw_str(w, "description", desc);
	jw_u64(w, "blocks", ho->blocks);
	jw_u64(w, "bytes", ho->bytes);
	jw_str(w, "root_kind", ho->type == HOLDER_ROOT ?
	       mlk_root_kind_name(ho->root_kind) : NULL);
	if (have_task)
		jw_int(w, "pid", pid);
	else
		jw_null(w, "pid");
	jw_str(w, "comm", have_task ? comm : NULL);
	jw_str(w, "module", ho->type == HOLDER_ROOT &&
	       ho->root_kind == MLK_ROOT_MODULE ? module_name(ho->detail) :
	       NULL);
	if (by) {
		jw_u64(w, "group", by->rank);
		jw_str(w, "cache", group_cache(r->run, by));
		jw_str(w, "site", by->site);
	} else {
		jw_null(w, "group");
		jw_null(w, "cache");
		jw_null(w, "site");
	}
	jw_pop(w, '}');
}

static void group_json(struct report *r, const struct mlk_holders *h,
		       const struct hgroup *g)
{
	struct jw w;
	size_t i;

	mlk_report_alloc_info(r, g->sample);
	jw_begin(&w, r->run->json_out, "holder_group");
	jw_u64(&w, "rank", g->rank);
	jw_str(&w, "key", mlk_report_key_name(g->key_type));
	jw_str(&w, "kind", mlk_kind_name(g->sample->kind));
	jw_caches(&w, r->run, g->caches, g->ncaches);
	jw_bool(&w, "more_caches", g->more_caches);
	jw_u64(&w, "blocks", g->blocks);
	jw_u64(&w, "bytes", g->bytes);
	jw_u64(&w, "orphans", g->orphans);
	jw_u64(&w, "orphan_bytes", g->orphan_bytes);
	jw_u64(&w, "reachable", g->reachable);
	jw_u64(&w, "reachable_bytes", g->reachable_bytes);
	jw_str(&w, "site", g->site);
	if (g->key_type == KEY_VMALLOC) {
		mlk_addr_t caller = g->key;

		jw_frames(&w, "stack", &caller, 1);
	} else {
		jw_alloc_stack(&w, &r->ai);
	}
	jw_bool(&w, "holders_known", r->run->parents_recorded);
	jw_push(&w, "holders", '[');
	for (i = 0; i < g->nholders; i++)
		holder_json(&w, r, h, &h->holders[g->first_holder + i]);
	jw_pop(&w, ']');
	jw_end(&w);
	r->run->json_records++;
}

void mlk_holders_json(struct report *r)
{
	const struct mlk_holders *h = r->run->holders;
	size_t i;

	if (!h || !r->run->json_out)
		return;
	for (i = 0; i < h->nshown; i++)
		group_json(r, h, &h->groups[h->sorted[i]]);
}
