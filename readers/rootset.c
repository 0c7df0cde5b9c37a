/*
 * rootset.c - the set of root ranges a run collects: added by any reader
 * (kernel data, stacks, reserved pages, skipped slabs...), then sorted,
 * merged, and cut around the ranges left out (mlk_roots_exclude()).
 * The kernel's own roots are found by roots.c.
 */
#include "readers.h"

static const char *const root_kind_names[MLK_ROOT_KINDS] = {
	[MLK_ROOT_DATA] = "kernel data/bss/ro_after_init",
	[MLK_ROOT_PERCPU] = "per-cpu areas",
	[MLK_ROOT_STACK] = "task stacks",
	[MLK_ROOT_MODULE] = "module data",
	[MLK_ROOT_MEMMAP] = "struct pages",
	[MLK_ROOT_RESERVED] = "reserved (memblock) memory",
	[MLK_ROOT_COMPOUND] = "compound page allocations",
	[MLK_ROOT_KMEMLEAK] = "other kmemleak-tracked memory",
	[MLK_ROOT_SKIPPED] = "skipped slabs",
};

const char *mlk_root_kind_name(int kind)
{
	return kind >= 0 && kind < MLK_ROOT_KINDS ? root_kind_names[kind] : "?";
}

int mlk_roots_is_stack(const struct mlk_roots *r, ulong addr)
{
	return r->nstacks &&
	       bsearch(&addr, r->stacks, r->nstacks, sizeof(ulong),
		       mlk_cmp_ulong);
}

int mlk_roots_add(struct mlk_roots *r, ulong start, ulong end, int kind)
{
	if (end <= start)
		return 0;
	if (mlk_array_grow((void **)&r->ranges, &r->cap, r->count,
			   sizeof(*r->ranges), 1024) < 0)
		return -1;
	r->ranges[r->count].start = start;
	r->ranges[r->count].len = end - start;
	r->ranges[r->count].kind = (uint8_t)kind;
	r->count++;
	r->per_kind_count[kind]++;
	r->per_kind_bytes[kind] += end - start;
	return 0;
}

/* ---- sorting, merging, holes ------------------------------------------------ */

static int cmp_root(const void *a, const void *b)
{
	ulong x = ((const struct mlk_root *)a)->start;
	ulong y = ((const struct mlk_root *)b)->start;

	return x < y ? -1 : x > y;
}

/*
 * Sorts the ranges and merges overlaps, so a byte is scanned once (the
 * per-cpu first chunk, for one, is also reserved memory). The per-kind
 * figures keep what each source contributed before the merge.
 */
static void merge_ranges(struct mlk_roots *r)
{
	size_t i, out = 0;

	qsort(r->ranges, r->count, sizeof(*r->ranges), cmp_root);
	for (i = 0; i < r->count; i++) {
		struct mlk_root *cur = &r->ranges[i];
		struct mlk_root *prev = out ? &r->ranges[out - 1] : NULL;

		if (prev && cur->start <= prev->start + prev->len) {
			ulong end = cur->start + cur->len;

			if (end > prev->start + prev->len)
				prev->len = end - prev->start;
			continue;
		}
		r->ranges[out++] = *cur;
	}
	r->count = out;
}

int mlk_roots_exclude(struct mlk_roots *r, ulong start, ulong end,
		      enum mlk_hole_kind why)
{
	if (end <= start)
		return 0;
	if (mlk_array_grow((void **)&r->holes, &r->holes_cap, r->nholes,
			   sizeof(*r->holes), 8) < 0)
		return -1;
	r->holes[r->nholes].start = start;
	r->holes[r->nholes].len = end - start;
	r->holes[r->nholes].kind = (uint8_t)why;
	r->nholes++;
	return 0;
}

/* Cuts [hs, he) out of the sorted, merged ranges (one split at most). */
static int cut_hole(struct mlk_roots *r, ulong hs, ulong he, uint64_t *cut)
{
	size_t i;

	for (i = 0; i < r->count; i++) {
		struct mlk_root *cur = &r->ranges[i];
		ulong s = cur->start, e = cur->start + cur->len;

		if (e <= hs || s >= he)
			continue;
		*cut += (e < he ? e : he) - (s > hs ? s : hs);
		if (s < hs && e > he) {
			uint8_t kind = cur->kind;

			cur->len = hs - s;
			/* the tail goes to the end; collect sorts again */
			if (mlk_roots_add(r, he, e, kind) < 0)
				return -1;
			r->per_kind_count[kind]--;
			r->per_kind_bytes[kind] -= e - he;
		} else if (s < hs) {
			cur->len = hs - s;
		} else if (e > he) {
			cur->start = he;
			cur->len = e - he;
		} else {
			cur->len = 0;
		}
	}
	return 0;
}

static int cut_holes(struct mlk_roots *r)
{
	size_t i, h, out = 0;

	for (h = 0; h < r->nholes; h++) {
		const struct mlk_root *hole = &r->holes[h];
		uint64_t *cut = hole->kind == MLK_HOLE_FREED_IMAGE ?
			&r->freed_image_bytes : &r->excluded_bytes;

		if (cut_hole(r, hole->start, hole->start + hole->len, cut) < 0)
			return -1;
	}
	for (i = 0; i < r->count; i++)
		if (r->ranges[i].len)
			r->ranges[out++] = r->ranges[i];
	r->count = out;
	qsort(r->ranges, r->count, sizeof(*r->ranges), cmp_root);
	return 0;
}

int mlk_roots_resort(struct mlk_roots *r)
{
	merge_ranges(r);
	return cut_holes(r);
}

void mlk_roots_free(struct mlk_roots *r)
{
	free(r->ranges);
	free(r->stacks);
	free(r->pids);
	free(r->holes);
	memset(r, 0, sizeof(*r));
}
