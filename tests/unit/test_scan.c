/*
 * test_scan.c - mark and scan on synthetic memory images.
 *
 * Each test builds an image (fixture.h: a root area like kernel data, a
 * heap in the direct map, some pages possibly unreadable), scans it and
 * looks at the colours, counts and figures, and at the reads the engine
 * made of the fake memory.
 */
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "fake_mem.h"
#include "fixture.h"
#include "unit.h"

#define ZEROS VMALLOC /* a vmalloc-like area reading as zeros */

/* Reads the fake memory logs, in order, for the tests that look at them. */
#define READ_LOG_SIZE 4096

/* ---- the fixture: an image, its scan and the scan's progress ---------- */

struct fixture {
	struct image img;
	struct mlk_scan *sc;
	unsigned progress_calls;
	unsigned abort_at_call; /* progress asks to stop at this call; 0 never */
	uint64_t grey_at_last_call;
	const struct mlk_stats *st;
};

static int fixture_init(struct fixture *f, size_t root_size, size_t heap_size)
{
	memset(f, 0, sizeof(*f));
	return image_init(&f->img, root_size, heap_size, READ_LOG_SIZE);
}

static void fixture_free(struct fixture *f)
{
	mlk_scan_free(f->sc);
	image_free(&f->img);
}

static int count_progress(void *ctx, const struct mlk_stats *st)
{
	struct fixture *f = ctx;

	f->progress_calls++;
	if (!st)
		return 1;
	f->grey_at_last_call = st->grey;
	return f->abort_at_call && f->progress_calls >= f->abort_at_call;
}

static int start_scan(struct fixture *f)
{
	struct mlk_source src = fake_source(&f->img.mem);

	if (image_ready(&f->img) != 0)
		return -1;
	f->sc = mlk_scan_new(f->img.ix, &src, count_progress, f);
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
	struct mlk_block *b = mlk_index_lookup(f->img.ix, addr);

	if (!b)
		return '?';
	return b->flags & MLK_F_GREY ? 'g' : 'w';
}

static int has_flags(struct fixture *f, mlk_addr_t addr, uint8_t flags)
{
	struct mlk_block *b = mlk_index_lookup(f->img.ix, addr);

	return b && (b->flags & flags) == flags;
}

static long ref_count(struct fixture *f, mlk_addr_t addr)
{
	struct mlk_block *b = mlk_index_lookup(f->img.ix, addr);

	return b ? (long)b->count : -1;
}

/* ---- tests ------------------------------------------------------------ */

static int test_scan_empty_index(char *why, size_t whysz)
{
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, 3 * PAGE, PAGE) == 0, "setup failed");
	/* Pointer-like values, but nothing is tracked. */
	put(&f.img, ROOT, HEAP);
	put(&f.img, ROOT + 8, HEAP + 0x10);
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
	add_block(&f.img, a, 64);
	add_block(&f.img, b, 64);
	add_block(&f.img, c, 64);
	add_block(&f.img, d, 64);
	put(&f.img, ROOT + 0x10, a);
	put(&f.img, a + 8, b);
	put(&f.img, b + 0x38, c); /* B's last word */
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
	add_block(&f.img, a, 64);
	add_block(&f.img, b, 128);
	add_block(&f.img, c, 32);
	add_block(&f.img, d, 16);
	put(&f.img, a, b);
	put(&f.img, b + 0x40, c);
	put(&f.img, ROOT, 0x1234);          /* junk */
	put(&f.img, ROOT + 8, HEAP + 0x800); /* heap, but no block there */
	put(&f.img, ROOT + 16, d);
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

/*
 * Tagged pointers (arm64 top-byte ignore: a KASAN tag in bits 56-63): with
 * arm64's untag masks (arch/arm64.c: top byte set) a tagged reference
 * finds its block, an untagged one still does, and a value whose bit 55 is
 * clear finds nothing; with x86_64's identity masks the tagged one is junk.
 */
static int scan_tagged(struct fixture *f, struct mlk_untag untag,
		       mlk_addr_t a, mlk_addr_t b, mlk_addr_t c)
{
	const mlk_addr_t tag_mask = (mlk_addr_t)0xff << 56;

	if (fixture_init(f, PAGE, PAGE) != 0)
		return -1;
	add_block(&f->img, a, 64);
	add_block(&f->img, b, 64);
	add_block(&f->img, c, 64);
	put(&f->img, ROOT, (a & ~tag_mask) | (mlk_addr_t)0xf3 << 56);
	put(&f->img, ROOT + 8, b);
	put(&f->img, ROOT + 16, c & ~((mlk_addr_t)0x80 << 48)); /* bit 55 clear */
	if (start_scan(f) != 0)
		return -1;
	mlk_scan_set_untag(f->sc, untag);
	if (mlk_scan_root(f->sc, ROOT, PAGE) != 0 || mlk_scan_drain(f->sc) != 0)
		return -1;
	f->st = mlk_scan_finish(f->sc);
	return 0;
}

