/*
 * slub.c - every allocated object of every SLUB cache, read out of a dump.
 *
 * SLUB keeps no list of full slabs (mm/slub.c: full slabs sit on no list
 * unless slub_debug tracks them), so slabs are found by walking the struct
 * page array and keeping the head pages that carry PG_slab. For each slab,
 * the free objects are the union of:
 *   - slab->freelist (objects freed back to the slab), and
 *   - for a CPU's active slab, that CPU's lockless kmem_cache_cpu->freelist
 *     (mm/slub.c: ___slab_alloc() moves slab->freelist to the CPU and
 *     leaves slab->freelist NULL while the slab is frozen).
 * Every other object of the slab is allocated and becomes a tracked block.
 */
#include "readers.h"
#include "bytes.h"
#include "slub_decode.h"

/*
 * include/linux/slab.h: the cache flags memleak reads. #defines up to 6.8;
 * since "mm, slab: introduce __SLAB_FLAG_BIT() and __SLAB_FLAG_UNUSED"
 * (6.9) each is 1 << an enumerator of enum _slab_flag_bits, in the
 * debuginfo, and the values moved.
 */
#define SLAB_STORE_USER_BEFORE_6_9  0x00010000UL  /* tracks (slub_debug=U) */
#define SLAB_NOLEAKTRACE_BEFORE_6_9 0x00800000UL  /* untracked by kmemleak */
/* Sanity bounds for values read from a possibly corrupt dump. */
#define MAX_CACHES       (1L << 16)
#define MAX_OBJECT_SIZE  (1UL << 26)
#define MAX_SLAB_BYTES   (1UL << 26)
/* A live system: reads of a slab whose freelists do not add up. */
#define LIVE_SLAB_RETRIES 4

/*
 * The SLUB layout, from the debuginfo. Linux 5.17 split struct slab out
 * of struct page (mm/slab.h, "mm: Split slab into its own type",
 * d122019bf061); before it the same fields lived in struct page itself,
 * and kmem_cache_cpu.slab was kmem_cache_cpu.page.
 */
static struct {
	long slab_cache, freelist, counters;       /* struct slab (or page) */
	long kc_size_of, kc_list, kc_name, kc_size, kc_object_size, kc_offset,
	     kc_inuse, kc_oo, kc_red_left_pad, kc_flags, kc_flags_size,
	     kc_random, kc_cpu_slab;
	long kcc_freelist, kcc_slab;
	long kfence_objects;                       /* kfence_metadata[] */
	long bit_store_user, bit_noleaktrace;      /* 6.9+ flag bits */
	ulong store_user, noleaktrace;             /* the flags' values */
	/* the alternatives the derive step chooses between */
	long slab_slab_cache, slab_freelist, slab_counters;
	long page_slab_cache, page_freelist, page_counters;
	long kcc_slab_5_17, kcc_page;
} L;

/* The bit fields of the counters word: the preset for today's kernels. */
static struct mlk_slab_counters_layout counters_layout;

