/*
 * scan.c - the tri-colour mark and scan (kmemleak_scan() of mm/kmemleak.c),
 * reading each tracked block once, in address order.
 *
 * White blocks: count < min_count. Grey blocks: MLK_F_GREY; once their
 * references have been counted, also MLK_F_SCANNED. As in kmemleak, a block
 * is grey when its min_count is 0, or when the roots and the grey blocks
 * hold at least min_count references to it (references from a block to
 * itself excepted). Counts only grow, so the grey blocks are the least set
 * closed under that rule, whatever the order in which blocks are looked at:
 * the order is chosen for the reads.
 *
 * After the roots, mlk_scan_drain() sweeps the index (sorted by address)
 * once, reading neighbouring blocks together - one read per run of blocks
 * no whole untracked page apart, up to MLK_READ_CHUNK bytes:
 *   - a block already grey when the sweep reaches it has its references
 *     counted at once;
 *   - a white block is scanned too, but its references (the numbers of the
 *     target blocks, 32 bits each) go into the edge store instead
 *     (MLK_F_DEFERRED). If it turns grey later, they are counted from the
 *     store: it is not read again.
 * A block turning grey ahead of the sweep needs nothing more: the sweep
 * gets to it. One turning grey behind the sweep goes on the work list (a
 * FIFO with one slot per block: a block turns grey at most once), where its
 * stored references are counted; the rare block that the store could not
 * hold (out of memory, or 2^32 edges) is read again from there.
 *
 * Per-cpu blocks (a second index keyed by __percpu value) are few: they are
 * read when they turn grey, from a work list of their own. Their numbers in
 * the edge store follow those of the main index.
 *
 * The figures (bytes, words, references, unreadable pages of grey blocks)
 * are counted when a block's references are counted, so they do not depend
 * on the order either; for a white block whose reading met unreadable
 * pages, these and its words are kept in a note beside the store.
 *
 * Memory is read through the caller's mlk_source in reads of at most
 * MLK_READ_CHUNK bytes. A read that fails is retried page by page;
 * unreadable pages are skipped and counted (for a block, once it is grey).
 * The progress callback is called every MLK_PROGRESS_BYTES read, every
 * MLK_PROGRESS_BLOCKS blocks counted from the store, and at the end.
 *
 * With mlk_scan_record_parents(), make_grey() notes what held the
 * reference that turned a block grey: sc->referrer, set wherever words are
 * counted (a root range's number with PARENT_ROOT set, or the block whose
 * words they are; for references counted late from the edge store, the
 * block that stored them).
 *
 * Words are read in host byte order (crash runs on the dump's architecture).
 * A scan owns the per-block state (count, MLK_F_SCAN_STATE) of its indexes:
 * mlk_scan_new() resets it, so only one scan per index at a time.
 */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"

/*
 * Call the progress callback after about this many bytes read, or this
 * many blocks counted from the edge store (a power of 2).
 */
#define MLK_PROGRESS_BYTES ((uint64_t)64 << 20)
#define MLK_PROGRESS_BLOCKS ((size_t)1 << 20)

/* Per-block state a scan sets; MLK_F_NOSCAN and MLK_F_IGNORE are the caller's. */
#define MLK_F_SCAN_STATE (MLK_F_GREY | MLK_F_SCANNED | MLK_F_UNREADABLE | \
			  MLK_F_DEFERRED | MLK_F_POSSIBLE)

/* The edge store keeps references in segments of this many (256 KiB). */
#define EDGE_SEG_SHIFT 16
#define EDGE_SEG_LEN ((uint32_t)1 << EDGE_SEG_SHIFT)
#define EDGE_SEG_MASK (EDGE_SEG_LEN - 1)

/*
 * A parent word: a block number (main index first, then per-cpu), or a
 * root range's number with PARENT_ROOT set; NO_PARENT when none.
 */
#define PARENT_ROOT ((uint32_t)1 << 31)
#define NO_PARENT UINT32_MAX

/* A doubtful reference in the edge store (aliases set: blocks < 2^31). */
#define DOUBTFUL_EDGE ((uint32_t)1 << 31)

/* The phases of a scan with aliases (mlk_scan_set_aliases). */
enum alias_phase {
	ALIASES_OFF = 0,  /* every interior reference counts */
	SOLID_ONLY,       /* doubtful references kept aside */
	DOUBTFUL_ADMITTED /* they count too; what turns grey is possibly lost */
};

/* A doubtful reference kept aside while only solid ones count. */
struct doubtful_ref {
	uint32_t target;   /* block number */
	uint32_t referrer; /* parent word of what held it */
	mlk_addr_t where;  /* the word's address (breadth first), or 0 */
};

/* Pages a sweep run can touch: MLK_READ_CHUNK bytes at any alignment. */
#define RUN_PAGES (MLK_READ_CHUNK / MLK_PAGE + 1)

/* A white block whose reading met unreadable pages. */
struct white_note {
	uint32_t block;
	uint32_t pages_unreadable;
	uint64_t words;
};

/* A reference to the watched block found in a white block. */
struct watch_note {
	uint32_t block;
	mlk_addr_t where;
};

/*
 * The references found in white blocks. Those of block i of the main index
 * are edge[first[i]] .. edge[first[i + 1] - 1], for every i the sweep has
 * passed (empty for blocks read while grey, or not read); edge[p] lies in
 * segment p >> EDGE_SEG_SHIFT. Notes are appended in sweep order, so they
 * are sorted by block.
 */
