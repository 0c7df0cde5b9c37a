/*
 * suppress.h - suppression rules in the LeakSanitizer style: which orphans
 * are known and not to be reported (the kernel's own kmemleak_not_leak()
 * sites that a dump cannot show, a user's known leaks).
 *
 * A rules text has one rule a line; '#' starts a comment, blank lines are
 * ignored, spaces around a rule are dropped:
 *   leak:<glob>    a frame of the orphan's allocation stack: its function
 *                  name, or the module it lies in
 *   cache:<glob>   the orphan's slab cache name
 *   kind:<glob>    its kind: slab, vmalloc, pages, percpu
 * A glob is fnmatch(3)'s, matched against the whole name ("*foo*" for a
 * part of it: unlike LeakSanitizer, "foo" alone matches only "foo").
 * Pure C: no crash headers (the report gives the names).
 */
#ifndef MLK_SUPPRESS_H
#define MLK_SUPPRESS_H

#include <stddef.h>
#include <stdint.h>

enum mlk_supp_type { MLK_SUPP_LEAK, MLK_SUPP_CACHE, MLK_SUPP_KIND };

struct mlk_supp_rule {
	enum mlk_supp_type type;
	char *pattern;           /* the glob, without its "type:" */
	char *why;               /* the comment lines just above it, or "" */
	const char *source;      /* the text's name ("built-in", a file) */
	unsigned line;           /* its line in that text */
	uint64_t blocks, bytes;  /* what it suppressed in this run */
};

struct mlk_supps {
	struct mlk_supp_rule *rule;
	size_t count, cap;
	char **sources;          /* the names given to mlk_supps_parse() */
	size_t nsources;
};

/* What is known of one orphan. Any field may be empty (NULL / 0). */
struct mlk_supp_subject {
	const char *const *functions;  /* its stack's function names */
	const char *const *modules;    /* per frame, or NULL entries */
	unsigned nframes;
	const char *cache;
	const char *kind;
};

/*
 * Adds the rules of text (len bytes, not necessarily NUL-terminated), named
 * source. Returns the number of rules added, or -1 with a message in err
 * (the first bad line: "source:line: why"), in which case nothing is added.
 */
long mlk_supps_parse(struct mlk_supps *s, const char *text, size_t len,
		     const char *source, char *err, size_t errsz);
/* The first rule that matches subj, or -1. */
long mlk_supps_match(const struct mlk_supps *s,
		     const struct mlk_supp_subject *subj);
/* "leak", "cache" or "kind". */
const char *mlk_supp_type_name(enum mlk_supp_type type);
/* Zero every rule's counts (a new run). */
void mlk_supps_reset_counts(struct mlk_supps *s);
void mlk_supps_free(struct mlk_supps *s);

#endif /* MLK_SUPPRESS_H */
