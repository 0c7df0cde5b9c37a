/*
 * test_stackdepot.c - stack depot handles decoded from synthetic images.
 *
 * A fake memory source holds the pools array (in kernel data) and two
 * 16 KiB pools (in the direct map). Records are written the way the
 * kernel's depot_alloc_stack() lays them out, for each layout the kernel
 * has had; handles are built from the layout and, for the presets, also
 * compared with values computed by hand from the kernel's bit fields.
 */
#include <string.h>

#include "fake_mem.h"
#include "stackdepot_decode.h"
#include "unit.h"

#define POOLS 0xffffffff83001000ULL /* stack_pools[] in .bss */
#define POOL0 0xffff888004000000ULL
#define POOL1 0xffff888004008000ULL
#define UNMAPPED 0xffff888010000000ULL
#define POOL_SIZE 16384
#define NPOOLS 8

/* ---- a depot image ----------------------------------------------------- */

/* Five return addresses in kernel text, like a kmalloc call chain. */
static const mlk_addr_t frames5[5] = {
	0xffffffff812a3b4cULL, 0xffffffff812a4010ULL, 0xffffffff81c0ffeeULL,
	0xffffffff81001234ULL, 0xffffffff82000abcULL,
};

struct depot_image {
	struct fake_mem mem;
	struct mlk_source src;
	struct mlk_depot_layout layout;
};

/* pools[0] = POOL0, pools[1] = POOL1, the rest NULL. */
static int image_init(struct depot_image *im, enum mlk_depot_generation gen)
{
	memset(im, 0, sizeof(*im));
	if (fake_add_region(&im->mem, POOLS, NPOOLS * 8) < 0 ||
	    fake_add_region(&im->mem, POOL0, POOL_SIZE) < 0 ||
	    fake_add_region(&im->mem, POOL1, POOL_SIZE) < 0)
		return -1;
	fake_put_u64(&im->mem, POOLS, POOL0);
	fake_put_u64(&im->mem, POOLS + 8, POOL1);
	im->src = fake_source(&im->mem);
	return mlk_depot_layout_preset(&im->layout, gen, POOLS, NPOOLS);
}

static uint32_t field_bits(struct mlk_bitfield f, uint32_t value)
{
	uint32_t mask = f.width >= 32 ? UINT32_MAX : (1u << f.width) - 1;

	return f.width ? (value & mask) << f.pos : 0;
}

/* The handle depot_alloc_stack() gives the record at pool + offset. */
static uint32_t make_handle(const struct mlk_depot_layout *l, uint32_t pool,
			    uint32_t offset, uint32_t extra)
{
	return field_bits(l->pool, pool + (l->pool_plus_one ? 1 : 0)) |
	       field_bits(l->offset, offset >> l->align_shift) |
	       field_bits(l->valid, 1) | field_bits(l->extra, extra);
}

/* Write a record as the kernel does: header, then entries[]. */
static void write_record(struct depot_image *im, mlk_addr_t rec,
			 uint32_t handle, const mlk_addr_t *frames,
			 uint32_t n)
{
	const struct mlk_depot_layout *l = &im->layout;
	struct fake_mem *m = &im->mem;

	fake_put_u32(m, rec + 8, 0x9747b28c); /* some hash */
	fake_put_u32(m, rec + (mlk_addr_t)l->rec_size_off, n);
	if (l->rec_handle_off >= 0)
		fake_put_u32(m, rec + (mlk_addr_t)l->rec_handle_off, handle);
	if (l->rec_count_off >= 0)
		fake_put_u32(m, rec + (mlk_addr_t)l->rec_count_off, 1);
	for (uint32_t i = 0; i < n; i++)
		fake_put_u64(m, rec + (mlk_addr_t)l->rec_entries_off + 8 * i,
			     frames[i]);
}

