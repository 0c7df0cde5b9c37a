/*
 * test_scan.c - mark and scan on synthetic memory images.
 *
 * A fake memory source holds a few regions of bytes at kernel-like
 * addresses (a root area like kernel data, a heap in the direct map); some
 * pages can be made unreadable. It logs the reads the engine makes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

void unit_run(const char *name, int (*test)(char *why, size_t whysz));

/* On failure: say why and leave through the test's cleanup label. */
#define CHECK(cond, ...)                                                   \
	do {                                                               \
		if (!(cond)) {                                             \
			snprintf(why, whysz, __VA_ARGS__);                 \
			goto out;                                          \
		}                                                          \
	} while (0)

#define ROOT  0xffffffff82000000ULL /* like the kernel's .data */
#define HEAP  0xffff888000100000ULL /* direct map */
#define ZEROS 0xffffc90000000000ULL /* vmalloc-like area reading as zeros */

#define PAGE MLK_PAGE

/* ---- the fake memory source ------------------------------------------ */

#define FAKE_MAX_REGIONS 4
#define FAKE_MAX_BAD_PAGES 8
#define FAKE_LOG_MAX 4096

struct fake_region {
	mlk_addr_t addr;
	size_t size;
	unsigned char *bytes; /* NULL: the region reads as zeros */
};

struct fake_read {
	mlk_addr_t addr;
	size_t len;
	int ok;
};

struct fake_mem {
	struct fake_region region[FAKE_MAX_REGIONS];
	size_t nregions;
	mlk_addr_t bad_page[FAKE_MAX_BAD_PAGES];
	size_t nbad;
	size_t longest_read;
	struct fake_read log[FAKE_LOG_MAX]; /* the first reads */
	size_t nlog;
};

static int fake_add_region(struct fake_mem *m, mlk_addr_t addr, size_t size,
			   int backed)
{
	struct fake_region *r;

	if (m->nregions == FAKE_MAX_REGIONS)
		return -1;
	r = &m->region[m->nregions];
	r->addr = addr;
	r->size = size;
	r->bytes = NULL;
	if (backed) {
		r->bytes = calloc(1, size);
		if (!r->bytes)
			return -1;
	}
	m->nregions++;
	return 0;
}

static void fake_free(struct fake_mem *m)
{
	for (size_t i = 0; i < m->nregions; i++)
		free(m->region[i].bytes);
}

/* The region holding all of [addr, addr + len), or NULL. */
static struct fake_region *fake_region_of(struct fake_mem *m, mlk_addr_t addr,
					  size_t len)
{
	for (size_t i = 0; i < m->nregions; i++) {
		struct fake_region *r = &m->region[i];

		if (addr >= r->addr && len <= r->size &&
		    addr - r->addr <= r->size - len)
			return r;
	}
	return NULL;
}

static int fake_touches_bad_page(const struct fake_mem *m, mlk_addr_t addr,
				 size_t len)
{
	for (size_t i = 0; i < m->nbad; i++)
		if (m->bad_page[i] < addr + len && addr < m->bad_page[i] + PAGE)
			return 1;
	return 0;
}

static int fake_read(void *ctx, mlk_addr_t addr, void *buf, size_t len)
{
	struct fake_mem *m = ctx;
	struct fake_region *r = fake_region_of(m, addr, len);
	/* Over-long reads break the engine's contract: fail them loudly. */
	int ok = r && len > 0 && len <= MLK_READ_CHUNK &&
		 !fake_touches_bad_page(m, addr, len);

	if (len > m->longest_read)
		m->longest_read = len;
	if (m->nlog < FAKE_LOG_MAX)
		m->log[m->nlog++] = (struct fake_read){ addr, len, ok };
	if (!ok)
		return -1;
	if (r->bytes)
		memcpy(buf, r->bytes + (addr - r->addr), len);
	else
		memset(buf, 0, len);
	return 0;
}

static int fake_put64(struct fake_mem *m, mlk_addr_t addr, uint64_t value)
{
	struct fake_region *r = fake_region_of(m, addr, sizeof(value));

	if (!r || !r->bytes)
		return -1;
	memcpy(r->bytes + (addr - r->addr), &value, sizeof(value));
	return 0;
}

/* Did any read touch [addr, addr + len)? */
static int fake_was_read(const struct fake_mem *m, mlk_addr_t addr, size_t len)
{
	for (size_t i = 0; i < m->nlog; i++)
		if (m->log[i].addr < addr + len &&
		    addr < m->log[i].addr + m->log[i].len)
			return 1;
	return 0;
}

/* ---- the fixture: memory, index, scan --------------------------------- */

struct fixture {
	struct fake_mem mem;
	struct mlk_index *ix;
	struct mlk_scan *sc;
	int setup_failed;       /* a block or word could not be placed */
	int index_finished;
	unsigned progress_calls;
	unsigned abort_at_call; /* progress asks to stop at this call; 0 never */
	const struct mlk_stats *st;
};

static int fixture_init(struct fixture *f, size_t root_size, size_t heap_size)
{
	memset(f, 0, sizeof(*f));
	f->ix = mlk_index_new();
	if (!f->ix || fake_add_region(&f->mem, ROOT, root_size, 1) != 0 ||
	    fake_add_region(&f->mem, HEAP, heap_size, 1) != 0)
		return -1;
	return 0;
}

static void fixture_free(struct fixture *f)
{
	mlk_scan_free(f->sc);
	mlk_index_free(f->ix);
	fake_free(&f->mem);
}

static void add_block(struct fixture *f, mlk_addr_t addr, uint32_t size,
		      uint16_t min_count)
{
	if (mlk_index_add(f->ix, addr, size, MLK_KIND_SLAB, 0, min_count) != 0)
		f->setup_failed = 1;
}

static void put(struct fixture *f, mlk_addr_t addr, uint64_t value)
{
	if (fake_put64(&f->mem, addr, value) != 0)
		f->setup_failed = 1;
}

static void make_unreadable(struct fixture *f, mlk_addr_t page)
{
	if (f->mem.nbad == FAKE_MAX_BAD_PAGES)
		f->setup_failed = 1;
	else
		f->mem.bad_page[f->mem.nbad++] = page;
}

static int finish_index(struct fixture *f)
{
	if (f->setup_failed || mlk_index_finish(f->ix) != 0)
		return -1;
	f->index_finished = 1;
	return 0;
}

/* For flags that must be set between finishing the index and scanning. */
static void set_flags(struct fixture *f, mlk_addr_t addr, uint8_t flags)
{
	struct mlk_block *b = mlk_index_lookup(f->ix, addr);

	if (b)
		b->flags |= flags;
	else
		f->setup_failed = 1;
}

