/*
 * engine.h - the leak-scan engine: a compact index of tracked blocks and the
 * tri-colour mark-and-scan of the 2006 kmemleak design (see mm/kmemleak.c,
 * "The following locks and mutexes are used..." comment and scan_block()).
 *
 * The engine knows nothing of crash: it reads memory through a small
 * "memory source" interface, so unit tests feed it synthetic images.
 *
 * Algorithm (as in mm/kmemleak.c, kmemleak_scan()):
 *   1. every tracked block starts white, its reference count at 0;
 *   2. the roots (kernel data, stacks, ...) are scanned word by word; a word
 *      whose value lies inside a tracked block [start, start+size) counts one
 *      reference for that block; when count reaches min_count the block
 *      turns grey and goes on the work list;
 *   3. grey blocks are scanned in turn (explicit work list, no recursion),
 *      which can turn more blocks grey;
 *   4. what is still white is an orphan.
 * A block's pointers to itself do not count (kmemleak: "object == scanned").
 *
 * Step 3 reads each block once, in address order: a block still white when
 * its turn comes keeps its references (32-bit block numbers) in an edge
 * store, counted only if it turns grey later (see scan.c). The verdicts
 * and figures are those of the plain work-list order.
 */
#ifndef MLK_ENGINE_H
#define MLK_ENGINE_H

#include <stddef.h>
#include <stdint.h>

typedef uint64_t mlk_addr_t;

/* Size of a scanned word and its required alignment (64-bit kernels). */
#define MLK_WORD 8
/* Granularity at which unreadable memory is skipped and counted. */
#define MLK_PAGE 4096

/* What kind of allocation a block is (printed in reports). */
enum mlk_kind {
	MLK_KIND_SLAB = 0,
	MLK_KIND_VMALLOC,
	MLK_KIND_PAGES,
	MLK_KIND_PERCPU,
	MLK_KIND_COUNT
};

/* The kind's name ("slab", "vmalloc", "pages", "percpu"), or "?"; a kind
 * by name, or -1 (kinds.c). */
const char *mlk_kind_name(int kind);
int mlk_kind_by_name(const char *name);

/* Block colour/state flags (struct mlk_block.flags). */
#define MLK_F_GREY        0x01 /* reached min_count, queued or scanned */
#define MLK_F_SCANNED     0x02 /* contents already scanned */
#define MLK_F_UNREADABLE  0x04 /* part of the contents could not be read */
#define MLK_F_NOSCAN      0x08 /* tracked, but its contents are not scanned */
#define MLK_F_IGNORE      0x10 /* tracked for lookups, never reported */
#define MLK_F_DEFERRED    0x20 /* scan's: read while white, references kept */
#define MLK_F_POSSIBLE    0x40 /* grey only through doubtful references
				  (mlk_scan_admit_doubtful): possibly lost */

/*
 * One tracked block: 24 bytes. The index is a flat array sorted by start;
 * blocks never overlap.
 */
struct mlk_block {
	mlk_addr_t start;
	uint32_t size;
	uint32_t tag;       /* caller's: e.g. index of the kmem_cache */
	uint32_t count;     /* references found so far */
	uint16_t min_count; /* references needed to turn grey (0: always grey) */
	uint8_t kind;       /* enum mlk_kind */
	uint8_t flags;      /* MLK_F_* */
};

/*
 * Memory source. read() fills buf with len bytes at addr and returns 0, or
 * returns -1 when any of it cannot be read. The engine never asks for more
 * than MLK_READ_CHUNK bytes at once and retries failed chunks page by page
 * (MLK_PAGE), counting the pages it could not read.
 */
#define MLK_READ_CHUNK (1u << 20)
struct mlk_source {
	int (*read)(void *ctx, mlk_addr_t addr, void *buf, size_t len);
	void *ctx;
};

/* Figures of one scan (printed in the summary). */
struct mlk_stats {
	uint64_t blocks;            /* blocks tracked */
	uint64_t bytes_tracked;     /* sum of their sizes */
	uint64_t duplicates;        /* overlapping blocks dropped at build time */
	uint64_t root_ranges;       /* root ranges scanned */
	uint64_t root_bytes;        /* bytes of roots scanned */
	uint64_t block_bytes;       /* bytes of grey blocks scanned */
	uint64_t words_scanned;     /* words looked at */
	uint64_t refs_found;        /* words that pointed into a tracked block */
	uint64_t pages_unreadable;  /* MLK_PAGE pages that failed to read */
	uint64_t blocks_unreadable; /* blocks with MLK_F_UNREADABLE */
	uint64_t grey;              /* blocks that turned grey */
	uint64_t orphans;           /* blocks left white (not ignored) */
	uint64_t orphan_bytes;
	uint64_t doubtful_refs;     /* interior references matching no alias */
	uint64_t possibly_lost;     /* blocks with MLK_F_POSSIBLE */
	uint64_t possibly_lost_bytes;
};

struct mlk_index; /* opaque */

