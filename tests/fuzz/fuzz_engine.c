/*
 * fuzz_engine.c - libFuzzer target over memleak's crash-independent engine:
 * the block index, the scan (with per-cpu blocks), the orphan classes, the
 * hex dump formatter and the pure decoders (stack depot, SLUB track,
 * page_owner, SLUB slab freelists). Built and run by tests/fuzz/run.sh.
 *
 * The input describes a synthetic kernel memory image and what to do with
 * it. Fields are taken in order with a cursor that yields zeros once the
 * input is used up, so any input is valid and short inputs mean zeros.
 *
 *   u8  pages         image size: (pages % 4 + 1) pages of 4 KiB
 *   u8  holes         bit i: page i of the image cannot be read
 *   u16 base          image at IMAGE_BASE + base * 4 KiB
 *   u16 fill          % (size + 1): the image's first bytes, which follow
 *                     (the rest of the image is zero)
 *   u8  nblocks       % (MAX_BLOCKS + 1)
 *   u8  nroots        % (MAX_ROOTS + 1)
 *   u8  npatches      % (MAX_PATCHES + 1)
 *   u8  npcpu         low nibble: per-cpu blocks % (MAX_PCPU + 1);
 *                     high bits: CPUs (1 + (v >> 4) % 4)
 *   u8  opts          bit 0: watch a block; bit 1: a register-style root
 *                     buffer; bit 2: the progress callback aborts the scan
 *                     after (opts >> 4) calls; bit 3: a root at the top of
 *                     the address space; bit 5 (also part of opts >> 4):
 *                     record what turned each block grey (memleak -a)
 *   u16 watch         watched address: base - 4 KiB + watch
 *   blocks  nblocks x { u16 start, u16 size, u8 flags, u8 min_count }:
 *           start is an offset from base - 4 KiB (so some blocks begin
 *           outside the image), size may be 0; flags bit 0 NOSCAN, bit 1
 *           IGNORE, bits 2-3 kind; min_count % 4
 *   roots   nroots x { u16 start, u16 len } (start from base - 4 KiB)
 *   patches npatches x { u16 word, u16 target }: image word (word % words)
 *           := base - 4 KiB + target, or with target's top bit set, the
 *           per-cpu pointer PCPU_BASE + (target & 0x7fff)
 *   pcpu    npcpu x { u16 start, u16 size, u8 min_count }: per-cpu blocks
 *           at PCPU_BASE + start; CPU c's copy at start + cpu_off[c], the
 *           CPUs' copies laid out in the image
 *   regs    64 bytes, with opts bit 1
 *   depot   u8 sel (bit 7: every layout field from the input, else a
 *           preset generation), layout bytes, 8 x u32 handles, u8 max
 *   track   u8 sel, layout bytes, u16 len and len bytes, u32 inuse,
 *           u32 offset, u16 object, u64 when, u64 jiffies
 *   owner   u8 sel, layout bytes, u64 flags, u16 len and len bytes,
 *           u16 pfn, u16 section, u8 invalid, u8 order
 *   hexdump u8 n, u8 outsz, 24 bytes
 *   slub    u8 sel (bit 0: hardened; bit 7: the counters' bit fields from
 *           the input, 3 x { u8 pos, u8 width }, else the preset),
 *           u64 counters (objects % (MAX_SLAB_OBJECTS + 1)), u16 size,
 *           u16 offset, u16 red_left_pad, u64 random, u16 span (bytes of
 *           the image, from its base, read as the slab), u16 freelist,
 *           u16 cpu_freelist (0: NULL, else base - 256 + v), u16 object,
 *           u64 ptr_addr: the slab is at the image's base, its bytes the
 *           image's (after the scan's patches)
 *   suppress u16 len and len bytes of rules
 *   jsonl   u16 len and len bytes: one line
 *   aliases the alias table (offsets/): u8 ntypes % 8, each { u8 name,
 *           u16 size, u8 noffsets % 8 x u16, u8 nmembers % 8 x { u16
 *           offset, u16 size, u8 name } } (names from a fixed list), built,
 *           encoded as a cache file, then damaged: u8 mode % 4 (0 none; 1
 *           u16 pos, u8 xor: one byte flipped; 2 u16 len: truncated; 3
 *           u16 pos, u32 value: a word overwritten and the checksum
 *           recomputed), u16 lo, u16 hi (a size range queried)
 *
 * Besides what the sanitizers catch, the target checks the engine against
 * a naive model: every lookup against a linear search of the kept blocks;
 * every block's final colour and reference count against a worklist scan
 * with linear lookups (the result of the tri-colour scan does not depend
 * on the order blocks are scanned in); the orphan classes against the
 * orphan graph (an orphan nothing points to is direct; an indirect one is
 * reachable from its owner); the cached stack depot decoder against the
 * uncached one; the SLUB freelist marking against a walk that finds
 * objects by linear search and cycles by a list of the objects seen; the
 * alias table's cache file: an intact one loads back equal, a flipped byte
 * or a truncation is always refused, and a file the decoder takes (after a
 * resealed overwrite) encodes back to the same bytes and answers queries
 * like a linear search of it. A mismatch aborts (a finding, like a crash).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "classify.h"
#include "stackdepot_decode.h"
#include "track_decode.h"
#include "pageowner_decode.h"
#include "slub_decode.h"
#include "suppress.h"
#include "jsonl_read.h"
#include "aliases.h"
#include "alias_cache.h"
#include "json_write.h"

#define IMAGE_BASE  0xffff888000000000ull
#define PCPU_BASE   0x0000000000030000ull
#define MAX_PAGES   4
#define MAX_BLOCKS  48
#define MAX_IX      (MAX_BLOCKS + 1) /* one more added after a finish */
#define MAX_ROOTS   8
#define MAX_PATCHES 64
#define MAX_PCPU    8
#define MAX_CPUS    4
#define MAX_SLAB_OBJECTS 512 /* the model's walk is quadratic */

/* -DFUZZ_DEBUG: say what each input did (to check the seeds). */
#ifdef FUZZ_DEBUG
#define DEBUG(...) fprintf(stderr, "fuzz_engine: " __VA_ARGS__)
#else
#define DEBUG(...) do { } while (0)
#endif

#define CHECK(cond, ...)                                                    \
	do {                                                                \
		if (!(cond)) {                                              \
			fprintf(stderr, "fuzz_engine: check failed: %s: ",   \
				#cond);                                     \
			fprintf(stderr, __VA_ARGS__);                        \
			fprintf(stderr, "\n");                               \
			abort();                                            \
		}                                                           \
	} while (0)

/* ---- input cursor ---------------------------------------------------------- */

struct cursor {
	const uint8_t *p;
	size_t left;
};

static uint64_t take(struct cursor *c, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++) {
		uint64_t b = 0;

		if (c->left) {
			b = *c->p++;
			c->left--;
		}
		v |= b << (8 * i);
	}
	return v;
}

#define U8(c)  ((uint8_t)take((c), 1))
#define U16(c) ((uint16_t)take((c), 2))
#define U32(c) ((uint32_t)take((c), 4))
#define U64(c) (take((c), 8))

/* ---- the memory image -------------------------------------------------------- */