static int count_progress(void *ctx, const struct mlk_stats *st)
{
	struct fixture *f = ctx;

	f->progress_calls++;
	if (!st)
		return 1;
	return f->abort_at_call && f->progress_calls >= f->abort_at_call;
}

static int start_scan(struct fixture *f)
{
	struct mlk_source src = { fake_read, &f->mem };

	if (!f->index_finished && finish_index(f) != 0)
		return -1;
	if (f->setup_failed)
		return -1;
	f->sc = mlk_scan_new(f->ix, &src, count_progress, f);
	return f->sc ? 0 : -1;
}

/* The whole scan with one root range; -1 when any step fails. */
static int scan_with_root(struct fixture *f, mlk_addr_t root, uint64_t len)
{
	int rc = 0;

	if (start_scan(f) != 0)
		return -1;
	if (len && mlk_scan_root(f->sc, root, len) != 0)
		rc = -1;
	if (rc == 0 && mlk_scan_drain(f->sc) != 0)
		rc = -1;
	f->st = mlk_scan_finish(f->sc);
	return rc;
}

/* 'g' grey, 'w' white, '?' no such block. */
static char colour(struct fixture *f, mlk_addr_t addr)
{
	struct mlk_block *b = mlk_index_lookup(f->ix, addr);

	if (!b)
		return '?';
	return b->flags & MLK_F_GREY ? 'g' : 'w';
}

static int has_flags(struct fixture *f, mlk_addr_t addr, uint8_t flags)
{
	struct mlk_block *b = mlk_index_lookup(f->ix, addr);

	return b && (b->flags & flags) == flags;
}

static long ref_count(struct fixture *f, mlk_addr_t addr)
{
	struct mlk_block *b = mlk_index_lookup(f->ix, addr);

	return b ? (long)b->count : -1;
}

#define U64(x) ((unsigned long long)(x))

/* ---- tests ------------------------------------------------------------ */

static int test_scan_empty_index(char *why, size_t whysz)
{
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, 3 * PAGE, PAGE) == 0, "setup failed");
	/* Pointer-like values, but nothing is tracked. */
	put(&f, ROOT, HEAP);
	put(&f, ROOT + 8, HEAP + 0x10);
	CHECK(scan_with_root(&f, ROOT, 3 * PAGE) == 0, "scan failed");
	CHECK(f.st->blocks == 0 && f.st->orphans == 0 && f.st->grey == 0 &&
	      f.st->orphan_bytes == 0 && f.st->bytes_tracked == 0,
	      "blocks %llu orphans %llu grey %llu", U64(f.st->blocks),
	      U64(f.st->orphans), U64(f.st->grey));
	CHECK(f.st->refs_found == 0, "refs_found %llu", U64(f.st->refs_found));
	CHECK(f.st->words_scanned == 3 * PAGE / 8, "words_scanned %llu",
	      U64(f.st->words_scanned));
	CHECK(f.st->root_bytes == 3 * PAGE && f.st->root_ranges == 1,
	      "root_bytes %llu root_ranges %llu", U64(f.st->root_bytes),
	      U64(f.st->root_ranges));
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

/* root -> A -> B -> C, D unreferenced. */
static int test_scan_chain_reachable(char *why, size_t whysz)
{
	const mlk_addr_t a = HEAP, b = HEAP + 0x100, c = HEAP + 0x200,
			 d = HEAP + 0x300;
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE, PAGE) == 0, "setup failed");
	add_block(&f, a, 64, 1);
	add_block(&f, b, 64, 1);
	add_block(&f, c, 64, 1);
	add_block(&f, d, 64, 1);
	put(&f, ROOT + 0x10, a);
	put(&f, a + 8, b);
	put(&f, b + 0x38, c); /* B's last word */
	CHECK(scan_with_root(&f, ROOT, PAGE) == 0, "scan failed");
	CHECK(colour(&f, a) == 'g' && colour(&f, b) == 'g' &&
	      colour(&f, c) == 'g', "chain not all grey: %c %c %c",
	      colour(&f, a), colour(&f, b), colour(&f, c));
	CHECK(has_flags(&f, a, MLK_F_SCANNED) && has_flags(&f, b, MLK_F_SCANNED)
	      && has_flags(&f, c, MLK_F_SCANNED), "chain not all scanned");
	CHECK(colour(&f, d) == 'w', "D not white");
	CHECK(f.st->orphans == 1 && f.st->orphan_bytes == 64,
	      "orphans %llu (%llu bytes), want 1 (64)", U64(f.st->orphans),
	      U64(f.st->orphan_bytes));
	CHECK(f.st->grey == 3, "grey %llu", U64(f.st->grey));
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

/* A -> B -> C but nothing points to A: all three leak. */
static int test_scan_leaked_chain(char *why, size_t whysz)
{
	const mlk_addr_t a = HEAP, b = HEAP + 0x100, c = HEAP + 0x200,
			 d = HEAP + 0x300;
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE, PAGE) == 0, "setup failed");
	add_block(&f, a, 64, 1);
	add_block(&f, b, 128, 1);
	add_block(&f, c, 32, 1);
	add_block(&f, d, 16, 1);
	put(&f, a, b);
	put(&f, b + 0x40, c);
	put(&f, ROOT, 0x1234);          /* junk */
	put(&f, ROOT + 8, HEAP + 0x800); /* heap, but no block there */
	put(&f, ROOT + 16, d);
	CHECK(scan_with_root(&f, ROOT, PAGE) == 0, "scan failed");
	CHECK(colour(&f, a) == 'w' && colour(&f, b) == 'w' &&
	      colour(&f, c) == 'w', "leaked chain not white: %c %c %c",
	      colour(&f, a), colour(&f, b), colour(&f, c));
	CHECK(!has_flags(&f, a, MLK_F_SCANNED) && !has_flags(&f, b, MLK_F_SCANNED),
	      "white blocks were scanned");
	CHECK(colour(&f, d) == 'g', "D not grey");
	CHECK(f.st->orphans == 3 && f.st->orphan_bytes == 64 + 128 + 32,
	      "orphans %llu (%llu bytes), want 3 (224)", U64(f.st->orphans),
	      U64(f.st->orphan_bytes));
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