/* Building the index. */
struct mlk_index *mlk_index_new(void);
void mlk_index_free(struct mlk_index *ix);
/* Returns 0, or -1 on allocation failure. Blocks of size 0 are ignored. */
int mlk_index_add(struct mlk_index *ix, mlk_addr_t start, uint32_t size,
		  uint8_t kind, uint32_t tag, uint16_t min_count);
/*
 * Sorts the index and drops blocks that overlap an earlier one (counted in
 * stats.duplicates). Must be called once after the last add, before lookup
 * or scanning. Returns 0, or -1 on allocation failure.
 */
int mlk_index_finish(struct mlk_index *ix);
size_t mlk_index_count(const struct mlk_index *ix);
struct mlk_block *mlk_index_at(struct mlk_index *ix, size_t i);
/* The block containing addr, or NULL. Cheap range pre-filter first. */
struct mlk_block *mlk_index_lookup(struct mlk_index *ix, mlk_addr_t addr);
/* Bytes of heap used by the index (for the benchmark). */
size_t mlk_index_memory(const struct mlk_index *ix);

/*
 * Room for one more element in a growable array: *items holds count
 * elements of elem bytes in *cap allocated; doubles the allocation
 * (starting at first elements) when full. 0, or -1 when the size would
 * overflow or memory is short (*items is then kept).
 */
int mlk_array_grow(void **items, size_t *cap, size_t count, size_t elem,
		   size_t first);

/* Scanning. */
struct mlk_scan;
/*
 * progress() is called now and then with the work done so far; it returns
 * non-zero to abort the scan (then mlk_scan_* return -1 and the result is
 * partial). May be NULL.
 */
typedef int (*mlk_progress_fn)(void *ctx, const struct mlk_stats *st);

struct mlk_scan *mlk_scan_new(struct mlk_index *ix,
			      const struct mlk_source *src,
			      mlk_progress_fn progress, void *progress_ctx);
void mlk_scan_free(struct mlk_scan *sc);
/*
 * Per-cpu blocks (alloc_percpu): a second finished index whose block
 * starts are __percpu pointer values. A word counts for such a block when
 * its value lies inside it, as for any block; a grey per-cpu block is
 * scanned at start + cpu_offsets[i] for each of the ncpus CPUs. Call
 * before scanning any root. Returns 0, or -1 (bad call, no memory).
 * The stats (blocks, grey, orphans...) then cover both indexes.
 */
int mlk_scan_set_percpu(struct mlk_scan *sc, struct mlk_index *pix,
			const mlk_addr_t *cpu_offsets, unsigned ncpus);
/*
 * How a word is untagged before it is looked up. Architectures with tagged
 * pointers (arm64 top-byte ignore, KASAN tags) keep a tag in tag_bits; the
 * kernel untags by sign extension from sign_bit, the bit below them
 * (arm64: bits 56-63 from bit 55, __untagged_addr()): a kernel address
 * gets its tag bits all set, any other value (a user address, a __percpu
 * offset) all clear. The default, tag_bits 0, is the identity.
 */
struct mlk_untag {
	mlk_addr_t tag_bits;
	mlk_addr_t sign_bit;
};
static inline mlk_addr_t mlk_untag_word(struct mlk_untag u, mlk_addr_t value)
{
	mlk_addr_t tag = (value & u.sign_bit) ? u.tag_bits : 0;

	return (value & ~u.tag_bits) | tag;
}
/*
 * A return address without its pointer authentication code: arm64 keeps
 * the PAC in the bits from va_bits (the address size the kernel runs
 * with) up, bit 55 excepted, and strips it by setting them all for a
 * kernel address (bit 55 set; arch/arm64/include/asm/pointer_auth.h:
 * ptrauth_strip_kernel_insn_pac()). An address with bit 55 clear is
 * returned as it is. va_bits outside 36..55 strips nothing.
 */
static inline mlk_addr_t mlk_strip_pac(mlk_addr_t addr, unsigned va_bits)
{
	const mlk_addr_t bit55 = (mlk_addr_t)1 << 55;

	if (!(addr & bit55) || va_bits < 36 || va_bits > 55)
		return addr;
	return addr | ~(((mlk_addr_t)1 << va_bits) - 1);
}
void mlk_scan_set_untag(struct mlk_scan *sc, struct mlk_untag untag);
/* Scan one root range (any alignment; only aligned words are looked at). */
int mlk_scan_root(struct mlk_scan *sc, mlk_addr_t start, uint64_t len);
/* Scan a root given as bytes already in memory (e.g. saved registers). */
int mlk_scan_root_buf(struct mlk_scan *sc, const void *buf, size_t len);
/* Scan grey blocks until none is left. */
int mlk_scan_drain(struct mlk_scan *sc);
/*
 * Debugging aid ("why is this block reachable?"): after mlk_scan_watch(),
 * fn is called for every word that references the block containing addr,
 * with the word's address (for mlk_scan_root_buf: its offset in the buffer)
 * and the grey block it lies in (NULL when it lies in a root). Returns 0,
 * or -1 when no tracked block contains addr.
 */
typedef void (*mlk_watch_fn)(void *ctx, mlk_addr_t where,
			     const struct mlk_block *from);
int mlk_scan_watch(struct mlk_scan *sc, mlk_addr_t addr, mlk_watch_fn fn,
		   void *ctx);
