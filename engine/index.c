/*
 * blocks.c - the index of tracked blocks.
 *
 * A flat, growable array of 24-byte struct mlk_block. mlk_index_finish()
 * sorts it by start address, drops blocks overlapping an earlier one and
 * builds small bucket tables over the tracked address span, one per cluster
 * of blocks (blocks closer than MLK_CLUSTER_GAP to each other), so a lookup
 * is
 *   1. one range test (rejects most words: small integers, text and data
 *      addresses outside the tracked span, ...),
 *   2. a range test per cluster, in address order (a handful),
 *   3. one bucket table read giving a narrow slice of the array,
 *   4. a binary search in that slice for the last block starting at or
 *      before the address, and a bounds test against that block.
 * The bucket tables cost about 2 bytes per block (8 bytes per 4 blocks),
 * capped at MLK_BUCKETS_MAX entries per cluster.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "engine_internal.h"

#define MLK_INDEX_FIRST_CAPACITY 1024
/* Aim for this many blocks per bucket... */
#define MLK_BLOCKS_PER_BUCKET 4
/* ...but never use more buckets than this per cluster (16 MiB of table). */
#define MLK_BUCKETS_MAX ((size_t)1 << 21)
/* A gap between blocks this large or larger may start a new cluster. */
#define MLK_CLUSTER_GAP ((uint64_t)1 << 30)

struct mlk_index *mlk_index_new(void)
{
	struct mlk_index *ix = calloc(1, sizeof(struct mlk_index));

	if (ix)
		ix->in_order = 1;
	return ix;
}

void mlk_index_free(struct mlk_index *ix)
{
	if (!ix)
		return;
	free(ix->blocks);
	free(ix->bucket_first);
	free(ix);
}

/* Make every lookup fail until the next mlk_index_finish(). */
static void index_drop_lookup(struct mlk_index *ix)
{
	ix->finished = 0;
	ix->lowest = 0;
	ix->span = 0;
	ix->nclusters = 0;
	memset(ix->clusters, 0, sizeof(ix->clusters));
	ix->nbuckets = 0;
	free(ix->bucket_first);
	ix->bucket_first = NULL;
}

/* Double the capacity of the block array; -1 on overflow or no memory. */
static int index_grow(struct mlk_index *ix)
{
	size_t new_capacity = MLK_INDEX_FIRST_CAPACITY;
	struct mlk_block *grown;

	if (ix->capacity) {
		if (ix->capacity > SIZE_MAX / 2)
			return -1;
		new_capacity = ix->capacity * 2;
	}
	if (new_capacity > SIZE_MAX / sizeof(struct mlk_block))
		return -1;
	grown = realloc(ix->blocks, new_capacity * sizeof(struct mlk_block));
	if (!grown)
		return -1;
	ix->blocks = grown;
	ix->capacity = new_capacity;
	return 0;
}

/*
 * Large arrays are faulted in ahead of use, MLK_POPULATE_STEP bytes at a
 * time, with one madvise(MADV_POPULATE_WRITE) (Linux 5.14; a hint, ignored
 * where unknown): a page fault for each fresh 4 KiB page of a large array
 * is slow, very slow in virtual machines.
 */
#define MLK_POPULATE_STEP ((size_t)8 << 20)
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

void mlk_populate(void *start, size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uintptr_t lo = ((uintptr_t)start + page - 1) & ~(uintptr_t)(page - 1);
	uintptr_t hi = ((uintptr_t)start + len) & ~(uintptr_t)(page - 1);

	if (hi > lo)
		madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE);
}

size_t mlk_populate_ahead(void *base, size_t populated, size_t size)
{
	size_t to = populated + MLK_POPULATE_STEP;

	if (to > size)
		to = size;
	if (to > populated)
		mlk_populate((unsigned char *)base + populated, to - populated);
	return to;
}

static void note_gap(struct mlk_index *ix, uint64_t gap, size_t at);

