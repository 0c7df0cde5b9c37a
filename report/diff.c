/*
 * diff.c - memleak -d FILE: this run compared with an earlier one, FILE
 * being that run's `memleak -j` output (README: "Two dumps compared").
 *
 * A group is the direct orphans of one allocation stack (or call site,
 * vmalloc caller, or cache when nothing was recorded) together with the
 * indirect blocks they hold, as -s prints them. Groups are matched by their
 * stable id (orphans.c: mlk_report_stable_id), a hash of the function names
 * of the stack and of the cache: no address goes into it, so the same leak
 * has the same id in another dump of the machine, after a reboot (KASLR),
 * and on a kernel rebuilt from the same code. Groups of one id (stacks that
 * differ only in offsets) are added up on each side (group_diff.c).
 */
#include <errno.h>

#include "report.h"
#include "group_diff.h"

#define DIFF_FRAMES 5   /* frames printed of a group's stack */

static const char *tool_name = "kmemleak.so memleak";

/* Why FILE is refused, or NULL. */
static const char *refusal(const struct mlk_jsonl_report *then,
			   char *buf, size_t bufsz)
{
	if (!then->run_line && !then->lines)
		return "it is empty";
	if (then->run_line != 1) {
		snprintf(buf, bufsz, "its first line is not the run record "
			 "of memleak -j%s%s", then->first_bad_line == 1 ?
			 ": " : "", then->first_bad_line == 1 &&
			 then->first_bad_why ? then->first_bad_why : "");
		return buf;
	}
	if (!then->tool || strcmp(then->tool, tool_name) != 0)
		return "its run record is not one of kmemleak.so memleak";
	if (then->schema != MLK_JSON_SCHEMA) {
		snprintf(buf, bufsz, "it is of schema %ld; this memleak reads "
			 "schema %d", then->schema, MLK_JSON_SCHEMA);
		return buf;
	}
	if (!then->have_summary)
		return "it has no summary record (cut short? its groups may be "
			"incomplete)";
	return NULL;
}

int mlk_diff_load(struct memleak_run *run, const struct memleak_opts *o)
{
	struct mlk_jsonl_report *then = &run->diff_then;
	FILE *f;
	const char *why;
	char buf[160];
	int rc;

	if (!o->diff_path)
		return 0;
	f = fopen(o->diff_path, "r");
	if (!f) {
		error(INFO, "-d %s: %s\n", o->diff_path, strerror(errno));
		return -1;
	}
	rc = mlk_jsonl_read(f, then);
	fclose(f);
	if (rc < 0) {
		error(INFO, "-d %s: read error or out of memory\n", o->diff_path);
		return -1;
	}
	why = refusal(then, buf, sizeof(buf));
	if (why) {
		error(INFO, "-d %s: not memleak JSON Lines that this memleak "
		      "reads: %s\n", o->diff_path, why);
		return -1;
	}
	if (then->malformed || then->too_long)
		error(INFO, "-d %s: %llu malformed and %llu overlong lines "
		      "ignored (the first: line %llu, %s)\n", o->diff_path,
		      (unsigned long long)then->malformed,
		      (unsigned long long)then->too_long,
		      (unsigned long long)then->first_bad_line,
		      then->first_bad_why);
	return 0;
}

/* The groups of this run, as group_diff.c takes them; the per-cpu
 * orphans' group last, with index ngroups. */
static struct mlk_diff_side *sides_now(struct report *r,
				       const struct group *groups,
				       size_t ngroups, size_t *n)
{
	struct mlk_diff_side *s = malloc((ngroups + 1) * sizeof(*s));
	size_t i;

	if (!s)
		return NULL;
	for (i = 0; i < ngroups; i++) {
		s[i].id = mlk_report_stable_id(r, &groups[i]);
		s[i].blocks = groups[i].direct + groups[i].indirect;
		s[i].bytes = groups[i].bytes;
		s[i].ix = i;
	}
	*n = ngroups;
	if (r->percpu_reported) {
		s[i].id = mlk_report_percpu_id();
		s[i].blocks = r->percpu_reported;
		s[i].bytes = r->percpu_bytes;
		s[i].ix = i;
		(*n)++;
	}
	return s;
}

