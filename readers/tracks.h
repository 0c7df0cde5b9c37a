/*
 * tracks.h - allocation records (who allocated a block, when, from where)
 * read from the dump: SLUB alloc tracks and the stack depot.
 */
#ifndef MLK_TRACKS_H
#define MLK_TRACKS_H

#include "readers.h"
#include "stackdepot.h"
#include "track_decode.h"

#define MLK_MAX_FRAMES 64

/* What the kernel recorded about one allocation. */
struct mlk_alloc_info {
	int have_track;
	ulong caller;            /* track.addr: the allocation's call site */
	int pid, cpu;
	uint64_t when;           /* jiffies at allocation */
	int have_age;
	uint64_t age_jiffies;    /* dump's jiffies - when */
	uint32_t handle;         /* stack depot handle, 0 if none */
	unsigned nr_entries;
	mlk_addr_t entries[MLK_MAX_FRAMES];
	int from_page_owner;     /* a page_owner record, not a SLUB track */
	uint64_t ts_nsec;        /* page_owner: allocation time (local_clock) */
	char comm[64];           /* page_owner: the allocating task's name */
	const char *why;         /* no track: why */
	const char *stack_why;   /* track but no stack: why */
};

struct mlk_tracks {
	struct mlk_source src;
	struct mlk_track_layout track;
	int have_track_layout;
	struct mlk_stack_depot stacks;  /* stacks.why: why none are readable */
	ulong jiffies;
	int have_jiffies;
	uint64_t future_tracks;  /* records dated after the dump's jiffies */
	unsigned hz;
	/*
	 * Live system: jiffies when the scan began. A record dated after it
	 * is an allocation made while memleak read memory (or a block freed
	 * and allocated again since): in flight, its age taken as 0.
	 */
	ulong scan_jiffies;
	int have_scan_jiffies;
	uint64_t after_scan_start;
	uint64_t gone_since_scan; /* live: record empty now (block freed) */
	/*
	 * mlk_tracks_get() leaves stack depot stacks out (ai->handle is still
	 * set): memleak -a reads the record of every block and looks each
	 * distinct stack up once.
	 */
	int skip_stacks;
};

/*
 * Sets up the tracks for a run (reads jiffies, opens the stack depot).
 * Always 0.
 */
int mlk_tracks_init(struct mlk_tracks *t);
/* The kernel's jiffies now: 1, or 0 if unreadable. */
int mlk_read_jiffies(ulong *jiffies);
void mlk_tracks_free(struct mlk_tracks *t);
/* Whether objects of this cache carry tracks (SLAB_STORE_USER). */
int mlk_tracks_cache_records(const struct mlk_cache *c);
/* Fills ai for the slab object at object. 0, or -1 (ai->why says why). */
int mlk_tracks_get(struct mlk_tracks *t, const struct mlk_cache *c,
		   ulong object, struct mlk_alloc_info *ai);
/* ai's stack from a depot handle, or ai->stack_why. */
void mlk_alloc_info_stack(struct mlk_stack_depot *s, uint32_t handle,
			  struct mlk_alloc_info *ai);
/* "function+0xoff/0xsize [module]" (kmemleak's %pS), or the address. */
void mlk_format_symbol(ulong addr, char *out, size_t outsz);
/* The function holding addr and its module (NULL: none known, or vmlinux). */
void mlk_symbol_names(ulong addr, const char **function, const char **module);

#endif /* MLK_TRACKS_H */