int mlk_index_add(struct mlk_index *ix, mlk_addr_t start, uint32_t size,
		  uint8_t kind, uint32_t tag, uint16_t min_count)
{
	struct mlk_block *b;

	if (!ix)
		return -1;
	/*
	 * Empty blocks hold nothing. A block running to or past the top of
	 * the address space cannot be described by a 64-bit end address:
	 * no real kernel allocation lies there, so it is ignored too.
	 */
	if (size == 0 || size > UINT64_MAX - start)
		return 0;
	if (ix->count == ix->capacity && index_grow(ix) != 0)
		return -1;
	if ((ix->count + 1) * sizeof(struct mlk_block) > ix->populated)
		ix->populated = mlk_populate_ahead(ix->blocks, ix->populated,
						   ix->capacity *
						   sizeof(struct mlk_block));
	if (ix->finished)
		index_drop_lookup(ix);

	/* count 0: any start is in order */
	if (start < ix->added_end)
		ix->in_order = 0;
	else if (ix->count && ix->in_order)
		note_gap(ix, start - ix->added_end, ix->count);
	ix->added_end = start + size;
	b = &ix->blocks[ix->count++];
	b->start = start;
	b->size = size;
	b->tag = tag;
	b->count = 0;
	b->min_count = min_count;
	b->kind = kind;
	b->flags = 0;
	return 0;
}

/*
 * Order by start. Blocks with the same start are ordered largest first so
 * the largest one is kept (interior pointers into it still count); the
 * remaining keys only make the order, hence the result, deterministic.
 */
static int block_order(const void *pa, const void *pb)
{
	const struct mlk_block *a = pa, *b = pb;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	if (a->size != b->size)
		return a->size > b->size ? -1 : 1;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->tag != b->tag)
		return a->tag < b->tag ? -1 : 1;
	return 0;
}

static int block_before(const struct mlk_block *a, const struct mlk_block *b)
{
	return block_order(a, b) < 0;
}

static int blocks_are_sorted(const struct mlk_index *ix)
{
	for (size_t i = 1; i < ix->count; i++)
		if (block_before(&ix->blocks[i], &ix->blocks[i - 1]))
			return 0;
	return 1;
}

/*
 * Sorting: an introsort specialised for struct mlk_block. Compared with
 * qsort() it needs no scratch copy of the array (glibc's qsort allocates
 * one as large as the array: hundreds of MiB for tens of millions of
 * blocks) and inlines the comparison.
 */
#define SORT_SMALL 16 /* below this, insertion sort */

static void swap_blocks(struct mlk_block *a, struct mlk_block *b)
{
	struct mlk_block held = *a;

	*a = *b;
	*b = held;
}

static void insertion_sort(struct mlk_block *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct mlk_block item = v[i];
		size_t j = i;

		for (; j > 0 && block_before(&item, &v[j - 1]); j--)
			v[j] = v[j - 1];
		v[j] = item;
	}
}

static void sift_down(struct mlk_block *v, size_t root, size_t n)
{
	for (;;) {
		size_t child = 2 * root + 1;

		if (child >= n)
			return;
		if (child + 1 < n && block_before(&v[child], &v[child + 1]))
			child++;
		if (!block_before(&v[root], &v[child]))
			return;
		swap_blocks(&v[root], &v[child]);
		root = child;
	}
}

/* The fallback when partitions keep coming out lopsided. */
static void heap_sort(struct mlk_block *v, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sift_down(v, i, n);
	for (size_t end = n; end-- > 1;) {
		swap_blocks(&v[0], &v[end]);
		sift_down(v, 0, end);
	}
}

/*
 * Hoare partition of v[0..n) (n > SORT_SMALL) around the median of the
 * first, middle and last blocks. Returns j with every block of v[0..j]
 * ordered before or equal to every block of v[j+1..n), and j < n - 1.
 */
