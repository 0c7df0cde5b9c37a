/*
 * track.h - the SLUB alloc/free records ("struct track") that slub_debug=U
 * (SLAB_STORE_USER) keeps after every object, decoded from dump bytes.
 *
 * mm/slub.c, get_track(): the two records, TRACK_ALLOC then TRACK_FREE, sit
 * at object + get_info_end(s), where get_info_end() is s->inuse, plus one
 * pointer when the free pointer is stored outside the object
 * (freeptr_outside_object(): s->offset >= s->inuse). What follows them
 * (orig_size for kmalloc caches from 6.2, then KASAN's metadata) does not
 * move them. "object" is the address the kernel hands out: with
 * SLAB_RED_ZONE that is the slot's start + s->red_left_pad.
 *
 * struct track, x86_64:
 *   5.17+ with CONFIG_STACKDEPOT: { addr; u32 handle; int cpu; int pid;
 *         unsigned long when; }                                 32 bytes
 *   before, CONFIG_STACKTRACE: { addr; addrs[TRACK_ADDRS_COUNT = 16];
 *         int cpu; int pid; when; }                            152 bytes
 *   neither: { addr; int cpu; int pid; when; }                  24 bytes
 * The crash side passes the offsets it reads from the debuginfo.
 */
#ifndef MLK_TRACK_H
#define MLK_TRACK_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"

/* Inline stack entries kept from an addrs[] track (the kernel keeps 16). */
#define MLK_TRACK_MAX_INLINE 64
/* No struct track is this large; bounds the read buffer. */
#define MLK_TRACK_MAX_SIZE 1024
/* include/linux/threads.h: PID_MAX_LIMIT on 64-bit kernels. */
#define MLK_PID_MAX_LIMIT (4 * 1024 * 1024)

struct mlk_track_layout {
	uint32_t size;         /* sizeof(struct track) */
	int32_t addr_off;      /* unsigned long addr */
	int32_t handle_off;    /* depot_stack_handle_t handle, -1: absent */
	int32_t addrs_off;     /* unsigned long addrs[], -1: absent */
	uint32_t addrs_count;  /* TRACK_ADDRS_COUNT when addrs_off >= 0 */
	int32_t cpu_off;       /* int cpu */
	int32_t pid_off;       /* int pid */
	int32_t when_off;      /* unsigned long when (jiffies) */
	uint32_t cpu_limit;    /* nr_cpu_ids to check cpu against; 0: not */
};

enum mlk_track_generation {
	MLK_TRACK_GEN_DEPOT, /* 5.17+, CONFIG_STACKDEPOT */
	MLK_TRACK_GEN_ADDRS, /* before 5.17, CONFIG_STACKTRACE */
	MLK_TRACK_GEN_PLAIN, /* neither */
};

/* x86_64 presets. Returns 0, or -1 for an unknown generation. */
int mlk_track_layout_preset(struct mlk_track_layout *l,
			    enum mlk_track_generation gen);
/* 0 when the layout is usable, else -1 with *why set. */
int mlk_track_layout_check(const struct mlk_track_layout *l,
			   const char **why);

enum mlk_track_item { MLK_TRACK_ALLOC = 0, MLK_TRACK_FREE = 1 };

/* mm/slub.c get_info_end(): where the metadata after an object starts. */
uint32_t mlk_track_info_end(uint32_t inuse, uint32_t fp_offset);

/*
 * Address of the alloc or free track of object, for a cache with the given
 * s->inuse and s->offset. Returns 0, or -1 when the sum overflows.
 */
int mlk_track_addr(mlk_addr_t object, uint32_t inuse, uint32_t fp_offset,
		   uint32_t track_size, enum mlk_track_item which,
		   mlk_addr_t *addr);

struct mlk_track {
	mlk_addr_t addr;     /* caller's return address (e.g. in kmalloc) */
	uint32_t handle;     /* stack depot handle, 0 when none */
	unsigned nr_entries; /* inline entries (addrs[] layouts only) */
	mlk_addr_t entries[MLK_TRACK_MAX_INLINE];
	int cpu;
	int pid;
	uint64_t when;       /* jiffies at the time */
};

/* mlk_track_parse() and mlk_track_fetch() return this for an empty track. */
#define MLK_TRACK_EMPTY 1

/*
 * Parse len bytes of one struct track. Returns 0; MLK_TRACK_EMPTY when addr
 * is 0 (set_track() with no address clears the whole record: "no track
 * recorded", e.g. the free track of an object never freed); or -1 with *why
 * set when the bytes are short or the record is implausible (cpu or pid out
 * of range). *t is filled only when 0 is returned.
 */
int mlk_track_parse(const struct mlk_track_layout *l, const void *bytes,
		    size_t len, struct mlk_track *t, const char **why);

/* Read the alloc or free track of object and parse it (same returns). */
int mlk_track_fetch(const struct mlk_track_layout *l,
		    const struct mlk_source *src, mlk_addr_t object,
		    uint32_t inuse, uint32_t fp_offset,
		    enum mlk_track_item which, struct mlk_track *t,
		    const char **why);

/*
 * Age in jiffies of a stamp taken at when, at the dump's jiffies: jiffies -
 * when, computed modulo 2^64 like the kernel's print_track() ("age=%lu"), so
 * it is right across wrap-around (jiffies start at INITIAL_JIFFIES, 5
 * minutes before the 32-bit wrap). Returns 0, or -1 when the stamp lies
 * after jiffies (time_after(when, jiffies): a corrupt record).
 */
int mlk_jiffies_age(uint64_t when, uint64_t jiffies, uint64_t *age);

#endif /* MLK_TRACK_H */
