/*
 * build.c - filling the alias table (aliases.h): one type at a time, names
 * interned in one string table, types found again by name and size
 * through a hash; merging one table into another.
 */
#define _GNU_SOURCE /* qsort_r */
#include <stdlib.h>
#include <string.h>

#include "aliases_internal.h"
#include "json_write.h" /* mlk_fnv1a */

/* ---- growth ----------------------------------------------------------- */

/* Makes room for need elements of elem bytes in *arr (capacity *cap). */
static int reserve(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t want = *cap ? *cap : 64;
	void *grown;

	if (need <= *cap)
		return 0;
	if (need > MLK_ALIAS_MAX_COUNT)
		return -1;
	while (want < need)
		want *= 2;
	if (want > MLK_ALIAS_MAX_COUNT)
		want = MLK_ALIAS_MAX_COUNT;
	grown = realloc(*arr, want * elem);
	if (!grown)
		return -1;
	*arr = grown;
	*cap = want;
	return 0;
}

/* ---- the open-addressing hash ------------------------------------------ */

static void hash_free(struct mlk_alias_hash *h)
{
	free(h->slot);
	memset(h, 0, sizeof(*h));
}

static int hash_init(struct mlk_alias_hash *h, size_t expect)
{
	size_t cap = 64;

	while (cap < expect * 2)
		cap *= 2;
	hash_free(h);
	h->slot = calloc(cap, sizeof(*h->slot));
	if (!h->slot)
		return -1;
	h->cap = cap;
	return 0;
}

/* Puts value into the first free slot from hash on (no duplicate check). */
static void hash_put(struct mlk_alias_hash *h, uint64_t hash, uint32_t value)
{
	size_t i = hash & (h->cap - 1);

	while (h->slot[i])
		i = (i + 1) & (h->cap - 1);
	h->slot[i] = value + 1;
	h->count++;
}

/* The hash of a name, and of a type's key (name, size). */
static uint64_t name_hash(const char *name)
{
	return mlk_fnv1a_str(MLK_FNV1A_SEED, name);
}

static uint64_t type_hash(const char *name, uint32_t size)
{
	return mlk_fnv1a(name_hash(name), &size, sizeof(size));
}

/* ---- interned names ---------------------------------------------------- */

static int names_rebuild(struct mlk_alias_table *t)
{
	size_t pos, count = 0;

	for (pos = 0; pos < t->strings_len; pos += strlen(t->strings + pos) + 1)
		count++;
	if (hash_init(&t->names, count + 1) < 0)
		return -1;
	for (pos = 0; pos < t->strings_len; pos += strlen(t->strings + pos) + 1)
		hash_put(&t->names, name_hash(t->strings + pos), pos);
	t->names_valid = 1;
	return 0;
}

/* Grows the hash of names to keep it at most half full. */
static int names_room(struct mlk_alias_table *t)
{
	struct mlk_alias_hash old = t->names;
	size_t i;

	if (t->names.count * 2 < t->names.cap)
		return 0;
	memset(&t->names, 0, sizeof(t->names));
	if (hash_init(&t->names, old.count * 2) < 0) {
		t->names = old;
		return -1;
	}
	for (i = 0; i < old.cap; i++)
		if (old.slot[i])
			hash_put(&t->names,
				 name_hash(t->strings + old.slot[i] - 1),
				 old.slot[i] - 1);
	free(old.slot);
	return 0;
}

/* The string table offset of name, added when new; -1 when out of room. */
static int64_t intern(struct mlk_alias_table *t, const char *name)
{
	uint64_t hash = name_hash(name);
	size_t len = strlen(name) + 1, i;
	uint32_t pos;

	if (!t->names_valid && names_rebuild(t) < 0)
		return -1;
	for (i = hash & (t->names.cap - 1); t->names.slot[i];
	     i = (i + 1) & (t->names.cap - 1))
		if (strcmp(t->strings + t->names.slot[i] - 1, name) == 0)
			return t->names.slot[i] - 1;
	if (len > MLK_ALIAS_MAX_COUNT - t->strings_len ||
	    reserve((void **)&t->strings, &t->strings_cap,
		    t->strings_len + len, 1) < 0 ||
	    names_room(t) < 0)
		return -1;
	pos = t->strings_len;
	memcpy(t->strings + pos, name, len);
	t->strings_len += len;
	hash_put(&t->names, hash, pos);
	return pos;
}