static size_t partition(struct mlk_block *v, size_t n)
{
	size_t mid = n / 2, i = 0, j = n - 1;
	struct mlk_block pivot;

	if (block_before(&v[mid], &v[0]))
		swap_blocks(&v[mid], &v[0]);
	if (block_before(&v[n - 1], &v[mid]))
		swap_blocks(&v[n - 1], &v[mid]);
	if (block_before(&v[mid], &v[0]))
		swap_blocks(&v[mid], &v[0]);
	pivot = v[mid];
	for (;;) {
		while (block_before(&v[i], &pivot))
			i++;
		while (block_before(&pivot, &v[j]))
			j--;
		if (i >= j)
			return j;
		swap_blocks(&v[i], &v[j]);
		i++;
		j--;
	}
}

/*
 * Recurse into the smaller part and loop on the larger one, so the
 * recursion is at most log2(n) deep; depth_left bounds the quicksort work
 * before heap sort takes over.
 */
static void introsort(struct mlk_block *v, size_t n, unsigned depth_left)
{
	while (n > SORT_SMALL) {
		size_t split;

		if (depth_left == 0) {
			heap_sort(v, n);
			return;
		}
		depth_left--;
		split = partition(v, n) + 1;
		if (split < n - split) {
			introsort(v, split, depth_left);
			v += split;
			n -= split;
		} else {
			introsort(v + split, n - split, depth_left);
			n = split;
		}
	}
	insertion_sort(v, n);
}

static void sort_blocks(struct mlk_block *v, size_t n)
{
	unsigned log2_n = 0;

	while (log2_n < 63 && ((size_t)1 << log2_n) < n)
		log2_n++;
	introsort(v, n, 2 * log2_n);
}

/*
 * Sorts blocks[] when only a short tail is out of order: the tail sorted
 * apart and merged in from the back (the blocks of the sorted prefix move
 * only as far as the tail's blocks go in). Adds are in address order but
 * for a few late blocks, as a rule: on 6.9+ the vmalloc areas come per
 * vmap node, each node's list in address order, and sorting ten million
 * blocks for them cost 0.6 s. Returns 0 when it did not apply (a long
 * tail, no memory): the caller sorts the whole array then.
 */
static int sort_short_tail(struct mlk_block *v, size_t n)
{
	size_t p = 1, k, i, j, w;
	struct mlk_block *tail;

	while (p < n && !block_before(&v[p], &v[p - 1]))
		p++;
	if (p >= n)
		return 1;
	k = n - p;
	if (k > n / 8 || !(tail = malloc(k * sizeof(*tail))))
		return 0;
	memcpy(tail, v + p, k * sizeof(*tail));
	sort_blocks(tail, k);
	i = p;          /* v[0..i): prefix blocks not yet placed */
	j = k;          /* tail[0..j): tail blocks not yet placed */
	w = n;
	while (j > 0) {
		if (i > 0 && block_before(&tail[j - 1], &v[i - 1]))
			v[--w] = v[--i];
		else
			v[--w] = tail[--j];
	}
	free(tail);
	return 1;
}

/* Keep each block only if it starts at or after the end of the last kept. */
static void drop_overlapping_blocks(struct mlk_index *ix)
{
	size_t kept = 0;
	mlk_addr_t kept_end = 0;

	for (size_t i = 0; i < ix->count; i++) {
		const struct mlk_block *b = &ix->blocks[i];

		if (kept > 0 && b->start < kept_end) {
			ix->duplicates++;
			continue;
		}
		kept_end = b->start + b->size;
		ix->blocks[kept++] = *b;
	}
	ix->count = kept;
}

/* Give back the slack of the doubling growth; keeps the array on failure. */
static void shrink_to_fit(struct mlk_index *ix)
{
	struct mlk_block *shrunk;

	if (ix->count == ix->capacity || ix->count == 0)
		return;
	shrunk = realloc(ix->blocks, ix->count * sizeof(struct mlk_block));
	if (!shrunk)
		return;
	ix->blocks = shrunk;
	ix->capacity = ix->count;
}

