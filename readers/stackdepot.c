/*
 * stackdepot.c - the kernel's stack depot (lib/stackdepot.c) read out of a
 * dump: the layouts of union handle_parts and struct stack_record from the
 * debuginfo, the pools from the kernel's variables (decoding:
 * stackdepot_decode.c). SLUB tracks, page_owner records and kmemleak's
 * objects each open one.
 *
 * Debuginfo questions (gdb, answered before any scan): the table below.
 * Symbols (crash's own symbol table, read when a depot is opened): the
 * pools array and the count of pools in use.
 */
#include "stackdepot.h"

/*
 * lib/stackdepot.c: DEPOT_STACK_ALIGN (STACK_ALLOC_ALIGN at first), 4 since
 * the depot exists: cd11016e5f52 "mm, kasan: stackdepot implementation.
 * Enable stackdepot for SLAB" (4.6).
 */
#define DEPOT_STACK_ALIGN_SHIFT 4

#define HANDLE_PARTS "union handle_parts"

/* A bit-field of union handle_parts: its first bit and width. */
struct field_answer {
	long pos, width;
};

static struct {
	struct field_answer pool_index_plus_1, pool_index, slabindex, offset,
			    valid, extra;
	long stack_slabs_len, stack_pools_len;
	long rec_size, rec_handle, rec_count, rec_entries;
} A;

static const struct mlk_need stack_depot_needs[] = {
	/*
	 * The pool's index: slabindex up to 6.2, pool_index from 6.3
	 * (961c949b012f "lib/stackdepot: rename slab to pool"). It counts
	 * from one since 3ee34eabac2a "lib/stackdepot: fix first entry having
	 * a 0-handle" (6.9, 6.8.2), named for it since a6c1d9cb9a68
	 * "stackdepot: rename pool_index to pool_index_plus_1" (6.9, 6.8.5).
	 */
	MLK_BITFIELD_POS(&A.pool_index_plus_1.pos, HANDLE_PARTS,
			 "pool_index_plus_1", MLK_OPTIONAL),
	MLK_BITFIELD_WIDTH(&A.pool_index_plus_1.width, HANDLE_PARTS,
			   "pool_index_plus_1", MLK_OPTIONAL),
	MLK_BITFIELD_POS(&A.pool_index.pos, HANDLE_PARTS, "pool_index",
			 MLK_OPTIONAL),
	MLK_BITFIELD_WIDTH(&A.pool_index.width, HANDLE_PARTS, "pool_index",
			   MLK_OPTIONAL),
	MLK_BITFIELD_POS(&A.slabindex.pos, HANDLE_PARTS, "slabindex",
			 MLK_OPTIONAL),
	MLK_BITFIELD_WIDTH(&A.slabindex.width, HANDLE_PARTS, "slabindex",
			   MLK_OPTIONAL),
	MLK_BITFIELD_POS(&A.offset.pos, HANDLE_PARTS, "offset", MLK_REQUIRED),
	MLK_BITFIELD_WIDTH(&A.offset.width, HANDLE_PARTS, "offset",
			   MLK_REQUIRED),
	/*
	 * Gone in 6.8: 5f9ce55e0207 "lib/stackdepot: drop valid bit from
	 * handles".
	 */
	MLK_BITFIELD_POS(&A.valid.pos, HANDLE_PARTS, "valid", MLK_OPTIONAL),
	MLK_BITFIELD_WIDTH(&A.valid.width, HANDLE_PARTS, "valid",
			   MLK_OPTIONAL),
	/*
	 * 6.1+: 83a4f1ef45a9 "stackdepot: reserve 5 extra bits in
	 * depot_stack_handle_t" (ignored by the decoder).
	 */
	MLK_BITFIELD_POS(&A.extra.pos, HANDLE_PARTS, "extra", MLK_OPTIONAL),
	MLK_BITFIELD_WIDTH(&A.extra.width, HANDLE_PARTS, "extra",
			   MLK_OPTIONAL),
	/*
	 * The pools: stack_slabs[] up to 6.2, stack_pools[] from 6.3
	 * (961c949b012f), a pointer to an array allocated at boot since
	 * ed4f142f72a9 "stackdepot: make max number of pools boot-time
	 * configurable" (6.17: no array length then).
	 */
	MLK_ARRAY_LEN(&A.stack_slabs_len, "stack_slabs", MLK_OPTIONAL),
	MLK_ARRAY_LEN(&A.stack_pools_len, "stack_pools", MLK_OPTIONAL),
	MLK_MEMBER(&A.rec_size, "stack_record", "size", MLK_REQUIRED),
	MLK_MEMBER(&A.rec_handle, "stack_record", "handle", MLK_OPTIONAL),
	/* 6.8+: 410b764f89f5 "lib/stackdepot: add refcount for records" */
	MLK_MEMBER(&A.rec_count, "stack_record", "count", MLK_OPTIONAL),
	MLK_MEMBER(&A.rec_entries, "stack_record", "entries", MLK_REQUIRED),
};

/* The layout from the answers; the pools are read when a depot opens. */
static struct mlk_depot_layout handle_layout;
static int handle_known;

