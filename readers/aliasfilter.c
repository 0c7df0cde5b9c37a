/*
 * aliasfilter.c - the session's alias table and each cache's alias bits
 * (aliasfilter.h). The table comes from the user's cache directory when a
 * file of this kernel's build id is there and sound; else it is read from
 * the vmlinux's DWARF (offsets/dwarf.c) and saved.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aliasfilter.h"
#include "aliases.h"
#include "alias_cache.h"
#include "alias_dwarf.h"

/* The session's table: the vmlinux does not change within a session. */
static struct mlk_alias_table *session_table;
static unsigned session_modules;       /* modules merged into it */
/* Their debuginfo files, not to merge one twice (bounded: 4096). */
#define MAX_SESSION_MODULES 4096
static char *session_module_files[MAX_SESSION_MODULES];
static char session_why[256];
/*
 * Set once the table could not be had (the reason in session_why): not
 * tried again. A build interrupted by Ctrl-C sets neither: the next run
 * tries again.
 */
static int session_failed;
/* A build interrupted by Ctrl-C (crash longjmps out): freed next time. */
static struct mlk_alias_table *interrupted_build;

/* The file holding the kernel's DWARF: the separate debuginfo, if any. */
static const char *dwarf_file(void)
{
	if (pc->debuginfo_file && *pc->debuginfo_file)
		return pc->debuginfo_file;
	return pc->namelist;
}

static struct mlk_alias_table *build_from_dwarf(const char *elf,
						char *why, size_t whysz)
{
	struct mlk_alias_table *t = mlk_alias_new();

	if (!t) {
		snprintf(why, whysz, "out of memory");
		return NULL;
	}
	interrupted_build = t;
	if (mlk_alias_read_dwarf(elf, t, why, whysz) != 0) {
		interrupted_build = NULL;
		mlk_alias_free(t);
		return NULL;
	}
	interrupted_build = NULL;
	return t;
}

/* Load from the cache, or build and save; the session keeps it. */
static int session_table_ready(struct mlk_aliases *a)
{
	unsigned char id[64];
	size_t idlen = sizeof(id);
	const char *elf = dwarf_file();

	if (session_table || session_failed) {
		a->from_session = 1;
		a->why = session_table ? NULL : session_why;
		return session_table ? 0 : -1;
	}
	mlk_alias_free(interrupted_build);
	interrupted_build = NULL;
	if (!elf || mlk_alias_build_id(elf, id, &idlen) != 0) {
		snprintf(session_why, sizeof(session_why), "no build id in %s",
			 elf ? elf : "(no vmlinux)");
		session_failed = 1;
		a->why = session_why;
		return -1;
	}
	if (!mlk_alias_cache_path(a->path, sizeof(a->path), id, idlen))
		a->path[0] = '\0';
	if (a->path[0] &&
	    mlk_alias_load(a->path, id, idlen, &session_table) == 0)
		return 0;
	fprintf(fp, "memleak: building the alias table from %s's DWARF "
		"(once per kernel build)...\n", elf);
	session_table = build_from_dwarf(elf, session_why,
					 sizeof(session_why));
	if (!session_table) {
		session_failed = 1;
		a->why = session_why;
		return -1;
	}
	a->built_now = 1;
	if (a->path[0] && mlk_alias_save(session_table, a->path, id, idlen) != 0)
		error(INFO, "alias table: cannot save %s (built again next "
		      "session)\n", a->path);
	return 0;
}

/*
 * Modules whose debuginfo crash has loaded: their types join the table
 * (once per module per session; not cached, they are small).
 */
static int module_merged(const char *file)
{
	unsigned i;

	for (i = 0; i < session_modules; i++)
		if (!strcmp(session_module_files[i], file))
			return 1;
	return 0;
}

static void add_module_types(void)
{
	char why[256];
	int i;

	for (i = 0; i < kt->mods_installed &&
	     session_modules < MAX_SESSION_MODULES; i++) {
		struct load_module *lm = &st->load_modules[i];
		struct mlk_alias_table *mt;

		if (!(lm->mod_flags & MOD_LOAD_SYMS) || !lm->mod_namelist[0] ||
		    module_merged(lm->mod_namelist))
			continue;
		mt = build_from_dwarf(lm->mod_namelist, why, sizeof(why));
		if (!mt) {
			error(INFO, "alias table: module %s: %s\n",
			      lm->mod_name, why);
			continue;
		}
		session_module_files[session_modules] =
			strdup(lm->mod_namelist);
		if (session_module_files[session_modules] &&
		    mlk_alias_merge(session_table, mt) >= 0)
			session_modules++;
		mlk_alias_free(mt);
	}
}

/* ---- caches -> types --------------------------------------------------- */

