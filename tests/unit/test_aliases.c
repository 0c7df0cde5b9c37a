/*
 * test_aliases.c - the alias table (offsets/): the builder and its queries,
 * the offsets of a size range, naming the member at an offset, merging,
 * and the cache file: a round trip, its path, and every kind of damaged,
 * stale or absurd file refused.
 */
#define _GNU_SOURCE /* mkdtemp, setenv */
#include <stdlib.h>
#include <unistd.h>

#include "aliases.h"
#include "alias_cache.h"
#include "json_write.h" /* mlk_fnv1a: the file's checksum */
#include "unit.h"

/* The cache file's layout (alias_cache.h), for damaging it by hand. */
#define HDR_NTYPES   16
#define HDR_NOFFSETS 20
#define HDR_STRINGS  28
#define HDR_CHECKSUM 32
#define HDR_SIZE     40
#define TYPE_BYTES   24

static const unsigned char build_id[20] = {
	0x3b, 0x43, 0xfa, 0xd5, 0x03, 0x48, 0x74, 0x49, 0x04, 0x92,
	0x49, 0x55, 0x2c, 0x0a, 0xf6, 0xa5, 0xfa, 0xb2, 0x35, 0x00,
};

/* ---- a small table ------------------------------------------------------ */

struct member_spec {
	uint32_t offset, size;
	const char *name;
};

static int add_type(struct mlk_alias_table *t, const char *name,
		    uint32_t size, const uint32_t *off, size_t noff,
		    const struct member_spec *m, size_t nm)
{
	size_t i;

	if (mlk_alias_begin_type(t, name, size) < 0)
		return -1;
	for (i = 0; i < noff; i++)
		if (mlk_alias_add_offset(t, off[i]) < 0)
			return -1;
	for (i = 0; i < nm; i++)
		if (mlk_alias_add_member(t, m[i].offset, m[i].size, m[i].name) < 0)
			return -1;
	return mlk_alias_end_type(t, 1);
}

/*
 * struct inode (size 64): a, lru { next, prev }, a hole at 24..32, inner
 * { x, (hole), arr[0] { p } }, tail. Its offsets given unsorted, with a
 * duplicate, 0 and the size itself (both dropped). Members given out of
 * order. Plus list_head (16, no offsets), and foo at two sizes.
 */
static struct mlk_alias_table *sample_table(int finish)
{
	static const uint32_t inode_off[] = { 32, 8, 40, 8, 0, 64 };
	static const struct member_spec inode_m[] = {
		{ 56, 8, "tail" }, { 0, 8, "a" }, { 8, 8, "lru.next" },
		{ 8, 16, "lru" }, { 16, 8, "lru.prev" }, { 32, 24, "inner" },
		{ 32, 4, "inner.x" }, { 40, 16, "inner.arr" },
		{ 40, 8, "inner.arr[0].p" },
	};
	static const struct member_spec list_m[] = {
		{ 0, 8, "next" }, { 8, 8, "prev" },
	};
	static const uint32_t foo24_off[] = { 16 };
	static const uint32_t foo40_off[] = { 8, 24 };
	struct mlk_alias_table *t = mlk_alias_new();

	if (!t || add_type(t, "list_head", 16, NULL, 0, list_m, 2) < 0 ||
	    add_type(t, "inode", 64, inode_off, 6, inode_m, 9) < 0 ||
	    add_type(t, "foo", 40, foo40_off, 2, NULL, 0) < 0 ||
	    add_type(t, "foo", 24, foo24_off, 1, NULL, 0) < 0 ||
	    (finish && mlk_alias_finish(t) < 0)) {
		mlk_alias_free(t);
		return NULL;
	}
	return t;
}

/* The type's offsets equal want[0, n). */
static int offsets_are(const struct mlk_alias_table *t,
		       const struct mlk_alias_type *ty, const uint32_t *want,
		       size_t n, char *why, size_t whysz)
{
	const uint32_t *off;
	size_t got = mlk_alias_offsets(t, ty, &off), i;
	int rc = 1;

	CHECK(got == n, "%s: %zu offsets, want %zu", mlk_alias_type_name(t, ty),
	      got, n);
	for (i = 0; i < n; i++)
		CHECK(off[i] == want[i], "%s: offset %zu is %u, want %u",
		      mlk_alias_type_name(t, ty), i, off[i], want[i]);
	rc = 0;
out:
	return rc;
}

