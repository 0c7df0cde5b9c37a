/*
 * test_slub_decode.c - the free objects of SLUB slabs built by hand.
 *
 * A test slab is eight 64-byte objects behind a 16-byte red zone, its
 * bytes in a buffer as memleak reads them. Free pointers are written the
 * way mm/slub.c set_freepointer() stores them: in clear, or obfuscated
 * with the 5.7+ (swab) or the 4.14 - 5.6 (plain) hardened encoding.
 */
#include <string.h>

#include "slub_decode.h"
#include "unit.h"

#define SLAB_BASE 0xffff888005a3c000ULL
#define OBJECTS 8
#define SIZE 64
#define FP_OFFSET 24 /* s->offset: mid-object, as for most caches (5.7+) */
#define RED_LEFT_PAD 16
#define RANDOM 0x5d2f1e8a7c3b6049ULL
#define SPAN (RED_LEFT_PAD + OBJECTS * SIZE)

/* How set_freepointer() stores a pointer (mm/slub.c: freelist_ptr()). */
enum encoding { CLEAR, SWAB, PLAIN };

struct test_slab {
	struct mlk_slub_cache_desc cache;
	struct mlk_slub_slab_desc slab;
	enum encoding enc;
	unsigned char bytes[SPAN];
	unsigned char is_free[OBJECTS];
	uint64_t nfree;
};

/* A slab of OBJECTS objects, none allocated yet, free lists empty. */
static void slab_init(struct test_slab *t, enum encoding enc)
{
	memset(t, 0, sizeof(*t));
	t->cache = (struct mlk_slub_cache_desc){
		.size = SIZE, .offset = FP_OFFSET,
		.red_left_pad = RED_LEFT_PAD, .random = RANDOM,
		.hardened = enc != CLEAR,
	};
	t->slab = (struct mlk_slub_slab_desc){
		.base = SLAB_BASE, .objects = OBJECTS, .inuse = OBJECTS,
	};
	t->enc = enc;
	memset(t->bytes, 0x6b, sizeof(t->bytes)); /* POISON_FREE */
}

static mlk_addr_t obj(uint32_t i)
{
	return SLAB_BASE + RED_LEFT_PAD + (mlk_addr_t)i * SIZE;
}

static uint64_t encode(enum encoding enc, mlk_addr_t next, mlk_addr_t at)
{
	switch (enc) {
	case SWAB:
		return next ^ RANDOM ^ __builtin_bswap64(at);
	case PLAIN:
		return next ^ RANDOM ^ at;
	default:
		return next;
	}
}

/* Object i's free pointer := next (an address, or 0 to end the list). */
static void set_next(struct test_slab *t, uint32_t i, mlk_addr_t next)
{
	mlk_addr_t at = obj(i) + FP_OFFSET;

	put_u64(t->bytes, (long)(at - SLAB_BASE), encode(t->enc, next, at));
}

/* Chain objects idx[0] -> idx[1] -> ... -> NULL; returns the head. */
static mlk_addr_t chain(struct test_slab *t, const uint32_t *idx, size_t n)
{
	for (size_t k = 0; k < n; k++)
		set_next(t, idx[k], k + 1 < n ? obj(idx[k + 1]) : 0);
	return n ? obj(idx[0]) : 0;
}

static int walk(struct test_slab *t, mlk_addr_t head)
{
	return mlk_slub_mark_freelist(&t->cache, &t->slab, t->bytes, SPAN,
				      t->is_free, head, &t->nfree);
}

static int mark_free(struct test_slab *t)
{
	return mlk_slub_mark_free(&t->cache, &t->slab, t->bytes, SPAN,
				  t->is_free, &t->nfree);
}

/* is_free equals the objects named in want[] (n of them). */
static int expect_free(const struct test_slab *t, const uint32_t *want,
		       size_t n, char *why, size_t whysz)
{
	unsigned char expected[OBJECTS] = { 0 };

	for (size_t k = 0; k < n; k++)
		expected[want[k]] = 1;
	for (uint32_t i = 0; i < OBJECTS; i++)
		CHECK(t->is_free[i] == expected[i],
		      "object %u: free %u, want %u", i, t->is_free[i],
		      expected[i]);
	CHECK(t->nfree == n, "%llu free counted, want %zu", U64(t->nfree), n);
	return 0;
out:
	return -1;
}

