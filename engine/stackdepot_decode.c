/*
 * stackdepot.c - decode stack depot handles from a dump (see stackdepot.h).
 *
 * The kernel's own decoder is depot_fetch_stack() in lib/stackdepot.c:
 *
 *	parts.handle = handle;
 *	pool = stack_pools[parts.pool_index];        (- 1 from 6.8.2 / 6.9)
 *	stack = pool + (parts.offset << DEPOT_STACK_ALIGN);
 *	entries = stack->entries, nr = stack->size;
 *
 * Here every step is checked, since the dump may be corrupt: each value read
 * is bounded before it is used, and a record's stored handle must match the
 * handle asked for.
 */
#include <stdlib.h>
#include <string.h>

#include "stackdepot_decode.h"

/* struct stack_record's header (before entries[]) is read in one go. */
#define DEPOT_HEADER_MAX 256
/* Largest plausible pool: 4 pages of 64 KiB is 256 KiB; allow far more. */
#define DEPOT_POOL_SIZE_LIMIT (1ull << 30)
/* DEPOT_STACK_ALIGN is 4; anything past a page is not a record alignment. */
#define DEPOT_ALIGN_SHIFT_LIMIT 12
/* Record cache: direct-mapped, a power of two. */
#define DEPOT_CACHE_SLOTS 256

/* ---- the handle ------------------------------------------------------- */

static uint32_t field_mask(struct mlk_bitfield f)
{
	if (f.width == 0)
		return 0;
	if (f.width >= 32)
		return UINT32_MAX;
	return ((UINT32_C(1) << f.width) - 1) << f.pos;
}

static uint32_t field_get(uint32_t handle, struct mlk_bitfield f)
{
	return (handle & field_mask(f)) >> f.pos;
}

/*
 * The bits that locate a record: a stored handle is compared on these only,
 * since users may set the extra bits (stack_depot_set_extra_bits()) in the
 * handles they keep, while the record's copy has them clear.
 */
static uint32_t locator_mask(const struct mlk_depot_layout *l)
{
	return field_mask(l->pool) | field_mask(l->offset) |
	       field_mask(l->valid);
}

/* Where a handle points: pool index and byte offset in the pool. */
struct handle_parts {
	uint32_t pool_index;
	uint64_t offset;
};

static int split_handle(const struct mlk_depot_layout *l, uint32_t handle,
			struct handle_parts *parts, const char **why)
{
	uint32_t pool_field = field_get(handle, l->pool);

	/* stack_depot_fetch(): "if (!handle) return 0". */
	if (handle == 0) {
		*why = "no stack recorded";
		return -1;
	}
	if (l->valid.width && field_get(handle, l->valid) == 0) {
		*why = "handle's valid bit is clear";
		return -1;
	}
	if (l->pool_plus_one) {
		if (pool_field == 0) {
			*why = "handle's pool field is 0 (no pool)";
			return -1;
		}
		pool_field--;
	}
	if (pool_field >= l->pools_len) {
		*why = "handle's pool index out of range";
		return -1;
	}
	parts->pool_index = pool_field;
	parts->offset = (uint64_t)field_get(handle, l->offset) << l->align_shift;
	if (l->pool_size &&
	    parts->offset + (uint64_t)l->rec_entries_off > l->pool_size) {
		*why = "handle's offset lies beyond the pool";
		return -1;
	}
	return 0;
}

/* ---- the layout ------------------------------------------------------- */

/* An absent field (width 0) fits wherever its position says. */
static int field_fits(struct mlk_bitfield f)
{
	return f.width == 0 || (f.width <= 32 && f.pos + f.width <= 32);
}

static int fields_overlap(const struct mlk_depot_layout *l)
{
	uint32_t pool = field_mask(l->pool);
	uint32_t offset = field_mask(l->offset);
	uint32_t valid = field_mask(l->valid);

	return (pool & offset) || (pool & valid) || (offset & valid);
}

/* A u32 member of the header, when present, lies before entries[]. */
static int member_fits(int32_t off, int32_t entries_off)
{
	return off < 0 || off + 4 <= entries_off;
}

static int check_record_offsets(const struct mlk_depot_layout *l,
				const char **why)
{
	if (l->rec_entries_off < 0 || l->rec_entries_off > DEPOT_HEADER_MAX ||
	    l->rec_entries_off % MLK_WORD != 0) {
		*why = "layout: bad stack_record.entries offset";
		return -1;
	}
	if (l->rec_size_off < 0 ||
	    !member_fits(l->rec_size_off, l->rec_entries_off) ||
	    !member_fits(l->rec_handle_off, l->rec_entries_off) ||
	    !member_fits(l->rec_count_off, l->rec_entries_off)) {
		*why = "layout: stack_record member offsets out of order";
		return -1;
	}
	return 0;
}