static int test_builder_and_queries(char *why, size_t whysz)
{
	static const uint32_t inode_want[] = { 8, 32, 40 };
	struct mlk_alias_table *t = sample_table(0);
	const struct mlk_alias_type *ty;
	const struct mlk_alias_member *m;
	int rc = 1;

	CHECK(t, "building the table failed");
	/* before finish: found by a linear look */
	CHECK(mlk_alias_find_type(t, "inode", 0), "inode not found unfinished");
	CHECK(mlk_alias_has_type(t, "foo", 24) && mlk_alias_has_type(t, "foo", 40)
	      && !mlk_alias_has_type(t, "foo", 32) &&
	      !mlk_alias_has_type(t, "bar", 24), "has_type wrong");
	CHECK(mlk_alias_finish(t) == 0, "finish failed");
	CHECK(mlk_alias_ntypes(t) == 4, "%zu types, want 4", mlk_alias_ntypes(t));
	CHECK(mlk_alias_noffsets(t) == 6, "%llu offsets, want 6",
	      U64(mlk_alias_noffsets(t)));
	CHECK(strcmp(mlk_alias_type_name(t, mlk_alias_type_at(t, 0)), "foo") == 0
	      && mlk_alias_type_at(t, 0)->size == 24 &&
	      mlk_alias_type_at(t, 4) == NULL, "types not in (name, size) order");

	ty = mlk_alias_find_type(t, "inode", 0);
	CHECK(ty && ty->size == 64, "inode not found after finish");
	CHECK_OK(offsets_are(t, ty, inode_want, 3, why, whysz));
	CHECK(mlk_alias_members(t, ty, &m) == 9, "inode members");
	CHECK(m[0].offset == 0 && m[1].offset == 8 && m[1].size == 16 &&
	      strcmp(mlk_alias_member_name(t, &m[2]), "lru.next") == 0 &&
	      strcmp(mlk_alias_member_name(t, &m[8]), "tail") == 0,
	      "members not sorted by offset, outer first");

	ty = mlk_alias_find_type(t, "list_head", 16);
	CHECK(ty && ty->nalias == 0, "list_head");
	ty = mlk_alias_find_type(t, "foo", 40);
	CHECK(ty && ty->size == 40 && ty->nalias == 2, "foo of size 40");
	ty = mlk_alias_find_type(t, "foo", 24);
	CHECK(ty && ty->size == 24 && ty->nalias == 1, "foo of size 24");
	CHECK(mlk_alias_find_type(t, "foo", 0), "foo of any size");
	CHECK(!mlk_alias_find_type(t, "foo", 32), "foo of size 32 found");
	CHECK(!mlk_alias_find_type(t, "fo", 0) && !mlk_alias_find_type(t, "zz", 0)
	      && !mlk_alias_find_type(t, "", 0), "unknown names found");
	rc = 0;
out:
	mlk_alias_free(t);
	return rc;
}

static int test_builder_misuse(char *why, size_t whysz)
{
	struct mlk_alias_table *t = mlk_alias_new();
	int rc = 1;

	CHECK(t, "no memory");
	CHECK(mlk_alias_add_offset(t, 8) < 0 && mlk_alias_add_member(t, 0, 8, "a")
	      < 0 && mlk_alias_end_type(t, 1) < 0, "additions outside a type");
	CHECK(mlk_alias_begin_type(t, "a", 16) == 0, "begin");
	CHECK(mlk_alias_begin_type(t, "b", 16) < 0, "begin inside a type");
	CHECK(mlk_alias_finish(t) < 0, "finish inside a type");
	CHECK(mlk_alias_add_offset(t, 8) == 0 &&
	      mlk_alias_add_member(t, 8, 8, "x") == 0, "additions");
	CHECK(mlk_alias_end_type(t, 0) == 0, "end, dropping");
	CHECK(mlk_alias_ntypes(t) == 0 && mlk_alias_noffsets(t) == 0 &&
	      mlk_alias_nmembers(t) == 0 && !mlk_alias_has_type(t, "a", 16),
	      "a dropped type left something");
	CHECK(mlk_alias_finish(t) == 0 && !mlk_alias_find_type(t, "a", 0),
	      "empty table");
	CHECK(mlk_alias_begin_type(t, "a", 16) == 0 &&
	      mlk_alias_end_type(t, 1) == 0, "a, again");
	CHECK(mlk_alias_begin_type(t, "a", 16) < 0, "a duplicate name and size");
	CHECK(mlk_alias_begin_type(t, "a", 24) == 0 &&
	      mlk_alias_end_type(t, 1) == 0 && mlk_alias_ntypes(t) == 2,
	      "one name, another size");
	rc = 0;
out:
	mlk_alias_free(t);
	return rc;
}