struct edge_store {
	uint32_t *first;          /* index count + 1 entries */
	uint32_t **segs;
	size_t nsegs, segs_cap;
	uint32_t used;            /* edges stored */
	uint32_t *pos;            /* next free slot of the last segment */
	uint32_t room;            /* free slots left in it */
	int full;                 /* recording stopped (no memory) */
	struct white_note *notes;
	size_t nnotes, notes_cap;
	struct watch_note *watches;
	size_t nwatches, watches_cap;
};

struct mlk_scan {
	struct mlk_index *ix;
	struct mlk_source src;
	mlk_progress_fn progress;
	void *progress_ctx;
	struct mlk_stats stats;
	unsigned char *chunk;    /* read buffer, MLK_READ_CHUNK bytes */
	uint32_t *work;          /* grey blocks behind the sweep, one slot per block */
	size_t work_head;        /* next block to count */
	size_t work_tail;        /* next free slot */
	size_t work_populated;   /* bytes of work faulted in ahead */
	size_t cursor;           /* blocks [0, cursor) have been swept */
	struct edge_store store;
	uint64_t bytes_read;     /* by the engine: the progress cadence */
	uint64_t bytes_at_last_progress;
	int aborted;             /* the progress callback asked to stop */
	/* per-cpu blocks: a second index keyed by __percpu pointer value */
	struct mlk_index *pix;
	size_t *pwork;           /* indices of grey per-cpu blocks */
	size_t pwork_head, pwork_tail;
	mlk_addr_t *cpu_offsets; /* where each CPU's copies are */
	unsigned ncpus;
	const struct mlk_block *watched; /* report references to this block */
	mlk_watch_fn watch_fn;
	void *watch_ctx;
	struct mlk_untag untag;  /* applied to every word before lookup */
	uint32_t *parents;       /* per block: what turned it grey; or NULL */
	uint32_t referrer;       /* parent word of the words being counted */
	/* breadth first: per block, the word that turned it grey */
	mlk_addr_t *wheres;
	mlk_addr_t where;        /* the word being counted */
	/* interior references (mlk_scan_set_aliases) */
	enum alias_phase alias_phase;
	const struct mlk_alias_bits *alias_tags;
	uint32_t nalias_tags;
	uint8_t alias_rule[MLK_KIND_COUNT];
	struct doubtful_ref *doubtful;
	size_t ndoubtful, doubtful_cap;
};

/* What reading one block or root range found. */
struct visit {
	struct mlk_block *self;  /* the block being read; NULL for a root */
	uint32_t self_no;        /* its number (recording only) */
	uint64_t words;          /* words looked at */
	uint64_t pages_unreadable;
	int full;                /* the edge store could not take a reference */
};

/* ---- colouring ------------------------------------------------------- */

static int in_index(const struct mlk_index *ix, const struct mlk_block *b)
{
	/* an empty index may have no array at all: no pointer arithmetic */
	return ix && ix->count && b >= ix->blocks && b < ix->blocks + ix->count;
}

/* A block's number in the edge store: main index first, then per-cpu. */
static uint32_t block_no(const struct mlk_scan *sc, const struct mlk_block *b)
{
	if (in_index(sc->ix, b))
		return (uint32_t)(b - sc->ix->blocks);
	return (uint32_t)(sc->ix->count + (size_t)(b - sc->pix->blocks));
}

static struct mlk_block *block_at(const struct mlk_scan *sc, uint32_t no)
{
	if (no < sc->ix->count)
		return &sc->ix->blocks[no];
	return &sc->pix->blocks[no - sc->ix->count];
}

static void make_grey(struct mlk_scan *sc, struct mlk_block *b)
{
	size_t no;

	b->flags |= MLK_F_GREY;
	if (sc->alias_phase == DOUBTFUL_ADMITTED)
		b->flags |= MLK_F_POSSIBLE;
	sc->stats.grey++;
	if (sc->parents)
		sc->parents[block_no(sc, b)] = sc->referrer;
	if (sc->wheres)
		sc->wheres[block_no(sc, b)] = sc->where;
	/* A NOSCAN block is reachable, but there is nothing to read in it. */
	if (b->flags & MLK_F_NOSCAN)
		return;
	if (in_index(sc->pix, b)) {
		sc->pwork[sc->pwork_tail++] = (size_t)(b - sc->pix->blocks);
		return;
	}
	/* Ahead of the sweep, the sweep counts its references. */
	no = (size_t)(b - sc->ix->blocks);
	if (no >= sc->cursor)
		return;
	if ((sc->work_tail + 1) * sizeof(*sc->work) > sc->work_populated)
		sc->work_populated = mlk_populate_ahead(
			sc->work, sc->work_populated,
			sc->ix->count * sizeof(*sc->work));
	sc->work[sc->work_tail++] = (uint32_t)no;
}

/* The tracked block holding value, per-cpu blocks second. */
static struct mlk_block *find_target(struct mlk_scan *sc, mlk_addr_t value)
{
	struct mlk_block *b = mlk_index_find(sc->ix, value);

	if (!b && sc->pix)
		b = mlk_index_find(sc->pix, value);
	return b;
}

static void count_reference(struct mlk_scan *sc, struct mlk_block *b)
{
	sc->stats.refs_found++;
	if (b->count < UINT32_MAX)
		b->count++;
	if (!(b->flags & MLK_F_GREY) && b->count >= b->min_count)
		make_grey(sc, b);
}

/* ---- interior references ----------------------------------------------- */

