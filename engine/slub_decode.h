/*
 * slub_decode.h - which objects of a SLUB slab are free, decoded from the
 * slab's counters word and its bytes (already read by the crash side).
 *
 * The crash side reads a slab's struct slab (struct page before 5.17) and,
 * when a freelist is not empty, the slab's memory; it describes the cache
 * and the slab here in plain terms. What follows is the kernel's logic:
 *
 *   counters  mm/slab.h, struct slab: { inuse:16, objects:15, frozen:1 }
 *             in the low 32 bits of "unsigned long counters" since 3.1
 *             ("slub: Do not use frozen page flag but a bit in the page
 *             counters"). The bit positions are parameters (a layout with
 *             a preset), so a kernel that moves them (7.0 adds a stride to
 *             the counters) is described, not coded.
 *   objects   object i of a slab is at base + s->red_left_pad + i * s->size
 *             (mm/slub.c: fixup_red_left(), for_each_object()).
 *   freelist  each free object holds the next free object's address at
 *             object + s->offset (mm/slub.c: get_freepointer()), obfuscated
 *             under CONFIG_SLAB_FREELIST_HARDENED (freelist_ptr_decode()).
 *   free count a slab on no CPU keeps inuse exact (mm/slub.c:
 *             __slab_free()): its freelists hold objects - inuse objects.
 */
#ifndef MLK_SLUB_DECODE_H
#define MLK_SLUB_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "bytes.h"
#include "engine.h"

/* ---- the counters word ----------------------------------------------- */

/* The fields of struct slab's counters word (struct mlk_bitfield: bytes.h). */
struct mlk_slab_counters_layout {
	struct mlk_bitfield inuse;   /* allocated objects, 1 - 32 bits */
	struct mlk_bitfield objects; /* objects in the slab, 1 - 32 bits */
	struct mlk_bitfield frozen;  /* on a CPU; width 0: no such bit */
};

enum mlk_slab_counters_generation {
	MLK_SLAB_COUNTERS_GEN_3_1, /* inuse:16, objects:15, frozen:1 */
};

/* Fill *l for gen (little-endian). 0, or -1 for an unknown generation. */
int mlk_slab_counters_preset(struct mlk_slab_counters_layout *l,
			     enum mlk_slab_counters_generation gen);
/* 0 when the layout is usable, else -1 with *why set. */
int mlk_slab_counters_layout_check(const struct mlk_slab_counters_layout *l,
				   const char **why);

struct mlk_slab_counters {
	uint32_t inuse;
	uint32_t objects;
	int frozen;
};

/* The fields of counters under a checked layout. */
void mlk_slab_counters_decode(const struct mlk_slab_counters_layout *l,
			      uint64_t counters, struct mlk_slab_counters *out);

/* ---- a cache and one of its slabs ------------------------------------ */

/* What the decoder needs of a struct kmem_cache. */
struct mlk_slub_cache_desc {
	uint32_t size;         /* s->size: from one object to the next (> 0) */
	uint32_t offset;       /* s->offset: free pointer in a free object */
	uint32_t red_left_pad; /* s->red_left_pad: before the first object */
	uint64_t random;       /* s->random: the free pointers' key */
	int hardened;          /* CONFIG_SLAB_FREELIST_HARDENED (s->random) */
};

/* One slab: where it is, its counters and the heads of its freelists. */
struct mlk_slub_slab_desc {
	mlk_addr_t base;         /* first byte of the slab's memory */
	uint32_t objects;
	uint32_t inuse;
	int frozen;              /* a CPU's slab: inuse says nothing of frees */
	mlk_addr_t freelist;     /* slab->freelist (stored in clear) */
	mlk_addr_t cpu_freelist; /* its CPU's kmem_cache_cpu->freelist, or 0 */
};

/* Bytes of the slab's objects: objects * size, from base. */
uint64_t mlk_slub_slab_bytes(const struct mlk_slub_cache_desc *c,
			     const struct mlk_slub_slab_desc *s);
/* The address of object i. */
mlk_addr_t mlk_slub_object_addr(const struct mlk_slub_cache_desc *c,
				const struct mlk_slub_slab_desc *s, uint32_t i);
/* The index of the object starting at addr, or -1 if no object does. */
int64_t mlk_slub_object_index(const struct mlk_slub_cache_desc *c,
			      const struct mlk_slub_slab_desc *s,
			      mlk_addr_t addr);

/*
 * The next free object from the free pointer stored at ptr_addr, as read
 * (stored). Unhardened caches store it in clear.
 */
mlk_addr_t mlk_slub_free_pointer(const struct mlk_slub_cache_desc *c,
				 const struct mlk_slub_slab_desc *s,
				 uint64_t stored, mlk_addr_t ptr_addr);

/*
 * Walks the freelist from head over span, the span_len bytes of the slab
 * read at s->base (mlk_slub_slab_bytes() of them), setting is_free[i] for
 * each free object i and counting it in *nfree; is_free holds s->objects
 * bytes. 0, or -1 when the list is corrupt: a pointer that is not an
 * object start (wild), an object met twice (a cycle, within this list or
 * with one walked before on the same is_free), or a free pointer outside
 * span. What was marked before the damage stays marked.
 */