static struct mlk_diff_side *sides_then(const struct mlk_jsonl_report *then)
{
	struct mlk_diff_side *s = malloc((then->ngroups + 1) * sizeof(*s));
	size_t i;

	if (!s)
		return NULL;
	for (i = 0; i < then->ngroups; i++) {
		const struct mlk_jsonl_group *g = &then->groups[i];

		s[i].id = g->id;
		s[i].blocks = g->direct + g->indirect;
		s[i].bytes = g->bytes;
		s[i].ix = i;
	}
	return s;
}

static void print_count(const char *what, uint64_t then, uint64_t now)
{
	fprintf(fp, "%s %llu -> %llu (%+lld)", what, (unsigned long long)then,
		(unsigned long long)now, (long long)(now - then));
}

static void print_function(unsigned k, const char *name)
{
	fprintf(fp, "%s%s", k ? " < " : "        ", name ? name : "?");
}

/* Key, caches and top frames of a group of this run. */
static void describe_now(struct report *r, const struct group *g)
{
	const char *function, *module;
	unsigned k, n = 0;

	fprintf(fp, "%s; ", mlk_report_key_name(g->key_type));
	for (k = 0; k < g->ncaches; k++)
		fprintf(fp, "%s\"%s\"", k ? ", " : "caches ",
			mlk_slub_cache_by_tag(&r->run->slub, g->caches[k])->name);
	if (!g->ncaches)
		fprintf(fp, "%s (no cache)",
			mlk_kind_name(mlk_report_orphan(r, g->first)->kind));
	fprintf(fp, "%s\n", g->more_caches ? ", ..." : "");
	if (g->key_type == KEY_VMALLOC) {
		mlk_symbol_names(g->key, &function, &module);
		print_function(n++, function);
	} else if (g->key_type != KEY_CACHE) {
		mlk_report_alloc_info(r, mlk_report_orphan(r, g->first));
		if (g->key_type == KEY_CALLER && !r->ai.nr_entries) {
			mlk_symbol_names(r->ai.caller, &function, &module);
			print_function(n++, function);
		}
		for (k = 0; k < r->ai.nr_entries && n < DIFF_FRAMES; k++) {
			mlk_symbol_names(r->ai.entries[k], &function, &module);
			print_function(n++, function);
		}
	}
	if (n)
		fprintf(fp, "%s\n", n == DIFF_FRAMES ? " < ..." : "");
}

/* The same of a group known only from FILE. */
static void describe_then(const struct mlk_jsonl_group *g)
{
	unsigned k;

	fprintf(fp, "%s; ", g->key);
	for (k = 0; k < g->ncaches; k++)
		fprintf(fp, "%s\"%s\"", k ? ", " : "caches ", g->caches[k]);
	if (!g->ncaches)
		fprintf(fp, "%s (no cache)", g->kind ? g->kind : "?");
	fprintf(fp, " (from the file)\n");
	for (k = 0; k < g->nframes && k < DIFF_FRAMES; k++)
		print_function(k, g->functions[k]);
	if (g->nframes)
		fprintf(fp, "%s\n", g->nframes > DIFF_FRAMES ? " < ..." : "");
}

struct diff_view {
	struct report *r;
	const struct group *groups;   /* this run's */
	size_t ngroups;
	const struct mlk_jsonl_report *then;
};