/* ---- counters -------------------------------------------------------- */

static int test_slub_counters(char *why, size_t whysz)
{
	struct mlk_slab_counters_layout l;
	struct mlk_slab_counters c;
	const char *err = NULL;

	CHECK(mlk_slab_counters_preset(&l, MLK_SLAB_COUNTERS_GEN_3_1) == 0 &&
	      mlk_slab_counters_layout_check(&l, &err) == 0, "preset: %s",
	      err ? err : "unknown generation");
	/* frozen, 32 objects, 5 in use; the high half is not ours */
	mlk_slab_counters_decode(&l, 0xdeadbeef00000000ULL | 1u << 31 |
				 32u << 16 | 5, &c);
	CHECK(c.inuse == 5 && c.objects == 32 && c.frozen == 1,
	      "preset: inuse %u objects %u frozen %d", c.inuse, c.objects,
	      c.frozen);
	/* the widest values: objects:15 and inuse:16 */
	mlk_slab_counters_decode(&l, 0x7fffffffULL, &c);
	CHECK(c.inuse == 0xffff && c.objects == 0x7fff && c.frozen == 0,
	      "all ones: inuse %u objects %u frozen %d", c.inuse, c.objects,
	      c.frozen);
	/* a layout that moves the fields (as a later kernel may) */
	l = (struct mlk_slab_counters_layout){
		.inuse = { 32, 16 }, .objects = { 48, 15 }, .frozen = { 63, 1 },
	};
	CHECK(mlk_slab_counters_layout_check(&l, &err) == 0, "moved: %s", err);
	mlk_slab_counters_decode(&l, 7ULL << 32 | 9ULL << 48 | 0xffffffffULL,
				 &c);
	CHECK(c.inuse == 7 && c.objects == 9 && c.frozen == 0,
	      "moved: inuse %u objects %u frozen %d", c.inuse, c.objects,
	      c.frozen);
	/* no frozen bit at all */
	l.frozen = (struct mlk_bitfield){ 0, 0 };
	CHECK(mlk_slab_counters_layout_check(&l, &err) == 0, "no frozen: %s",
	      err);
	mlk_slab_counters_decode(&l, UINT64_MAX, &c);
	CHECK(c.frozen == 0 && c.objects == 0x7fff, "no frozen: frozen %d",
	      c.frozen);
	return 0;
out:
	return -1;
}

static int expect_bad_counters(struct mlk_slab_counters_layout l,
			       const char *what, char *why, size_t whysz)
{
	const char *err = NULL;

	CHECK(mlk_slab_counters_layout_check(&l, &err) == -1 && err,
	      "%s accepted", what);
	return 0;
out:
	return -1;
}

static int test_slub_counters_check(char *why, size_t whysz)
{
	struct mlk_slab_counters_layout good, l;
	const char *err = NULL;

	mlk_slab_counters_preset(&good, MLK_SLAB_COUNTERS_GEN_3_1);
	CHECK(mlk_slab_counters_preset(&l, 99) == -1, "unknown generation");
	CHECK(mlk_slab_counters_layout_check(NULL, &err) == -1, "no layout");
	l = good;
	l.objects.pos = 8;
	CHECK_OK(expect_bad_counters(l, "overlap", why, whysz));
	l = good;
	l.inuse.width = 0;
	CHECK_OK(expect_bad_counters(l, "no inuse", why, whysz));
	l = good;
	l.objects.width = 33;
	CHECK_OK(expect_bad_counters(l, "33-bit objects", why, whysz));
	l = good;
	l.frozen = (struct mlk_bitfield){ 63, 2 };
	CHECK_OK(expect_bad_counters(l, "past bit 63", why, whysz));
	return 0;
out:
	return -1;
}

/* ---- object index ---------------------------------------------------- */

