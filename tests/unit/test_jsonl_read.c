/*
 * test_jsonl_read.c - memleak's JSON Lines read back (engine/jsonl_read.c)
 * and two runs compared by group id (engine/group_diff.c).
 */
#include <stdlib.h>

#include "jsonl_read.h"
#include "group_diff.h"
#include "unit.h"

#define RUN_LINE "{\"record\":\"run\",\"schema\":1,\"tool\":\"kmemleak.so " \
	"memleak\",\"kernel_release\":\"6.1.0-56-cloud-amd64\",\"dump\":" \
	"\"vmcore\",\"options\":[\"-j\",\"x\"],\"hz\":250}\n"
#define GROUP_LINE "{\"record\":\"group\",\"id\":\"40d0f28491822e98\"," \
	"\"key\":\"stack\",\"direct\":1,\"indirect\":99,\"bytes\":12800," \
	"\"kind\":\"slab\",\"caches\":[\"kmalloc-128\"],\"min_age_s\":7.236," \
	"\"stack\":[{\"address\":\"0xffffffffb10a8846\",\"function\":" \
	"\"kmalloc_trace\",\"module\":null},{\"function\":null}," \
	"{\"function\":\"plant_\\u0041\\u00ff\"}]}\n"
#define SUMMARY_LINE "{\"record\":\"summary\",\"partial\":false,\"roots\":" \
	"{\"bytes\":5,\"bytes_by_kind\":{\"x\":1}},\"orphans\":{\"reported\":" \
	"117,\"direct\":15,\"bytes\":33320,\"filtered\":false},\"time_s\":0.44}"

/* rep := what mlk_jsonl_read makes of text (which holds no NUL). */
static int read_text(const char *text, size_t len,
		     struct mlk_jsonl_report *rep, char *why, size_t whysz)
{
	FILE *f = fmemopen((void *)text, len, "r");
	int rc = 1;

	memset(rep, 0, sizeof(*rep));
	CHECK(f, "fmemopen");
	CHECK(mlk_jsonl_read(f, rep) == 0, "mlk_jsonl_read failed");
	rc = 0;
out:
	if (f)
		fclose(f);
	return rc;
}

static int test_jsonl_good(char *why, size_t whysz)
{
	static const char text[] = RUN_LINE "{\"record\":\"orphan\",\"stack\":"
		"[{\"function\":\"f\"}],\"group\":\"40d0f28491822e98\"}\n\n"
		"{\"record\":\"orphan\",\"stack\":null,\"cache\":null}\n"
		GROUP_LINE SUMMARY_LINE;   /* no newline at the end */
	struct mlk_jsonl_report rep;
	const struct mlk_jsonl_group *g;
	int rc = 1;

	CHECK_OK(read_text(text, sizeof(text) - 1, &rep, why, whysz));
	CHECK(rep.lines == 6, "%llu lines, want 6", U64(rep.lines));
	CHECK(rep.malformed == 0 && rep.too_long == 0 && !rep.first_bad_line,
	      "bad lines: %llu (%s)", U64(rep.malformed),
	      rep.first_bad_why ? rep.first_bad_why : "");
	CHECK(rep.run_line == 1 && rep.schema == 1, "run record %llu schema %ld",
	      U64(rep.run_line), rep.schema);
	CHECK(rep.tool && strcmp(rep.tool, "kmemleak.so memleak") == 0 &&
	      rep.kernel_release &&
	      strcmp(rep.kernel_release, "6.1.0-56-cloud-amd64") == 0 &&
	      rep.dump && strcmp(rep.dump, "vmcore") == 0, "run strings");
	CHECK(rep.have_summary && rep.reported == 117 &&
	      rep.reported_bytes == 33320, "summary %d %llu %llu",
	      rep.have_summary, U64(rep.reported), U64(rep.reported_bytes));
	CHECK(rep.ngroups == 1, "%zu groups, want 1", rep.ngroups);
	g = &rep.groups[0];
	CHECK(g->id == 0x40d0f28491822e98ULL && g->line == 5, "id %llx line %llu",
	      U64(g->id), U64(g->line));
	CHECK(g->direct == 1 && g->indirect == 99 && g->bytes == 12800,
	      "counts %llu %llu %llu", U64(g->direct), U64(g->indirect),
	      U64(g->bytes));
	CHECK(strcmp(g->key, "stack") == 0 && strcmp(g->kind, "slab") == 0 &&
	      g->ncaches == 1 && strcmp(g->caches[0], "kmalloc-128") == 0,
	      "key, kind, caches");
	CHECK(g->nframes == 3 && strcmp(g->functions[0], "kmalloc_trace") == 0 &&
	      !g->functions[1] && strcmp(g->functions[2], "plant_A\xff") == 0,
	      "frames: %u", g->nframes);
	rc = 0;
out:
	mlk_jsonl_free(&rep);
	return rc;
}