int mlk_scan_is_alias(const struct mlk_scan *sc, const struct mlk_block *b,
		      uint64_t off)
{
	const struct mlk_alias_bits *a;

	if (off == 0)
		return 1;
	if (b->kind != MLK_KIND_SLAB) {
		switch (b->kind < MLK_KIND_COUNT ? sc->alias_rule[b->kind] :
			MLK_ALIAS_ANY) {
		case MLK_ALIAS_PAGES:
			return off % MLK_PAGE == 0;
		case MLK_ALIAS_START:
			return 0;
		default:
			return 1;
		}
	}
	if (b->tag >= sc->nalias_tags)
		return 1;
	a = &sc->alias_tags[b->tag];
	if (!a->bits)
		return 1;
	return off < a->len && (a->bits[off / 8] >> (off % 8)) & 1;
}

/* While only solid references count: value, into b, is a doubtful one. */
static inline int is_doubtful(const struct mlk_scan *sc,
			      const struct mlk_block *b, mlk_addr_t value)
{
	return sc->alias_phase == SOLID_ONLY && value != b->start &&
		!mlk_scan_is_alias(sc, b, value - b->start);
}

/*
 * Keep a doubtful reference to b aside (counted by
 * mlk_scan_admit_doubtful); when memory is short it counts at once, and b
 * may then be called reachable where strict mode would not.
 */
static void defer_doubtful(struct mlk_scan *sc, struct mlk_block *b)
{
	sc->stats.doubtful_refs++;
	if (mlk_array_grow((void **)&sc->doubtful, &sc->doubtful_cap,
			   sc->ndoubtful, sizeof(*sc->doubtful), 256) != 0) {
		count_reference(sc, b);
		return;
	}
	sc->doubtful[sc->ndoubtful++] = (struct doubtful_ref){
		block_no(sc, b), sc->referrer, sc->where };
}

/* The block of an edge-store word, and whether the reference is doubtful. */
static struct mlk_block *edge_target(const struct mlk_scan *sc, uint32_t e,
				     int *doubtful)
{
	*doubtful = sc->alias_phase != ALIASES_OFF && (e & DOUBTFUL_EDGE);
	if (sc->alias_phase != ALIASES_OFF)
		e &= ~DOUBTFUL_EDGE;
	return block_at(sc, e);
}

/* ---- the edge store -------------------------------------------------- */

static int store_new_segment(struct edge_store *es)
{
	uint32_t *seg;

	/* Edge positions are 32-bit. */
	if (es->used > UINT32_MAX - EDGE_SEG_LEN ||
	    mlk_array_grow((void **)&es->segs, &es->segs_cap, es->nsegs,
		     sizeof(*es->segs), 16) != 0)
		return -1;
	seg = malloc((size_t)EDGE_SEG_LEN * sizeof(*seg));
	if (!seg)
		return -1;
	mlk_populate(seg, (size_t)EDGE_SEG_LEN * sizeof(*seg));
	es->segs[es->nsegs++] = seg;
	es->pos = seg;
	es->room = EDGE_SEG_LEN;
	return 0;
}

static inline int store_push(struct edge_store *es, uint32_t target)
{
	if (es->room == 0 && store_new_segment(es) != 0)
		return -1;
	*es->pos++ = target;
	es->room--;
	es->used++;
	return 0;
}

/* Forget the edges from position `to` on. */
static void store_rewind(struct edge_store *es, uint32_t to)
{
	size_t seg = to >> EDGE_SEG_SHIFT;

	es->used = to;
	if (seg < es->nsegs) {
		es->pos = es->segs[seg] + (to & EDGE_SEG_MASK);
		es->room = EDGE_SEG_LEN - (to & EDGE_SEG_MASK);
	} else {
		es->room = 0; /* to is the end of the last segment */
	}
}

static uint32_t store_edge(const struct edge_store *es, uint32_t p)
{
	return es->segs[p >> EDGE_SEG_SHIFT][p & EDGE_SEG_MASK];
}

static int note_watch(struct edge_store *es, uint32_t block, mlk_addr_t where)
{
	if (mlk_array_grow((void **)&es->watches, &es->watches_cap, es->nwatches,
		     sizeof(*es->watches), 16) != 0)
		return -1;
	es->watches[es->nwatches++] = (struct watch_note){ block, where };
	return 0;
}

static int note_white(struct edge_store *es, uint32_t block,
		      const struct visit *v)
{
	if (mlk_array_grow((void **)&es->notes, &es->notes_cap, es->nnotes,
		     sizeof(*es->notes), 64) != 0)
		return -1;
	es->notes[es->nnotes++] = (struct white_note){
		block, (uint32_t)(v->pages_unreadable > UINT32_MAX ?
				  UINT32_MAX : v->pages_unreadable),
		v->words };
	return 0;
}

/* The first note of `block` in a note array sorted by block, or n. */
#define FIRST_NOTE(notes, n, blk)                                          \
	({                                                                 \
		size_t lo_ = 0, hi_ = (n);                                 \
		while (lo_ < hi_) {                                        \
			size_t mid_ = lo_ + (hi_ - lo_) / 2;               \
			if ((notes)[mid_].block < (blk))                   \
				lo_ = mid_ + 1;                            \
			else                                               \
				hi_ = mid_;                                \
		}                                                          \
		lo_;                                                       \
	})

static void store_free(struct edge_store *es)
{
	for (size_t i = 0; i < es->nsegs; i++)
		free(es->segs[i]);
	free(es->segs);
	free(es->first);
	free(es->notes);
	free(es->watches);
	memset(es, 0, sizeof(*es));
}

