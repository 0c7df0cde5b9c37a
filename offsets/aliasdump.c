/*
 * aliasdump.c - build the alias table from a kernel's DWARF and print its
 * figures, or some of its types (make offsets-tool -> build/aliasdump).
 *
 *   aliasdump [-n] [-k] [-m MODULE]... ELF [TYPE]...
 *
 * Reads ELF (a vmlinux, a module, an object file), then every MODULE into
 * a table of its own merged into the first; prints the figures (types,
 * offsets, members, build time, peak RSS), saves the table in the cache
 * file of ELF's build id and loads it back (file size, load time, and a
 * check that the loaded table equals the built one). With TYPE names, then
 * prints each type: its alias offsets with the member at each, and all of
 * its members. -n: no cache save and load. -k: the union of the alias
 * offsets of each kmalloc size class. Exit status 1 on any failure.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aliases.h"
#include "alias_cache.h"
#include "alias_dwarf.h"

struct options {
	int no_cache;
	int kmalloc;
	const char *elf;
	const char **modules;
	int nmodules;
	char **types;
	int ntypes;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long peak_rss_kib(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : -1;
}

static int usage(void)
{
	fprintf(stderr, "usage: aliasdump [-n] [-k] [-m MODULE]... ELF "
		"[TYPE]...\n");
	return 2;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->modules = calloc(argc, sizeof(*o->modules));
	if (!o->modules)
		return -1;
	while ((c = getopt(argc, argv, "nkm:")) != -1) {
		if (c == 'n')
			o->no_cache = 1;
		else if (c == 'k')
			o->kmalloc = 1;
		else if (c == 'm')
			o->modules[o->nmodules++] = optarg;
		else
			return -1;
	}
	if (optind >= argc)
		return -1;
	o->elf = argv[optind];
	o->types = argv + optind + 1;
	o->ntypes = argc - optind - 1;
	return 0;
}

/* ---- figures ----------------------------------------------------------- */

static void print_offset_figures(const struct mlk_alias_table *t)
{
	size_t i, n = mlk_alias_ntypes(t), with = 0, max = 0;
	const struct mlk_alias_type *widest = NULL;

	for (i = 0; i < n; i++) {
		const struct mlk_alias_type *ty = mlk_alias_type_at(t, i);
		const uint32_t *off;
		size_t k = mlk_alias_offsets(t, ty, &off);

		with += k > 0;
		if (k > max) {
			max = k;
			widest = ty;
		}
	}
	printf("FIGURE alias offsets: %llu in all; per type mean %.2f, "
	       "max %zu (%s); %zu types have some\n",
	       (unsigned long long)mlk_alias_noffsets(t),
	       n ? (double)mlk_alias_noffsets(t) / n : 0.0, max,
	       widest ? mlk_alias_type_name(t, widest) : "-", with);
	printf("FIGURE members: %llu; string table %llu bytes\n",
	       (unsigned long long)mlk_alias_nmembers(t),
	       (unsigned long long)mlk_alias_string_bytes(t));
}

/* The union of the offsets of the types each kmalloc-N cache holds. */
static void print_kmalloc_classes(const struct mlk_alias_table *t)
{
	static const uint32_t sizes[] = { 8, 16, 32, 64, 96, 128, 192, 256,
					  512, 1024, 2048, 4096, 8192 };
	uint32_t lo = 0;
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint32_t *off;
		size_t n;

		if (mlk_alias_offsets_by_size(t, lo, sizes[i], &off, &n) == 0)
			printf("kmalloc-%u: sizes (%u, %u]: %zu offsets\n",
			       sizes[i], lo, sizes[i], n);
		free(off);
		lo = sizes[i];
	}
}

/* ---- one type ---------------------------------------------------------- */