static int test_offsets_by_size(char *why, size_t whysz)
{
	struct mlk_alias_table *t = sample_table(1);
	uint32_t *out = NULL;
	size_t n = 99;
	int rc = 1;

	CHECK(t, "building the table failed");
	/* foo 40 {8, 24} and inode 64 {8, 32, 40} */
	CHECK(mlk_alias_offsets_by_size(t, 32, 64, &out, &n) == 0 && n == 4 &&
	      out[0] == 8 && out[1] == 24 && out[2] == 32 && out[3] == 40,
	      "(32, 64]: %zu offsets", n);
	free(out);
	/* lo excluded, hi included: foo 24 {16} only */
	CHECK(mlk_alias_offsets_by_size(t, 16, 24, &out, &n) == 0 && n == 1 &&
	      out[0] == 16, "(16, 24]: %zu offsets", n);
	free(out);
	out = NULL;
	CHECK(mlk_alias_offsets_by_size(t, 64, 4096, &out, &n) == 0 && n == 0 &&
	      !out, "(64, 4096]: %zu offsets", n);
	CHECK(mlk_alias_offsets_by_size(t, 0, 16, &out, &n) == 0 && n == 0,
	      "(0, 16]: list_head has no offsets, got %zu", n);
	rc = 0;
out:
	free(out);
	mlk_alias_free(t);
	return rc;
}

static int test_member_at(char *why, size_t whysz)
{
	static const struct {
		uint32_t off;
		const char *want; /* NULL: no member */
	} cases[] = {
		{ 0, "a" }, { 7, "a+7" }, { 8, "lru.next" }, { 20, "lru.prev+4" },
		{ 24, NULL }, { 31, NULL }, { 32, "inner.x" }, { 34, "inner.x+2" },
		{ 36, "inner+4" }, { 40, "inner.arr[0].p" },
		{ 50, "inner.arr+10" }, { 56, "tail" }, { 63, "tail+7" },
		{ 64, NULL }, { 0xffffffff, NULL },
	};
	struct mlk_alias_table *t = sample_table(1);
	const struct mlk_alias_type *ty;
	char buf[64], small[6];
	size_t i;
	int rc = 1;

	CHECK(t, "building the table failed");
	ty = mlk_alias_find_type(t, "inode", 64);
	CHECK(ty, "inode");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = mlk_alias_member_at(t, ty, cases[i].off, buf,
						      sizeof(buf));

		if (!cases[i].want)
			CHECK(!got, "offset %u: '%s', want none", cases[i].off,
			      got);
		else
			CHECK(got && strcmp(got, cases[i].want) == 0,
			      "offset %u: '%s', want '%s'", cases[i].off,
			      got ? got : "(none)", cases[i].want);
	}
	CHECK(mlk_alias_member_at(t, ty, 20, small, sizeof(small)) &&
	      strcmp(small, "lru.p") == 0, "truncated: '%s'", small);
	CHECK(!mlk_alias_member_at(t, ty, 0, buf, 0), "len 0");
	ty = mlk_alias_find_type(t, "foo", 24);
	CHECK(ty && !mlk_alias_member_at(t, ty, 0, buf, sizeof(buf)),
	      "a type without members");
	rc = 0;
out:
	mlk_alias_free(t);
	return rc;
}

