/*
 * json_write.c - JSON string escaping and FNV-1a (json_write.h).
 */
#include <string.h>

#include "json_write.h"

void mlk_json_string(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!s) {
		fputs("null", out);
		return;
	}
	putc('"', out);
	for (; *p; p++) {
		switch (*p) {
		case '"':  fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		default:
			/* control characters, and bytes that are not ASCII
			 * (a dump's strings need not be UTF-8) as \u00XX */
			if (*p < 0x20 || *p >= 0x7f)
				fprintf(out, "\\u%04x", *p);
			else
				putc(*p, out);
		}
	}
	putc('"', out);
}

uint64_t mlk_fnv1a(uint64_t hash, const void *bytes, size_t len)
{
	const unsigned char *p = bytes;
	size_t i;

	for (i = 0; i < len; i++) {
		hash ^= p[i];
		hash *= 0x100000001b3ULL;
	}
	return hash;
}

uint64_t mlk_fnv1a_str(uint64_t hash, const char *s)
{
	return mlk_fnv1a(hash, s ? s : "", (s ? strlen(s) : 0) + 1);
}