/*
 * N of a kmalloc cache's name: "kmalloc-192", "kmalloc-cg-1k",
 * "kmalloc-rcl-64", "dma-kmalloc-512", "kmalloc-rnd-05-2k" (6.8+,
 * CONFIG_RANDOM_KMALLOC_CACHES); 0 for any other name.
 */
static uint32_t kmalloc_size(const char *name)
{
	const char *p;
	char *end;
	unsigned long n;

	if (strncmp(name, "kmalloc-", 8) && strncmp(name, "dma-kmalloc-", 12))
		return 0;
	p = strrchr(name, '-') + 1;
	n = strtoul(p, &end, 10);
	if (end == p)
		return 0;
	if (*end == 'k')
		n *= 1024, end++;
	return *end == '\0' && n > 0 && n <= (1UL << 24) ? (uint32_t)n : 0;
}

/* Whether any type's size lies in (lo, hi]. */
static int types_sized(uint32_t lo, uint32_t hi)
{
	size_t i, n = mlk_alias_ntypes(session_table);

	for (i = 0; i < n; i++) {
		uint32_t size = mlk_alias_type_at(session_table, i)->size;

		if (size > lo && size <= hi)
			return 1;
	}
	return 0;
}

/* The struct named as the cache (with the usual suffixes), of its size. */
static const struct mlk_alias_type *type_by_name(const struct mlk_cache *c)
{
	static const char *const strip[] = { "_cache", "_cachep", "_slab" };
	const struct mlk_alias_type *ty;
	char name[96];
	size_t k, len = strlen(c->name);

	ty = mlk_alias_find_type(session_table, c->name, c->object_size);
	for (k = 0; !ty && k < sizeof(strip) / sizeof(strip[0]); k++) {
		size_t sl = strlen(strip[k]);

		if (len > sl && !strcmp(c->name + len - sl, strip[k])) {
			snprintf(name, sizeof(name), "%.*s", (int)(len - sl),
				 c->name);
			ty = mlk_alias_find_type(session_table, name,
						 c->object_size);
			if (!ty) { /* ext4_inode_cache: struct ext4_inode_info */
				snprintf(name, sizeof(name), "%.*s_info",
					 (int)(len - sl), c->name);
				ty = mlk_alias_find_type(session_table, name,
							 c->object_size);
			}
		}
	}
	return ty;
}

static void set_bit(uint8_t *bits, uint32_t off, uint32_t size)
{
	if (off < size)
		bits[off / 8] |= (uint8_t)(1u << (off % 8));
}

/*
 * Low-bit tags: the kernel keeps flags in bits 0-1 of pointers to aligned
 * structures - rb_node's __rb_parent_color (include/linux/rbtree_augmented.h,
 * the colour in bit 0), page->mapping's PAGE_MAPPING_ANON/MOVABLE
 * (include/linux/page-flags.h), xa_mk_node()'s 2 for XArray and radix
 * tree nodes (include/linux/xarray.h). So a word-aligned alias + 1, 2 or 3
 * is one too.
 */
#define TAG_BITS_MASK 3u

/* Bits for offsets [0, size) from offsets[n]; NULL when out of memory. */
static uint8_t *bits_of(const uint32_t *offsets, size_t n, uint32_t size)
{
	uint8_t *bits = calloc(size / 8 + 1, 1);
	uint32_t tag;
	size_t i;

	if (!bits)
		return NULL;
	for (tag = 0; tag <= TAG_BITS_MASK; tag++) {
		set_bit(bits, tag, size);
		/* tagged pointers point at word-aligned structures only */
		for (i = 0; i < n; i++)
			if (offsets[i] % 8 == 0 || tag == 0)
				set_bit(bits, offsets[i] + tag, size);
	}
	return bits;
}

/*
 * Caches whose objects are referenced through pointers encoded beyond two
 * tag bits: every offset counts. Maple tree nodes (lib/maple_tree.c,
 * since 6.1): mt_mk_node() stores node | type << MAPLE_ENODE_TYPE_SHIFT |
 * MAPLE_ENODE_NULL, and a node's parent pointer carries the slot and type
 * in the low 8 bits of the 256-byte aligned parent (MAPLE_NODE_MASK).
 */
static const char *const encoded_pointer_caches[] = { "maple_node" };

static int any_offset_counts(const struct mlk_cache *c)
{
	size_t k;

	for (k = 0; k < MLK_COUNT(encoded_pointer_caches); k++)
		if (!strcmp(c->name, encoded_pointer_caches[k]))
			return 1;
	return 0;
}