static const struct mlk_need slub_needs[] = {
	MLK_MEMBER(&L.slab_slab_cache, "slab", "slab_cache", MLK_OPTIONAL),
	MLK_MEMBER(&L.slab_freelist, "slab", "freelist", MLK_OPTIONAL),
	MLK_MEMBER(&L.slab_counters, "slab", "counters", MLK_OPTIONAL),
	/* before 5.17 the slab fields sit in anonymous unions of struct page */
	MLK_MEMBER_ANY(&L.page_slab_cache, "page", "slab_cache", MLK_OPTIONAL),
	MLK_MEMBER_ANY(&L.page_freelist, "page", "freelist", MLK_OPTIONAL),
	MLK_MEMBER_ANY(&L.page_counters, "page", "counters", MLK_OPTIONAL),
	MLK_SIZE(&L.kc_size_of, "kmem_cache", MLK_REQUIRED),
	MLK_MEMBER(&L.kc_list, "kmem_cache", "list", MLK_REQUIRED),
	MLK_MEMBER(&L.kc_name, "kmem_cache", "name", MLK_REQUIRED),
	MLK_MEMBER(&L.kc_size, "kmem_cache", "size", MLK_REQUIRED),
	MLK_MEMBER(&L.kc_object_size, "kmem_cache", "object_size",
		   MLK_REQUIRED),
	MLK_MEMBER(&L.kc_offset, "kmem_cache", "offset", MLK_REQUIRED),
	MLK_MEMBER(&L.kc_inuse, "kmem_cache", "inuse", MLK_REQUIRED),
	MLK_MEMBER(&L.kc_oo, "kmem_cache", "oo", MLK_OPTIONAL),
	MLK_MEMBER(&L.kc_red_left_pad, "kmem_cache", "red_left_pad",
		   MLK_OPTIONAL),
	MLK_MEMBER(&L.kc_flags, "kmem_cache", "flags", MLK_REQUIRED),
	MLK_MEMBER_SIZE(&L.kc_flags_size, "kmem_cache", "flags",
			MLK_REQUIRED),
	MLK_ENUM(&L.bit_store_user, "_SLAB_STORE_USER", MLK_OPTIONAL),
	MLK_ENUM(&L.bit_noleaktrace, "_SLAB_NOLEAKTRACE", MLK_OPTIONAL),
	/* only with CONFIG_SLAB_FREELIST_HARDENED (4.14+) */
	MLK_MEMBER(&L.kc_random, "kmem_cache", "random", MLK_OPTIONAL),
	MLK_MEMBER(&L.kc_cpu_slab, "kmem_cache", "cpu_slab", MLK_REQUIRED),
	MLK_MEMBER(&L.kcc_freelist, "kmem_cache_cpu", "freelist",
		   MLK_REQUIRED),
	MLK_MEMBER(&L.kcc_slab_5_17, "kmem_cache_cpu", "slab", MLK_OPTIONAL),
	MLK_MEMBER(&L.kcc_page, "kmem_cache_cpu", "page", MLK_OPTIONAL),
	/* CONFIG_KFENCE: mm/kfence/core.c, its pool's object count */
	MLK_ARRAY_LEN(&L.kfence_objects, "kfence_metadata", MLK_OPTIONAL),
	/*
	 * SLUB sheaves ("slab: add opt-in caching layer of percpu sheaves",
	 * 2d517aa09bbc, 6.18; every cache from 7.0): objects cached in a
	 * CPU's sheaves or a node's barn are free although the slab's
	 * counters say allocated. Not read yet: refuse rather than report
	 * each of them as a leak.
	 */
	MLK_REFUSE_MEMBER("kmem_cache", "cpu_sheaves",
			  "SLUB sheaves (6.18+) hold free objects that the "
			  "slab counters count as allocated"),
};

static int derive_slub(int missing)
{
	int struct_slab = L.slab_slab_cache >= 0;

	L.slab_cache = struct_slab ? L.slab_slab_cache : L.page_slab_cache;
	L.freelist = struct_slab ? L.slab_freelist : L.page_freelist;
	L.counters = struct_slab ? L.slab_counters : L.page_counters;
	L.kcc_slab = L.kcc_slab_5_17 >= 0 ? L.kcc_slab_5_17 : L.kcc_page;
	L.store_user = L.bit_store_user >= 0 && L.bit_store_user < 64 ?
		1UL << L.bit_store_user : SLAB_STORE_USER_BEFORE_6_9;
	L.noleaktrace = L.bit_noleaktrace >= 0 && L.bit_noleaktrace < 64 ?
		1UL << L.bit_noleaktrace : SLAB_NOLEAKTRACE_BEFORE_6_9;
	if (L.slab_cache < 0 || L.freelist < 0 || L.counters < 0 ||
	    L.kcc_slab < 0) {
		error(INFO, "slab caches: neither struct slab nor struct page "
		      "has slab_cache, freelist and counters\n");
		return -1;
	}
	mlk_slab_counters_preset(&counters_layout, MLK_SLAB_COUNTERS_GEN_3_1);
	if (CRASHDEBUG(1))
		fprintf(fp, "memleak: layout: struct %s, kmem_cache %ld "
			"bytes, random %ld\n", struct_slab ? "slab" : "page",
			L.kc_size_of, L.kc_random);
	return missing ? -1 : 0;
}

const struct mlk_needs mlk_slub_needs = {
	"slab caches", slub_needs, MLK_COUNT(slub_needs), derive_slub, 1,
};