/* ---- looking at words ------------------------------------------------ */

/*
 * Look at each word of buf (which holds the memory at addr) that lies at an
 * MLK_WORD-aligned address and entirely inside buf. Words pointing into
 * v->self, the block being read, do not count. Either count the references
 * (record 0) or put them into the edge store (record 1); always inlined, so
 * each caller gets a loop without the test.
 */
static inline __attribute__((always_inline)) void
visit_words(struct mlk_scan *sc, struct visit *v, const unsigned char *buf,
	    size_t len, mlk_addr_t addr, const int record)
{
	/* Bytes from addr up to the first aligned address. */
	size_t offset = (size_t)(-addr & (MLK_WORD - 1));
	uint64_t words = 0;

	for (; offset < len && len - offset >= MLK_WORD; offset += MLK_WORD) {
		uint64_t value;
		struct mlk_block *target;
		int doubtful;

		/* buf + offset need not be aligned in our own memory. */
		memcpy(&value, buf + offset, sizeof(value));
		value = mlk_untag_word(sc->untag, value);
		words++;
		target = find_target(sc, value);
		if (!target || target == v->self)
			continue;
		doubtful = is_doubtful(sc, target, value);
		if (!record) {
			if (target == sc->watched)
				sc->watch_fn(sc->watch_ctx, addr + offset,
					     v->self);
			sc->where = addr + offset;
			if (doubtful)
				defer_doubtful(sc, target);
			else
				count_reference(sc, target);
		} else if (store_push(&sc->store, block_no(sc, target) |
				      (doubtful ? DOUBTFUL_EDGE : 0)) != 0 ||
			   (target == sc->watched &&
			    note_watch(&sc->store, v->self_no,
				       addr + offset) != 0)) {
			v->full = 1;
			break;
		}
	}
	v->words += words;
}

static void count_words(struct mlk_scan *sc, struct visit *v,
			const unsigned char *buf, size_t len, mlk_addr_t addr)
{
	/* roots: mlk_scan_root*() set the referrer */
	if (sc->parents && v->self)
		sc->referrer = block_no(sc, v->self);
	visit_words(sc, v, buf, len, addr, 0);
}

static void record_words(struct mlk_scan *sc, struct visit *v,
			 const unsigned char *buf, size_t len, mlk_addr_t addr)
{
	visit_words(sc, v, buf, len, addr, 1);
}

static void look_at(struct mlk_scan *sc, struct visit *v, int record,
		    const unsigned char *buf, size_t len, mlk_addr_t addr)
{
	if (record)
		record_words(sc, v, buf, len, addr);
	else
		count_words(sc, v, buf, len, addr);
}

/* ---- progress -------------------------------------------------------- */

/* Call the callback now; -1 (and the scan is over) when it asks to stop. */
static int report_progress(struct mlk_scan *sc)
{
	sc->bytes_at_last_progress = sc->bytes_read;
	if (sc->progress && sc->progress(sc->progress_ctx, &sc->stats) != 0) {
		sc->aborted = 1;
		return -1;
	}
	return 0;
}

static int report_progress_now_and_then(struct mlk_scan *sc)
{
	if (sc->bytes_read - sc->bytes_at_last_progress < MLK_PROGRESS_BYTES)
		return 0;
	return report_progress(sc);
}

/* ---- reading --------------------------------------------------------- */

static size_t min_size(uint64_t a, uint64_t b)
{
	return (size_t)(a < b ? a : b);
}

static size_t to_page_end(mlk_addr_t addr, size_t len)
{
	return min_size(MLK_PAGE - (addr & (MLK_PAGE - 1)), len);
}

/* How many MLK_PAGE pages at lies after from's page. */
static size_t page_distance(mlk_addr_t from, mlk_addr_t at)
{
	return (size_t)(at / MLK_PAGE - from / MLK_PAGE);
}

/*
 * Read [addr, addr + len) (at most MLK_READ_CHUNK bytes) into sc->chunk.
 * If that fails, read it page by page into the same places (the first and
 * last pages may be partial) and set a bit of bad[] for each page that
 * could not be read, counting from addr's page. Returns 0 when all was
 * read in one go, 1 otherwise.
 */
static int read_into_chunk(struct mlk_scan *sc, mlk_addr_t addr, size_t len,
			   uint64_t bad[])
{
	size_t done, piece;

	sc->bytes_read += len;
	if (sc->src.read(sc->src.ctx, addr, sc->chunk, len) == 0)
		return 0;
	memset(bad, 0, (RUN_PAGES + 63) / 64 * sizeof(uint64_t));
	for (done = 0; done < len; done += piece) {
		mlk_addr_t at = addr + done;
		size_t page = page_distance(addr, at);

		piece = to_page_end(at, len - done);
		if (sc->src.read(sc->src.ctx, at, sc->chunk + done, piece) != 0)
			bad[page / 64] |= (uint64_t)1 << (page % 64);
	}
	return 1;
}

/*
 * Look at [addr, addr + len), which lies in sc->chunk at offset addr -
 * base, skipping (and counting into v) the pages that bad[] says failed
 * (NULL: none did).
 */
static void look_at_read(struct mlk_scan *sc, struct visit *v, int record,
			 mlk_addr_t base, const uint64_t *bad, mlk_addr_t addr,
			 size_t len)
{
	size_t done, piece;

	if (!bad) {
		look_at(sc, v, record, sc->chunk + (addr - base), len, addr);
		return;
	}
	for (done = 0; done < len && !v->full; done += piece) {
		mlk_addr_t at = addr + done;
		size_t page = page_distance(base, at);

		piece = to_page_end(at, len - done);
		if (bad[page / 64] & ((uint64_t)1 << (page % 64)))
			v->pages_unreadable++;
		else
			look_at(sc, v, record, sc->chunk + (at - base), piece,
				at);
	}
}