/* A field of the 32-bit handle; width 0 and -1 when absent (or too wide). */
static int handle_field(struct field_answer a, struct mlk_bitfield *bf)
{
	bf->pos = bf->width = 0;
	if (a.pos < 0 || a.width <= 0 || a.pos + a.width > 32)
		return -1;
	bf->pos = (uint8_t)a.pos;
	bf->width = (uint8_t)a.width;
	return 0;
}

/*
 * The "+1" change (3ee34eabac2a) was backported to 6.8.2 before the
 * rename (a6c1d9cb9a68, 6.8.5), so a 6.8.2+ kernel with a valid-less
 * pool_index also counts from one.
 */
static int pool_counts_from_one(int has_valid_bit)
{
	if (has_valid_bit)
		return 0;
	return !(THIS_KERNEL_VERSION == LINUX(6, 8, 0) ||
		 THIS_KERNEL_VERSION == LINUX(6, 8, 1));
}

/* Which field holds the pool's index, and whether it counts from one. */
static int choose_pool_field(struct mlk_depot_layout *l)
{
	if (handle_field(A.pool_index_plus_1, &l->pool) == 0) {
		l->pool_plus_one = 1;
		return 0;
	}
	if (handle_field(A.pool_index, &l->pool) < 0 &&
	    handle_field(A.slabindex, &l->pool) < 0)
		return -1;
	l->pool_plus_one = pool_counts_from_one(l->valid.width != 0);
	return 0;
}

static int derive_stack_depot(int missing)
{
	struct mlk_depot_layout *l = &handle_layout;

	memset(l, 0, sizeof(*l));
	handle_field(A.valid, &l->valid);
	handle_field(A.extra, &l->extra);
	handle_known = choose_pool_field(l) == 0 &&
		       handle_field(A.offset, &l->offset) == 0;
	l->align_shift = DEPOT_STACK_ALIGN_SHIFT;
	l->rec_size_off = mlk_offset32(A.rec_size);
	l->rec_handle_off = mlk_offset32(A.rec_handle);
	l->rec_count_off = mlk_offset32(A.rec_count);
	l->rec_entries_off = mlk_offset32(A.rec_entries);
	return handle_known && !missing ? 0 : -1;
}

const struct mlk_needs mlk_stack_depot_needs = {
	"stack depot", stack_depot_needs, MLK_COUNT(stack_depot_needs),
	derive_stack_depot, 0,
};

/* ---- the pools ----------------------------------------------------------- */

static uint32_t read_int_symbol(const char *name, uint32_t fallback)
{
	int v;

	if (!mlk_read_symbol_int(name, &v) || v < 0)
		return fallback;
	return (uint32_t)v;
}

/*
 * How many pools are in use: depot_index + 1 up to 6.2, pool_index + 1 in
 * 6.3 - 6.7 (961c949b012f), pools_num from 6.8 (b29d31885814
 * "lib/stackdepot: store free stack records in a freelist"); at most len.
 */
static uint32_t pools_in_use(uint32_t len)
{
	uint32_t n;

	if (symbol_exists("pools_num"))
		n = read_int_symbol("pools_num", len);
	else if (symbol_exists("pool_index"))
		n = read_int_symbol("pool_index", len) + 1;
	else
		n = read_int_symbol("depot_index", len) + 1;
	return n < len ? n : len;
}

/* Where the pools are (stack_slabs[] or stack_pools), and how many. */
static int read_pools(struct mlk_depot_layout *l)
{
	int slabs = symbol_exists("stack_slabs");
	const char *array = slabs ? "stack_slabs" :
		symbol_exists("stack_pools") ? "stack_pools" : NULL;
	long len = slabs ? A.stack_slabs_len : A.stack_pools_len;

	if (!array)
		return -1;
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
	l->pools_len = pools_in_use((uint32_t)len);
	return 0;
}

/* ---- a depot ------------------------------------------------------------- */

static int depot_layout(struct mlk_depot_layout *l)
{
	const char *ignored;

	*l = handle_layout;
	if (!handle_known || read_pools(l) < 0)
		return -1;
	return mlk_depot_layout_check(l, &ignored);
}

int mlk_stack_depot_open(struct mlk_stack_depot *s)
{
	struct mlk_depot_layout l;
	const char *why = NULL;

	memset(s, 0, sizeof(*s));
	s->src = mlk_crash_source(NULL);
	if (!symbol_exists("stack_slabs") && !symbol_exists("stack_pools")) {
		s->absent = 1;
		s->why = "this kernel has no stack depot";
		return -1;
	}
	if (depot_layout(&l) == 0)
		s->depot = mlk_depot_new(&l, &s->src, &why);
	if (!s->depot)
		s->why = why ? why : "stack depot layout not understood";
	return s->depot ? 0 : -1;
}

void mlk_stack_depot_close(struct mlk_stack_depot *s)
{
	mlk_depot_free(s->depot);
	memset(s, 0, sizeof(*s));
}

int mlk_stack_depot_lookup(struct mlk_stack_depot *s, uint32_t handle,
			   mlk_addr_t *entries, unsigned max, const char **why)
{
	if (!s->depot) {
		*why = s->why ? s->why : "no stack recorded";
		return -1;
	}
	return mlk_depot_lookup(s->depot, handle, entries, max, why);
}