/* A <-> B, unreachable: a cycle is still garbage. */
static int test_scan_cycle_orphans(char *why, size_t whysz)
{
	const mlk_addr_t a = HEAP, b = HEAP + 0x100, c = HEAP + 0x200;
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE, PAGE) == 0, "setup failed");
	add_block(&f, a, 64, 1);
	add_block(&f, b, 64, 1);
	add_block(&f, c, 64, 1);
	put(&f, a + 0x10, b);
	put(&f, b + 0x20, a);
	put(&f, ROOT, c);
	CHECK(scan_with_root(&f, ROOT, PAGE) == 0, "scan failed");
	CHECK(colour(&f, a) == 'w' && colour(&f, b) == 'w',
	      "cycle not white: %c %c", colour(&f, a), colour(&f, b));
	CHECK(colour(&f, c) == 'g', "C not grey");
	CHECK(f.st->orphans == 2, "orphans %llu", U64(f.st->orphans));
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

/* root -> middle of A; A -> unaligned interior of B. */
static int test_scan_interior_pointer(char *why, size_t whysz)
{
	const mlk_addr_t a = HEAP, b = HEAP + 0x100;
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE, PAGE) == 0, "setup failed");
	add_block(&f, a, 64, 1);
	add_block(&f, b, 64, 1);
	put(&f, ROOT + 8, a + 0x28);
	put(&f, a + 0x30, b + 0x18);
	CHECK(scan_with_root(&f, ROOT, PAGE) == 0, "scan failed");
	CHECK(colour(&f, a) == 'g', "A not grey");
	CHECK(colour(&f, b) == 'g', "B not grey");
	CHECK(ref_count(&f, a) == 1 && ref_count(&f, b) == 1,
	      "counts %ld %ld", ref_count(&f, a), ref_count(&f, b));
	CHECK(f.st->orphans == 0, "orphans %llu", U64(f.st->orphans));
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

/* The watch hook reports every reference to the watched block, and where. */
struct watch_log {
	unsigned calls;
	mlk_addr_t where[4];
	mlk_addr_t from[4];
};

static void log_reference(void *ctx, mlk_addr_t where,
			  const struct mlk_block *from)
{
	struct watch_log *log = ctx;

	if (log->calls < 4) {
		log->where[log->calls] = where;
		log->from[log->calls] = from ? from->start : 0;
	}
	log->calls++;
}

static int test_scan_watch(char *why, size_t whysz)
{
	const mlk_addr_t a = HEAP, b = HEAP + 0x100, c = HEAP + 0x200;
	struct watch_log log = { 0 };
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE, PAGE) == 0, "setup failed");
	add_block(&f, a, 64, 1);
	add_block(&f, b, 64, 1);
	add_block(&f, c, 64, 1);
	put(&f, ROOT + 8, a);
	put(&f, a + 0x10, b + 8);   /* A -> B (interior) */
	put(&f, ROOT + 0x40, b);    /* root -> B */
	put(&f, b + 0x20, b);       /* self reference: not reported */
	put(&f, ROOT + 0x48, c);
	CHECK(start_scan(&f) == 0, "scan setup failed");
	CHECK(mlk_scan_watch(f.sc, HEAP + 0x1000, log_reference, &log) == -1,
	      "watching an untracked address accepted");
	CHECK(mlk_scan_watch(f.sc, b + 3, log_reference, &log) == 0,
	      "watch refused");
	CHECK(mlk_scan_root(f.sc, ROOT, PAGE) == 0, "root scan failed");
	CHECK(mlk_scan_drain(f.sc) == 0, "drain failed");
	f.st = mlk_scan_finish(f.sc);
	CHECK(log.calls == 2, "%u references reported, want 2", log.calls);
	CHECK(log.where[0] == ROOT + 0x40 && log.from[0] == 0,
	      "first reference at %llx from %llx", U64(log.where[0]),
	      U64(log.from[0]));
	CHECK(log.where[1] == a + 0x10 && log.from[1] == a,
	      "second reference at %llx from %llx", U64(log.where[1]),
	      U64(log.from[1]));
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

/*
 * Per-cpu blocks: keyed by __percpu value, reached through that value (or
 * an interior one), scanned in every CPU's copy; unreached ones stay white.
 */
#define PCPU_BASE 0xffff888000200000ULL   /* CPU 0's copies; CPU 1 +PAGE */

static int test_scan_percpu(char *why, size_t whysz)
{
	const mlk_addr_t p = 0x1000, q = 0x1100;   /* __percpu values */
	const mlk_addr_t offsets[2] = { PCPU_BASE - 0x1000,
					PCPU_BASE + PAGE - 0x1000 };
	const mlk_addr_t a = HEAP, b = HEAP + 0x100;
	struct mlk_index *pix = mlk_index_new();
	struct fixture f;
	struct mlk_block *pb, *qb;
	int rc = -1;

	CHECK(pix && fixture_init(&f, PAGE, PAGE) == 0 &&
	      fake_add_region(&f.mem, PCPU_BASE, 2 * PAGE, 1) == 0,
	      "setup failed");
	CHECK(mlk_index_add(pix, p, 64, MLK_KIND_PERCPU, 0, 1) == 0 &&
	      mlk_index_add(pix, q, 64, MLK_KIND_PERCPU, 0, 1) == 0 &&
	      mlk_index_finish(pix) == 0, "percpu index failed");
	add_block(&f, a, 64, 1);
	add_block(&f, b, 64, 1);
	put(&f, ROOT + 8, p + 0x10);            /* interior __percpu value */
	put(&f, PCPU_BASE + PAGE + 0x18, a);    /* CPU 1's copy of P -> A */
	put(&f, PCPU_BASE + 0x20, p);           /* CPU 0's copy -> itself */
	put(&f, b + 8, q);                      /* an orphan -> Q */
	CHECK(start_scan(&f) == 0, "scan setup failed");
	CHECK(mlk_scan_set_percpu(f.sc, pix, offsets, 2) == 0,
	      "set_percpu refused");
	CHECK(mlk_scan_set_percpu(f.sc, pix, offsets, 2) == -1,
	      "set_percpu accepted twice");
	CHECK(mlk_scan_root(f.sc, ROOT, PAGE) == 0, "root scan failed");
	CHECK(mlk_scan_drain(f.sc) == 0, "drain failed");
	f.st = mlk_scan_finish(f.sc);
	pb = mlk_index_lookup(pix, p);
	qb = mlk_index_lookup(pix, q);
	CHECK(pb && (pb->flags & MLK_F_GREY) && (pb->flags & MLK_F_SCANNED),
	      "P not grey and scanned");
	CHECK(pb->count == 1, "P count %u (self-reference counted?)",
	      pb->count);
	CHECK(colour(&f, a) == 'g', "A, held by CPU 1's copy of P, not grey");
	CHECK(colour(&f, b) == 'w', "B grey");
	CHECK(qb && mlk_block_is_orphan(qb), "Q (held by an orphan) not white");
	CHECK(f.st->blocks == 4 && f.st->orphans == 2,
	      "blocks %llu orphans %llu", U64(f.st->blocks),
	      U64(f.st->orphans));
	rc = 0;
out:
	fixture_free(&f);
	mlk_index_free(pix);
	return rc;
}

