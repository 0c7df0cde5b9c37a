/*
 * aliases.h - the alias table: for each struct type of a kernel, the
 * interior offsets at which a pointer into an object of that type is a
 * real reference (container_of), and the names of its members.
 *
 * A pointer computed by container_of(p, T, m) is the address of member m
 * of a T: it points inside the block. The members that such code reaches
 * are embedded structs and unions (a list_head, rb_node, hlist_node,
 * work_struct, callback_head, a whole embedded inode...), so the table
 * keeps, per struct type, the sorted distinct offsets (> 0, < sizeof) of
 * its embedded struct/union members, two levels deep (a member of a
 * member: container_of(container_of(...))). It also keeps the members
 * themselves, by offset, to name the place a pointer lands on.
 *
 * Built from DWARF by offsets/dwarf.c (or by hand, in the unit tests);
 * saved and loaded by offsets/cache.c. No libdw, no crash headers here.
 */
#ifndef MLK_ALIASES_H
#define MLK_ALIASES_H

#include <stddef.h>
#include <stdint.h>

/* One member: byte offset and size in its outermost type, name. */
struct mlk_alias_member {
	uint32_t offset, size;
	uint32_t name; /* string table offset: "a", "a.b", "arr[0].b" */
};

/*
 * One struct type, by tag name. Types are deduplicated by name and size
 * (a type repeats in every compile unit that includes its header).
 */
struct mlk_alias_type {
	uint32_t name;               /* string table offset */
	uint32_t size;               /* sizeof */
	uint32_t first_alias, nalias; /* sorted distinct offsets (> 0, < size)
				       * of embedded struct/union members,
				       * levels 1 and 2 */
	uint32_t first_member, nmember; /* members sorted by offset (then
					 * outer before inner): every data
					 * member of level 1 and the members
					 * of its embedded structs/unions
					 * (level 2); anonymous struct/union
					 * members are flattened into their
					 * parent */
};

/* Opaque: the types (sorted by name, then size), offsets, members and
 * string table, and the builder's hash indexes. */
struct mlk_alias_table;

/* ---- queries (on a finished table: mlk_alias_finish) ------------------ */

/*
 * The type called name (a struct tag, without "struct "), or NULL. When
 * want_size is not 0 only a type of that size is returned (one name with
 * several sizes is rare: two files defining their own struct foo).
 */
const struct mlk_alias_type *
mlk_alias_find_type(const struct mlk_alias_table *t, const char *name,
		    uint32_t want_size);

/* The type's name, from the string table. */
const char *mlk_alias_type_name(const struct mlk_alias_table *t,
				const struct mlk_alias_type *ty);

/* The type's alias offsets: count returned, the sorted array in *offsets. */
size_t mlk_alias_offsets(const struct mlk_alias_table *t,
			 const struct mlk_alias_type *ty,
			 const uint32_t **offsets);

/* The type's members (sorted by offset): count returned, array in *members. */
size_t mlk_alias_members(const struct mlk_alias_table *t,
			 const struct mlk_alias_type *ty,
			 const struct mlk_alias_member **members);

/* A member's name (the path "a.b"). */
const char *mlk_alias_member_name(const struct mlk_alias_table *t,
				  const struct mlk_alias_member *m);

/*
 * The union of the alias offsets of every type with lo < size <= hi (a
 * kmalloc-N cache holds types of size (N/2, N], roughly): a malloc'd
 * sorted distinct array in *out (NULL when empty), its count in *n.
 * Returns 0, or -1 when out of memory.
 */
int mlk_alias_offsets_by_size(const struct mlk_alias_table *t, uint32_t lo,
			      uint32_t hi, uint32_t **out, size_t *n);

/*
 * The innermost member that holds byte off of type ty, written into buf as
 * "name" or "outer.inner", with "+N" when off is N bytes past its start
 * (truncated to len). Returns buf, or NULL when no member covers off
 * (padding, past the end) or len is 0.
 */
const char *mlk_alias_member_at(const struct mlk_alias_table *t,
				const struct mlk_alias_type *ty, uint32_t off,
				char *buf, size_t len);

/* The i-th type in name order (i < mlk_alias_ntypes), for listings. */
const struct mlk_alias_type *
mlk_alias_type_at(const struct mlk_alias_table *t, size_t i);

/* Figures. */
size_t mlk_alias_ntypes(const struct mlk_alias_table *t);
uint64_t mlk_alias_noffsets(const struct mlk_alias_table *t);
uint64_t mlk_alias_nmembers(const struct mlk_alias_table *t);
uint64_t mlk_alias_string_bytes(const struct mlk_alias_table *t);

/* Two tables hold the same types, offsets, members and names. */
int mlk_alias_equal(const struct mlk_alias_table *a,
		    const struct mlk_alias_table *b);

void mlk_alias_free(struct mlk_alias_table *t);

/* ---- building (offsets/build.c) ------------------------------------------
 *
 * One type at a time: begin, then any number of offsets and members in any
 * order, then end (which sorts them, drops duplicate offsets and those not
 * in (0, size)). After the last type, finish sorts the types by name so
 * the queries can search them; adding more types afterwards is allowed,
 * and needs finish again. Every function returning int returns 0, or -1
 * when out of memory or past the table's 32-bit limits (the table is then
 * still valid, without the failed addition).
 */
struct mlk_alias_table *mlk_alias_new(void);

/* Whether a type of this name and size is in the table (hash lookup). */
int mlk_alias_has_type(struct mlk_alias_table *t, const char *name,
		       uint32_t size);

/* -1 also when the table has a type of this name and size already. */
int mlk_alias_begin_type(struct mlk_alias_table *t, const char *name,
			 uint32_t size);
int mlk_alias_add_offset(struct mlk_alias_table *t, uint32_t offset);
int mlk_alias_add_member(struct mlk_alias_table *t, uint32_t offset,
			 uint32_t size, const char *name);
/* Ends the type; keep == 0 drops it whole (a read that failed halfway). */
int mlk_alias_end_type(struct mlk_alias_table *t, int keep);

int mlk_alias_finish(struct mlk_alias_table *t);

/*
 * Adds every type of from whose name and size into does not have yet (a
 * module's types over the vmlinux's), then finishes into. Returns the
 * count of types added, or -1 (into unchanged but for types added).
 */
long mlk_alias_merge(struct mlk_alias_table *into,
		     const struct mlk_alias_table *from);

#endif /* MLK_ALIASES_H */
