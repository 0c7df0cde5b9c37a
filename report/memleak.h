/*
 * memleak.h - the state of one `memleak` command, shared by the command
 * (kmemleak.c) and its report (leakreport.c).
 */
#ifndef MLK_MEMLEAK_H
#define MLK_MEMLEAK_H

#include <sys/time.h>
#include "readers.h"
#include "tracks.h"
#include "classify.h"
#include "kml.h"
#include "pageowner.h"
#include "suppress.h"
#include "jsonl_read.h"
#include "aliasfilter.h"

#define DEFAULT_HEX_BYTES 32
#define DEFAULT_MIN_AGE_SECONDS 5
#define MAX_HEX_BYTES     4096
#define MAX_SUPP_FILES    8     /* -S given more often is refused */

struct memleak_opts {
	long max_reports;   /* -n: at most this many orphans printed */
	long hex_bytes;     /* -x: bytes of hex dump per orphan */
	const char *cache;  /* -c: only orphans of this cache */
	ulong watch;        /* -w: explain who references this block */
	long min_age;       /* -m: younger orphans are in flight (seconds) */
	int kind;           /* -k: only this enum mlk_kind, or -1 */
	ulong min_size;     /* -b: only orphans of at least this size */
	ulong addr_lo, addr_hi; /* -r: only orphans starting in [lo, hi) */
	int grouped;        /* -s: one entry per allocation stack */
	int holders;        /* -a: every block by stack, and who holds it */
	int summary_only;   /* -q */
	int verbose;        /* -v */
	int kernel_report;  /* -K: print the kernel's own kmemleak report */
	int no_kernel_records; /* -N: offline scan only, no kmemleak records */
	const char *supp_files[MAX_SUPP_FILES]; /* -S FILE, in order */
	int nsupp_files;
	int supp_none;      /* -S none: no built-in or default suppressions */
	const char *json_path; /* -j: JSON Lines to this file ("-": screen) */
	const char *diff_path; /* -d: compare with this earlier -j output */
	int strict;         /* -t: only starts and aliases count */
	int list_possibly;  /* -p: list the possibly lost blocks */
};

/*
 * Everything one `memleak` allocates hangs off this, so that crash's
 * CLEANUP hook can free it when the command is interrupted (Ctrl-C makes
 * crash longjmp back to its prompt, past our own frees).
 */
struct memleak_run {
	struct mlk_slub slub;
	struct mlk_vmalloc_stats vmalloc;
	struct mlk_percpu percpu;
	struct mlk_masks masks;
	struct mlk_source source;
	struct mlk_roots roots;
	struct mlk_reserved reserved;
	struct mlk_compound compound;
	struct mlk_pages_stats pages;
	uint64_t register_cpus;
	uint64_t unreadable_by_root[MLK_ROOT_KINDS]; /* pages, per root kind */
	int scanning_registers;
	struct mlk_index *ix;
	struct mlk_scan *sc;
	struct mlk_tracks tracks;
	struct mlk_page_owners owners;  /* page_owner records, if any */
	struct mlk_kml kml;             /* the kernel's kmemleak, if any */
	struct mlk_kml_adopted adopted; /* what the scan took from it */
	const char *kml_why;            /* no kmemleak records: why */
	ulong scan_jiffies;             /* live system: when the scan began */
	int have_scan_jiffies;
	struct mlk_orphans orphans;     /* direct/indirect classes */
	struct mlk_aliases aliases;     /* the alias filter (issue 13) */
	int breadth_first;              /* -w: parents are shortest chains */
	int parents_recorded;           /* -a: the scan kept who held what */
	struct mlk_holders *holders;    /* -a: the groups (holders.c) */
	struct mlk_supps supps;         /* suppression rules (-S) */
	FILE *json_out;                 /* -j: open while the report runs */
	const char *json_path;
	uint64_t json_records;
	struct mlk_jsonl_report diff_then; /* -d: the earlier run */
	int classified;
	uint64_t young, young_bytes;    /* orphans in flight (-m) */
	uint64_t without_track;         /* orphans with no allocation record */
	uint64_t freed_since_scan;      /* live: slab orphans freed or whose
	                                 * slab was reused before the report */
	struct timeval started;
	struct timeval last_progress;
	int show_progress;
};

struct mlk_holders;

double mlk_seconds_since(const struct timeval *t0);
void mlk_holders_free(struct mlk_holders *h);
void mlk_describe_block(const struct memleak_run *run,
			const struct mlk_block *b, char *out, size_t outsz);
/*
 * The report: orphans (one by one, or grouped by allocation stack with -s)
 * and the summary. partial: the scan did not complete.
 */
void mlk_report(struct memleak_run *run, const struct memleak_opts *o,
		int partial);
/* The report's pieces: a hex dump, and stack frames ("[<addr>] %pS"). */
void mlk_print_hexdump(ulong addr, uint64_t size, long max_bytes);
void mlk_print_frames(const mlk_addr_t *entries, unsigned n);
/*
 * Suppressions (suppressions.c): the rules of this run (built-in, the
 * user's default file, -S files), or -1 after a message when one cannot be
 * read; the first rule that matches an orphan (its stack, cache and kind),
 * or -1; the summary's "suppressed" lines.
 */
int mlk_suppressions_load(struct mlk_supps *s, const struct memleak_opts *o);
long mlk_suppression_of(const struct mlk_supps *s, const struct mlk_block *b,
			const char *cache, const mlk_addr_t *frames,
			unsigned nframes);
void mlk_print_suppressions_used(const struct mlk_supps *s);
/*
 * -d FILE (diff.c): the earlier run's JSON Lines into run->diff_then,
 * before the scan; -1 after a message when FILE cannot be read or is not
 * memleak JSON Lines of a schema this memleak knows. The comparison is
 * printed after the report (mlk_report).
 */
int mlk_diff_load(struct memleak_run *run, const struct memleak_opts *o);
/*
 * -K: what /sys/kernel/debug/kmemleak would have printed at the time of
 * the dump, from the kernel's own kmemleak records (kmlreport.c).
 */
void mlk_kml_report(struct memleak_run *run, const struct memleak_opts *o);

#endif /* MLK_MEMLEAK_H */