int mlk_slub_mark_freelist(const struct mlk_slub_cache_desc *c,
			   const struct mlk_slub_slab_desc *s,
			   const unsigned char *span, size_t span_len,
			   unsigned char *is_free, mlk_addr_t head,
			   uint64_t *nfree);

/* The free-count rule: 1 when nfree free objects agree with the counters. */
int mlk_slub_free_count_ok(const struct mlk_slub_slab_desc *s,
			   uint64_t nfree);

/*
 * The free objects of a slab: clears is_free, marks both freelists and
 * applies the free-count rule. Returns 0 with *nfree set, or -1 when the
 * freelists do not add up (a corrupt list, or too few free objects).
 */
int mlk_slub_mark_free(const struct mlk_slub_cache_desc *c,
		       const struct mlk_slub_slab_desc *s,
		       const unsigned char *span, size_t span_len,
		       unsigned char *is_free, uint64_t *nfree);


/* ---- compound pages ------------------------------------------------- */

/*
 * The head page of the struct page at page whose first word
 * (compound_head, since 7.1 compound_info) is info
 * (include/linux/page-flags.h: _compound_head()). Bit 0 marks a tail;
 * the rest is the head's address, or since "mm: rework compound_head()
 * for power-of-2 sizeof(struct page)" (7.1, the series of d50569612c29,
 * which renamed the member compound_info) with HugeTLB vmemmap
 * optimisation a mask GENMASK(63, order + log2(sizeof(struct page))) that
 * the tail's own address is ANDed with. Which form a kernel writes depends on its
 * config, so the word says: a mask is contiguous ones from bit 63 down,
 * which no struct page address is. page itself when not a tail.
 */
mlk_addr_t mlk_compound_head_decode(mlk_addr_t page, uint64_t info);

/* ---- objects cached in sheaves (6.18+) ------------------------------- */

/*
 * SLUB sheaves (mm/slub.c, "slab: add opt-in caching layer of percpu
 * sheaves", 2d517aa09bbc, 6.18; every cache but debug and boot caches
 * from 7.0) are arrays of free object pointers: a CPU's main, spare and
 * rcu_free sheaf and a node barn's full sheaves. Their objects are free,
 * yet their slab counts them in inuse and they are on no freelist. The
 * crash side collects every pointer read from a sheaf with the cache the
 * sheaf belongs to; each slab then takes the pointers that fall inside it.
 * A pointer is trusted only when it is the start of an object of a slab of
 * that same cache, not on the slab's freelist and not met before; any
 * other is damage (never marked free).
 */
enum mlk_sheaf_ptr_state {
	MLK_SHEAF_PENDING,   /* no slab read has claimed it (yet) */
	MLK_SHEAF_FREE,      /* an object of its cache's slab: marked free */
	MLK_SHEAF_WILD,      /* inside a slab, but not a free object of it */
	MLK_SHEAF_SKIPPED,   /* inside a slab memleak does not track */
};

struct mlk_sheaf_ptr {
	mlk_addr_t addr;
	uint32_t cache;      /* the reader's index of the sheaf's cache */
	uint32_t state;      /* enum mlk_sheaf_ptr_state */
};

struct mlk_sheaf_ptrs {
	struct mlk_sheaf_ptr *v;
	size_t n, cap;
	int sorted;
};

/* Adds one pointer (NULL ignored): 0, or -1 when out of memory. */
int mlk_sheaf_ptrs_add(struct mlk_sheaf_ptrs *p, mlk_addr_t addr,
		       uint32_t cache);
/*
 * Sorts by address; a pointer that appears twice (one object in two
 * sheaves, or twice in one) keeps its first copy pending and the others
 * WILD. Returns how many were found twice.
 */
uint64_t mlk_sheaf_ptrs_sort(struct mlk_sheaf_ptrs *p);
/* Whether a sorted set has a pending pointer in [lo, hi). */
int mlk_sheaf_ptrs_any(const struct mlk_sheaf_ptrs *p, mlk_addr_t lo,
		       mlk_addr_t hi);
/*
 * The pending pointers inside slab s (its object bytes, from s->base) of
 * cache index cache: each object start of that cache not yet free in
 * is_free is marked free and counted in *nfree; every other pointer in
 * the range (another cache's sheaf, not an object start, already free)
 * becomes WILD and is counted in *nwild. Needs a sorted set.
 */
void mlk_sheaf_ptrs_mark(struct mlk_sheaf_ptrs *p,
			 const struct mlk_slub_cache_desc *c,
			 const struct mlk_slub_slab_desc *s, uint32_t cache,
			 unsigned char *is_free, uint64_t *nfree,
			 uint64_t *nwild);
/* The pending pointers in [lo, hi) become SKIPPED; how many. */
uint64_t mlk_sheaf_ptrs_skip(struct mlk_sheaf_ptrs *p, mlk_addr_t lo,
			     mlk_addr_t hi);
/* How many pointers are in state. */
uint64_t mlk_sheaf_ptrs_count(const struct mlk_sheaf_ptrs *p,
			      enum mlk_sheaf_ptr_state state);
void mlk_sheaf_ptrs_free(struct mlk_sheaf_ptrs *p);

#endif /* MLK_SLUB_DECODE_H */