/* One CPU's active slab and its lockless freelist. */
struct cpu_slab {
	ulong slab;      /* struct slab / struct page address */
	ulong freelist;  /* first free object (never obfuscated) */
	uint32_t cache;  /* index into slub->caches */
};

struct mlk_slab_walk {
	struct mlk_slub *slub;
	struct mlk_index *ix;
	struct cpu_slab *cpu_slabs;
	size_t ncpu_slabs;
	struct mlk_buf span;      /* the slab's bytes, when needed */
	struct mlk_buf free_map;  /* one byte per object: 1 = free */
	ulong kfence_start, kfence_end;
};

/* ---- caches --------------------------------------------------------------- */

/* A 4- or 8-byte field; 0 when the kernel lacks it (off < 0). */
static uint64_t load_field(const unsigned char *buf, long off, int size)
{
	if (off < 0)
		return 0;
	return size == 4 ? mlk_get_u32(buf, off) : mlk_get_u64(buf, off);
}

struct cache_walk {
	struct mlk_slub *slub;
	size_t cap;
	unsigned char *kc_buf;
	int flags_size;
	int oom;
};

static int fill_cache(struct mlk_cache *c, ulong addr, const unsigned char *b,
		      int flags_size)
{
	ulong name_ptr = load_field(b, L.kc_name, 8);

	memset(c, 0, sizeof(*c));
	c->addr = addr;
	c->size = load_field(b, L.kc_size, 4);
	c->object_size = load_field(b, L.kc_object_size, 4);
	c->offset = load_field(b, L.kc_offset, 4);
	c->inuse = load_field(b, L.kc_inuse, 4);
	/* mm/slub.c: oo = order << 16 | objects of the preferred slab size */
	c->max_objects = L.kc_oo >= 0 ? load_field(b, L.kc_oo, 4) & 0xffff : 0;
	c->red_left_pad = load_field(b, L.kc_red_left_pad, 4);
	c->flags = load_field(b, L.kc_flags, flags_size);
	c->random = load_field(b, L.kc_random, 8);
	c->cpu_slab = load_field(b, L.kc_cpu_slab, 8);
	if (!name_ptr || !read_string(name_ptr, c->name, sizeof(c->name) - 1))
		snprintf(c->name, sizeof(c->name), "cache@%lx", addr);
	if (c->size == 0 || c->size > MAX_OBJECT_SIZE ||
	    c->object_size > c->size || c->red_left_pad >= c->size ||
	    c->offset + sizeof(ulong) > c->size)
		return -1;
	c->skipped = (c->flags & L.noleaktrace) != 0;
	c->store_user = (c->flags & L.store_user) != 0;
	return 0;
}

static int add_cache(ulong node, void *arg)
{
	struct cache_walk *w = arg;
	struct mlk_slub *slub = w->slub;
	ulong addr = node - L.kc_list;

	if (!mlk_readk(addr, w->kc_buf, L.kc_size_of)) {
		slub->st.caches_skipped++;
		return 0;
	}
	if (mlk_array_grow((void **)&slub->caches, &w->cap, slub->ncaches,
			   sizeof(*slub->caches), 256) < 0) {
		w->oom = 1;
		return 1;
	}
	if (fill_cache(&slub->caches[slub->ncaches], addr, w->kc_buf,
		       w->flags_size) < 0) {
		error(INFO, "kmem_cache %lx has absurd sizes, skipped\n",
		      addr);
		slub->st.caches_skipped++;
		return 0;
	}
	slub->ncaches++;
	return 0;
}

static int cmp_cache_addr(const void *a, const void *b)
{
	ulong x = ((const struct mlk_cache *)a)->addr;
	ulong y = ((const struct mlk_cache *)b)->addr;

	return x < y ? -1 : x > y;
}