int mlk_depot_layout_check(const struct mlk_depot_layout *l, const char **why)
{
	if (!l) {
		*why = "no layout";
		return -1;
	}
	if (l->pool.width == 0 || l->offset.width == 0 ||
	    l->pool.width >= 32 || l->offset.width >= 32 ||
	    !field_fits(l->pool) || !field_fits(l->offset) ||
	    !field_fits(l->valid) || !field_fits(l->extra) ||
	    fields_overlap(l)) {
		*why = "layout: bad handle bit fields";
		return -1;
	}
	if (l->align_shift > DEPOT_ALIGN_SHIFT_LIMIT) {
		*why = "layout: bad record alignment";
		return -1;
	}
	if (l->pools_len > MLK_DEPOT_POOLS_LIMIT) {
		*why = "layout: absurd number of pools";
		return -1;
	}
	if (l->pool_size > DEPOT_POOL_SIZE_LIMIT) {
		*why = "layout: absurd pool size";
		return -1;
	}
	if (l->max_frames > MLK_DEPOT_FRAMES_LIMIT) {
		*why = "layout: absurd maximum of frames";
		return -1;
	}
	return check_record_offsets(l, why);
}

static unsigned max_frames_of(const struct mlk_depot_layout *l)
{
	return l->max_frames ? l->max_frames : MLK_DEPOT_MAX_FRAMES;
}

/* ---- presets ---------------------------------------------------------- */

static const struct mlk_bitfield no_field = { 0, 0 };

/*
 * 4.6 - 6.0: STACK_ALLOC_INDEX_BITS = 32 - 1 (valid) - 10 (offset) = 21.
 * 6.1 - 6.7: 5 more bits for STACK_DEPOT_EXTRA_BITS leave 16.
 * Record: next (8), hash (4), size (4), handle (4), entries aligned to 24.
 */
static void preset_valid_bit(struct mlk_depot_layout *l, uint8_t pool_bits,
			     uint8_t extra_bits)
{
	l->pool = (struct mlk_bitfield){ 0, pool_bits };
	l->offset = (struct mlk_bitfield){ pool_bits, 10 };
	l->valid = (struct mlk_bitfield){ (uint8_t)(pool_bits + 10), 1 };
	l->extra = extra_bits ?
		(struct mlk_bitfield){ (uint8_t)(pool_bits + 11), extra_bits } :
		no_field;
	l->rec_size_off = 12;
	l->rec_handle_off = 16;
	l->rec_count_off = -1;
	l->rec_entries_off = 24;
}

/*
 * 6.8+: DEPOT_POOL_INDEX_BITS = 32 - 10 - 5 = 17, no valid bit.
 * Record: hash_list (16), hash, size, handle, count (4 each): entries at 32.
 */
static void preset_no_valid_bit(struct mlk_depot_layout *l, int plus_one)
{
	l->pool = (struct mlk_bitfield){ 0, 17 };
	l->offset = (struct mlk_bitfield){ 17, 10 };
	l->valid = no_field;
	l->extra = (struct mlk_bitfield){ 27, 5 };
	l->pool_plus_one = plus_one;
	l->rec_size_off = 20;
	l->rec_handle_off = 24;
	l->rec_count_off = 28;
	l->rec_entries_off = 32;
}

int mlk_depot_layout_preset(struct mlk_depot_layout *l,
			    enum mlk_depot_generation gen,
			    mlk_addr_t pools_addr, uint32_t pools_len)
{
	memset(l, 0, sizeof(*l));
	switch (gen) {
	case MLK_DEPOT_GEN_4_6:
		preset_valid_bit(l, 21, 0);
		break;
	case MLK_DEPOT_GEN_6_1:
		preset_valid_bit(l, 16, 5);
		break;
	case MLK_DEPOT_GEN_6_8:
		preset_no_valid_bit(l, 0);
		break;
	case MLK_DEPOT_GEN_6_9:
		preset_no_valid_bit(l, 1);
		break;
	default:
		return -1;
	}
	l->align_shift = 4;              /* DEPOT_STACK_ALIGN */
	l->pool_size = 4096ull << 2;     /* PAGE_SIZE << DEPOT_POOL_ORDER */
	l->pools_addr = pools_addr;
	l->pools_len = pools_len;
	l->max_frames = MLK_DEPOT_MAX_FRAMES;
	return 0;
}

/* ---- reading ---------------------------------------------------------- */

/* What a decode needs: the layout, the memory, optionally cached pools. */
struct depot_reader {
	const struct mlk_depot_layout *l;
	const struct mlk_source *src;
	const mlk_addr_t *pools; /* copy of the pools array, or NULL */
	uint64_t *reads;         /* counts source reads, or NULL */
};

static int reader_read(const struct depot_reader *r, mlk_addr_t addr,
		       void *buf, size_t len)
{
	if (r->reads)
		(*r->reads)++;
	return r->src->read(r->src->ctx, addr, buf, len);
}

