/*
 * test_classify.c - direct and indirect leaks among the orphans of a scan.
 *
 * Each test builds a synthetic memory image (fixture.h: a root page like
 * kernel data, a heap in the direct map, some pages possibly unreadable),
 * runs a real scan over it and then classifies the orphans.
 */
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "engine.h"
#include "fake_mem.h"
#include "fixture.h"
#include "unit.h"

/* Reads the fake memory logs, for the tests that look at them. */
#define READ_LOG_SIZE 256

/* ---- the fixture: an image and the classification of its orphans ----- */

struct fixture {
	struct image img; /* one root page: the only root scanned */
	struct mlk_orphans o;
};

static int fixture_init(struct fixture *f, size_t heap_size)
{
	memset(f, 0, sizeof(*f));
	return image_init(&f->img, PAGE, heap_size, READ_LOG_SIZE);
}

static void fixture_free(struct fixture *f)
{
	mlk_orphans_free(&f->o);
	image_free(&f->img);
}

/* Scan with the whole root page as the only root, then classify. */
static int scan_and_classify(struct fixture *f)
{
	struct mlk_source src = fake_source(&f->img.mem);
	struct mlk_scan *sc;
	int rc = -1;

	if (image_ready(&f->img) != 0)
		return -1;
	sc = mlk_scan_new(f->img.ix, &src, NULL, NULL);
	if (sc && mlk_scan_root(sc, ROOT, PAGE) == 0 &&
	    mlk_scan_drain(sc) == 0 && mlk_scan_finish(sc))
		rc = mlk_classify_orphans(f->img.ix, &src, &f->o);
	mlk_scan_free(sc);
	return rc;
}

/* Index in the block index of the block at addr; SIZE_MAX if none. */
static size_t block_at(struct fixture *f, mlk_addr_t addr)
{
	struct mlk_block *b = mlk_index_lookup(f->img.ix, addr);

	return b ? (size_t)(b - mlk_index_at(f->img.ix, 0)) : SIZE_MAX;
}

/* Orphan index of the block at addr, or -1. */
static long orphan_at(struct fixture *f, mlk_addr_t addr)
{
	return mlk_orphans_find(&f->o, block_at(f, addr));
}

/* Start of the direct owner of the orphan at addr; 0 if not an orphan. */
static mlk_addr_t owner_of(struct fixture *f, mlk_addr_t addr)
{
	long i = orphan_at(f, addr);

	if (i < 0)
		return 0;
	return mlk_index_at(f->img.ix, f->o.block[f->o.owner[i]])->start;
}

static int is_direct(struct fixture *f, mlk_addr_t addr)
{
	return orphan_at(f, addr) >= 0 && owner_of(f, addr) == addr;
}

/* What the orphan at addr holds; UINT64_MAX if it is no orphan. */
static uint64_t held_blocks(struct fixture *f, mlk_addr_t addr)
{
	long i = orphan_at(f, addr);

	return i < 0 ? UINT64_MAX : f->o.held_blocks[i];
}

static uint64_t held_bytes(struct fixture *f, mlk_addr_t addr)
{
	long i = orphan_at(f, addr);

	return i < 0 ? UINT64_MAX : f->o.held_bytes[i];
}

/* ---- tests ------------------------------------------------------------ */

static int test_classify_no_orphans(char *why, size_t whysz)
{
	const mlk_addr_t a = HEAP, b = HEAP + 0x100;
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE) == 0, "setup failed");
	/* Nothing tracked at all. */
	CHECK(scan_and_classify(&f) == 0, "classify of an empty index failed");
	CHECK(f.o.count == 0 && f.o.direct == 0 && f.o.edges == 0,
	      "empty index: %zu orphans", f.o.count);
	fixture_free(&f);

	CHECK(fixture_init(&f, PAGE) == 0, "setup failed");
	add_block(&f.img, a, 64);
	add_block(&f.img, b, 64);
	put(&f.img, ROOT, a);
	put(&f.img, a + 8, b);
	put(&f.img, b, a);
	CHECK(scan_and_classify(&f) == 0, "classify failed");
	CHECK(f.o.count == 0 && f.o.direct == 0 && f.o.edges == 0 &&
	      f.o.pages_unreadable == 0,
	      "count %zu direct %zu edges %llu", f.o.count, f.o.direct,
	      U64(f.o.edges));
	CHECK(orphan_at(&f, a) == -1 && orphan_at(&f, b) == -1,
	      "reachable block found as an orphan");
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