static int test_slub_object_index(char *why, size_t whysz)
{
	struct test_slab t;

	slab_init(&t, CLEAR);
	CHECK(mlk_slub_slab_bytes(&t.cache, &t.slab) == OBJECTS * SIZE,
	      "slab bytes %llu", U64(mlk_slub_slab_bytes(&t.cache, &t.slab)));
	for (uint32_t i = 0; i < OBJECTS; i++) {
		CHECK(mlk_slub_object_addr(&t.cache, &t.slab, i) == obj(i),
		      "object %u at %#llx", i,
		      U64(mlk_slub_object_addr(&t.cache, &t.slab, i)));
		CHECK(mlk_slub_object_index(&t.cache, &t.slab, obj(i)) == i,
		      "index of object %u", i);
	}
	/* the red zone before object 0, and the slab's first byte */
	CHECK(mlk_slub_object_index(&t.cache, &t.slab, SLAB_BASE) == -1,
	      "slab base taken for an object");
	CHECK(mlk_slub_object_index(&t.cache, &t.slab, obj(0) - 1) == -1,
	      "red zone taken for an object");
	/* inside an object, and just past the last one */
	CHECK(mlk_slub_object_index(&t.cache, &t.slab, obj(3) + 8) == -1,
	      "mid-object address taken for an object");
	CHECK(mlk_slub_object_index(&t.cache, &t.slab, obj(OBJECTS)) == -1,
	      "the object past the last taken");
	CHECK(mlk_slub_object_index(&t.cache, &t.slab, 0) == -1, "NULL");
	CHECK(mlk_slub_object_index(&t.cache, &t.slab, UINT64_MAX) == -1,
	      "the top of the address space");
	/* no red zone: object 0 is the slab's first byte */
	t.cache.red_left_pad = 0;
	CHECK(mlk_slub_object_index(&t.cache, &t.slab, SLAB_BASE) == 0,
	      "object 0 without a red zone");
	/* a cache of size 0 (never valid) has no objects */
	t.cache.size = 0;
	CHECK(mlk_slub_object_index(&t.cache, &t.slab, SLAB_BASE) == -1,
	      "size 0");
	return 0;
out:
	return -1;
}

/* ---- free pointers --------------------------------------------------- */

/* 5.7+: ptr ^ s->random ^ swab(ptr_addr). */
static int test_slub_free_pointer_swab(char *why, size_t whysz)
{
	struct test_slab t;
	mlk_addr_t at = obj(2) + FP_OFFSET;

	slab_init(&t, SWAB);
	CHECK(mlk_slub_free_pointer(&t.cache, &t.slab,
				    encode(SWAB, obj(5), at), at) == obj(5),
	      "next object not decoded");
	CHECK(mlk_slub_free_pointer(&t.cache, &t.slab, encode(SWAB, 0, at),
				    at) == 0, "end of list not decoded");
	return 0;
out:
	return -1;
}

/* 4.14 - 5.6: ptr ^ s->random ^ ptr_addr; garbage decodes the 5.7+ way. */
static int test_slub_free_pointer_plain(char *why, size_t whysz)
{
	struct test_slab t;
	mlk_addr_t at = obj(2) + FP_OFFSET;
	uint64_t garbage = 0x6b6b6b6b6b6b6b6bULL;

	slab_init(&t, PLAIN);
	CHECK(mlk_slub_free_pointer(&t.cache, &t.slab,
				    encode(PLAIN, obj(7), at), at) == obj(7),
	      "next object not decoded");
	CHECK(mlk_slub_free_pointer(&t.cache, &t.slab, encode(PLAIN, 0, at),
				    at) == 0, "end of list not decoded");
	CHECK(mlk_slub_free_pointer(&t.cache, &t.slab, garbage, at) ==
	      (garbage ^ RANDOM ^ __builtin_bswap64(at)),
	      "a pointer landing nowhere is not the swabbed variant");
	return 0;
out:
	return -1;
}

/* Without CONFIG_SLAB_FREELIST_HARDENED pointers are stored in clear. */
static int test_slub_unhardened(char *why, size_t whysz)
{
	static const uint32_t order[] = { 6, 0, 3 };
	struct test_slab t;
	mlk_addr_t at = obj(1) + FP_OFFSET;

	slab_init(&t, CLEAR);
	CHECK(mlk_slub_free_pointer(&t.cache, &t.slab, obj(4), at) == obj(4),
	      "clear pointer changed");
	CHECK(mlk_slub_free_pointer(&t.cache, &t.slab, 12345, at) == 12345,
	      "wild clear pointer changed");
	t.slab.freelist = chain(&t, order, 3);
	t.slab.inuse = OBJECTS - 3;
	CHECK(mark_free(&t) == 0, "unhardened slab inconsistent");
	return expect_free(&t, order, 3, why, whysz);
out:
	return -1;
}

