/*
 * group_diff.c - two runs compared by stable group id (group_diff.h).
 */
#include <stdlib.h>
#include <string.h>

#include "group_diff.h"

static int cmp_side(const void *a, const void *b)
{
	const struct mlk_diff_side *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->ix < y->ix ? -1 : x->ix > y->ix;
}

/* A copy sorted by id, the groups of one id added up into the first. */
static struct mlk_diff_side *summed_by_id(const struct mlk_diff_side *side,
					  size_t n, size_t *nout)
{
	struct mlk_diff_side *s = malloc((n ? n : 1) * sizeof(*s));
	size_t i, k = 0;

	if (!s)
		return NULL;
	if (n)
		memcpy(s, side, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_side);
	for (i = 0; i < n; i++) {
		if (k && s[k - 1].id == s[i].id) {
			s[k - 1].blocks += s[i].blocks;
			s[k - 1].bytes += s[i].bytes;
		} else {
			s[k++] = s[i];
		}
	}
	*nout = k;
	return s;
}

static enum mlk_diff_change change_of(const struct mlk_diff_row *r)
{
	if (r->bytes_now != r->bytes_then)
		return r->bytes_now > r->bytes_then ? MLK_DIFF_GREW :
			MLK_DIFF_SHRANK;
	if (r->blocks_now != r->blocks_then)
		return r->blocks_now > r->blocks_then ? MLK_DIFF_GREW :
			MLK_DIFF_SHRANK;
	return MLK_DIFF_SAME;
}

static uint64_t distance(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

static int cmp_u64_desc(uint64_t a, uint64_t b)
{
	return a > b ? -1 : a < b;
}

static int cmp_row(const void *a, const void *b)
{
	const struct mlk_diff_row *x = a, *y = b;
	int c;

	if (x->change != y->change)
		return x->change < y->change ? -1 : 1;
	c = cmp_u64_desc(distance(x->bytes_now, x->bytes_then),
			 distance(y->bytes_now, y->bytes_then));
	if (!c)
		c = cmp_u64_desc(distance(x->blocks_now, x->blocks_then),
				 distance(y->blocks_now, y->blocks_then));
	if (!c)
		c = cmp_u64_desc(x->bytes_now + x->bytes_then,
				 y->bytes_now + y->bytes_then);
	if (!c)
		c = x->id < y->id ? -1 : x->id > y->id;
	return c;
}

static void take_then(struct mlk_diff_row *r, const struct mlk_diff_side *s)
{
	r->id = s->id;
	r->blocks_then = s->blocks;
	r->bytes_then = s->bytes;
	r->then_ix = s->ix;
}

static void take_now(struct mlk_diff_row *r, const struct mlk_diff_side *s)
{
	r->id = s->id;
	r->blocks_now = s->blocks;
	r->bytes_now = s->bytes;
	r->now_ix = s->ix;
}

int mlk_group_diff(const struct mlk_diff_side *then, size_t nthen,
		   const struct mlk_diff_side *now, size_t nnow,
		   struct mlk_diff_row **rows, size_t *nrows)
{
	size_t na = 0, nb = 0, i = 0, j = 0, n = 0;
	struct mlk_diff_side *a = summed_by_id(then, nthen, &na);
	struct mlk_diff_side *b = summed_by_id(now, nnow, &nb);
	struct mlk_diff_row *out = malloc((nthen + nnow + 1) * sizeof(*out));

	if (!a || !b || !out) {
		free(a);
		free(b);
		free(out);
		return -1;
	}
	while (i < na || j < nb) {
		struct mlk_diff_row *r = &out[n++];

		memset(r, 0, sizeof(*r));
		if (j == nb || (i < na && a[i].id < b[j].id)) {
			take_then(r, &a[i++]);
			r->change = MLK_DIFF_GONE;
		} else if (i == na || b[j].id < a[i].id) {
			take_now(r, &b[j++]);
			r->change = MLK_DIFF_NEW;
		} else {
			take_then(r, &a[i++]);
			take_now(r, &b[j++]);
			r->change = change_of(r);
		}
	}
	qsort(out, n, sizeof(*out), cmp_row);
	free(a);
	free(b);
	*rows = out;
	*nrows = n;
	return 0;
}
