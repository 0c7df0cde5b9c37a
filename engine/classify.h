/*
 * classify.h - direct and indirect leaks among the orphans of a scan, like
 * valgrind memcheck's "definitely lost" and "indirectly lost".
 *
 * After mlk_scan_finish(), the orphans are the blocks for which
 * mlk_block_is_orphan() holds. An orphan that another orphan points to is
 * an indirect leak: it would be freed along with its owner. Reporting only
 * the direct ones, each with what it holds, makes a leaked list of a
 * million nodes one report instead of a million.
 *
 * 1. Edges. Every orphan's contents are read through the memory source
 *    (chunks of at most MLK_READ_CHUNK bytes, failed chunks retried page by
 *    page, unreadable pages counted and skipped) and each MLK_WORD-aligned
 *    word is looked up in the index. A word of orphan X pointing anywhere
 *    into orphan Y, Y != X, makes the edge X -> Y. Several words of X
 *    pointing into Y make one edge: edges are distinct (X, Y) pairs.
 *    Orphans with MLK_F_NOSCAN are not read and have no outgoing edge.
 *
 * 2. Owners. Orphans without an incoming edge are direct. Taking the direct
 *    orphans in address order, a breadth-first search from each one claims
 *    every orphan it reaches that no earlier search claimed: those are
 *    indirect, owned by that direct orphan.
 *    Orphans left unclaimed are on cycles of orphans (a leaked two-block
 *    cycle, a leaked circular list), or reachable only from such cycles.
 *    They fall into strongly connected groups; a group no other unclaimed
 *    group points to gets one direct orphan, its lowest-address member, and
 *    these are searched from in address order too. So an orphan hanging off
 *    a leaked cycle is indirect even when its address is the lowest.
 *
 * Every orphan ends up direct (its own owner) or indirect with exactly one
 * direct owner.
 *
 * Costs, for O orphans, W words read, R words pointing into other orphans
 * and E edges: time O(W + R log R + O); nothing recursive. Memory:
 * the result takes 32 bytes per orphan; while classifying, 17 bytes per
 * orphan, 8 per target word held (a row is sorted and deduplicated once its
 * orphan is read; the array grows by doubling) and a MLK_READ_CHUNK buffer,
 * plus 41 bytes per orphan when some orphans are left on cycles.
 */
#ifndef MLK_CLASSIFY_H
#define MLK_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"

struct mlk_orphans {
	size_t count;            /* orphans */
	size_t *block;           /* their indices in the index, ascending */
	size_t *owner;           /* per orphan: index into block[] of its
				  * direct owner; itself when direct */
	uint64_t *held_blocks;   /* per orphan: indirect orphans it owns
				  * (0 unless direct) */
	uint64_t *held_bytes;    /* per orphan: their bytes */
	uint64_t edges;          /* distinct orphan-to-orphan references */
	uint64_t pages_unreadable; /* MLK_PAGE pages of orphans not read */
	size_t direct;           /* direct orphans */
};

/*
 * Classify the orphans of ix, whose scan is finished. Fills *out (which
 * need not be initialised) and returns 0, or returns -1 with *out empty
 * when memory runs out or an argument is NULL. Free with mlk_orphans_free().
 */
int mlk_classify_orphans(struct mlk_index *ix, const struct mlk_source *src,
			 struct mlk_orphans *out);
/* Free the arrays of o and empty it (o itself is the caller's). */
void mlk_orphans_free(struct mlk_orphans *o);
/* Orphan index of a block (an index into ix), or -1 if it is no orphan. */
long mlk_orphans_find(const struct mlk_orphans *o, size_t block_index);

#endif /* MLK_CLASSIFY_H */