/* ---- freelist walks -------------------------------------------------- */

/* Both hardened encodings walk, the slab's list and the CPU's together. */
static int test_slub_freelists(char *why, size_t whysz)
{
	static const uint32_t slab_list[] = { 1, 4 };
	static const uint32_t cpu_list[] = { 7, 2, 5 };
	static const uint32_t all[] = { 1, 4, 7, 2, 5 };
	struct test_slab t;

	for (enum encoding enc = SWAB; enc <= PLAIN; enc++) {
		slab_init(&t, enc);
		t.slab.freelist = chain(&t, slab_list, 2);
		t.slab.cpu_freelist = chain(&t, cpu_list, 3);
		t.slab.inuse = OBJECTS; /* a CPU's slab: frees not counted */
		CHECK(mark_free(&t) == 0, "encoding %d: inconsistent", enc);
		CHECK_OK(expect_free(&t, all, 5, why, whysz));
	}
	return 0;
out:
	return -1;
}

static int test_slub_freelist_cycle(char *why, size_t whysz)
{
	static const uint32_t order[] = { 2, 5, 1 };
	struct test_slab t;
	mlk_addr_t head;

	slab_init(&t, SWAB);
	head = chain(&t, order, 3);
	set_next(&t, 1, obj(5)); /* 2 -> 5 -> 1 -> 5 */
	CHECK(walk(&t, head) == -1, "cycle not found");
	CHECK(t.nfree == 3 && t.is_free[2] && t.is_free[5] && t.is_free[1],
	      "marked before the cycle: %llu", U64(t.nfree));
	/* an object on both the slab's and the CPU's list is a cycle too */
	slab_init(&t, SWAB);
	t.slab.freelist = chain(&t, order, 3);
	t.slab.cpu_freelist = obj(5);
	CHECK(mark_free(&t) == -1, "object on two lists accepted");
	return 0;
out:
	return -1;
}

static int test_slub_freelist_wild(char *why, size_t whysz)
{
	static const uint32_t order[] = { 3, 6 };
	struct test_slab t;
	mlk_addr_t head;

	slab_init(&t, SWAB);
	head = chain(&t, order, 2);
	set_next(&t, 6, obj(6) + 8); /* inside object 6 */
	CHECK(walk(&t, head) == -1, "mid-object pointer accepted");
	CHECK(t.nfree == 2, "marked before the wild pointer: %llu",
	      U64(t.nfree));
	/* a wild head: another slab's object */
	slab_init(&t, SWAB);
	CHECK(walk(&t, obj(0) + 0x1000) == -1, "foreign head accepted");
	CHECK(t.nfree == 0, "foreign head marked");
	/* pointer to the object after the last */
	slab_init(&t, SWAB);
	set_next(&t, 7, obj(OBJECTS));
	CHECK(walk(&t, obj(7)) == -1, "pointer past the last object accepted");
	return 0;
out:
	return -1;
}

/* The last object's free pointer ends exactly at the slab's end. */
static int test_slub_freelist_slab_end(char *why, size_t whysz)
{
	static const uint32_t order[] = { 7, 0 };
	struct test_slab t;
	mlk_addr_t at;

	slab_init(&t, SWAB);
	t.cache.offset = SIZE - 8;
	at = obj(7) + SIZE - 8;
	CHECK(at + 8 == SLAB_BASE + SPAN, "test setup: %#llx", U64(at));
	put_u64(t.bytes, (long)(at - SLAB_BASE), encode(SWAB, obj(0), at));
	put_u64(t.bytes, (long)(obj(0) + SIZE - 8 - SLAB_BASE),
		encode(SWAB, 0, obj(0) + SIZE - 8));
	CHECK(walk(&t, obj(7)) == 0, "pointer at the slab's end refused");
	return expect_free(&t, order, 2, why, whysz);
out:
	return -1;
}