static int test_merge(char *why, size_t whysz)
{
	static const uint32_t dentry_off[] = { 16 };
	static const uint32_t other_inode_off[] = { 24 };
	static const struct member_spec m[] = { { 16, 16, "d_lru" } };
	struct mlk_alias_table *t = sample_table(1), *mod = mlk_alias_new();
	const struct mlk_alias_type *ty;
	char buf[32];
	int rc = 1;

	CHECK(t && mod, "no memory");
	/* the module's inode (same name and size) is not taken */
	CHECK(add_type(mod, "inode", 64, other_inode_off, 1, NULL, 0) == 0 &&
	      add_type(mod, "dentry", 48, dentry_off, 1, m, 1) == 0 &&
	      mlk_alias_finish(mod) == 0, "module table");
	CHECK(mlk_alias_merge(t, mod) == 1, "merge did not add exactly one");
	CHECK(mlk_alias_ntypes(t) == 5, "%zu types", mlk_alias_ntypes(t));
	ty = mlk_alias_find_type(t, "dentry", 0);
	CHECK(ty && ty->nalias == 1 &&
	      mlk_alias_member_at(t, ty, 20, buf, sizeof(buf)) &&
	      strcmp(buf, "d_lru+4") == 0, "merged dentry");
	ty = mlk_alias_find_type(t, "inode", 0);
	CHECK(ty && ty->nalias == 3, "inode replaced by the module's");
	CHECK(mlk_alias_merge(t, mod) == 0, "merged twice");
	rc = 0;
out:
	mlk_alias_free(t);
	mlk_alias_free(mod);
	return rc;
}

/* ---- the cache file ----------------------------------------------------- */

/* A fresh directory for one test's files: removed by cleanup_dir. */
static int make_dir(char *dir, size_t len)
{
	snprintf(dir, len, "/tmp/mlk-unit-aliases-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static void cleanup_dir(const char *dir)
{
	char cmd[256];

	if (dir[0] && snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir) <
			      (int)sizeof(cmd))
		(void)!system(cmd);
}

static unsigned char *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	unsigned char *data = NULL;
	long end;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (end = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (data = malloc(end)) &&
	    fread(data, 1, end, f) != (size_t)end) {
		free(data);
		data = NULL;
	}
	*size = data ? (size_t)end : 0;
	fclose(f);
	return data;
}

static int spill(const char *path, const unsigned char *data, size_t size)
{
	FILE *f = fopen(path, "wb");
	int rc = 0;

	if (!f)
		return -1;
	if (fwrite(data, 1, size, f) != size)
		rc = -1;
	return fclose(f) == 0 ? rc : -1;
}

/* Whether load takes the bytes data[0, size) as a file. */
static int loads(const char *path, const unsigned char *data, size_t size,
		 const unsigned char *id, size_t idlen)
{
	struct mlk_alias_table *t = (void *)1;
	int rc;

	if (spill(path, data, size) < 0)
		return -2;
	rc = mlk_alias_load(path, id, idlen, &t);
	if (rc == 0)
		mlk_alias_free(t);
	else if (t)
		return -3; /* a refusal must leave *out NULL */
	return rc == 0;
}

/* The checksum recomputed, as a saver would: the damage is then only in
 * what the checksum does not catch. */
static void reseal(unsigned char *file, size_t size)
{
	uint64_t h = mlk_fnv1a(MLK_FNV1A_SEED, file, HDR_CHECKSUM);
	int i;

	h = mlk_fnv1a(h, file + HDR_SIZE, size - HDR_SIZE);
	for (i = 0; i < 8; i++)
		file[HDR_CHECKSUM + i] = h >> (8 * i);
}

