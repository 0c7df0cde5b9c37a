/*
 * report.h - what the report knows of each orphan and of each group, shared
 * by its writers: the text report (leaks.c), JSON Lines (json.c); gathered
 * by orphans.c.
 */
#ifndef MLK_REPORT_H
#define MLK_REPORT_H

#include "memleak.h"

/* The version of memleak -j's records (README: JSON Lines output); -d
 * reads this one. */
#define MLK_JSON_SCHEMA 1

#define MAX_GROUP_SAMPLES 8
#define MAX_GROUP_CACHES  3

/* How orphans are grouped by -s, best key first. */
enum group_key_type {
	KEY_STACK = 1,    /* stack depot handle */
	KEY_CALLER,       /* track without stack: the call site */
	KEY_VMALLOC,      /* vm_struct.caller */
	KEY_CACHE,        /* nothing recorded: the cache */
};

struct orphan_note {
	uint64_t key;
	uint64_t age_jiffies;
	uint8_t key_type;
	uint8_t have_age;
	uint8_t young;       /* younger than -m */
	uint8_t in_flight;   /* young, or held by a young orphan */
	uint8_t selected;    /* reported under the options */
	int32_t supp_rule;   /* the suppression that matched it, or -1 */
};

struct report {
	struct memleak_run *run;
	const struct memleak_opts *o;
	struct orphan_note *notes;   /* one per orphan (run->orphans) */
	struct mlk_alloc_info ai;    /* scratch */
	uint64_t reported, reported_bytes, direct_reported;
	uint64_t percpu_reported, percpu_bytes;
};

/* The direct orphans of one allocation stack (or call site, or cache). */
struct group {
	uint8_t key_type;
	uint64_t key;
	size_t first;              /* orphan whose record is printed */
	size_t members;            /* where its direct orphans start in order[] */
	uint64_t direct, indirect, bytes;
	uint32_t min_size, max_size;
	uint64_t min_age, max_age;
	int have_age;
	size_t samples[MAX_GROUP_SAMPLES];
	unsigned nsamples;
	uint32_t caches[MAX_GROUP_CACHES];
	unsigned ncaches, more_caches;
	/* of all its slab orphans' caches, the one whose name sorts first
	 * (the stable id's: not the first MAX_GROUP_CACHES met, which
	 * depend on the addresses, so on the boot) */
	const char *first_cache_name;
};

/* ---- orphans.c: the facts ---- */
/*
 * The grouping key of block b from its allocation record ai: the stack
 * depot handle (when have_stack: its stack is readable), else the call
 * site, else the vmalloc caller, else its kind and cache.
 */
void mlk_report_key(const struct mlk_block *b, const struct mlk_alloc_info *ai,
		    int have_stack, ulong vmalloc_caller, uint8_t *key_type,
		    uint64_t *key);
/* Adds slab block b's cache to a group's first MAX_GROUP_CACHES (*more:
 * there were others). */
void mlk_report_add_cache(uint32_t caches[MAX_GROUP_CACHES], unsigned *n,
			  unsigned *more, const struct mlk_block *b);
/* Whether the filters (-c, -k, -b, -r) select block b. */
int mlk_report_block_selected(const struct report *r,
			      const struct mlk_block *b);
const struct mlk_cache *mlk_report_cache(const struct memleak_run *run,
					 const struct mlk_block *b);
const struct mlk_block *mlk_report_orphan(const struct report *r, size_t i);
/* r->ai := what the kernel recorded of b; 0, or -1 (r->ai.why says why). */
int mlk_report_alloc_info(struct report *r, const struct mlk_block *b);
/* Notes for every orphan: grouping key, age, in flight, suppressed,
 * selected by the filters; the counts of r. */
void mlk_report_take_notes(struct report *r);
/* Is per-cpu orphan b reported (filters, suppressions)? */
int mlk_report_percpu_selected(const struct report *r,
			       const struct mlk_block *b);
/*
 * The groups of the selected direct orphans, largest first (*groups and
 * *order malloc'd; order[] holds each group's members from g->members);
 * 0, or -1 when out of memory.
 */
int mlk_report_groups(struct report *r, struct group **groups,
		      size_t *ngroups, size_t **order);
/*
 * The stable id of a group: FNV-1a of the grouping key's kind, the function
 * names of its stack (or call site, or vmalloc caller) without offsets or
 * addresses, and its cache name that sorts first (its kind for blocks of no
 * cache). The same leak has the same id across boots (KASLR moves
 * addresses, not names) and across kernels built from the same code.
 * Uses r->ai.
 */
uint64_t mlk_report_stable_id(struct report *r, const struct group *g);
/* The id of the per-cpu orphans' group (they have no allocation records). */
uint64_t mlk_report_percpu_id(void);
/* The first frame of ai's stack in the allocating code: the call site's,
 * or the first past the allocator's own functions. */
unsigned mlk_report_site_frame(const struct mlk_alloc_info *ai);
/* A grouping key's kind as -j and -d name it: "stack", "call site", ... */
const char *mlk_report_key_name(int key_type);

/* ---- chain.c: -w, the shortest chain from a root ---- */
/* Why the block holding addr is alive (or that it is not). */
void mlk_chain_print(struct report *r, ulong addr);

/* ---- json.c: JSON Lines (-j) ---- */
#define MAX_JSON_DEPTH  8     /* nesting of the records */

/* A record being written: commas and nesting. */
struct jw {
	FILE *f;
	int depth;
	int first[MAX_JSON_DEPTH];
};
/* The writer's pieces: a record, its fields, arrays and objects in it. */
void jw_begin(struct jw *w, FILE *f, const char *record);
void jw_end(struct jw *w);
void jw_push(struct jw *w, const char *key, char open);
void jw_pop(struct jw *w, char close);
void jw_str(struct jw *w, const char *key, const char *s);
void jw_u64(struct jw *w, const char *key, uint64_t v);
void jw_int(struct jw *w, const char *key, long v);
void jw_bool(struct jw *w, const char *key, int v);
void jw_null(struct jw *w, const char *key);
/* Stack frames (address, %pS symbol, function, module); ai's stack: its
 * frames, or its call site alone, or null. */
void jw_frames(struct jw *w, const char *key, const mlk_addr_t *frames,
	       unsigned n);
void jw_alloc_stack(struct jw *w, const struct mlk_alloc_info *ai);
/* "caches": the names of n slab caches (by tag). */
void jw_caches(struct jw *w, const struct memleak_run *run,
	       const uint32_t *caches, unsigned n);
int mlk_json_open(struct memleak_run *run, const char *path);
void mlk_json_close(struct memleak_run *run);
void mlk_json_run_record(struct report *r);
void mlk_json_orphans(struct report *r);
void mlk_json_groups(struct report *r, const struct group *groups,
		     size_t ngroups);
void mlk_json_summary(struct report *r, int partial);

/* ---- diff.c: -d, this run against an earlier one's JSON Lines ---- */
void mlk_diff_print(struct report *r);

/* ---- holders.c: who holds the memory (-a) ---- */
/*
 * Every tracked block grouped by allocation stack (or call site, vmalloc
 * caller, cache), with what holds each group's reachable blocks: built
 * once into r->run->holders (0, or -1 after a message), then written as
 * text and as holder_group JSON records.
 */
int mlk_holders_build(struct report *r);
void mlk_holders_print(struct report *r);
void mlk_holders_json(struct report *r);

#endif /* MLK_REPORT_H */
