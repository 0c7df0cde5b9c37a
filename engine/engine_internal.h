/*
 * engine_internal.h - shared between blocks.c and scan.c only.
 *
 * The index layout is exposed here so that the scanner's inner loop can
 * inline the lookup (one call per scanned word would dominate the scan).
 * Nothing outside the engine should include this file.
 */
#ifndef MLK_ENGINE_INTERNAL_H
#define MLK_ENGINE_INTERNAL_H

#include "engine.h"

/*
 * Tracked blocks gather in a few address areas far apart (the direct map,
 * vmalloc space, ...): each cluster of blocks gets its own bucket table, so
 * that the buckets are as fine in a dense area as the block count allows,
 * whatever the distance between the areas.
 */
#define MLK_MAX_CLUSTERS 8

struct mlk_cluster {
	mlk_addr_t lowest;        /* start of its first block */
	uint64_t span;            /* to the end of its last block */
	unsigned bucket_shift;
	/*
	 * bucket_first[b] is the last block starting at or before the first
	 * byte of bucket b, so the block holding any address of bucket b has
	 * an index in [bucket_first[b], bucket_first[b + 1]]. The table has
	 * nbuckets + 1 entries; the last one is the cluster's last block.
	 * It points into the index's bucket_first array.
	 */
	size_t *bucket_first;
};

/* The widest gaps between consecutive blocks: where clusters start. */
struct mlk_gaps {
	struct { uint64_t gap; size_t at; } widest[MLK_MAX_CLUSTERS - 1];
	unsigned n, narrowest;
};

struct mlk_index {
	struct mlk_block *blocks; /* sorted by start once finished */
	size_t count;             /* blocks in use */
	size_t capacity;          /* blocks allocated */
	size_t populated;         /* bytes of the array faulted in ahead */
	uint64_t duplicates;      /* overlapping blocks dropped by finish */
	int finished;             /* sorted and lookup tables built */
	/*
	 * Whether the blocks added so far each start at or after the end of
	 * the one added before (then finishing needs no sort, and no block
	 * overlaps another); added_end is where the last one added ends.
	 */
	int in_order;
	mlk_addr_t added_end;
	struct mlk_gaps gaps;     /* of the blocks so far, when in_order */

	/*
	 * Lookup acceleration, valid once finished. Every tracked byte lies in
	 * [lowest, lowest + span); span is 0 when the index is empty or not
	 * finished, which makes every lookup fail at the first test.
	 */
	mlk_addr_t lowest;
	uint64_t span;
	unsigned nclusters;
	struct mlk_cluster clusters[MLK_MAX_CLUSTERS];
	size_t nbuckets;          /* all clusters' tables, entries included */
	size_t *bucket_first;     /* the clusters' tables, back to back */
};

/*
 * Fault in [start, start + len) now, in one system call (a hint): for
 * large arrays about to be filled (see blocks.c).
 */
void mlk_populate(void *start, size_t len);
/*
 * The same for a growing array of size bytes at base whose first
 * `populated` bytes are done: the next step of it. Returns the new figure.
 */
size_t mlk_populate_ahead(void *base, size_t populated, size_t size);

/* Overlapping blocks dropped by mlk_index_finish() so far. */
uint64_t mlk_index_duplicates(const struct mlk_index *ix);

/*
 * The block containing addr, or NULL (the body of mlk_index_lookup()).
 * Most scanned words are not pointers into the tracked range at all, so the
 * first test rejects them: one subtraction and one compare, where addresses
 * below lowest wrap around to huge offsets.
 */
static inline struct mlk_block *mlk_index_find(struct mlk_index *ix,
					       mlk_addr_t addr)
{
	const struct mlk_cluster *c = ix->clusters;
	uint64_t offset = addr - ix->lowest;

	if (offset >= ix->span)
		return NULL;
	for (offset = addr - c->lowest; offset >= c->span;
	     offset = addr - c->lowest)
		if (++c == ix->clusters + ix->nclusters)
			return NULL;

	size_t bucket = (size_t)(offset >> c->bucket_shift);
	size_t base = c->bucket_first[bucket];
	size_t n = c->bucket_first[bucket + 1] - base + 1;

	/*
	 * Find the last block with start <= addr in [base, base + n).
	 * blocks[base].start <= addr holds on entry and is kept; halving the
	 * candidate range this way needs no early exit (the compiler can use
	 * a conditional move).
	 */
	while (n > 1) {
		size_t half = n / 2;

		if (ix->blocks[base + half].start <= addr)
			base += half;
		n -= half;
	}

	struct mlk_block *b = &ix->blocks[base];

	return addr - b->start < b->size ? b : NULL;
}

#endif /* MLK_ENGINE_INTERNAL_H */