static int pool_pointer(const struct depot_reader *r, uint32_t index,
			mlk_addr_t *pool, const char **why)
{
	uint64_t value;

	if (r->pools) {
		*pool = r->pools[index];
		return 0;
	}
	if (reader_read(r, r->l->pools_addr + (mlk_addr_t)index * MLK_WORD,
			&value, sizeof(value)) < 0) {
		*why = "cannot read the pools array";
		return -1;
	}
	*pool = value;
	return 0;
}

/* The record's address: pool + offset, with the pool pointer checked. */
static int record_address(const struct depot_reader *r,
			  const struct handle_parts *parts, mlk_addr_t *rec,
			  const char **why)
{
	mlk_addr_t pool;
	mlk_addr_t align_mask = ((mlk_addr_t)1 << r->l->align_shift) - 1;

	if (pool_pointer(r, parts->pool_index, &pool, why) < 0)
		return -1;
	if (pool == 0) {
		*why = "pool pointer is NULL";
		return -1;
	}
	/* Pools come from alloc_pages(): at least record-aligned. */
	if (pool & align_mask) {
		*why = "pool pointer is misaligned";
		return -1;
	}
	if (pool + parts->offset < pool) {
		*why = "record address overflows";
		return -1;
	}
	*rec = pool + parts->offset;
	return 0;
}

static uint32_t header_u32(const unsigned char *header, int32_t off)
{
	uint32_t value;

	memcpy(&value, header + off, sizeof(value));
	return value;
}

/*
 * Reads the record's header and checks it: size within bounds, the record
 * inside its pool, the stored handle equal to the one asked for, and (6.8+)
 * a non-zero reference count. Returns the number of frames, or -1.
 */
static int64_t check_record(const struct depot_reader *r, mlk_addr_t rec,
			    const struct handle_parts *parts, uint32_t handle,
			    const char **why)
{
	const struct mlk_depot_layout *l = r->l;
	unsigned char header[DEPOT_HEADER_MAX];
	uint32_t mask = locator_mask(l);
	uint32_t size;

	if (reader_read(r, rec, header, (size_t)l->rec_entries_off) < 0) {
		*why = "cannot read the stack record";
		return -1;
	}
	if (l->rec_handle_off >= 0 &&
	    (header_u32(header, l->rec_handle_off) & mask) != (handle & mask)) {
		*why = "record's stored handle differs (corrupt or wrong layout)";
		return -1;
	}
	/* depot_fetch_stack() (6.8+): "WARN_ON(!refcount_read(...))". */
	if (l->rec_count_off >= 0 && header_u32(header, l->rec_count_off) == 0) {
		*why = "stack record was freed (reference count 0)";
		return -1;
	}
	size = header_u32(header, l->rec_size_off);
	if (size == 0 || size > max_frames_of(l)) {
		*why = "record's frame count is 0 or absurd";
		return -1;
	}
	if (l->pool_size && parts->offset + (uint64_t)l->rec_entries_off +
				    (uint64_t)size * MLK_WORD > l->pool_size) {
		*why = "record runs past the end of its pool";
		return -1;
	}
	return size;
}

/*
 * Decode handle into at most max entries. Returns how many were written and
 * sets *frames to the record's full count, or returns -1.
 */
static int decode(const struct depot_reader *r, uint32_t handle,
		  mlk_addr_t *entries, unsigned max, unsigned *frames,
		  const char **why)
{
	struct handle_parts parts;
	mlk_addr_t rec;
	int64_t size;
	unsigned n;

	if (split_handle(r->l, handle, &parts, why) < 0 ||
	    record_address(r, &parts, &rec, why) < 0)
		return -1;
	size = check_record(r, rec, &parts, handle, why);
	if (size < 0)
		return -1;
	n = (uint64_t)size < max ? (unsigned)size : max;
	if (n > 0 && reader_read(r, rec + (mlk_addr_t)r->l->rec_entries_off,
				 entries, (size_t)n * sizeof(*entries)) < 0) {
		*why = "cannot read the record's entries";
		return -1;
	}
	*frames = (unsigned)size;
	return (int)n;
}

static int check_args(const struct mlk_depot_layout *l,
		      const struct mlk_source *src, const mlk_addr_t *entries,
		      unsigned max, const char **why)
{
	if (mlk_depot_layout_check(l, why) < 0)
		return -1;
	if (!src || !src->read || (!entries && max > 0)) {
		*why = "bad arguments";
		return -1;
	}
	return 0;
}

int mlk_depot_fetch(const struct mlk_depot_layout *l,
		    const struct mlk_source *src, uint32_t handle,
		    mlk_addr_t *entries, unsigned max, const char **why)
{
	struct depot_reader r = { l, src, NULL, NULL };
	unsigned frames;
	const char *ignored;

	if (!why)
		why = &ignored;
	if (check_args(l, src, entries, max, why) < 0)
		return -1;
	return decode(&r, handle, entries, max, &frames, why);
}

