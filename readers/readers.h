/*
 * readers.h - the crash-facing side of memleak: kernel layout discovery,
 * batched dump reads, and the readers that turn a dump into tracked blocks
 * (SLUB objects) and root ranges (kernel data, per-cpu areas, task stacks,
 * module data) for the engine (engine.h).
 *
 * Everything here is read through crash's APIs (readmem, symbols,
 * MEMBER_OFFSET/STRUCT_SIZE), so it follows the kernel version.
 * No reader ever uses FAULT_ON_ERROR: a failed read is counted and skipped.
 */
#ifndef MLK_READERS_H
#define MLK_READERS_H

#include "dump.h"
#include "arch.h"

/* ---- each reader's debuginfo questions (debuginfo.h) ------------------- */

/*
 * The tables the entry point hands to mlk_debuginfo_prepare(), one per
 * reader, in the order of the phases.
 */
extern const struct mlk_needs mlk_page_needs;      /* pageflags.c */
extern const struct mlk_needs mlk_slub_needs;      /* slub.c */
extern const struct mlk_needs mlk_tasks_needs;     /* roots.c */
extern const struct mlk_needs mlk_modules_needs;   /* roots.c */
extern const struct mlk_needs mlk_reserved_needs;  /* pages.c */
extern const struct mlk_needs mlk_percpu_needs;    /* percpu.c */
extern const struct mlk_needs mlk_vmalloc_needs;   /* vmalloc.c */
extern const struct mlk_needs mlk_registers_needs; /* registers.c */
extern const struct mlk_needs mlk_stack_depot_needs; /* stackdepot.c */
extern const struct mlk_needs mlk_tracks_needs;    /* tracks.c */
extern const struct mlk_needs mlk_kml_needs;       /* kml.c */
extern const struct mlk_needs mlk_page_owners_needs; /* pageowner.c */


/* ---- pageflags.c: what a struct page says ---------------------------------- */

/* struct page offsets and flag bits; MLK_NO_ANSWER where the kernel lacks one. */
struct mlk_page_layout {
	long size;            /* sizeof(struct page) */
	long flags;
	long compound_head;   /* or 7.1+ compound_info: the first word */
	long mapping;
	long refcount;        /* _refcount */
	long pg_slab, pg_head, pg_reserved;   /* enum pageflags bits */
	long page_type;       /* 6.12+: enum pagetype in its top byte */
	long pgty_slab, pgty_buddy, pgty_large_kmalloc;
	long private;         /* a free block's order, on its head page */
	long buddy_value;     /* VMCOREINFO PAGE_BUDDY_MAPCOUNT_VALUE */
};
extern struct mlk_page_layout mlk_page;

int mlk_page_is_slab(const unsigned char *pg);
int mlk_page_is_head(const unsigned char *pg);
int mlk_page_is_tail(const unsigned char *pg);
int mlk_page_is_reserved(const unsigned char *pg);
/* The head page of a free block of the buddy allocator. */
int mlk_page_is_buddy(const unsigned char *pg);
/* Whether free blocks can be told (page_type, private, buddy value). */
int mlk_page_knows_buddy(void);
/* A large kmalloc's head page, on kernels that type those pages. */
int mlk_page_is_large_kmalloc(const unsigned char *pg);
/* Whether this kernel types large kmalloc pages (PGTY_large_kmalloc). */
int mlk_page_types_large_kmalloc(void);
/* The head page of the compound page holding page (or page itself). */
ulong mlk_page_head_of(ulong page);
/* The same from the struct page already read (pg, at page). */
ulong mlk_page_head_from(ulong page, const unsigned char *pg);

/* ---- slub.c: SLUB caches and their allocated objects ------------------- */

struct mlk_cache {
	ulong addr;            /* struct kmem_cache * */
	char name[64];         /* truncated copy of s->name */
	uint32_t size;         /* stride of objects in a slab */
	uint32_t object_size;
	uint32_t offset;       /* free pointer offset in a free object */
	uint32_t inuse;        /* object + metadata before the tracks */
	uint32_t max_objects;  /* objects in the largest slab (s->oo), 0 unknown */
	uint32_t red_left_pad;
	ulong flags;
	ulong random;          /* freelist obfuscation key (hardened) */
	ulong cpu_slab;        /* __percpu struct kmem_cache_cpu * (< 7.0) */
	ulong cpu_sheaves;     /* __percpu struct slub_percpu_sheaves * */
	uint32_t sheaf_capacity; /* 0: no real sheaves (bootstrap sheaf) */
	uint64_t objects;      /* allocated objects found */
	uint64_t slabs;
	int skipped;           /* not tracked (e.g. SLAB_NOLEAKTRACE) */
	int store_user;        /* SLAB_STORE_USER: allocation tracks kept */
};