/* Smallest shift giving at most about `wanted` buckets over the span. */
static unsigned choose_bucket_shift(uint64_t span, size_t wanted)
{
	unsigned shift = 0;

	/* Stop at 63: a shift of 64 is undefined, and 2 buckets are fine. */
	while (shift < 63 && ((span - 1) >> shift) >= wanted)
		shift++;
	return shift;
}

/*
 * Where clusters start: after the MLK_MAX_CLUSTERS - 1 widest gaps of at
 * least MLK_CLUSTER_GAP between consecutive blocks. note_gap() keeps those
 * seen so far (the gap before block `at`) in ix->gaps.
 */
static void note_gap(struct mlk_index *ix, uint64_t gap, size_t at)
{
	struct mlk_gaps *g = &ix->gaps;

	if (gap < MLK_CLUSTER_GAP)
		return;
	if (g->n < MLK_MAX_CLUSTERS - 1) {
		g->widest[g->n].gap = gap;
		g->widest[g->n++].at = at;
	} else if (gap > g->widest[g->narrowest].gap) {
		g->widest[g->narrowest].gap = gap;
		g->widest[g->narrowest].at = at;
	} else {
		return;
	}
	for (unsigned k = 0; k < g->n; k++)
		if (g->widest[k].gap < g->widest[g->narrowest].gap)
			g->narrowest = k;
}

/* The gaps of a sorted, disjoint array, found again (after sorting). */
static void find_gaps(struct mlk_index *ix)
{
	memset(&ix->gaps, 0, sizeof(ix->gaps));
	for (size_t i = 1; i < ix->count; i++) {
		const struct mlk_block *prev = &ix->blocks[i - 1];

		note_gap(ix, ix->blocks[i].start - (prev->start + prev->size),
			 i);
	}
}

/*
 * Fills starts[] with the first block of each cluster, ascending
 * (starts[0] = 0), and returns how many clusters there are.
 */
static unsigned find_clusters(const struct mlk_index *ix, size_t *starts)
{
	const struct mlk_gaps *g = &ix->gaps;

	starts[0] = 0;
	/* insertion sort of the cut points into address order */
	for (unsigned k = 0; k < g->n; k++) {
		unsigned j = k + 1;

		for (; j > 1 && starts[j - 1] > g->widest[k].at; j--)
			starts[j] = starts[j - 1];
		starts[j] = g->widest[k].at;
	}
	return g->n + 1;
}

/* The bucket table of the cluster of blocks [first, end), in table[]. */
static void fill_buckets(const struct mlk_index *ix,
			 const struct mlk_cluster *c, size_t nbuckets,
			 size_t first, size_t end, size_t *table)
{
	size_t j = first;

	for (size_t bucket = 0; bucket < nbuckets; bucket++) {
		mlk_addr_t bucket_base = c->lowest +
					 ((uint64_t)bucket << c->bucket_shift);

		while (j + 1 < end && ix->blocks[j + 1].start <= bucket_base)
			j++;
		table[bucket] = j;
	}
	table[nbuckets] = end - 1;
}

/* A cluster's span, and how many buckets it gets (its table: one more). */
static size_t plan_cluster(const struct mlk_index *ix, struct mlk_cluster *c,
			   size_t first, size_t end)
{
	const struct mlk_block *last = &ix->blocks[end - 1];
	size_t wanted = (end - first) / MLK_BLOCKS_PER_BUCKET;

	c->lowest = ix->blocks[first].start;
	/* Sorted and disjoint: the last block has the highest end. */
	c->span = last->start + last->size - c->lowest;
	if (wanted < 1)
		wanted = 1;
	if (wanted > MLK_BUCKETS_MAX)
		wanted = MLK_BUCKETS_MAX;
	c->bucket_shift = choose_bucket_shift(c->span, wanted);
	return (size_t)((c->span - 1) >> c->bucket_shift) + 1;
}