static void put_le32(unsigned char *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static int test_cache_round_trip(char *why, size_t whysz)
{
	struct mlk_alias_table *t = sample_table(1), *back = NULL;
	struct mlk_alias_table *empty = mlk_alias_new();
	char dir[64] = "", path[128], tmp[160];
	const struct mlk_alias_type *ty;
	char buf[32];
	int rc = 1;

	CHECK(t && empty && make_dir(dir, sizeof(dir)) == 0, "setup");
	snprintf(path, sizeof(path), "%s/a/b/aliases.bin", dir);
	CHECK(mlk_alias_save(t, path, build_id, sizeof(build_id)) == 0,
	      "save (making a/b) failed");
	CHECK(access(path, F_OK) == 0, "no file saved");
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	CHECK(access(tmp, F_OK) != 0, "%s left behind", tmp);
	CHECK(mlk_alias_load(path, build_id, sizeof(build_id), &back) == 0 &&
	      back, "load failed");
	CHECK(mlk_alias_equal(t, back), "the loaded table differs");
	ty = mlk_alias_find_type(back, "inode", 64);
	CHECK(ty && mlk_alias_member_at(back, ty, 20, buf, sizeof(buf)) &&
	      strcmp(buf, "lru.prev+4") == 0, "query on the loaded table");
	/* a loaded table takes more types, and merges */
	CHECK(add_type(back, "zeta", 8, NULL, 0, NULL, 0) == 0 &&
	      mlk_alias_finish(back) == 0 && mlk_alias_ntypes(back) == 5 &&
	      mlk_alias_find_type(back, "zeta", 8) &&
	      mlk_alias_has_type(back, "inode", 64), "adding to a loaded table");
	mlk_alias_free(back);
	back = NULL;
	/* the empty table, and an empty build id */
	CHECK(mlk_alias_save(empty, path, build_id, 0) == 0 &&
	      mlk_alias_load(path, build_id, 0, &back) == 0 &&
	      mlk_alias_ntypes(back) == 0, "the empty table");
	rc = 0;
out:
	mlk_alias_free(t);
	mlk_alias_free(back);
	mlk_alias_free(empty);
	cleanup_dir(dir);
	return rc;
}

static int test_cache_refuses(char *why, size_t whysz)
{
	unsigned char other_id[sizeof(build_id)], *file = NULL, *bad = NULL;
	struct mlk_alias_table *t = sample_table(1), *back = (void *)1;
	char dir[64] = "", path[128], badpath[128];
	size_t size = 0, i;
	int rc = 1, got;

	CHECK(t && make_dir(dir, sizeof(dir)) == 0, "setup");
	snprintf(path, sizeof(path), "%s/aliases.bin", dir);
	snprintf(badpath, sizeof(badpath), "%s/bad.bin", dir);
	CHECK(mlk_alias_load(path, build_id, sizeof(build_id), &back) == -1 &&
	      !back, "an absent file loaded");
	CHECK(mlk_alias_load(dir, build_id, sizeof(build_id), &back) == -1,
	      "a directory loaded");
	CHECK(mlk_alias_save(t, path, build_id, sizeof(build_id)) == 0, "save");
	file = slurp(path, &size);
	CHECK(file && size > HDR_SIZE + sizeof(build_id), "read back");
	bad = malloc(size + 1);
	CHECK(bad, "no memory");
	CHECK(loads(badpath, file, size, build_id, sizeof(build_id)) == 1,
	      "the intact copy is refused");

	for (i = 0; i < size; i++) { /* every truncation */
		got = loads(badpath, file, i, build_id, sizeof(build_id));
		CHECK(got == 0, "truncated to %zu bytes: %d", i, got);
	}
	for (i = 0; i < size; i++) { /* every flipped byte */
		memcpy(bad, file, size);
		bad[i] ^= 0x20;
		got = loads(badpath, bad, size, build_id, sizeof(build_id));
		CHECK(got == 0, "byte %zu flipped: %d", i, got);
	}
	/* one byte more, and stale: another build id, another length */
	memcpy(bad, file, size);
	bad[size] = 0;
	CHECK(loads(badpath, bad, size + 1, build_id, sizeof(build_id)) == 0,
	      "a byte appended accepted");
	memcpy(other_id, build_id, sizeof(other_id));
	other_id[19] ^= 1;
	CHECK(mlk_alias_load(path, other_id, sizeof(other_id), &back) == -1,
	      "another build id loaded");
	CHECK(mlk_alias_load(path, build_id, 16, &back) == -1,
	      "a shorter build id loaded");
	CHECK(mlk_alias_load(path, build_id, MLK_ALIAS_MAX_ID + 1, &back) == -1,
	      "a build id too long loaded");

	/* absurd counts, resealed: the sizes do not add up */
	memcpy(bad, file, size);
	put_le32(bad + HDR_NTYPES, 0xffffffff);
	reseal(bad, size);
	CHECK(loads(badpath, bad, size, build_id, sizeof(build_id)) == 0,
	      "4G types accepted");
	memcpy(bad, file, size);
	put_le32(bad + HDR_NOFFSETS, 0x40000000);
	put_le32(bad + HDR_STRINGS, 0);
	reseal(bad, size);
	CHECK(loads(badpath, bad, size, build_id, sizeof(build_id)) == 0,
	      "offsets that wrap the size accepted");

	/* damage the checksum does not see (resealed) */
	memcpy(bad, file, size); /* the first type's name out of range */
	put_le32(bad + HDR_SIZE + sizeof(build_id), 0x7fffffff);
	reseal(bad, size);
	CHECK(loads(badpath, bad, size, build_id, sizeof(build_id)) == 0,
	      "a name out of range accepted");
	memcpy(bad, file, size); /* first_alias + nalias past the offsets */
	put_le32(bad + HDR_SIZE + sizeof(build_id) + 12, 0xfffffff0);
	reseal(bad, size);
	CHECK(loads(badpath, bad, size, build_id, sizeof(build_id)) == 0,
	      "offsets out of range accepted");
	memcpy(bad, file, size); /* the strings not NUL-terminated */
	bad[size - 1] = 'x';
	reseal(bad, size);
	CHECK(loads(badpath, bad, size, build_id, sizeof(build_id)) == 0,
	      "unterminated strings accepted");
	memcpy(bad, file, size); /* types out of order: swap the first two */
	{
		unsigned char *ty = bad + HDR_SIZE + sizeof(build_id);
		unsigned char tmp[TYPE_BYTES];

		memcpy(tmp, ty, TYPE_BYTES);
		memcpy(ty, ty + TYPE_BYTES, TYPE_BYTES);
		memcpy(ty + TYPE_BYTES, tmp, TYPE_BYTES);
	}
	reseal(bad, size);
	CHECK(loads(badpath, bad, size, build_id, sizeof(build_id)) == 0,
	      "types out of order accepted");
	rc = 0;
out:
	free(file);
	free(bad);
	mlk_alias_free(t);
	cleanup_dir(dir);
	return rc;
}

/* Sets or unsets an environment variable; NULL unsets. */
static void set_env(const char *name, const char *value)
{
	if (value)
		setenv(name, value, 1);
	else
		unsetenv(name);
}

static int test_cache_path(char *why, size_t whysz)
{
	static const unsigned char id[3] = { 0x0a, 0xbc, 0xff };
	char *old_xdg = getenv("XDG_CACHE_HOME"), *old_home = getenv("HOME");
	char buf[128], tiny[20];
	int rc = 1;

	old_xdg = old_xdg ? strdup(old_xdg) : NULL;
	old_home = old_home ? strdup(old_home) : NULL;
	set_env("XDG_CACHE_HOME", "/x/cache");
	set_env("HOME", "/home/u");
	CHECK(mlk_alias_cache_path(buf, sizeof(buf), id, 3) &&
	      strcmp(buf, "/x/cache/kmemleak/aliases-0abcff.bin") == 0,
	      "XDG: '%s'", buf);
	set_env("XDG_CACHE_HOME", "relative");
	CHECK(mlk_alias_cache_path(buf, sizeof(buf), id, 3) &&
	      strcmp(buf, "/home/u/.cache/kmemleak/aliases-0abcff.bin") == 0,
	      "relative XDG: '%s'", buf);
	set_env("XDG_CACHE_HOME", NULL);
	CHECK(mlk_alias_cache_path(buf, sizeof(buf), id, 3) &&
	      strcmp(buf, "/home/u/.cache/kmemleak/aliases-0abcff.bin") == 0,
	      "HOME: '%s'", buf);
	CHECK(!mlk_alias_cache_path(tiny, sizeof(tiny), id, 3), "no room");
	CHECK(!mlk_alias_cache_path(buf, sizeof(buf), id, 0), "empty id");
	set_env("HOME", NULL);
	CHECK(!mlk_alias_cache_path(buf, sizeof(buf), id, 3), "no HOME");
	rc = 0;
out:
	set_env("XDG_CACHE_HOME", old_xdg);
	set_env("HOME", old_home);
	free(old_xdg);
	free(old_home);
	return rc;
}

void run_aliases_tests(void)
{
	unit_run("aliases_builder_and_queries", test_builder_and_queries);
	unit_run("aliases_builder_misuse", test_builder_misuse);
	unit_run("aliases_offsets_by_size", test_offsets_by_size);
	unit_run("aliases_member_at", test_member_at);
	unit_run("aliases_merge", test_merge);
	unit_run("aliases_cache_round_trip", test_cache_round_trip);
	unit_run("aliases_cache_refuses", test_cache_refuses);
	unit_run("aliases_cache_path", test_cache_path);
}