struct mlk_slub_stats {
	uint64_t caches;
	uint64_t caches_skipped;
	uint64_t slabs;
	uint64_t slabs_unknown_cache; /* slab_cache not on slab_caches */
	uint64_t slabs_bad;          /* absurd counters */
	uint64_t slabs_unreadable;   /* contents needed but unreadable */
	uint64_t freelists_corrupt;  /* walks stopped on a bad pointer/cycle */
	uint64_t objects_skipped;    /* allocated (inuse) objects of slabs
					skipped as corrupt or unreadable */
	uint64_t slabs_reread;       /* live: consistent when read again */
	uint64_t objects;
	uint64_t free_objects;
	/* sheaves (6.18+): see slub.c */
	uint64_t sheaves;            /* sheaves read (CPU, barn, RCU) */
	uint64_t sheaves_rcu;        /* of them waiting on RCU callbacks */
	uint64_t sheaves_bad;        /* wrong cache, absurd size, unreadable,
					NULL main; barns unreadable or cut */
	uint64_t sheaf_free;         /* objects marked free from sheaves */
	uint64_t deferred_free;      /* of them on kfree_nolock() lists */
	uint64_t sheaf_wild;         /* pointers not a free object of the
					sheaf cache's slab (damage) */
	uint64_t sheaf_unmatched;    /* pointers in no slab read (damage) */
	uint64_t sheaf_skipped;      /* in slabs not tracked (KFENCE, ...) */
	int cache_list_truncated;
};

struct mlk_slub {
	struct mlk_cache *caches;    /* sorted by addr */
	size_t ncaches;
	struct mlk_slub_stats st;
	/*
	 * Where a slab skipped for freelists that do not add up goes, as a
	 * root (MLK_ROOT_SKIPPED): its objects are not tracked, but the
	 * references they may hold still count. NULL: not scanned.
	 */
	struct mlk_roots *skipped_roots;
};

/* Reads slab_caches. Returns 0, or -1 (message printed). */
int mlk_slub_read_caches(struct mlk_slub *slub);
/*
 * The slab finder, a struct page visitor (pages.c): begin, pass
 * mlk_slub_visit_page to mlk_pages_walk() with the walk as its argument,
 * end. Every allocated object goes into ix.
 */
struct mlk_slab_walk;
struct mlk_slab_walk *mlk_slub_walk_begin(struct mlk_slub *slub,
					  struct mlk_index *ix);
int mlk_slub_visit_page(void *walk, ulong page, ulong pfn,
			const unsigned char *pg);
void mlk_slub_walk_end(struct mlk_slab_walk *walk);
const struct mlk_cache *mlk_slub_cache_by_tag(const struct mlk_slub *slub,
					      uint32_t tag);
/*
 * Live systems: is obj still an allocated object of cache cache_idx? 1, 0
 * (freed, or its page is no longer that cache's slab), or -1 (unknown).
 */
int mlk_slub_still_allocated(struct mlk_slub *slub, ulong obj,
			     uint32_t cache_idx);
/* The struct page of the slab holding addr, or 0. */
ulong mlk_slub_slab_of(ulong addr);
void mlk_slub_free(struct mlk_slub *slub);

/* ---- vmalloc.c: vmalloc areas (VM_ALLOC) -------------------------------- */

struct mlk_vmalloc_stats {
	uint64_t areas;          /* busy vmap areas seen */
	uint64_t tracked;        /* VM_ALLOC areas tracked as blocks */
	uint64_t bytes;
	uint64_t stacks;         /* thread stacks (scanned as roots instead) */
	uint64_t jit_code;       /* JIT images outside module space (code) */
	uint64_t percpu_chunks;  /* per-cpu chunks (scanned per allocation) */
	uint64_t modules;        /* module_alloc() areas (data scanned as roots) */
	uint64_t truncated;      /* areas larger than a block can describe */
	uint64_t absurd;         /* areas with corrupt sizes or places, skipped */
	int list_truncated;
	int unsupported;         /* no vmap_area_list on this kernel */
	ulong *callers;          /* vm_struct.caller, indexed by block tag */
	size_t ncallers, callers_cap;
};

/*
 * Adds VM_ALLOC areas to ix and masks the allocator's records of them.
 * Thread stacks (roots->stacks, collected first) are left out.
 */
struct mlk_roots;
int mlk_vmalloc_add_areas(struct mlk_index *ix, struct mlk_masks *masks,
			  const struct mlk_roots *roots, ulong percpu_caller,
			  struct mlk_vmalloc_stats *st);
