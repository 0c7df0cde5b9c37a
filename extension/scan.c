/*
 * scan.c - the tri-colour mark and scan (kmemleak_scan() of mm/kmemleak.c).
 *
 * White blocks: count < min_count, not queued. Grey blocks: MLK_F_GREY, on
 * the work list until scanned (then also MLK_F_SCANNED). The work list is a
 * FIFO array with room for every block: a block turns grey at most once per
 * scan, so it is queued at most once and pushing can never fail.
 *
 * Memory is read through the caller's mlk_source in chunks of at most
 * MLK_READ_CHUNK bytes, aligned to MLK_READ_CHUNK so that every chunk after
 * the first starts on a page and word boundary. A chunk that fails to read
 * is retried page by page; unreadable pages are counted and skipped.
 *
 * Words are read in host byte order (crash runs on the dump's architecture).
 * A scan owns the per-block state (count, GREY, SCANNED, UNREADABLE) of its
 * index: mlk_scan_new() resets it, so only one scan per index at a time.
 */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"

/* Call the progress callback after about this many scanned bytes. */
#define MLK_PROGRESS_BYTES ((uint64_t)64 << 20)

/* Per-block state a scan sets; MLK_F_NOSCAN and MLK_F_IGNORE are the caller's. */
#define MLK_F_SCAN_STATE (MLK_F_GREY | MLK_F_SCANNED | MLK_F_UNREADABLE)

struct mlk_scan {
	struct mlk_index *ix;
	struct mlk_source src;
	mlk_progress_fn progress;
	void *progress_ctx;
	struct mlk_stats stats;
	unsigned char *chunk;    /* read buffer, MLK_READ_CHUNK bytes */
	size_t *work;            /* indices of grey blocks, one slot per block */
	size_t work_head;        /* next block to scan */
	size_t work_tail;        /* next free slot */
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
};

/* ---- colouring ------------------------------------------------------- */

static int in_index(const struct mlk_index *ix, const struct mlk_block *b)
{
	/* an empty index may have no array at all: no pointer arithmetic */
	return ix && ix->count && b >= ix->blocks && b < ix->blocks + ix->count;
}

