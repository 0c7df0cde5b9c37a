/*
 * test_sweep.c - the scan reads blocks in address order, keeping the
 * references of white blocks for later: its verdicts, counts and figures
 * must be those of the plain work-list algorithm (kmemleak's).
 *
 * The hand-made cases put references against the address order (chains
 * pointing backwards, a min_count 2 block reached early and late, cycles,
 * per-cpu blocks and the watch hook behind the sweep); the random cases
 * compare every block and figure with a small reference scanner written
 * the plain way: a FIFO of grey blocks, each read word by word when its
 * turn comes.
 */
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "fake_mem.h"
#include "fixture.h"
#include "unit.h"

/* ---- the reference: the plain algorithm ------------------------------ */

struct ref_block {
	mlk_addr_t start;
	uint32_t size;
	uint16_t min_count;
	int noscan;
	uint32_t count;
	int grey;
	int unreadable;
};

struct ref_scan {
	struct fake_mem *mem;
	struct ref_block *b;
	size_t n;
	size_t *fifo;
	size_t head, tail;
	struct mlk_stats st;
};

/* The block holding value, or -1 (binary search on the sorted copy). */
static long ref_find(const struct ref_scan *r, mlk_addr_t value)
{
	size_t lo = 0, hi = r->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->b[mid].start <= value)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || value - r->b[lo - 1].start >= r->b[lo - 1].size)
		return -1;
	return (long)(lo - 1);
}

static void ref_grey(struct ref_scan *r, size_t i)
{
	r->b[i].grey = 1;
	if (!r->b[i].noscan)
		r->fifo[r->tail++] = i;
}

/* Unreadable pages of [addr, addr + len), read a page piece at a time. */
static uint64_t ref_bad_pages(struct ref_scan *r, mlk_addr_t addr,
			      uint64_t len)
{
	static unsigned char page[MLK_PAGE];
	uint64_t bad = 0, done = 0;

	while (done < len) {
		mlk_addr_t at = addr + done;
		uint64_t piece = MLK_PAGE - (at & (MLK_PAGE - 1));

		if (piece > len - done)
			piece = len - done;
		if (fake_read(r->mem, at, page, (size_t)piece) != 0)
			bad++;
		done += piece;
	}
	return bad;
}

/* Word by word; self is the block read, or -1 for a root. */
static uint64_t ref_read(struct ref_scan *r, mlk_addr_t addr, uint64_t len,
			 long self)
{
	mlk_addr_t w = addr + (-addr & 7);

	for (; w >= addr && w - addr + 8 <= len; w += 8) {
		uint64_t value;
		long t;

		if (fake_read(r->mem, w, &value, 8) != 0)
			continue;
		r->st.words_scanned++;
		t = ref_find(r, value);
		if (t < 0 || t == self)
			continue;
		r->st.refs_found++;
		r->b[t].count++;
		if (!r->b[t].grey && r->b[t].count >= r->b[t].min_count)
			ref_grey(r, (size_t)t);
	}
	return ref_bad_pages(r, addr, len);
}

static int ref_init(struct ref_scan *r, struct fake_mem *mem,
		    struct mlk_index *ix)
{
	memset(r, 0, sizeof(*r));
	r->mem = mem;
	r->n = mlk_index_count(ix);
	r->b = calloc(r->n + 1, sizeof(*r->b));
	r->fifo = calloc(r->n + 1, sizeof(*r->fifo));
	if (!r->b || !r->fifo)
		return -1;
	for (size_t i = 0; i < r->n; i++) {
		const struct mlk_block *b = mlk_index_at(ix, i);

		r->b[i].start = b->start;
		r->b[i].size = b->size;
		r->b[i].min_count = b->min_count;
		r->b[i].noscan = !!(b->flags & MLK_F_NOSCAN);
	}
	for (size_t i = 0; i < r->n; i++)
		if (r->b[i].min_count == 0)
			ref_grey(r, i);
	return 0;
}