static int test_scan_tagged_pointers(char *why, size_t whysz)
{
	const mlk_addr_t a = HEAP, b = HEAP + 0x100, c = HEAP + 0x200;
	const struct mlk_untag arm64 = { (mlk_addr_t)0xff << 56,
					 (mlk_addr_t)1 << 55 };
	const struct mlk_untag identity = { 0, 0 };
	const mlk_addr_t percpu = 0x0000530379af2750ull; /* a chunk's __percpu */
	struct fixture f;
	int rc = -1;

	memset(&f, 0, sizeof(f));
	CHECK(mlk_untag_word(arm64, percpu) == percpu,
	      "a __percpu value changed by untagging");
	CHECK(mlk_untag_word(arm64, 0xf3ff888012345678ull) ==
	      0xffff888012345678ull, "a tagged kernel address not untagged");
	CHECK(mlk_untag_word(arm64, 0x0a00000012345678ull) == 0x12345678ull,
	      "a tagged user address keeps its tag");
	CHECK(mlk_untag_word(identity, 0xf3ff888012345678ull) ==
	      0xf3ff888012345678ull, "identity untagging changed a word");
	CHECK(scan_tagged(&f, arm64, a, b, c) == 0, "scan (arm64 masks) failed");
	CHECK(colour(&f, a) == 'g', "tagged reference not found with arm64 masks");
	CHECK(colour(&f, b) == 'g', "untagged reference not found with arm64 masks");
	CHECK(colour(&f, c) == 'w', "a value with bit 55 clear found a block");
	fixture_free(&f);
	CHECK(scan_tagged(&f, identity, a, b, c) == 0, "scan (identity) failed");
	CHECK(colour(&f, a) == 'w', "tagged reference found without untagging");
	CHECK(colour(&f, b) == 'g', "untagged reference not found (identity)");
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

/*
 * Pointer authentication codes (arch/arm64.c: code_address): a signed
 * kernel return address gets back the address it signed, with 48- and
 * 52-bit virtual addresses; an address with bit 55 clear, and a va_bits
 * out of range, are left alone.
 */
static int test_strip_pac(char *why, size_t whysz)
{
	static const struct {
		mlk_addr_t signed_addr, stripped;
		unsigned va_bits;
		const char *what;
	} cases[] = {
		{ 0x8a9c800008123456ull, 0xffff800008123456ull, 48,
		  "a signed 48-bit kernel address" },
		{ 0xffff800008123456ull, 0xffff800008123456ull, 48,
		  "an unsigned kernel address" },
		{ 0x57b0000008123456ull, 0xfff0000008123456ull, 52,
		  "a signed 52-bit kernel address" },
		{ 0x8a9c800008123456ull, 0xfffc800008123456ull, 52,
		  "bits below 52 of a 52-bit kernel address" },
		{ 0x0a1c000012345678ull, 0x0a1c000012345678ull, 48,
		  "an address with bit 55 clear" },
		{ 0x8a9c800008123456ull, 0x8a9c800008123456ull, 64,
		  "a va_bits out of range" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(mlk_strip_pac(cases[i].signed_addr, cases[i].va_bits) ==
		      cases[i].stripped, "%s: got %#llx", cases[i].what,
		      U64(mlk_strip_pac(cases[i].signed_addr,
					cases[i].va_bits)));
	return 0;
out:
	return -1;
}

/* A <-> B, unreachable: a cycle is still garbage. */
static int test_scan_cycle_orphans(char *why, size_t whysz)
{
	const mlk_addr_t a = HEAP, b = HEAP + 0x100, c = HEAP + 0x200;
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE, PAGE) == 0, "setup failed");
	add_block(&f.img, a, 64);
	add_block(&f.img, b, 64);
	add_block(&f.img, c, 64);
	put(&f.img, a + 0x10, b);
	put(&f.img, b + 0x20, a);
	put(&f.img, ROOT, c);
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
	add_block(&f.img, a, 64);
	add_block(&f.img, b, 64);
	put(&f.img, ROOT + 8, a + 0x28);
	put(&f.img, a + 0x30, b + 0x18);
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
static int test_scan_watch(char *why, size_t whysz)
{
	const mlk_addr_t a = HEAP, b = HEAP + 0x100, c = HEAP + 0x200;
	struct watch_log log = { 0 };
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE, PAGE) == 0, "setup failed");
	add_block(&f.img, a, 64);
	add_block(&f.img, b, 64);
	add_block(&f.img, c, 64);
	put(&f.img, ROOT + 8, a);
	put(&f.img, a + 0x10, b + 8);   /* A -> B (interior) */
	put(&f.img, ROOT + 0x40, b);    /* root -> B */
	put(&f.img, b + 0x20, b);       /* self reference: not reported */
	put(&f.img, ROOT + 0x48, c);
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

	CHECK(fixture_init(&f, PAGE, PAGE) == 0 && pix &&
	      fake_add_region(&f.img.mem, PCPU_BASE, 2 * PAGE) == 0,
	      "setup failed");
	CHECK(mlk_index_add(pix, p, 64, MLK_KIND_PERCPU, 0, 1) == 0 &&
	      mlk_index_add(pix, q, 64, MLK_KIND_PERCPU, 0, 1) == 0 &&
	      mlk_index_finish(pix) == 0, "percpu index failed");
	add_block(&f.img, a, 64);
	add_block(&f.img, b, 64);
	put(&f.img, ROOT + 8, p + 0x10);         /* interior __percpu value */
	put(&f.img, PCPU_BASE + PAGE + 0x18, a); /* CPU 1's copy of P -> A */
	put(&f.img, PCPU_BASE + 0x20, p);        /* CPU 0's copy -> itself */
	put(&f.img, b + 8, q);                   /* an orphan -> Q */
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
	add_block(&f.img, s, 64);
	add_block_min_count(&f.img, z, 64, 0);  /* always grey, scanned */
	add_block(&f.img, l, 64);  /* only points to itself */
	put(&f.img, ROOT, s);
	put(&f.img, s, s);
	put(&f.img, s + 8, s + 8);
	put(&f.img, s + 0x38, s + 0x3f);
	put(&f.img, z + 0x10, z);
	put(&f.img, l, l);
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
	add_block_min_count(&f.img, m, 64, 2);
	add_block_min_count(&f.img, n, 64, 2);
	add_block(&f.img, e, 64);
	add_block(&f.img, a, 64);
	add_block_min_count(&f.img, o, 64, 2);
	put(&f.img, ROOT, m);          /* one reference: not enough */
	put(&f.img, ROOT + 8, n);      /* two references */
	put(&f.img, ROOT + 16, n + 8);
	put(&f.img, n + 0x10, e);      /* N's contents get scanned */
	put(&f.img, ROOT + 24, o);     /* O: one from the root ... */
	put(&f.img, ROOT + 32, a);
	put(&f.img, a, o);             /* ... and one from a grey block */
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
	add_block_min_count(&f.img, z, 64, 0);
	add_block(&f.img, e, 64);
	add_block(&f.img, w, 64);
	put(&f.img, z + 0x18, e);
	/* No roots at all: Z alone must be scanned. */
	CHECK(scan_with_root(&f, 0, 0) == 0, "scan failed");
	CHECK(has_flags(&f, z, MLK_F_GREY | MLK_F_SCANNED),
	      "Z not grey and scanned");
	CHECK(!mlk_block_is_orphan(mlk_index_lookup(f.img.ix, z)),
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
	add_block(&f.img, a, 64);
	add_block(&f.img, b, 64);
	add_block(&f.img, c, 64); /* nothing tracked right after C */
	put(&f.img, ROOT, a);
	put(&f.img, ROOT + 8, b + 63);
	put(&f.img, ROOT + 16, c + 64);
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
	add_block(&f.img, a, 64);
	add_block(&f.img, b, 64);
	put(&f.img, ROOT, a + 3);
	put(&f.img, a + 8, b + 0x21);
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
	add_block(&f.img, a, 64);
	add_block(&f.img, b, 64);
	add_block(&f.img, c, 64);
	put(&f.img, ROOT + 4, a);       /* straddles two aligned words */
	put(&f.img, ROOT + 0x10, b);
	put(&f.img, b + 0xc, c);        /* inside a grey block, unaligned */
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
	add_block(&f.img, c, 64);
	add_block(&f.img, d, 64);
	add_block(&f.img, e, 64);
	add_block(&f.img, u, 0x1c); /* [0x404, 0x420): words 0x408..0x418 */
	add_block(&f.img, g, 64);
	add_block(&f.img, h, 64);
	put(&f.img, ROOT + 0x20, c); /* begins before the range */
	put(&f.img, ROOT + 0x28, u);
	put(&f.img, ROOT + 0x30, d);
	put(&f.img, ROOT + 0x38, e); /* ends after the range */
	put(&f.img, HEAP + 0x400, h); /* begins before U */
	put(&f.img, u + 4, g);        /* U's first aligned word */
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
	add_block(&f.img, w, 64);
	add_block(&f.img, x, 64);
	add_block(&f.img, y, 64);
	put(&f.img, ROOT, w);
	put(&f.img, ROOT + PAGE + 8, x);
	put(&f.img, ROOT + 3 * PAGE - 8, y);
	make_unreadable(&f.img, ROOT + PAGE);
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
	add_block(&f.img, a, 64);
	add_block(&f.img, b, 64);
	put(&f.img, ROOT + 0x1800, b);
	put(&f.img, ROOT + 0x2000, a);
	make_unreadable(&f.img, ROOT + PAGE);
	make_unreadable(&f.img, ROOT + 3 * PAGE);
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
	int rc = -1;

	CHECK(fixture_init(&f, root_size, PAGE) == 0, "setup failed");
	add_block(&f.img, a, 64);
	add_block(&f.img, b, 64);
	add_block(&f.img, c, 64);
	add_block(&f.img, d, 64);
	add_block(&f.img, e, 64);
	put(&f.img, ROOT + root_size - 8, a);      /* last word */
	put(&f.img, bad + PAGE - 8, b);            /* inside the bad page */
	put(&f.img, bad + PAGE, c);                /* right after it */
	put(&f.img, ROOT + MLK_READ_CHUNK - 8, d); /* end of the first chunk */
	put(&f.img, ROOT + MLK_READ_CHUNK, e);     /* start of the second */
	make_unreadable(&f.img, bad);
	CHECK(scan_with_root(&f, ROOT + 8, root_size - 8) == 0, "scan failed");
	CHECK(f.img.mem.longest_read <= MLK_READ_CHUNK, "read of %zu bytes",
	      f.img.mem.longest_read);
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
	CHECK(fake_logged(&f.img.mem, bad, PAGE, 0),
	      "the bad page was never read on its own");
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
	add_block(&f.img, g, 0x1000);
	add_block(&f.img, l, 0x100);
	add_block(&f.img, q, 0x100); /* unreferenced, in a bad page */
	add_block(&f.img, h, 64);
	add_block(&f.img, k, 64);
	put(&f.img, ROOT, g);
	put(&f.img, ROOT + 8, l);
	put(&f.img, g + 0x10, h);   /* readable half of G */
	put(&f.img, g + 0xa00, k);  /* unreadable half of G */
	make_unreadable(&f.img, HEAP + 0x3000);
	make_unreadable(&f.img, HEAP + 0x5000);
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
	add_block(&f.img, n, 64);
	add_block(&f.img, b, 64);
	put(&f.img, ROOT, n);
	put(&f.img, n + 8, b);
	CHECK(finish_index(&f.img) == 0, "finish failed");
	set_flags(&f.img, n, MLK_F_NOSCAN);
	CHECK(scan_with_root(&f, ROOT, PAGE) == 0, "scan failed");
	CHECK(colour(&f, n) == 'g', "NOSCAN block referenced but not grey");
	CHECK(!has_flags(&f, n, MLK_F_SCANNED), "NOSCAN block marked scanned");
	CHECK(colour(&f, b) == 'w', "B reached through a NOSCAN block");
	CHECK(!fake_was_read(&f.img.mem, n, 64), "NOSCAN block was read");
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
	add_block(&f.img, i1, 64);
	add_block(&f.img, i2, 64);
	add_block(&f.img, j, 64);
	add_block(&f.img, w, 32);
	put(&f.img, ROOT, i2);
	put(&f.img, i2 + 0x20, j);
	CHECK(finish_index(&f.img) == 0, "finish failed");
	set_flags(&f.img, i1, MLK_F_IGNORE);
	set_flags(&f.img, i2, MLK_F_IGNORE);
	CHECK(scan_with_root(&f, ROOT, PAGE) == 0, "scan failed");
	CHECK(colour(&f, i1) == 'w', "unreferenced I1 not white");
	CHECK(!mlk_block_is_orphan(mlk_index_lookup(f.img.ix, i1)),
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

/*
 * Three 40 MiB blocks reading as zeros, A always grey: the callback, asked
 * every 64 MiB read, stops the sweep while it reads B; C is never read.
 */
static int test_scan_progress_abort(char *why, size_t whysz)
{
	const uint32_t big = 40u << 20;
	const mlk_addr_t a = ZEROS, b = ZEROS + big, c = ZEROS + 2 * (uint64_t)big;
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE, PAGE) == 0 &&
	      fake_add_zero_region(&f.img.mem, ZEROS, 3 * (size_t)big) == 0,
	      "setup failed");
	add_block_min_count(&f.img, a, big, 0);
	add_block(&f.img, b, big);
	add_block(&f.img, c, big);
	f.abort_at_call = 1;
	CHECK(start_scan(&f) == 0, "scan_new failed");
	CHECK(mlk_scan_root(f.sc, ROOT, PAGE) == 0, "root scan failed");
	CHECK(mlk_scan_drain(f.sc) == -1, "drain not aborted");
	CHECK(f.progress_calls == 1, "progress called %u times",
	      f.progress_calls);
	CHECK(mlk_scan_drain(f.sc) == -1, "drain ran again after abort");
	CHECK(mlk_scan_root(f.sc, ROOT, PAGE) == -1, "root ran after abort");
	f.st = mlk_scan_finish(f.sc);
	CHECK(f.st && f.st->block_bytes == big, "partial block_bytes %llu",
	      f.st ? U64(f.st->block_bytes) : 0ULL);
	CHECK(has_flags(&f, a, MLK_F_SCANNED) &&
	      !has_flags(&f, b, MLK_F_DEFERRED) &&
	      !fake_was_read(&f.img.mem, c, big),
	      "not stopped while reading B");
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

/* The callback hears the final figures once the scan is over. */
static int test_scan_progress_at_end(char *why, size_t whysz)
{
	const mlk_addr_t a = HEAP, b = HEAP + 0x100, c = HEAP + 0x200;
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE, PAGE) == 0, "setup failed");
	add_block(&f.img, a, 64);
	add_block(&f.img, b, 64);
	add_block(&f.img, c, 64);
	put(&f.img, ROOT, a);
	put(&f.img, a, b);
	put(&f.img, b, c);
	CHECK(scan_with_root(&f, ROOT, PAGE) == 0, "scan failed");
	CHECK(f.progress_calls >= 1 && f.grey_at_last_call == 3,
	      "progress called %u times, last with %llu grey",
	      f.progress_calls, U64(f.grey_at_last_call));
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
	CHECK(fake_add_zero_region(&f.img.mem, ZEROS, root_size) == 0,
	      "no region");
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
	add_block(&f.img, a, 64);
	add_block(&f.img, b, 64);
	add_block(&f.img, c, 64);
	add_block(&f.img, d, 64);
	put(&f.img, a + 0x18, d);
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

/*
 * The heap is read once, in address order, neighbouring blocks together:
 * references point backwards and forwards; E and G lie two pages further
 * on, so the pages between are never read.
 */
static int test_scan_reads_in_address_order(char *why, size_t whysz)
{
	const mlk_addr_t a = HEAP + 0x100, b = HEAP + 0x200, c = HEAP + 0x300,
			 e = HEAP + 0x3800, g = HEAP + 0x3900;
	mlk_addr_t next = HEAP;
	size_t nheap = 0;
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE, 4 * PAGE) == 0, "setup failed");
	add_block(&f.img, a, 64);
	add_block(&f.img, b, 64);
	add_block(&f.img, c, 64);
	add_block(&f.img, e, 64);
	add_block(&f.img, g, 64);
	put(&f.img, ROOT, g);
	put(&f.img, g, c);      /* backwards */
	put(&f.img, c + 8, a);  /* backwards */
	put(&f.img, a + 8, e);  /* forwards */
	put(&f.img, e + 8, b);  /* backwards */
	CHECK(scan_with_root(&f, ROOT, PAGE) == 0, "scan failed");
	CHECK(f.st->grey == 5 && f.st->orphans == 0, "grey %llu orphans %llu",
	      U64(f.st->grey), U64(f.st->orphans));
	for (size_t i = 0; i < f.img.mem.nlog; i++) {
		const struct fake_read *r = &f.img.mem.log[i];

		if (r->addr < HEAP || r->addr >= HEAP + 4 * PAGE)
			continue;
		CHECK(r->addr >= next, "read at %#llx after one up to %#llx",
		      U64(r->addr), U64(next));
		next = r->addr + r->len;
		nheap++;
	}
	CHECK(nheap == 2, "%zu heap reads, want 2", nheap);
	CHECK(fake_logged(&f.img.mem, a, c + 64 - a, 1) &&
	      fake_logged(&f.img.mem, e, g + 64 - e, 1),
	      "not one read per group of neighbours");
	CHECK(!fake_was_read(&f.img.mem, HEAP + PAGE, 2 * PAGE),
	      "pages without blocks read");
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
	add_block(&f.img, a, 64);
	add_block(&f.img, b, 32);
	add_block(&f.img, o, 16);
	add_block(&f.img, o + 8, 16); /* overlaps O: dropped */
	put(&f.img, ROOT, a);
	put(&f.img, ROOT + 8, 0xdead);
	put(&f.img, a + 0x20, b);
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
 * need the explicit work list (recursion would be 100,000 deep), and the
 * links, half of them pointing backwards, cost no second read.
 */