/* Pointers from a block into itself count for nothing. */
static int test_scan_self_reference(char *why, size_t whysz)
{
	const mlk_addr_t s = HEAP, z = HEAP + 0x100, l = HEAP + 0x200;
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE, PAGE) == 0, "setup failed");
	add_block(&f, s, 64, 1);
	add_block(&f, z, 64, 0);  /* always grey, scanned */
	add_block(&f, l, 64, 1);  /* only points to itself */
	put(&f, ROOT, s);
	put(&f, s, s);
	put(&f, s + 8, s + 8);
	put(&f, s + 0x38, s + 0x3f);
	put(&f, z + 0x10, z);
	put(&f, l, l);
	CHECK(scan_with_root(&f, ROOT, PAGE) == 0, "scan failed");
	CHECK(has_flags(&f, s, MLK_F_GREY | MLK_F_SCANNED), "S not scanned");
	CHECK(ref_count(&f, s) == 1, "S count %ld, want 1 (root only)",
	      ref_count(&f, s));
	CHECK(ref_count(&f, z) == 0, "Z count %ld, want 0", ref_count(&f, z));
	CHECK(colour(&f, l) == 'w', "self-referencing L not white");
	CHECK(f.st->refs_found == 1, "refs_found %llu, want 1",
	      U64(f.st->refs_found));
	CHECK(f.st->orphans == 1, "orphans %llu, want 1", U64(f.st->orphans));
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

static int test_scan_min_count_two(char *why, size_t whysz)
{
	const mlk_addr_t m = HEAP, n = HEAP + 0x100, e = HEAP + 0x200,
			 a = HEAP + 0x300, o = HEAP + 0x400;
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE, PAGE) == 0, "setup failed");
	add_block(&f, m, 64, 2);
	add_block(&f, n, 64, 2);
	add_block(&f, e, 64, 1);
	add_block(&f, a, 64, 1);
	add_block(&f, o, 64, 2);
	put(&f, ROOT, m);          /* one reference: not enough */
	put(&f, ROOT + 8, n);      /* two references */
	put(&f, ROOT + 16, n + 8);
	put(&f, n + 0x10, e);      /* N's contents get scanned */
	put(&f, ROOT + 24, o);     /* O: one from the root ... */
	put(&f, ROOT + 32, a);
	put(&f, a, o);             /* ... and one from a grey block */
	CHECK(scan_with_root(&f, ROOT, PAGE) == 0, "scan failed");
	CHECK(colour(&f, m) == 'w' && ref_count(&f, m) == 1,
	      "M: colour %c count %ld, want white 1", colour(&f, m),
	      ref_count(&f, m));
	CHECK(colour(&f, n) == 'g' && ref_count(&f, n) == 2,
	      "N: colour %c count %ld, want grey 2", colour(&f, n),
	      ref_count(&f, n));
	CHECK(colour(&f, e) == 'g', "E (inside N) not grey");
	CHECK(colour(&f, o) == 'g' && ref_count(&f, o) == 2,
	      "O: colour %c count %ld, want grey 2", colour(&f, o),
	      ref_count(&f, o));
	CHECK(f.st->orphans == 1, "orphans %llu, want 1 (M)",
	      U64(f.st->orphans));
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

static int test_scan_min_count_zero(char *why, size_t whysz)
{
	const mlk_addr_t z = HEAP, e = HEAP + 0x100, w = HEAP + 0x200;
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE, PAGE) == 0, "setup failed");
	add_block(&f, z, 64, 0);
	add_block(&f, e, 64, 1);
	add_block(&f, w, 64, 1);
	put(&f, z + 0x18, e);
	/* No roots at all: Z alone must be scanned. */
	CHECK(scan_with_root(&f, 0, 0) == 0, "scan failed");
	CHECK(has_flags(&f, z, MLK_F_GREY | MLK_F_SCANNED),
	      "Z not grey and scanned");
	CHECK(!mlk_block_is_orphan(mlk_index_lookup(f.ix, z)),
	      "Z reported as orphan");
	CHECK(colour(&f, e) == 'g', "E (inside Z) not grey");
	CHECK(colour(&f, w) == 'w', "W not white");
	CHECK(f.st->orphans == 1 && f.st->grey == 2,
	      "orphans %llu grey %llu, want 1 and 2", U64(f.st->orphans),
	      U64(f.st->grey));
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

/* Pointers to the first byte, the last byte and one past the end. */
static int test_scan_pointer_edges(char *why, size_t whysz)
{
	const mlk_addr_t a = HEAP, b = HEAP + 0x100, c = HEAP + 0x200;
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE, PAGE) == 0, "setup failed");
	add_block(&f, a, 64, 1);
	add_block(&f, b, 64, 1);
	add_block(&f, c, 64, 1); /* nothing tracked right after C */
	put(&f, ROOT, a);
	put(&f, ROOT + 8, b + 63);
	put(&f, ROOT + 16, c + 64);
	CHECK(scan_with_root(&f, ROOT, PAGE) == 0, "scan failed");
	CHECK(colour(&f, a) == 'g', "pointer to start did not count");
	CHECK(colour(&f, b) == 'g', "pointer to last byte did not count");
	CHECK(colour(&f, c) == 'w', "pointer one past the end counted");
	CHECK(f.st->refs_found == 2, "refs_found %llu", U64(f.st->refs_found));
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

/* An aligned word whose value is odd still points into its block. */
static int test_scan_unaligned_value(char *why, size_t whysz)
{
	const mlk_addr_t a = HEAP, b = HEAP + 0x100;
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE, PAGE) == 0, "setup failed");
	add_block(&f, a, 64, 1);
	add_block(&f, b, 64, 1);
	put(&f, ROOT, a + 3);
	put(&f, a + 8, b + 0x21);
	CHECK(scan_with_root(&f, ROOT, PAGE) == 0, "scan failed");
	CHECK(colour(&f, a) == 'g', "value start+3 did not count");
	CHECK(colour(&f, b) == 'g', "value start+0x21 did not count");
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