struct image {
	mlk_addr_t base;
	size_t len;
	uint8_t holes;
	uint8_t bytes[MAX_PAGES * MLK_PAGE];
};

/* Readable: inside the image, and no page of it a hole. */
static int image_readable(const struct image *im, mlk_addr_t addr, size_t len)
{
	if (addr < im->base || addr - im->base > im->len ||
	    len > im->len - (addr - im->base))
		return 0;
	for (size_t off = (size_t)(addr - im->base); len > 0;) {
		size_t page = off / MLK_PAGE;
		size_t piece = MLK_PAGE - off % MLK_PAGE;

		if (im->holes & (1u << page))
			return 0;
		if (piece >= len)
			break;
		off += piece;
		len -= piece;
	}
	return 1;
}

static int image_read(void *ctx, mlk_addr_t addr, void *buf, size_t len)
{
	const struct image *im = ctx;

	CHECK(len <= MLK_READ_CHUNK, "read of %zu bytes", len);
	if (len == 0)
		return 0;
	if (!image_readable(im, addr, len))
		return -1;
	memcpy(buf, im->bytes + (addr - im->base), len);
	return 0;
}

/* The word at an 8-aligned addr, if the engine can read it. */
static int image_word(const struct image *im, mlk_addr_t addr, uint64_t *v)
{
	if (!image_readable(im, addr, 8))
		return 0;
	memcpy(v, im->bytes + (addr - im->base), 8);
	return 1;
}

/* ---- the model of the scan ------------------------------------------------------ */

struct model_block {
	mlk_addr_t start;
	uint32_t size;
	uint16_t min_count;
	uint8_t flags;   /* NOSCAN, IGNORE as set by the caller */
	int percpu;      /* in the per-cpu index */
	uint64_t count;
	int grey;
};

struct model {
	struct model_block b[MAX_IX + MAX_PCPU];
	size_t n, nix;   /* all blocks; those of the main index come first */
	size_t queue[MAX_IX + MAX_PCPU];
	size_t qhead, qtail;
	const struct image *im;
	const mlk_addr_t *cpu_off;
	unsigned ncpus;
};

static long model_find(const struct model *m, mlk_addr_t v)
{
	for (size_t i = 0; i < m->nix; i++)
		if (v - m->b[i].start < m->b[i].size)
			return (long)i;
	for (size_t i = m->nix; i < m->n; i++)
		if (v - m->b[i].start < m->b[i].size)
			return (long)i;
	return -1;
}

static void model_grey(struct model *m, size_t i)
{
	m->b[i].grey = 1;
	if (!(m->b[i].flags & MLK_F_NOSCAN))
		m->queue[m->qtail++] = i;
}

static void model_value(struct model *m, uint64_t v, long self)
{
	long t = model_find(m, v);

	if (t < 0 || t == self)
		return;
	m->b[t].count++;
	if (!m->b[t].grey && m->b[t].count >= m->b[t].min_count)
		model_grey(m, (size_t)t);
}

/* The aligned words of [start, start + len) the engine can read. */
static void model_range(struct model *m, mlk_addr_t start, uint64_t len,
			long self)
{
	const struct image *im = m->im;
	mlk_addr_t lo = start, hi;

	if (start != 0 && len > 0 - start)
		len = 0 - start; /* nothing past the top of the address space */
	hi = start + len;
	if (hi < lo)
		return;
	if (lo < im->base)
		lo = im->base;
	if (hi > im->base + im->len)
		hi = im->base + im->len;
	for (mlk_addr_t a = (lo + 7) & ~(mlk_addr_t)7; a + 8 <= hi && a >= lo;
	     a += 8) {
		uint64_t v;

		if (image_word(im, a, &v))
			model_value(m, v, self);
	}
}

static void model_drain(struct model *m)
{
	while (m->qhead < m->qtail) {
		size_t i = m->queue[m->qhead++];
		struct model_block *b = &m->b[i];

		if (!b->percpu) {
			model_range(m, b->start, b->size, (long)i);
			continue;
		}
		for (unsigned c = 0; c < m->ncpus; c++)
			model_range(m, b->start + m->cpu_off[c], b->size,
				    (long)i);
	}
}

/* ---- checks of the index ------------------------------------------------------- */

static void check_index(struct mlk_index *ix, const uint64_t *probes,
			size_t nprobes)
{
	size_t n = mlk_index_count(ix);

	for (size_t i = 1; i < n; i++) {
		const struct mlk_block *a = mlk_index_at(ix, i - 1);
		const struct mlk_block *b = mlk_index_at(ix, i);

		CHECK(a->start < b->start && a->start + a->size <= b->start,
		      "blocks %zu and %zu overlap or are out of order", i - 1,
		      i);
	}
	CHECK(mlk_index_at(ix, n) == NULL, "block past the end");
	for (size_t p = 0; p < nprobes; p++) {
		const struct mlk_block *want = NULL;

		for (size_t i = 0; i < n && !want; i++) {
			const struct mlk_block *b = mlk_index_at(ix, i);

			if (probes[p] - b->start < b->size)
				want = b;
		}
		CHECK(mlk_index_lookup(ix, probes[p]) == want,
		      "lookup of 0x%llx", (unsigned long long)probes[p]);
	}
}

/* ---- the scan ------------------------------------------------------------------- */

struct watch_count {
	uint64_t calls;
};

static void on_watch(void *ctx, mlk_addr_t where, const struct mlk_block *from)
{
	(void)where;
	(void)from;
	((struct watch_count *)ctx)->calls++;
}

struct abort_after {
	unsigned calls, limit;
};

static int on_progress(void *ctx, const struct mlk_stats *st)
{
	struct abort_after *a = ctx;

	(void)st;
	return ++a->calls > a->limit;
}

/* Orphan graph checks (step 5 of the header comment). */
/*
 * What turned each block grey (mlk_scan_record_parents()) after a complete
 * scan: nothing for a white block or one grey from the start (min_count
 * 0); else a root range scanned, or another grey block that was read (not
 * NOSCAN).
 */
static void check_parents(struct mlk_scan *sc, const struct mlk_block *b,
			  const struct mlk_stats *st)
{
	struct mlk_parent p;
	enum mlk_parent_kind kind = mlk_scan_parent(sc, b, &p);

	if (!(b->flags & MLK_F_GREY) || b->min_count == 0) {
		CHECK(kind == MLK_PARENT_NONE, "block at 0x%llx: a parent, "
		      "white or grey from the start",
		      (unsigned long long)b->start);
		return;
	}
	CHECK(kind != MLK_PARENT_NONE, "grey block at 0x%llx: no parent",
	      (unsigned long long)b->start);
	if (kind == MLK_PARENT_ROOT)
		CHECK(p.root < st->root_ranges, "block at 0x%llx: root %u of "
		      "%llu", (unsigned long long)b->start, p.root,
		      (unsigned long long)st->root_ranges);
	else
		CHECK(p.block != b && (p.block->flags & MLK_F_GREY) &&
		      !(p.block->flags & MLK_F_NOSCAN), "block at 0x%llx: "
		      "parent 0x%llx itself, white or not scanned",
		      (unsigned long long)b->start,
		      (unsigned long long)p.block->start);
}