static int test_scan_long_list(char *why, size_t whysz)
{
	const size_t nodes = 100000, node_size = 32;
	size_t *order = malloc(nodes * sizeof(*order));
	uint64_t heap_bytes_read = 0;
	struct fixture f;
	int rc = -1;

	memset(&f, 0, sizeof(f));
	CHECK(order, "out of memory");
	CHECK(fixture_init(&f, PAGE, nodes * node_size) == 0, "setup failed");
	put(&f.img, ROOT, add_shuffled_list(&f.img, order, nodes,
					    (uint32_t)node_size, 0));
	CHECK(scan_with_root(&f, ROOT, 8) == 0, "scan failed");
	CHECK(f.st->grey == nodes && f.st->orphans == 0,
	      "grey %llu orphans %llu, want %zu and 0", U64(f.st->grey),
	      U64(f.st->orphans), nodes);
	CHECK(f.st->block_bytes == nodes * node_size &&
	      f.st->refs_found == nodes, "block_bytes %llu refs_found %llu",
	      U64(f.st->block_bytes), U64(f.st->refs_found));
	CHECK(f.img.mem.nlog < f.img.mem.log_capacity, "read log overflow");
	for (size_t i = 0; i < f.img.mem.nlog; i++)
		if (f.img.mem.log[i].addr - HEAP < nodes * node_size)
			heap_bytes_read += f.img.mem.log[i].len;
	CHECK(heap_bytes_read == nodes * node_size,
	      "%llu heap bytes read for %zu", U64(heap_bytes_read),
	      nodes * node_size);
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
	add_block(&f.img, a, 64);
	add_block(&f.img, n, 64);
	put(&f.img, ROOT, a);
	CHECK(finish_index(&f.img) == 0, "finish failed");
	set_flags(&f.img, n, MLK_F_NOSCAN | MLK_F_IGNORE);
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

/* ---- parents (memleak -a) ----------------------------------------------- */

/* What first held the block at addr of index ix, as a string: "root N",
 * "block 0x...", "none". */
static const char *parent_of(struct fixture *f, struct mlk_index *ix,
			     mlk_addr_t addr, char *buf, size_t bufsz)
{
	struct mlk_block *b = mlk_index_lookup(ix, addr);
	struct mlk_parent p;

	if (!b)
		return "no such block";
	switch (mlk_scan_parent(f->sc, b, &p)) {
	case MLK_PARENT_ROOT:
		snprintf(buf, bufsz, "root %u", p.root);
		break;
	case MLK_PARENT_BLOCK:
		snprintf(buf, bufsz, "block 0x%llx",
			 (unsigned long long)p.block->start);
		break;
	default:
		snprintf(buf, bufsz, "none");
	}
	return buf;
}

#define CHECK_PARENT(f, ix, addr, want)                                   \
	do {                                                               \
		char got_[64];                                             \
		parent_of(f, ix, addr, got_, sizeof(got_));                \
		CHECK(strcmp(got_, want) == 0, "parent of 0x%llx: %s, "   \
		      "want %s", (unsigned long long)(addr), got_, want);  \
	} while (0)

/*
 * Each block names what turned it grey: a root range by number, or the
 * block that held it. P lies below Q, so the sweep reads P while it is
 * still white and keeps its reference to C in the edge store; Q, reached
 * from root 0, then turns P grey behind the sweep, and C is counted from
 * the store: its parent must still be P. D is reached from the second
 * root range, Z is grey from the start (min_count 0), W stays white.
 */
static int test_scan_parents(char *why, size_t whysz)
{
	const mlk_addr_t p = HEAP, c = HEAP + 0x100, q = HEAP + 0x200,
			 d = HEAP + 0x300, z = HEAP + 0x400, w = HEAP + 0x500;
	char buf[64];
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE, PAGE) == 0, "setup failed");
	add_block(&f.img, p, 64);
	add_block(&f.img, c, 64);
	add_block(&f.img, q, 64);
	add_block(&f.img, d, 64);
	add_block_min_count(&f.img, z, 64, 0);
	add_block(&f.img, w, 64);
	put(&f.img, ROOT + 0x10, q);    /* root 0 -> Q */
	put(&f.img, ROOT + 0x808, d);   /* root 1 -> D */
	put(&f.img, q + 8, p);          /* Q -> P */
	put(&f.img, p + 16, c);         /* P -> C */
	put(&f.img, c + 8, q);          /* C -> Q: Q is grey already */
	put(&f.img, w + 8, c);          /* an orphan's reference counts not */
	CHECK(start_scan(&f) == 0, "scan setup failed");
	CHECK(mlk_scan_record_parents(f.sc) == 0, "record_parents refused");
	CHECK(mlk_scan_record_parents(f.sc) == -1,
	      "record_parents accepted twice");
	CHECK(mlk_scan_root(f.sc, ROOT, 0x800) == 0 &&
	      mlk_scan_root(f.sc, ROOT + 0x800, 0x800) == 0 &&
	      mlk_scan_drain(f.sc) == 0, "scan failed");
	f.st = mlk_scan_finish(f.sc);
	CHECK(has_flags(&f, p, MLK_F_GREY | MLK_F_SCANNED) &&
	      colour(&f, c) == 'g' && colour(&f, w) == 'w',
	      "colours wrong: the test does not test what it says");
	CHECK_PARENT(&f, f.img.ix, q, "root 0");
	CHECK_PARENT(&f, f.img.ix, d, "root 1");
	snprintf(buf, sizeof(buf), "block 0x%llx", (unsigned long long)q);
	CHECK_PARENT(&f, f.img.ix, p, buf);
	snprintf(buf, sizeof(buf), "block 0x%llx", (unsigned long long)p);
	CHECK_PARENT(&f, f.img.ix, c, buf);
	CHECK_PARENT(&f, f.img.ix, z, "none");
	CHECK_PARENT(&f, f.img.ix, w, "none");
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

