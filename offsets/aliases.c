/*
 * aliases.c - the alias table's queries (aliases.h): a type by name, its
 * offsets, the offsets of every type of a size range, the member at an
 * offset; the table's figures and comparison.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aliases_internal.h"

int mlk_alias_type_cmp(const struct mlk_alias_table *t,
		       const struct mlk_alias_type *a,
		       const struct mlk_alias_type *b)
{
	int c = strcmp(t->strings + a->name, t->strings + b->name);

	if (c)
		return c;
	return a->size < b->size ? -1 : a->size > b->size;
}

/* How deep a member's path goes: the dots in "a.b" or "arr[0].b". */
static unsigned path_depth(const char *name)
{
	unsigned dots = 0;

	for (; *name; name++)
		dots += *name == '.';
	return dots;
}

int mlk_alias_member_cmp(const struct mlk_alias_table *t,
			 const struct mlk_alias_member *a,
			 const struct mlk_alias_member *b)
{
	const char *na = t->strings + a->name, *nb = t->strings + b->name;
	unsigned da, db;

	if (a->offset != b->offset)
		return a->offset < b->offset ? -1 : 1;
	if (a->size != b->size)
		return a->size > b->size ? -1 : 1; /* the outer one first */
	da = path_depth(na);
	db = path_depth(nb);
	if (da != db)
		return da < db ? -1 : 1;
	return strcmp(na, nb);
}

/* ---- a type by name ---------------------------------------------------- */