static int test_classify_single_leak(char *why, size_t whysz)
{
	const mlk_addr_t a = HEAP, l = HEAP + 0x100;
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE) == 0, "setup failed");
	add_block(&f.img, a, 64);
	add_block(&f.img, l, 96);
	put(&f.img, ROOT, a);
	put(&f.img, l, a); /* the leak points to a reachable block: no edge */
	CHECK(scan_and_classify(&f) == 0, "classify failed");
	CHECK(f.o.count == 1 && f.o.direct == 1, "count %zu direct %zu",
	      f.o.count, f.o.direct);
	CHECK(f.o.block[0] == block_at(&f, l), "orphan is block %zu",
	      f.o.block[0]);
	CHECK(is_direct(&f, l), "leak not direct");
	CHECK(held_blocks(&f, l) == 0 && held_bytes(&f, l) == 0,
	      "holds %llu blocks %llu bytes", U64(held_blocks(&f, l)),
	      U64(held_bytes(&f, l)));
	CHECK(f.o.edges == 0, "edges %llu", U64(f.o.edges));
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

/* A -> B -> C, nothing points to A; C has the lowest address. */
static int test_classify_leaked_chain(char *why, size_t whysz)
{
	const mlk_addr_t c = HEAP, a = HEAP + 0x100, b = HEAP + 0x200;
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE) == 0, "setup failed");
	add_block(&f.img, a, 64);
	add_block(&f.img, b, 128);
	add_block(&f.img, c, 32);
	put(&f.img, a + 0x10, b);
	put(&f.img, b + 0x78, c); /* B's last word */
	CHECK(scan_and_classify(&f) == 0, "classify failed");
	CHECK(f.o.count == 3 && f.o.direct == 1 && f.o.edges == 2,
	      "count %zu direct %zu edges %llu", f.o.count, f.o.direct,
	      U64(f.o.edges));
	CHECK(is_direct(&f, a), "A not direct");
	CHECK(owner_of(&f, b) == a && owner_of(&f, c) == a,
	      "owners of B %#llx and C %#llx, want A", U64(owner_of(&f, b)),
	      U64(owner_of(&f, c)));
	CHECK(held_blocks(&f, a) == 2 && held_bytes(&f, a) == 128 + 32,
	      "A holds %llu blocks %llu bytes, want 2 and 160",
	      U64(held_blocks(&f, a)), U64(held_bytes(&f, a)));
	CHECK(held_blocks(&f, b) == 0 && held_blocks(&f, c) == 0 &&
	      held_bytes(&f, b) == 0, "an indirect orphan holds something");
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

/* A <-> B, both leaked: the lower address is direct. */
static int test_classify_two_block_cycle(char *why, size_t whysz)
{
	const mlk_addr_t b = HEAP + 0x100, a = HEAP + 0x200;
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE) == 0, "setup failed");
	add_block(&f.img, a, 64);
	add_block(&f.img, b, 48);
	put(&f.img, a + 0x20, b);
	put(&f.img, b + 0x08, a);
	CHECK(scan_and_classify(&f) == 0, "classify failed");
	CHECK(f.o.count == 2 && f.o.direct == 1 && f.o.edges == 2,
	      "count %zu direct %zu edges %llu", f.o.count, f.o.direct,
	      U64(f.o.edges));
	CHECK(is_direct(&f, b), "lower block B not direct");
	CHECK(owner_of(&f, a) == b, "A owned by %#llx", U64(owner_of(&f, a)));
	CHECK(held_blocks(&f, b) == 1 && held_bytes(&f, b) == 64,
	      "B holds %llu blocks %llu bytes", U64(held_blocks(&f, b)),
	      U64(held_bytes(&f, b)));
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

/*
 * A <-> B, B -> T and B -> D <-> C, with T and C at lower addresses than
 * A: only the cycle nothing else points to (A, B) gets a direct orphan.
 */
