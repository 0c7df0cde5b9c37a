/*
 * report.c - formatting helpers for the leak report.
 */
#include <string.h>

#include "engine.h"

#define HEX_ROW_BYTES 16
/*
 * Where the ASCII column starts: after a full row of bytes ("xx" and a
 * separating space each, no space after the last) and two spaces. Short
 * rows are padded to it, as the kernel's hex_dump_to_buffer() does.
 */
#define HEX_ASCII_COLUMN (HEX_ROW_BYTES * 3 - 1 + 2)

_Static_assert(HEX_ASCII_COLUMN + HEX_ROW_BYTES < MLK_HEXLINE,
	       "a full row and its NUL must fit in MLK_HEXLINE");

/* The kernel prints isascii(c) && isprint(c): space to tilde. */
static char printable_or_dot(unsigned char c)
{
	return c >= 0x20 && c < 0x7f ? (char)c : '.';
}

/* Format into line (at least MLK_HEXLINE bytes); returns its length. */
static size_t format_hex_row(const unsigned char *bytes, size_t n,
			     char *line)
{
	static const char hex_digits[] = "0123456789abcdef";
	size_t len = 0;

	/* Like the kernel, an empty row is an empty string (no padding). */
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			line[len++] = ' ';
		line[len++] = hex_digits[bytes[i] >> 4];
		line[len++] = hex_digits[bytes[i] & 0x0f];
	}
	while (len < HEX_ASCII_COLUMN)
		line[len++] = ' ';
	for (size_t i = 0; i < n; i++)
		line[len++] = printable_or_dot(bytes[i]);
	return len;
}

/*
 * Up to 16 bytes (more are ignored) formatted like hex_dump_to_buffer(buf,
 * n, 16, 1, out, outsz, true). The result is cut to fit outsz (always NUL
 * terminated when outsz > 0); returns the length of what was stored.
 */
int mlk_hexdump_line(const unsigned char *bytes, size_t n, char *out,
		     size_t outsz)
{
	char line[MLK_HEXLINE];
	size_t len;

	if (!out || outsz == 0)
		return 0;
	if (!bytes)
		n = 0;
	if (n > HEX_ROW_BYTES)
		n = HEX_ROW_BYTES;
	len = format_hex_row(bytes, n, line);
	if (len > outsz - 1)
		len = outsz - 1;
	memcpy(out, line, len);
	out[len] = '\0';
	return (int)len;
}
