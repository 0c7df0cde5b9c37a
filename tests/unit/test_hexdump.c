/*
 * test_hexdump.c - mlk_hexdump_line() against the text the kernel's
 * hex_dump_to_buffer(buf, len, 16, 1, linebuf, size, true) produces.
 */
#include <string.h>

#include "engine.h"
#include "unit.h"

#define SPACES10 "          "

/* Format n bytes and compare with the expected kernel text. */
static int expect_line(const unsigned char *bytes, size_t n,
		       const char *want, char *why, size_t whysz)
{
	char out[MLK_HEXLINE];
	int len = mlk_hexdump_line(bytes, n, out, sizeof(out));

	CHECK(strcmp(out, want) == 0, "got \"%s\", want \"%s\"", out, want);
	CHECK(len == (int)strlen(want), "returned %d, want %zu", len,
	      strlen(want));
	return 0;
out:
	return -1;
}

static int test_hexdump_full_row(char *why, size_t whysz)
{
	const unsigned char freed[16] = {
		0x6b, 0x6b, 0x6b, 0x6b, 0x6b, 0x6b, 0x6b, 0x6b,
		0x6b, 0x6b, 0x6b, 0x6b, 0x6b, 0x6b, 0x6b, 0x6b,
	};

	/* The example of the kernel's own documentation. */
	if (expect_line((const unsigned char *)"@ABCDEFGHIJKLMNO", 16,
			"40 41 42 43 44 45 46 47 48 49 4a 4b 4c 4d 4e 4f"
			"  @ABCDEFGHIJKLMNO", why, whysz))
		return -1;
	return expect_line(freed, 16,
			   "6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b"
			   "  kkkkkkkkkkkkkkkk", why, whysz);
}

static int test_hexdump_partial_row(char *why, size_t whysz)
{
	const unsigned char one = 0xa5;

	CHECK(strlen(SPACES10) == 10, "bad SPACES10");
	/* "61 62 63" padded with 41 spaces to column 49. */
	if (expect_line((const unsigned char *)"abc", 3,
			"61 62 63" SPACES10 SPACES10 SPACES10 SPACES10 " abc",
			why, whysz))
		return -1;
	/* "a5" padded with 47 spaces. */
	return expect_line(&one, 1,
			   "a5" SPACES10 SPACES10 SPACES10 SPACES10 "       .",
			   why, whysz);
out:
	return -1;
}

/* Whatever the length, the ASCII column starts at column 49. */
static int test_hexdump_ascii_column(char *why, size_t whysz)
{
	const unsigned char *letters = (const unsigned char *)"ABCDEFGHIJKLMNOP";
	char out[MLK_HEXLINE];

	for (size_t n = 1; n <= 16; n++) {
		int len = mlk_hexdump_line(letters, n, out, sizeof(out));

		CHECK(len == 49 + (int)n, "n=%zu: length %d, want %zu", n, len,
		      49 + n);
		CHECK(out[47] == ' ' && out[48] == ' ' && out[49] == 'A',
		      "n=%zu: ASCII column misplaced: \"%s\"", n, out);
		CHECK(memcmp(out + 49, letters, n) == 0 && out[49 + n] == '\0',
		      "n=%zu: ASCII part wrong: \"%s\"", n, out);
	}
	return 0;
out:
	return -1;
}

static int test_hexdump_nonprintable(char *why, size_t whysz)
{
	const unsigned char bytes[16] = {
		0x00, 0x09, 0x1f, 0x20, 0x41, 0x7e, 0x7f, 0x80,
		0xa0, 0xff, 0x0a, 0x0d, 0x61, 0x2e, 0x25, 0x5c,
	};

	return expect_line(bytes, 16,
			   "00 09 1f 20 41 7e 7f 80 a0 ff 0a 0d 61 2e 25 5c"
			   "  ... A~......a.%\\", why, whysz);
}

static int test_hexdump_long_input(char *why, size_t whysz)
{
	/* Only the first 16 of 20 bytes make the line. */
	return expect_line((const unsigned char *)"0123456789abcdefXYZW", 20,
			   "30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66"
			   "  0123456789abcdef", why, whysz);
}

static int test_hexdump_empty(char *why, size_t whysz)
{
	/* The kernel prints nothing at all for an empty row. */
	return expect_line((const unsigned char *)"x", 0, "", why, whysz);
}

/* A short buffer is filled, terminated and never overrun. */
static int test_hexdump_small_buffer(char *why, size_t whysz)
{
	const unsigned char *bytes = (const unsigned char *)"@ABCDEFGHIJKLMNO";
	char out[32];
	int len;

	memset(out, '#', sizeof(out));
	len = mlk_hexdump_line(bytes, 16, out, 10);
	CHECK(len == 9 && strcmp(out, "40 41 42 ") == 0,
	      "outsz 10: got %d \"%s\"", len, out);
	for (size_t i = 10; i < sizeof(out); i++)
		CHECK(out[i] == '#', "byte %zu written with outsz 10", i);

	memset(out, '#', sizeof(out));
	len = mlk_hexdump_line(bytes, 16, out, 1);
	CHECK(len == 0 && out[0] == '\0' && out[1] == '#',
	      "outsz 1: got %d", len);

	memset(out, '#', sizeof(out));
	len = mlk_hexdump_line(bytes, 16, out, 0);
	CHECK(len == 0 && out[0] == '#', "outsz 0 wrote into the buffer");

	/* Room for the full line and its NUL: nothing cut; one less cuts. */
	char exact[66];

	len = mlk_hexdump_line(bytes, 16, exact, sizeof(exact));
	CHECK(len == 65 && exact[65] == '\0' && exact[64] == 'O',
	      "outsz 66: got %d", len);
	len = mlk_hexdump_line(bytes, 16, exact, sizeof(exact) - 1);
	CHECK(len == 64 && exact[64] == '\0' && exact[63] == 'N',
	      "outsz 65: got %d", len);
	return 0;
out:
	return -1;
}

void run_hexdump_tests(void)
{
	unit_run("hexdump_full_row", test_hexdump_full_row);
	unit_run("hexdump_partial_row", test_hexdump_partial_row);
	unit_run("hexdump_ascii_column", test_hexdump_ascii_column);
	unit_run("hexdump_nonprintable", test_hexdump_nonprintable);
	unit_run("hexdump_long_input", test_hexdump_long_input);
	unit_run("hexdump_empty", test_hexdump_empty);
	unit_run("hexdump_small_buffer", test_hexdump_small_buffer);
}