/* Fetch handle and compare with the five frames. */
static int expect_frames5(struct depot_image *im, uint32_t handle,
			  char *why, size_t whysz)
{
	mlk_addr_t got[16];
	const char *err = NULL;
	int n = mlk_depot_fetch(&im->layout, &im->src, handle, got, 16, &err);

	CHECK(n == 5, "handle %#x: got %d (%s), want 5 frames", handle, n,
	      err ? err : "");
	for (int i = 0; i < 5; i++)
		CHECK(got[i] == frames5[i], "frame %d: %#llx", i,
		      U64(got[i]));
	return 0;
out:
	return -1;
}

/* Fetch handle and expect an error whose text contains want. */
static int expect_error(const struct depot_image *im, uint32_t handle,
			const char *want, char *why, size_t whysz)
{
	mlk_addr_t got[16];
	const char *err = NULL;
	int n = mlk_depot_fetch(&im->layout, &im->src, handle, got, 16, &err);

	CHECK(n == -1, "handle %#x: got %d, want an error (%s)", handle, n,
	      want);
	CHECK(err && strstr(err, want), "handle %#x: error \"%s\", want \"%s\"",
	      handle, err ? err : "(none)", want);
	return 0;
out:
	return -1;
}

/* ---- one test per layout ------------------------------------------------ */

/* 4.6 - 6.0: { slabindex:21, offset:10, valid:1 }, entries at +24. */
static int test_depot_layout_4_6(char *why, size_t whysz)
{
	struct depot_image im;
	uint32_t handle;
	int rc = -1;

	CHECK(image_init(&im, MLK_DEPOT_GEN_4_6) == 0, "image setup");
	handle = make_handle(&im.layout, 1, 0x1230, 0);
	CHECK(handle == (1u | 0x123u << 21 | 1u << 31),
	      "preset bits: handle %#x", handle);
	write_record(&im, POOL1 + 0x1230, handle, frames5, 5);
	rc = expect_frames5(&im, handle, why, whysz);
out:
	fake_mem_free(&im.mem);
	return rc;
}

/* 6.1 - 6.2: { slabindex:16, offset:10, valid:1, extra:5 }. */
static int test_depot_layout_6_1(char *why, size_t whysz)
{
	struct depot_image im;
	uint32_t handle;
	int rc = -1;

	CHECK(image_init(&im, MLK_DEPOT_GEN_6_1) == 0, "image setup");
	handle = make_handle(&im.layout, 1, 0x1230, 0);
	CHECK(handle == 0x05230001u, "preset bits: handle %#x", handle);
	write_record(&im, POOL1 + 0x1230, handle, frames5, 5);
	rc = expect_frames5(&im, handle, why, whysz);
out:
	fake_mem_free(&im.mem);
	return rc;
}

/*
 * 6.3 - 6.7: stack_pools[] and { pool_index, offset, valid, extra }, the
 * layout filled field by field as the crash side does from gdb's printm
 * (bitpos/bitsize) and offsetof. The handle carries extra bits (as set by
 * stack_depot_set_extra_bits()), which the stored handle has clear.
 */
static int test_depot_layout_6_3(char *why, size_t whysz)
{
	struct depot_image im;
	struct mlk_depot_layout *l = &im.layout;
	uint32_t stored, handle;
	int rc = -1;

	CHECK(image_init(&im, MLK_DEPOT_GEN_6_1) == 0, "image setup");
	memset(l, 0, sizeof(*l));
	l->pool = (struct mlk_bitfield){ 0, 16 };
	l->offset = (struct mlk_bitfield){ 16, 10 };
	l->valid = (struct mlk_bitfield){ 26, 1 };
	l->extra = (struct mlk_bitfield){ 27, 5 };
	l->align_shift = 4;
	l->pools_addr = POOLS;
	l->pools_len = 2; /* pool_index + 1 */
	l->pool_size = POOL_SIZE;
	l->rec_size_off = 12;
	l->rec_handle_off = 16;
	l->rec_count_off = -1;
	l->rec_entries_off = 24;
	stored = make_handle(l, 0, 0x40, 0);
	handle = make_handle(l, 0, 0x40, 0x15);
	CHECK(handle != stored, "extra bits not set");
	write_record(&im, POOL0 + 0x40, stored, frames5, 5);
	if (expect_frames5(&im, handle, why, whysz) < 0 ||
	    expect_frames5(&im, stored, why, whysz) < 0)
		goto out;
	/* Pool 2 exists in the array but not among the pools in use. */
	rc = expect_error(&im, make_handle(l, 2, 0x40, 0), "out of range",
			  why, whysz);
out:
	fake_mem_free(&im.mem);
	return rc;
}

