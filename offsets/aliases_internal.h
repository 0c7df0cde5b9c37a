/*
 * aliases_internal.h - the alias table's layout, shared by the files of
 * offsets/ that fill it (build.c), read it (aliases.c) and save or load it
 * (cache.c). Nothing outside offsets/ includes this.
 */
#ifndef MLK_ALIASES_INTERNAL_H
#define MLK_ALIASES_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "aliases.h"

/* An open-addressing hash of uint32 values stored + 1 (0: empty slot). */
struct mlk_alias_hash {
	uint32_t *slot;
	size_t cap;   /* a power of two, or 0 */
	size_t count;
};

struct mlk_alias_table {
	struct mlk_alias_type *types;
	size_t ntypes, types_cap;
	uint32_t *offsets;
	size_t noffsets, offsets_cap;
	struct mlk_alias_member *members;
	size_t nmembers, members_cap;
	char *strings;          /* NUL-terminated names, back to back */
	size_t strings_len, strings_cap;

	int sorted;             /* types sorted by (name, size) */
	int open;               /* a type begun and not ended */

	/* Builder indexes, not saved: made again on demand. */
	struct mlk_alias_hash names;     /* string offsets, by content */
	int names_valid;
	struct mlk_alias_hash typeidx;   /* type indexes, by (name, size) */
	int typeidx_valid;
};

/* Every count and offset of the table fits a uint32_t. */
#define MLK_ALIAS_MAX_COUNT 0xfffffff0u

/* Compares two types by (name, size), as the table is sorted. */
int mlk_alias_type_cmp(const struct mlk_alias_table *t,
		       const struct mlk_alias_type *a,
		       const struct mlk_alias_type *b);

/* Members in table order: offset up, size down, outer (fewer dots) first,
 * then by name. */
int mlk_alias_member_cmp(const struct mlk_alias_table *t,
			 const struct mlk_alias_member *a,
			 const struct mlk_alias_member *b);

#endif /* MLK_ALIASES_INTERNAL_H */