/* One cache's bits and how its type was told. */
static int type_cache(struct mlk_aliases *a, uint32_t tag,
		      const struct mlk_cache *c)
{
	const struct mlk_alias_type *ty = type_by_name(c);
	uint32_t kmsize = kmalloc_size(c->name), lo, hi;
	uint32_t *offsets = NULL;
	const uint32_t *own;
	size_t n = 0;

	a->by_tag[tag].len = c->object_size;
	if (any_offset_counts(c)) {
		a->type_of_tag[tag] = ty;
		a->typing[tag] = ty ? MLK_TYPED_NAME : MLK_TYPED_UNKNOWN;
		return 0; /* bits NULL: any offset */
	}
	if (ty) {
		n = mlk_alias_offsets(session_table, ty, &own);
		a->by_tag[tag].bits = bits_of(own, n, c->object_size);
		a->type_of_tag[tag] = ty;
		a->typing[tag] = MLK_TYPED_NAME;
		return a->by_tag[tag].bits ? 0 : -1;
	}
	hi = kmsize ? kmsize : c->object_size;
	if (!kmsize && hi > 0 && types_sized(hi - 1, hi)) {
		lo = hi - 1;
		a->typing[tag] = MLK_TYPED_SIZE;
	} else {
		lo = hi / 2;
		a->typing[tag] = MLK_TYPED_RANGE;
	}
	if (mlk_alias_offsets_by_size(session_table, lo, hi, &offsets, &n) != 0)
		return -1;
	a->by_tag[tag].bits = bits_of(offsets, n, c->object_size);
	free(offsets);
	return a->by_tag[tag].bits ? 0 : -1;
}

int mlk_aliases_prepare(struct mlk_aliases *a, const struct mlk_slub *slub)
{
	uint32_t tag;

	memset(a, 0, sizeof(*a));
	/* vmalloc areas and page allocations have no type: pages count */
	a->rules[MLK_KIND_VMALLOC] = MLK_ALIAS_PAGES;
	a->rules[MLK_KIND_PAGES] = MLK_ALIAS_PAGES;
	a->rules[MLK_KIND_PERCPU] = MLK_ALIAS_ANY;
	if (session_table_ready(a) != 0)
		return -1;
	add_module_types();
	a->modules = session_modules;
	a->table = session_table;
	a->ntypes = mlk_alias_ntypes(session_table);
	a->ntags = (uint32_t)slub->ncaches;
	a->by_tag = calloc(a->ntags + 1, sizeof(*a->by_tag));
	a->type_of_tag = calloc(a->ntags + 1, sizeof(*a->type_of_tag));
	a->typing = calloc(a->ntags + 1, 1);
	if (!a->by_tag || !a->type_of_tag || !a->typing) {
		a->why = "out of memory";
		mlk_aliases_free(a);
		return -1;
	}
	for (tag = 0; tag < a->ntags; tag++) {
		if (type_cache(a, tag, &slub->caches[tag]) != 0) {
			a->why = "out of memory";
			mlk_aliases_free(a);
			return -1;
		}
		a->caches_by_typing[a->typing[tag]]++;
	}
	a->ready = 1;
	return 0;
}

void mlk_aliases_free(struct mlk_aliases *a)
{
	uint32_t tag;

	for (tag = 0; a->by_tag && tag < a->ntags; tag++)
		free((void *)a->by_tag[tag].bits);
	free(a->by_tag);
	free(a->type_of_tag);
	free(a->typing);
	a->by_tag = NULL;
	a->type_of_tag = NULL;
	a->typing = NULL;
	a->ready = 0;
}

const char *mlk_aliases_member(const struct mlk_aliases *a, uint32_t tag,
			       uint32_t off, char *buf, size_t len)
{
	char member[256];
	const struct mlk_alias_type *ty;

	if (!a->ready || tag >= a->ntags || !(ty = a->type_of_tag[tag])) {
		snprintf(buf, len, "(type unknown)");
		return buf;
	}
	if (!mlk_alias_member_at(a->table, ty, off, member, sizeof(member)))
		snprintf(member, sizeof(member), "+0x%x", off);
	snprintf(buf, len, "(%s.%s)", mlk_alias_type_name(a->table, ty),
		 member);
	return buf;
}

const char *mlk_cache_typing_name(int typing)
{
	static const char *const names[MLK_TYPED_KINDS] = {
		"unknown", "by name", "by exact size", "by size range" };

	return typing >= 0 && typing < MLK_TYPED_KINDS ? names[typing] : "?";
}

void mlk_aliases_session_free(void)
{
	unsigned i;

	mlk_alias_free(session_table);
	mlk_alias_free(interrupted_build);
	session_table = interrupted_build = NULL;
	for (i = 0; i < session_modules; i++)
		free(session_module_files[i]);
	session_modules = 0;
	session_failed = 0;
}