/* A free pointer whose bytes run past what was read. */
static int test_slub_freelist_past_end(char *why, size_t whysz)
{
	struct test_slab t;

	slab_init(&t, SWAB);
	t.cache.offset = SIZE - 4; /* the last object's pointer is cut */
	CHECK(walk(&t, obj(7)) == -1, "pointer past the slab's end accepted");
	CHECK(t.nfree == 1 && t.is_free[7], "object 7 not marked");
	/* a span shorter than the slab (a caller's bound) cuts earlier */
	slab_init(&t, SWAB);
	CHECK(mlk_slub_mark_freelist(&t.cache, &t.slab, t.bytes,
				     obj(2) + FP_OFFSET + 7 - SLAB_BASE,
				     t.is_free, obj(2), &t.nfree) == -1,
	      "pointer past a short span accepted");
	return 0;
out:
	return -1;
}

/* ---- the free-count rule ---------------------------------------------- */

static int test_slub_free_count(char *why, size_t whysz)
{
	static const uint32_t order[] = { 0, 1 };
	struct test_slab t;

	slab_init(&t, SWAB);
	t.slab.freelist = chain(&t, order, 2);
	t.slab.inuse = OBJECTS - 2;
	CHECK(mark_free(&t) == 0 && t.nfree == 2, "exact count refused");
	/* inuse says three are free: a walk cut short */
	t.slab.inuse = OBJECTS - 3;
	CHECK(mark_free(&t) == -1, "too few free objects accepted");
	CHECK(!mlk_slub_free_count_ok(&t.slab, 2), "rule: 2 of 3 accepted");
	/* too many free is as wrong */
	t.slab.inuse = OBJECTS - 1;
	CHECK(mark_free(&t) == -1, "too many free objects accepted");
	/* a frozen slab: frees to its CPU are not counted in inuse */
	t.slab.inuse = OBJECTS;
	t.slab.frozen = 1;
	CHECK(mark_free(&t) == 0, "frozen slab refused");
	/* a CPU's slab with a lockless freelist, not frozen */
	t.slab.frozen = 0;
	t.slab.cpu_freelist = t.slab.freelist;
	t.slab.freelist = 0;
	CHECK(mark_free(&t) == 0 && t.nfree == 2, "CPU slab refused");
	/* a full slab on no CPU: nothing free */
	slab_init(&t, SWAB);
	CHECK(mark_free(&t) == 0 && t.nfree == 0, "full slab refused");
	t.slab.inuse = 0;
	CHECK(mark_free(&t) == -1, "empty counters, empty lists accepted");
	return 0;
out:
	return -1;
}

/*
 * Sheaf pointers against a slab: object starts of the same cache are
 * marked free once; another cache's pointer, an interior pointer, one
 * already on the freelist and a duplicate are damage; pointers outside
 * the slab wait for their own slab, or are skipped with it.
 */