/*
 * Read and look at [start, start + len) chunk by chunk (chunks aligned to
 * MLK_READ_CHUNK), adding the bytes to *counter when it is not NULL.
 * Returns -1 when the progress callback aborts the scan, else 0.
 */
static int read_range(struct mlk_scan *sc, struct visit *v, int record,
		      mlk_addr_t start, uint64_t len, uint64_t *counter)
{
	uint64_t bad[(RUN_PAGES + 63) / 64];
	mlk_addr_t pos = start;
	uint64_t left = len;

	while (left > 0 && !v->full) {
		uint64_t to_chunk_end = MLK_READ_CHUNK -
					(pos & (MLK_READ_CHUNK - 1));
		size_t piece = min_size(to_chunk_end, left);
		int failed = read_into_chunk(sc, pos, piece, bad);

		look_at_read(sc, v, record, pos, failed ? bad : NULL, pos,
			     piece);
		/* pos may wrap to 0 after the very last byte: left is 0 then. */
		pos += piece;
		left -= piece;
		if (counter)
			*counter += piece;
		if (report_progress_now_and_then(sc) != 0)
			return -1;
	}
	return 0;
}

/* ---- blocks ---------------------------------------------------------- */

/* Aligned words entirely inside [start, start + size). */
static uint64_t words_in(mlk_addr_t start, uint32_t size)
{
	mlk_addr_t end = start + size;
	mlk_addr_t first = start + (-start & (MLK_WORD - 1));

	return end > first ? (end - first) / MLK_WORD : 0;
}

/* b's references are counted: add what reading it found to the stats. */
static void block_counted(struct mlk_scan *sc, struct mlk_block *b,
			  uint64_t bytes, uint64_t words,
			  uint64_t pages_unreadable)
{
	sc->stats.block_bytes += bytes;
	sc->stats.words_scanned += words;
	if (pages_unreadable) {
		sc->stats.pages_unreadable += pages_unreadable;
		if (!(b->flags & MLK_F_UNREADABLE)) {
			b->flags |= MLK_F_UNREADABLE;
			sc->stats.blocks_unreadable++;
		}
	}
	b->flags |= MLK_F_SCANNED;
}

/* Read a grey block of the main index and count its references. */
static int read_grey_block(struct mlk_scan *sc, struct mlk_block *b)
{
	struct visit v = { .self = b };

	if (read_range(sc, &v, 0, b->start, b->size, NULL) != 0)
		return -1;
	block_counted(sc, b, b->size, v.words, v.pages_unreadable);
	return 0;
}

/*
 * A per-cpu block is one allocation with a copy per CPU, at the block's
 * __percpu address plus each CPU's offset (mm/percpu.c: per_cpu_ptr()):
 * every copy is read, and words pointing back at the block count as
 * self-references.
 */
static int read_percpu_block(struct mlk_scan *sc, struct mlk_block *b)
{
	struct visit v = { .self = b };
	unsigned cpu;

	for (cpu = 0; cpu < sc->ncpus; cpu++)
		if (read_range(sc, &v, 0, b->start + sc->cpu_offsets[cpu],
			       b->size, NULL) != 0)
			return -1;
	block_counted(sc, b, (uint64_t)b->size * sc->ncpus, v.words,
		      v.pages_unreadable);
	return 0;
}

/* Count the references a white block left in the store. */
static void count_stored(struct mlk_scan *sc, uint32_t no)
{
	struct edge_store *es = &sc->store;
	struct mlk_block *b = &sc->ix->blocks[no];
	uint64_t words = words_in(b->start, b->size), pages_unreadable = 0;
	size_t n;

	sc->referrer = no; /* the block that stored them */
	sc->where = 0;     /* not kept in the store */
	for (uint32_t p = es->first[no]; p < es->first[no + 1]; p++) {
		int doubtful;
		struct mlk_block *t = edge_target(sc, store_edge(es, p),
						  &doubtful);

		if (doubtful && sc->alias_phase == SOLID_ONLY)
			defer_doubtful(sc, t);
		else
			count_reference(sc, t);
	}
	if (sc->watched)
		for (n = FIRST_NOTE(es->watches, es->nwatches, no);
		     n < es->nwatches && es->watches[n].block == no; n++)
			sc->watch_fn(sc->watch_ctx, es->watches[n].where, b);
	n = FIRST_NOTE(es->notes, es->nnotes, no);
	if (n < es->nnotes && es->notes[n].block == no) {
		words = es->notes[n].words;
		pages_unreadable = es->notes[n].pages_unreadable;
	}
	block_counted(sc, b, b->size, words, pages_unreadable);
}

/* Grey blocks behind the sweep, then per-cpu ones, until none is left. */
static int drain_work(struct mlk_scan *sc)
{
	while (sc->work_head < sc->work_tail ||
	       sc->pwork_head < sc->pwork_tail) {
		while (sc->work_head < sc->work_tail) {
			uint32_t no = sc->work[sc->work_head++];
			struct mlk_block *b = &sc->ix->blocks[no];

			if (b->flags & MLK_F_DEFERRED) {
				count_stored(sc, no);
				/* no reading: progress every so many blocks */
				if ((sc->work_head & (MLK_PROGRESS_BLOCKS - 1)) == 0 &&
				    report_progress(sc) != 0)
					return -1;
			} else if (read_grey_block(sc, b) != 0) {
				return -1;
			}
		}
		while (sc->pwork_head < sc->pwork_tail) {
			size_t i = sc->pwork[sc->pwork_head++];

			if (read_percpu_block(sc, &sc->pix->blocks[i]) != 0)
				return -1;
		}
	}
	return 0;
}

