/*
 * group_diff.h - two runs of memleak compared group by group, by stable
 * group id (`memleak -d`). Needs no crash.
 */
#ifndef MLK_GROUP_DIFF_H
#define MLK_GROUP_DIFF_H

#include <stddef.h>
#include <stdint.h>

/*
 * Two runs compared by stable group id. A side lists one entry per group
 * (an id may repeat: stacks that differ only in offsets have one id; such
 * groups are added up). ix is the caller's index of the group, kept in the
 * row (of the first group of that id on that side).
 */
struct mlk_diff_side {
	uint64_t id, blocks, bytes;
	size_t ix;
};

enum mlk_diff_change {
	MLK_DIFF_NEW,        /* in the second run only */
	MLK_DIFF_GREW,       /* more bytes, or as many bytes and more blocks */
	MLK_DIFF_SHRANK,     /* fewer bytes, or as many and fewer blocks */
	MLK_DIFF_GONE,       /* in the first run only */
	MLK_DIFF_SAME,
};

struct mlk_diff_row {
	uint64_t id;
	uint64_t blocks_then, bytes_then, blocks_now, bytes_now;
	size_t then_ix, now_ix;      /* valid when the run has the id */
	enum mlk_diff_change change;
};

/*
 * The rows of the comparison, by change (the order of the enum), then the
 * largest change of bytes first, then blocks, then id; *rows malloc'd.
 * 0, or -1 when out of memory.
 */
int mlk_group_diff(const struct mlk_diff_side *then, size_t nthen,
		   const struct mlk_diff_side *now, size_t nnow,
		   struct mlk_diff_row **rows, size_t *nrows);

#endif /* MLK_GROUP_DIFF_H */
