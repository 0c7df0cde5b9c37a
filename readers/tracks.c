/*
 * tracks.c - who allocated a block, from what the kernel recorded.
 *
 * SLUB caches with SLAB_STORE_USER (boot option slub_debug=U) keep a
 * struct track per object (mm/slub.c: set_track()): the caller, cpu, pid,
 * jiffies and, since 5.17, a stack depot handle (before, an inline array of
 * return addresses). The layouts of struct track, of the depot's handle
 * bit-fields and of struct stack_record all come from the debuginfo; the
 * decoding itself lives in track.c and stackdepot.c (unit-tested alone).
 *
 * This is read only for the orphans, at report time: one small read per
 * orphan, never a cost of the scan.
 */
#include "readers.h"
#include "tracks.h"

/* include/linux/slab.h (stable value) */
#define SLAB_STORE_USER_FLAG 0x00010000UL
/* lib/stackdepot.c: DEPOT_STACK_ALIGN, 4 since the depot exists (4.6). */
#define DEPOT_STACK_ALIGN_SHIFT 4

/* ---- layouts from the debuginfo --------------------------------------------- */

static int32_t member_or_absent(const char *type, const char *member)
{
	long off = mlk_member_offset(type, member);

	return off >= 0 ? (int32_t)off : -1;
}

static int resolve_track_layout(struct mlk_track_layout *l)
{
	long size = mlk_struct_size("track");
	long addrs_size = mlk_member_size("track", "addrs");
	const char *why;

	if (size <= 0)
		return -1;
	memset(l, 0, sizeof(*l));
	l->size = (uint32_t)size;
	l->addr_off = member_or_absent("track", "addr");
	l->handle_off = member_or_absent("track", "handle");
	l->addrs_off = member_or_absent("track", "addrs");
	l->addrs_count = addrs_size > 0 ? (uint32_t)(addrs_size / 8) : 0;
	l->cpu_off = member_or_absent("track", "cpu");
	l->pid_off = member_or_absent("track", "pid");
	l->when_off = member_or_absent("track", "when");
	l->cpu_limit = kt->cpus > 0 ? (uint32_t)kt->cpus : 0;
	return mlk_track_layout_check(l, &why) < 0 ? -1 : 0;
}

/*
 * Bit position and width of a handle_parts field, asked of gdb with crash's
 * printm ("type unsigned_type length offset bitpos bitsize"), as crash's
 * own fill_struct_member_data() does for structs (handle_parts is a union).
 */
static int ask_bitfield(const char *field, struct mlk_bitfield *bf)
{
	char cmd[128], line[BUFSIZE];
	long v[6];
	int ok = 0;

	bf->pos = bf->width = 0;
	snprintf(cmd, sizeof(cmd), "printm ((union handle_parts *)0x0).%s",
		 field);
	open_tmpfile2();
	if (gdb_pass_through(cmd, pc->tmpfile2, GNU_RETURN_ON_ERROR)) {
		rewind(pc->tmpfile2);
		ok = fgets(line, sizeof(line), pc->tmpfile2) &&
		     sscanf(line, "%ld %ld %ld %ld %ld %ld", &v[0], &v[1], &v[2],
			    &v[3], &v[4], &v[5]) == 6 &&
		     v[4] >= 0 && v[4] < 32 && v[5] > 0 && v[4] + v[5] <= 32;
	}
	close_tmpfile2();
	if (ok) {
		bf->pos = (uint8_t)v[4];
		bf->width = (uint8_t)v[5];
	}
	return ok ? 0 : -1;
}

/* The answers, kept for the session (a gdb request can eat a Ctrl-C). */
static int handle_bitfield(const char *field, struct mlk_bitfield *bf)
{
	static struct { const char *field; struct mlk_bitfield bf; int ok; }
		known[8];
	static unsigned nknown;
	unsigned i;

	for (i = 0; i < nknown; i++)
		if (!strcmp(known[i].field, field)) {
			*bf = known[i].bf;
			return known[i].ok ? 0 : -1;
		}
	i = nknown < 8 ? nknown++ : 7;
	known[i].field = field;
	mlk_gdb_hold_sigint();
	known[i].ok = ask_bitfield(field, &known[i].bf) == 0;
	mlk_gdb_release_sigint();
	*bf = known[i].bf;
	return known[i].ok ? 0 : -1;
}

static uint32_t read_int_symbol(const char *name, uint32_t fallback)
{
	int v;

	if (!mlk_read_symbol_int(name, &v) || v < 0)
		return fallback;
	return (uint32_t)v;
}