/* ---- the sweep ------------------------------------------------------- */

/* The sweep is past block no. */
static void passed(struct mlk_scan *sc, size_t no)
{
	sc->store.first[no + 1] = sc->store.used;
	sc->cursor = no + 1;
}

/* Whether the sweep reads block b. */
static int worth_reading(const struct mlk_scan *sc, const struct mlk_block *b)
{
	if (b->flags & MLK_F_NOSCAN)
		return 0;
	/* a white block the store cannot take is read if it turns grey */
	return (b->flags & MLK_F_GREY) || !sc->store.full;
}

/* Block no has been read: count its references, or keep them. */
static void swept(struct mlk_scan *sc, size_t no, int record,
		  const struct visit *v)
{
	struct edge_store *es = &sc->store;
	struct mlk_block *b = &sc->ix->blocks[no];

	if (!record) {
		block_counted(sc, b, b->size, v->words, v->pages_unreadable);
	} else if (!v->full && (!v->pages_unreadable ||
				note_white(es, (uint32_t)no, v) == 0)) {
		b->flags |= MLK_F_DEFERRED;
	} else {
		/* out of memory: it will be read again if it turns grey */
		store_rewind(es, es->first[no]);
		while (es->nwatches && es->watches[es->nwatches - 1].block == no)
			es->nwatches--;
		es->full = 1;
	}
	passed(sc, no);
}

/* Read one block larger than MLK_READ_CHUNK. */
static int sweep_large(struct mlk_scan *sc, size_t no)
{
	struct mlk_block *b = &sc->ix->blocks[no];
	int record = !(b->flags & MLK_F_GREY);
	struct visit v = { .self = b, .self_no = (uint32_t)no };

	if (read_range(sc, &v, record, b->start, b->size, NULL) != 0)
		return -1;
	swept(sc, no, record, &v);
	return 0;
}

/*
 * The blocks read together with block i: up to the first one starting a
 * whole page or more after the end of the previous one, or ending more
 * than MLK_READ_CHUNK bytes after block i's start. Returns the index past
 * them and sets *end to where the last one read ends.
 */
static size_t run_end(const struct mlk_scan *sc, size_t i, mlk_addr_t *end)
{
	const struct mlk_index *ix = sc->ix;
	mlk_addr_t start = ix->blocks[i].start;
	size_t j;

	*end = start + ix->blocks[i].size;
	for (j = i + 1; j < ix->count; j++) {
		const struct mlk_block *b = &ix->blocks[j];

		/*
		 * White blocks the store cannot take are read all the same:
		 * one may turn grey before its turn in this run.
		 */
		if (b->flags & MLK_F_NOSCAN)
			continue;
		/* sorted and disjoint: b->start >= *end */
		if (b->start - *end >= MLK_PAGE ||
		    b->start + b->size - start > MLK_READ_CHUNK)
			break;
		*end = b->start + b->size;
	}
	return j;
}

/* Read the run starting at block i with one read, then each of its blocks. */
static void sweep_run(struct mlk_scan *sc, size_t i)
{
	uint64_t bad[(RUN_PAGES + 63) / 64];
	mlk_addr_t base = sc->ix->blocks[i].start, end;
	size_t j = run_end(sc, i, &end);
	int failed = read_into_chunk(sc, base, (size_t)(end - base), bad);

	for (size_t k = i; k < j; k++) {
		struct mlk_block *b = &sc->ix->blocks[k];
		int record = !(b->flags & MLK_F_GREY);
		struct visit v = { .self = b, .self_no = (uint32_t)k };

		if (!worth_reading(sc, b)) {
			passed(sc, k);
			continue;
		}
		look_at_read(sc, &v, record, base, failed ? bad : NULL,
			     b->start, b->size);
		swept(sc, k, record, &v);
	}
}

/* One step of the sweep: a run of blocks, or one large block. */
static int sweep_step(struct mlk_scan *sc)
{
	size_t i = sc->cursor;
	const struct mlk_block *b = &sc->ix->blocks[i];

	if (!worth_reading(sc, b)) {
		passed(sc, i);
		return 0;
	}
	if (b->size > MLK_READ_CHUNK)
		return sweep_large(sc, i);
	sweep_run(sc, i);
	return 0;
}

/* ---- the public interface -------------------------------------------- */

/* Every block white with no reference; the always-grey ones made grey. */
static void colour_index(struct mlk_scan *sc, struct mlk_index *ix)
{
	for (size_t i = 0; i < ix->count; i++) {
		struct mlk_block *b = &ix->blocks[i];

		b->count = 0;
		b->flags &= (uint8_t)~MLK_F_SCAN_STATE;
		sc->stats.bytes_tracked += b->size;
		if (b->min_count == 0)
			make_grey(sc, b);
	}
	sc->stats.blocks += ix->count;
	sc->stats.duplicates += mlk_index_duplicates(ix);
}

void mlk_scan_set_untag(struct mlk_scan *sc, struct mlk_untag untag)
{
	sc->untag = untag;
}

