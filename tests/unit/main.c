/*
 * main.c - runs every engine unit test (and the alias table's, offsets/).
 *
 * Each test prints one line, "PASS: <name>" or "FAIL: <name>: <why>", on
 * stdout. The exit status is 1 when any test failed.
 */
#include <stdio.h>

#include "unit.h"

/* Test groups, one per file. */
void run_index_tests(void);
void run_scan_tests(void);
void run_sweep_tests(void);
void run_hexdump_tests(void);
void run_stackdepot_tests(void);
void run_track_tests(void);
void run_pageowner_tests(void);
void run_classify_tests(void);
void run_kmlobject_tests(void);
void run_slub_decode_tests(void);
void run_suppress_tests(void);
void run_json_write_tests(void);
void run_jsonl_read_tests(void);
void run_aliases_tests(void);

static unsigned tests_run;
static unsigned tests_failed;

/*
 * Run one test: it returns 0 when it passes, or non-zero after writing the
 * reason into why.
 */
void unit_run(const char *name, int (*test)(char *why, size_t whysz))
{
	char why[512] = "";

	tests_run++;
	if (test(why, sizeof(why)) == 0) {
		printf("PASS: %s\n", name);
	} else {
		tests_failed++;
		printf("FAIL: %s: %s\n", name, why[0] ? why : "no reason given");
	}
	fflush(stdout);
}

int main(void)
{
	run_index_tests();
	run_scan_tests();
	run_sweep_tests();
	run_hexdump_tests();
	run_stackdepot_tests();
	run_track_tests();
	run_pageowner_tests();
	run_classify_tests();
	run_kmlobject_tests();
	run_slub_decode_tests();
	run_suppress_tests();
	run_json_write_tests();
	run_jsonl_read_tests();
	run_aliases_tests();
	fprintf(stderr, "%u tests, %u failed\n", tests_run, tests_failed);
	return tests_failed ? 1 : 0;
}
