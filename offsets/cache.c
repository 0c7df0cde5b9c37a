/*
 * cache.c - the alias table saved to and loaded from a file keyed by the
 * kernel's build id (alias_cache.h): an encoder, a bounded decoder that
 * checks every count against the file's size before it allocates, and the
 * cache file's path.
 */
#define _GNU_SOURCE /* asprintf */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aliases_internal.h"
#include "alias_cache.h"
#include "json_write.h" /* mlk_fnv1a */

static const char magic[8] = { 'M', 'L', 'K', 'A', 'L', 'I', 'A', 'S' };

/* The header's fields, at these byte offsets. */
enum {
	H_MAGIC = 0,
	H_VERSION = 8,
	H_IDLEN = 12,
	H_NTYPES = 16,
	H_NOFFSETS = 20,
	H_NMEMBERS = 24,
	H_STRINGS = 28,
	H_CHECKSUM = 32,
	HEADER_SIZE = 40,
};
#define TYPE_SIZE   24 /* six u32 */
#define MEMBER_SIZE 12 /* three u32 */
/* Larger than any kernel's table by far; a bigger file is not ours. */
#define MAX_FILE_SIZE (1ull << 30)

/* ---- little-endian fields ---------------------------------------------- */

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static void put64(unsigned char *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint32_t get32(const unsigned char *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t get64(const unsigned char *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* The checksum: the header but its checksum field, then all after it. */
static uint64_t checksum(const unsigned char *file, size_t size)
{
	uint64_t h = mlk_fnv1a(MLK_FNV1A_SEED, file, H_CHECKSUM);

	return mlk_fnv1a(h, file + HEADER_SIZE, size - HEADER_SIZE);
}

/* The file size that the header's counts call for (64-bit: no overflow). */
static uint64_t file_size_for(uint64_t idlen, uint64_t ntypes,
			      uint64_t noffsets, uint64_t nmembers,
			      uint64_t strings)
{
	return HEADER_SIZE + idlen + ntypes * TYPE_SIZE + noffsets * 4 +
	       nmembers * MEMBER_SIZE + strings;
}

/* ---- saving ------------------------------------------------------------ */

static unsigned char *encode_types(const struct mlk_alias_table *t,
				   unsigned char *p)
{
	size_t i;

	for (i = 0; i < t->ntypes; i++, p += TYPE_SIZE) {
		const struct mlk_alias_type *ty = &t->types[i];

		put32(p, ty->name);
		put32(p + 4, ty->size);
		put32(p + 8, ty->first_alias);
		put32(p + 12, ty->nalias);
		put32(p + 16, ty->first_member);
		put32(p + 20, ty->nmember);
	}
	return p;
}

static unsigned char *encode_body(const struct mlk_alias_table *t,
				  unsigned char *p)
{
	size_t i;

	p = encode_types(t, p);
	for (i = 0; i < t->noffsets; i++, p += 4)
		put32(p, t->offsets[i]);
	for (i = 0; i < t->nmembers; i++, p += MEMBER_SIZE) {
		put32(p, t->members[i].offset);
		put32(p + 4, t->members[i].size);
		put32(p + 8, t->members[i].name);
	}
	if (t->strings_len)
		memcpy(p, t->strings, t->strings_len);
	return p + t->strings_len;
}

unsigned char *mlk_alias_encode(const struct mlk_alias_table *t,
				const unsigned char *id, size_t idlen,
				size_t *size)
{
	unsigned char *file;

	if (t->open || !t->sorted || idlen > MLK_ALIAS_MAX_ID)
		return NULL;
	*size = file_size_for(idlen, t->ntypes, t->noffsets, t->nmembers,
			      t->strings_len);
	file = calloc(1, *size);
	if (!file)
		return NULL;
	memcpy(file + H_MAGIC, magic, sizeof(magic));
	put32(file + H_VERSION, MLK_ALIAS_FORMAT_VERSION);
	put32(file + H_IDLEN, idlen);
	put32(file + H_NTYPES, t->ntypes);
	put32(file + H_NOFFSETS, t->noffsets);
	put32(file + H_NMEMBERS, t->nmembers);
	put32(file + H_STRINGS, t->strings_len);
	memcpy(file + HEADER_SIZE, id, idlen);
	encode_body(t, file + HEADER_SIZE + idlen);
	put64(file + H_CHECKSUM, checksum(file, *size));
	return file;
}

/* mkdir -p of the directory part of path. */
static int make_parent_dirs(const char *path)
{
	char *dir = strdup(path), *p;
	int rc = 0;

	if (!dir)
		return -1;
	for (p = dir + 1; *p && rc == 0; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			rc = -1;
		*p = '/';
	}
	free(dir);
	return rc;
}

static int write_file(const char *path, const unsigned char *data, size_t size)
{
	FILE *f = fopen(path, "wb");
	int rc = 0;

	if (!f)
		return -1;
	if (fwrite(data, 1, size, f) != size || fflush(f) != 0 ||
	    fsync(fileno(f)) != 0)
		rc = -1;
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

int mlk_alias_save(const struct mlk_alias_table *t, const char *path,
		   const unsigned char *id, size_t idlen)
{
	unsigned char *file = NULL;
	char *tmp = NULL;
	size_t size;
	int rc = -1;

	if (t->open || !t->sorted || idlen > MLK_ALIAS_MAX_ID) {
		errno = EINVAL;
		return -1;
	}
	if (make_parent_dirs(path) < 0 ||
	    /* one temporary file per process: two crash sessions may save
	     * the same kernel's table at once; the rename is atomic */
	    asprintf(&tmp, "%s.tmp.%ld", path, (long)getpid()) < 0) {
		tmp = NULL;
		goto out;
	}
	file = mlk_alias_encode(t, id, idlen, &size);
	if (!file) {
		errno = ENOMEM;
		goto out;
	}
	if (write_file(tmp, file, size) < 0 || rename(tmp, path) < 0) {
		int saved = errno;

		unlink(tmp);
		errno = saved;
		goto out;
	}
	rc = 0;
out:
	free(file);
	free(tmp);
	return rc;
}

/* ---- loading ----------------------------------------------------------- */

/* The counts of a header that passed the checks. */
struct counts {
	uint32_t idlen, ntypes, noffsets, nmembers, strings;
};

/* The whole file, when it is at least a header and at most MAX_FILE_SIZE. */
static unsigned char *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	unsigned char *data = NULL;
	struct stat st;

	if (!f)
		return NULL;
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size < HEADER_SIZE || (uint64_t)st.st_size > MAX_FILE_SIZE)
		goto out;
	*size = st.st_size;
	data = malloc(*size);
	if (data && fread(data, 1, *size, f) != *size) {
		free(data);
		data = NULL;
	}
out:
	fclose(f);
	return data;
}

/* Magic, version, build id, sizes, checksum: the frame of the file. */
static int check_frame(const unsigned char *file, size_t size,
		       const unsigned char *id, size_t idlen, struct counts *c)
{
	if (memcmp(file + H_MAGIC, magic, sizeof(magic)) != 0 ||
	    get32(file + H_VERSION) != MLK_ALIAS_FORMAT_VERSION)
		return -1;
	c->idlen = get32(file + H_IDLEN);
	c->ntypes = get32(file + H_NTYPES);
	c->noffsets = get32(file + H_NOFFSETS);
	c->nmembers = get32(file + H_NMEMBERS);
	c->strings = get32(file + H_STRINGS);
	if (c->idlen != idlen ||
	    file_size_for(c->idlen, c->ntypes, c->noffsets, c->nmembers,
			  c->strings) != size)
		return -1;
	if (get64(file + H_CHECKSUM) != checksum(file, size))
		return -1;
	if (idlen && memcmp(file + HEADER_SIZE, id, idlen) != 0)
		return -1;
	return 0;
}

/* The string table ends with a NUL, so that every offset into it names a
 * terminated string; it is empty only when nothing is named. */
static int check_strings(const struct mlk_alias_table *t)
{
	if (!t->strings_len)
		return t->ntypes || t->nmembers ? -1 : 0;
	return t->strings[t->strings_len - 1] == '\0' ? 0 : -1;
}

/* One type: its name, its ranges in bounds, its offsets and members in the
 * order the builder leaves them. */
static int check_type(const struct mlk_alias_table *t,
		      const struct mlk_alias_type *ty)
{
	const uint32_t *off;
	const struct mlk_alias_member *m;
	uint32_t i;

	if (ty->name >= t->strings_len ||
	    (uint64_t)ty->first_alias + ty->nalias > t->noffsets ||
	    (uint64_t)ty->first_member + ty->nmember > t->nmembers)
		return -1;
	off = t->offsets + ty->first_alias;
	for (i = 0; i < ty->nalias; i++)
		if (off[i] == 0 || off[i] >= ty->size ||
		    (i && off[i - 1] >= off[i]))
			return -1;
	m = t->members + ty->first_member;
	for (i = 0; i < ty->nmember; i++)
		if (m[i].name >= t->strings_len ||
		    (i && mlk_alias_member_cmp(t, &m[i - 1], &m[i]) > 0))
			return -1;
	return 0;
}

static int check_table(const struct mlk_alias_table *t)
{
	size_t i;

	if (check_strings(t) < 0)
		return -1;
	for (i = 0; i < t->ntypes; i++) {
		if (check_type(t, &t->types[i]) < 0)
			return -1;
		if (i && mlk_alias_type_cmp(t, &t->types[i - 1],
					    &t->types[i]) >= 0)
			return -1;
	}
	return 0;
}

/* Grows one of a new table's arrays to hold n elements of elem bytes. */
static int grow_to(void **arr, size_t *cap, size_t n, size_t elem)
{
	void *grown;

	if (n <= *cap)
		return 0;
	grown = realloc(*arr, n * elem);
	if (!grown)
		return -1;
	*arr = grown;
	*cap = n;
	return 0;
}

/* A table with room for the counts (checked against the file size
 * already, so bounded by it). */
static struct mlk_alias_table *alloc_table(const struct counts *c)
{
	struct mlk_alias_table *t = mlk_alias_new();

	if (!t)
		return NULL;
	if (grow_to((void **)&t->types, &t->types_cap, c->ntypes,
		    sizeof(*t->types)) < 0 ||
	    grow_to((void **)&t->offsets, &t->offsets_cap, c->noffsets,
		    sizeof(*t->offsets)) < 0 ||
	    grow_to((void **)&t->members, &t->members_cap, c->nmembers,
		    sizeof(*t->members)) < 0 ||
	    grow_to((void **)&t->strings, &t->strings_cap, c->strings, 1) < 0) {
		mlk_alias_free(t);
		return NULL;
	}
	t->ntypes = c->ntypes;
	t->noffsets = c->noffsets;
	t->nmembers = c->nmembers;
	t->strings_len = c->strings;
	return t;
}

static void decode_body(struct mlk_alias_table *t, const unsigned char *p)
{
	size_t i;

	for (i = 0; i < t->ntypes; i++, p += TYPE_SIZE) {
		struct mlk_alias_type *ty = &t->types[i];

		ty->name = get32(p);
		ty->size = get32(p + 4);
		ty->first_alias = get32(p + 8);
		ty->nalias = get32(p + 12);
		ty->first_member = get32(p + 16);
		ty->nmember = get32(p + 20);
	}
	for (i = 0; i < t->noffsets; i++, p += 4)
		t->offsets[i] = get32(p);
	for (i = 0; i < t->nmembers; i++, p += MEMBER_SIZE) {
		t->members[i].offset = get32(p);
		t->members[i].size = get32(p + 4);
		t->members[i].name = get32(p + 8);
	}
	memcpy(t->strings, p, t->strings_len);
}

int mlk_alias_decode(const unsigned char *file, size_t size,
		     const unsigned char *id, size_t idlen,
		     struct mlk_alias_table **out)
{
	struct mlk_alias_table *t = NULL;
	struct counts c;

	*out = NULL;
	if (idlen > MLK_ALIAS_MAX_ID || size < HEADER_SIZE ||
	    check_frame(file, size, id, idlen, &c) < 0)
		return -1;
	t = alloc_table(&c);
	if (!t)
		return -1;
	decode_body(t, file + HEADER_SIZE + idlen);
	if (check_table(t) < 0) {
		mlk_alias_free(t);
		return -1;
	}
	t->sorted = 1;
	*out = t;
	return 0;
}

int mlk_alias_load(const char *path, const unsigned char *id, size_t idlen,
		   struct mlk_alias_table **out)
{
	unsigned char *file;
	size_t size = 0;
	int rc;

	*out = NULL;
	file = read_file(path, &size);
	if (!file)
		return -1;
	rc = mlk_alias_decode(file, size, id, idlen, out);
	free(file);
	return rc;
}

/* ---- where ------------------------------------------------------------- */

const char *mlk_alias_cache_path(char *buf, size_t len,
				 const unsigned char *id, size_t idlen)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	char hex[2 * MLK_ALIAS_MAX_ID + 1];
	size_t i;
	int n;

	if (!idlen || idlen > MLK_ALIAS_MAX_ID || !len)
		return NULL;
	for (i = 0; i < idlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", id[i]);
	if (xdg && xdg[0] == '/')
		n = snprintf(buf, len, "%s/kmemleak/aliases-%s.bin", xdg, hex);
	else if (home && home[0])
		n = snprintf(buf, len, "%s/.cache/kmemleak/aliases-%s.bin",
			     home, hex);
	else
		return NULL;
	return n >= 0 && (size_t)n < len ? buf : NULL;
}
