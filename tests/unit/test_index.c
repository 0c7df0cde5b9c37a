/*
 * test_index.c - the block index: building, overlaps, lookups.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "unit.h"

/* A source that can read nothing: enough for scans that read no memory. */
static int read_nothing(void *ctx, mlk_addr_t addr, void *buf, size_t len)
{
	(void)ctx;
	(void)addr;
	(void)buf;
	(void)len;
	return -1;
}

static const struct mlk_source no_memory = { read_nothing, NULL };

/* Duplicates as seen by a scan: the count travels from index to stats. */
static uint64_t duplicates_seen_by_scan(struct mlk_index *ix)
{
	struct mlk_scan *sc = mlk_scan_new(ix, &no_memory, NULL, NULL);
	uint64_t duplicates;

	if (!sc)
		return UINT64_MAX;
	duplicates = mlk_scan_finish(sc)->duplicates;
	mlk_scan_free(sc);
	return duplicates;
}

static int test_index_empty(char *why, size_t whysz)
{
	struct mlk_index *ix = mlk_index_new();
	int rc = -1;

	CHECK(ix, "mlk_index_new failed");
	CHECK(mlk_index_finish(ix) == 0, "finish failed");
	CHECK(mlk_index_count(ix) == 0, "count %zu", mlk_index_count(ix));
	CHECK(mlk_index_at(ix, 0) == NULL, "at(0) not NULL");
	CHECK(!mlk_index_lookup(ix, 0), "lookup(0) found something");
	CHECK(!mlk_index_lookup(ix, DIRECT_MAP), "lookup(direct map) found");
	CHECK(!mlk_index_lookup(ix, UINT64_MAX), "lookup(~0) found something");
	CHECK(mlk_index_memory(ix) > 0, "memory 0");
	CHECK(duplicates_seen_by_scan(ix) == 0, "duplicates in empty index");
	rc = 0;
out:
	mlk_index_free(ix);
	return rc;
}

static int expect_lookup(struct mlk_index *ix, mlk_addr_t addr,
			 mlk_addr_t want_start, char *why, size_t whysz)
{
	struct mlk_block *b = mlk_index_lookup(ix, addr);

	if (want_start == 0 && b) {
		snprintf(why, whysz, "lookup(%#llx) found block %#llx",
			 (unsigned long long)addr, (unsigned long long)b->start);
		return -1;
	}
	if (want_start != 0 && (!b || b->start != want_start)) {
		snprintf(why, whysz, "lookup(%#llx): want block %#llx, got %#llx",
			 (unsigned long long)addr,
			 (unsigned long long)want_start,
			 b ? (unsigned long long)b->start : 0ULL);
		return -1;
	}
	return 0;
}