static void ref_drain(struct ref_scan *r)
{
	while (r->head < r->tail) {
		size_t i = r->fifo[r->head++];
		uint64_t bad = ref_read(r, r->b[i].start, r->b[i].size,
					(long)i);

		r->st.block_bytes += r->b[i].size;
		r->st.pages_unreadable += bad;
		if (bad) {
			r->b[i].unreadable = 1;
			r->st.blocks_unreadable++;
		}
	}
}

static void ref_free(struct ref_scan *r)
{
	free(r->b);
	free(r->fifo);
}

/* Every block and figure of the engine's scan against the reference's. */
static int same_as_reference(struct mlk_index *ix, const struct mlk_stats *st,
			     const struct ref_scan *r, char *why,
			     size_t whysz)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct mlk_block *b = mlk_index_at(ix, i);
		const struct ref_block *e = &r->b[i];

		CHECK(!!(b->flags & MLK_F_GREY) == e->grey &&
		      b->count == e->count &&
		      !!(b->flags & MLK_F_UNREADABLE) == e->unreadable,
		      "block %zu at %#llx (size %u min %u%s): grey %d count %u "
		      "unreadable %d, want %d %u %d", i, U64(b->start), b->size,
		      b->min_count, e->noscan ? " noscan" : "",
		      !!(b->flags & MLK_F_GREY), b->count,
		      !!(b->flags & MLK_F_UNREADABLE), e->grey, e->count,
		      e->unreadable);
		CHECK(!(b->flags & MLK_F_GREY) || e->noscan ||
		      (b->flags & MLK_F_SCANNED), "grey block %zu not scanned",
		      i);
	}
	CHECK(st->words_scanned == r->st.words_scanned &&
	      st->refs_found == r->st.refs_found &&
	      st->block_bytes == r->st.block_bytes &&
	      st->pages_unreadable == r->st.pages_unreadable &&
	      st->blocks_unreadable == r->st.blocks_unreadable,
	      "figures: words %llu refs %llu bytes %llu pages %llu blocks %llu;"
	      " want %llu %llu %llu %llu %llu", U64(st->words_scanned),
	      U64(st->refs_found), U64(st->block_bytes),
	      U64(st->pages_unreadable), U64(st->blocks_unreadable),
	      U64(r->st.words_scanned), U64(r->st.refs_found),
	      U64(r->st.block_bytes), U64(r->st.pages_unreadable),
	      U64(r->st.blocks_unreadable));
	return 0;
out:
	return -1;
}

/*
 * Scan img with the engine (root: ROOT, root_len) and with the reference;
 * *reads gets the number of reads the engine made.
 */
static int compare_scans(struct image *img, uint64_t root_len,
			 unsigned long *reads, char *why, size_t whysz)
{
	struct mlk_source src = fake_source(&img->mem);
	struct mlk_scan *sc = NULL;
	struct ref_scan r = { 0 };
	const struct mlk_stats *st;
	int rc = -1;

	CHECK(image_ready(img) == 0, "setup failed");
	CHECK(ref_init(&r, &img->mem, img->ix) == 0, "out of memory");
	sc = mlk_scan_new(img->ix, &src, NULL, NULL);
	CHECK(sc, "scan_new failed");
	CHECK(mlk_scan_root(sc, ROOT, root_len) == 0 &&
	      mlk_scan_drain(sc) == 0, "scan failed");
	st = mlk_scan_finish(sc);
	*reads = img->mem.reads;
	r.st.pages_unreadable += ref_read(&r, ROOT, root_len, -1);
	ref_drain(&r);
	rc = same_as_reference(img->ix, st, &r, why, whysz);
	if (rc == 0 && st->root_bytes != root_len) {
		snprintf(why, whysz, "root_bytes %llu", U64(st->root_bytes));
		rc = -1;
	}
out:
	mlk_scan_free(sc);
	ref_free(&r);
	return rc;
}

/* ---- hand-made cases ------------------------------------------------- */

