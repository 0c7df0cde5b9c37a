/*
 * fixture.h - a synthetic memory image for tests that run real scans: a
 * root area like kernel data at ROOT, a heap in the direct map at HEAP
 * (both in a fake memory source) and a block index of heap blocks.
 *
 * Setup helpers do not fail one by one: a block, word or bad page that
 * cannot be placed sets setup_failed, and image_ready() reports it before
 * the scan starts.
 */
#ifndef UNIT_FIXTURE_H
#define UNIT_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "fake_mem.h"
#include "unit.h"

#define ROOT KERNEL_DATA
#define HEAP (DIRECT_MAP + 0x100000) /* MLK_READ_CHUNK-aligned */
#define PAGE MLK_PAGE

struct image {
	struct fake_mem mem; /* root area at ROOT, heap at HEAP, maybe more */
	struct mlk_index *ix;
	int setup_failed;    /* a block, word or bad page could not be placed */
	int index_finished;
};

/*
 * Zero-filled root and heap areas of the given sizes, a read log of
 * log_capacity entries, an empty index. On failure the image can still be
 * freed. An image set to all zeros can be freed too.
 */
int image_init(struct image *img, size_t root_size, size_t heap_size,
	       size_t log_capacity);
void image_free(struct image *img);

/* Track a slab block needing one reference (min_count 1). */
void add_block(struct image *img, mlk_addr_t addr, uint32_t size);
void add_block_min_count(struct image *img, mlk_addr_t addr, uint32_t size,
			 uint16_t min_count);
/* Store a 64-bit word in the root or heap area. */
void put(struct image *img, mlk_addr_t addr, uint64_t value);
void make_unreadable(struct image *img, mlk_addr_t page);
int finish_index(struct image *img);
/* For flags that must be set between finishing the index and scanning. */
void set_flags(struct image *img, mlk_addr_t addr, uint8_t flags);
/* Finish the index unless the test did; -1 when any setup step failed. */
int image_ready(struct image *img);

/* Shuffle 0 .. n-1 into order[] (a fixed LCG: reproducible). */
void shuffle(size_t *order, size_t n);
/*
 * A singly linked list of nodes blocks of node_size bytes laid side by side
 * from HEAP, linked through each node's word at +8 in a shuffled order
 * written to order[]; circular: the last node points back to the first.
 * Returns the address of the first node, order[0]'s.
 */
mlk_addr_t add_shuffled_list(struct image *img, size_t *order, size_t nodes,
			     uint32_t node_size, int circular);

/* What an mlk_scan_watch() callback heard: the first four references. */
struct watch_log {
	unsigned calls;
	mlk_addr_t where[4];
	mlk_addr_t from[4]; /* the block's start; 0 for a root */
};
/* The callback: ctx is a struct watch_log set to zeros before the scan. */
void log_reference(void *ctx, mlk_addr_t where, const struct mlk_block *from);

#endif /* UNIT_FIXTURE_H */