/* Without the call, nothing is recorded, and the call comes too late
 * once a root has been scanned. */
static int test_scan_parents_off(char *why, size_t whysz)
{
	const mlk_addr_t a = HEAP;
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE, PAGE) == 0, "setup failed");
	add_block(&f.img, a, 64);
	put(&f.img, ROOT + 8, a);
	CHECK(scan_with_root(&f, ROOT, PAGE) == 0, "scan failed");
	CHECK(colour(&f, a) == 'g', "A not grey");
	CHECK_PARENT(&f, f.img.ix, a, "none");
	CHECK(mlk_scan_record_parents(f.sc) == -1,
	      "record_parents accepted after the roots");
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

/*
 * Per-cpu blocks are numbered after the main index: a per-cpu block held
 * by a root, a heap block held by a CPU's copy of it, and a per-cpu block
 * held by a heap block. set_percpu after record_parents is refused (the
 * parent words are counted for both indexes).
 */
static int test_scan_parents_percpu(char *why, size_t whysz)
{
	const mlk_addr_t pp = 0x1000, pq = 0x1100;  /* __percpu values */
	const mlk_addr_t offsets[1] = { PCPU_BASE - 0x1000 };
	const mlk_addr_t a = HEAP;
	struct mlk_index *pix = mlk_index_new();
	char buf[64];
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE, PAGE) == 0 && pix &&
	      fake_add_region(&f.img.mem, PCPU_BASE, PAGE) == 0,
	      "setup failed");
	CHECK(mlk_index_add(pix, pp, 64, MLK_KIND_PERCPU, 0, 1) == 0 &&
	      mlk_index_add(pix, pq, 64, MLK_KIND_PERCPU, 0, 1) == 0 &&
	      mlk_index_finish(pix) == 0, "percpu index failed");
	add_block(&f.img, a, 64);
	put(&f.img, ROOT + 8, pp);          /* root 0 -> PP */
	put(&f.img, PCPU_BASE + 0x10, a);   /* CPU 0's copy of PP -> A */
	put(&f.img, a + 8, pq);             /* A -> PQ */
	CHECK(start_scan(&f) == 0, "scan setup failed");
	CHECK(mlk_scan_record_parents(f.sc) == 0, "record_parents refused");
	CHECK(mlk_scan_set_percpu(f.sc, pix, offsets, 1) == -1,
	      "set_percpu accepted after record_parents");
	mlk_scan_free(f.sc);
	f.sc = NULL;
	CHECK(start_scan(&f) == 0, "scan setup failed");
	CHECK(mlk_scan_set_percpu(f.sc, pix, offsets, 1) == 0 &&
	      mlk_scan_record_parents(f.sc) == 0, "set-up refused");
	CHECK(mlk_scan_root(f.sc, ROOT, PAGE) == 0 &&
	      mlk_scan_drain(f.sc) == 0, "scan failed");
	f.st = mlk_scan_finish(f.sc);
	CHECK_PARENT(&f, pix, pp, "root 0");
	snprintf(buf, sizeof(buf), "block 0x%llx", (unsigned long long)pp);
	CHECK_PARENT(&f, f.img.ix, a, buf);
	snprintf(buf, sizeof(buf), "block 0x%llx", (unsigned long long)a);
	CHECK_PARENT(&f, pix, pq, buf);
	rc = 0;