static int test_sweep_backward_chain(char *why, size_t whysz)
{
	const size_t nodes = 50;
	unsigned long reads;
	struct image img;
	int rc = -1;

	CHECK(image_init(&img, PAGE, 2 * PAGE, 0) == 0, "setup failed");
	for (size_t i = 0; i < nodes; i++)
		add_block(&img, HEAP + i * 64, 48);
	/* root -> last node -> the one before -> ... -> first */
	put(&img, ROOT, HEAP + (nodes - 1) * 64);
	for (size_t i = 1; i < nodes; i++)
		put(&img, HEAP + i * 64 + 16, HEAP + (i - 1) * 64 + 40);
	CHECK_OK(compare_scans(&img, PAGE, &reads, why, whysz));
	CHECK(reads == 2, "%lu reads, want 2 (root, heap)", reads);
	for (size_t i = 0; i < nodes; i++)
		CHECK(mlk_index_at(img.ix, i)->flags & MLK_F_GREY,
		      "node %zu white", i);
	rc = 0;
out:
	image_free(&img);
	return rc;
}

/*
 * M (min_count 2, lowest address) has one reference from the root and one
 * from X, which is white when the sweep reads it and turns grey only when
 * Y, further on, is read: M's second reference comes from the store, and
 * so do M's own (to Z, below it).
 */
static int test_sweep_min_count_early_and_late(char *why, size_t whysz)
{
	const mlk_addr_t z = HEAP, m = HEAP + 0x40, x = HEAP + 0x100,
			 y = HEAP + 0x200, n = HEAP + 0x300;
	unsigned long reads;
	struct image img;
	int rc = -1;

	CHECK(image_init(&img, PAGE, PAGE, 0) == 0, "setup failed");
	add_block(&img, z, 32);
	add_block_min_count(&img, m, 64, 2);
	add_block(&img, x, 64);
	add_block(&img, y, 64);
	add_block_min_count(&img, n, 64, 2); /* one reference only: white */
	put(&img, ROOT, m);
	put(&img, ROOT + 8, y);
	put(&img, ROOT + 16, n);
	put(&img, x, m + 8);
	put(&img, y + 8, x);
	put(&img, m + 16, z);
	put(&img, m + 24, n); /* from M: N's second reference */
	CHECK_OK(compare_scans(&img, PAGE, &reads, why, whysz));
	CHECK(mlk_index_lookup(img.ix, m)->count == 2 &&
	      (mlk_index_lookup(img.ix, m)->flags & MLK_F_GREY) &&
	      (mlk_index_lookup(img.ix, z)->flags & MLK_F_GREY) &&
	      (mlk_index_lookup(img.ix, n)->flags & MLK_F_GREY),
	      "M, Z or N not grey");
	CHECK(reads == 2, "%lu reads, want 2", reads);
	rc = 0;
out:
	image_free(&img);
	return rc;
}

/* Cycles: one reached late through a back reference, one unreachable. */
static int test_sweep_cycles(char *why, size_t whysz)
{
	const mlk_addr_t a = HEAP, b = HEAP + 0x100, c = HEAP + 0x200,
			 d = HEAP + 0x300, e = HEAP + 0x400;
	unsigned long reads;
	struct image img;
	int rc = -1;

	CHECK(image_init(&img, PAGE, PAGE, 0) == 0, "setup failed");
	add_block(&img, a, 64);
	add_block(&img, b, 64);
	add_block(&img, c, 64);
	add_block(&img, d, 64);
	add_block(&img, e, 64);
	put(&img, a, b);      /* A <-> B, reached from E */
	put(&img, b, a);
	put(&img, c, d);      /* C <-> D, unreachable */
	put(&img, d + 8, c);
	put(&img, e + 8, b);
	put(&img, ROOT, e);
	CHECK_OK(compare_scans(&img, PAGE, &reads, why, whysz));
	CHECK((mlk_index_lookup(img.ix, a)->flags & MLK_F_GREY) &&
	      !(mlk_index_lookup(img.ix, c)->flags & MLK_F_GREY) &&
	      !(mlk_index_lookup(img.ix, d)->flags & MLK_F_SCANNED),
	      "wrong colours");
	rc = 0;
out:
	image_free(&img);
	return rc;
}