static void check_classes(struct mlk_index *ix, const struct image *im,
			  const struct mlk_orphans *o)
{
	size_t n = mlk_index_count(ix), norph = 0, direct = 0;
	static uint8_t edge[MAX_IX][MAX_IX];
	size_t idx[MAX_IX];

	for (size_t i = 0; i < n; i++)
		if (mlk_block_is_orphan(mlk_index_at(ix, i)))
			idx[norph++] = i;
	CHECK(o->count == norph, "%zu orphans classified, %zu in the index",
	      o->count, norph);
	for (size_t i = 0; i < norph; i++) {
		CHECK(o->block[i] == idx[i], "orphan %zu is block %zu, not %zu",
		      i, o->block[i], idx[i]);
		CHECK(mlk_orphans_find(o, idx[i]) == (long)i, "find %zu", i);
		CHECK(o->owner[i] < norph, "owner of %zu out of range", i);
		CHECK(o->owner[o->owner[i]] == o->owner[i],
		      "owner of orphan %zu is not direct", i);
		direct += o->owner[i] == i;
	}
	CHECK(o->direct == direct, "direct %zu, counted %zu", o->direct, direct);

	/* The edges, from the orphans' readable words. */
	memset(edge, 0, sizeof(edge));
	for (size_t x = 0; x < norph; x++) {
		const struct mlk_block *b = mlk_index_at(ix, idx[x]);

		if (b->flags & MLK_F_NOSCAN)
			continue;
		for (mlk_addr_t a = (b->start + 7) & ~(mlk_addr_t)7;
		     a + 8 <= b->start + b->size && a >= b->start; a += 8) {
			uint64_t v;
			const struct mlk_block *t;
			long y;

			if (!image_word(im, a, &v))
				continue;
			t = mlk_index_lookup(ix, v);
			if (!t || t == b)
				continue;
			y = mlk_orphans_find(o, (size_t)(t - mlk_index_at(ix, 0)));
			if (y >= 0)
				edge[x][y] = 1;
		}
	}
	for (size_t y = 0; y < norph; y++) {
		int has_in = 0;
		uint64_t held = 0, bytes = 0;

		for (size_t x = 0; x < norph; x++)
			has_in |= x != y && edge[x][y];
		CHECK(has_in || o->owner[y] == y,
		      "orphan %zu has no incoming edge but is indirect", y);
		if (o->owner[y] != y) {
			/* reachable from its owner */
			uint8_t seen[MAX_IX] = { 0 };
			size_t stack[MAX_IX], sp = 0;

			seen[o->owner[y]] = 1;
			stack[sp++] = o->owner[y];
			while (sp > 0) {
				size_t x = stack[--sp];

				for (size_t z = 0; z < norph; z++)
					if (edge[x][z] && !seen[z]) {
						seen[z] = 1;
						stack[sp++] = z;
					}
			}
			CHECK(seen[y], "indirect orphan %zu unreachable from "
			      "its owner %zu", y, o->owner[y]);
			CHECK(o->held_blocks[y] == 0, "indirect %zu holds", y);
			continue;
		}
		for (size_t z = 0; z < norph; z++)
			if (z != y && o->owner[z] == y) {
				held++;
				bytes += mlk_index_at(ix, idx[z])->size;
			}
		CHECK(o->held_blocks[y] == held && o->held_bytes[y] == bytes,
		      "direct %zu holds %llu/%llu, counted %llu/%llu", y,
		      (unsigned long long)o->held_blocks[y],
		      (unsigned long long)o->held_bytes[y],
		      (unsigned long long)held, (unsigned long long)bytes);
	}
}