/* 6.9+: { pool_index_plus_1:17, offset:10, extra:5 }, entries at +32. */
static int test_depot_layout_6_9(char *why, size_t whysz)
{
	struct depot_image im;
	uint32_t handle, first;
	int rc = -1;

	CHECK(image_init(&im, MLK_DEPOT_GEN_6_9) == 0, "image setup");
	handle = make_handle(&im.layout, 1, 0x1230, 0);
	CHECK(handle == (2u | 0x123u << 17), "preset bits: handle %#x",
	      handle);
	write_record(&im, POOL1 + 0x1230, handle, frames5, 5);
	if (expect_frames5(&im, handle, why, whysz) < 0)
		goto out;
	/* The very first record has a non-zero handle now. */
	first = make_handle(&im.layout, 0, 0, 0);
	CHECK(first == 1, "first record's handle %#x", first);
	write_record(&im, POOL0, first, frames5, 5);
	if (expect_frames5(&im, first, why, whysz) < 0)
		goto out;
	rc = expect_error(&im, 0x123u << 17, "pool field is 0", why, whysz);
out:
	fake_mem_free(&im.mem);
	return rc;
}

/* 6.8.0 - 6.8.1: no valid bit, pool index as is: record 0 has handle 0. */
static int test_depot_layout_6_8(char *why, size_t whysz)
{
	struct depot_image im;
	uint32_t handle;
	int rc = -1;

	CHECK(image_init(&im, MLK_DEPOT_GEN_6_8) == 0, "image setup");
	CHECK(make_handle(&im.layout, 0, 0, 0) == 0, "first handle not 0");
	write_record(&im, POOL0, 0, frames5, 5);
	if (expect_error(&im, 0, "no stack recorded", why, whysz) < 0)
		goto out;
	handle = make_handle(&im.layout, 1, 0x20, 0);
	CHECK(handle == (1u | 0x2u << 17), "preset bits: handle %#x", handle);
	write_record(&im, POOL1 + 0x20, handle, frames5, 5);
	rc = expect_frames5(&im, handle, why, whysz);
out:
	fake_mem_free(&im.mem);
	return rc;
}

/* ---- rejections --------------------------------------------------------- */

static int test_depot_reject_handle_zero(char *why, size_t whysz)
{
	struct depot_image im;
	int rc = -1;

	CHECK(image_init(&im, MLK_DEPOT_GEN_6_1) == 0, "image setup");
	rc = expect_error(&im, 0, "no stack recorded", why, whysz);
out:
	fake_mem_free(&im.mem);
	return rc;
}

static int test_depot_reject_valid_clear(char *why, size_t whysz)
{
	struct depot_image im;
	uint32_t handle;
	int rc = -1;

	CHECK(image_init(&im, MLK_DEPOT_GEN_6_1) == 0, "image setup");
	handle = make_handle(&im.layout, 1, 0x1230, 0);
	write_record(&im, POOL1 + 0x1230, handle, frames5, 5);
	rc = expect_error(&im, handle & ~(1u << 26), "valid bit", why, whysz);
out:
	fake_mem_free(&im.mem);
	return rc;
}