static int test_classify_cycle_with_tail(char *why, size_t whysz)
{
	const mlk_addr_t t = HEAP + 0x100, c = HEAP + 0x180, a = HEAP + 0x200,
			 b = HEAP + 0x300, d = HEAP + 0x400;
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE) == 0, "setup failed");
	add_block(&f.img, t, 16);
	add_block(&f.img, c, 32);
	add_block(&f.img, a, 64);
	add_block(&f.img, b, 64);
	add_block(&f.img, d, 64);
	put(&f.img, a, b);
	put(&f.img, b, a);
	put(&f.img, b + 8, t);
	put(&f.img, b + 16, d);
	put(&f.img, d, c);
	put(&f.img, c, d);
	CHECK(scan_and_classify(&f) == 0, "classify failed");
	CHECK(f.o.count == 5 && f.o.edges == 6, "count %zu edges %llu",
	      f.o.count, U64(f.o.edges));
	CHECK(f.o.direct == 1, "direct %zu, want 1 (A)", f.o.direct);
	CHECK(is_direct(&f, a), "A not direct");
	CHECK(owner_of(&f, t) == a && owner_of(&f, c) == a &&
	      owner_of(&f, b) == a && owner_of(&f, d) == a,
	      "owners T %#llx C %#llx B %#llx D %#llx", U64(owner_of(&f, t)),
	      U64(owner_of(&f, c)), U64(owner_of(&f, b)),
	      U64(owner_of(&f, d)));
	CHECK(held_blocks(&f, a) == 4 && held_bytes(&f, a) == 16 + 32 + 64 + 64,
	      "A holds %llu blocks %llu bytes", U64(held_blocks(&f, a)),
	      U64(held_bytes(&f, a)));
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

/* A leaked doubly linked circular list of 5 nodes, out of address order. */
static int test_classify_circular_list(char *why, size_t whysz)
{
	const mlk_addr_t node[5] = { HEAP + 0x300, HEAP + 0x100, HEAP + 0x500,
				     HEAP + 0x200, HEAP + 0x400 };
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE) == 0, "setup failed");
	for (size_t i = 0; i < 5; i++) {
		add_block(&f.img, node[i], 64);
		put(&f.img, node[i] + 8, node[(i + 1) % 5]);       /* next */
		put(&f.img, node[i] + 16, node[(i + 4) % 5]);      /* prev */
	}
	CHECK(scan_and_classify(&f) == 0, "classify failed");
	CHECK(f.o.count == 5 && f.o.direct == 1 && f.o.edges == 10,
	      "count %zu direct %zu edges %llu", f.o.count, f.o.direct,
	      U64(f.o.edges));
	CHECK(is_direct(&f, HEAP + 0x100), "lowest node not direct");
	for (size_t i = 0; i < 5; i++)
		CHECK(owner_of(&f, node[i]) == HEAP + 0x100,
		      "node %zu owned by %#llx", i, U64(owner_of(&f, node[i])));
	CHECK(held_blocks(&f, HEAP + 0x100) == 4 &&
	      held_bytes(&f, HEAP + 0x100) == 4 * 64,
	      "holds %llu blocks %llu bytes", U64(held_blocks(&f, HEAP + 0x100)),
	      U64(held_bytes(&f, HEAP + 0x100)));
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

/*
 * A leaked singly linked list of `nodes` nodes of 32 bytes, shuffled in
 * memory; circular or not. Its head is order[0]'s node.
 */
static int build_leaked_list(struct fixture *f, size_t *order, size_t nodes,
			     int circular)
{
	const size_t node_size = 32;

	if (fixture_init(f, nodes * node_size) != 0)
		return -1;
	add_shuffled_list(&f->img, order, nodes, (uint32_t)node_size, circular);
	return 0;
}

static int test_classify_long_list(char *why, size_t whysz)
{
	const size_t nodes = 10000;
	size_t *order = malloc(nodes * sizeof(*order));
	struct fixture f;
	mlk_addr_t head;
	int rc = -1;

	memset(&f, 0, sizeof(f));
	CHECK(order, "out of memory");
	CHECK(build_leaked_list(&f, order, nodes, 0) == 0, "setup failed");
	head = HEAP + order[0] * 32;
	CHECK(order[0] != 0, "head at the lowest address: weak test");
	CHECK(scan_and_classify(&f) == 0, "classify failed");
	CHECK(f.o.count == nodes && f.o.direct == 1 && f.o.edges == nodes - 1,
	      "count %zu direct %zu edges %llu", f.o.count, f.o.direct,
	      U64(f.o.edges));
	CHECK(is_direct(&f, head), "list head not direct");
	CHECK(held_blocks(&f, head) == nodes - 1 &&
	      held_bytes(&f, head) == (nodes - 1) * 32,
	      "head holds %llu blocks %llu bytes", U64(held_blocks(&f, head)),
	      U64(held_bytes(&f, head)));
	for (size_t i = 0; i < nodes; i++)
		CHECK(owner_of(&f, HEAP + i * 32) == head,
		      "node at %#llx owned by %#llx", U64(HEAP + i * 32),
		      U64(owner_of(&f, HEAP + i * 32)));
	rc = 0;
out:
	free(order);
	fixture_free(&f);
	return rc;
}

