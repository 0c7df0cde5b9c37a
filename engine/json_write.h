/*
 * json_write.h - the pieces of a JSON Lines writer that need no crash:
 * strings escaped as RFC 8259 says, and the FNV-1a hash that makes the
 * stable group ids of `memleak -j`.
 */
#ifndef MLK_JSON_WRITE_H
#define MLK_JSON_WRITE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* s as a JSON string, quotes included; NULL as null. */
void mlk_json_string(FILE *out, const char *s);

#define MLK_FNV1A_SEED 0xcbf29ce484222325ULL
/* FNV-1a, 64 bits, over len bytes, continuing from hash. */
uint64_t mlk_fnv1a(uint64_t hash, const void *bytes, size_t len);
/* The same over a C string and its terminating NUL (a field separator). */
uint64_t mlk_fnv1a_str(uint64_t hash, const char *s);

#endif /* MLK_JSON_WRITE_H */