static int test_depot_reject_pool_range(char *why, size_t whysz)
{
	struct depot_image im;
	int rc = -1;

	CHECK(image_init(&im, MLK_DEPOT_GEN_6_1) == 0, "image setup");
	rc = expect_error(&im, make_handle(&im.layout, NPOOLS, 0x40, 0),
			  "out of range", why, whysz);
	if (rc == 0)
		rc = expect_error(&im, make_handle(&im.layout, 0xffff, 0, 0),
				  "out of range", why, whysz);
out:
	fake_mem_free(&im.mem);
	return rc;
}

static int test_depot_reject_null_pool(char *why, size_t whysz)
{
	struct depot_image im;
	int rc = -1;

	CHECK(image_init(&im, MLK_DEPOT_GEN_6_1) == 0, "image setup");
	/* pools[5] was never allocated. */
	rc = expect_error(&im, make_handle(&im.layout, 5, 0x40, 0), "NULL",
			  why, whysz);
out:
	fake_mem_free(&im.mem);
	return rc;
}

static int test_depot_reject_bad_pool_pointer(char *why, size_t whysz)
{
	struct depot_image im;
	uint32_t handle;
	int rc = -1;

	CHECK(image_init(&im, MLK_DEPOT_GEN_6_1) == 0, "image setup");
	handle = make_handle(&im.layout, 2, 0x40, 0);
	fake_put_u64(&im.mem, POOLS + 16, POOL0 + 4);
	if (expect_error(&im, handle, "misaligned", why, whysz) < 0)
		goto out;
	fake_put_u64(&im.mem, POOLS + 16, 0xfffffffffffffff0ULL);
	if (expect_error(&im, make_handle(&im.layout, 2, 0x3ff0, 0),
			 "beyond the pool", why, whysz) < 0)
		goto out;
	im.layout.pool_size = 0; /* unknown: the overflow check remains */
	if (expect_error(&im, make_handle(&im.layout, 2, 0x3ff0, 0),
			 "overflows", why, whysz) < 0)
		goto out;
	rc = 0;
out:
	fake_mem_free(&im.mem);
	return rc;
}

static int test_depot_reject_offset_beyond_pool(char *why, size_t whysz)
{
	struct depot_image im;
	uint32_t handle;
	int rc = -1;

	CHECK(image_init(&im, MLK_DEPOT_GEN_6_1) == 0, "image setup");
	/* The header itself would cross the end of the 16 KiB pool. */
	handle = make_handle(&im.layout, 1, 0x3ff0, 0);
	if (expect_error(&im, handle, "beyond the pool", why, whysz) < 0)
		goto out;
	/* The header fits, its eight entries do not. */
	handle = make_handle(&im.layout, 1, 0x3fc0, 0);
	write_record(&im, POOL1 + 0x3fc0, handle, frames5, 3);
	fake_put_u32(&im.mem, POOL1 + 0x3fc0 + 12, 8);
	rc = expect_error(&im, handle, "past the end", why, whysz);
out:
	fake_mem_free(&im.mem);
	return rc;
}

static int test_depot_reject_absurd_size(char *why, size_t whysz)
{
	struct depot_image im;
	uint32_t handle;
	int rc = -1;

	CHECK(image_init(&im, MLK_DEPOT_GEN_6_1) == 0, "image setup");
	handle = make_handle(&im.layout, 0, 0x100, 0);
	write_record(&im, POOL0 + 0x100, handle, frames5, 5);
	fake_put_u32(&im.mem, POOL0 + 0x100 + 12, 65);
	if (expect_error(&im, handle, "absurd", why, whysz) < 0)
		goto out;
	fake_put_u32(&im.mem, POOL0 + 0x100 + 12, 0xffffffffu);
	if (expect_error(&im, handle, "absurd", why, whysz) < 0)
		goto out;
	fake_put_u32(&im.mem, POOL0 + 0x100 + 12, 0);
	rc = expect_error(&im, handle, "frame count is 0", why, whysz);
out:
	fake_mem_free(&im.mem);
	return rc;
}