static int print_type(const struct mlk_alias_table *t, const char *name)
{
	const struct mlk_alias_type *ty = mlk_alias_find_type(t, name, 0);
	const struct mlk_alias_member *m;
	const uint32_t *off;
	char where[512];
	size_t i, nalias, nmember;

	if (!ty) {
		printf("type %s: not found\n", name);
		return -1;
	}
	nalias = mlk_alias_offsets(t, ty, &off);
	nmember = mlk_alias_members(t, ty, &m);
	printf("type %s size %u aliases %zu members %zu\n", name, ty->size,
	       nalias, nmember);
	for (i = 0; i < nalias; i++) {
		if (!mlk_alias_member_at(t, ty, off[i], where, sizeof(where)))
			snprintf(where, sizeof(where), "?");
		printf("alias %u %s\n", off[i], where);
	}
	for (i = 0; i < nmember; i++)
		printf("member %u %u %s\n", m[i].offset, m[i].size,
		       mlk_alias_member_name(t, &m[i]));
	return 0;
}

/* ---- building, the cache ----------------------------------------------- */

static struct mlk_alias_table *build(const struct options *o)
{
	struct mlk_alias_table *t = mlk_alias_new(), *mod;
	char err[1024];
	double start = now();
	int i;

	if (!t || mlk_alias_read_dwarf(o->elf, t, err, sizeof(err)) < 0) {
		fprintf(stderr, "aliasdump: %s\n", t ? err : "out of memory");
		mlk_alias_free(t);
		return NULL;
	}
	printf("FIGURE read: %zu types from %s in %.2f s, peak RSS %ld KiB\n",
	       mlk_alias_ntypes(t), o->elf, now() - start, peak_rss_kib());
	for (i = 0; i < o->nmodules; i++) {
		long added;

		mod = mlk_alias_new();
		if (!mod || mlk_alias_read_dwarf(o->modules[i], mod, err,
						 sizeof(err)) < 0) {
			fprintf(stderr, "aliasdump: %s\n",
				mod ? err : "out of memory");
			mlk_alias_free(mod);
			mlk_alias_free(t);
			return NULL;
		}
		added = mlk_alias_merge(t, mod);
		printf("FIGURE module %s: %zu types, %ld new\n", o->modules[i],
		       mlk_alias_ntypes(mod), added);
		mlk_alias_free(mod);
		if (added < 0) {
			mlk_alias_free(t);
			return NULL;
		}
	}
	return t;
}

/* Saves t under ELF's build id, loads it back, checks it is the same. */
static int save_and_load(const struct mlk_alias_table *t, const char *elf)
{
	unsigned char id[MLK_ALIAS_MAX_ID];
	size_t idlen = sizeof(id);
	struct mlk_alias_table *loaded;
	char path[4096];
	struct stat st;
	double start;
	int same;

	if (mlk_alias_build_id(elf, id, &idlen) < 0) {
		printf("FIGURE cache: %s has no build id, not cached\n", elf);
		return 0;
	}
	if (!mlk_alias_cache_path(path, sizeof(path), id, idlen) ||
	    mlk_alias_save(t, path, id, idlen) < 0 || stat(path, &st) < 0) {
		perror("aliasdump: saving the cache");
		return -1;
	}
	start = now();
	if (mlk_alias_load(path, id, idlen, &loaded) < 0) {
		fprintf(stderr, "aliasdump: %s: cannot load it back\n", path);
		return -1;
	}
	printf("FIGURE cache: %s, %lld bytes, loaded in %.1f ms\n", path,
	       (long long)st.st_size, (now() - start) * 1e3);
	same = mlk_alias_equal(t, loaded);
	mlk_alias_free(loaded);
	if (!same)
		fprintf(stderr, "aliasdump: the loaded table differs\n");
	return same ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct mlk_alias_table *t;
	struct options o;
	int rc = 0, i;

	if (parse_options(argc, argv, &o) < 0) {
		free(o.modules);
		return usage();
	}
	t = build(&o);
	if (!t) {
		free(o.modules);
		return 1;
	}
	print_offset_figures(t);
	if (!o.no_cache && save_and_load(t, o.elf) < 0)
		rc = 1;
	if (o.kmalloc)
		print_kmalloc_classes(t);
	for (i = 0; i < o.ntypes; i++)
		if (print_type(t, o.types[i]) < 0)
			rc = 1;
	printf("FIGURE peak RSS: %ld KiB\n", peak_rss_kib());
	mlk_alias_free(t);
	free(o.modules);
	return rc;
}