static int build_lookup(struct mlk_index *ix)
{
	size_t starts[MLK_MAX_CLUSTERS + 1], nbuckets[MLK_MAX_CLUSTERS];
	size_t total = 0, at = 0;
	const struct mlk_block *last;
	unsigned n;

	if (ix->count == 0)
		return 0; /* span stays 0: every lookup misses */

	n = find_clusters(ix, starts);
	starts[n] = ix->count;
	for (unsigned k = 0; k < n; k++) {
		nbuckets[k] = plan_cluster(ix, &ix->clusters[k], starts[k],
					   starts[k + 1]);
		/* at most 2 * MLK_BUCKETS_MAX + 1 each: no overflow */
		total += nbuckets[k] + 1;
	}
	ix->bucket_first = malloc(total * sizeof(size_t));
	if (!ix->bucket_first)
		return -1;
	for (unsigned k = 0; k < n; k++) {
		ix->clusters[k].bucket_first = ix->bucket_first + at;
		fill_buckets(ix, &ix->clusters[k], nbuckets[k], starts[k],
			     starts[k + 1], ix->clusters[k].bucket_first);
		at += nbuckets[k] + 1;
	}
	ix->nbuckets = total;
	ix->nclusters = n;
	last = &ix->blocks[ix->count - 1];
	ix->lowest = ix->blocks[0].start;
	/* Set last: a lookup sees a non-zero span only with full tables. */
	ix->span = last->start + last->size - ix->lowest;
	return 0;
}

int mlk_index_finish(struct mlk_index *ix)
{
	if (!ix)
		return -1;
	index_drop_lookup(ix);
	/*
	 * Callers often add in address order, and their blocks never
	 * overlap: nothing to sort or drop then (the test is made as blocks
	 * are added, while each is in the cache).
	 */
	if (!ix->in_order) {
		if (!blocks_are_sorted(ix) &&
		    !sort_short_tail(ix->blocks, ix->count))
			sort_blocks(ix->blocks, ix->count);
		drop_overlapping_blocks(ix);
		find_gaps(ix);
		/* sorted and disjoint now: adds in order keep it so */
		ix->in_order = 1;
		ix->added_end = ix->count ? ix->blocks[ix->count - 1].start +
					    ix->blocks[ix->count - 1].size : 0;
	}
	shrink_to_fit(ix);
	if (build_lookup(ix) != 0) {
		index_drop_lookup(ix);
		return -1;
	}
	ix->finished = 1;
	return 0;
}

size_t mlk_index_count(const struct mlk_index *ix)
{
	return ix ? ix->count : 0;
}

struct mlk_block *mlk_index_at(struct mlk_index *ix, size_t i)
{
	if (!ix || i >= ix->count)
		return NULL;
	return &ix->blocks[i];
}

struct mlk_block *mlk_index_lookup(struct mlk_index *ix, mlk_addr_t addr)
{
	if (!ix)
		return NULL;
	return mlk_index_find(ix, addr);
}

size_t mlk_index_memory(const struct mlk_index *ix)
{
	size_t bytes;

	if (!ix)
		return 0;
	bytes = sizeof(*ix) + ix->capacity * sizeof(struct mlk_block);
	if (ix->bucket_first)
		bytes += ix->nbuckets * sizeof(size_t);
	return bytes;
}

uint64_t mlk_index_duplicates(const struct mlk_index *ix)
{
	return ix ? ix->duplicates : 0;
}

/*
 * Makes *items (elements of elem bytes, count in use, *cap allocated) hold
 * one more: doubles the allocation, starting at first elements. 0, or -1
 * when the size would overflow or memory is short (*items is then kept).
 */
int mlk_array_grow(void **items, size_t *cap, size_t count, size_t elem,
		   size_t first)
{
	size_t want;
	void *grown;

	if (count < *cap)
		return 0;
	want = *cap ? *cap : first;
	if (*cap && want > SIZE_MAX / 2 / elem)
		return -1;
	if (*cap)
		want *= 2;
	if (want > SIZE_MAX / elem)
		return -1;
	grown = realloc(*items, want * elem);
	if (!grown)
		return -1;
	*items = grown;
	*cap = want;
	return 0;
}