/*
 * Where the pools are and how many are in use: stack_slabs[] and
 * depot_index up to 6.2, stack_pools[] and pool_index in 6.3-6.7,
 * pools_num from 6.8 (lib/stackdepot.c).
 */
static int resolve_pools(struct mlk_depot_layout *l)
{
	const char *array = symbol_exists("stack_slabs") ? "stack_slabs" :
		symbol_exists("stack_pools") ? "stack_pools" : NULL;
	long len;

	if (!array)
		return -1;
	len = mlk_array_length((char *)array);
	if (len > 0) {
		l->pools_addr = symbol_value((char *)array);
	} else {
		/* newer trees allocate the pointer array at boot */
		ulong ptr;

		if (!mlk_read_ulong(symbol_value((char *)array), &ptr) || !ptr)
			return -1;
		l->pools_addr = ptr;
		len = MLK_DEPOT_POOLS_LIMIT;
	}
	if (symbol_exists("pools_num"))
		l->pools_len = read_int_symbol("pools_num", (uint32_t)len);
	else if (symbol_exists("pool_index"))
		l->pools_len = read_int_symbol("pool_index", (uint32_t)len) + 1;
	else
		l->pools_len = read_int_symbol("depot_index", (uint32_t)len) + 1;
	if (l->pools_len > (uint32_t)len)
		l->pools_len = (uint32_t)len;
	return 0;
}

/*
 * 6.9 renamed the pool field pool_index_plus_1 (0 = no pool). The "+1"
 * change was backported to 6.8.2 before the rename (6.8.5), so a 6.8.2+
 * kernel with a valid-less pool_index also counts from one.
 */
static int pool_counts_from_one(int has_valid_bit)
{
	if (has_valid_bit)
		return 0;
	return !(THIS_KERNEL_VERSION == LINUX(6, 8, 0) ||
		 THIS_KERNEL_VERSION == LINUX(6, 8, 1));
}

static int resolve_depot_layout(struct mlk_depot_layout *l)
{
	const char *why;

	memset(l, 0, sizeof(*l));
	if (resolve_pools(l) < 0)
		return -1;
	if (handle_bitfield("pool_index_plus_1", &l->pool) == 0) {
		l->pool_plus_one = 1;
	} else if (handle_bitfield("pool_index", &l->pool) == 0 ||
		   handle_bitfield("slabindex", &l->pool) == 0) {
		l->pool_plus_one = -1; /* decided below */
	} else {
		return -1;
	}
	if (handle_bitfield("offset", &l->offset) < 0)
		return -1;
	handle_bitfield("valid", &l->valid);
	handle_bitfield("extra", &l->extra);
	if (l->pool_plus_one < 0)
		l->pool_plus_one = pool_counts_from_one(l->valid.width != 0);
	l->align_shift = DEPOT_STACK_ALIGN_SHIFT;
	l->rec_size_off = member_or_absent("stack_record", "size");
	l->rec_handle_off = member_or_absent("stack_record", "handle");
	l->rec_count_off = member_or_absent("stack_record", "count");
	l->rec_entries_off = member_or_absent("stack_record", "entries");
	return mlk_depot_layout_check(l, &why) < 0 ? -1 : 0;
}

/* ---- set-up ------------------------------------------------------------------ */

void mlk_tracks_warm(void)
{
	struct mlk_track_layout tl;
	struct mlk_depot_layout dl;

	resolve_track_layout(&tl);
	resolve_depot_layout(&dl);
}

int mlk_tracks_depot_layout(struct mlk_depot_layout *l)
{
	return resolve_depot_layout(l);
}

int mlk_read_jiffies(ulong *jiffies)
{
	return mlk_read_symbol_ulong("jiffies", jiffies);
}

int mlk_tracks_init(struct mlk_tracks *t)
{
	const char *why = NULL;

	memset(t, 0, sizeof(*t));
	t->src = mlk_crash_source(NULL);
	t->hz = machdep->hz ? machdep->hz : 250;
	t->have_jiffies = mlk_read_jiffies(&t->jiffies);
	t->have_track_layout = resolve_track_layout(&t->track) == 0;
	/* kmemleak's records use the depot too, with or without tracks */
	if (resolve_depot_layout(&t->depot_layout) == 0)
		t->depot = mlk_depot_new(&t->depot_layout, &t->src, &why);
	if (!t->depot)
		t->depot_why = why ? why : "stack depot layout not understood";
	return 0;
}

void mlk_tracks_free(struct mlk_tracks *t)
{
	mlk_depot_free(t->depot);
	memset(t, 0, sizeof(*t));
}