static void fuzz_scan(struct cursor *c, struct image *im,
		      const struct mlk_source *src)
{
	uint8_t nblocks = U8(c) % (MAX_BLOCKS + 1);
	uint8_t nroots = U8(c) % (MAX_ROOTS + 1);
	uint8_t npatches = U8(c) % (MAX_PATCHES + 1);
	uint8_t pc = U8(c);
	uint8_t opts = U8(c);
	uint16_t watch = U16(c);
	unsigned npcpu = (pc & 0x0f) % (MAX_PCPU + 1);
	unsigned ncpus = 1 + (pc >> 4) % MAX_CPUS;
	mlk_addr_t lo = im->base - MLK_PAGE;
	struct mlk_index *ix = mlk_index_new(), *pix = NULL;
	struct { uint16_t start, len; } roots[MAX_ROOTS];
	struct { uint8_t noscan_ignore; } extra[MAX_BLOCKS];
	mlk_addr_t cpu_off[MAX_CPUS];
	uint64_t probes[64];
	size_t nprobes = 0;
	struct model *m = calloc(1, sizeof(*m));
	struct mlk_scan *sc = NULL;
	struct watch_count wc = { 0 };
	struct abort_after ab = { 0, opts >> 4 };
	int aborted = 0;
	uint8_t regs[64];

	CHECK(ix && m, "out of memory");
	for (unsigned i = 0; i < nblocks; i++) {
		uint16_t start = U16(c), size = U16(c);
		uint8_t flags = U8(c), min_count = U8(c) % 4;

		extra[i].noscan_ignore = flags & 3;
		CHECK(mlk_index_add(ix, lo + start, size, (flags >> 2) & 3, i,
				    min_count) == 0, "index_add");
		if (nprobes < 60) {
			probes[nprobes++] = lo + start;
			probes[nprobes++] = lo + start + size;
		}
	}
	for (unsigned i = 0; i < nroots; i++) {
		roots[i].start = U16(c);
		roots[i].len = U16(c);
	}
	for (unsigned i = 0; i < npatches; i++) {
		uint16_t word = U16(c), target = U16(c);
		size_t at = (word % (im->len / 8)) * 8;
		uint64_t v = target & 0x8000 ? PCPU_BASE + (target & 0x7fff) :
			lo + target;

		memcpy(im->bytes + at, &v, 8);
	}
	if (npcpu) {
		pix = mlk_index_new();
		CHECK(pix, "out of memory");
		for (unsigned i = 0; i < npcpu; i++) {
			uint16_t start = U16(c), size = U16(c) % 512;

			CHECK(mlk_index_add(pix, PCPU_BASE + start % 0x8000, size,
					    MLK_KIND_PERCPU, i,
					    U8(c) % 3) == 0, "pcpu add");
		}
		CHECK(mlk_index_finish(pix) == 0, "pcpu finish");
		/* CPU copies spread over the image */
		for (unsigned i = 0; i < ncpus; i++)
			cpu_off[i] = im->base + i * (im->len / ncpus) - PCPU_BASE;
	}

	/* A finish, more adds, and a second finish must behave. */
	if (opts & 0x40) {
		CHECK(mlk_index_finish(ix) == 0, "first finish");
		CHECK(mlk_index_add(ix, lo + watch, 24, 0, 99, 1) == 0, "add");
	}
	CHECK(mlk_index_finish(ix) == 0, "finish");
	probes[nprobes++] = lo + watch;
	probes[nprobes++] = 0;
	probes[nprobes++] = ~0ull;
	check_index(ix, probes, nprobes);
	for (size_t i = 0; i < mlk_index_count(ix); i++) {
		struct mlk_block *b = mlk_index_at(ix, i);
		uint8_t f = b->tag < MAX_BLOCKS ? extra[b->tag].noscan_ignore : 0;

		b->flags |= (f & 1 ? MLK_F_NOSCAN : 0) | (f & 2 ? MLK_F_IGNORE : 0);
	}

	/* The model: the same blocks, flags and roots. */
	m->im = im;
	m->cpu_off = cpu_off;
	m->ncpus = ncpus;
	for (size_t i = 0; i < mlk_index_count(ix); i++) {
		const struct mlk_block *b = mlk_index_at(ix, i);

		m->b[m->n++] = (struct model_block){ b->start, b->size,
			b->min_count, b->flags, 0, 0, 0 };
	}
	m->nix = m->n;
	for (size_t i = 0; pix && i < mlk_index_count(pix); i++) {
		const struct mlk_block *b = mlk_index_at(pix, i);

		m->b[m->n++] = (struct model_block){ b->start, b->size,
			b->min_count, b->flags, 1, 0, 0 };
	}

	sc = mlk_scan_new(ix, src, opts & 4 ? on_progress : NULL, &ab);
	CHECK(sc, "scan_new");
	if (pix)
		CHECK(mlk_scan_set_percpu(sc, pix, cpu_off, ncpus) == 0,
		      "set_percpu");
	if (opts & 0x20)
		CHECK(mlk_scan_record_parents(sc) == 0, "record_parents");
	for (size_t i = 0; i < m->n; i++)
		if (m->b[i].min_count == 0)
			model_grey(m, i);
	if (opts & 1)
		mlk_scan_watch(sc, lo + watch, on_watch, &wc);
	for (unsigned i = 0; i < nroots; i++) {
		aborted |= mlk_scan_root(sc, lo + roots[i].start,
					 roots[i].len) < 0;
		model_range(m, lo + roots[i].start, roots[i].len, -1);
	}
	if (opts & 8) {
		/* ends exactly at the top of the address space */
		aborted |= mlk_scan_root(sc, 0ull - 3 * MLK_PAGE, ~0ull) < 0;
	}
	if (opts & 2) {
		for (unsigned i = 0; i < sizeof(regs); i++)
			regs[i] = U8(c);
		aborted |= mlk_scan_root_buf(sc, regs, sizeof(regs)) < 0;
		for (unsigned i = 0; i + 8 <= sizeof(regs); i += 8) {
			uint64_t v;

			memcpy(&v, regs + i, 8);
			model_value(m, v, -1);
		}
	}
	aborted |= mlk_scan_drain(sc) < 0;
	model_drain(m);
	const struct mlk_stats *st = mlk_scan_finish(sc);

	CHECK(st == mlk_scan_stats(sc), "stats pointer");
	CHECK(mlk_index_memory(ix) >= mlk_index_count(ix) *
	      sizeof(struct mlk_block), "index memory");

	if (!aborted) {
		uint64_t grey = 0, orphans = 0;
		const struct mlk_block *watched = mlk_index_lookup(ix, lo + watch);

		for (size_t i = 0; i < m->n; i++) {
			const struct mlk_block *b = i < m->nix ?
				mlk_index_at(ix, i) : mlk_index_at(pix, i - m->nix);

			CHECK(!!(b->flags & MLK_F_GREY) == m->b[i].grey,
			      "block %zu at 0x%llx: grey %d, model %d", i,
			      (unsigned long long)b->start,
			      !!(b->flags & MLK_F_GREY), m->b[i].grey);
			CHECK(b->count == m->b[i].count, "block %zu at 0x%llx: "
			      "%u references, model %llu", i,
			      (unsigned long long)b->start, b->count,
			      (unsigned long long)m->b[i].count);
			grey += m->b[i].grey;
			orphans += !m->b[i].grey && !(b->flags & MLK_F_IGNORE);
			if (opts & 0x20)
				check_parents(sc, b, st);
		}
		CHECK(st->grey == grey && st->orphans == orphans,
		      "stats grey %llu orphans %llu, model %llu %llu",
		      (unsigned long long)st->grey,
		      (unsigned long long)st->orphans,
		      (unsigned long long)grey, (unsigned long long)orphans);
		if ((opts & 1) && watched)
			CHECK(wc.calls == watched->count, "watch calls %llu, "
			      "references %u", (unsigned long long)wc.calls,
			      watched->count);
	}

	/* The orphans' classes, partial scan or not. */
	struct mlk_orphans o;

	CHECK(mlk_classify_orphans(ix, src, &o) == 0, "classify");
	DEBUG("scan: %zu blocks, %zu per-cpu, %s, grey %llu, orphans %llu "
	      "(%zu direct, %llu edges), watch calls %llu\n",
	      mlk_index_count(ix), pix ? mlk_index_count(pix) : 0,
	      aborted ? "aborted" : "complete", (unsigned long long)st->grey,
	      (unsigned long long)st->orphans, o.direct,
	      (unsigned long long)o.edges, (unsigned long long)wc.calls);
	check_classes(ix, im, &o);
	mlk_orphans_free(&o);
	CHECK(o.count == 0 && o.block == NULL, "orphans_free");

	mlk_scan_free(sc);
	mlk_index_free(pix);
	mlk_index_free(ix);
	free(m);
}

/* ---- the decoders ------------------------------------------------------------- */