static void make_grey(struct mlk_scan *sc, struct mlk_block *b)
{
	b->flags |= MLK_F_GREY;
	sc->stats.grey++;
	/* A NOSCAN block is reachable, but there is nothing to read in it. */
	if (b->flags & MLK_F_NOSCAN)
		return;
	if (in_index(sc->pix, b))
		sc->pwork[sc->pwork_tail++] = (size_t)(b - sc->pix->blocks);
	else
		sc->work[sc->work_tail++] = (size_t)(b - sc->ix->blocks);
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

/*
 * Look at each word of buf (which holds the memory at addr) that lies at an
 * MLK_WORD-aligned address and entirely inside buf. Words pointing into
 * `self`, the block being scanned, do not count.
 */
static void scan_words(struct mlk_scan *sc, const unsigned char *buf,
		       size_t len, mlk_addr_t addr,
		       const struct mlk_block *self)
{
	/* Bytes from addr up to the first aligned address. */
	size_t offset = (size_t)(-addr & (MLK_WORD - 1));
	uint64_t words = 0;

	for (; offset < len && len - offset >= MLK_WORD; offset += MLK_WORD) {
		uint64_t value;
		struct mlk_block *target;

		/* buf + offset need not be aligned in our own memory. */
		memcpy(&value, buf + offset, sizeof(value));
		words++;
		target = find_target(sc, value);
		if (!target || target == self)
			continue;
		if (target == sc->watched)
			sc->watch_fn(sc->watch_ctx, addr + offset, self);
		count_reference(sc, target);
	}
	sc->stats.words_scanned += words;
}

/* ---- progress -------------------------------------------------------- */

static uint64_t bytes_scanned(const struct mlk_scan *sc)
{
	return sc->stats.root_bytes + sc->stats.block_bytes;
}

/* Call the callback now; -1 (and the scan is over) when it asks to stop. */
static int report_progress(struct mlk_scan *sc)
{
	sc->bytes_at_last_progress = bytes_scanned(sc);
	if (sc->progress && sc->progress(sc->progress_ctx, &sc->stats) != 0) {
		sc->aborted = 1;
		return -1;
	}
	return 0;
}

static int report_progress_now_and_then(struct mlk_scan *sc)
{
	if (bytes_scanned(sc) - sc->bytes_at_last_progress < MLK_PROGRESS_BYTES)
		return 0;
	return report_progress(sc);
}

/* ---- reading --------------------------------------------------------- */

static size_t min_size(uint64_t a, uint64_t b)
{
	return (size_t)(a < b ? a : b);
}

/*
 * Scan [addr, addr + len), which lies inside one MLK_READ_CHUNK-aligned
 * chunk. If it cannot be read in one go, read and scan it page by page
 * (the first and last pages may be partial). Returns the number of pages
 * that could not be read.
 */
static uint64_t scan_chunk(struct mlk_scan *sc, mlk_addr_t addr, size_t len,
			   const struct mlk_block *self)
{
	uint64_t pages_unreadable = 0;
	size_t done = 0;

	if (sc->src.read(sc->src.ctx, addr, sc->chunk, len) == 0) {
		scan_words(sc, sc->chunk, len, addr, self);
		return 0;
	}
	while (done < len) {
		mlk_addr_t page_addr = addr + done;
		uint64_t to_page_end = MLK_PAGE - (page_addr & (MLK_PAGE - 1));
		size_t piece = min_size(to_page_end, len - done);

		if (sc->src.read(sc->src.ctx, page_addr, sc->chunk, piece) == 0)
			scan_words(sc, sc->chunk, piece, page_addr, self);
		else
			pages_unreadable++;
		done += piece;
	}
	sc->stats.pages_unreadable += pages_unreadable;
	return pages_unreadable;
}

/*
 * Scan [start, start + len) chunk by chunk, adding the bytes to *counter
 * (root_bytes or block_bytes; unreadable bytes included) and setting
 * *unreadable when some page could not be read. Returns -1 when the
 * progress callback aborts the scan, else 0.
 */
static int scan_range(struct mlk_scan *sc, mlk_addr_t start, uint64_t len,
		      const struct mlk_block *self, uint64_t *counter,
		      int *unreadable)
{
	mlk_addr_t pos = start;
	uint64_t left = len;

	while (left > 0) {
		uint64_t to_chunk_end = MLK_READ_CHUNK -
					(pos & (MLK_READ_CHUNK - 1));
		size_t piece = min_size(to_chunk_end, left);

		if (scan_chunk(sc, pos, piece, self) != 0)
			*unreadable = 1;
		/* pos may wrap to 0 after the very last byte: left is 0 then. */
		pos += piece;
		left -= piece;
		*counter += piece;
		if (report_progress_now_and_then(sc) != 0)
			return -1;
	}
	return 0;
}

/* ---- the public interface -------------------------------------------- */

/* Every block white with no reference; the always-grey ones queued. */
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

static void start_colouring(struct mlk_scan *sc)
{
	colour_index(sc, sc->ix);
}

int mlk_scan_set_percpu(struct mlk_scan *sc, struct mlk_index *pix,
			const mlk_addr_t *cpu_offsets, unsigned ncpus)
{
	size_t slots;

	if (!sc || sc->pix || !pix || !pix->finished || !ncpus ||
	    sc->stats.root_ranges)
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

	/* Lookups need a finished index. */
	if (!ix || !ix->finished || !src || !src->read)
		return NULL;
	work_slots = ix->count ? ix->count : 1;
	if (work_slots > SIZE_MAX / sizeof(size_t))
		return NULL;

	sc = calloc(1, sizeof(*sc));
	if (!sc)
		return NULL;
	sc->ix = ix;
	sc->src = *src;
	sc->progress = progress;
	sc->progress_ctx = progress_ctx;
	sc->chunk = malloc(MLK_READ_CHUNK);
	sc->work = malloc(work_slots * sizeof(size_t));
	if (!sc->chunk || !sc->work) {
		mlk_scan_free(sc);
		return NULL;
	}
	start_colouring(sc);
	return sc;
}

void mlk_scan_free(struct mlk_scan *sc)
{
	if (!sc)
		return;
	free(sc->chunk);
	free(sc->work);
	free(sc->pwork);
	free(sc->cpu_offsets);
	free(sc);
}

int mlk_scan_root(struct mlk_scan *sc, mlk_addr_t start, uint64_t len)
{
	int unreadable = 0;

	if (!sc || sc->aborted)
		return -1;
	/* Nothing lies past the top of the address space. */
	if (start != 0 && len > 0 - start)
		len = 0 - start;
	sc->stats.root_ranges++;
	return scan_range(sc, start, len, NULL, &sc->stats.root_bytes,
			  &unreadable);
}

int mlk_scan_root_buf(struct mlk_scan *sc, const void *buf, size_t len)
{
	if (!sc || sc->aborted || (!buf && len))
		return -1;
	sc->stats.root_ranges++;
	sc->stats.root_bytes += len;
	/* No address: words are taken at offsets 0, 8, 16, ... of buf. */
	scan_words(sc, buf, len, 0, NULL);
	return report_progress_now_and_then(sc);
}

static int scan_block(struct mlk_scan *sc, struct mlk_block *b)
{
	int unreadable = 0;
	int rc = scan_range(sc, b->start, b->size, b, &sc->stats.block_bytes,
			    &unreadable);

	if (unreadable && !(b->flags & MLK_F_UNREADABLE)) {
		b->flags |= MLK_F_UNREADABLE;
		sc->stats.blocks_unreadable++;
	}
	if (rc == 0)
		b->flags |= MLK_F_SCANNED;
	return rc;
}

static int index_order(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;

	return (a > b) - (a < b);
}

/*
 * Scan the grey blocks in batches: everything queued when a batch starts,
 * sorted (block indices follow addresses, the index being sorted) so the
 * memory source reads mostly forward. Blocks turning grey meanwhile go
 * after the batch, into the next one.
 */
/*
 * A per-cpu block is one allocation with a copy per CPU, at the block's
 * __percpu address plus each CPU's offset (mm/percpu.c: per_cpu_ptr()):
 * every copy is scanned, and words pointing back at the block count as
 * self-references.
 */
static int scan_percpu_block(struct mlk_scan *sc, struct mlk_block *b)
{
	int unreadable = 0;
	unsigned cpu;

	for (cpu = 0; cpu < sc->ncpus; cpu++)
		if (scan_range(sc, b->start + sc->cpu_offsets[cpu], b->size, b,
			       &sc->stats.block_bytes, &unreadable) != 0)
			return -1;
	if (unreadable && !(b->flags & MLK_F_UNREADABLE)) {
		b->flags |= MLK_F_UNREADABLE;
		sc->stats.blocks_unreadable++;
	}
	b->flags |= MLK_F_SCANNED;
	return 0;
}

static int drain_percpu(struct mlk_scan *sc)
{
	while (sc->pwork_head < sc->pwork_tail) {
		size_t i = sc->pwork[sc->pwork_head++];

		if (scan_percpu_block(sc, &sc->pix->blocks[i]) != 0)
			return -1;
	}
	return 0;
}

int mlk_scan_drain(struct mlk_scan *sc)
{
	if (!sc || sc->aborted)
		return -1;
	while (sc->work_head < sc->work_tail ||
	       sc->pwork_head < sc->pwork_tail) {
		size_t batch_end = sc->work_tail;

		qsort(sc->work + sc->work_head, batch_end - sc->work_head,
		      sizeof(size_t), index_order);
		while (sc->work_head < batch_end) {
			size_t i = sc->work[sc->work_head++];

			if (scan_block(sc, &sc->ix->blocks[i]) != 0)
				return -1;
		}
		if (drain_percpu(sc) != 0 || report_progress(sc) != 0)
			return -1;
	}
	return 0;
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

const struct mlk_stats *mlk_scan_stats(const struct mlk_scan *sc)
{
	return sc ? &sc->stats : NULL;
}