/* ---- the cached decoder ----------------------------------------------- */

/* A decoded record; key 0 marks an empty slot (no handle has key 0). */
struct cached_record {
	uint32_t key;    /* the handle's locator bits */
	uint32_t frames; /* entries held (all of the record's) */
	mlk_addr_t entries[MLK_DEPOT_MAX_FRAMES];
};

enum pools_state { POOLS_UNREAD, POOLS_CACHED, POOLS_UNREADABLE };

struct mlk_depot {
	struct mlk_depot_layout layout;
	struct mlk_source src;
	enum pools_state pools_state;
	mlk_addr_t *pools;             /* pools_len pointers once cached */
	struct cached_record *slots;   /* DEPOT_CACHE_SLOTS, allocated lazily */
	struct mlk_depot_stats stats;
};

struct mlk_depot *mlk_depot_new(const struct mlk_depot_layout *l,
				const struct mlk_source *src,
				const char **why)
{
	struct mlk_depot *d;
	const char *ignored;

	if (!why)
		why = &ignored;
	if (check_args(l, src, NULL, 0, why) < 0)
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d) {
		*why = "out of memory";
		return NULL;
	}
	d->layout = *l;
	d->src = *src;
	return d;
}

void mlk_depot_free(struct mlk_depot *d)
{
	if (!d)
		return;
	free(d->pools);
	free(d->slots);
	free(d);
}

const struct mlk_depot_stats *mlk_depot_stats(const struct mlk_depot *d)
{
	return &d->stats;
}

/* Read the pools array once; on failure pointers are read one by one. */
static void cache_pools(struct mlk_depot *d)
{
	size_t bytes = (size_t)d->layout.pools_len * MLK_WORD;

	if (d->pools_state != POOLS_UNREAD)
		return;
	d->pools_state = POOLS_UNREADABLE;
	/* pools_len <= MLK_DEPOT_POOLS_LIMIT: at most MLK_READ_CHUNK bytes. */
	if (bytes == 0 || bytes > MLK_READ_CHUNK)
		return;
	d->pools = malloc(bytes);
	if (!d->pools)
		return;
	d->stats.reads++;
	if (d->src.read(d->src.ctx, d->layout.pools_addr, d->pools, bytes) < 0) {
		free(d->pools);
		d->pools = NULL;
		return;
	}
	d->pools_state = POOLS_CACHED;
}

static struct cached_record *cache_slot(struct mlk_depot *d, uint32_t key)
{
	/* Knuth's multiplicative hash spreads neighbouring offsets. */
	uint32_t index = (key * UINT32_C(2654435761)) >> 24;

	if (!d->slots) {
		d->slots = calloc(DEPOT_CACHE_SLOTS, sizeof(*d->slots));
		if (!d->slots)
			return NULL;
	}
	return &d->slots[index % DEPOT_CACHE_SLOTS];
}

static unsigned copy_cached(const struct cached_record *slot,
			    mlk_addr_t *entries, unsigned max)
{
	unsigned n = slot->frames < max ? slot->frames : max;

	if (n > 0)
		memcpy(entries, slot->entries, n * sizeof(*entries));
	return n;
}

int mlk_depot_lookup(struct mlk_depot *d, uint32_t handle,
		     mlk_addr_t *entries, unsigned max, const char **why)
{
	struct depot_reader r;
	uint32_t key;
	struct cached_record *slot;
	unsigned frames;
	int n;
	const char *ignored;

	if (!why)
		why = &ignored;
	if (!d || (!entries && max > 0)) {
		*why = "bad arguments";
		return -1;
	}
	d->stats.lookups++;
	cache_pools(d);
	r = (struct depot_reader){ &d->layout, &d->src, d->pools,
				   &d->stats.reads };
	key = handle & locator_mask(&d->layout);
	slot = key ? cache_slot(d, key) : NULL;
	if (slot && slot->key == key) {
		d->stats.record_hits++;
		return (int)copy_cached(slot, entries, max);
	}
	if (!slot)
		return decode(&r, handle, entries, max, &frames, why);
	/* Decode the whole record into the slot, then copy what is asked. */
	n = decode(&r, handle, slot->entries, MLK_DEPOT_MAX_FRAMES, &frames,
		   why);
	if (n < 0) {
		slot->key = 0;
		return -1;
	}
	if (frames > MLK_DEPOT_MAX_FRAMES) {
		/* Too long to cache (max_frames > 64): read it for the caller. */
		slot->key = 0;
		return decode(&r, handle, entries, max, &frames, why);
	}
	slot->key = key;
	slot->frames = frames;
	return (int)copy_cached(slot, entries, max);
}