static void fuzz_depot(struct cursor *c, const struct image *im,
		       const struct mlk_source *src)
{
	struct mlk_depot_layout l;
	uint8_t sel = U8(c);
	const char *why = NULL;
	mlk_addr_t a[MLK_DEPOT_FRAMES_LIMIT + 8], b[MLK_DEPOT_FRAMES_LIMIT + 8];
	uint32_t handles[8];
	unsigned max;

	if (sel & 0x80) {
		/* every field from the input */
		struct mlk_bitfield *f[4] = { &l.pool, &l.offset, &l.valid,
					      &l.extra };

		memset(&l, 0, sizeof(l));
		for (unsigned i = 0; i < 4; i++) {
			f[i]->pos = U8(c);
			f[i]->width = U8(c);
		}
		l.pool_plus_one = U8(c) & 1;
		l.align_shift = U8(c) % 16;
		l.pools_addr = im->base + U16(c) - 64;
		l.pools_len = U32(c) % (2 * MLK_DEPOT_POOLS_LIMIT);
		l.pool_size = U32(c);
		l.rec_size_off = (int8_t)U8(c);
		l.rec_handle_off = (int8_t)U8(c);
		l.rec_count_off = (int8_t)U8(c);
		l.rec_entries_off = (int16_t)U16(c) % 300;
		l.max_frames = U16(c) % 300;
	} else {
		uint16_t pools = U16(c) % 512;
		uint8_t npools = U8(c) % 8;

		CHECK(mlk_depot_layout_preset(&l, sel % 4, im->base + pools,
					      npools) == 0, "preset");
		if (sel & 0x40) /* pool size unknown: no bound on offsets */
			l.pool_size = 0;
		if (sel & 0x20)
			l.max_frames = U16(c) % (MLK_DEPOT_FRAMES_LIMIT + 1);
	}
	for (unsigned i = 0; i < 8; i++)
		handles[i] = U32(c);
	max = U8(c) % (MLK_DEPOT_FRAMES_LIMIT + 8);
	if (mlk_depot_layout_check(&l, &why) < 0) {
		DEBUG("depot: layout refused: %s\n", why);
		CHECK(why != NULL, "check failed without a reason");
		CHECK(mlk_depot_fetch(&l, src, handles[0], a, max, &why) < 0,
		      "fetch with a bad layout");
		CHECK(mlk_depot_new(&l, src, &why) == NULL, "new, bad layout");
		return;
	}
	struct mlk_depot *d = mlk_depot_new(&l, src, &why);

	CHECK(d, "depot_new: %s", why ? why : "?");
	for (unsigned round = 0; round < 2; round++) {
		for (unsigned i = 0; i < 8; i++) {
			const char *w1 = NULL, *w2 = NULL;
			int n1 = mlk_depot_fetch(&l, src, handles[i], a, max, &w1);
			int n2 = mlk_depot_lookup(d, handles[i], b, max, &w2);

			if (round == 0)
				DEBUG("depot: handle 0x%x: %d (%s)\n", handles[i],
				      n1, w1 ? w1 : "ok");
			CHECK(n1 == n2, "handle 0x%x: fetch %d (%s), lookup %d "
			      "(%s)", handles[i], n1, w1 ? w1 : "", n2,
			      w2 ? w2 : "");
			CHECK(n1 < 0 ? w1 != NULL : (unsigned)n1 <= max,
			      "fetch result %d", n1);
			if (n1 > 0)
				CHECK(memcmp(a, b, n1 * sizeof(a[0])) == 0,
				      "handle 0x%x: entries differ", handles[i]);
		}
	}
	CHECK(mlk_depot_stats(d)->lookups == 16, "lookups counted");
	mlk_depot_free(d);
	(void)im;
}

static void fuzz_track(struct cursor *c, const struct image *im,
		       const struct mlk_source *src)
{
	struct mlk_track_layout l;
	struct mlk_track t;
	uint8_t sel = U8(c);
	const char *why = NULL;
	uint8_t bytes[MLK_TRACK_MAX_SIZE + 16];
	size_t len;
	uint32_t inuse, offset;
	mlk_addr_t obj, addr;
	uint64_t age;
	int rc;

	if (sel & 0x80) {
		l.size = U16(c) % (MLK_TRACK_MAX_SIZE + 64);
		l.addr_off = (int16_t)U16(c);
		l.handle_off = (int16_t)U16(c);
		l.addrs_off = (int16_t)U16(c);
		l.addrs_count = U8(c);
		l.cpu_off = (int16_t)U16(c);
		l.pid_off = (int16_t)U16(c);
		l.when_off = (int16_t)U16(c);
		l.cpu_limit = U8(c);
	} else {
		CHECK(mlk_track_layout_preset(&l, sel % 3) == 0, "preset");
		l.cpu_limit = U8(c) % 8;
	}
	len = U16(c) % sizeof(bytes);
	memset(bytes, 0, sizeof(bytes));
	for (size_t i = 0; i < len; i++)
		bytes[i] = U8(c);
	inuse = U32(c);
	offset = U32(c);
	obj = im->base + U16(c);
	rc = mlk_track_parse(&l, bytes, len, &t, &why);
	DEBUG("track: parse %d (%s)\n", rc, rc ? why : "ok");
	if (rc == 0) {
		CHECK(t.cpu >= 0 && t.pid >= 0 && t.pid <= MLK_PID_MAX_LIMIT,
		      "parsed cpu %d pid %d", t.cpu, t.pid);
		CHECK(t.nr_entries <= MLK_TRACK_MAX_INLINE, "entries");
		CHECK(l.cpu_limit == 0 || (uint32_t)t.cpu < l.cpu_limit, "cpu");
	} else {
		CHECK(rc == MLK_TRACK_EMPTY || rc == -1, "rc %d", rc);
		CHECK(why != NULL, "no reason");
	}
	for (int which = 0; which < 2; which++) {
		why = NULL;
		rc = mlk_track_fetch(&l, src, obj, inuse, offset, which, &t, &why);
		CHECK(rc == 0 || rc == MLK_TRACK_EMPTY || (rc == -1 && why),
		      "fetch rc %d", rc);
		if (mlk_track_addr(obj, inuse, offset, l.size, which, &addr) == 0)
			CHECK(addr >= obj, "track address below the object");
		mlk_track_addr(~0ull - (inuse & 0xff), inuse, offset, l.size,
			       which, &addr);
	}
	(void)mlk_track_info_end(inuse, offset);
	uint64_t when = U64(c), jiffies = U64(c);

	if (mlk_jiffies_age(when, jiffies, &age) == 0)
		CHECK(age <= (uint64_t)INT64_MAX && when + age == jiffies, "age");
}

static void fuzz_page_owner(struct cursor *c, const struct image *im,
			    const struct mlk_source *src)
{
	struct mlk_page_owner_layout l;
	struct mlk_page_owner po;
	uint8_t sel = U8(c);
	const char *why = NULL;
	uint8_t bytes[512];
	uint64_t flags;
	size_t len;
	mlk_addr_t pe;
	int rc;

	if (sel & 0x80) {
		l.page_ext_size = U16(c) % (MLK_PAGE_EXT_MAX_SIZE + 64);
		l.owner_offset = U16(c) % 1100;
		l.owner_bit = (int8_t)U8(c);
		l.allocated_bit = (int8_t)U8(c);
		l.size = U16(c) % 600;
		l.order_off = (int16_t)U16(c);
		l.order_size = U8(c) % 6;
		l.last_migrate_reason_off = (int16_t)U16(c);
		l.gfp_off = (int16_t)U16(c);
		l.handle_off = (int16_t)U16(c);
		l.free_handle_off = (int16_t)U16(c);
		l.ts_nsec_off = (int16_t)U16(c);
		l.free_ts_nsec_off = (int16_t)U16(c);
		l.pid_off = (int16_t)U16(c);
		l.tgid_off = (int16_t)U16(c);
		l.comm_off = (int16_t)U16(c);
		l.comm_len = U8(c);
		l.max_order = U8(c) % 20;
	} else {
		CHECK(mlk_page_owner_layout_preset(&l, sel % 2) == 0, "preset");
		l.page_ext_size = 8 + l.size + (U8(c) % 64);
		l.owner_offset = 8 + U8(c) % (l.page_ext_size - 8 - l.size + 1);
		l.owner_bit = U8(c) % 8;
		l.allocated_bit = (int)(U8(c) % 9) - 1;
	}
	flags = U64(c);
	len = U16(c) % sizeof(bytes);
	memset(bytes, 0, sizeof(bytes));
	for (size_t i = 0; i < len; i++)
		bytes[i] = U8(c);
	rc = mlk_page_owner_parse(&l, flags, bytes, len, &po, &why);
	DEBUG("page_owner: parse %d (%s)\n", rc, rc ? why : po.comm);
	if (rc == 0) {
		CHECK(memchr(po.comm, 0, sizeof(po.comm)) != NULL,
		      "comm not terminated");
		CHECK(po.pid >= -1 && po.tgid >= -1, "pid %d tgid %d", po.pid,
		      po.tgid);
	} else {
		CHECK(rc == MLK_PAGE_OWNER_NONE || (rc == -1 && why), "rc %d", rc);
	}
	uint64_t pfn = U16(c);
	mlk_addr_t section = im->base + U16(c) % im->len - l.page_ext_size * pfn;

	if (U8(c) & 1)
		section |= 1; /* PAGE_EXT_INVALID */
	if (mlk_page_ext_addr(&l, section, pfn, &pe, &why) == 0)
		(void)mlk_page_owner_addr(&l, pe);
	why = NULL;
	rc = mlk_page_owner_fetch(&l, src, section, pfn, &po, &why);
	CHECK(rc == 0 || rc == MLK_PAGE_OWNER_NONE || (rc == -1 && why),
	      "fetch rc %d", rc);
	(void)mlk_page_owner_is_head(pfn, U8(c));
}