/* The first type whose name is not below name, in a sorted table. */
static size_t lower_bound(const struct mlk_alias_table *t, const char *name)
{
	size_t lo = 0, hi = t->ntypes;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(t->strings + t->types[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int type_matches(const struct mlk_alias_table *t,
			const struct mlk_alias_type *ty, const char *name,
			uint32_t want_size)
{
	return (!want_size || ty->size == want_size) &&
	       strcmp(t->strings + ty->name, name) == 0;
}

const struct mlk_alias_type *
mlk_alias_find_type(const struct mlk_alias_table *t, const char *name,
		    uint32_t want_size)
{
	size_t i;

	if (!t || !name)
		return NULL;
	if (!t->sorted || t->open) { /* a table being built: look at all */
		for (i = 0; i < t->ntypes; i++)
			if (type_matches(t, &t->types[i], name, want_size))
				return &t->types[i];
		return NULL;
	}
	for (i = lower_bound(t, name); i < t->ntypes; i++) {
		if (strcmp(t->strings + t->types[i].name, name) != 0)
			break;
		if (type_matches(t, &t->types[i], name, want_size))
			return &t->types[i];
	}
	return NULL;
}

const char *mlk_alias_type_name(const struct mlk_alias_table *t,
				const struct mlk_alias_type *ty)
{
	return t->strings + ty->name;
}

const struct mlk_alias_type *
mlk_alias_type_at(const struct mlk_alias_table *t, size_t i)
{
	return i < t->ntypes ? &t->types[i] : NULL;
}

/* ---- offsets and members ----------------------------------------------- */

size_t mlk_alias_offsets(const struct mlk_alias_table *t,
			 const struct mlk_alias_type *ty,
			 const uint32_t **offsets)
{
	*offsets = t->offsets + ty->first_alias;
	return ty->nalias;
}

size_t mlk_alias_members(const struct mlk_alias_table *t,
			 const struct mlk_alias_type *ty,
			 const struct mlk_alias_member **members)
{
	*members = t->members + ty->first_member;
	return ty->nmember;
}

const char *mlk_alias_member_name(const struct mlk_alias_table *t,
				  const struct mlk_alias_member *m)
{
	return t->strings + m->name;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int in_range(const struct mlk_alias_type *ty, uint32_t lo, uint32_t hi)
{
	return ty->size > lo && ty->size <= hi;
}

int mlk_alias_offsets_by_size(const struct mlk_alias_table *t, uint32_t lo,
			      uint32_t hi, uint32_t **out, size_t *n)
{
	size_t i, total = 0, kept = 0;
	uint32_t *all;

	*out = NULL;
	*n = 0;
	for (i = 0; i < t->ntypes; i++)
		if (in_range(&t->types[i], lo, hi))
			total += t->types[i].nalias;
	if (!total)
		return 0;
	all = malloc(total * sizeof(*all));
	if (!all)
		return -1;
	for (i = 0; i < t->ntypes; i++) {
		const struct mlk_alias_type *ty = &t->types[i];

		if (in_range(ty, lo, hi)) {
			memcpy(all + kept, t->offsets + ty->first_alias,
			       ty->nalias * sizeof(*all));
			kept += ty->nalias;
		}
	}
	qsort(all, total, sizeof(*all), u32_cmp);
	for (i = 0, kept = 0; i < total; i++)
		if (!kept || all[kept - 1] != all[i])
			all[kept++] = all[i];
	*out = all;
	*n = kept;
	return 0;
}

static int covers(const struct mlk_alias_member *m, uint32_t off)
{
	return off >= m->offset && off - m->offset < m->size;
}

/*
 * Members are sorted by offset, the outer before the inner at one offset,
 * and the inner ones lie within their outer one: so of the members that
 * cover off, the innermost is the last in table order. Find the last
 * member that starts at or before off, then go back to one that covers it.
 */
const char *mlk_alias_member_at(const struct mlk_alias_table *t,
				const struct mlk_alias_type *ty, uint32_t off,
				char *buf, size_t len)
{
	const struct mlk_alias_member *m = t->members + ty->first_member;
	size_t lo = 0, hi = ty->nmember;

	if (!len)
		return NULL;
	while (lo < hi) { /* lo: the first member starting after off */
		size_t mid = lo + (hi - lo) / 2;

		if (m[mid].offset <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo > 0 && !covers(&m[lo - 1], off))
		lo--;
	if (!lo)
		return NULL;
	m += lo - 1;
	if (off == m->offset)
		snprintf(buf, len, "%s", t->strings + m->name);
	else
		snprintf(buf, len, "%s+%u", t->strings + m->name,
			 off - m->offset);
	return buf;
}

/* ---- figures ----------------------------------------------------------- */

size_t mlk_alias_ntypes(const struct mlk_alias_table *t)
{
	return t->ntypes;
}

uint64_t mlk_alias_noffsets(const struct mlk_alias_table *t)
{
	return t->noffsets;
}

uint64_t mlk_alias_nmembers(const struct mlk_alias_table *t)
{
	return t->nmembers;
}

uint64_t mlk_alias_string_bytes(const struct mlk_alias_table *t)
{
	return t->strings_len;
}

/* ---- comparison -------------------------------------------------------- */

static int same_type(const struct mlk_alias_table *a,
		     const struct mlk_alias_type *ta,
		     const struct mlk_alias_table *b,
		     const struct mlk_alias_type *tb)
{
	uint32_t i;

	if (ta->size != tb->size || ta->nalias != tb->nalias ||
	    ta->nmember != tb->nmember ||
	    strcmp(a->strings + ta->name, b->strings + tb->name) != 0)
		return 0;
	if (ta->nalias &&
	    memcmp(a->offsets + ta->first_alias, b->offsets + tb->first_alias,
		   ta->nalias * sizeof(uint32_t)) != 0)
		return 0;
	for (i = 0; i < ta->nmember; i++) {
		const struct mlk_alias_member *ma = &a->members[ta->first_member + i];
		const struct mlk_alias_member *mb = &b->members[tb->first_member + i];

		if (ma->offset != mb->offset || ma->size != mb->size ||
		    strcmp(a->strings + ma->name, b->strings + mb->name) != 0)
			return 0;
	}
	return 1;
}

int mlk_alias_equal(const struct mlk_alias_table *a,
		    const struct mlk_alias_table *b)
{
	size_t i;

	if (a->ntypes != b->ntypes)
		return 0;
	for (i = 0; i < a->ntypes; i++)
		if (!same_type(a, &a->types[i], b, &b->types[i]))
			return 0;
	return 1;
}
