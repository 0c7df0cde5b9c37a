/*
 * alias_cache.h - the alias table saved to a file keyed by the kernel's
 * build id, so that the DWARF of a vmlinux is read once (offsets/cache.c).
 *
 * The file: a 40-byte header (magic "MLKALIAS", format version, the build
 * id's length, the four counts, an FNV-1a 64 checksum), the build id, then
 * the types, offsets, members and string table, every number
 * little-endian. The loader trusts nothing: a file whose sizes do not add
 * up, whose checksum does not match, or whose indexes, order or strings
 * are not what the saver writes is refused whole.
 */
#ifndef MLK_ALIAS_CACHE_H
#define MLK_ALIAS_CACHE_H

#include <stddef.h>

#include "aliases.h"

/* Bumped whenever the file layout or what the reader puts in it changes. */
#define MLK_ALIAS_FORMAT_VERSION 1
/* Longest build id kept (GNU build ids are 20 bytes). */
#define MLK_ALIAS_MAX_ID 64

/*
 * Writes the (finished) table to path.tmp, then renames it to path; makes
 * path's directory first (mkdir -p). Returns 0, or -1 with errno set.
 */
int mlk_alias_save(const struct mlk_alias_table *t, const char *path,
		   const unsigned char *id, size_t idlen);

/*
 * Reads the table saved in path for the build id id. Returns 0 with a new
 * table in *out (free it with mlk_alias_free), or -1 when the file is
 * absent, stale (another build id or format version) or damaged.
 */
int mlk_alias_load(const char *path, const unsigned char *id, size_t idlen,
		   struct mlk_alias_table **out);

/*
 * The same in memory: the file's bytes (malloc'd; *size their count), or
 * NULL (out of memory, a table not finished, an id too long); and the
 * bounded decoder of such bytes, which mlk_alias_load uses: 0 with a new
 * table in *out, or -1 (*out NULL) for bytes it does not take whole.
 */
unsigned char *mlk_alias_encode(const struct mlk_alias_table *t,
				const unsigned char *id, size_t idlen,
				size_t *size);
int mlk_alias_decode(const unsigned char *file, size_t size,
		     const unsigned char *id, size_t idlen,
		     struct mlk_alias_table **out);

/*
 * The cache file for build id id: $XDG_CACHE_HOME/kmemleak/aliases-<hex
 * id>.bin, or $HOME/.cache/kmemleak/... when XDG_CACHE_HOME is unset or not
 * absolute. Returns buf, or NULL when neither variable helps, the id is
 * empty or longer than MLK_ALIAS_MAX_ID, or the path does not fit len.
 */
const char *mlk_alias_cache_path(char *buf, size_t len,
				 const unsigned char *id, size_t idlen);

#endif /* MLK_ALIAS_CACHE_H */