/* ---- SLUB freelists ------------------------------------------------------ */

/* The model's object lookup: a linear search. */
static int64_t model_object(const struct mlk_slub_cache_desc *c,
			    const struct mlk_slub_slab_desc *s, mlk_addr_t p)
{
	for (uint32_t i = 0; c->size && i < s->objects; i++)
		if (p == s->base + c->red_left_pad + (mlk_addr_t)i * c->size)
			return i;
	return -1;
}

/* The model's free pointer: the hardened variants tried in turn. */
static mlk_addr_t model_next(const struct mlk_slub_cache_desc *c,
			     const struct mlk_slub_slab_desc *s,
			     uint64_t stored, mlk_addr_t at)
{
	mlk_addr_t swabbed = stored ^ c->random ^ __builtin_bswap64(at);
	mlk_addr_t plain = stored ^ c->random ^ at;

	if (!c->hardened)
		return stored;
	if (!swabbed || model_object(c, s, swabbed) >= 0)
		return swabbed;
	if (!plain || model_object(c, s, plain) >= 0)
		return plain;
	return swabbed;
}

struct model_slab {
	const struct mlk_slub_cache_desc *c;
	const struct mlk_slub_slab_desc *s;
	const uint8_t *span;
	size_t span_len;
	uint32_t seen[MAX_SLAB_OBJECTS]; /* objects marked, in order */
	uint64_t nseen;
	uint8_t is_free[MAX_SLAB_OBJECTS];
};

static int model_seen(const struct model_slab *m, uint32_t idx)
{
	for (uint64_t k = 0; k < m->nseen; k++)
		if (m->seen[k] == idx)
			return 1;
	return 0;
}

/* One list, marked into m: 0, or -1 when corrupt. */
static int model_walk(struct model_slab *m, mlk_addr_t ptr)
{
	while (ptr) {
		int64_t idx = model_object(m->c, m->s, ptr);
		mlk_addr_t at = ptr + m->c->offset;
		uint64_t stored;

		if (idx < 0 || model_seen(m, (uint32_t)idx))
			return -1;
		m->seen[m->nseen++] = (uint32_t)idx;
		m->is_free[idx] = 1;
		if (at < m->s->base || at - m->s->base > m->span_len ||
		    m->span_len - (at - m->s->base) < 8)
			return -1;
		memcpy(&stored, m->span + (at - m->s->base), 8);
		ptr = model_next(m->c, m->s, stored, at);
	}
	return 0;
}

static void slub_counters_from(struct cursor *c, uint8_t sel,
			       struct mlk_slab_counters *counters)
{
	struct mlk_slab_counters_layout l;
	const char *why = NULL;
	uint64_t word;

	CHECK(mlk_slab_counters_preset(&l, MLK_SLAB_COUNTERS_GEN_3_1) == 0,
	      "preset");
	if (sel & 0x80) {
		struct mlk_bitfield *f[3] = { &l.inuse, &l.objects, &l.frozen };
		struct mlk_slab_counters_layout preset = l;

		for (unsigned i = 0; i < 3; i++) {
			f[i]->pos = U8(c);
			f[i]->width = U8(c);
		}
		if (mlk_slab_counters_layout_check(&l, &why) < 0) {
			DEBUG("slub: counters layout refused: %s\n", why);
			CHECK(why != NULL, "check failed without a reason");
			l = preset;
		}
	}
	word = U64(c);
	mlk_slab_counters_decode(&l, word, counters);
	CHECK(counters->frozen == 0 || counters->frozen == 1, "frozen %d",
	      counters->frozen);
	CHECK(l.inuse.width >= 32 || counters->inuse >> l.inuse.width == 0,
	      "inuse %u wider than %u bits", counters->inuse, l.inuse.width);
	CHECK(l.objects.width >= 32 ||
	      counters->objects >> l.objects.width == 0,
	      "objects %u wider than %u bits", counters->objects,
	      l.objects.width);
}

/* Encode one object's address at ptr_addr and decode it back. */
static void slub_round_trip(const struct mlk_slub_cache_desc *cd,
			    const struct mlk_slub_slab_desc *sd, uint16_t pick,
			    mlk_addr_t at)
{
	mlk_addr_t target, swabbed, got;

	if (!sd->objects || !cd->size)
		return;
	target = mlk_slub_object_addr(cd, sd, pick % sd->objects);
	CHECK(mlk_slub_object_index(cd, sd, target) == pick % sd->objects,
	      "object %u: index of its address", pick % sd->objects);
	got = mlk_slub_free_pointer(cd, sd, target ^ cd->random ^
				    __builtin_bswap64(at), at);
	CHECK(got == (cd->hardened ? target :
		      target ^ cd->random ^ __builtin_bswap64(at)),
	      "swab encoding of object %u decoded to 0x%llx",
	      pick % sd->objects, (unsigned long long)got);
	if (!cd->hardened)
		return;
	got = mlk_slub_free_pointer(cd, sd, target ^ cd->random ^ at, at);
	/* the 5.7+ reading of a 4.14 value wins when it lands too */
	swabbed = target ^ at ^ __builtin_bswap64(at);
	CHECK(got == target ||
	      (got == swabbed && (!swabbed ||
				  model_object(cd, sd, swabbed) >= 0)),
	      "plain encoding of object %u decoded to 0x%llx",
	      pick % sd->objects, (unsigned long long)got);
}

/*
 * Sheaf pointers (up to 32, near the slab; the cache, 0 or 1, follows
 * from the address so copies agree) against the slab of cache 0 after its
 * freelists: the model marks each distinct object start of cache 0 not
 * yet free; every other pointer inside the slab, and every second copy,
 * is wild (the second copies are counted by the sort).
 */