static void print_row(const struct diff_view *v, const struct mlk_diff_row *row)
{
	fprintf(fp, "  %016llx  ", (unsigned long long)row->id);
	print_count("blocks", row->blocks_then, row->blocks_now);
	fprintf(fp, ", ");
	print_count("bytes", row->bytes_then, row->bytes_now);
	fprintf(fp, "\n    ");
	if (row->change == MLK_DIFF_GONE)
		describe_then(&v->then->groups[row->then_ix]);
	else if (row->now_ix < v->ngroups)
		describe_now(v->r, &v->groups[row->now_ix]);
	else
		fprintf(fp, "percpu; per-cpu allocations (no allocation "
			"records)\n");
}

static const char *const change_title[] = {
	[MLK_DIFF_NEW]    = "appeared (an id the earlier run did not have)",
	[MLK_DIFF_GREW]   = "grew",
	[MLK_DIFF_SHRANK] = "shrank",
	[MLK_DIFF_GONE]   = "disappeared (no orphan of that id now)",
	[MLK_DIFF_SAME]   = "unchanged",
};

static void print_header(const struct report *r,
			 const struct mlk_jsonl_report *then,
			 const size_t *per_change)
{
	const char *release = then->kernel_release;

	fprintf(fp, "\nmemleak -d: this run compared with %s (kernel %s, "
		"dump %s)\n", r->o->diff_path, release ? release : "?",
		then->dump ? then->dump : "?");
	fprintf(fp, "  a group: the direct orphans of one allocation stack "
		"and the indirect blocks they hold;\n  groups matched by "
		"stable id (function names of the stack and the cache, no "
		"addresses: the same across boots and KASLR);\n  under each: its "
		"key, caches, and the top of its stack (f < g: f called by "
		"g)\n");
	if (release && strcmp(release, kt->utsname.release) != 0)
		fprintf(fp, "  NOTE: different kernel releases (then %s, now "
			"%s): compared anyway, ids are made of function "
			"names\n", release, kt->utsname.release);
	fprintf(fp, "  orphans reported: ");
	print_count("blocks", then->reported, r->reported);
	fprintf(fp, ", ");
	print_count("bytes", then->reported_bytes,
		    r->reported_bytes);
	fprintf(fp, "\n  groups: %zu appeared, %zu grew, %zu shrank, %zu "
		"disappeared, %zu unchanged\n", per_change[MLK_DIFF_NEW],
		per_change[MLK_DIFF_GREW], per_change[MLK_DIFF_SHRANK],
		per_change[MLK_DIFF_GONE], per_change[MLK_DIFF_SAME]);
}

/* Each change's rows under its title; unchanged groups with -v only. */
static void print_rows(const struct diff_view *v,
		       const struct mlk_diff_row *rows, size_t nrows)
{
	size_t i;

	for (i = 0; i < nrows; i++) {
		if (rows[i].change == MLK_DIFF_SAME && !v->r->o->verbose)
			break;
		if (!i || rows[i].change != rows[i - 1].change)
			fprintf(fp, "%s:\n", change_title[rows[i].change]);
		print_row(v, &rows[i]);
	}
}

void mlk_diff_print(struct report *r)
{
	struct diff_view v = { .r = r, .then = &r->run->diff_then };
	struct group *groups = NULL;
	struct mlk_diff_side *now = NULL, *then = NULL;
	struct mlk_diff_row *rows = NULL;
	size_t *order = NULL, nnow = 0, nrows = 0, i;
	size_t per_change[MLK_DIFF_SAME + 1] = { 0 };

	if (mlk_report_groups(r, &groups, &v.ngroups, &order) < 0 ||
	    !(now = sides_now(r, groups, v.ngroups, &nnow)) ||
	    !(then = sides_then(v.then)) ||
	    mlk_group_diff(then, v.then->ngroups, now, nnow, &rows, &nrows) < 0) {
		error(INFO, "-d: out of memory: no comparison\n");
		goto out;
	}
	v.groups = groups;
	for (i = 0; i < nrows; i++)
		per_change[rows[i].change]++;
	print_header(r, v.then, per_change);
	print_rows(&v, rows, nrows);
out:
	free(rows);
	free(then);
	free(now);
	free(order);
	free(groups);
}