int mlk_tracks_cache_records(const struct mlk_cache *c)
{
	return (c->flags & SLAB_STORE_USER_FLAG) != 0;
}

/* ---- per block -------------------------------------------------------------- */

static void fetch_stack(struct mlk_tracks *t, const struct mlk_track *tr,
			struct mlk_alloc_info *ai)
{
	const char *why = NULL;
	int n;

	if (tr->nr_entries) {
		/* before 5.17: the return addresses are inline in the track */
		ai->nr_entries = tr->nr_entries < MLK_MAX_FRAMES ?
			tr->nr_entries : MLK_MAX_FRAMES;
		memcpy(ai->entries, tr->entries,
		       ai->nr_entries * sizeof(ai->entries[0]));
		return;
	}
	n = mlk_tracks_stack(t, tr->handle, ai->entries, MLK_MAX_FRAMES, &why);
	if (n < 0)
		ai->stack_why = why;
	else
		ai->nr_entries = (unsigned)n;
}

int mlk_tracks_stack(struct mlk_tracks *t, uint32_t handle,
		     mlk_addr_t *entries, unsigned max, const char **why)
{
	if (!t->depot) {
		*why = t->depot_why ? t->depot_why : "no stack recorded";
		return -1;
	}
	return mlk_depot_lookup(t->depot, handle, entries, max, why);
}

int mlk_tracks_get(struct mlk_tracks *t, const struct mlk_cache *c,
		   ulong object, struct mlk_alloc_info *ai)
{
	struct mlk_track tr;
	const char *why = NULL;
	uint64_t age;
	int rc;

	memset(ai, 0, sizeof(*ai));
	if (!mlk_tracks_cache_records(c) || !t->have_track_layout) {
		ai->why = "not recorded (boot with slub_debug=U)";
		return -1;
	}
	rc = mlk_track_fetch(&t->track, &t->src, object, c->inuse, c->offset,
			     MLK_TRACK_ALLOC, &tr, &why);
	if (rc != 0) {
		ai->why = rc == MLK_TRACK_EMPTY ? "no track recorded" :
			(why ? why : "track unreadable");
		if (rc == MLK_TRACK_EMPTY && t->have_scan_jiffies) {
			/* live: the block was freed since the scan */
			ai->why = "none any more (freed since the scan)";
			ai->have_age = 1;
			ai->age_jiffies = 0;
			t->gone_since_scan++;
		}
		return -1;
	}
	ai->have_track = 1;
	ai->caller = tr.addr;
	ai->pid = tr.pid;
	ai->cpu = tr.cpu;
	ai->when = tr.when;
	ai->handle = tr.handle;
	if (t->have_scan_jiffies &&
	    mlk_jiffies_age(t->scan_jiffies, tr.when, &age) == 0 && age > 0) {
		ai->have_age = 1; /* after the scan began: in flight */
		ai->age_jiffies = 0;
		t->after_scan_start++;
	} else if (t->have_jiffies &&
		   mlk_jiffies_age(tr.when, t->jiffies, &age) == 0) {
		ai->have_age = 1;
		ai->age_jiffies = age;
	} else if (t->have_jiffies) {
		t->future_tracks++; /* newer than the dump: jiffies or track bad */
	}
	fetch_stack(t, &tr, ai);
	return 0;
}

/* ---- symbols ------------------------------------------------------------------ */

void mlk_format_symbol(ulong addr, char *out, size_t outsz)
{
	struct load_module *lm = NULL;
	struct syment *sp, *next;
	ulong offset = 0, size = 0;

	sp = value_search(addr, &offset);
	if (!sp) {
		snprintf(out, outsz, "0x%lx", addr);
		return;
	}
	next = next_symbol(NULL, sp);
	if (next && next->value > sp->value)
		size = next->value - sp->value;
	if (module_symbol(addr, NULL, &lm, NULL, 0) && lm)
		snprintf(out, outsz, "%s+0x%lx/0x%lx [%s]", sp->name, offset,
			 size, lm->mod_name);
	else
		snprintf(out, outsz, "%s+0x%lx/0x%lx", sp->name, offset, size);
}

/* Interim: the questions of mlk_tracks_warm(), asked while the tables run. */
static int mlk_tracks_warm_table(int missing)
{
	(void)missing;
	mlk_tracks_warm();
	return 0;
}

const struct mlk_needs mlk_tracks_needs = {
	"allocation tracks", NULL, 0, mlk_tracks_warm_table, 0,
};