static void fuzz_sheaves(struct cursor *c,
			 const struct mlk_slub_cache_desc *cd,
			 const struct mlk_slub_slab_desc *sd, uint8_t *is_free)
{
	static uint8_t model_free[MAX_SLAB_OBJECTS];
	struct mlk_sheaf_ptrs p = { 0 };
	mlk_addr_t addrs[32], end = sd->base + mlk_slub_slab_bytes(cd, sd);
	uint64_t nfree = 0, nwild = 0, want_free = 0, want_wild, twice;
	unsigned n = U8(c) % 33, i, j, distinct = 0;

	memcpy(model_free, is_free, sd->objects);
	for (i = 0; i < n; i++) {
		addrs[i] = sd->base - 64 + U16(c);
		if (mlk_sheaf_ptrs_add(&p, addrs[i], (addrs[i] >> 3) & 1) < 0)
			return;
	}
	twice = mlk_sheaf_ptrs_sort(&p);	/* counted apart by the reader */
	want_wild = 0;
	for (i = 0; i < n; i++) {
		int64_t idx;

		for (j = 0; j < i && addrs[j] != addrs[i]; j++)
			;
		if (j < i || !addrs[i])
			continue; /* a second copy (counted), or NULL */
		distinct++;
		if (addrs[i] < sd->base || addrs[i] >= end)
			continue;
		idx = model_object(cd, sd, addrs[i]);
		if ((addrs[i] >> 3) & 1 || idx < 0 || model_free[idx]) {
			want_wild++;
		} else {
			model_free[idx] = 1;
			want_free++;
		}
	}
	mlk_sheaf_ptrs_mark(&p, cd, sd, 0, is_free, &nfree, &nwild);
	CHECK(nfree == want_free && nwild == want_wild,
	      "sheaves: %llu free %llu wild, model %llu %llu",
	      (unsigned long long)nfree, (unsigned long long)nwild,
	      (unsigned long long)want_free, (unsigned long long)want_wild);
	CHECK(memcmp(is_free, model_free, sd->objects) == 0,
	      "sheaves: free maps differ");
	CHECK(mlk_sheaf_ptrs_count(&p, MLK_SHEAF_FREE) == want_free &&
	      p.n == twice + distinct, "sheaves: states");
	mlk_sheaf_ptrs_free(&p);
}

static void fuzz_slub(struct cursor *c, const struct image *im)
{
	static struct model_slab m;
	static uint8_t is_free[MAX_SLAB_OBJECTS];
	struct mlk_slub_cache_desc cd = { 0 };
	struct mlk_slub_slab_desc sd = { .base = im->base };
	struct mlk_slab_counters counters;
	uint8_t sel = U8(c);
	uint16_t head, cpu_head, pick;
	uint64_t nfree = 0;
	int rc, model_rc;

	slub_counters_from(c, sel, &counters);
	sd.objects = counters.objects % (MAX_SLAB_OBJECTS + 1);
	sd.inuse = counters.inuse;
	sd.frozen = counters.frozen;
	cd.hardened = sel & 1;
	cd.size = U16(c);
	cd.offset = U16(c);
	cd.red_left_pad = U16(c);
	cd.random = U64(c);
	memset(&m, 0, sizeof(m));
	m.c = &cd;
	m.s = &sd;
	m.span = im->bytes;
	m.span_len = U16(c) % (im->len + 1);
	head = U16(c);
	cpu_head = U16(c);
	sd.freelist = head ? im->base - 256 + head : 0;
	sd.cpu_freelist = cpu_head ? im->base - 256 + cpu_head : 0;

	rc = mlk_slub_mark_free(&cd, &sd, im->bytes, m.span_len, is_free,
				&nfree);
	model_rc = model_walk(&m, sd.freelist) < 0;
	model_rc |= model_walk(&m, sd.cpu_freelist) < 0;
	if (!model_rc && !sd.frozen && !sd.cpu_freelist &&
	    m.nseen != sd.objects - sd.inuse)
		model_rc = 1;
	DEBUG("slub: %u objects of %u bytes, %u in use, %s: %d, %llu free\n",
	      sd.objects, cd.size, sd.inuse, cd.hardened ? "hardened" : "clear",
	      rc, (unsigned long long)nfree);
	CHECK(rc == -model_rc, "mark_free %d, model %d", rc, model_rc);
	CHECK(nfree == m.nseen, "%llu free, model %llu",
	      (unsigned long long)nfree, (unsigned long long)m.nseen);
	CHECK(memcmp(is_free, m.is_free, sd.objects) == 0, "free maps differ");
	CHECK(rc < 0 || mlk_slub_free_count_ok(&sd, nfree), "rule");
	pick = U16(c);
	slub_round_trip(&cd, &sd, pick, U64(c));
	if (rc == 0)
		fuzz_sheaves(c, &cd, &sd, is_free);
}

static void fuzz_hexdump(struct cursor *c)
{
	uint8_t n = U8(c) % 24, outsz = U8(c) % 100, bytes[24];
	char out[128];
	int len;

	for (unsigned i = 0; i < sizeof(bytes); i++)
		bytes[i] = U8(c);
	memset(out, 'X', sizeof(out));
	len = mlk_hexdump_line(bytes, n, out, outsz);
	if (outsz == 0) {
		CHECK(len == 0 && out[0] == 'X', "wrote into a 0-byte buffer");
		return;
	}
	CHECK(len >= 0 && (size_t)len < outsz, "length %d for %u", len, outsz);
	CHECK(strlen(out) == (size_t)len, "not NUL-terminated at %d", len);
	CHECK(out[outsz] == 'X' || outsz >= sizeof(out), "wrote past outsz");
	if (outsz >= MLK_HEXLINE && n > 0)
		CHECK(len == 3 * 16 - 1 + 2 + (n < 16 ? n : 16),
		      "full row length %d for %u bytes", len, n);
	mlk_hexdump_line(NULL, n, out, outsz);
}

/*
 * Suppression rules from arbitrary text: a parse adds every rule or none,
 * each rule has a non-empty one-line pattern, and matching never reads
 * past the names given.
 */
static void fuzz_suppress(struct cursor *c)
{
	static const char *const functions[] = { "__kmalloc", "init_fs_stat_sysctls" };
	static const char *const modules[] = { NULL, "memleak_test" };
	struct mlk_supp_subject subj = {
		.functions = functions, .modules = modules, .nframes = 2,
		.cache = "kmalloc-96", .kind = "slab",
	};
	struct mlk_supps s = { 0 };
	size_t len = U16(c) % 2048, i;
	char text[2048], err[160];
	long n;

	for (i = 0; i < len; i++)
		text[i] = (char)U8(c);
	n = mlk_supps_parse(&s, text, len, "fuzz", err, sizeof(err));
	CHECK(n == -1 ? s.count == 0 : (size_t)n == s.count, "%ld rules, %zu kept",
	      n, s.count);
	for (i = 0; i < s.count; i++)
		CHECK(s.rule[i].pattern[0] && !strchr(s.rule[i].pattern, '\n') &&
		      s.rule[i].why, "rule %zu: pattern '%s'", i, s.rule[i].pattern);
	n = mlk_supps_match(&s, &subj);
	CHECK(n >= -1 && n < (long)s.count, "match %ld of %zu", n, s.count);
	mlk_supps_free(&s);
}

/*
 * memleak -d's reader of an earlier -j file, on arbitrary lines: every line
 * is counted as a group, a run/summary record, or bad; nothing more is kept
 * than the bounds allow.
 */