/* 100,000 nodes in one cycle: a recursive search would be that deep. */
static int test_classify_long_circular_list(char *why, size_t whysz)
{
	const size_t nodes = 100000;
	size_t *order = malloc(nodes * sizeof(*order));
	struct fixture f;
	int rc = -1;

	memset(&f, 0, sizeof(f));
	CHECK(order, "out of memory");
	CHECK(build_leaked_list(&f, order, nodes, 1) == 0, "setup failed");
	CHECK(scan_and_classify(&f) == 0, "classify failed");
	CHECK(f.o.count == nodes && f.o.direct == 1 && f.o.edges == nodes,
	      "count %zu direct %zu edges %llu", f.o.count, f.o.direct,
	      U64(f.o.edges));
	CHECK(is_direct(&f, HEAP), "lowest node not direct");
	CHECK(held_blocks(&f, HEAP) == nodes - 1, "holds %llu blocks",
	      U64(held_blocks(&f, HEAP)));
	rc = 0;
out:
	free(order);
	fixture_free(&f);
	return rc;
}

/* D1 -> S <- D2: S is owned by the lower D1 and counted once. */
static int test_classify_shared_block(char *why, size_t whysz)
{
	const mlk_addr_t s = HEAP + 0x100, d1 = HEAP + 0x200, d2 = HEAP + 0x300;
	uint64_t held_total = 0;
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE) == 0, "setup failed");
	add_block(&f.img, s, 48);
	add_block(&f.img, d1, 64);
	add_block(&f.img, d2, 64);
	put(&f.img, d1 + 0x18, s);
	put(&f.img, d2, s + 0x10);
	CHECK(scan_and_classify(&f) == 0, "classify failed");
	CHECK(f.o.count == 3 && f.o.direct == 2 && f.o.edges == 2,
	      "count %zu direct %zu edges %llu", f.o.count, f.o.direct,
	      U64(f.o.edges));
	CHECK(is_direct(&f, d1) && is_direct(&f, d2), "D1 or D2 not direct");
	CHECK(owner_of(&f, s) == d1, "S owned by %#llx, want D1",
	      U64(owner_of(&f, s)));
	CHECK(held_blocks(&f, d1) == 1 && held_bytes(&f, d1) == 48,
	      "D1 holds %llu blocks %llu bytes", U64(held_blocks(&f, d1)),
	      U64(held_bytes(&f, d1)));
	CHECK(held_blocks(&f, d2) == 0, "D2 holds %llu blocks",
	      U64(held_blocks(&f, d2)));
	for (size_t i = 0; i < f.o.count; i++)
		held_total += f.o.held_blocks[i];
	CHECK(held_total == 1, "S counted %llu times", U64(held_total));
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

/* O -> X <- R <- root: X is reachable, so no orphan, so no edge. */
static int test_classify_reachable_not_orphan(char *why, size_t whysz)
{
	const mlk_addr_t o = HEAP, x = HEAP + 0x100, r = HEAP + 0x200;
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE) == 0, "setup failed");
	add_block(&f.img, o, 64);
	add_block(&f.img, x, 64);
	add_block(&f.img, r, 64);
	put(&f.img, ROOT + 0x100, r);
	put(&f.img, r + 0x30, x);
	put(&f.img, o + 0x30, x);
	CHECK(scan_and_classify(&f) == 0, "classify failed");
	CHECK(f.o.count == 1 && f.o.block[0] == block_at(&f, o),
	      "count %zu, want only O", f.o.count);
	CHECK(orphan_at(&f, x) == -1, "X, reachable through R, an orphan");
	CHECK(f.o.edges == 0 && held_blocks(&f, o) == 0,
	      "edges %llu, O holds %llu", U64(f.o.edges),
	      U64(held_blocks(&f, o)));
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