/*
 * Who holds each block (memleak -a): after mlk_scan_record_parents(), the
 * scan keeps, per block, what held the reference that turned it grey (the
 * one that brought its count to min_count): a root range, numbered in the
 * order mlk_scan_root() and mlk_scan_root_buf() were called from 0, or a
 * block. One 32-bit word per block, none without the call. Call after
 * mlk_scan_set_percpu() (if at all) and before scanning any root; -1 when
 * called too late, when the blocks are too many to number in 31 bits, or
 * when memory is short.
 */
int mlk_scan_record_parents(struct mlk_scan *sc);

enum mlk_parent_kind {
	MLK_PARENT_NONE = 0, /* white, grey from the start (min_count 0),
				or parents not recorded */
	MLK_PARENT_ROOT,     /* parent.root: the root range's number */
	MLK_PARENT_BLOCK,    /* parent.block: a block of either index */
};
struct mlk_parent {
	enum mlk_parent_kind kind;
	uint32_t root;
	const struct mlk_block *block;
	mlk_addr_t where;  /* breadth first: the word's address (its offset
			      for mlk_scan_root_buf); else 0 */
};
/* What first held block b (of either index); returns p->kind. */
enum mlk_parent_kind mlk_scan_parent(const struct mlk_scan *sc,
				     const struct mlk_block *b,
				     struct mlk_parent *p);

/*
 * Interior references and the alias table (the 2006 design's "aliases":
 * the offsets at which container_of() computes pointers into a block).
 * After mlk_scan_set_aliases(), a word pointing inside a block but not at
 * its start is a solid reference only when its offset is an alias of the
 * block: for a slab block (MLK_KIND_SLAB), bit `offset` of by_tag[tag]
 * (bits NULL: every offset is, the block's type and size being unknown;
 * offsets at or past len are not); for other kinds, rule_by_kind[kind].
 * Other interior references are doubtful: the scan counts only solid ones
 * (strict mode) until mlk_scan_admit_doubtful(), which counts the doubtful
 * ones too and drains again; the blocks that turn grey from then on get
 * MLK_F_POSSIBLE (reachable only through some doubtful reference: possibly
 * lost). The grey set at the end is the same as without aliases. by_tag
 * must stay valid during the scan. Call before any root; -1 when late,
 * when the blocks are too many (2^31), or when memory is short.
 */
struct mlk_alias_bits {
	const uint8_t *bits; /* bit o (bits[o / 8] >> o % 8): offset o */
	uint32_t len;        /* offsets covered, [0, len) */
};
enum mlk_alias_rule {
	MLK_ALIAS_ANY = 0,   /* every interior offset is solid */
	MLK_ALIAS_PAGES,     /* offsets that are multiples of MLK_PAGE */
	MLK_ALIAS_START,     /* only the start */
};
int mlk_scan_set_aliases(struct mlk_scan *sc,
			 const struct mlk_alias_bits *by_tag, uint32_t ntags,
			 const uint8_t rule_by_kind[MLK_KIND_COUNT]);
/* Is offset off of block b an alias (under the aliases set)? 1 or 0. */
int mlk_scan_is_alias(const struct mlk_scan *sc, const struct mlk_block *b,
		      uint64_t off);
/* Count the doubtful references and drain; 0, or -1 (aborted, bad call). */
int mlk_scan_admit_doubtful(struct mlk_scan *sc);

/*
 * Breadth first (memleak -w: the shortest chain from a root): every grey
 * block is read from a FIFO work list instead of the address-order sweep,
 * so the roots' blocks are read first, then theirs, and so on; with the
 * parents recorded (this call records them), each block's parent is one
 * hop nearer a root, and the parent's word that held the reference is kept
 * too (mlk_parent.where). Slower (one read per block): a diagnostic mode.
 * Call after mlk_scan_set_percpu() and before any root.
 */
int mlk_scan_set_breadth_first(struct mlk_scan *sc);

/* Counts orphans into the stats (call after drain). */
const struct mlk_stats *mlk_scan_finish(struct mlk_scan *sc);
const struct mlk_stats *mlk_scan_stats(const struct mlk_scan *sc);
/*
 * Bytes of heap used by the scan (work lists, read buffer, edge store);
 * *edge_store, when not NULL, gets the edge store's share.
 */
size_t mlk_scan_memory(const struct mlk_scan *sc, size_t *edge_store);

/* A block is an orphan when it ends the scan white and is not ignored. */
static inline int mlk_block_is_orphan(const struct mlk_block *b)
{
	return !(b->flags & (MLK_F_GREY | MLK_F_IGNORE));
}

/*
 * Report formatting helpers (no crash dependency, unit-tested).
 * mlk_hexdump_line() formats up to 16 bytes like the kernel's
 * hex_dump_to_buffer(rowsize 16, groupsize 1, ascii): "6b 6b ...  kk..".
 * out must hold at least MLK_HEXLINE bytes. Returns the string length.
 */
#define MLK_HEXLINE 80
int mlk_hexdump_line(const unsigned char *bytes, size_t n, char *out,
		     size_t outsz);

#endif /* MLK_ENGINE_H */