/* A [0x100,0x140), gap, B [0x200,0x280), C [0x280,0x290) right after B. */
static int test_index_lookup_edges(char *why, size_t whysz)
{
	const mlk_addr_t a = DIRECT_MAP + 0x100, b = DIRECT_MAP + 0x200,
			 c = DIRECT_MAP + 0x280;
	struct mlk_index *ix = mlk_index_new();
	struct mlk_block *found;
	int rc = -1;

	CHECK(ix, "mlk_index_new failed");
	/* Added out of order on purpose. */
	CHECK(mlk_index_add(ix, c, 0x10, MLK_KIND_PAGES, 3, 1) == 0, "add C");
	CHECK(mlk_index_add(ix, a, 0x40, MLK_KIND_SLAB, 1, 1) == 0, "add A");
	CHECK(mlk_index_add(ix, b, 0x80, MLK_KIND_VMALLOC, 2, 5) == 0, "add B");
	CHECK(mlk_index_finish(ix) == 0, "finish failed");
	CHECK(mlk_index_count(ix) == 3, "count %zu", mlk_index_count(ix));

	const struct { mlk_addr_t addr, want; } cases[] = {
		{ a, a },              /* first byte */
		{ a + 0x3f, a },       /* last byte */
		{ a + 0x17, a },       /* interior, unaligned */
		{ a + 0x40, 0 },       /* one past the end, in a gap */
		{ a - 1, 0 },          /* just below the lowest block */
		{ b - 1, 0 },          /* gap just before B */
		{ DIRECT_MAP + 0x180, 0 }, /* middle of the gap */
		{ b, b },
		{ b + 0x7f, b },
		{ b + 0x80, c },       /* one past B is C's first byte */
		{ c + 0xf, c },
		{ c + 0x10, 0 },       /* one past the highest end */
		{ 0, 0 },
		{ 0x1000, 0 },
		{ UINT64_MAX, 0 },
		{ VMALLOC, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (expect_lookup(ix, cases[i].addr, cases[i].want, why, whysz))
			goto out;

	found = mlk_index_lookup(ix, b + 1);
	CHECK(found && found->size == 0x80 && found->tag == 2 &&
	      found->kind == MLK_KIND_VMALLOC && found->min_count == 5 &&
	      found->count == 0 && found->flags == 0,
	      "block B fields not kept");
	CHECK(mlk_index_at(ix, 0)->start == a && mlk_index_at(ix, 1)->start == b &&
	      mlk_index_at(ix, 2)->start == c, "index not sorted");
	CHECK(mlk_index_at(ix, 3) == NULL, "at(count) not NULL");
	rc = 0;
out:
	mlk_index_free(ix);
	return rc;
}

/*
 * X [x, x+0x100) is kept; Y (over X's end), Z (same start, smaller) and W
 * (inside X) are dropped; V, right after X, is kept. Then P [y, y+0x20) is
 * kept, Q [y+0x10, y+0x30) dropped and R [y+0x20, y+0x40) kept: overlaps
 * are judged against the blocks kept, not against dropped ones.
 */
static int test_index_overlaps_dropped(char *why, size_t whysz)
{
	const mlk_addr_t x = DIRECT_MAP + 0x1000, y = DIRECT_MAP + 0x3000;
	struct mlk_index *ix = mlk_index_new();
	int rc = -1;

	CHECK(ix, "mlk_index_new failed");
	CHECK(mlk_index_add(ix, x + 0x80, 0x100, 0, 11, 1) == 0, "add Y");
	CHECK(mlk_index_add(ix, x, 0x40, 0, 12, 1) == 0, "add Z");
	CHECK(mlk_index_add(ix, x, 0x100, 0, 10, 1) == 0, "add X");
	CHECK(mlk_index_add(ix, x + 0x10, 0x10, 0, 13, 1) == 0, "add W");
	CHECK(mlk_index_add(ix, x + 0x100, 0x20, 0, 14, 1) == 0, "add V");
	CHECK(mlk_index_add(ix, y + 0x20, 0x20, 0, 22, 1) == 0, "add R");
	CHECK(mlk_index_add(ix, y + 0x10, 0x20, 0, 21, 1) == 0, "add Q");
	CHECK(mlk_index_add(ix, y, 0x20, 0, 20, 1) == 0, "add P");
	CHECK(mlk_index_finish(ix) == 0, "finish failed");
	CHECK(mlk_index_count(ix) == 4, "count %zu, want 4 (X, V, P, R)",
	      mlk_index_count(ix));
	CHECK(duplicates_seen_by_scan(ix) == 4, "duplicates %llu, want 4",
	      (unsigned long long)duplicates_seen_by_scan(ix));

	const struct { mlk_addr_t addr; uint32_t want_tag; } cases[] = {
		{ x, 10 }, { x + 0x10, 10 }, { x + 0xff, 10 },
		{ x + 0x100, 14 }, { x + 0x11f, 14 },
		{ x + 0x120, 0 }, { x + 0x17f, 0 }, /* only Y held these */
		{ y + 0x1f, 20 }, { y + 0x20, 22 }, { y + 0x3f, 22 },
		{ y + 0x40, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mlk_block *b = mlk_index_lookup(ix, cases[i].addr);

		CHECK(cases[i].want_tag ? b && b->tag == cases[i].want_tag : !b,
		      "lookup(%#llx): want tag %u, got %s %u",
		      (unsigned long long)cases[i].addr, cases[i].want_tag,
		      b ? "tag" : "no block", b ? b->tag : 0);
	}
	rc = 0;
out:
	mlk_index_free(ix);
	return rc;
}

/*
 * Blocks added in address order are taken as they are; after a finish,
 * an add overlapping the last block, or one before it, makes the next
 * finish sort and drop again.
 */
static int test_index_in_order_then_not(char *why, size_t whysz)
{
	const mlk_addr_t x = DIRECT_MAP + 0x1000;
	struct mlk_index *ix = mlk_index_new();
	int rc = -1;

	CHECK(ix, "mlk_index_new failed");
	CHECK(mlk_index_add(ix, x, 0x40, 0, 1, 1) == 0, "add 1");
	CHECK(mlk_index_add(ix, x + 0x40, 0x40, 0, 2, 1) == 0, "add 2");
	CHECK(mlk_index_add(ix, x + 0x100, 0x40, 0, 3, 1) == 0, "add 3");
	CHECK(mlk_index_finish(ix) == 0, "finish failed");
	CHECK(mlk_index_count(ix) == 3, "count %zu, want 3",
	      mlk_index_count(ix));
	CHECK(mlk_index_lookup(ix, x + 0x7f)->tag == 2, "lookup 2");
	/* overlaps block 3, though it starts after it */
	CHECK(mlk_index_add(ix, x + 0x120, 0x40, 0, 4, 1) == 0, "add 4");
	CHECK(mlk_index_add(ix, x + 0x200, 0x40, 0, 5, 1) == 0, "add 5");
	CHECK(mlk_index_finish(ix) == 0, "finish failed");
	CHECK(mlk_index_count(ix) == 4, "count %zu, want 4",
	      mlk_index_count(ix));
	CHECK(duplicates_seen_by_scan(ix) == 1, "duplicates %llu, want 1",
	      (unsigned long long)duplicates_seen_by_scan(ix));
	CHECK(!mlk_index_lookup(ix, x + 0x150), "block 4 kept");
	/* before the others */
	CHECK(mlk_index_add(ix, x - 0x40, 0x40, 0, 6, 1) == 0, "add 6");
	CHECK(mlk_index_add(ix, x + 0x300, 0x40, 0, 7, 1) == 0, "add 7");
	CHECK(mlk_index_finish(ix) == 0, "finish failed");
	CHECK(mlk_index_count(ix) == 6, "count %zu, want 6",
	      mlk_index_count(ix));
	for (size_t i = 1; i < mlk_index_count(ix); i++)
		CHECK(mlk_index_at(ix, i - 1)->start < mlk_index_at(ix, i)->start,
		      "not sorted at %zu", i);
	CHECK(mlk_index_lookup(ix, x - 1)->tag == 6, "lookup 6");
	CHECK(mlk_index_lookup(ix, x + 0x33f)->tag == 7, "lookup 7");
	rc = 0;
out:
	mlk_index_free(ix);
	return rc;
}

/* Same start: the largest block is kept whatever the order of adds. */
static int test_index_same_start_keeps_largest(char *why, size_t whysz)
{
	const mlk_addr_t x = DIRECT_MAP + 0x2000;
	struct mlk_index *ix = mlk_index_new();
	struct mlk_block *found;
	int rc = -1;

	CHECK(ix, "mlk_index_new failed");
	CHECK(mlk_index_add(ix, x, 0x20, 0, 1, 1) == 0, "add small");
	CHECK(mlk_index_add(ix, x, 0x80, 0, 2, 1) == 0, "add large");
	CHECK(mlk_index_add(ix, x, 0x40, 0, 3, 1) == 0, "add medium");
	CHECK(mlk_index_finish(ix) == 0, "finish failed");
	CHECK(mlk_index_count(ix) == 1, "count %zu", mlk_index_count(ix));
	found = mlk_index_lookup(ix, x + 0x7f);
	CHECK(found && found->tag == 2 && found->size == 0x80,
	      "largest block not kept");
	CHECK(duplicates_seen_by_scan(ix) == 2, "duplicates not 2");
	rc = 0;
out:
	mlk_index_free(ix);
	return rc;
}

static int test_index_ignores_unusable_blocks(char *why, size_t whysz)
{
	const mlk_addr_t top_page = 0xfffffffffffff000ULL;
	struct mlk_index *ix = mlk_index_new();
	int rc = -1;

	CHECK(ix, "mlk_index_new failed");
	CHECK(mlk_index_add(ix, DIRECT_MAP, 0, 0, 0, 1) == 0, "add size 0");
	/* Would end at 2^64: not representable, ignored. */
	CHECK(mlk_index_add(ix, top_page, 0x1000, 0, 0, 1) == 0, "add top");
	CHECK(mlk_index_add(ix, top_page, 0xfff, 0, 0, 1) == 0, "add below top");
	CHECK(mlk_index_finish(ix) == 0, "finish failed");
	CHECK(mlk_index_count(ix) == 1, "count %zu, want 1",
	      mlk_index_count(ix));
	CHECK_OK(expect_lookup(ix, DIRECT_MAP, 0, why, whysz));
	CHECK_OK(expect_lookup(ix, UINT64_MAX - 1, top_page, why, whysz));
	CHECK_OK(expect_lookup(ix, UINT64_MAX, 0, why, whysz));
	rc = 0;
out:
	mlk_index_free(ix);
	return rc;
}

/* Adding after finish: lookups fail until the next finish, then work. */
static int test_index_add_after_finish(char *why, size_t whysz)
{
	struct mlk_index *ix = mlk_index_new();
	struct mlk_scan *sc = NULL;
	int rc = -1;

	CHECK(ix, "mlk_index_new failed");
	CHECK(mlk_index_add(ix, DIRECT_MAP + 0x100, 0x10, 0, 0, 1) == 0, "add");
	CHECK(mlk_index_finish(ix) == 0, "finish failed");
	CHECK(mlk_index_add(ix, DIRECT_MAP, 0x10, 0, 0, 1) == 0, "add 2");
	CHECK(!mlk_index_lookup(ix, DIRECT_MAP + 0x100),
	      "lookup works on an unfinished index");
	sc = mlk_scan_new(ix, &no_memory, NULL, NULL);
	CHECK(sc == NULL, "scan started on an unfinished index");
	CHECK(mlk_index_finish(ix) == 0, "finish 2 failed");
	CHECK_OK(expect_lookup(ix, DIRECT_MAP + 5, DIRECT_MAP, why, whysz));
	CHECK_OK(expect_lookup(ix, DIRECT_MAP + 0x10f, DIRECT_MAP + 0x100,
			       why, whysz));
	rc = 0;
out:
	mlk_scan_free(sc);
	mlk_index_free(ix);
	return rc;
}

/* ---- a million random blocks ------------------------------------------ */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng_next(void)
{
	/* xorshift64*: fixed seed, so every run checks the same cases. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static uint64_t rng_below(uint64_t n)
{
	return rng_next() % n;
}

struct ref_blocks {
	mlk_addr_t *start; /* ascending, disjoint */
	uint32_t *size;
	size_t count;
};

/*
 * Lay blocks out in three areas far apart (like the direct map, vmalloc
 * and modules), in ascending order, with gaps that are often 0 so that
 * many blocks touch their neighbour.
 */
static void make_reference_blocks(struct ref_blocks *ref)
{
	const mlk_addr_t area_base[] = { DIRECT_MAP, VMALLOC, MODULES };
	const size_t area_blocks[] = { ref->count * 6 / 10,
				       ref->count * 3 / 10, 0 };
	size_t i = 0;

	for (size_t area = 0; area < 3; area++) {
		mlk_addr_t pos = area_base[area] + rng_below(4096);
		size_t n = area < 2 ? area_blocks[area] : ref->count - i;

		for (size_t k = 0; k < n; k++, i++) {
			uint64_t r = rng_next();
			uint32_t size = (r & 0xff) == 0 ?
					(uint32_t)rng_below(1 << 20) + 1 :
					(uint32_t)rng_below(512) + 1;
			uint64_t gap = (r >> 8) & 3 ? rng_below(300) : 0;

			pos += gap;
			ref->start[i] = pos;
			ref->size[i] = size;
			pos += size;
		}
	}
}

/* Linear scan of the reference: the independent, obviously right answer. */
static size_t brute_force_find(const struct ref_blocks *ref, mlk_addr_t addr)
{
	for (size_t i = 0; i < ref->count; i++)
		if (addr >= ref->start[i] && addr - ref->start[i] < ref->size[i])
			return i;
	return SIZE_MAX;
}

static int check_found(struct mlk_index *ix, const struct ref_blocks *ref,
		       mlk_addr_t addr, size_t want, char *why, size_t whysz)
{
	struct mlk_block *got = mlk_index_lookup(ix, addr);
	int ok = want == SIZE_MAX ? got == NULL :
		 got && got->start == ref->start[want] &&
		 got->size == ref->size[want];

	if (!ok)
		snprintf(why, whysz, "lookup(%#llx): want %s%#llx, got %#llx",
			 (unsigned long long)addr,
			 want == SIZE_MAX ? "none " : "",
			 want == SIZE_MAX ? 0ULL :
			 (unsigned long long)ref->start[want],
			 got ? (unsigned long long)got->start : 0ULL);
	return ok ? 0 : -1;
}

/* Expected answers around block i, from the reference layout. */
static int check_edges_of(struct mlk_index *ix, const struct ref_blocks *ref,
			  size_t i, char *why, size_t whysz)
{
	mlk_addr_t start = ref->start[i], end = start + ref->size[i];
	size_t before = SIZE_MAX, after = SIZE_MAX;

	if (i > 0 && ref->start[i - 1] + ref->size[i - 1] == start)
		before = i - 1;
	if (i + 1 < ref->count && ref->start[i + 1] == end)
		after = i + 1;
	if (check_found(ix, ref, start, i, why, whysz) ||
	    check_found(ix, ref, end - 1, i, why, whysz) ||
	    check_found(ix, ref, start + rng_below(ref->size[i]), i, why,
			whysz) ||
	    check_found(ix, ref, start - 1, before, why, whysz) ||
	    check_found(ix, ref, end, after, why, whysz))
		return -1;
	return 0;
}

/*
 * Twelve areas, gaps of 1 to 4 GiB between them (more than the index makes
 * clusters of), some blocks touching across nothing: every block's edges
 * and the addresses in the gaps, against the linear scan.
 */
static int test_index_many_areas(char *why, size_t whysz)
{
	struct ref_blocks ref = { .count = 12 * 50 };
	struct mlk_index *ix = mlk_index_new();
	mlk_addr_t pos = DIRECT_MAP;
	int rc = -1;

	ref.start = malloc(ref.count * sizeof(*ref.start));
	ref.size = malloc(ref.count * sizeof(*ref.size));
	CHECK(ix && ref.start && ref.size, "out of memory");
	for (size_t i = 0; i < ref.count; i++) {
		if (i % 50 == 0 && i)
			pos += ((uint64_t)1 << 30) * (1 + rng_below(4)) +
			       rng_below(4096);
		ref.start[i] = pos;
		ref.size[i] = (uint32_t)rng_below(700) + 1;
		pos += ref.size[i] + (rng_below(2) ? rng_below(5000) : 0);
		CHECK(mlk_index_add(ix, ref.start[i], ref.size[i], 0,
				    (uint32_t)i, 1) == 0, "add failed");
	}
	CHECK(mlk_index_finish(ix) == 0, "finish failed");
	for (size_t i = 0; i < ref.count; i++) {
		mlk_addr_t gap = ref.start[i] - (1 + rng_below(1u << 31));

		if (check_edges_of(ix, &ref, i, why, whysz) ||
		    check_found(ix, &ref, gap, brute_force_find(&ref, gap), why,
				whysz))
			goto out;
	}
	rc = 0;
out:
	free(ref.start);
	free(ref.size);
	mlk_index_free(ix);
	return rc;
}

static int test_index_many_blocks(char *why, size_t whysz)
{
	struct ref_blocks ref = { .count = 1000000 };
	struct mlk_index *ix = mlk_index_new();
	size_t *order = NULL;
	int rc = -1;

	ref.start = malloc(ref.count * sizeof(*ref.start));
	ref.size = malloc(ref.count * sizeof(*ref.size));
	order = malloc(ref.count * sizeof(*order));
	CHECK(ix && ref.start && ref.size && order, "out of memory");
	make_reference_blocks(&ref);

	/* Add in a random order (Fisher-Yates shuffle). */
	for (size_t i = 0; i < ref.count; i++)
		order[i] = i;
	for (size_t i = ref.count - 1; i > 0; i--) {
		size_t j = rng_below(i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (size_t i = 0; i < ref.count; i++) {
		size_t k = order[i];

		CHECK(mlk_index_add(ix, ref.start[k], ref.size[k], 0,
				    (uint32_t)k, 1) == 0, "add %zu failed", i);
	}
	CHECK(mlk_index_finish(ix) == 0, "finish failed");
	CHECK(mlk_index_count(ix) == ref.count, "count %zu, want %zu",
	      mlk_index_count(ix), ref.count);
	for (size_t i = 0; i < ref.count; i++) {
		struct mlk_block *b = mlk_index_at(ix, i);

		CHECK(b->start == ref.start[i] && b->size == ref.size[i] &&
		      b->tag == i, "block %zu out of place after sorting", i);
	}

	CHECK(sizeof(struct mlk_block) == 24, "struct mlk_block is %zu bytes",
	      sizeof(struct mlk_block));
	size_t memory = mlk_index_memory(ix);
	CHECK(memory >= ref.count * 24 && memory <= ref.count * 28,
	      "index memory %zu bytes for %zu blocks", memory, ref.count);

	/* Edges and interior of a million random blocks. */
	for (size_t probe = 0; probe < ref.count; probe++)
		if (check_edges_of(ix, &ref, rng_below(ref.count), why, whysz))
			goto out;

	/* Random addresses near random blocks, against a linear scan. */
	for (int probe = 0; probe < 300; probe++) {
		size_t near = rng_below(ref.count);
		mlk_addr_t addr = ref.start[near] + rng_below(1 << 14) - (1 << 13);

		if (check_found(ix, &ref, addr, brute_force_find(&ref, addr), why,
				whysz))
			goto out;
	}
	/* Values outside every area: wild, below, between, above. */
	const mlk_addr_t outside[] = {
		0, 1, 0x7fffffffffffULL, DIRECT_MAP - 1, VMALLOC - 0x1000,
		MODULES - 1, UINT64_MAX, 0xffffea0000000000ULL,
	};
	for (size_t k = 0; k < sizeof(outside) / sizeof(outside[0]); k++)
		if (check_found(ix, &ref, outside[k],
				brute_force_find(&ref, outside[k]), why, whysz))
			goto out;
	CHECK(duplicates_seen_by_scan(ix) == 0, "duplicates in disjoint blocks");
	rc = 0;
out:
	free(ref.start);
	free(ref.size);
	free(order);
	mlk_index_free(ix);
	return rc;
}

/* ---- sorting and overlap resolution against libc's qsort ------------ */

struct ref_block {
	mlk_addr_t start;
	uint32_t size;
	uint32_t tag;
};

/* The documented order: start, then largest first, then tag. */
static int ref_order(const void *pa, const void *pb)
{
	const struct ref_block *a = pa, *b = pb;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	if (a->size != b->size)
		return a->size > b->size ? -1 : 1;
	return (a->tag > b->tag) - (a->tag < b->tag);
}

/* The blocks the index must keep: sorted, each after the last kept end. */
static size_t ref_keep(struct ref_block *v, size_t n)
{
	size_t kept = 0;

	qsort(v, n, sizeof(*v), ref_order);
	for (size_t i = 0; i < n; i++)
		if (kept == 0 || v[i].start >= v[kept - 1].start + v[kept - 1].size)
			v[kept++] = v[i];
	return kept;
}

enum sort_pattern {
	PATTERN_REVERSED,   /* descending, disjoint */
	PATTERN_SAWTOOTH,   /* ascending runs, like objects of shuffled slabs */
	PATTERN_SAME_START, /* every block at one address */
	PATTERN_CROWDED,    /* few distinct starts, heavy overlaps */
	PATTERN_LATE_HIGH,  /* in order, then a short shuffled tail above all */
	PATTERN_LATE_MIXED, /* in order, then a short tail falling in between,
			       overlapping and duplicating some blocks */
	PATTERN_COUNT
};

static void make_pattern(struct ref_block *v, size_t n, enum sort_pattern p)
{
	for (size_t i = 0; i < n; i++) {
		v[i].tag = (uint32_t)i;
		switch (p) {
		case PATTERN_REVERSED:
			v[i].start = DIRECT_MAP + (n - i) * 64;
			v[i].size = 64;
			break;
		case PATTERN_SAWTOOTH:
			v[i].start = DIRECT_MAP + (i % 97) * 4096 + (i / 97) * 32;
			v[i].size = 32;
			break;
		case PATTERN_SAME_START:
			v[i].start = DIRECT_MAP;
			v[i].size = (uint32_t)rng_below(5000) + 1;
			break;
		case PATTERN_LATE_HIGH:
		case PATTERN_LATE_MIXED:
			if (i < n - n / 20) {
				v[i].start = DIRECT_MAP + i * 64;
				v[i].size = 64;
			} else if (p == PATTERN_LATE_HIGH) {
				v[i].start = DIRECT_MAP + n * 64 + rng_below(1000) * 4096;
				v[i].size = 4096;
			} else {
				v[i].start = DIRECT_MAP + rng_below((uint32_t)n + 10) * 64 +
					     (rng_below(4) ? 0 : 32);
				v[i].size = rng_below(3) ? 64 : 200;
			}
			break;
		default:
			v[i].start = DIRECT_MAP + rng_below(50) * 64;
			v[i].size = (uint32_t)rng_below(200) + 1;
			break;
		}
	}
}

static int test_index_sort_patterns(char *why, size_t whysz)
{
	const size_t n = 20000;
	struct ref_block *ref = malloc(n * sizeof(*ref));
	struct mlk_index *ix = NULL;
	int rc = -1;

	CHECK(ref, "out of memory");
	for (int p = 0; p < PATTERN_COUNT; p++) {
		size_t kept;

		make_pattern(ref, n, (enum sort_pattern)p);
		ix = mlk_index_new();
		CHECK(ix, "mlk_index_new failed");
		for (size_t i = 0; i < n; i++)
			CHECK(mlk_index_add(ix, ref[i].start, ref[i].size, 0,
					    ref[i].tag, 1) == 0, "add failed");
		CHECK(mlk_index_finish(ix) == 0, "finish failed");
		kept = ref_keep(ref, n);
		CHECK(mlk_index_count(ix) == kept,
		      "pattern %d: %zu blocks kept, want %zu", p,
		      mlk_index_count(ix), kept);
		CHECK(duplicates_seen_by_scan(ix) == n - kept,
		      "pattern %d: duplicates not %zu", p, n - kept);
		for (size_t i = 0; i < kept; i++) {
			struct mlk_block *b = mlk_index_at(ix, i);

			CHECK(b->start == ref[i].start && b->size == ref[i].size &&
			      b->tag == ref[i].tag,
			      "pattern %d: block %zu is tag %u, want tag %u", p,
			      i, b->tag, ref[i].tag);
		}
		mlk_index_free(ix);
		ix = NULL;
	}
	rc = 0;
out:
	free(ref);
	mlk_index_free(ix);
	return rc;
}

void run_index_tests(void)
{
	unit_run("index_empty", test_index_empty);
	unit_run("index_lookup_edges", test_index_lookup_edges);
	unit_run("index_overlaps_dropped", test_index_overlaps_dropped);
	unit_run("index_in_order_then_not", test_index_in_order_then_not);
	unit_run("index_same_start_keeps_largest",
		 test_index_same_start_keeps_largest);
	unit_run("index_ignores_unusable_blocks",
		 test_index_ignores_unusable_blocks);
	unit_run("index_add_after_finish", test_index_add_after_finish);
	unit_run("index_sort_patterns", test_index_sort_patterns);
	unit_run("index_many_blocks", test_index_many_blocks);
	unit_run("index_many_areas", test_index_many_areas);
}
