/*
 * tracks.c - who allocated a block, from what the kernel recorded.
 *
 * SLUB caches with SLAB_STORE_USER (boot option slub_debug=U) keep a
 * struct track per object (mm/slub.c: set_track()): the caller, cpu, pid,
 * jiffies and, since 5.17, a stack depot handle (before, an inline array of
 * return addresses). The layout of struct track comes from the debuginfo
 * (the table below); the stacks from the stack depot (stackdepot.c); the
 * decoding itself lives in track_decode.c (unit-tested alone). The
 * kernel's jiffies is a symbol, read when the tracks are set up.
 *
 * This is read only for the orphans, at report time: one small read per
 * orphan, never a cost of the scan (memleak -a reads it for every block,
 * in address order, through the dump reader's page cache).
 */
#include "readers.h"
#include "tracks.h"


/* ---- struct track, from the debuginfo ----------------------------------- */

static struct {
	long size, addr, handle, addrs, addrs_size, cpu, pid, when;
	long cs_mult, cs_shift;
} T;

static const struct mlk_need track_needs[] = {
	MLK_SIZE(&T.size, "track", MLK_REQUIRED),
	MLK_MEMBER(&T.addr, "track", "addr", MLK_REQUIRED),
	/*
	 * A stack depot handle since 5cf909c553e9 "mm/slub: use stackdepot
	 * to save stack trace in objects" (5.17); before, with
	 * CONFIG_STACKTRACE, the return addresses inline in addrs[].
	 */
	MLK_MEMBER(&T.handle, "track", "handle", MLK_OPTIONAL),
	MLK_MEMBER(&T.addrs, "track", "addrs", MLK_OPTIONAL),
	MLK_MEMBER_SIZE(&T.addrs_size, "track", "addrs", MLK_OPTIONAL),
	MLK_MEMBER(&T.cpu, "track", "cpu", MLK_REQUIRED),
	MLK_MEMBER(&T.pid, "track", "pid", MLK_REQUIRED),
	MLK_MEMBER(&T.when, "track", "when", MLK_REQUIRED),
	/*
	 * HZ without tick_nsec (gone in 6.13, a849a0273d0f "ntp: Remove
	 * unused tick_nsec"): kernel/time/jiffies.c's clocksource_jiffies
	 * has mult = TICK_NSEC << JIFFIES_SHIFT and shift = JIFFIES_SHIFT.
	 */
	MLK_MEMBER(&T.cs_mult, "clocksource", "mult", MLK_OPTIONAL),
	MLK_MEMBER(&T.cs_shift, "clocksource", "shift", MLK_OPTIONAL),
};

/* The tick length in ns from clocksource_jiffies, or 0. */
static ulong jiffies_clock_tick(void)
{
	uint32_t mult, shift;
	ulong cs;

	if (T.cs_mult < 0 || T.cs_shift < 0 ||
	    !symbol_exists("clocksource_jiffies"))
		return 0;
	cs = symbol_value("clocksource_jiffies");
	if (!mlk_readk(cs + T.cs_mult, &mult, sizeof(mult)) ||
	    !mlk_readk(cs + T.cs_shift, &shift, sizeof(shift)) || shift > 31)
		return 0;
	return mult >> shift;
}

/* The layout from the answers (cpu_limit is set per run). */
static struct mlk_track_layout track_layout;
static int track_layout_known;

static int derive_tracks(int missing)
{
	struct mlk_track_layout *l = &track_layout;
	const char *why;

	(void)missing; /* the layout check says what is usable */
	memset(l, 0, sizeof(*l));
	track_layout_known = 0;
	if (T.size <= 0)
		return -1;
	l->size = (uint32_t)T.size;
	l->addr_off = mlk_offset32(T.addr);
	l->handle_off = mlk_offset32(T.handle);
	l->addrs_off = mlk_offset32(T.addrs);
	l->addrs_count = T.addrs_size > 0 ? (uint32_t)(T.addrs_size / 8) : 0;
	l->cpu_off = mlk_offset32(T.cpu);
	l->pid_off = mlk_offset32(T.pid);
	l->when_off = mlk_offset32(T.when);
	track_layout_known = mlk_track_layout_check(l, &why) == 0;
	return track_layout_known ? 0 : -1;
}

const struct mlk_needs mlk_tracks_needs = {
	"allocation tracks", track_needs, MLK_COUNT(track_needs),
	derive_tracks, 0,
};

/* ---- set-up ------------------------------------------------------------ */

int mlk_read_jiffies(ulong *jiffies)
{
	return mlk_read_symbol_ulong("jiffies", jiffies);
}

int mlk_tracks_init(struct mlk_tracks *t)
{
	memset(t, 0, sizeof(*t));
	t->src = mlk_crash_source(NULL);
	t->hz = mlk_kernel_hz(jiffies_clock_tick());
	t->have_jiffies = mlk_read_jiffies(&t->jiffies);
	t->track = track_layout;
	t->track.cpu_limit = kt->cpus > 0 ? (uint32_t)kt->cpus : 0;
	t->have_track_layout = track_layout_known;
	/* kmemleak's records use the depot too, with or without tracks */
	mlk_stack_depot_open(&t->stacks);
	return 0;
}

void mlk_tracks_free(struct mlk_tracks *t)
{
	mlk_stack_depot_close(&t->stacks);
	memset(t, 0, sizeof(*t));
}

int mlk_tracks_cache_records(const struct mlk_cache *c)
{
	return c->store_user;
}

/* ---- per block -------------------------------------------------------------- */

void mlk_alloc_info_stack(struct mlk_stack_depot *s, uint32_t handle,
			  struct mlk_alloc_info *ai)
{
	const char *why = NULL;
	int n;

	n = mlk_stack_depot_lookup(s, handle, ai->entries, MLK_MAX_FRAMES,
				   &why);
	if (n < 0)
		ai->stack_why = why;
	else
		ai->nr_entries = (unsigned)n;
}

static void fetch_stack(struct mlk_tracks *t, const struct mlk_track *tr,
			struct mlk_alloc_info *ai)
{
	if (tr->nr_entries) {
		/* before 5.17: the return addresses are inline in the track */
		ai->nr_entries = tr->nr_entries < MLK_MAX_FRAMES ?
			tr->nr_entries : MLK_MAX_FRAMES;
		memcpy(ai->entries, tr->entries,
		       ai->nr_entries * sizeof(ai->entries[0]));
		return;
	}
	if (!t->skip_stacks)
		mlk_alloc_info_stack(&t->stacks, tr->handle, ai);
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

void mlk_symbol_names(ulong addr, const char **function, const char **module)
{
	struct load_module *lm = NULL;
	ulong offset;
	struct syment *sp;

	addr = mlk_arch->code_address(addr);
	sp = value_search(addr, &offset);
	*function = sp ? sp->name : NULL;
	*module = module_symbol(addr, NULL, &lm, NULL, 0) && lm ?
		lm->mod_name : NULL;
}

void mlk_format_symbol(ulong addr, char *out, size_t outsz)
{
	struct load_module *lm = NULL;
	struct syment *sp, *next;
	ulong offset = 0, size = 0;

	addr = mlk_arch->code_address(addr);
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
