/*
 * aliasfilter.h - the alias table of this session's kernel (offsets/), made
 * into the scan's filter: for every slab cache, the offsets at which a
 * pointer into its objects is a real reference (issue 13).
 *
 * A cache's type is found, in this order:
 *   name:   a struct named as the cache (KMEM_CACHE(struct foo) names the
 *           cache "foo"; also "foo_cache", "foo_cachep" and "foo_info"
 *           stripped or added), of the cache's object_size;
 *   size:   the kmalloc caches (kmalloc-N, kmalloc-cg-N, kmalloc-rcl-N,
 *           dma-kmalloc-N...) and every other cache: the union of the
 *           aliases of all types whose size rounds into it, (N/2, N] for
 *           kmalloc-N, exactly object_size for the others (or, when no
 *           type has that size, (object_size/2, object_size]).
 * The table is built once per kernel build (its build id) and kept in the
 * user's cache directory; modules whose debuginfo crash has loaded (`mod
 * -s`, `mod -S`) add their types.
 */
#ifndef MLK_ALIASFILTER_H
#define MLK_ALIASFILTER_H

#include "readers.h"

enum mlk_cache_typing {
	MLK_TYPED_UNKNOWN = 0, /* no type and no size: any offset counts */
	MLK_TYPED_NAME,        /* the struct named as the cache */
	MLK_TYPED_SIZE,        /* types of exactly its object size */
	MLK_TYPED_RANGE,       /* types whose size rounds into it */
	MLK_TYPED_KINDS
};

struct mlk_alias_table;
struct mlk_alias_type;

struct mlk_aliases {
	int ready;                       /* the filter below is set */
	const char *why;                 /* !ready: why there is none */
	const struct mlk_alias_table *table;   /* the session's */
	struct mlk_alias_bits *by_tag;   /* one per cache (slub->caches) */
	uint32_t ntags;
	const struct mlk_alias_type **type_of_tag; /* MLK_TYPED_NAME: its type */
	uint8_t *typing;                 /* enum mlk_cache_typing, per cache */
	uint64_t caches_by_typing[MLK_TYPED_KINDS];
	uint8_t rules[MLK_KIND_COUNT];   /* the other kinds of blocks */
	int built_now;                   /* read from DWARF in this run */
	int from_session;                /* kept from an earlier run */
	double seconds;                  /* to prepare it (kmemleak.c) */
	unsigned modules;                /* modules' debuginfo added */
	size_t ntypes;                   /* struct types in the table */
	char path[512];                  /* the cache file */
};

/* Sets a up for the caches of slub; 0, or -1 with a->why (no filter). */
int mlk_aliases_prepare(struct mlk_aliases *a, const struct mlk_slub *slub);
void mlk_aliases_free(struct mlk_aliases *a);
/*
 * "(type.member)" naming what holds offset off of a block of cache tag,
 * or "(type unknown)", into buf.
 */
const char *mlk_aliases_member(const struct mlk_aliases *a, uint32_t tag,
			       uint32_t off, char *buf, size_t len);
const char *mlk_cache_typing_name(int typing);
/* The session's table, freed when the extension is unloaded. */
void mlk_aliases_session_free(void);

#endif /* MLK_ALIASFILTER_H */