out:
	fixture_free(&f);
	mlk_index_free(pix);
	return rc;
}

/* ---- interior references: aliases, strict mode, possibly lost ---------- */

/* All slab blocks (tag 0) have one alias, at offset 0x20. */
static const uint8_t alias_0x20[8] = { [0x20 / 8] = 1 << (0x20 % 8) };
static const struct mlk_alias_bits one_alias = { alias_0x20, 64 };
static const uint8_t page_rules[MLK_KIND_COUNT] = { 0 };

static int start_alias_scan(struct fixture *f)
{
	if (start_scan(f) != 0 ||
	    mlk_scan_set_aliases(f->sc, &one_alias, 1, page_rules) != 0)
		return -1;
	return 0;
}

/*
 * The root holds A's start, B + 0x20 (an alias), and C + 0x10 (no alias);
 * C holds D's start. W lies below A: the sweep reads it while white and
 * stores its doubtful word to E; A then turns W grey through an alias, and
 * the stored word is put aside like the others.
 * Strict: A, B grey; C, D white. Admitted: C, D grey and possibly lost;
 * A, B not; the grey set equals the scan without aliases.
 */
static int test_scan_aliases(char *why, size_t whysz)
{
	const mlk_addr_t w = HEAP, a = HEAP + 0x100, b = HEAP + 0x200,
			 c = HEAP + 0x300, d = HEAP + 0x400, e = HEAP + 0x500;
	struct fixture f;
	int rc = -1;

	CHECK(fixture_init(&f, PAGE, PAGE) == 0, "setup failed");
	add_block(&f.img, w, 64);
	add_block(&f.img, a, 64);
	add_block(&f.img, b, 64);
	add_block(&f.img, c, 64);
	add_block(&f.img, d, 64);
	add_block(&f.img, e, 64);
	put(&f.img, ROOT + 0x00, a);
	put(&f.img, ROOT + 0x08, b + 0x20);
	put(&f.img, ROOT + 0x10, c + 0x10);
	put(&f.img, c + 0x08, d);
	put(&f.img, a + 0x08, w + 0x20);  /* A -> W through an alias */
	put(&f.img, w + 0x08, e + 0x18);  /* W (read white) -> E: doubtful */
	CHECK(start_alias_scan(&f) == 0, "alias setup failed");
	CHECK(mlk_scan_set_aliases(f.sc, &one_alias, 1, page_rules) == -1,
	      "set_aliases accepted twice");
	CHECK(mlk_scan_root(f.sc, ROOT, PAGE) == 0 &&
	      mlk_scan_drain(f.sc) == 0, "scan failed");
	f.st = mlk_scan_finish(f.sc);
	CHECK(colour(&f, a) == 'g' && colour(&f, b) == 'g' &&
	      colour(&f, w) == 'g', "solid references did not count");
	CHECK(colour(&f, c) == 'w' && colour(&f, d) == 'w' &&
	      colour(&f, e) == 'w', "doubtful references counted in strict "
	      "mode: C %c D %c E %c", colour(&f, c), colour(&f, d),
	      colour(&f, e));
	CHECK(f.st->doubtful_refs == 2, "doubtful refs %llu, want 2",
	      (unsigned long long)f.st->doubtful_refs);
	CHECK(mlk_scan_admit_doubtful(f.sc) == 0, "admit failed");
	CHECK(mlk_scan_admit_doubtful(f.sc) == -1, "admitted twice");
	f.st = mlk_scan_finish(f.sc);
	CHECK(has_flags(&f, c, MLK_F_GREY | MLK_F_POSSIBLE) &&
	      has_flags(&f, d, MLK_F_GREY | MLK_F_POSSIBLE) &&
	      has_flags(&f, e, MLK_F_GREY | MLK_F_POSSIBLE),
	      "C, D, E not possibly lost");
	CHECK(!has_flags(&f, a, MLK_F_POSSIBLE) &&
	      !has_flags(&f, b, MLK_F_POSSIBLE) &&
	      !has_flags(&f, w, MLK_F_POSSIBLE), "solid blocks possibly lost");
	CHECK(f.st->possibly_lost == 3 && f.st->possibly_lost_bytes == 192 &&
	      f.st->orphans == 0, "stats: %llu possibly lost, %llu orphans",
	      (unsigned long long)f.st->possibly_lost,
	      (unsigned long long)f.st->orphans);
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

/* Unknown types (bits NULL), tags past the table and the kind rules. */
static int test_scan_alias_rules(char *why, size_t whysz)
{
	const struct mlk_alias_bits unknown = { NULL, 0 };
	struct fixture f;
	struct mlk_block blk = { .start = HEAP, .size = 3 * PAGE };
	uint8_t rules[MLK_KIND_COUNT] = { 0 };
	int rc = -1;

	CHECK(fixture_init(&f, PAGE, PAGE) == 0, "setup failed");
	add_block(&f.img, HEAP, 64);
	CHECK(start_scan(&f) == 0, "scan setup failed");
	rules[MLK_KIND_VMALLOC] = MLK_ALIAS_PAGES;
	rules[MLK_KIND_PAGES] = MLK_ALIAS_START;
	CHECK(mlk_scan_set_aliases(f.sc, &unknown, 1, rules) == 0,
	      "set_aliases refused");
	blk.kind = MLK_KIND_SLAB;
	CHECK(mlk_scan_is_alias(f.sc, &blk, 0x18) == 1,
	      "unknown type: interior not solid");
	blk.tag = 5;
	CHECK(mlk_scan_is_alias(f.sc, &blk, 0x18) == 1,
	      "tag past the table: interior not solid");
	blk.kind = MLK_KIND_VMALLOC;
	CHECK(mlk_scan_is_alias(f.sc, &blk, PAGE) == 1 &&
	      mlk_scan_is_alias(f.sc, &blk, 0x18) == 0, "page rule wrong");
	blk.kind = MLK_KIND_PAGES;
	CHECK(mlk_scan_is_alias(f.sc, &blk, 0) == 1 &&
	      mlk_scan_is_alias(f.sc, &blk, PAGE) == 0, "start rule wrong");
	blk.kind = MLK_KIND_PERCPU;
	CHECK(mlk_scan_is_alias(f.sc, &blk, 0x18) == 1, "any rule wrong");
	rc = 0;
out:
	fixture_free(&f);
	return rc;
}

/*
 * Breadth first: the root holds A (at 0x00) and C (at 0x100); A holds B,
 * B holds C. The sweep would name B as C's parent if it read B first;
 * breadth first names the root, one hop, with the word's address.
 */
static int test_scan_breadth_first(char *why, size_t whysz)
{
	const mlk_addr_t a = HEAP + 0x200, b = HEAP + 0x100, c = HEAP;
	struct mlk_parent p;
	struct fixture f;
	char buf[64];
	int rc = -1;

	CHECK(fixture_init(&f, PAGE, PAGE) == 0, "setup failed");
	add_block(&f.img, a, 64);
	add_block(&f.img, b, 64);
	add_block(&f.img, c, 64);
	put(&f.img, ROOT + 0x00, a);
	put(&f.img, a + 0x18, b + 0x08);
	put(&f.img, b + 0x10, c);
	put(&f.img, ROOT + 0x100, c + 0x20);
	CHECK(start_scan(&f) == 0, "scan setup failed");
	CHECK(mlk_scan_set_breadth_first(f.sc) == 0, "breadth first refused");
	CHECK(mlk_scan_set_breadth_first(f.sc) == -1,
	      "breadth first accepted twice");
	CHECK(mlk_scan_root(f.sc, ROOT, PAGE) == 0 &&
	      mlk_scan_drain(f.sc) == 0, "scan failed");
	f.st = mlk_scan_finish(f.sc);
	CHECK(colour(&f, a) == 'g' && colour(&f, b) == 'g' &&
	      colour(&f, c) == 'g', "not all grey");
	CHECK_PARENT(&f, f.img.ix, a, "root 0");
	CHECK_PARENT(&f, f.img.ix, c, "root 0");
	snprintf(buf, sizeof(buf), "block 0x%llx", (unsigned long long)a);
	CHECK_PARENT(&f, f.img.ix, b, buf);
	mlk_scan_parent(f.sc, mlk_index_lookup(f.img.ix, c), &p);
	CHECK(p.where == ROOT + 0x100, "C's word at 0x%llx",
	      (unsigned long long)p.where);
	mlk_scan_parent(f.sc, mlk_index_lookup(f.img.ix, b), &p);
	CHECK(p.where == a + 0x18, "B's word at 0x%llx",
	      (unsigned long long)p.where);
	CHECK(f.st->block_bytes == 192, "blocks read: %llu bytes",
	      (unsigned long long)f.st->block_bytes);
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
	unit_run("scan_tagged_pointers", test_scan_tagged_pointers);
	unit_run("strip_pac", test_strip_pac);
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
	unit_run("scan_progress_at_end", test_scan_progress_at_end);
	unit_run("scan_progress_in_large_root",
		 test_scan_progress_in_large_root);
	unit_run("scan_root_buf", test_scan_root_buf);
	unit_run("scan_reads_in_address_order",
		 test_scan_reads_in_address_order);
	unit_run("scan_stats_counts", test_scan_stats_counts);
	unit_run("scan_long_list", test_scan_long_list);
	unit_run("scan_rescan_resets", test_scan_rescan_resets);
	unit_run("scan_parents", test_scan_parents);
	unit_run("scan_parents_off", test_scan_parents_off);
	unit_run("scan_parents_percpu", test_scan_parents_percpu);
	unit_run("scan_aliases", test_scan_aliases);
	unit_run("scan_alias_rules", test_scan_alias_rules);
	unit_run("scan_breadth_first", test_scan_breadth_first);
}