/* P -> O -> G (grey) and O -> I (ignored): only P -> O is an edge. */
static int test_classify_edge_to_grey_ignored(char *why, size_t whysz)
{
	const mlk_addr_t p = HEAP, o = HEAP + 0x100, g = HEAP + 0x200,
			 ig = HEAP + 0x300;
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE) == 0, "setup failed");
	add_block(&f.img, p, 64);
	add_block(&f.img, o, 64);
	add_block(&f.img, g, 64);
	add_block(&f.img, ig, 64);
	put(&f.img, ROOT, g);
	put(&f.img, p + 8, o);
	put(&f.img, o, g);
	put(&f.img, o + 8, ig + 8);
	CHECK(finish_index(&f.img) == 0, "finish failed");
	set_flags(&f.img, ig, MLK_F_IGNORE);
	CHECK(scan_and_classify(&f) == 0, "classify failed");
	CHECK(f.o.count == 2, "count %zu, want 2 (P, O)", f.o.count);
	CHECK(f.o.edges == 1, "edges %llu, want 1", U64(f.o.edges));
	CHECK(is_direct(&f, p) && owner_of(&f, o) == p, "P does not own O");
	CHECK(held_blocks(&f, p) == 1 && held_bytes(&f, p) == 64,
	      "P holds %llu blocks %llu bytes (G or I counted?)",
	      U64(held_blocks(&f, p)), U64(held_bytes(&f, p)));
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

/*
 * A's aligned word holds an unaligned pointer into the middle of B: an
 * edge. A pointer to C stored at an unaligned place in A is not seen.
 */
static int test_classify_interior_pointers(char *why, size_t whysz)
{
	const mlk_addr_t a = HEAP, b = HEAP + 0x100, c = HEAP + 0x200;
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE) == 0, "setup failed");
	add_block(&f.img, a, 128);
	add_block(&f.img, b, 64);
	add_block(&f.img, c, 64);
	put(&f.img, a + 0x30, b + 0x1b);
	put(&f.img, a + 0x44, c);
	CHECK(scan_and_classify(&f) == 0, "classify failed");
	CHECK(f.o.count == 3 && f.o.edges == 1, "count %zu edges %llu",
	      f.o.count, U64(f.o.edges));
	CHECK(owner_of(&f, b) == a, "B owned by %#llx, want A",
	      U64(owner_of(&f, b)));
	CHECK(is_direct(&f, c), "C reached through an unaligned word");
	CHECK(f.o.direct == 2, "direct %zu, want 2", f.o.direct);
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

/* Pointers into oneself make no edge; B -> A does. */
static int test_classify_self_pointer(char *why, size_t whysz)
{
	const mlk_addr_t a = HEAP, b = HEAP + 0x100;
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE) == 0, "setup failed");
	add_block(&f.img, a, 64);
	add_block(&f.img, b, 64);
	put(&f.img, a, a);
	put(&f.img, a + 8, a + 0x20);
	put(&f.img, b, b + 0x3f);
	put(&f.img, b + 0x10, a);
	CHECK(scan_and_classify(&f) == 0, "classify failed");
	CHECK(f.o.edges == 1, "edges %llu, want 1 (B -> A)", U64(f.o.edges));
	CHECK(f.o.direct == 1 && is_direct(&f, b), "direct %zu, want only B",
	      f.o.direct);
	CHECK(owner_of(&f, a) == b && held_blocks(&f, b) == 1,
	      "A owned by %#llx, B holds %llu", U64(owner_of(&f, a)),
	      U64(held_blocks(&f, b)));
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

/*
 * G spans two pages, the second unreadable: its pointer to H (first page)
 * is an edge, its pointer to K (second page) is not.
 */