/* Pointers stored at unaligned addresses are not seen. */
static int test_scan_unaligned_location(char *why, size_t whysz)
{
	const mlk_addr_t a = HEAP, b = HEAP + 0x100, c = HEAP + 0x200;
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE, PAGE) == 0, "setup failed");
	add_block(&f, a, 64, 1);
	add_block(&f, b, 64, 1);
	add_block(&f, c, 64, 1);
	put(&f, ROOT + 4, a);       /* straddles two aligned words */
	put(&f, ROOT + 0x10, b);
	put(&f, b + 0xc, c);        /* inside a grey block, unaligned */
	CHECK(scan_with_root(&f, ROOT, PAGE) == 0, "scan failed");
	CHECK(colour(&f, a) == 'w', "pointer at ROOT+4 was seen");
	CHECK(colour(&f, b) == 'g', "aligned pointer not seen");
	CHECK(colour(&f, c) == 'w', "pointer at B+0xc was seen");
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

/*
 * Ranges that start and end off word boundaries: only the words that lie
 * entirely inside are looked at.
 */
static int test_scan_unaligned_ranges(char *why, size_t whysz)
{
	const mlk_addr_t c = HEAP, d = HEAP + 0x100, e = HEAP + 0x200,
			 u = HEAP + 0x404, g = HEAP + 0x500, h = HEAP + 0x600;
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE, PAGE) == 0, "setup failed");
	add_block(&f, c, 64, 1);
	add_block(&f, d, 64, 1);
	add_block(&f, e, 64, 1);
	add_block(&f, u, 0x1c, 1); /* [0x404, 0x420): words 0x408..0x418 */
	add_block(&f, g, 64, 1);
	add_block(&f, h, 64, 1);
	put(&f, ROOT + 0x20, c); /* begins before the range */
	put(&f, ROOT + 0x28, u);
	put(&f, ROOT + 0x30, d);
	put(&f, ROOT + 0x38, e); /* ends after the range */
	put(&f, HEAP + 0x400, h); /* begins before U */
	put(&f, u + 4, g);        /* U's first aligned word */
	CHECK(scan_with_root(&f, ROOT + 0x21, 0x1b) == 0, "scan failed");
	CHECK(colour(&f, c) == 'w', "word before the range start seen");
	CHECK(colour(&f, d) == 'g' && colour(&f, u) == 'g',
	      "words inside the range not seen");
	CHECK(colour(&f, e) == 'w', "word past the range end seen");
	CHECK(colour(&f, g) == 'g', "U's first aligned word not seen");
	CHECK(colour(&f, h) == 'w', "word straddling U's start seen");
	/* 2 root words, 3 in U, 8 in each of D and G. */
	CHECK(f.st->words_scanned == 2 + 3 + 8 + 8,
	      "words_scanned %llu, want 21", U64(f.st->words_scanned));
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

/*
 * Root of three pages, the middle one unreadable: X, referenced only from
 * there, stays white; the rest of the root still counts.
 */
static int test_scan_unreadable_root_page(char *why, size_t whysz)
{
	const mlk_addr_t w = HEAP, x = HEAP + 0x100, y = HEAP + 0x200;
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, 3 * PAGE, PAGE) == 0, "setup failed");
	add_block(&f, w, 64, 1);
	add_block(&f, x, 64, 1);
	add_block(&f, y, 64, 1);
	put(&f, ROOT, w);
	put(&f, ROOT + PAGE + 8, x);
	put(&f, ROOT + 3 * PAGE - 8, y);
	make_unreadable(&f, ROOT + PAGE);
	CHECK(scan_with_root(&f, ROOT, 3 * PAGE) == 0, "scan failed");
	CHECK(colour(&f, x) == 'w', "X reached through an unreadable page");
	CHECK(colour(&f, w) == 'g' && colour(&f, y) == 'g',
	      "readable parts of the root lost: W %c Y %c", colour(&f, w),
	      colour(&f, y));
	CHECK(f.st->pages_unreadable == 1, "pages_unreadable %llu",
	      U64(f.st->pages_unreadable));
	/* Two readable root pages, then W and Y (8 words each). */
	CHECK(f.st->words_scanned == 2 * PAGE / 8 + 16, "words_scanned %llu",
	      U64(f.st->words_scanned));
	CHECK(f.st->root_bytes == 3 * PAGE, "root_bytes %llu",
	      U64(f.st->root_bytes));
	CHECK(f.st->blocks_unreadable == 0, "a root flagged a block");
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

/* Partial first and last pages: each counts as one page. */
static int test_scan_unreadable_partial_pages(char *why, size_t whysz)
{
	const mlk_addr_t a = HEAP, b = HEAP + 0x100;
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, 4 * PAGE, PAGE) == 0, "setup failed");
	add_block(&f, a, 64, 1);
	add_block(&f, b, 64, 1);
	put(&f, ROOT + 0x1800, b);
	put(&f, ROOT + 0x2000, a);
	make_unreadable(&f, ROOT + PAGE);
	make_unreadable(&f, ROOT + 3 * PAGE);
	/* [ROOT+0x1800, ROOT+0x3800): half a bad page, a good one, half bad. */
	CHECK(scan_with_root(&f, ROOT + 0x1800, 0x2000) == 0, "scan failed");
	CHECK(colour(&f, a) == 'g', "A in the readable page not seen");
	CHECK(colour(&f, b) == 'w', "B seen in an unreadable page");
	CHECK(f.st->pages_unreadable == 2, "pages_unreadable %llu, want 2",
	      U64(f.st->pages_unreadable));
	/* One readable root page, then A's 8 words. */
	CHECK(f.st->words_scanned == PAGE / 8 + 8, "words_scanned %llu",
	      U64(f.st->words_scanned));
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

/*
 * A root bigger than two read chunks, starting off a chunk boundary, with
 * one bad page in the second chunk: reads stay within MLK_READ_CHUNK, the
 * failed chunk is retried page by page, words at chunk edges are seen.
 */