/*
 * A white block's reference to a per-cpu block, counted from the store;
 * the per-cpu block's copy then reaches a block behind the sweep.
 */
#define PCPU_BASE 0xffff888000200000ULL

static int test_sweep_percpu_behind(char *why, size_t whysz)
{
	const mlk_addr_t p = 0x1000;
	const mlk_addr_t offsets[1] = { PCPU_BASE - 0x1000 };
	const mlk_addr_t w = HEAP, x = HEAP + 0x100, y = HEAP + 0x200;
	struct mlk_index *pix = mlk_index_new();
	struct mlk_source src;
	struct mlk_scan *sc = NULL;
	struct image img;
	int rc = -1;

	CHECK(image_init(&img, PAGE, PAGE, 0) == 0 && pix &&
	      fake_add_region(&img.mem, PCPU_BASE, PAGE) == 0,
	      "setup failed");
	CHECK(mlk_index_add(pix, p, 64, MLK_KIND_PERCPU, 0, 1) == 0 &&
	      mlk_index_finish(pix) == 0, "percpu index failed");
	add_block(&img, w, 64);
	add_block(&img, x, 64);
	add_block(&img, y, 64);
	put(&img, ROOT, y);
	put(&img, y, x);          /* back to X */
	put(&img, x + 8, p + 8);  /* X -> P, kept while X was white */
	put(&img, PCPU_BASE + 16, w); /* P's copy -> W, behind the sweep */
	CHECK(image_ready(&img) == 0, "setup failed");
	src = fake_source(&img.mem);
	sc = mlk_scan_new(img.ix, &src, NULL, NULL);
	CHECK(sc && mlk_scan_set_percpu(sc, pix, offsets, 1) == 0,
	      "scan setup failed");
	CHECK(mlk_scan_root(sc, ROOT, PAGE) == 0 && mlk_scan_drain(sc) == 0,
	      "scan failed");
	mlk_scan_finish(sc);
	CHECK(mlk_index_lookup(pix, p)->flags & MLK_F_SCANNED,
	      "P not scanned");
	CHECK((mlk_index_lookup(img.ix, w)->flags & MLK_F_GREY) &&
	      mlk_index_lookup(img.ix, w)->count == 1, "W not reached once");
	CHECK(img.mem.reads == 3, "%lu reads, want 3 (root, heap, P)",
	      img.mem.reads);
	rc = 0;
out:
	mlk_scan_free(sc);
	mlk_index_free(pix);
	image_free(&img);
	return rc;
}

/*
 * The watch hook hears of a reference kept while its block was white when
 * that block turns grey, and never of one from a block that stays white.
 */
static int test_sweep_watch_behind(char *why, size_t whysz)
{
	const mlk_addr_t t = HEAP, x = HEAP + 0x100, u = HEAP + 0x180,
			 y = HEAP + 0x200;
	struct watch_log log = { 0 };
	struct mlk_source src;
	struct mlk_scan *sc = NULL;
	struct image img;
	int rc = -1;

	CHECK(image_init(&img, PAGE, PAGE, 0) == 0, "setup failed");
	add_block(&img, t, 64);
	add_block(&img, x, 64);
	add_block(&img, u, 64);
	add_block(&img, y, 64);
	put(&img, ROOT, y);
	put(&img, y, x);
	put(&img, x + 0x18, t + 4); /* X -> T: reported */
	put(&img, u + 0x10, t);     /* U, unreachable -> T: not reported */
	CHECK(image_ready(&img) == 0, "setup failed");
	src = fake_source(&img.mem);
	sc = mlk_scan_new(img.ix, &src, NULL, NULL);
	CHECK(sc && mlk_scan_watch(sc, t, log_reference, &log) == 0,
	      "scan setup failed");
	CHECK(mlk_scan_root(sc, ROOT, PAGE) == 0 && mlk_scan_drain(sc) == 0,
	      "scan failed");
	CHECK(log.calls == 1 && log.where[0] == x + 0x18 && log.from[0] == x,
	      "%u reports, first at %#llx from %#llx", log.calls,
	      U64(log.where[0]), U64(log.from[0]));
	rc = 0;
out:
	mlk_scan_free(sc);
	image_free(&img);
	return rc;
}