static void fuzz_jsonl(struct cursor *c)
{
	struct mlk_jsonl_report rep = { 0 };
	size_t len = U16(c) % 4096, i;
	char line[4096];
	int rc;

	for (i = 0; i < len; i++)
		line[i] = (char)U8(c);
	rc = mlk_jsonl_parse_line(&rep, line, len);
	CHECK(rc >= -1 && rc <= 1, "rc %d", rc);
	CHECK(rc != 1 || rep.malformed == 1, "malformed line not counted");
	for (i = 0; i < rep.ngroups; i++)
		CHECK(rep.groups[i].nframes <= MLK_JSONL_MAX_FRAMES &&
		      rep.groups[i].ncaches <= MLK_JSONL_MAX_CACHES,
		      "group %zu: %u frames, %u caches", i,
		      rep.groups[i].nframes, rep.groups[i].ncaches);
	mlk_jsonl_free(&rep);
}

/* ---- the alias table's cache file ------------------------------------------ */

static const char *const alias_names[] = {
	"inode", "list_head", "a", "a.b", "arr[0].x", "", "task_struct", "z",
};
#define ALIAS_NAME(c) (alias_names[U8(c) % 8])

/* A table from the input: duplicate types are refused by the builder. */
static struct mlk_alias_table *alias_table_from(struct cursor *c)
{
	struct mlk_alias_table *t = mlk_alias_new();
	unsigned ntypes = U8(c) % 8, i, j, n;

	CHECK(t, "no memory");
	for (i = 0; i < ntypes; i++) {
		const char *name = ALIAS_NAME(c);
		uint16_t size = U16(c);
		int open = mlk_alias_begin_type(t, name, size) == 0;

		CHECK(open || mlk_alias_has_type(t, name, size),
		      "begin refused a new type");
		for (j = 0, n = U8(c) % 8; j < n; j++) {
			uint16_t off = U16(c);

			CHECK(!open || mlk_alias_add_offset(t, off) == 0, "offset");
		}
		for (j = 0, n = U8(c) % 8; j < n; j++) {
			uint16_t off = U16(c), msize = U16(c);
			const char *mname = ALIAS_NAME(c);

			CHECK(!open || mlk_alias_add_member(t, off, msize, mname) == 0,
			      "member");
		}
		CHECK(!open || mlk_alias_end_type(t, 1) == 0, "end");
	}
	CHECK(mlk_alias_finish(t) == 0, "finish");
	return t;
}

/* The file's checksum made again (alias_cache.h: header but its checksum
 * field, then all after the 40-byte header). */
static void alias_reseal(unsigned char *file, size_t size)
{
	uint64_t h = mlk_fnv1a(MLK_FNV1A_SEED, file, 32);

	h = mlk_fnv1a(h, file + 40, size - 40);
	memcpy(file + 32, &h, 8); /* little-endian host */
}

/* A decoded table answers like a linear search of it. */
static void alias_queries(const struct mlk_alias_table *t, uint32_t lo,
			  uint32_t hi)
{
	size_t i, n, k, ntypes = mlk_alias_ntypes(t);
	uint32_t *out;
	char buf[16];

	for (i = 0; i < ntypes; i++) {
		const struct mlk_alias_type *ty = mlk_alias_type_at(t, i);
		const uint32_t *off;
		size_t nalias = mlk_alias_offsets(t, ty, &off);

		CHECK(mlk_alias_find_type(t, mlk_alias_type_name(t, ty),
					  ty->size) == ty, "type %zu not found", i);
		for (k = 0; k < nalias; k++) {
			const char *at = mlk_alias_member_at(t, ty, off[k], buf,
							     sizeof(buf));

			CHECK(!at || strlen(at) < sizeof(buf), "member_at");
		}
	}
	CHECK(mlk_alias_offsets_by_size(t, lo, hi, &out, &n) == 0, "by size");
	for (k = 0; k < n; k++) {
		int found = 0;

		CHECK(!k || out[k - 1] < out[k], "by size: not sorted");
		for (i = 0; i < ntypes && !found; i++) {
			const struct mlk_alias_type *ty = mlk_alias_type_at(t, i);
			const uint32_t *off;
			size_t j, nalias = mlk_alias_offsets(t, ty, &off);

			for (j = 0; j < nalias && ty->size > lo && ty->size <= hi; j++)
				found |= off[j] == out[k];
		}
		CHECK(found, "by size: offset %u of no type in (%u, %u]", out[k],
		      lo, hi);
	}
	free(out);
}

static void fuzz_aliases(struct cursor *c)
{
	static const unsigned char id[20] = { 0xb1, 0x1d };
	struct mlk_alias_table *t = alias_table_from(c), *back = NULL, *copy;
	unsigned mode = U8(c) % 4;
	size_t size = 0, again_size = 0, pos;
	unsigned char *file = mlk_alias_encode(t, id, sizeof(id), &size), *again;
	uint32_t word;
	int rc;

	CHECK(file && size >= 40 + sizeof(id), "encode");
	if (mode == 1) {
		uint8_t flip = U8(c);

		pos = U16(c) % size;
		file[pos] ^= flip ? flip : 1;
	} else if (mode == 2) {
		size = U16(c) % size;
	} else if (mode == 3) {
		pos = U16(c) % (size - 3);
		word = U32(c);
		memcpy(file + pos, &word, 4);
		alias_reseal(file, size);
	}
	rc = mlk_alias_decode(file, size, id, sizeof(id), &back);
	CHECK(rc == 0 ? back != NULL : back == NULL, "rc %d, table %p", rc,
	      (void *)back);
	if (mode == 0)
		CHECK(rc == 0 && mlk_alias_equal(t, back), "intact file: rc %d", rc);
	if (mode == 1 || mode == 2)
		CHECK(rc < 0, "a damaged file (mode %u) taken", mode);
	if (rc == 0) {
		again = mlk_alias_encode(back, id, sizeof(id), &again_size);
		CHECK(again && again_size == size &&
		      memcmp(again, file, size) == 0, "not encoded back the same");
		free(again);
		alias_queries(back, U16(c), U16(c));
		copy = mlk_alias_new();
		CHECK(copy && mlk_alias_merge(copy, back) ==
		      (long)mlk_alias_ntypes(back) && mlk_alias_equal(copy, back),
		      "merged into an empty table: not the same");
		mlk_alias_free(copy);
	}
	mlk_alias_free(back);
	mlk_alias_free(t);
	free(file);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct image im;
	struct cursor c = { data, size };
	struct mlk_source src = { image_read, &im };
	size_t fill;

	memset(&im, 0, sizeof(im));
	im.len = (size_t)(U8(&c) % MAX_PAGES + 1) * MLK_PAGE;
	im.holes = U8(&c);
	im.base = IMAGE_BASE + (mlk_addr_t)U16(&c) * MLK_PAGE;
	fill = U16(&c) % (im.len + 1);
	for (size_t i = 0; i < fill; i++)
		im.bytes[i] = U8(&c);
	fuzz_scan(&c, &im, &src);
	fuzz_depot(&c, &im, &src);
	fuzz_track(&c, &im, &src);
	fuzz_page_owner(&c, &im, &src);
	fuzz_hexdump(&c);
	fuzz_slub(&c, &im);
	fuzz_suppress(&c);
	fuzz_jsonl(&c);
	fuzz_aliases(&c);
	return 0;
}