static int test_depot_reject_handle_mismatch(char *why, size_t whysz)
{
	struct depot_image im;
	uint32_t handle;
	int rc = -1;

	CHECK(image_init(&im, MLK_DEPOT_GEN_6_1) == 0, "image setup");
	handle = make_handle(&im.layout, 1, 0x1230, 0);
	/* The record there claims another place: corrupt, or wrong layout. */
	write_record(&im, POOL1 + 0x1230, make_handle(&im.layout, 1, 0x1240, 0),
		     frames5, 5);
	rc = expect_error(&im, handle, "stored handle differs", why, whysz);
out:
	fake_mem_free(&im.mem);
	return rc;
}

/* A 6.9 dump decoded as if pool indexes were stored as they are. */
static int test_depot_reject_wrong_plus_one(char *why, size_t whysz)
{
	struct depot_image im;
	uint32_t handle;
	int rc = -1;

	CHECK(image_init(&im, MLK_DEPOT_GEN_6_9) == 0, "image setup");
	handle = make_handle(&im.layout, 0, 0x200, 0);
	write_record(&im, POOL0 + 0x200, handle, frames5, 5);
	/* Same offset in pool 1 holds another record. */
	write_record(&im, POOL1 + 0x200, make_handle(&im.layout, 1, 0x200, 0),
		     frames5, 5);
	im.layout.pool_plus_one = 0;
	rc = expect_error(&im, handle, "stored handle differs", why, whysz);
out:
	fake_mem_free(&im.mem);
	return rc;
}

static int test_depot_reject_freed_record(char *why, size_t whysz)
{
	struct depot_image im;
	uint32_t handle;
	int rc = -1;

	CHECK(image_init(&im, MLK_DEPOT_GEN_6_9) == 0, "image setup");
	handle = make_handle(&im.layout, 1, 0x80, 0);
	write_record(&im, POOL1 + 0x80, handle, frames5, 5);
	fake_put_u32(&im.mem, POOL1 + 0x80 + 28, 0); /* refcount_t count */
	rc = expect_error(&im, handle, "freed", why, whysz);
out:
	fake_mem_free(&im.mem);
	return rc;
}

static int test_depot_reject_unreadable(char *why, size_t whysz)
{
	struct depot_image im;
	struct mlk_depot_layout bad_pools;
	mlk_addr_t got[8];
	const char *err = NULL;
	int rc = -1;

	CHECK(image_init(&im, MLK_DEPOT_GEN_6_1) == 0, "image setup");
	fake_put_u64(&im.mem, POOLS + 24, UNMAPPED);
	if (expect_error(&im, make_handle(&im.layout, 3, 0x40, 0),
			 "cannot read the stack record", why, whysz) < 0)
		goto out;
	bad_pools = im.layout;
	bad_pools.pools_addr = UNMAPPED;
	CHECK(mlk_depot_fetch(&bad_pools, &im.src,
			      make_handle(&bad_pools, 0, 0x40, 0), got, 8,
			      &err) == -1 && err && strstr(err, "pools array"),
	      "unreadable pools array: %s", err ? err : "(none)");
	rc = 0;
out:
	fake_mem_free(&im.mem);
	return rc;
}

/* ---- truncation, layout checks, cache ------------------------------------ */

static int test_depot_truncate(char *why, size_t whysz)
{
	struct depot_image im;
	mlk_addr_t got[3] = { 0, 0, 0 };
	mlk_addr_t guard[2] = { 0x5a5a5a5a, 0x5a5a5a5a };
	uint32_t handle;
	const char *err = NULL;
	int n, rc = -1;

	CHECK(image_init(&im, MLK_DEPOT_GEN_6_1) == 0, "image setup");
	handle = make_handle(&im.layout, 1, 0x1230, 0);
	write_record(&im, POOL1 + 0x1230, handle, frames5, 5);
	n = mlk_depot_fetch(&im.layout, &im.src, handle, got, 3, &err);
	CHECK(n == 3, "max 3: got %d (%s)", n, err ? err : "");
	CHECK(got[0] == frames5[0] && got[2] == frames5[2], "wrong frames");
	n = mlk_depot_fetch(&im.layout, &im.src, handle, guard, 0, &err);
	CHECK(n == 0 && guard[0] == 0x5a5a5a5a, "max 0: got %d", n);
	n = mlk_depot_fetch(&im.layout, &im.src, handle, NULL, 0, &err);
	CHECK(n == 0, "max 0, no buffer: got %d", n);
	rc = 0;
out:
	fake_mem_free(&im.mem);
	return rc;
}