/*
 * A block read while white over an unreadable page, reached later: its
 * unreadable page is counted then, once; a white neighbour in the same
 * page never is.
 */
static int test_sweep_unreadable_behind(char *why, size_t whysz)
{
	const mlk_addr_t g = HEAP + 0xf80;  /* [0xf80, 0x1080): 2 pages */
	const mlk_addr_t q = HEAP + 0x1100, y = HEAP + 0x2000;
	unsigned long reads;
	struct image img;
	int rc = -1;

	CHECK(image_init(&img, PAGE, 3 * PAGE, 0) == 0, "setup failed");
	add_block(&img, g, 0x100);
	add_block(&img, q, 64);
	add_block(&img, y, 64);
	put(&img, ROOT, y);
	put(&img, y + 8, g);
	make_unreadable(&img, HEAP + PAGE);
	CHECK_OK(compare_scans(&img, PAGE, &reads, why, whysz));
	CHECK(mlk_index_lookup(img.ix, g)->flags & MLK_F_UNREADABLE,
	      "G not unreadable");
	CHECK(!(mlk_index_lookup(img.ix, q)->flags & MLK_F_UNREADABLE),
	      "white Q flagged");
	rc = 0;
out:
	image_free(&img);
	return rc;
}

/* The scan's memory figure counts the edge store, which holds the edges. */
static int test_sweep_memory_figure(char *why, size_t whysz)
{
	const size_t nodes = 1000;
	struct mlk_source src;
	struct mlk_scan *sc = NULL;
	size_t store = 0, total;
	struct image img;
	int rc = -1;

	CHECK(image_init(&img, PAGE, nodes * 64, 0) == 0, "setup failed");
	for (size_t i = 0; i < nodes; i++)
		add_block(&img, HEAP + i * 64, 64);
	put(&img, ROOT, HEAP + (nodes - 1) * 64);
	for (size_t i = 1; i < nodes; i++)
		put(&img, HEAP + i * 64, HEAP + (i - 1) * 64);
	CHECK(image_ready(&img) == 0, "setup failed");
	src = fake_source(&img.mem);
	sc = mlk_scan_new(img.ix, &src, NULL, NULL);
	CHECK(sc && mlk_scan_root(sc, ROOT, 8) == 0 && mlk_scan_drain(sc) == 0,
	      "scan failed");
	total = mlk_scan_memory(sc, &store);
	/* offsets for every block, and at least one segment for 999 edges */
	CHECK(store >= (nodes + 1) * 4 + (nodes - 1) * 4 &&
	      total >= store + nodes * 4 + MLK_READ_CHUNK,
	      "scan memory %zu, edge store %zu", total, store);
	CHECK(mlk_scan_finish(sc)->grey == nodes, "not all grey");
	rc = 0;
out:
	mlk_scan_free(sc);
	image_free(&img);
	return rc;
}

/* ---- random images against the reference ----------------------------- */

static uint64_t rnd_state;

static uint32_t rnd(uint32_t n)
{
	rnd_state = rnd_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return n ? (uint32_t)((rnd_state >> 33) % n) : 0;
}

#define RAND_HEAP ((size_t)3 << 20)