ulong mlk_vmalloc_caller(const struct mlk_vmalloc_stats *st, uint32_t tag);
void mlk_vmalloc_free(struct mlk_vmalloc_stats *st);

/* ---- pages.c: the struct page array ------------------------------------- */

struct mlk_page_visitor {
	/* Called for each readable struct page; returns -1 to abort. */
	int (*visit)(void *arg, ulong page, ulong pfn, const unsigned char *pg);
	void *arg;
};

struct mlk_pages_stats {
	uint64_t pages_walked;
	uint64_t chunks_unreadable;  /* vmemmap pages missing or holes */
};

/* One batched pass over every node's struct pages. 0, or -1. */
int mlk_pages_walk(const struct mlk_page_visitor *visitors, size_t n,
		   struct mlk_pages_stats *st);

struct mlk_roots;
/* The struct page array itself, as root ranges. */
int mlk_pages_add_memmap_roots(struct mlk_roots *roots);

/* Collector of PageReserved runs as roots (a struct page visitor). */
struct mlk_reserved {
	struct mlk_roots *roots;
	ulong kernel_lo, kernel_hi;  /* pfns of the kernel image */
	ulong crash_lo, crash_hi;    /* pfns of the crashkernel reservation */
	ulong run_start, run_count;
	uint64_t pages, runs;
	int enabled;
	/* pfn ranges left out: the per-cpu first chunk's units */
	ulong skip_lo[8], skip_hi[8];
	unsigned nskip;
	/* kernel image pages no longer reserved: given back at boot */
	ulong kernel_vaddr;          /* the image address of kernel_lo */
	ulong freed_start, freed_count;
};
int mlk_reserved_init(struct mlk_reserved *r, struct mlk_roots *roots);
int mlk_reserved_visit(void *arg, ulong page, ulong pfn,
		       const unsigned char *pg);
int mlk_reserved_finish(struct mlk_reserved *r);
/* Leaves [start, end) (kernel virtual, page-aligned) out of the roots. */
int mlk_reserved_skip(struct mlk_reserved *r, ulong start_vaddr,
		      ulong end_vaddr);

/* Collector of unmapped compound page allocations as roots (a visitor). */
struct mlk_page_owners;
struct mlk_compound {
	struct mlk_roots *roots;
	struct mlk_index *ix;            /* large kmalloc blocks go here */
	struct mlk_page_owners *owners;  /* NULL: no page_owner records */
	ulong head_page, head_pfn, run_pages;
	int head_large_kmalloc;          /* typed PGTY_large_kmalloc */
	uint64_t allocations, pages;     /* scanned as roots */
	uint64_t large_kmalloc, large_kmalloc_pages; /* tracked as blocks */
	int enabled;
};
/*
 * With owners (page_owner records), compound allocations made by the large
 * kmalloc path become blocks of ix; the others are roots.
 */
int mlk_compound_init(struct mlk_compound *c, struct mlk_roots *roots,
		      struct mlk_index *ix, struct mlk_page_owners *owners);
int mlk_compound_visit(void *arg, ulong page, ulong pfn,
		       const unsigned char *pg);
int mlk_compound_finish(struct mlk_compound *c);

/* ---- registers.c: saved CPU registers ---------------------------------- */

/* (Each CPU's NT_PRSTATUS note is found once, by mlk_registers_needs.) */
/* Scans each CPU's NT_PRSTATUS note as a root. 0, or -1 (scan aborted). */
int mlk_registers_scan(struct mlk_scan *sc, uint64_t *cpus_scanned);

/* ---- percpu.c: alloc_percpu() allocations ---------------------------------- */

struct mlk_percpu {
	struct mlk_index *pix;   /* blocks keyed by __percpu pointer value */
	mlk_addr_t *cpu_offsets; /* __per_cpu_offset[] of each CPU */
	unsigned ncpus;
	ulong vm_caller;         /* pcpu_get_vm_areas: chunk vmalloc areas */
	uint64_t chunks, chunks_bad, allocations, bytes;
	int lists_truncated;
	int unsupported;         /* this kernel's percpu allocator unknown */
};

/* Reads every chunk's allocation map. 0 (maybe unsupported), or -1. */
int mlk_percpu_read(struct mlk_percpu *pc);
void mlk_percpu_free(struct mlk_percpu *pc);
/* [start, end) of the first chunk's units. 0, or -1 if unknown. */
int mlk_percpu_first_chunk(ulong *start, ulong *end);

/* ---- roots.c: where the kernel keeps pointers -------------------------- */