static int expect_bad_layout(const struct mlk_depot_layout *l,
			     const char *what, char *why, size_t whysz)
{
	const char *err = NULL;

	CHECK(mlk_depot_layout_check(l, &err) == -1 && err,
	      "%s: layout accepted", what);
	return 0;
out:
	return -1;
}

static int test_depot_layout_check(char *why, size_t whysz)
{
	struct mlk_depot_layout good, l;
	const char *err = NULL;

	CHECK(mlk_depot_layout_preset(&good, MLK_DEPOT_GEN_6_9, POOLS, 4) == 0,
	      "preset");
	CHECK(mlk_depot_layout_check(&good, &err) == 0, "preset rejected: %s",
	      err);
	CHECK(mlk_depot_layout_preset(&l, (enum mlk_depot_generation)99,
				      POOLS, 4) == -1, "unknown preset");
	l = good;
	l.offset.pos = 10; /* overlaps the pool index */
	if (expect_bad_layout(&l, "overlap", why, whysz) < 0)
		return -1;
	l = good;
	l.pool.width = 0;
	if (expect_bad_layout(&l, "no pool field", why, whysz) < 0)
		return -1;
	l = good;
	l.offset = (struct mlk_bitfield){ 30, 10 };
	if (expect_bad_layout(&l, "field past bit 31", why, whysz) < 0)
		return -1;
	l = good;
	l.rec_entries_off = 20; /* not word aligned */
	if (expect_bad_layout(&l, "entries misaligned", why, whysz) < 0)
		return -1;
	l = good;
	l.rec_count_off = 32; /* inside entries[] */
	if (expect_bad_layout(&l, "count after entries", why, whysz) < 0)
		return -1;
	l = good;
	l.pools_len = MLK_DEPOT_POOLS_LIMIT + 1;
	if (expect_bad_layout(&l, "pools_len", why, whysz) < 0)
		return -1;
	l = good;
	l.max_frames = 100000;
	return expect_bad_layout(&l, "max_frames", why, whysz);
out:
	return -1;
}

static int test_depot_cache(char *why, size_t whysz)
{
	struct depot_image im;
	struct mlk_depot *d = NULL;
	const struct mlk_depot_stats *st;
	mlk_addr_t got[16];
	uint32_t handle, other;
	const char *err = NULL;
	int rc = -1;

	CHECK(image_init(&im, MLK_DEPOT_GEN_6_1) == 0, "image setup");
	handle = make_handle(&im.layout, 1, 0x1230, 0);
	other = make_handle(&im.layout, 0, 0x40, 0);
	write_record(&im, POOL1 + 0x1230, handle, frames5, 5);
	write_record(&im, POOL0 + 0x40, other, frames5 + 1, 4);
	d = mlk_depot_new(&im.layout, &im.src, &err);
	CHECK(d, "mlk_depot_new: %s", err ? err : "");
	for (int i = 0; i < 10; i++) {
		int n = mlk_depot_lookup(d, handle, got, 16, &err);

		CHECK(n == 5 && got[4] == frames5[4], "lookup %d: %d (%s)", i,
		      n, err ? err : "");
	}
	st = mlk_depot_stats(d);
	/* Pools array once, then the record's header and entries once. */
	CHECK(st->reads == 3 && st->record_hits == 9,
	      "reads %llu, hits %llu", U64(st->reads),
	      U64(st->record_hits));
	/* Extra bits name the same record. */
	CHECK(mlk_depot_lookup(d, handle | 0x1fu << 27, got, 2, &err) == 2 &&
	      st->record_hits == 10, "extra bits missed the cache");
	CHECK(mlk_depot_lookup(d, other, got, 16, &err) == 4 &&
	      got[0] == frames5[1] && st->reads == 5, "other record");
	/* Errors are not cached and still reported. */
	CHECK(mlk_depot_lookup(d, 0, got, 16, &err) == -1 &&
	      strstr(err, "no stack"), "handle 0");
	CHECK(mlk_depot_lookup(d, make_handle(&im.layout, 5, 0, 0), got, 16,
			       &err) == -1 && strstr(err, "NULL"), "NULL pool");
	rc = 0;
out:
	mlk_depot_free(d);
	fake_mem_free(&im.mem);
	return rc;
}