/* ---- types by (name, size) --------------------------------------------- */

static int typeidx_rebuild(struct mlk_alias_table *t)
{
	size_t i, done = t->ntypes - (t->open ? 1 : 0);

	if (hash_init(&t->typeidx, done + 1) < 0)
		return -1;
	for (i = 0; i < done; i++)
		hash_put(&t->typeidx, type_hash(t->strings + t->types[i].name,
						t->types[i].size), i);
	t->typeidx_valid = 1;
	return 0;
}

/* Adds the type at index i (just ended) to the hash of types. */
static int typeidx_add(struct mlk_alias_table *t, size_t i)
{
	const struct mlk_alias_type *ty = &t->types[i];

	if (!t->typeidx_valid)
		return typeidx_rebuild(t);
	if (t->typeidx.count * 2 >= t->typeidx.cap)
		return typeidx_rebuild(t);
	hash_put(&t->typeidx, type_hash(t->strings + ty->name, ty->size), i);
	return 0;
}

int mlk_alias_has_type(struct mlk_alias_table *t, const char *name,
		       uint32_t size)
{
	size_t i;

	if (!t->typeidx_valid && typeidx_rebuild(t) < 0)
		return 0;
	for (i = type_hash(name, size) & (t->typeidx.cap - 1);
	     t->typeidx.slot[i]; i = (i + 1) & (t->typeidx.cap - 1)) {
		const struct mlk_alias_type *ty =
			&t->types[t->typeidx.slot[i] - 1];

		if (ty->size == size && strcmp(t->strings + ty->name, name) == 0)
			return 1;
	}
	return 0;
}

/* ---- one type at a time ------------------------------------------------ */

/* Every array is allocated from the start: no arithmetic on NULL. */
struct mlk_alias_table *mlk_alias_new(void)
{
	struct mlk_alias_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->sorted = 1;
	if (reserve((void **)&t->types, &t->types_cap, 1, sizeof(*t->types)) ||
	    reserve((void **)&t->offsets, &t->offsets_cap, 1,
		    sizeof(*t->offsets)) ||
	    reserve((void **)&t->members, &t->members_cap, 1,
		    sizeof(*t->members)) ||
	    reserve((void **)&t->strings, &t->strings_cap, 1, 1)) {
		mlk_alias_free(t);
		return NULL;
	}
	return t;
}

int mlk_alias_begin_type(struct mlk_alias_table *t, const char *name,
			 uint32_t size)
{
	struct mlk_alias_type *ty;
	int64_t pos;

	if (t->open || mlk_alias_has_type(t, name, size) ||
	    reserve((void **)&t->types, &t->types_cap, t->ntypes + 1,
		    sizeof(*t->types)) < 0)
		return -1;
	pos = intern(t, name);
	if (pos < 0)
		return -1;
	ty = &t->types[t->ntypes++];
	memset(ty, 0, sizeof(*ty));
	ty->name = pos;
	ty->size = size;
	ty->first_alias = t->noffsets;
	ty->first_member = t->nmembers;
	t->open = 1;
	return 0;
}

int mlk_alias_add_offset(struct mlk_alias_table *t, uint32_t offset)
{
	if (!t->open || reserve((void **)&t->offsets, &t->offsets_cap,
				t->noffsets + 1, sizeof(*t->offsets)) < 0)
		return -1;
	t->offsets[t->noffsets++] = offset;
	t->types[t->ntypes - 1].nalias++;
	return 0;
}