int mlk_scan_set_percpu(struct mlk_scan *sc, struct mlk_index *pix,
			const mlk_addr_t *cpu_offsets, unsigned ncpus)
{
	size_t slots;

	if (!sc || sc->pix || !pix || !pix->finished || !ncpus ||
	    sc->stats.root_ranges || sc->cursor || sc->parents)
		return -1;
	/* Both indexes' blocks are numbered in 32 bits. */
	if (pix->count >= UINT32_MAX - sc->ix->count)
		return -1;
	slots = pix->count ? pix->count : 1;
	if (slots > SIZE_MAX / sizeof(size_t))
		return -1;
	sc->pwork = malloc(slots * sizeof(size_t));
	sc->cpu_offsets = malloc(ncpus * sizeof(*cpu_offsets));
	if (!sc->pwork || !sc->cpu_offsets) {
		free(sc->pwork);
		free(sc->cpu_offsets);
		sc->pwork = NULL;
		sc->cpu_offsets = NULL;
		return -1;
	}
	memcpy(sc->cpu_offsets, cpu_offsets, ncpus * sizeof(*cpu_offsets));
	sc->ncpus = ncpus;
	sc->pix = pix;
	colour_index(sc, pix);
	return 0;
}

struct mlk_scan *mlk_scan_new(struct mlk_index *ix,
			      const struct mlk_source *src,
			      mlk_progress_fn progress, void *progress_ctx)
{
	struct mlk_scan *sc;
	size_t work_slots;

	/* Lookups need a finished index; blocks are numbered in 32 bits. */
	if (!ix || !ix->finished || !src || !src->read ||
	    ix->count >= UINT32_MAX)
		return NULL;
	work_slots = ix->count ? ix->count : 1;

	sc = calloc(1, sizeof(*sc));
	if (!sc)
		return NULL;
	sc->ix = ix;
	sc->src = *src;
	sc->progress = progress;
	sc->progress_ctx = progress_ctx;
	sc->chunk = malloc(MLK_READ_CHUNK);
	sc->work = malloc(work_slots * sizeof(*sc->work));
	sc->store.first = calloc(ix->count + 1, sizeof(*sc->store.first));
	if (!sc->chunk || !sc->work || !sc->store.first) {
		mlk_scan_free(sc);
		return NULL;
	}
	/* the sweep fills all of it */
	mlk_populate(sc->store.first,
		     (ix->count + 1) * sizeof(*sc->store.first));
	colour_index(sc, ix);
	return sc;
}

void mlk_scan_free(struct mlk_scan *sc)
{
	if (!sc)
		return;
	free(sc->chunk);
	free(sc->work);
	store_free(&sc->store);
	free(sc->pwork);
	free(sc->cpu_offsets);
	free(sc->parents);
	free(sc->wheres);
	free(sc->doubtful);
	free(sc);
}

int mlk_scan_root(struct mlk_scan *sc, mlk_addr_t start, uint64_t len)
{
	struct visit v = { 0 };
	int rc;

	if (!sc || sc->aborted)
		return -1;
	/* Nothing lies past the top of the address space. */
	if (start != 0 && len > 0 - start)
		len = 0 - start;
	sc->referrer = PARENT_ROOT | (uint32_t)sc->stats.root_ranges;
	sc->stats.root_ranges++;
	rc = read_range(sc, &v, 0, start, len, &sc->stats.root_bytes);
	sc->stats.words_scanned += v.words;
	sc->stats.pages_unreadable += v.pages_unreadable;
	return rc;
}

int mlk_scan_root_buf(struct mlk_scan *sc, const void *buf, size_t len)
{
	struct visit v = { 0 };

	if (!sc || sc->aborted || (!buf && len))
		return -1;
	sc->referrer = PARENT_ROOT | (uint32_t)sc->stats.root_ranges;
	sc->stats.root_ranges++;
	sc->stats.root_bytes += len;
	sc->bytes_read += len;
	/* No address: words are taken at offsets 0, 8, 16, ... of buf. */
	count_words(sc, &v, buf, len, 0);
	sc->stats.words_scanned += v.words;
	return report_progress_now_and_then(sc);
}

int mlk_scan_drain(struct mlk_scan *sc)
{
	if (!sc || sc->aborted)
		return -1;
	if (drain_work(sc) != 0)
		return -1;
	while (sc->cursor < sc->ix->count) {
		if (sweep_step(sc) != 0 || drain_work(sc) != 0 ||
		    report_progress_now_and_then(sc) != 0)
			return -1;
	}
	return report_progress(sc);
}

static void count_final(struct mlk_stats *st, const struct mlk_index *ix)
{
	st->blocks += ix->count;
	for (size_t i = 0; i < ix->count; i++) {
		const struct mlk_block *b = &ix->blocks[i];

		st->bytes_tracked += b->size;
		if (b->flags & MLK_F_GREY)
			st->grey++;
		if (mlk_block_is_orphan(b)) {
			st->orphans++;
			st->orphan_bytes += b->size;
		}
		if ((b->flags & MLK_F_POSSIBLE) && !(b->flags & MLK_F_IGNORE)) {
			st->possibly_lost++;
			st->possibly_lost_bytes += b->size;
		}
	}
}

const struct mlk_stats *mlk_scan_finish(struct mlk_scan *sc)
{
	struct mlk_stats *st;

	if (!sc)
		return NULL;
	st = &sc->stats;
	st->blocks = 0;
	st->bytes_tracked = 0;
	st->grey = 0;
	st->orphans = 0;
	st->orphan_bytes = 0;
	st->possibly_lost = 0;
	st->possibly_lost_bytes = 0;
	count_final(st, sc->ix);
	if (sc->pix)
		count_final(st, sc->pix);
	return st;
}

