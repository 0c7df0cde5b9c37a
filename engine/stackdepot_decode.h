/*
 * stackdepot.h - decode a stack depot handle (depot_stack_handle_t) into the
 * stack trace it names, reading the dump through a struct mlk_source.
 *
 * The kernel's lib/stackdepot.c stores each unique stack trace once, in a
 * "struct stack_record" inside a pool of pages; a 32-bit handle packs the
 * pool's index and the record's offset in the pool ("union handle_parts").
 * Both have changed over the years, so nothing here is hard-coded: the crash
 * side describes the kernel at hand in a struct mlk_depot_layout, read from
 * the debuginfo (the handle's bit fields with their bit position and width,
 * the record's member offsets), or takes a preset.
 *
 *   4.6 - 6.0   void *stack_slabs[]; handle { slabindex:21, offset:10,
 *               valid:1 }; record { next; hash; size; handle; entries[] }
 *               (entries at +24 on x86_64).
 *   6.1 - 6.2   the same with 5 "extra" bits at the top: slabindex:16.
 *   6.3 - 6.7   renamed stack_pools[] / pool_index; same bits and record.
 *   6.8.0-6.8.1 the valid bit is gone: { pool_index:17, offset:10, extra:5 };
 *               record { list_head hash_list; hash; size; handle;
 *               refcount_t count; entries[] } (entries at +32 on x86_64).
 *               The very first record of pool 0 has handle 0 (kernel bug).
 *   6.8.2+, 6.9+ the pool field holds index + 1 (commit "lib/stackdepot: fix
 *               first entry having a 0-handle"); from 6.8.5 / 6.9 it is named
 *               pool_index_plus_1. In 6.8.2 - 6.8.4 it is still called
 *               pool_index: a union without a valid bit is "plus one" unless
 *               the kernel is 6.8.0 or 6.8.1.
 * Some recent kernels allocate stack_pools at boot (a "void **", sized by
 * a boot parameter): pools_addr is then that pointer's value.
 */
#ifndef MLK_STACKDEPOT_H
#define MLK_STACKDEPOT_H

#include <stdint.h>

#include "bytes.h"
#include "engine.h"

/* CONFIG_STACKDEPOT_MAX_FRAMES' default; what a record holds at most. */
#define MLK_DEPOT_MAX_FRAMES 64
/* Kconfig's upper bound for CONFIG_STACKDEPOT_MAX_FRAMES (lib/Kconfig). */
#define MLK_DEPOT_FRAMES_LIMIT 256
/* More pools than CONFIG_STACKDEPOT_MAX_POOLS can ever be (131071). */
#define MLK_DEPOT_POOLS_LIMIT (1u << 17)

/* The bit fields of union handle_parts: struct mlk_bitfield (bytes.h). */
struct mlk_depot_layout {
	/* union handle_parts (gdb: ptype/o or printm give bitpos/bitsize). */
	struct mlk_bitfield pool;   /* slabindex, pool_index(_plus_1) */
	struct mlk_bitfield offset; /* record offset >> align_shift */
	struct mlk_bitfield valid;  /* width 0 from 6.8 on */
	struct mlk_bitfield extra;  /* width 0 before 6.1; ignored here */
	int pool_plus_one;          /* pool field = index + 1, 0 is invalid */
	unsigned align_shift;       /* DEPOT_STACK_ALIGN / STACK_ALLOC_ALIGN: 4 */

	/* The pools: stack_slabs[] / stack_pools[]. */
	mlk_addr_t pools_addr;      /* address of element 0 */
	uint32_t pools_len;         /* usable elements, see below */
	uint64_t pool_size;         /* PAGE_SIZE << DEPOT_POOL_ORDER; 0: unknown */

	/* struct stack_record: offsets, -1 where the member does not exist. */
	int32_t rec_size_off;       /* u32 size (number of frames) */
	int32_t rec_handle_off;     /* union handle_parts handle */
	int32_t rec_count_off;      /* refcount_t count (6.8+); 0 = freed */
	int32_t rec_entries_off;    /* unsigned long entries[] */

	uint32_t max_frames;        /* sane maximum of size; 0: 64 */
};
/*
 * pools_len: the number of pools in use when known - 6.8+: pools_num;
 * 6.3 - 6.7: pool_index + 1; before: depot_index + 1 - or else the array's
 * length (the NULL check then catches pools never allocated).
 */

/* Presets for x86_64 with 4 KiB pages and no vendor changes. */
enum mlk_depot_generation {
	MLK_DEPOT_GEN_4_6,  /* 4.6 - 6.0 */
	MLK_DEPOT_GEN_6_1,  /* 6.1 - 6.7 */
	MLK_DEPOT_GEN_6_8,  /* 6.8.0 - 6.8.1 */
	MLK_DEPOT_GEN_6_9,  /* 6.8.2+, 6.9+ */
};

/*
 * Fill *l for gen (pool size 16 KiB, offsets of x86_64) with the given pools.
 * Returns 0, or -1 for an unknown generation.
 */
int mlk_depot_layout_preset(struct mlk_depot_layout *l,
			    enum mlk_depot_generation gen,
			    mlk_addr_t pools_addr, uint32_t pools_len);

/* 0 when the layout is usable, else -1 with *why set. */
int mlk_depot_layout_check(const struct mlk_depot_layout *l,
			   const char **why);

/*
 * Decode handle without any cache: reads the pool pointer, the record's
 * header and its entries. Writes at most max entries (kernel text addresses)
 * and returns how many (the record may hold more: the trace is truncated),
 * or -1 with *why set to a static string ("no stack recorded" for handle 0).
 */
int mlk_depot_fetch(const struct mlk_depot_layout *l,
		    const struct mlk_source *src, uint32_t handle,
		    mlk_addr_t *entries, unsigned max, const char **why);

/*
 * The same with caches, for fetching many handles of one dump: the pools
 * array is read once (at most MLK_DEPOT_POOLS_LIMIT pointers), and recently
 * decoded records are kept in a small direct-mapped table.
 */
struct mlk_depot;

/* Copies the layout; NULL on allocation failure or bad layout (*why set). */
struct mlk_depot *mlk_depot_new(const struct mlk_depot_layout *l,
				const struct mlk_source *src,
				const char **why);
void mlk_depot_free(struct mlk_depot *d);
int mlk_depot_lookup(struct mlk_depot *d, uint32_t handle,
		     mlk_addr_t *entries, unsigned max, const char **why);

/* Cache figures (for tests and the summary). */
struct mlk_depot_stats {
	uint64_t lookups;      /* mlk_depot_lookup() calls */
	uint64_t record_hits;  /* answered from the record cache */
	uint64_t reads;        /* source reads made */
};
const struct mlk_depot_stats *mlk_depot_stats(const struct mlk_depot *d);

#endif /* MLK_STACKDEPOT_H */