enum mlk_root_kind {
	MLK_ROOT_DATA = 0,   /* .data, .bss, ro_after_init */
	MLK_ROOT_PERCPU,     /* static per-cpu area of each possible CPU */
	MLK_ROOT_STACK,      /* task kernel stacks */
	MLK_ROOT_MODULE,     /* module writable data */
	MLK_ROOT_MEMMAP,     /* the struct page array */
	MLK_ROOT_RESERVED,   /* PageReserved memory (memblock allocations) */
	MLK_ROOT_COMPOUND,   /* untracked compound pages (large kmalloc...) */
	MLK_ROOT_KMEMLEAK,   /* memory the kernel's kmemleak tracks, we do not */
	MLK_ROOT_SKIPPED,    /* slabs skipped: freelists that do not add up */
	MLK_ROOT_KINDS
};

/* Why a range is left out of the roots (see mlk_roots_exclude()). */
enum mlk_hole_kind {
	MLK_HOLE_KMEMLEAK,     /* kmemleak's own metadata */
	MLK_HOLE_FREED_IMAGE,  /* kernel image pages the kernel gave back */
};

struct mlk_root {
	ulong start;
	ulong len;
	uint8_t kind;
};

struct mlk_roots {
	struct mlk_root *ranges;
	size_t count, cap;
	uint64_t per_kind_count[MLK_ROOT_KINDS];
	uint64_t per_kind_bytes[MLK_ROOT_KINDS];
	uint64_t tasks;
	uint64_t modules;
	uint64_t cpus;
	int tasks_truncated;
	int modules_truncated;
	uint64_t modules_bad;        /* modules whose data range is corrupt */
	int percpu_static_only;      /* per-cpu allocations are blocks */
	ulong *stacks;               /* thread stack bases, sorted */
	size_t nstacks, stacks_cap;
	struct mlk_task_pid *pids;   /* every task walked, sorted by pid */
	size_t npids, pids_cap;
	/* ranges left out of the roots (mlk_roots_exclude) */
	struct mlk_root *holes;      /* kind: why (enum mlk_hole_kind) */
	size_t nholes, holes_cap;
	uint64_t excluded_bytes;     /* kmemleak metadata left out */
	uint64_t freed_image_bytes;  /* kernel image given back, left out */
};

struct mlk_task_pid {
	int pid;
	ulong task;
	ulong stack;     /* its kernel stack's base */
};

/* Appends one range [start, end). 0, or -1 when out of memory. */
int mlk_roots_add(struct mlk_roots *roots, ulong start, ulong end, int kind);
/*
 * Leaves [start, end) out of the roots, whoever adds it: memory that holds
 * pointers to blocks without referencing them (kmemleak's own metadata),
 * or that the kernel no longer owns (parts of its image it freed at boot).
 * Call before mlk_roots_collect(). 0, or -1 when out of memory.
 */
int mlk_roots_exclude(struct mlk_roots *roots, ulong start, ulong end,
		      enum mlk_hole_kind why);
/*
 * Appends the kernel's own roots to what is already there, then sorts the
 * ranges, merges overlaps and cuts out the excluded ranges. 0, or -1.
 */
int mlk_roots_collect(struct mlk_roots *roots);
/* Sorts, merges and cuts again after ranges were added late. 0, or -1. */
int mlk_roots_resort(struct mlk_roots *roots);
void mlk_roots_free(struct mlk_roots *roots);
/*
 * The comm of the task with this pid, if it is still alive in the dump
 * ("swapper/N" for pid 0 on cpu N); 0 when no task has that pid.
 */
int mlk_roots_comm_of_pid(const struct mlk_roots *roots, int pid, int cpu,
			  char *comm, size_t commsz);
/*
 * The base of the task stack holding addr, or 0; its task's pid and comm
 * (the task's own, "swapper/N" included) into *pid and comm.
 */
ulong mlk_roots_stack_of(const struct mlk_roots *roots, ulong addr, int *pid,
			 char *comm, size_t commsz);
/* Whether addr is the base of a thread stack (live or cached). */
int mlk_roots_is_stack(const struct mlk_roots *roots, ulong addr);
const char *mlk_root_kind_name(int kind);

/* rootaudit.c: what the struct pages of the root pages say. */
struct mlk_root_audit {
	uint64_t pages;           /* root pages looked at */
	uint64_t slab;            /* slab pages among them (a bug) */
	uint64_t free;            /* in free buddy blocks (a bug) */
	uint64_t given_back;      /* kernel image pages not reserved (a bug) */
	uint64_t unknown;         /* no struct page could be read */
	ulong first_slab, first_free, first_given_back;
	uint64_t bad_by_kind[MLK_ROOT_KINDS];  /* slab or free, per root kind */
};
void mlk_roots_audit(const struct mlk_roots *roots, struct mlk_root_audit *a);

#endif /* MLK_READERS_H */