static long find_cache(const struct mlk_slub *slub, ulong addr)
{
	size_t lo = 0, hi = slub->ncaches;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		ulong m = slub->caches[mid].addr;

		if (m == addr)
			return (long)mid;
		if (m < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* Drops the second of two entries with the same address (a looped list). */
static void dedup_caches(struct mlk_slub *slub)
{
	size_t i, out = 0;

	for (i = 0; i < slub->ncaches; i++) {
		if (out && slub->caches[out - 1].addr == slub->caches[i].addr)
			continue;
		slub->caches[out++] = slub->caches[i];
	}
	slub->ncaches = out;
}

int mlk_slub_read_caches(struct mlk_slub *slub)
{
	struct cache_walk w = { .slub = slub };
	int truncated;
	size_t i;

	if (!symbol_exists("slab_caches")) {
		error(INFO, "symbol slab_caches not found\n");
		return -1;
	}
	w.flags_size = L.kc_flags_size == 8 ? 8 : 4;
	w.kc_buf = malloc(L.kc_size_of);
	if (!w.kc_buf)
		return -1;
	mlk_walk_list(symbol_value("slab_caches"), MAX_CACHES, add_cache, &w,
		      &truncated);
	free(w.kc_buf);
	if (w.oom)
		return -1;
	slub->st.cache_list_truncated = truncated;
	if (truncated)
		error(INFO, "the slab_caches list is corrupt; "
		      "using the %zu caches read before the damage\n",
		      slub->ncaches);
	qsort(slub->caches, slub->ncaches, sizeof(*slub->caches),
	      cmp_cache_addr);
	dedup_caches(slub);
	for (i = 0; i < slub->ncaches; i++)
		slub->st.caches_skipped += slub->caches[i].skipped;
	slub->st.caches = slub->ncaches;
	if (!slub->ncaches) {
		error(INFO, "no slab cache could be read\n");
		return -1;
	}
	return 0;
}

const struct mlk_cache *mlk_slub_cache_by_tag(const struct mlk_slub *slub,
					      uint32_t tag)
{
	return tag < slub->ncaches ? &slub->caches[tag] : NULL;
}

void mlk_slub_free(struct mlk_slub *slub)
{
	free(slub->caches);
	memset(slub, 0, sizeof(*slub));
}

/* ---- per-CPU active slabs -------------------------------------------------- */

static int cmp_cpu_slab(const void *a, const void *b)
{
	ulong x = ((const struct cpu_slab *)a)->slab;
	ulong y = ((const struct cpu_slab *)b)->slab;

	return x < y ? -1 : x > y;
}

static int read_cpu_slabs(struct mlk_slab_walk *w)
{
	const struct mlk_slub *slub = w->slub;
	int ncpus = mlk_possible_cpus();
	size_t i, n = 0;
	int cpu;

	w->cpu_slabs = calloc(slub->ncaches * (size_t)ncpus,
			      sizeof(*w->cpu_slabs));
	if (!w->cpu_slabs)
		return -1;
	for (i = 0; i < slub->ncaches; i++) {
		const struct mlk_cache *c = &slub->caches[i];

		for (cpu = 0; cpu < ncpus && c->cpu_slab; cpu++) {
			ulong kcc = c->cpu_slab + kt->__per_cpu_offset[cpu];
			ulong slab, freelist;

			if (!mlk_read_ulong(kcc + L.kcc_slab, &slab) ||
			    !mlk_read_ulong(kcc + L.kcc_freelist,
					    &freelist) || !slab)
				continue;
			w->cpu_slabs[n].slab = slab;
			w->cpu_slabs[n].freelist = freelist;
			w->cpu_slabs[n].cache = (uint32_t)i;
			n++;
		}
	}
	qsort(w->cpu_slabs, n, sizeof(*w->cpu_slabs), cmp_cpu_slab);
	w->ncpu_slabs = n;
	return 0;
}

static const struct cpu_slab *find_cpu_slab(const struct mlk_slab_walk *w,
					    ulong slab)
{
	struct cpu_slab key = { .slab = slab };

	return bsearch(&key, w->cpu_slabs, w->ncpu_slabs,
		       sizeof(*w->cpu_slabs), cmp_cpu_slab);
}

/* ---- one slab ------------------------------------------------------------------ */

struct slab_info {
	ulong page;        /* struct page / struct slab address */
	const struct mlk_cache *cache;
	uint32_t cache_idx;
	struct mlk_slub_cache_desc shape; /* the cache, as the decoder takes it */
	struct mlk_slub_slab_desc slab;   /* base, counters, freelist heads */
};

static struct mlk_slub_cache_desc cache_shape(const struct mlk_cache *c)
{
	struct mlk_slub_cache_desc shape = {
		.size = c->size,
		.offset = c->offset,
		.red_left_pad = c->red_left_pad,
		.random = c->random,
		.hardened = L.kc_random >= 0,
	};

	return shape;
}

static int add_objects(struct mlk_slab_walk *w, const struct slab_info *s,
		       const unsigned char *is_free)
{
	const struct mlk_cache *c = s->cache;
	uint32_t i;

	for (i = 0; i < s->slab.objects; i++) {
		ulong obj = mlk_slub_object_addr(&s->shape, &s->slab, i);

		if (is_free && is_free[i])
			continue;
		if (mlk_index_add(w->ix, obj, c->object_size, MLK_KIND_SLAB,
				  s->cache_idx, 1) < 0)
			return -1;
		w->slub->st.objects++;
		w->slub->caches[s->cache_idx].objects++;
	}
	return 0;
}

#define SLAB_INCONSISTENT 1

/*
 * Tracks the allocated objects of one slab: 0; SLAB_INCONSISTENT when its
 * freelists do not add up (nothing tracked); -1 when out of memory.
 */
static int process_slab(struct mlk_slab_walk *w, struct slab_info *s)
{
	struct mlk_slub_stats *st = &w->slub->st;
	ulong span_len = mlk_slub_slab_bytes(&s->shape, &s->slab);
	uint64_t nfree;

	if (!s->slab.freelist && !s->slab.cpu_freelist)
		return add_objects(w, s, NULL); /* full: nothing to read */
	if (mlk_buf_reserve(&w->span, span_len) < 0 ||
	    mlk_buf_reserve(&w->free_map, s->slab.objects) < 0)
		return -1;
	if (!mlk_readk(s->slab.base, w->span.data, span_len)) {
		st->slabs_unreadable++;
		st->objects_skipped += s->slab.inuse;
		return 0;
	}
	/* the freelists and the free-count rule (engine/slub_decode.h) */
	if (mlk_slub_mark_free(&s->shape, &s->slab, w->span.data, span_len,
			       w->free_map.data, &nfree) < 0)
		return SLAB_INCONSISTENT;
	st->free_objects += nfree;
	return add_objects(w, s, w->free_map.data);
}

/* Which objects are free is unknown: track none of them. */
static int skip_slab(struct mlk_slab_walk *w, const struct slab_info *s)
{
	ulong span_len = mlk_slub_slab_bytes(&s->shape, &s->slab);

	w->slub->st.freelists_corrupt++;
	w->slub->st.objects_skipped += s->slab.inuse;
	if (CRASHDEBUG(1))
		error(INFO, "slab %lx (%s): corrupt freelist, skipped\n",
		      s->page, s->cache->name);
	if (w->slub->skipped_roots)
		return mlk_roots_add(w->slub->skipped_roots, s->slab.base,
				     s->slab.base + span_len,
				     MLK_ROOT_SKIPPED);
	return 0;
}

/* struct slab's counters (engine/slub_decode.h: the bit fields). */
static struct mlk_slab_counters read_counters(const unsigned char *pg)
{
	struct mlk_slab_counters counters;

	mlk_slab_counters_decode(&counters_layout,
				 load_field(pg, L.counters, 8), &counters);
	return counters;
}

/*
 * A live system: the slab's struct slab and its CPU's freelist read again
 * (they change while memleak reads the slab). 0, or -1 if it is no longer
 * a slab of the same cache and size.
 */
static int reread_slab(struct mlk_slab_walk *w, struct slab_info *s)
{
	unsigned char pg[256];
	struct mlk_slab_counters now;
	int cpu;

	if (mlk_page.size <= 0 || (size_t)mlk_page.size > sizeof(pg) ||
	    !mlk_readk(s->page, pg, (size_t)mlk_page.size) ||
	    find_cache(w->slub, load_field(pg, L.slab_cache, 8)) !=
	    (long)s->cache_idx)
		return -1;
	now = read_counters(pg);
	if (now.objects != s->slab.objects || now.inuse > now.objects)
		return -1;
	s->slab.inuse = now.inuse;
	s->slab.frozen = now.frozen;
	s->slab.freelist = load_field(pg, L.freelist, 8);
	s->slab.cpu_freelist = 0;
	for (cpu = 0; cpu < mlk_possible_cpus() && s->cache->cpu_slab; cpu++) {
		ulong kcc = s->cache->cpu_slab + kt->__per_cpu_offset[cpu];
		ulong slab, freelist;

		if (mlk_read_ulong(kcc + L.kcc_slab, &slab) && slab == s->page &&
		    mlk_read_ulong(kcc + L.kcc_freelist, &freelist)) {
			s->slab.cpu_freelist = freelist;
			break;
		}
	}
	return 0;
}

static int slab_from_page(struct mlk_slab_walk *w, ulong page, ulong pfn,
			  const unsigned char *pg)
{
	struct mlk_slub_stats *st = &w->slub->st;
	const struct cpu_slab *cs;
	struct slab_info s = { .page = page };
	struct mlk_slab_counters counters;
	int rc, tries;
	long idx = find_cache(w->slub, load_field(pg, L.slab_cache, 8));

	st->slabs++;
	if (idx < 0) {
		st->slabs_unknown_cache++;
		return 0;
	}
	s.cache = &w->slub->caches[idx];
	s.cache_idx = (uint32_t)idx;
	if (s.cache->skipped)
		return 0;
	s.shape = cache_shape(s.cache);
	counters = read_counters(pg);
	s.slab.inuse = counters.inuse;
	s.slab.objects = counters.objects;
	s.slab.frozen = counters.frozen;
	if (s.slab.objects == 0 || s.slab.inuse > s.slab.objects ||
	    (s.cache->max_objects && s.slab.objects > s.cache->max_objects) ||
	    mlk_slub_slab_bytes(&s.shape, &s.slab) > MAX_SLAB_BYTES) {
		st->slabs_bad++;
		return 0;
	}
	s.slab.base = PTOV(pfn << PAGESHIFT());
	if (s.slab.base >= w->kfence_start && s.slab.base < w->kfence_end)
		return 0; /* KFENCE pool: objects placed differently */
	s.slab.freelist = load_field(pg, L.freelist, 8);
	cs = find_cpu_slab(w, page);
	if (cs && cs->cache == s.cache_idx)
		s.slab.cpu_freelist = cs->freelist;
	w->slub->caches[idx].slabs++;
	rc = process_slab(w, &s);
	/* live: the slab changed while it was read; read it again */
	for (tries = 0; rc == SLAB_INCONSISTENT && ACTIVE() &&
	     tries < LIVE_SLAB_RETRIES && reread_slab(w, &s) == 0; tries++)
		rc = process_slab(w, &s);
	if (rc == SLAB_INCONSISTENT)
		return skip_slab(w, &s);
	if (tries)
		st->slabs_reread++;
	return rc;
}

/* ---- the struct page visitor ---------------------------------------------- */

static int is_slab_head(const unsigned char *pg)
{
	return mlk_page_is_slab(pg) && !mlk_page_is_tail(pg);
}

int mlk_slub_visit_page(void *arg, ulong page, ulong pfn,
			const unsigned char *pg)
{
	struct mlk_slab_walk *w = arg;

	if (!is_slab_head(pg))
		return 0;
	return slab_from_page(w, page, pfn, pg);
}

static void find_kfence_pool(struct mlk_slab_walk *w)
{
	ulong pool;
	long nobj;

	if (!symbol_exists("__kfence_pool") ||
	    !mlk_read_ulong(symbol_value("__kfence_pool"), &pool) || !pool)
		return;
	/* mm/kfence/core.c: KFENCE_POOL_SIZE = (NUM_OBJECTS + 1) * 2 pages */
	nobj = L.kfence_objects;
	if (nobj <= 0)
		return;
	w->kfence_start = pool;
	w->kfence_end = pool + (ulong)(nobj + 1) * 2 * PAGESIZE();
}

struct mlk_slab_walk *mlk_slub_walk_begin(struct mlk_slub *slub,
					  struct mlk_index *ix)
{
	struct mlk_slab_walk *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->slub = slub;
	w->ix = ix;
	if (read_cpu_slabs(w) < 0) {
		free(w);
		return NULL;
	}
	find_kfence_pool(w);
	return w;
}

void mlk_slub_walk_end(struct mlk_slab_walk *w)
{
	if (!w)
		return;
	mlk_buf_free(&w->span);
	mlk_buf_free(&w->free_map);
	free(w->cpu_slabs);
	free(w);
}

ulong mlk_slub_slab_of(ulong addr)
{
	ulong page;

	if (!phys_to_page((physaddr_t)VTOP(addr), &page))
		return 0;
	return mlk_page_head_of(page);
}