/* One bad line between good ones: counted, the first one named. */
static int bad_line_is_counted(const char *bad, size_t len, char *why,
			       size_t whysz)
{
	struct mlk_jsonl_report rep = { 0 };
	int rc = 1;

	CHECK(mlk_jsonl_parse_line(&rep, bad, len) == 1,
	      "line accepted: %.*s", (int)len, bad);
	CHECK(rep.malformed == 1 && rep.first_bad_why, "not counted: %.*s",
	      (int)len, bad);
	CHECK(rep.ngroups == 0, "a group kept from: %.*s", (int)len, bad);
	rc = 0;
out:
	mlk_jsonl_free(&rep);
	return rc;
}

#define BAD(s) bad_line_is_counted(s, sizeof(s) - 1, why, whysz)

static int test_jsonl_malformed(char *why, size_t whysz)
{
	char deep[2 * MLK_JSONL_MAX_DEPTH + 40];
	int rc = 1, i, n = 0;

	CHECK_OK(BAD("{\"record\":\"group\",\"id\":\"40d0f28491822e98\""));
	CHECK_OK(BAD("{\"record\":\"group\",\"id\":\"40d0f2849182e98\","
		     "\"key\":\"stack\",\"direct\":1,\"indirect\":0,\"bytes\":8}"));
	CHECK_OK(BAD("{\"record\":\"group\",\"id\":\"40d0f28491822e9g\","
		     "\"key\":\"stack\",\"direct\":1,\"indirect\":0,\"bytes\":8}"));
	CHECK_OK(BAD("{\"record\":\"group\",\"id\":\"40d0f28491822e98\","
		     "\"key\":\"stack\",\"direct\":-1,\"indirect\":0,\"bytes\":8}"));
	CHECK_OK(BAD("{\"record\":\"group\",\"id\":\"40d0f28491822e98\","
		     "\"key\":\"stack\",\"direct\":1.5,\"indirect\":0,\"bytes\":8}"));
	CHECK_OK(BAD("{\"record\":\"group\",\"id\":\"40d0f28491822e98\","
		     "\"key\":\"stack\",\"direct\":1,\"indirect\":0,"
		     "\"bytes\":18446744073709551616}"));
	CHECK_OK(BAD("{\"record\":\"group\",\"id\":\"40d0f28491822e98\","
		     "\"key\":\"stack\",\"direct\":1,\"indirect\":0}"));
	CHECK_OK(BAD("{\"record\":\"summary\"}"));
	CHECK_OK(BAD("{\"record\":\"run\"}"));
	CHECK_OK(BAD("{\"schema\":1}"));
	CHECK_OK(BAD("{\"record\":\"x\"} x"));
	CHECK_OK(BAD("{\"record\":\"a\\qb\"}"));
	CHECK_OK(BAD("{\"record\":\"a\\u00\"}"));
	CHECK_OK(BAD("{\"record\":\"a\\u0000b\"}"));
	CHECK_OK(BAD("{\"record\":\"a\tb\"}"));
	CHECK_OK(BAD("{\"record\":\"x\",\"t\":tru}"));
	CHECK_OK(BAD("{\"record\":\"x\",\"n\":01}"));
	CHECK_OK(BAD("{\"record\":\"x\",\"n\":1.}"));
	CHECK_OK(BAD("{\"record\":\"x\",\"n\":[1,]}"));
	CHECK_OK(BAD("{\"record\":\"x\" \"n\":1}"));
	CHECK_OK(BAD("{\"record\":\"x\",\"n\":1"));
	CHECK_OK(BAD("{\"record\":\"x\",\"n\":\"\0\"}"));
	CHECK_OK(BAD("[\"record\"]"));
	CHECK_OK(BAD("\"record\""));
	CHECK_OK(BAD("{"));
	/* nesting one level deeper than the limit */
	n += snprintf(deep + n, sizeof(deep) - n, "{\"record\":\"x\",\"d\":");
	for (i = 0; i < MLK_JSONL_MAX_DEPTH; i++)
		deep[n++] = '[';
	for (i = 0; i < MLK_JSONL_MAX_DEPTH; i++)
		deep[n++] = ']';
	deep[n++] = '}';
	CHECK_OK(bad_line_is_counted(deep, n, why, whysz));
	rc = 0;
out:
	return rc;
}