static int test_scan_unreadable_in_large_root(char *why, size_t whysz)
{
	const size_t root_size = 2 * MLK_READ_CHUNK + 3 * PAGE;
	const mlk_addr_t bad = ROOT + MLK_READ_CHUNK + 5 * PAGE;
	const mlk_addr_t a = HEAP, b = HEAP + 0x100, c = HEAP + 0x200,
			 d = HEAP + 0x300, e = HEAP + 0x400;
	struct fixture f;
	int rc = -1, retried = 0;

	CHECK(fixture_init(&f, root_size, PAGE) == 0, "setup failed");
	add_block(&f, a, 64, 1);
	add_block(&f, b, 64, 1);
	add_block(&f, c, 64, 1);
	add_block(&f, d, 64, 1);
	add_block(&f, e, 64, 1);
	put(&f, ROOT + root_size - 8, a);      /* last word */
	put(&f, bad + PAGE - 8, b);            /* inside the bad page */
	put(&f, bad + PAGE, c);                /* right after it */
	put(&f, ROOT + MLK_READ_CHUNK - 8, d); /* end of the first chunk */
	put(&f, ROOT + MLK_READ_CHUNK, e);     /* start of the second */
	make_unreadable(&f, bad);
	CHECK(scan_with_root(&f, ROOT + 8, root_size - 8) == 0, "scan failed");
	CHECK(f.mem.longest_read <= MLK_READ_CHUNK, "read of %zu bytes",
	      f.mem.longest_read);
	CHECK(colour(&f, a) == 'g' && colour(&f, c) == 'g' &&
	      colour(&f, d) == 'g' && colour(&f, e) == 'g',
	      "readable words lost: A %c C %c D %c E %c", colour(&f, a),
	      colour(&f, c), colour(&f, d), colour(&f, e));
	CHECK(colour(&f, b) == 'w', "B seen in an unreadable page");
	CHECK(f.st->pages_unreadable == 1, "pages_unreadable %llu",
	      U64(f.st->pages_unreadable));
	CHECK(f.st->root_bytes == root_size - 8, "root_bytes %llu",
	      U64(f.st->root_bytes));
	/* The root but its bad page, then A, C, D, E (8 words each). */
	CHECK(f.st->words_scanned == (root_size - 8) / 8 - PAGE / 8 + 4 * 8,
	      "words_scanned %llu", U64(f.st->words_scanned));
	for (size_t i = 0; i < f.mem.nlog; i++)
		if (f.mem.log[i].addr == bad && f.mem.log[i].len == PAGE &&
		    !f.mem.log[i].ok)
			retried = 1;
	CHECK(retried, "the bad page was never read on its own");
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

/* Grey blocks partly or wholly unreadable get MLK_F_UNREADABLE. */
static int test_scan_grey_block_unreadable(char *why, size_t whysz)
{
	const mlk_addr_t g = HEAP + 0x2800; /* [0x2800, 0x3800): 2 pages */
	const mlk_addr_t l = HEAP + 0x5100, q = HEAP + 0x5800;
	const mlk_addr_t h = HEAP + 0x100, k = HEAP + 0x200;
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE, 0x10000) == 0, "setup failed");
	add_block(&f, g, 0x1000, 1);
	add_block(&f, l, 0x100, 1);
	add_block(&f, q, 0x100, 1); /* unreferenced, in a bad page */
	add_block(&f, h, 64, 1);
	add_block(&f, k, 64, 1);
	put(&f, ROOT, g);
	put(&f, ROOT + 8, l);
	put(&f, g + 0x10, h);   /* readable half of G */
	put(&f, g + 0xa00, k);  /* unreadable half of G */
	make_unreadable(&f, HEAP + 0x3000);
	make_unreadable(&f, HEAP + 0x5000);
	CHECK(scan_with_root(&f, ROOT, PAGE) == 0, "scan failed");
	CHECK(has_flags(&f, g, MLK_F_GREY | MLK_F_SCANNED | MLK_F_UNREADABLE),
	      "G not grey, scanned and unreadable");
	CHECK(has_flags(&f, l, MLK_F_GREY | MLK_F_UNREADABLE),
	      "L not grey and unreadable");
	CHECK(colour(&f, h) == 'g', "H, from G's readable page, not grey");
	CHECK(!has_flags(&f, h, MLK_F_UNREADABLE), "H flagged unreadable");
	CHECK(colour(&f, k) == 'w', "K seen in G's unreadable page");
	CHECK(colour(&f, q) == 'w' && !has_flags(&f, q, MLK_F_UNREADABLE),
	      "unreferenced Q was read");
	CHECK(f.st->blocks_unreadable == 2, "blocks_unreadable %llu, want 2",
	      U64(f.st->blocks_unreadable));
	CHECK(f.st->pages_unreadable == 2, "pages_unreadable %llu, want 2",
	      U64(f.st->pages_unreadable));
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

static int test_scan_noscan(char *why, size_t whysz)
{
	const mlk_addr_t n = HEAP + 0x400, b = HEAP + 0x100;
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE, PAGE) == 0, "setup failed");
	add_block(&f, n, 64, 1);
	add_block(&f, b, 64, 1);
	put(&f, ROOT, n);
	put(&f, n + 8, b);
	CHECK(finish_index(&f) == 0, "finish failed");
	set_flags(&f, n, MLK_F_NOSCAN);
	CHECK(scan_with_root(&f, ROOT, PAGE) == 0, "scan failed");
	CHECK(colour(&f, n) == 'g', "NOSCAN block referenced but not grey");
	CHECK(!has_flags(&f, n, MLK_F_SCANNED), "NOSCAN block marked scanned");
	CHECK(colour(&f, b) == 'w', "B reached through a NOSCAN block");
	CHECK(!fake_was_read(&f.mem, n, 64), "NOSCAN block was read");
	CHECK(f.st->block_bytes == 0, "block_bytes %llu",
	      U64(f.st->block_bytes));
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

static int test_scan_ignore(char *why, size_t whysz)
{
	const mlk_addr_t i1 = HEAP, i2 = HEAP + 0x100, j = HEAP + 0x200,
			 w = HEAP + 0x300;
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE, PAGE) == 0, "setup failed");
	add_block(&f, i1, 64, 1);
	add_block(&f, i2, 64, 1);
	add_block(&f, j, 64, 1);
	add_block(&f, w, 32, 1);
	put(&f, ROOT, i2);
	put(&f, i2 + 0x20, j);
	CHECK(finish_index(&f) == 0, "finish failed");
	set_flags(&f, i1, MLK_F_IGNORE);
	set_flags(&f, i2, MLK_F_IGNORE);
	CHECK(scan_with_root(&f, ROOT, PAGE) == 0, "scan failed");
	CHECK(colour(&f, i1) == 'w', "unreferenced I1 not white");
	CHECK(!mlk_block_is_orphan(mlk_index_lookup(f.ix, i1)),
	      "ignored block is an orphan");
	CHECK(has_flags(&f, i2, MLK_F_GREY | MLK_F_SCANNED),
	      "referenced ignored block not scanned");
	CHECK(colour(&f, j) == 'g', "J, inside an ignored block, not grey");
	CHECK(f.st->orphans == 1 && f.st->orphan_bytes == 32,
	      "orphans %llu (%llu bytes), want only W", U64(f.st->orphans),
	      U64(f.st->orphan_bytes));
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