int mlk_scan_watch(struct mlk_scan *sc, mlk_addr_t addr, mlk_watch_fn fn,
		   void *ctx)
{
	sc->watched = fn ? find_target(sc, addr) : NULL;
	sc->watch_fn = fn;
	sc->watch_ctx = ctx;
	return sc->watched ? 0 : -1;
}

/* Blocks of both indexes. */
static size_t all_blocks(const struct mlk_scan *sc)
{
	return sc->ix->count + (sc->pix ? sc->pix->count : 0);
}

int mlk_scan_record_parents(struct mlk_scan *sc)
{
	size_t n;

	if (!sc || sc->parents || sc->stats.root_ranges || sc->cursor)
		return -1;
	n = all_blocks(sc);
	/* block numbers must stay clear of PARENT_ROOT and NO_PARENT */
	if (n >= PARENT_ROOT)
		return -1;
	sc->parents = malloc((n ? n : 1) * sizeof(*sc->parents));
	if (!sc->parents)
		return -1;
	/* all ones: NO_PARENT, for blocks grey from the start too */
	memset(sc->parents, 0xff, n * sizeof(*sc->parents));
	sc->referrer = NO_PARENT;
	return 0;
}

enum mlk_parent_kind mlk_scan_parent(const struct mlk_scan *sc,
				     const struct mlk_block *b,
				     struct mlk_parent *p)
{
	uint32_t word;

	memset(p, 0, sizeof(*p));
	if (!sc || !sc->parents || !(in_index(sc->ix, b) || in_index(sc->pix, b)))
		return p->kind;
	word = sc->parents[block_no(sc, b)];
	if (word == NO_PARENT || !(b->flags & MLK_F_GREY))
		return p->kind;
	if (sc->wheres)
		p->where = sc->wheres[block_no(sc, b)];
	if (word & PARENT_ROOT) {
		p->kind = MLK_PARENT_ROOT;
		p->root = word & ~PARENT_ROOT;
	} else {
		p->kind = MLK_PARENT_BLOCK;
		p->block = block_at(sc, word);
	}
	return p->kind;
}

int mlk_scan_set_aliases(struct mlk_scan *sc,
			 const struct mlk_alias_bits *by_tag, uint32_t ntags,
			 const uint8_t rule_by_kind[MLK_KIND_COUNT])
{
	if (!sc || sc->stats.root_ranges || sc->cursor ||
	    sc->alias_phase != ALIASES_OFF || (ntags && !by_tag) ||
	    all_blocks(sc) >= DOUBTFUL_EDGE)
		return -1;
	sc->alias_tags = by_tag;
	sc->nalias_tags = ntags;
	memcpy(sc->alias_rule, rule_by_kind, sizeof(sc->alias_rule));
	sc->alias_phase = SOLID_ONLY;
	return 0;
}

int mlk_scan_admit_doubtful(struct mlk_scan *sc)
{
	size_t i;

	if (!sc || sc->aborted || sc->alias_phase != SOLID_ONLY)
		return -1;
	sc->alias_phase = DOUBTFUL_ADMITTED;
	for (i = 0; i < sc->ndoubtful; i++) {
		const struct doubtful_ref *d = &sc->doubtful[i];

		sc->referrer = d->referrer;
		sc->where = d->where;
		count_reference(sc, block_at(sc, d->target));
	}
	free(sc->doubtful);
	sc->doubtful = NULL;
	sc->ndoubtful = sc->doubtful_cap = 0;
	return mlk_scan_drain(sc);
}

int mlk_scan_set_breadth_first(struct mlk_scan *sc)
{
	size_t n;

	if (!sc || sc->wheres || sc->stats.root_ranges || sc->cursor)
		return -1;
	if (!sc->parents && mlk_scan_record_parents(sc) != 0)
		return -1;
	n = all_blocks(sc);
	sc->wheres = calloc(n ? n : 1, sizeof(*sc->wheres));
	if (!sc->wheres)
		return -1;
	/*
	 * As if the sweep were done: make_grey() puts every block on the
	 * FIFO work list, and drain_work() reads each one in its turn.
	 */
	sc->cursor = sc->ix->count;
	return 0;
}

const struct mlk_stats *mlk_scan_stats(const struct mlk_scan *sc)
{
	return sc ? &sc->stats : NULL;
}

size_t mlk_scan_memory(const struct mlk_scan *sc, size_t *edge_store)
{
	const struct edge_store *es;
	size_t store, bytes;

	if (!sc)
		return 0;
	es = &sc->store;
	store = (sc->ix->count + 1) * sizeof(*es->first) +
		es->nsegs * (EDGE_SEG_LEN * sizeof(uint32_t) +
			     sizeof(*es->segs)) +
		es->notes_cap * sizeof(*es->notes) +
		es->watches_cap * sizeof(*es->watches);
	bytes = sizeof(*sc) + MLK_READ_CHUNK + store +
		(sc->ix->count ? sc->ix->count : 1) * sizeof(*sc->work);
	if (sc->parents)
		bytes += all_blocks(sc) * sizeof(*sc->parents);
	if (sc->pix)
		bytes += (sc->pix->count ? sc->pix->count : 1) *
			 sizeof(*sc->pwork) +
			 sc->ncpus * sizeof(*sc->cpu_offsets);
	if (edge_store)
		*edge_store = store;
	return bytes;
}