/* Lay out blocks over the heap; returns how many. */
static size_t random_blocks(struct image *img, mlk_addr_t *start,
			    uint32_t *size, size_t max)
{
	mlk_addr_t at = HEAP + rnd(64) * 8;
	size_t n = 0;

	while (n < max) {
		uint32_t sz = rnd(100) == 0 ? (1u << 20) + rnd(1u << 16) * 8
					    : 8 + rnd(600);
		uint32_t r = rnd(100);
		uint16_t min = r < 3 ? 0 : r < 18 ? 2 : r < 20 ? 3 : 1;

		if (at + sz > HEAP + RAND_HEAP)
			break;
		add_block_min_count(img, at, sz, min);
		start[n] = at;
		size[n] = sz;
		n++;
		at += sz + (rnd(10) == 0 ? (1 + rnd(3)) * PAGE : rnd(9) * 8);
		if (rnd(8) == 0)
			at += 4; /* an unaligned start */
	}
	return n;
}

/* A pointer-like value: into a block (anywhere in it), or near one. */
static uint64_t random_value(const mlk_addr_t *start, const uint32_t *size,
			     size_t n)
{
	size_t t = rnd((uint32_t)n);
	uint32_t r = rnd(20);

	if (r == 0)
		return start[t] + size[t];   /* one past the end */
	if (r == 1)
		return rnd(1u << 30);        /* junk */
	return start[t] + rnd(size[t]);
}

static int random_case(unsigned seed, char *why, size_t whysz)
{
	const size_t max = 400;
	mlk_addr_t *start = calloc(max, sizeof(*start));
	uint32_t *size = calloc(max, sizeof(*size));
	unsigned long reads;
	char inner[512];
	struct image img;
	size_t n;
	int rc = -1;

	memset(&img, 0, sizeof(img));
	rnd_state = seed;
	CHECK(start && size && image_init(&img, PAGE, RAND_HEAP, 0) == 0,
	      "setup failed");
	n = random_blocks(&img, start, size, max);
	CHECK(n > 1, "no blocks");
	for (size_t i = 0; i < n; i++) {
		uint32_t words = rnd(4);

		for (uint32_t k = 0; k < words; k++) {
			mlk_addr_t at = start[i] + rnd(size[i]);

			at &= ~(mlk_addr_t)(rnd(4) == 0 ? 3 : 7);
			if (at >= start[i] && at + 8 <= start[i] + size[i])
				put(&img, at, random_value(start, size, n));
		}
	}
	for (uint32_t k = 1 + rnd(6); k > 0; k--)
		put(&img, ROOT + rnd(PAGE / 8) * 8,
		    random_value(start, size, n));
	for (uint32_t k = rnd(3); k > 0; k--)
		make_unreadable(&img, HEAP + rnd(RAND_HEAP / PAGE) * PAGE);
	CHECK(finish_index(&img) == 0, "finish failed");
	for (size_t i = 0; i < n; i++)
		if (rnd(30) == 0)
			set_flags(&img, start[i], MLK_F_NOSCAN);
	CHECK(compare_scans(&img, PAGE, &reads, inner, sizeof(inner)) == 0,
	      "seed %u (%zu blocks): %.400s", seed, n, inner);
	rc = 0;
out:
	free(start);
	free(size);
	image_free(&img);
	return rc;
}

static int test_sweep_random(char *why, size_t whysz)
{
	for (unsigned seed = 1; seed <= 150; seed++)
		if (random_case(seed, why, whysz) != 0)
			return -1;
	return 0;
}

void run_sweep_tests(void)
{
	unit_run("sweep_backward_chain", test_sweep_backward_chain);
	unit_run("sweep_min_count_early_and_late",
		 test_sweep_min_count_early_and_late);
	unit_run("sweep_cycles", test_sweep_cycles);
	unit_run("sweep_percpu_behind", test_sweep_percpu_behind);
	unit_run("sweep_watch_behind", test_sweep_watch_behind);
	unit_run("sweep_unreadable_behind", test_sweep_unreadable_behind);
	unit_run("sweep_memory_figure", test_sweep_memory_figure);
	unit_run("sweep_random", test_sweep_random);
}