static int test_classify_unreadable_page(char *why, size_t whysz)
{
	const mlk_addr_t g = HEAP + 0x2800; /* [0x2800, 0x3800) */
	const mlk_addr_t h = HEAP + 0x100, k = HEAP + 0x200;
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, 0x10000) == 0, "setup failed");
	add_block(&f.img, g, 0x1000);
	add_block(&f.img, h, 64);
	add_block(&f.img, k, 64);
	put(&f.img, g + 0x10, h);
	put(&f.img, g + 0xa00, k);
	make_unreadable(&f.img, HEAP + 0x3000);
	CHECK(scan_and_classify(&f) == 0, "classify failed");
	CHECK(f.o.pages_unreadable == 1, "pages_unreadable %llu, want 1",
	      U64(f.o.pages_unreadable));
	CHECK(fake_logged(&f.img.mem, g, 0x1000, 0), "G not read whole first");
	CHECK(fake_logged(&f.img.mem, g, 0x800, 1),
	      "G's first page not retried");
	CHECK(fake_logged(&f.img.mem, HEAP + 0x3000, 0x800, 0),
	      "G's bad page not tried alone");
	CHECK(f.o.edges == 1, "edges %llu, want 1", U64(f.o.edges));
	CHECK(owner_of(&f, h) == g, "H owned by %#llx", U64(owner_of(&f, h)));
	CHECK(is_direct(&f, k), "K, seen in an unreadable page, not direct");
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

/* A 2.5 MiB orphan read in chunks: edges found in each one. */
static int test_classify_large_orphan(char *why, size_t whysz)
{
	const size_t heap_size = 4 << 20;
	const mlk_addr_t big = HEAP + 0x80000; /* [0.5 MiB, 3 MiB) */
	const uint32_t big_size = 0x280000;
	const mlk_addr_t x = HEAP, y = HEAP + 0x100, z = HEAP + 0x200;
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, heap_size) == 0, "setup failed");
	add_block(&f.img, big, big_size);
	add_block(&f.img, x, 64);
	add_block(&f.img, y, 64);
	add_block(&f.img, z, 64);
	put(&f.img, HEAP + MLK_READ_CHUNK - 8, x);     /* last word, chunk 1 */
	put(&f.img, HEAP + MLK_READ_CHUNK, y);         /* first word, chunk 2 */
	put(&f.img, big + big_size - 8, z);            /* last word of BIG */
	CHECK(scan_and_classify(&f) == 0, "classify failed");
	CHECK(f.img.mem.longest_read <= MLK_READ_CHUNK, "read of %zu bytes",
	      f.img.mem.longest_read);
	CHECK(f.o.edges == 3 && f.o.direct == 1 && is_direct(&f, big),
	      "edges %llu direct %zu", U64(f.o.edges), f.o.direct);
	CHECK(held_blocks(&f, big) == 3, "BIG holds %llu blocks",
	      U64(held_blocks(&f, big)));
	CHECK(f.o.pages_unreadable == 0, "pages_unreadable %llu",
	      U64(f.o.pages_unreadable));
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

/* N (NOSCAN) -> B is not read: both direct. */
static int test_classify_noscan(char *why, size_t whysz)
{
	const mlk_addr_t b = HEAP + 0x100, n = HEAP + 0x400;
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE) == 0, "setup failed");
	add_block(&f.img, n, 64);
	add_block(&f.img, b, 64);
	put(&f.img, n + 8, b);
	CHECK(finish_index(&f.img) == 0, "finish failed");
	set_flags(&f.img, n, MLK_F_NOSCAN);
	CHECK(scan_and_classify(&f) == 0, "classify failed");
	CHECK(f.o.count == 2 && f.o.edges == 0 && f.o.direct == 2,
	      "count %zu edges %llu direct %zu", f.o.count, U64(f.o.edges),
	      f.o.direct);
	CHECK(is_direct(&f, b) && is_direct(&f, n), "B or N not direct");
	CHECK(!fake_was_read(&f.img.mem, n, 64), "NOSCAN orphan was read");
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

/* A points into B three times and into C once: two edges. */
static int test_classify_repeated_references(char *why, size_t whysz)
{
	const mlk_addr_t a = HEAP, b = HEAP + 0x100, c = HEAP + 0x200;
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE) == 0, "setup failed");
	add_block(&f.img, a, 64);
	add_block(&f.img, b, 64);
	add_block(&f.img, c, 32);
	put(&f.img, a, b);
	put(&f.img, a + 8, c);
	put(&f.img, a + 16, b + 8);
	put(&f.img, a + 24, b);
	CHECK(scan_and_classify(&f) == 0, "classify failed");
	CHECK(f.o.edges == 2, "edges %llu, want 2", U64(f.o.edges));
	CHECK(held_blocks(&f, a) == 2 && held_bytes(&f, a) == 64 + 32,
	      "A holds %llu blocks %llu bytes", U64(held_blocks(&f, a)),
	      U64(held_bytes(&f, a)));
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