/* root -> A -> B -> C: three batches, the callback stops after the first. */
static int test_scan_progress_abort(char *why, size_t whysz)
{
	const mlk_addr_t a = HEAP, b = HEAP + 0x100, c = HEAP + 0x200;
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE, PAGE) == 0, "setup failed");
	add_block(&f, a, 64, 1);
	add_block(&f, b, 64, 1);
	add_block(&f, c, 64, 1);
	put(&f, ROOT, a);
	put(&f, a, b);
	put(&f, b, c);
	f.abort_at_call = 1;
	CHECK(start_scan(&f) == 0, "scan_new failed");
	CHECK(mlk_scan_root(f.sc, ROOT, PAGE) == 0, "root scan failed");
	CHECK(mlk_scan_drain(f.sc) == -1, "drain not aborted");
	CHECK(f.progress_calls == 1, "progress called %u times",
	      f.progress_calls);
	CHECK(mlk_scan_drain(f.sc) == -1, "drain ran again after abort");
	CHECK(mlk_scan_root(f.sc, ROOT, PAGE) == -1, "root ran after abort");
	f.st = mlk_scan_finish(f.sc);
	CHECK(f.st && f.st->block_bytes == 64, "partial block_bytes %llu",
	      f.st ? U64(f.st->block_bytes) : 0ULL);
	CHECK(has_flags(&f, a, MLK_F_SCANNED) && colour(&f, b) == 'g' &&
	      !has_flags(&f, b, MLK_F_SCANNED) && colour(&f, c) == 'w',
	      "not stopped after the first batch");
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

static int test_scan_progress_each_batch(char *why, size_t whysz)
{
	const mlk_addr_t a = HEAP, b = HEAP + 0x100, c = HEAP + 0x200;
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE, PAGE) == 0, "setup failed");
	add_block(&f, a, 64, 1);
	add_block(&f, b, 64, 1);
	add_block(&f, c, 64, 1);
	put(&f, ROOT, a);
	put(&f, a, b);
	put(&f, b, c);
	CHECK(scan_with_root(&f, ROOT, PAGE) == 0, "scan failed");
	CHECK(f.progress_calls >= 3, "progress called %u times for 3 batches",
	      f.progress_calls);
	CHECK(f.st->orphans == 0, "orphans %llu", U64(f.st->orphans));
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

/* A 256 MiB root of zeros: progress comes every ~64 MiB and can stop it. */
static int test_scan_progress_in_large_root(char *why, size_t whysz)
{
	const uint64_t root_size = (uint64_t)256 << 20;
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE, PAGE) == 0, "setup failed");
	CHECK(fake_add_region(&f.mem, ZEROS, root_size, 0) == 0, "no region");
	f.abort_at_call = 2;
	CHECK(start_scan(&f) == 0, "scan_new failed");
	CHECK(mlk_scan_root(f.sc, ZEROS, root_size) == -1, "root not aborted");
	CHECK(f.progress_calls == 2, "progress called %u times",
	      f.progress_calls);
	f.st = mlk_scan_stats(f.sc);
	CHECK(f.st->root_bytes >= ((uint64_t)100 << 20) &&
	      f.st->root_bytes <= ((uint64_t)160 << 20),
	      "stopped after %llu bytes, want about 128 MiB",
	      U64(f.st->root_bytes));
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

static int test_scan_root_buf(char *why, size_t whysz)
{
	const mlk_addr_t a = HEAP, b = HEAP + 0x100, c = HEAP + 0x200,
			 d = HEAP + 0x300;
	uint64_t regs[5] = { 0x42, a + 8, 0, b, c };
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE, PAGE) == 0, "setup failed");
	add_block(&f, a, 64, 1);
	add_block(&f, b, 64, 1);
	add_block(&f, c, 64, 1);
	add_block(&f, d, 64, 1);
	put(&f, a + 0x18, d);
	CHECK(start_scan(&f) == 0, "scan_new failed");
	/* 36 bytes: the word holding C is cut off. */
	CHECK(mlk_scan_root_buf(f.sc, regs, 36) == 0, "root_buf failed");
	CHECK(mlk_scan_drain(f.sc) == 0, "drain failed");
	f.st = mlk_scan_finish(f.sc);
	CHECK(colour(&f, a) == 'g' && colour(&f, b) == 'g',
	      "buffer pointers not seen: A %c B %c", colour(&f, a),
	      colour(&f, b));
	CHECK(colour(&f, c) == 'w', "partial last word seen");
	CHECK(colour(&f, d) == 'g', "D, inside A, not grey");
	CHECK(f.st->root_ranges == 1 && f.st->root_bytes == 36,
	      "root_ranges %llu root_bytes %llu", U64(f.st->root_ranges),
	      U64(f.st->root_bytes));
	/* 4 whole words in the buffer, then A, B and D (8 words each). */
	CHECK(f.st->words_scanned == 4 + 3 * 8, "words_scanned %llu",
	      U64(f.st->words_scanned));
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

/* Within a batch, blocks are read in address order. */
static int test_scan_batches_sorted(char *why, size_t whysz)
{
	const mlk_addr_t a = HEAP + 0x100, b = HEAP + 0x200, c = HEAP + 0x300,
			 e = HEAP + 0x800, g = HEAP + 0x900;
	const mlk_addr_t want[] = { a, b, c, e, g };
	size_t nheap = 0;
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE, PAGE) == 0, "setup failed");
	add_block(&f, a, 64, 1);
	add_block(&f, b, 64, 1);
	add_block(&f, c, 64, 1);
	add_block(&f, e, 64, 1);
	add_block(&f, g, 64, 1);
	put(&f, ROOT, c);
	put(&f, ROOT + 8, a);
	put(&f, ROOT + 16, b);
	put(&f, a, g);
	put(&f, c, e);
	CHECK(scan_with_root(&f, ROOT, PAGE) == 0, "scan failed");
	for (size_t i = 0; i < f.mem.nlog; i++) {
		if (f.mem.log[i].addr < HEAP || f.mem.log[i].addr >= HEAP + PAGE)
			continue;
		CHECK(nheap < 5, "more than 5 block reads");
		CHECK(f.mem.log[i].addr == want[nheap],
		      "block read %zu at %#llx, want %#llx", nheap,
		      U64(f.mem.log[i].addr), U64(want[nheap]));
		nheap++;
	}
	CHECK(nheap == 5, "%zu block reads, want 5", nheap);
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