int mlk_alias_add_member(struct mlk_alias_table *t, uint32_t offset,
			 uint32_t size, const char *name)
{
	struct mlk_alias_member *m;
	int64_t pos;

	if (!t->open || reserve((void **)&t->members, &t->members_cap,
				t->nmembers + 1, sizeof(*t->members)) < 0)
		return -1;
	pos = intern(t, name);
	if (pos < 0)
		return -1;
	m = &t->members[t->nmembers++];
	m->offset = offset;
	m->size = size;
	m->name = pos;
	t->types[t->ntypes - 1].nmember++;
	return 0;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int member_cmp_r(const void *a, const void *b, void *table)
{
	return mlk_alias_member_cmp(table, a, b);
}

/* Sorts the type's offsets and keeps the distinct ones in (0, size). */
static void settle_offsets(struct mlk_alias_table *t, struct mlk_alias_type *ty)
{
	uint32_t *off = t->offsets + ty->first_alias;
	uint32_t i, kept = 0;

	if (!ty->nalias)
		return;
	qsort(off, ty->nalias, sizeof(*off), u32_cmp);
	for (i = 0; i < ty->nalias; i++) {
		if (off[i] == 0 || off[i] >= ty->size)
			continue;
		if (kept && off[kept - 1] == off[i])
			continue;
		off[kept++] = off[i];
	}
	ty->nalias = kept;
	t->noffsets = ty->first_alias + kept;
}

int mlk_alias_end_type(struct mlk_alias_table *t, int keep)
{
	struct mlk_alias_type *ty;
	size_t i;

	if (!t->open)
		return -1;
	t->open = 0;
	i = t->ntypes - 1;
	ty = &t->types[i];
	if (!keep) {
		t->noffsets = ty->first_alias;
		t->nmembers = ty->first_member;
		t->ntypes--;
		return 0;
	}
	settle_offsets(t, ty);
	if (ty->nmember > 1)
		qsort_r(t->members + ty->first_member, ty->nmember,
			sizeof(*t->members), member_cmp_r, t);
	if (i > 0 && mlk_alias_type_cmp(t, &t->types[i - 1], ty) > 0)
		t->sorted = 0;
	if (typeidx_add(t, i) < 0) {
		t->typeidx_valid = 0; /* made again on the next lookup */
		hash_free(&t->typeidx);
	}
	return 0;
}

static int type_cmp_r(const void *a, const void *b, void *table)
{
	return mlk_alias_type_cmp(table, a, b);
}

int mlk_alias_finish(struct mlk_alias_table *t)
{
	if (t->open)
		return -1;
	if (!t->sorted && t->ntypes > 1) {
		qsort_r(t->types, t->ntypes, sizeof(*t->types), type_cmp_r, t);
		t->typeidx_valid = 0; /* the indexes moved */
	}
	t->sorted = 1;
	return 0;
}

/* ---- merging ----------------------------------------------------------- */

/* Copies one type of from into into (which has none of its name and size). */
static int copy_type(struct mlk_alias_table *into,
		     const struct mlk_alias_table *from,
		     const struct mlk_alias_type *ty)
{
	uint32_t i;

	if (mlk_alias_begin_type(into, from->strings + ty->name, ty->size) < 0)
		return -1;
	for (i = 0; i < ty->nalias; i++)
		if (mlk_alias_add_offset(into,
					 from->offsets[ty->first_alias + i]) < 0)
			goto undo;
	for (i = 0; i < ty->nmember; i++) {
		const struct mlk_alias_member *m =
			&from->members[ty->first_member + i];

		if (mlk_alias_add_member(into, m->offset, m->size,
					 from->strings + m->name) < 0)
			goto undo;
	}
	return mlk_alias_end_type(into, 1);
undo:
	mlk_alias_end_type(into, 0);
	return -1;
}

long mlk_alias_merge(struct mlk_alias_table *into,
		     const struct mlk_alias_table *from)
{
	long added = 0;
	size_t i;

	if (into->open || from->open)
		return -1;
	for (i = 0; i < from->ntypes; i++) {
		const struct mlk_alias_type *ty = &from->types[i];

		if (mlk_alias_has_type(into, from->strings + ty->name, ty->size))
			continue;
		if (copy_type(into, from, ty) < 0) {
			mlk_alias_finish(into);
			return -1;
		}
		added++;
	}
	mlk_alias_finish(into);
	return added;
}

/* ---- freeing ----------------------------------------------------------- */

void mlk_alias_free(struct mlk_alias_table *t)
{
	if (!t)
		return;
	free(t->types);
	free(t->offsets);
	free(t->members);
	free(t->strings);
	hash_free(&t->names);
	hash_free(&t->typeidx);
	free(t);
}
