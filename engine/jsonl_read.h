/*
 * jsonl_read.h - a reader of memleak's own JSON Lines (`memleak -j`, schema
 * 1) for `memleak -d`: from each line, the few fields the comparison of two
 * runs needs. Needs no crash.
 *
 * Bounded and strict: a line longer than MLK_JSONL_MAX_LINE is skipped and
 * counted; a line that is not one JSON object (RFC 8259; nesting deeper
 * than MLK_JSONL_MAX_DEPTH refused), or whose known fields have the wrong
 * type, is counted as malformed and ignored; the first such line is kept
 * for the message. No buffer of fixed size is ever written by the file.
 */
#ifndef MLK_JSONL_READ_H
#define MLK_JSONL_READ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MLK_JSONL_MAX_LINE   (1u << 20)  /* a group record is about 3 KB */
#define MLK_JSONL_MAX_DEPTH  32          /* memleak writes 3 levels */
#define MLK_JSONL_MAX_FRAMES 64          /* frames kept of a group's stack */
#define MLK_JSONL_MAX_CACHES 8           /* cache names kept of a group */

/* A "group" record: the direct orphans of one allocation stack (or call
 * site, vmalloc caller, cache) and the indirect blocks they hold. */
struct mlk_jsonl_group {
	uint64_t id;                 /* the stable id (16 hex digits) */
	char *key;                   /* "stack", "call site", ... */
	char *kind;                  /* "slab", "vmalloc", ... or NULL */
	uint64_t direct, indirect, bytes;
	char *caches[MLK_JSONL_MAX_CACHES];
	unsigned ncaches;
	char *functions[MLK_JSONL_MAX_FRAMES];  /* NULL: frame without symbol */
	unsigned nframes;
	uint64_t line;               /* where it was in the file */
};

struct mlk_jsonl_report {
	uint64_t run_line;           /* line of the "run" record, 0: none */
	long schema;                 /* the run record's */
	char *tool, *kernel_release, *dump;
	int have_summary;
	uint64_t reported, reported_bytes;  /* summary: orphans reported */
	struct mlk_jsonl_group *groups;
	size_t ngroups, groups_cap;
	uint64_t lines;              /* lines read, empty ones included */
	uint64_t malformed;          /* not JSON, or known fields mistyped */
	uint64_t too_long;           /* longer than MLK_JSONL_MAX_LINE */
	uint64_t first_bad_line;     /* 0: every line was good */
	const char *first_bad_why;   /* a static string */
};

/* Read every line of f into rep (zeroed by the caller); 0, or -1 when out
 * of memory or on a read error (errno). Bad lines are counted, not fatal. */
int mlk_jsonl_read(FILE *f, struct mlk_jsonl_report *rep);
/* One line of len bytes (no newline; NUL bytes are malformed): 0, 1 when
 * malformed (counted in rep), -1 when out of memory. */
int mlk_jsonl_parse_line(struct mlk_jsonl_report *rep, const char *line,
			 size_t len);
void mlk_jsonl_free(struct mlk_jsonl_report *rep);

#endif /* MLK_JSONL_READ_H */