/* Every figure of a small scan, computed by hand. */
static int test_scan_stats_counts(char *why, size_t whysz)
{
	const mlk_addr_t a = HEAP, b = HEAP + 0x100, o = HEAP + 0x200;
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE, PAGE) == 0, "setup failed");
	add_block(&f, a, 64, 1);
	add_block(&f, b, 32, 1);
	add_block(&f, o, 16, 1);
	add_block(&f, o + 8, 16, 1); /* overlaps O: dropped */
	put(&f, ROOT, a);
	put(&f, ROOT + 8, 0xdead);
	put(&f, a + 0x20, b);
	CHECK(scan_with_root(&f, ROOT, 16) == 0, "scan failed");
	CHECK(f.st->blocks == 3, "blocks %llu", U64(f.st->blocks));
	CHECK(f.st->bytes_tracked == 112, "bytes_tracked %llu",
	      U64(f.st->bytes_tracked));
	CHECK(f.st->duplicates == 1, "duplicates %llu", U64(f.st->duplicates));
	CHECK(f.st->root_ranges == 1 && f.st->root_bytes == 16,
	      "root_ranges %llu root_bytes %llu", U64(f.st->root_ranges),
	      U64(f.st->root_bytes));
	CHECK(f.st->block_bytes == 96, "block_bytes %llu",
	      U64(f.st->block_bytes));
	CHECK(f.st->words_scanned == 2 + 8 + 4, "words_scanned %llu",
	      U64(f.st->words_scanned));
	CHECK(f.st->refs_found == 2, "refs_found %llu", U64(f.st->refs_found));
	CHECK(f.st->grey == 2, "grey %llu", U64(f.st->grey));
	CHECK(f.st->orphans == 1 && f.st->orphan_bytes == 16,
	      "orphans %llu (%llu bytes)", U64(f.st->orphans),
	      U64(f.st->orphan_bytes));
	CHECK(f.st->pages_unreadable == 0 && f.st->blocks_unreadable == 0,
	      "unreadable figures not 0");
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

/*
 * A linked list of 100,000 nodes in shuffled memory order: deep chains
 * need the explicit work list (recursion would be 100,000 deep).
 */
static int test_scan_long_list(char *why, size_t whysz)
{
	const size_t nodes = 100000, node_size = 32;
	size_t *order = malloc(nodes * sizeof(*order));
	uint64_t seed = 12345;
	struct fixture f;
	int rc = -1;

	memset(&f, 0, sizeof(f));
	CHECK(order, "out of memory");
	CHECK(fixture_init(&f, PAGE, nodes * node_size) == 0, "setup failed");
	for (size_t i = 0; i < nodes; i++) {
		order[i] = i;
		add_block(&f, HEAP + i * node_size, (uint32_t)node_size, 1);
	}
	for (size_t i = nodes - 1; i > 0; i--) {
		size_t j, t;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		j = (size_t)((seed >> 33) % (i + 1));
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	put(&f, ROOT, HEAP + order[0] * node_size);
	for (size_t i = 0; i + 1 < nodes; i++)
		put(&f, HEAP + order[i] * node_size + 8,
		    HEAP + order[i + 1] * node_size);
	CHECK(scan_with_root(&f, ROOT, 8) == 0, "scan failed");
	CHECK(f.st->grey == nodes && f.st->orphans == 0,
	      "grey %llu orphans %llu, want %zu and 0", U64(f.st->grey),
	      U64(f.st->orphans), nodes);
	CHECK(f.progress_calls >= nodes, "progress called %u times",
	      f.progress_calls);
	rc = 0;
out:
	free(order);
	fixture_free(&f);
	return rc;
}

/* A new scan starts from white; NOSCAN and IGNORE stay. */
static int test_scan_rescan_resets(char *why, size_t whysz)
{
	const mlk_addr_t a = HEAP, n = HEAP + 0x100;
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE, PAGE) == 0, "setup failed");
	add_block(&f, a, 64, 1);
	add_block(&f, n, 64, 1);
	put(&f, ROOT, a);
	CHECK(finish_index(&f) == 0, "finish failed");
	set_flags(&f, n, MLK_F_NOSCAN | MLK_F_IGNORE);
	CHECK(scan_with_root(&f, ROOT, PAGE) == 0, "first scan failed");
	CHECK(colour(&f, a) == 'g' && ref_count(&f, a) == 1,
	      "first scan: A %c count %ld", colour(&f, a), ref_count(&f, a));
	mlk_scan_free(f.sc);
	f.sc = NULL;
	CHECK(scan_with_root(&f, 0, 0) == 0, "second scan failed");
	CHECK(colour(&f, a) == 'w' && ref_count(&f, a) == 0 &&
	      !has_flags(&f, a, MLK_F_SCANNED),
	      "second scan did not start from white");
	CHECK(has_flags(&f, n, MLK_F_NOSCAN | MLK_F_IGNORE),
	      "caller's flags lost");
	CHECK(f.st->orphans == 1 && f.st->grey == 0,
	      "orphans %llu grey %llu", U64(f.st->orphans), U64(f.st->grey));
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

void run_scan_tests(void)
{
	unit_run("scan_empty_index", test_scan_empty_index);
	unit_run("scan_chain_reachable", test_scan_chain_reachable);
	unit_run("scan_leaked_chain", test_scan_leaked_chain);
	unit_run("scan_cycle_orphans", test_scan_cycle_orphans);
	unit_run("scan_interior_pointer", test_scan_interior_pointer);
	unit_run("scan_self_reference", test_scan_self_reference);
	unit_run("scan_watch", test_scan_watch);
	unit_run("scan_percpu", test_scan_percpu);
	unit_run("scan_min_count_two", test_scan_min_count_two);
	unit_run("scan_min_count_zero", test_scan_min_count_zero);
	unit_run("scan_pointer_edges", test_scan_pointer_edges);
	unit_run("scan_unaligned_value", test_scan_unaligned_value);
	unit_run("scan_unaligned_location", test_scan_unaligned_location);
	unit_run("scan_unaligned_ranges", test_scan_unaligned_ranges);
	unit_run("scan_unreadable_root_page", test_scan_unreadable_root_page);
	unit_run("scan_unreadable_partial_pages",
		 test_scan_unreadable_partial_pages);
	unit_run("scan_unreadable_in_large_root",
		 test_scan_unreadable_in_large_root);
	unit_run("scan_grey_block_unreadable", test_scan_grey_block_unreadable);
	unit_run("scan_noscan", test_scan_noscan);
	unit_run("scan_ignore", test_scan_ignore);
	unit_run("scan_progress_abort", test_scan_progress_abort);
	unit_run("scan_progress_each_batch", test_scan_progress_each_batch);
	unit_run("scan_progress_in_large_root",
		 test_scan_progress_in_large_root);
	unit_run("scan_root_buf", test_scan_root_buf);
	unit_run("scan_batches_sorted", test_scan_batches_sorted);
	unit_run("scan_stats_counts", test_scan_stats_counts);
	unit_run("scan_long_list", test_scan_long_list);
	unit_run("scan_rescan_resets", test_scan_rescan_resets);
}
