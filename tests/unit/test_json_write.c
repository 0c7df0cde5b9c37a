/*
 * test_json_write.c - JSON string escaping and FNV-1a (engine/json_write.c).
 */
#include <stdlib.h>

#include "json_write.h"
#include "unit.h"

static int escaped_is(const char *in, const char *want, char *why, size_t whysz)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc = 1;

	CHECK(f, "open_memstream");
	mlk_json_string(f, in);
	fclose(f);
	f = NULL;
	CHECK(strcmp(buf, want) == 0, "escaped to %s, want %s", buf, want);
	rc = 0;
out:
	if (f)
		fclose(f);
	free(buf);
	return rc;
}

static int test_json_string(char *why, size_t whysz)
{
	int rc = 1;

	CHECK_OK(escaped_is("plain", "\"plain\"", why, whysz));
	CHECK_OK(escaped_is("a\"b\\c", "\"a\\\"b\\\\c\"", why, whysz));
	CHECK_OK(escaped_is("l1\nl2\t\x01", "\"l1\\nl2\\t\\u0001\"", why, whysz));
	CHECK_OK(escaped_is("\xff\x7f", "\"\\u00ff\\u007f\"", why, whysz));
	CHECK_OK(escaped_is(NULL, "null", why, whysz));
	rc = 0;
out:
	return rc;
}

static int test_fnv1a(char *why, size_t whysz)
{
	uint64_t a, b;

	/* the published FNV-1a 64 test vectors */
	CHECK(mlk_fnv1a(MLK_FNV1A_SEED, "", 0) == 0xcbf29ce484222325ULL,
	      "empty: %llx", U64(mlk_fnv1a(MLK_FNV1A_SEED, "", 0)));
	CHECK(mlk_fnv1a(MLK_FNV1A_SEED, "a", 1) == 0xaf63dc4c8601ec8cULL,
	      "\"a\": %llx", U64(mlk_fnv1a(MLK_FNV1A_SEED, "a", 1)));
	CHECK(mlk_fnv1a(MLK_FNV1A_SEED, "foobar", 6) == 0x85944171f73967e8ULL,
	      "\"foobar\": %llx", U64(mlk_fnv1a(MLK_FNV1A_SEED, "foobar", 6)));
	/* fields are separated: ("ab","c") differs from ("a","bc") */
	a = mlk_fnv1a_str(mlk_fnv1a_str(MLK_FNV1A_SEED, "ab"), "c");
	b = mlk_fnv1a_str(mlk_fnv1a_str(MLK_FNV1A_SEED, "a"), "bc");
	CHECK(a != b, "(ab,c) and (a,bc) hash alike");
	return 0;
out:
	return 1;
}

void run_json_write_tests(void)
{
	unit_run("json: strings escaped (quotes, controls, non-ASCII, NULL)",
		 test_json_string);
	unit_run("json: FNV-1a 64 test vectors, separated fields", test_fnv1a);
}