/* A line longer than the limit is skipped, the next one still read; a
 * second run record (two files concatenated) is refused. */
static int test_jsonl_limits(char *why, size_t whysz)
{
	size_t big = MLK_JSONL_MAX_LINE + 100, len;
	char *text = malloc(big + 2 * sizeof(RUN_LINE GROUP_LINE));
	struct mlk_jsonl_report rep = { 0 };
	int rc = 1;

	CHECK(text, "malloc");
	len = sprintf(text, "%s", RUN_LINE);
	memset(text + len, 'x', big);
	len += big;
	len += sprintf(text + len, "\n%s%s", GROUP_LINE, RUN_LINE);
	CHECK_OK(read_text(text, len, &rep, why, whysz));
	CHECK(rep.lines == 4, "%llu lines, want 4", U64(rep.lines));
	CHECK(rep.too_long == 1 && rep.first_bad_line == 2,
	      "too long %llu, first bad line %llu", U64(rep.too_long),
	      U64(rep.first_bad_line));
	CHECK(rep.malformed == 1 && rep.ngroups == 1 && rep.run_line == 1,
	      "malformed %llu groups %zu run line %llu", U64(rep.malformed),
	      rep.ngroups, U64(rep.run_line));
	rc = 0;
out:
	mlk_jsonl_free(&rep);
	free(text);
	return rc;
}

static const struct mlk_diff_row *row_of(const struct mlk_diff_row *rows,
					 size_t n, uint64_t id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (rows[i].id == id)
			return &rows[i];
	return NULL;
}

static int test_group_diff(char *why, size_t whysz)
{
	/* id 1 twice in the first run (added up), 5 only there */
	static const struct mlk_diff_side then[] = {
		{ 1, 4, 400, 0 }, { 2, 2, 200, 1 }, { 3, 5, 500, 2 },
		{ 1, 1, 100, 3 }, { 5, 1, 64, 4 },
	};
	static const struct mlk_diff_side now[] = {
		{ 1, 8, 800, 0 }, { 2, 2, 200, 1 }, { 3, 3, 300, 2 },
		{ 4, 2, 64, 3 }, { 6, 1, 900, 4 },
	};
	static const struct { uint64_t id; enum mlk_diff_change change; }
	want[] = {   /* the order: by change, then the largest first */
		{ 6, MLK_DIFF_NEW }, { 4, MLK_DIFF_NEW }, { 1, MLK_DIFF_GREW },
		{ 3, MLK_DIFF_SHRANK }, { 5, MLK_DIFF_GONE }, { 2, MLK_DIFF_SAME },
	};
	struct mlk_diff_row *rows = NULL;
	const struct mlk_diff_row *r;
	size_t n = 0, i;
	int rc = 1;

	CHECK(mlk_group_diff(then, 5, now, 5, &rows, &n) == 0, "failed");
	CHECK(n == 6, "%zu rows, want 6", n);
	for (i = 0; i < n; i++)
		CHECK(rows[i].id == want[i].id && rows[i].change == want[i].change,
		      "row %zu: id %llu change %d, want %llu %d", i,
		      U64(rows[i].id), rows[i].change, U64(want[i].id),
		      want[i].change);
	r = row_of(rows, n, 1);
	CHECK(r->blocks_then == 5 && r->bytes_then == 500 && r->then_ix == 0 &&
	      r->blocks_now == 8 && r->bytes_now == 800 && r->now_ix == 0,
	      "id 1: %llu/%llu -> %llu/%llu", U64(r->blocks_then),
	      U64(r->bytes_then), U64(r->blocks_now), U64(r->bytes_now));
	r = row_of(rows, n, 5);
	CHECK(r->then_ix == 4 && r->blocks_now == 0 && r->bytes_now == 0,
	      "id 5 (gone)");
	free(rows);
	rows = NULL;
	CHECK(mlk_group_diff(NULL, 0, NULL, 0, &rows, &n) == 0 && n == 0,
	      "two empty runs: %zu rows", n);
	rc = 0;
out:
	free(rows);
	return rc;
}

void run_jsonl_read_tests(void)
{
	unit_run("jsonl_good", test_jsonl_good);
	unit_run("jsonl_malformed", test_jsonl_malformed);
	unit_run("jsonl_limits", test_jsonl_limits);
	unit_run("group_diff", test_group_diff);
}