/* An unreadable pools array is read pointer by pointer instead. */
static int test_depot_cache_unreadable_pools(char *why, size_t whysz)
{
	struct depot_image im;
	struct mlk_depot *d = NULL;
	mlk_addr_t got[16];
	uint32_t handle;
	const char *err = NULL;
	int rc = -1;

	CHECK(image_init(&im, MLK_DEPOT_GEN_6_1) == 0, "image setup");
	im.layout.pools_len = 4096; /* runs past the fake .bss region */
	handle = make_handle(&im.layout, 1, 0x1230, 0);
	write_record(&im, POOL1 + 0x1230, handle, frames5, 5);
	d = mlk_depot_new(&im.layout, &im.src, &err);
	CHECK(d, "mlk_depot_new: %s", err ? err : "");
	CHECK(mlk_depot_lookup(d, handle, got, 16, &err) == 5,
	      "lookup: %s", err ? err : "");
	CHECK(mlk_depot_lookup(d, make_handle(&im.layout, 100, 0, 0), got, 16,
			       &err) == -1 && strstr(err, "pools array"),
	      "pointer beyond the readable array: %s", err ? err : "(none)");
	rc = 0;
out:
	mlk_depot_free(d);
	fake_mem_free(&im.mem);
	return rc;
}

void run_stackdepot_tests(void)
{
	unit_run("depot_layout_4_6", test_depot_layout_4_6);
	unit_run("depot_layout_6_1", test_depot_layout_6_1);
	unit_run("depot_layout_6_3", test_depot_layout_6_3);
	unit_run("depot_layout_6_8", test_depot_layout_6_8);
	unit_run("depot_layout_6_9", test_depot_layout_6_9);
	unit_run("depot_reject_handle_zero", test_depot_reject_handle_zero);
	unit_run("depot_reject_valid_clear", test_depot_reject_valid_clear);
	unit_run("depot_reject_pool_range", test_depot_reject_pool_range);
	unit_run("depot_reject_null_pool", test_depot_reject_null_pool);
	unit_run("depot_reject_bad_pool_pointer",
		 test_depot_reject_bad_pool_pointer);
	unit_run("depot_reject_offset_beyond_pool",
		 test_depot_reject_offset_beyond_pool);
	unit_run("depot_reject_absurd_size", test_depot_reject_absurd_size);
	unit_run("depot_reject_handle_mismatch",
		 test_depot_reject_handle_mismatch);
	unit_run("depot_reject_wrong_plus_one",
		 test_depot_reject_wrong_plus_one);
	unit_run("depot_reject_freed_record", test_depot_reject_freed_record);
	unit_run("depot_reject_unreadable", test_depot_reject_unreadable);
	unit_run("depot_truncate", test_depot_truncate);
	unit_run("depot_layout_check", test_depot_layout_check);
	unit_run("depot_cache", test_depot_cache);
	unit_run("depot_cache_unreadable_pools",
		 test_depot_cache_unreadable_pools);
}