static int test_classify_find(char *why, size_t whysz)
{
	const mlk_addr_t r = HEAP, o1 = HEAP + 0x100, s = HEAP + 0x200,
			 o2 = HEAP + 0x300;
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE) == 0, "setup failed");
	add_block(&f.img, r, 64);
	add_block(&f.img, o1, 64);
	add_block(&f.img, s, 64);
	add_block(&f.img, o2, 64);
	put(&f.img, ROOT, r);
	put(&f.img, r, s);
	CHECK(scan_and_classify(&f) == 0, "classify failed");
	CHECK(f.o.count == 2, "count %zu", f.o.count);
	CHECK(mlk_orphans_find(&f.o, block_at(&f, o1)) == 0 &&
	      mlk_orphans_find(&f.o, block_at(&f, o2)) == 1,
	      "orphans found at %ld and %ld, want 0 and 1",
	      mlk_orphans_find(&f.o, block_at(&f, o1)),
	      mlk_orphans_find(&f.o, block_at(&f, o2)));
	CHECK(mlk_orphans_find(&f.o, block_at(&f, r)) == -1 &&
	      mlk_orphans_find(&f.o, block_at(&f, s)) == -1,
	      "reachable block found");
	CHECK(mlk_orphans_find(&f.o, 4) == -1 &&
	      mlk_orphans_find(&f.o, SIZE_MAX) == -1,
	      "index past the end found");
	CHECK(mlk_orphans_find(NULL, 1) == -1, "NULL orphans accepted");
	mlk_orphans_free(&f.o);
	CHECK(f.o.count == 0 && !f.o.block &&
	      mlk_orphans_find(&f.o, block_at(&f, o1)) == -1,
	      "freed orphans not empty");
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

static int test_classify_bad_arguments(char *why, size_t whysz)
{
	struct mlk_source src = { fake_read, NULL };
	struct mlk_source no_read = { NULL, NULL };
	struct mlk_orphans o;
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE) == 0, "setup failed");
	CHECK(finish_index(&f.img) == 0, "finish failed");
	memset(&o, 0xa5, sizeof(o));
	CHECK(mlk_classify_orphans(NULL, &src, &o) == -1, "NULL index taken");
	CHECK(o.count == 0 && !o.block && !o.owner, "output not emptied");
	CHECK(mlk_classify_orphans(f.img.ix, NULL, &o) == -1,
	      "NULL source taken");
	CHECK(mlk_classify_orphans(f.img.ix, &no_read, &o) == -1,
	      "source without read() taken");
	CHECK(mlk_classify_orphans(f.img.ix, &src, NULL) == -1,
	      "NULL out taken");
	mlk_orphans_free(NULL);
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

void run_classify_tests(void)
{
	unit_run("classify_no_orphans", test_classify_no_orphans);
	unit_run("classify_single_leak", test_classify_single_leak);
	unit_run("classify_leaked_chain", test_classify_leaked_chain);
	unit_run("classify_two_block_cycle", test_classify_two_block_cycle);
	unit_run("classify_cycle_with_tail", test_classify_cycle_with_tail);
	unit_run("classify_circular_list", test_classify_circular_list);
	unit_run("classify_long_list", test_classify_long_list);
	unit_run("classify_long_circular_list",
		 test_classify_long_circular_list);
	unit_run("classify_shared_block", test_classify_shared_block);
	unit_run("classify_reachable_not_orphan",
		 test_classify_reachable_not_orphan);
	unit_run("classify_edge_to_grey_ignored",
		 test_classify_edge_to_grey_ignored);
	unit_run("classify_interior_pointers", test_classify_interior_pointers);
	unit_run("classify_self_pointer", test_classify_self_pointer);
	unit_run("classify_unreadable_page", test_classify_unreadable_page);
	unit_run("classify_large_orphan", test_classify_large_orphan);
	unit_run("classify_noscan", test_classify_noscan);
	unit_run("classify_repeated_references",
		 test_classify_repeated_references);
	unit_run("classify_find", test_classify_find);
	unit_run("classify_bad_arguments", test_classify_bad_arguments);
}