static int test_sheaf_ptrs(char *why, size_t whysz)
{
	struct test_slab t;
	struct mlk_sheaf_ptrs p = { 0 };
	uint64_t nfree = 0, nwild = 0, twice;
	const uint32_t on_freelist[] = { 1 };
	int rc = 1;

	slab_init(&t, SWAB);
	t.slab.inuse = OBJECTS - 1;
	t.slab.freelist = chain(&t, on_freelist, 1);
	CHECK(mark_free(&t) == 0, "freelist of one object not accepted");
	CHECK(mlk_sheaf_ptrs_add(&p, obj(3), 7) == 0, "add");
	CHECK(mlk_sheaf_ptrs_add(&p, 0, 7) == 0 && p.n == 1, "NULL kept");
	CHECK(mlk_sheaf_ptrs_add(&p, obj(5), 7) == 0, "add");
	CHECK(mlk_sheaf_ptrs_add(&p, obj(3), 7) == 0, "add"); /* twice */
	CHECK(mlk_sheaf_ptrs_add(&p, obj(1), 7) == 0, "add"); /* freelist */
	CHECK(mlk_sheaf_ptrs_add(&p, obj(6) + 8, 7) == 0, "add"); /* inside */
	CHECK(mlk_sheaf_ptrs_add(&p, obj(7), 9) == 0, "add"); /* other cache */
	CHECK(mlk_sheaf_ptrs_add(&p, SLAB_BASE + 0x10000, 7) == 0, "add");
	CHECK(mlk_sheaf_ptrs_add(&p, SLAB_BASE - 0x1000, 7) == 0, "add");
	CHECK(!mlk_sheaf_ptrs_any(&p, SLAB_BASE, SLAB_BASE + SPAN),
	      "an unsorted set answered");
	twice = mlk_sheaf_ptrs_sort(&p);
	CHECK(twice == 1, "%llu duplicates, want 1", U64(twice));
	CHECK(mlk_sheaf_ptrs_any(&p, SLAB_BASE, SLAB_BASE + SPAN),
	      "no pointer found in the slab");
	mlk_sheaf_ptrs_mark(&p, &t.cache, &t.slab, 7, t.is_free, &nfree,
			    &nwild);
	CHECK(nfree == 2 && t.is_free[3] && t.is_free[5] && !t.is_free[7] &&
	      !t.is_free[6], "marked %llu free, want objects 3 and 5",
	      U64(nfree));
	CHECK(nwild == 3, "%llu wild, want 3 (freelist, interior, other "
	      "cache)", U64(nwild));
	CHECK(!mlk_sheaf_ptrs_any(&p, SLAB_BASE, SLAB_BASE + SPAN),
	      "pointers of the slab still pending after it was read");
	CHECK(mlk_sheaf_ptrs_skip(&p, SLAB_BASE + 0x10000,
				  SLAB_BASE + 0x11000) == 1, "skip");
	CHECK(mlk_sheaf_ptrs_count(&p, MLK_SHEAF_PENDING) == 1 &&
	      mlk_sheaf_ptrs_count(&p, MLK_SHEAF_FREE) == 2 &&
	      mlk_sheaf_ptrs_count(&p, MLK_SHEAF_WILD) == 4 &&
	      mlk_sheaf_ptrs_count(&p, MLK_SHEAF_SKIPPED) == 1,
	      "final states: pending %llu free %llu wild %llu skipped %llu",
	      U64(mlk_sheaf_ptrs_count(&p, MLK_SHEAF_PENDING)),
	      U64(mlk_sheaf_ptrs_count(&p, MLK_SHEAF_FREE)),
	      U64(mlk_sheaf_ptrs_count(&p, MLK_SHEAF_WILD)),
	      U64(mlk_sheaf_ptrs_count(&p, MLK_SHEAF_SKIPPED)));
	rc = 0;
out:
	mlk_sheaf_ptrs_free(&p);
	return rc;
}

/*
 * A tail page's compound_head / compound_info (include/linux/page-flags.h):
 * the head's address + 1, or since 7.1 with HVO and a power-of-two struct
 * page, a mask | 1 that the tail's own address is ANDed with.
 */
static int test_compound_head(char *why, size_t whysz)
{
	const mlk_addr_t head = 0xffffea0000a40000ULL; /* order 4, 64-byte pages */
	const mlk_addr_t tail = head + 5 * 64;
	mlk_addr_t got;

	got = mlk_compound_head_decode(tail, head | 1);
	CHECK(got == head, "pointer form: %#llx", U64(got));
	got = mlk_compound_head_decode(tail, ~((1ULL << (4 + 6)) - 1) | 1);
	CHECK(got == head, "mask form: %#llx", U64(got));
	got = mlk_compound_head_decode(tail, 0);
	CHECK(got == tail, "not a tail: %#llx", U64(got));
	got = mlk_compound_head_decode(head, ~((1ULL << (4 + 6)) - 1) | 1);
	CHECK(got == head, "mask form on the head: %#llx", U64(got));
	return 0;
out:
	return 1;
}

void run_slub_decode_tests(void)
{
	unit_run("slub_counters", test_slub_counters);
	unit_run("slub_counters_check", test_slub_counters_check);
	unit_run("slub_object_index", test_slub_object_index);
	unit_run("slub_free_pointer_swab", test_slub_free_pointer_swab);
	unit_run("slub_free_pointer_plain", test_slub_free_pointer_plain);
	unit_run("slub_unhardened", test_slub_unhardened);
	unit_run("slub_freelists", test_slub_freelists);
	unit_run("slub_freelist_cycle", test_slub_freelist_cycle);
	unit_run("slub_freelist_wild", test_slub_freelist_wild);
	unit_run("slub_freelist_slab_end", test_slub_freelist_slab_end);
	unit_run("slub_freelist_past_end", test_slub_freelist_past_end);
	unit_run("slub_free_count", test_slub_free_count);
	unit_run("sheaf_ptrs", test_sheaf_ptrs);
	unit_run("compound_head", test_compound_head);
}
