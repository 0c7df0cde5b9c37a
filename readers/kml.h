/*
 * kml.h - the in-kernel kmemleak's records in a dump (crash side of
 * kml_decode.h): walking object_list, what the offline scan adopts, and
 * the format of the kernel's own report.
 */
#ifndef MLK_KMLRECORDS_H
#define MLK_KMLRECORDS_H

#include "readers.h"
#include "kml_decode.h"

struct mlk_kml {
	struct mlk_kml_layout lay;
	ulong object_list;          /* &object_list (list head) */
	ulong min_age, last_scan;   /* jiffies_min_age, jiffies_last_scan */
	int have_scan_times;
	int enabled;                /* kmemleak_enabled (-1: unknown) */
	int error;                  /* kmemleak_error */
	int ready;
	/* figures of the last walk */
	uint64_t objects, objects_bad;
	int list_truncated;
};

/* 0, or -1 with *why set (no kmemleak in this kernel, layout unknown). */
int mlk_kml_init(struct mlk_kml *k, const char **why);

/* Called per object of object_list; non-zero stops the walk. */
typedef int (*mlk_kml_fn)(const struct mlk_kml_object *o, ulong addr,
			  void *arg);
/*
 * Walks object_list (bounded, cycle-safe; unreadable or implausible
 * objects are counted in objects_bad and skipped). Returns the number of
 * list nodes visited (its buffer is crash's: freed if Ctrl-C cuts it).
 */
long mlk_kml_walk(struct mlk_kml *k, mlk_kml_fn fn, void *arg);

/* What the offline scan took from the records. */
struct mlk_kml_adopted {
	int done;
	uint64_t objects, objects_bad;
	int list_truncated;
	uint64_t not_leak;   /* min_count 0: scanned, never reported */
	uint64_t ignored;    /* black (kmemleak_ignore): neither */
	uint64_t no_scan;    /* NO_SCAN only: reported if unreached */
	uint64_t unmatched;  /* annotated objects that are no tracked block */
	uint64_t foreign, foreign_bytes; /* tracked by kmemleak only: roots */
};
/*
 * Applies the annotations to the blocks of ix (and of pix, the per-cpu
 * index, may be NULL) that start where a record's pointer is; memory that
 * kmemleak tracks and no block covers becomes a root of roots (resorted).
 * 0, or -1.
 */
int mlk_kml_adopt(struct mlk_kml *k, struct mlk_index *ix,
		  struct mlk_index *pix, struct mlk_roots *roots,
		  struct mlk_kml_adopted *st);

/* [start, end) of kmemleak's static mem_pool[] (not a root). 0, or -1. */
int mlk_kml_mem_pool(ulong *start, ulong *end);

/* Which header variants print_unreferenced() of this kernel prints. */
void mlk_kml_detect_format(struct mlk_kml_format *f);

#endif /* MLK_KMLRECORDS_H */
