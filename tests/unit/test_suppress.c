/*
 * test_suppress.c - suppression rules: parsing, refusing bad lines whole,
 * and matching stacks, caches and kinds (engine/suppress.c).
 */
#include <stdlib.h>

#include "suppress.h"
#include "unit.h"

static long parse(struct mlk_supps *s, const char *text, char *err,
		  size_t errsz)
{
	return mlk_supps_parse(s, text, strlen(text), "test", err, errsz);
}

static int test_parse_rules_and_whys(char *why, size_t whysz)
{
	struct mlk_supps s = { 0 };
	char err[200] = "";
	long n = parse(&s,
		"# kernel/sysctl.c: kmemleak_not_leak()\n"
		"#   second line\n"
		"leak:__register_sysctl_base\n"
		"  cache: kmalloc-* \r\n"
		"\n"
		"kind:percpu\n", err, sizeof(err));
	int rc = 1;

	CHECK(n == 3, "parsed %ld rules (%s), want 3", n, err);
	CHECK(s.rule[0].type == MLK_SUPP_LEAK &&
	      strcmp(s.rule[0].pattern, "__register_sysctl_base") == 0,
	      "rule 0: type %d pattern '%s'", s.rule[0].type, s.rule[0].pattern);
	CHECK(strcmp(s.rule[0].why, "kernel/sysctl.c: kmemleak_not_leak(); "
		     "second line") == 0, "rule 0's why: '%s'", s.rule[0].why);
	CHECK(s.rule[1].type == MLK_SUPP_CACHE &&
	      strcmp(s.rule[1].pattern, "kmalloc-*") == 0 && s.rule[1].line == 4,
	      "rule 1: pattern '%s' line %u", s.rule[1].pattern, s.rule[1].line);
	CHECK(strcmp(s.rule[1].why, s.rule[0].why) == 0,
	      "rule 1 under the same comment block has why '%s'", s.rule[1].why);
	CHECK(strcmp(s.rule[2].why, "") == 0 && s.rule[2].line == 6,
	      "after a blank line: why '%s', line %u", s.rule[2].why,
	      s.rule[2].line);
	rc = 0;
out:
	mlk_supps_free(&s);
	return rc;
}

static int test_bad_line_adds_nothing(char *why, size_t whysz)
{
	static const char *const bad[] = {
		"leak:a\nfrob:x\n", "leak:a\nleak:\n", "leak:a\nno colon\n",
	};
	struct mlk_supps s = { 0 };
	char err[200];
	size_t i;
	int rc = 1;

	CHECK(parse(&s, "kind:slab\n", err, sizeof(err)) == 1, "setup: %s", err);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		CHECK(parse(&s, bad[i], err, sizeof(err)) == -1,
		      "'%s' was accepted", bad[i]);
		CHECK(strncmp(err, "test:2: ", 8) == 0,
		      "'%s': message '%s' names no line 2", bad[i], err);
		CHECK(s.count == 1, "'%s' left %zu rules, want the 1 before",
		      bad[i], s.count);
	}
	rc = 0;
out:
	mlk_supps_free(&s);
	return rc;
}

static int test_long_line_refused(char *why, size_t whysz)
{
	struct mlk_supps s = { 0 };
	size_t len = 10000;
	char *text = malloc(len + 1), err[200] = "";
	int rc = 1;

	CHECK(text, "malloc");
	memset(text, 'a', len);
	memcpy(text, "leak:", 5);
	text[len] = '\0';
	CHECK(parse(&s, text, err, sizeof(err)) == -1 && s.count == 0,
	      "a 10,000-byte line was taken (%zu rules)", s.count);
	/* not NUL-terminated: only len bytes are read */
	CHECK(mlk_supps_parse(&s, "kind:slabXXXX", 9, "t", err,
			      sizeof(err)) == 1 &&
	      strcmp(s.rule[0].pattern, "slab") == 0,
	      "a text of 9 bytes gave '%s'", s.count ? s.rule[0].pattern : "");
	rc = 0;
out:
	free(text);
	mlk_supps_free(&s);
	return rc;
}

static int test_match(char *why, size_t whysz)
{
	static const char *const funcs[] = {
		"__kmalloc", "__register_sysctl_table", "sysctl_init_bases",
		"leaky_init",
	};
	static const char *const mods[] = { NULL, NULL, NULL, "memleak_test" };
	struct mlk_supp_subject subj = {
		.functions = funcs, .modules = mods, .nframes = 4,
		.cache = "kmalloc-96", .kind = "slab",
	};
	struct mlk_supps s = { 0 };
	char err[200] = "";
	int rc = 1;

	CHECK(parse(&s, "leak:sysctl_init\n", err, sizeof(err)) == 1, "%s", err);
	CHECK(mlk_supps_match(&s, &subj) == -1,
	      "leak:sysctl_init matched sysctl_init_bases (whole-name glob)");
	CHECK(parse(&s, "cache:kmalloc-1*\nleak:*sysctl_init*\n", err,
		    sizeof(err)) == 2, "%s", err);
	CHECK(mlk_supps_match(&s, &subj) == 2,
	      "want rule 2 (leak:*sysctl_init*), got %ld",
	      mlk_supps_match(&s, &subj));
	mlk_supps_free(&s);
	CHECK(parse(&s, "leak:memleak_test\n", err, sizeof(err)) == 1, "%s", err);
	CHECK(mlk_supps_match(&s, &subj) == 0, "a module name did not match");
	subj.nframes = 0;
	CHECK(mlk_supps_match(&s, &subj) == -1, "no stack matched a leak rule");
	mlk_supps_free(&s);
	CHECK(parse(&s, "kind:percpu\ncache:kmalloc-?6\n", err,
		    sizeof(err)) == 2, "%s", err);
	CHECK(mlk_supps_match(&s, &subj) == 1, "cache:kmalloc-?6 did not match");
	subj.cache = NULL;
	subj.kind = "percpu";
	CHECK(mlk_supps_match(&s, &subj) == 0, "kind:percpu did not match");
	rc = 0;
out:
	mlk_supps_free(&s);
	return rc;
}

void run_suppress_tests(void)
{
	unit_run("suppress: rules, comments as their why, blank lines",
		 test_parse_rules_and_whys);
	unit_run("suppress: a bad line refuses the whole text",
		 test_bad_line_adds_nothing);
	unit_run("suppress: long lines refused, text length honoured",
		 test_long_line_refused);
	unit_run("suppress: stacks, modules, caches, kinds", test_match);
}
