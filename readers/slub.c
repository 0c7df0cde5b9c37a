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
 *   - 7.0+ has no kmem_cache_cpu ("slab: remove struct kmem_cache_cpu",
 *     7.0): no CPU slab, no lockless freelist; slab->inuse is exact;
 *   - objects cached in SLUB sheaves (6.18 opt-in, 2d517aa09bbc "slab: add
 *     opt-in caching layer of percpu sheaves"; every cache but debug and
 *     boot caches since 7.0): the slab counts them in inuse, yet they are
 *     free. Subtracted: each CPU's main, spare and rcu_free sheaf
 *     (s->cpu_sheaves), each node barn's full sheaves (7.1+
 *     s->per_node[n].barn, 5ba6bc27b1f9 "slab: decouple pointer to barn
 *     from kmem_cache_node"; before it kmem_cache_node.barn), sheaves
 *     waiting on a CPU's RCU callback list (rcu_data.cblist and
 *     .nocb_bypass, callback rcu_free_sheaf or rcu_free_sheaf_nobarn:
 *     kfree_rcu()'d objects and flushed rcu_free sheaves), and the per-CPU
 *     deferred-free list of kfree_nolock() (defer_free_objects, linked at
 *     object + s->offset). Every pointer must be the start of an object
 *     of a slab of the sheaf's own cache, not on its freelist and not met
 *     twice (engine/slub_decode.c: mlk_sheaf_ptrs_mark()); any other is
 *     counted as damage and trusted for nothing.
 *     Not subtracted (their objects stay tracked as allocated; each is
 *     referenced from the structure that holds it, so none can be
 *     reported as a leak, at worst a leak referenced only from such a
 *     freed object is missed): caller-owned prefilled sheaves
 *     (kmem_cache_prefill_sheaf(), the maple tree's: on no list), sheaves
 *     and objects on a local list of a CPU caught mid-flush or inside
 *     rcu_do_batch(), kfree_rcu() batches (kfree_rcu_cpu: head chain,
 *     bulk pages) of caches without sheaves.
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
/* Bounds of the sheaf walks. */
#define MAX_SHEAF_OBJECTS  4096     /* a sheaf's size without a capacity */
#define MAX_BARN_SHEAVES   4096     /* full sheaves on one barn's list */
#define MAX_NUMA_NODES     1024
#define MAX_RCU_CALLBACKS  (1L << 22) /* one CPU's callback list */
#define MAX_DEFERRED_FREES (1L << 20) /* one CPU's kfree_nolock() list */

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
	/* sheaves (6.18+) */
	long kc_cpu_sheaves, kc_sheaf_capacity;
	long kc_per_node, kc_per_node_size, pnp_size, pnp_barn; /* 7.1+ */
	long kc_node, kc_node_size, kcn_barn;                   /* < 7.1 */
	long pcs_main, pcs_spare, pcs_rcu_free;
	long sheaf_cache, sheaf_size, sheaf_objects, sheaf_barn_list,
	     sheaf_rcu_head;
	long barn_full, barn_nr_full;
	long rd_cblist, rd_nocb_bypass, scl_head, cl_head, cbh_next, cbh_func;
	long df_objects;
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
	/*
	 * Per-CPU slabs up to 6.19; 7.0 removed them with struct
	 * kmem_cache_cpu ("slab: remove struct kmem_cache_cpu",
	 * 32c894c7274b): optional, checked in derive_slub() against sheaves.
	 */
	MLK_MEMBER(&L.kc_cpu_slab, "kmem_cache", "cpu_slab", MLK_OPTIONAL),
	MLK_MEMBER(&L.kcc_freelist, "kmem_cache_cpu", "freelist",
		   MLK_OPTIONAL),
	MLK_MEMBER(&L.kcc_slab_5_17, "kmem_cache_cpu", "slab", MLK_OPTIONAL),
	MLK_MEMBER(&L.kcc_page, "kmem_cache_cpu", "page", MLK_OPTIONAL),
	/* CONFIG_KFENCE: mm/kfence/core.c, its pool's object count */
	MLK_ARRAY_LEN(&L.kfence_objects, "kfence_metadata", MLK_OPTIONAL),
	/*
	 * SLUB sheaves ("slab: add opt-in caching layer of percpu sheaves",
	 * 2d517aa09bbc, 6.18; every cache from 7.0): objects cached in a
	 * CPU's sheaves or a node's barn are free although the slab's
	 * counters say allocated (see the top of this file).
	 */
	MLK_MEMBER(&L.kc_cpu_sheaves, "kmem_cache", "cpu_sheaves",
		   MLK_OPTIONAL),
	/* 0: pcs->main is the shared empty bootstrap_sheaf (mm/slab.h:
	 * cache_has_sheaves()) */
	MLK_MEMBER(&L.kc_sheaf_capacity, "kmem_cache", "sheaf_capacity",
		   MLK_OPTIONAL),
	/* 7.1+: 5ba6bc27b1f9 "slab: decouple pointer to barn from
	 * kmem_cache_node": s->per_node[n] = { barn, node } */
	MLK_MEMBER(&L.kc_per_node, "kmem_cache", "per_node", MLK_OPTIONAL),
	MLK_MEMBER_SIZE(&L.kc_per_node_size, "kmem_cache", "per_node",
			MLK_OPTIONAL),
	MLK_SIZE(&L.pnp_size, "kmem_cache_per_node_ptrs", MLK_OPTIONAL),
	MLK_MEMBER(&L.pnp_barn, "kmem_cache_per_node_ptrs", "barn",
		   MLK_OPTIONAL),
	/* 6.18 - 7.0: s->node[n]->barn */
	MLK_MEMBER(&L.kc_node, "kmem_cache", "node", MLK_OPTIONAL),
	MLK_MEMBER_SIZE(&L.kc_node_size, "kmem_cache", "node", MLK_OPTIONAL),
	MLK_MEMBER(&L.kcn_barn, "kmem_cache_node", "barn", MLK_OPTIONAL),
	MLK_MEMBER(&L.pcs_main, "slub_percpu_sheaves", "main", MLK_OPTIONAL),
	MLK_MEMBER(&L.pcs_spare, "slub_percpu_sheaves", "spare",
		   MLK_OPTIONAL),
	MLK_MEMBER(&L.pcs_rcu_free, "slub_percpu_sheaves", "rcu_free",
		   MLK_OPTIONAL),
	MLK_MEMBER(&L.sheaf_cache, "slab_sheaf", "cache", MLK_OPTIONAL),
	MLK_MEMBER(&L.sheaf_size, "slab_sheaf", "size", MLK_OPTIONAL),
	MLK_MEMBER(&L.sheaf_objects, "slab_sheaf", "objects", MLK_OPTIONAL),
	MLK_MEMBER_ANY(&L.sheaf_barn_list, "slab_sheaf", "barn_list",
		       MLK_OPTIONAL),
	/* "struct rcu_head rcu_head": #define rcu_head callback_head
	 * (include/linux/types.h) renames the member too */
	MLK_MEMBER_ANY(&L.sheaf_rcu_head, "slab_sheaf", "callback_head",
		       MLK_OPTIONAL),
	MLK_MEMBER(&L.barn_full, "node_barn", "sheaves_full", MLK_OPTIONAL),
	MLK_MEMBER(&L.barn_nr_full, "node_barn", "nr_full", MLK_OPTIONAL),
	/* sheaves handed to call_rcu(): kernel/rcu/tree.h, rcu_segcblist.h */
	MLK_MEMBER(&L.rd_cblist, "rcu_data", "cblist", MLK_OPTIONAL),
	MLK_MEMBER(&L.rd_nocb_bypass, "rcu_data", "nocb_bypass",
		   MLK_OPTIONAL),
	MLK_MEMBER(&L.scl_head, "rcu_segcblist", "head", MLK_OPTIONAL),
	MLK_MEMBER(&L.cl_head, "rcu_cblist", "head", MLK_OPTIONAL),
	MLK_MEMBER(&L.cbh_next, "callback_head", "next", MLK_OPTIONAL),
	MLK_MEMBER(&L.cbh_func, "callback_head", "func", MLK_OPTIONAL),
	/* kfree_nolock()'s deferred frees (mm/slub.c: defer_free_objects):
	 * af92793e52c3 "slab: Introduce kmalloc_nolock() and
	 * kfree_nolock()." (6.18) */
	MLK_MEMBER(&L.df_objects, "defer_free", "objects", MLK_OPTIONAL),
};

/* What this kernel's SLUB keeps per CPU. */
static int have_cpu_slabs(void)
{
	return L.kc_cpu_slab >= 0;
}

static int have_sheaves(void)
{
	return L.kc_cpu_sheaves >= 0 && L.pcs_main >= 0 &&
	       L.sheaf_cache >= 0 && L.sheaf_size >= 0 &&
	       L.sheaf_objects >= 0;
}

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
	if (L.slab_cache < 0 || L.freelist < 0 || L.counters < 0) {
		error(INFO, "slab caches: neither struct slab nor struct page "
		      "has slab_cache, freelist and counters\n");
		return -1;
	}
	if (have_cpu_slabs() && (L.kcc_slab < 0 || L.kcc_freelist < 0)) {
		error(INFO, "slab caches: kmem_cache.cpu_slab without "
		      "kmem_cache_cpu.freelist and .slab (or .page)\n");
		return -1;
	}
	if (!have_cpu_slabs() && !have_sheaves()) {
		/* neither world understood: objects would pass for leaks */
		error(INFO, "slab caches: neither per-CPU slabs "
		      "(kmem_cache.cpu_slab) nor per-CPU sheaves "
		      "(kmem_cache.cpu_sheaves, slab_sheaf) in the debuginfo: "
		      "free objects cached per CPU cannot be told\n");
		return -1;
	}
	mlk_slab_counters_preset(&counters_layout, MLK_SLAB_COUNTERS_GEN_3_1);
	if (CRASHDEBUG(1))
		fprintf(fp, "memleak: layout: struct %s, kmem_cache %ld "
			"bytes, random %ld, cpu slabs %d, sheaves %d, "
			"barn %s\n", struct_slab ? "slab" : "page",
			L.kc_size_of, L.kc_random, have_cpu_slabs(),
			have_sheaves(), L.kc_per_node >= 0 ? "per_node" :
			L.kcn_barn >= 0 ? "node" : "none");
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
	struct mlk_sheaf_ptrs sheaf_ptrs; /* objects free in sheaves */
	struct mlk_buf sheaf_buf;         /* one sheaf's object array */
	uint64_t rcu_callbacks;           /* walked, for -d 1 */
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
	c->cpu_sheaves = load_field(b, L.kc_cpu_sheaves, 8);
	c->sheaf_capacity = L.kc_sheaf_capacity >= 0 ?
		(uint32_t)load_field(b, L.kc_sheaf_capacity, 4) :
		MAX_SHEAF_OBJECTS;
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

	if (!have_cpu_slabs())
		return 0; /* 7.0+: no kmem_cache_cpu */
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


/* ---- sheaves (6.18+) ------------------------------------------------------- */

/* Where a sheaf was found, for the messages: "CPU 1 main", "node 0 barn". */
struct sheaf_place {
	const char *kind;  /* "CPU", "node", "RCU callback" */
	long n;            /* its CPU or node; < 0: none */
	const char *which; /* "main", "spare", "rcu_free", "barn", "" */
};

/*
 * A sheaf that cannot be trusted: counted, named with set debug 1; none of
 * its pointers is used, so its objects stay tracked (referenced from the
 * sheaf, not reported).
 */
static void refuse_sheaf(struct mlk_slab_walk *w, ulong addr, uint32_t idx,
			 const struct sheaf_place *at, const char *why)
{
	w->slub->st.sheaves_bad++;
	if (!CRASHDEBUG(1))
		return;
	if (at->n >= 0)
		error(INFO, "sheaf %lx (%s, %s %ld %s): %s; ignored\n", addr,
		      w->slub->caches[idx].name, at->kind, at->n, at->which,
		      why);
	else
		error(INFO, "sheaf %lx (%s, %s): %s; ignored\n", addr,
		      w->slub->caches[idx].name, at->kind, why);
}

/*
 * One sheaf at addr of cache idx (NULL: none): its object pointers go into
 * the walk's set. The sheaf must name the cache and hold no more than max
 * objects (mm/slub.c: a sheaf's size never exceeds its capacity, and
 * sheaf->cache is set at __alloc_empty_sheaf()); otherwise it is damage
 * and none of its pointers is used.
 */
static int read_sheaf(struct mlk_slab_walk *w, ulong addr, uint32_t idx,
		      uint32_t max, const struct sheaf_place *at)
{
	const struct mlk_cache *c = &w->slub->caches[idx];
	char why[96];
	ulong cache;
	uint32_t size, i;
	size_t len;

	if (!addr)
		return 0;
	if (!mlk_read_ulong(addr + L.sheaf_cache, &cache) ||
	    !mlk_readk(addr + L.sheaf_size, &size, sizeof(size))) {
		refuse_sheaf(w, addr, idx, at, "unreadable");
		return 0;
	}
	if (cache != c->addr) {
		snprintf(why, sizeof(why), "its cache field is %lx, not the "
			 "cache's %lx", cache, c->addr);
		refuse_sheaf(w, addr, idx, at, why);
		return 0;
	}
	if (size > max) {
		snprintf(why, sizeof(why), "size %u above its capacity %u",
			 size, max);
		refuse_sheaf(w, addr, idx, at, why);
		return 0;
	}
	w->slub->st.sheaves++;
	if (!size)
		return 0;
	len = (size_t)size * sizeof(ulong);
	if (mlk_buf_reserve(&w->sheaf_buf, len) < 0)
		return -1;
	if (!mlk_readk(addr + L.sheaf_objects, w->sheaf_buf.data, len)) {
		refuse_sheaf(w, addr, idx, at, "objects unreadable");
		return 0;
	}
	for (i = 0; i < size; i++)
		if (mlk_sheaf_ptrs_add(&w->sheaf_ptrs,
				       mlk_get_u64(w->sheaf_buf.data,
						   (long)i * 8), idx) < 0)
			return -1;
	return 0;
}

struct barn_walk {
	struct mlk_slab_walk *w;
	uint32_t idx;
	struct sheaf_place at;
	int oom;
};

static int barn_sheaf(ulong node, void *arg)
{
	struct barn_walk *b = arg;
	const struct mlk_cache *c = &b->w->slub->caches[b->idx];

	if (read_sheaf(b->w, node - L.sheaf_barn_list, b->idx,
		       c->sheaf_capacity, &b->at) < 0) {
		b->oom = 1;
		return 1;
	}
	return 0;
}

/* The barn of NUMA node n of cache c, or 0. */
static ulong barn_of(const struct mlk_cache *c, long n)
{
	ulong barn = 0, kcn;

	if (L.kc_per_node >= 0 && L.pnp_barn >= 0 && L.pnp_size > 0) {
		if (n >= L.kc_per_node_size / L.pnp_size ||
		    !mlk_read_ulong(c->addr + L.kc_per_node + n * L.pnp_size +
				    L.pnp_barn, &barn))
			return 0;
	} else if (L.kc_node >= 0 && L.kcn_barn >= 0) {
		if (n >= L.kc_node_size / (long)sizeof(ulong) ||
		    !mlk_read_ulong(c->addr + L.kc_node + n * sizeof(ulong),
				    &kcn) || !kcn ||
		    !mlk_read_ulong(kcn + L.kcn_barn, &barn))
			return 0;
	}
	return barn;
}

/*
 * Node n's barn of cache c, damaged: its pointer unreadable, or its list
 * of full sheaves looped or run into garbage (mm/slub.c: barn_init(),
 * barn_put_full_sheaf()). The sheaves not read keep their objects tracked.
 */
static void barn_damaged(struct mlk_slab_walk *w, const struct mlk_cache *c,
			 long n, ulong barn, long read)
{
	w->slub->st.sheaves_bad++;
	if (read < 0)
		error(INFO, "%s: the barn of node %ld (%lx) is unreadable; its "
		      "sheaves are not read\n", c->name, n, barn);
	else
		error(INFO, "%s: the full-sheaves list of node %ld's barn is "
		      "damaged; %ld sheaves read\n", c->name, n, read);
}

/* A node barn's full sheaves (its empty ones hold nothing). */
static int read_barns(struct mlk_slab_walk *w, uint32_t idx, long nodes)
{
	const struct mlk_cache *c = &w->slub->caches[idx];
	struct barn_walk b = { .w = w, .idx = idx,
			       .at = { "node", 0, "barn" } };
	ulong first;
	long n, read;
	int truncated;

	if (L.barn_full < 0 || L.sheaf_barn_list < 0)
		return 0;
	for (n = 0; n < nodes; n++) {
		ulong barn = barn_of(c, n);

		if (!barn)
			continue;
		if (!IS_KVADDR(barn) ||
		    !mlk_read_ulong(barn + L.barn_full, &first)) {
			barn_damaged(w, c, n, barn, -1);
			continue;
		}
		b.at.n = n;
		read = mlk_walk_list(barn + L.barn_full, MAX_BARN_SHEAVES,
				     barn_sheaf, &b, &truncated);
		if (b.oom)
			return -1;
		if (truncated)
			barn_damaged(w, c, n, barn, read);
	}
	return 0;
}

static long numa_nodes(void)
{
	int n;

	if (!symbol_exists("nr_node_ids") ||
	    !mlk_readk(symbol_value("nr_node_ids"), &n, sizeof(n)) || n < 1)
		return 1;
	return n > MAX_NUMA_NODES ? MAX_NUMA_NODES : n;
}

/*
 * Sheaves on one RCU callback list from head: rcu_free_sheaf() (the
 * kfree_rcu() batches of caches with sheaves) and rcu_free_sheaf_nobarn()
 * (rcu_free sheaves flushed) free every object of the sheaf after the
 * grace period.
 */
static int rcu_list_sheaves(struct mlk_slab_walk *w, ulong head,
			    ulong fn1, ulong fn2)
{
	const struct sheaf_place rcu = { "RCU callback", -1, "" };
	ulong cb = head, func;
	long n;

	for (n = 0; cb && n < MAX_RCU_CALLBACKS; n++) {
		if (!IS_KVADDR(cb) || !mlk_read_ulong(cb + L.cbh_func, &func))
			return 0;
		w->rcu_callbacks++;
		if (func && (func == fn1 || func == fn2)) {
			ulong sheaf = cb - L.sheaf_rcu_head, cache;
			long idx;

			if (!mlk_read_ulong(sheaf + L.sheaf_cache, &cache) ||
			    (idx = find_cache(w->slub, cache)) < 0 ||
			    w->slub->caches[idx].skipped) {
				w->slub->st.sheaves_bad++;
			} else {
				w->slub->st.sheaves_rcu++;
				/* a prefilled sheaf's capacity may differ */
				if (read_sheaf(w, sheaf, (uint32_t)idx,
					       MAX_SHEAF_OBJECTS, &rcu) < 0)
					return -1;
			}
		}
		if (!mlk_read_ulong(cb + L.cbh_next, &cb))
			return 0;
	}
	return 0;
}

static ulong symbol_or_0(const char *name)
{
	return symbol_exists((char *)name) ? symbol_value((char *)name) : 0;
}

static int read_rcu_sheaves(struct mlk_slab_walk *w)
{
	ulong fn1 = symbol_or_0("rcu_free_sheaf");
	ulong fn2 = symbol_or_0("rcu_free_sheaf_nobarn");
	ulong rdp, head;
	int cpu;

	if ((!fn1 && !fn2) || !symbol_exists("rcu_data") ||
	    L.rd_cblist < 0 || L.scl_head < 0 || L.cbh_next < 0 ||
	    L.cbh_func < 0 || L.sheaf_rcu_head < 0)
		return 0;
	for (cpu = 0; cpu < mlk_possible_cpus(); cpu++) {
		rdp = symbol_value("rcu_data") + kt->__per_cpu_offset[cpu];
		if (mlk_read_ulong(rdp + L.rd_cblist + L.scl_head, &head) &&
		    rcu_list_sheaves(w, head, fn1, fn2) < 0)
			return -1;
		if (L.rd_nocb_bypass >= 0 && L.cl_head >= 0 &&
		    mlk_read_ulong(rdp + L.rd_nocb_bypass + L.cl_head, &head) &&
		    rcu_list_sheaves(w, head, fn1, fn2) < 0)
			return -1;
	}
	return 0;
}

/*
 * kfree_nolock()'s per-CPU deferred frees (mm/slub.c: defer_free()): an
 * llist linked through each object's free pointer word, object +
 * s->offset, in clear; the cache is the slab's.
 */
static int read_deferred_frees(struct mlk_slab_walk *w)
{
	ulong base = symbol_or_0("defer_free_objects");
	int cpu;

	if (!base || L.df_objects < 0)
		return 0;
	for (cpu = 0; cpu < mlk_possible_cpus(); cpu++) {
		ulong node, slab, cache;
		long n, idx;

		if (!mlk_read_ulong(base + kt->__per_cpu_offset[cpu] +
				    L.df_objects, &node))
			continue;
		for (n = 0; node && n < MAX_DEFERRED_FREES; n++) {
			if (!IS_KVADDR(node) || !(slab = mlk_slub_slab_of(node)) ||
			    !mlk_read_ulong(slab + L.slab_cache, &cache) ||
			    (idx = find_cache(w->slub, cache)) < 0) {
				w->slub->st.sheaf_unmatched++;
				break;
			}
			if (mlk_sheaf_ptrs_add(&w->sheaf_ptrs,
					       node - w->slub->caches[idx].offset,
					       (uint32_t)idx) < 0)
				return -1;
			w->slub->st.deferred_free++;
			if (!mlk_read_ulong(node, &node))
				break;
		}
	}
	return 0;
}

/*
 * One CPU's main, spare and rcu_free sheaves of cache idx. The main sheaf
 * of a cache with sheaves is never NULL (mm/slub.c: init_percpu_sheaves():
 * "fast paths assume s->cpu_sheaves and pcs->main always exists"): a NULL
 * one is damage, and whatever sheaf it held is lost.
 */
static int read_cpu_sheaves(struct mlk_slab_walk *w, uint32_t idx, int cpu)
{
	static const char *const names[] = { "main", "spare", "rcu_free" };
	const long fields[] = { L.pcs_main, L.pcs_spare, L.pcs_rcu_free };
	const struct mlk_cache *c = &w->slub->caches[idx];
	ulong pcs = c->cpu_sheaves + kt->__per_cpu_offset[cpu];
	size_t k;

	for (k = 0; k < MLK_COUNT(fields); k++) {
		struct sheaf_place at = { "CPU", cpu, names[k] };
		ulong sheaf;

		if (fields[k] < 0 || !mlk_read_ulong(pcs + fields[k], &sheaf))
			continue;
		if (!sheaf && fields[k] == L.pcs_main)
			refuse_sheaf(w, 0, idx, &at, "NULL, yet a cache "
				     "with sheaves always has a main sheaf");
		else if (read_sheaf(w, sheaf, idx, c->sheaf_capacity, &at) < 0)
			return -1;
	}
	return 0;
}

static int read_sheaves(struct mlk_slab_walk *w)
{
	struct mlk_slub *slub = w->slub;
	long nodes = numa_nodes();
	int ncpus = mlk_possible_cpus(), cpu;
	size_t i;

	if (!have_sheaves())
		return 0;
	for (i = 0; i < slub->ncaches; i++) {
		const struct mlk_cache *c = &slub->caches[i];

		if (c->skipped || !c->cpu_sheaves || !c->sheaf_capacity)
			continue;
		for (cpu = 0; cpu < ncpus; cpu++)
			if (read_cpu_sheaves(w, (uint32_t)i, cpu) < 0)
				return -1;
		if (read_barns(w, (uint32_t)i, nodes) < 0)
			return -1;
	}
	if (read_rcu_sheaves(w) < 0 || read_deferred_frees(w) < 0)
		return -1;
	slub->st.sheaf_wild += mlk_sheaf_ptrs_sort(&w->sheaf_ptrs);
	if (w->kfence_end)
		slub->st.sheaf_skipped += mlk_sheaf_ptrs_skip(&w->sheaf_ptrs,
			w->kfence_start, w->kfence_end);
	return 0;
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
	int in_sheaves = mlk_sheaf_ptrs_any(&w->sheaf_ptrs, s->slab.base,
					    s->slab.base + span_len);
	uint64_t nfree, sheaf_free = 0;

	if (!s->slab.freelist && !s->slab.cpu_freelist && !in_sheaves)
		return add_objects(w, s, NULL); /* full: nothing to read */
	if (mlk_buf_reserve(&w->span, span_len) < 0 ||
	    mlk_buf_reserve(&w->free_map, s->slab.objects) < 0)
		return -1;
	if (!s->slab.freelist && !s->slab.cpu_freelist) {
		/* full but for objects in sheaves: no freelist to read */
		memset(w->free_map.data, 0, s->slab.objects);
		nfree = 0;
		if (!mlk_slub_free_count_ok(&s->slab, 0))
			return SLAB_INCONSISTENT;
	} else if (!mlk_readk(s->slab.base, w->span.data, span_len)) {
		st->slabs_unreadable++;
		st->objects_skipped += s->slab.inuse;
		st->sheaf_skipped += mlk_sheaf_ptrs_skip(&w->sheaf_ptrs,
			s->slab.base, s->slab.base + span_len);
		return 0;
	} else if (mlk_slub_mark_free(&s->shape, &s->slab, w->span.data,
				      span_len, w->free_map.data, &nfree) < 0) {
		/* the freelists and the free-count rule (slub_decode.h) */
		return SLAB_INCONSISTENT;
	}
	/* objects cached in sheaves: counted in inuse, free all the same */
	mlk_sheaf_ptrs_mark(&w->sheaf_ptrs, &s->shape, &s->slab, s->cache_idx,
			    w->free_map.data, &sheaf_free, &st->sheaf_wild);
	st->sheaf_free += sheaf_free;
	st->free_objects += nfree + sheaf_free;
	return add_objects(w, s, w->free_map.data);
}

/* Which objects are free is unknown: track none of them. */
static int skip_slab(struct mlk_slab_walk *w, const struct slab_info *s)
{
	ulong span_len = mlk_slub_slab_bytes(&s->shape, &s->slab);

	w->slub->st.freelists_corrupt++;
	w->slub->st.objects_skipped += s->slab.inuse;
	w->slub->st.sheaf_skipped += mlk_sheaf_ptrs_skip(&w->sheaf_ptrs,
		s->slab.base, s->slab.base + span_len);
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
	for (cpu = 0; cpu < mlk_possible_cpus() && s->cache->cpu_slab &&
	     have_cpu_slabs(); cpu++) {
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

static int is_slab_head(const unsigned char *pg)
{
	return mlk_page_is_slab(pg) && !mlk_page_is_tail(pg);
}

/*
 * A live system changes between the struct page read and the report:
 * a full slab can be freed, its page given to someone else (a page table,
 * say) and its "objects" read as garbage with no allocation record. In
 * the spirit of kmemleak's checksum rule (mm/kmemleak.c: an object that
 * changed since the last scan is not reported), each slab orphan of a live
 * run is read again before it is reported.
 */
int mlk_slub_still_allocated(struct mlk_slub *slub, ulong obj,
			     uint32_t cache_idx)
{
	struct mlk_slab_walk w = { .slub = slub };
	struct slab_info s = { .cache_idx = cache_idx };
	unsigned char pg[256];
	physaddr_t phys;
	ulong span_len;
	uint64_t nfree;
	int64_t i;
	int rc = -1;

	if (cache_idx >= slub->ncaches)
		return -1;
	s.cache = &slub->caches[cache_idx];
	s.shape = cache_shape(s.cache);
	s.page = mlk_slub_slab_of(obj);
	if (!s.page || mlk_page.size <= 0 ||
	    (size_t)mlk_page.size > sizeof(pg) ||
	    !mlk_readk(s.page, pg, (size_t)mlk_page.size) ||
	    !is_page_ptr(s.page, &phys))
		return -1;
	if (!is_slab_head(pg))
		return 0; /* the page is no longer a slab */
	s.slab.objects = read_counters(pg).objects;
	s.slab.base = PTOV(phys);
	if (reread_slab(&w, &s) < 0)
		return 0; /* a slab of another cache or shape now */
	i = mlk_slub_object_index(&s.shape, &s.slab, obj);
	span_len = mlk_slub_slab_bytes(&s.shape, &s.slab);
	if (i < 0 || span_len > MAX_SLAB_BYTES)
		return 0;
	if (!s.slab.freelist && !s.slab.cpu_freelist)
		return 1; /* full */
	if (mlk_buf_reserve(&w.span, span_len) == 0 &&
	    mlk_buf_reserve(&w.free_map, s.slab.objects) == 0 &&
	    mlk_readk(s.slab.base, w.span.data, span_len) &&
	    mlk_slub_mark_free(&s.shape, &s.slab, w.span.data, span_len,
			       w.free_map.data, &nfree) == 0)
		rc = !w.free_map.data[i];
	mlk_buf_free(&w.span);
	mlk_buf_free(&w.free_map);
	return rc;
}

/* ---- the struct page visitor ---------------------------------------------- */

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
	find_kfence_pool(w);
	if (read_cpu_slabs(w) < 0 || read_sheaves(w) < 0) {
		mlk_slub_walk_end(w);
		return NULL;
	}
	return w;
}

void mlk_slub_walk_end(struct mlk_slab_walk *w)
{
	if (!w)
		return;
	w->slub->st.sheaf_unmatched +=
		mlk_sheaf_ptrs_count(&w->sheaf_ptrs, MLK_SHEAF_PENDING);
	if (CRASHDEBUG(1))
		fprintf(fp, "memleak: sheaves: %llu read (%llu from %llu RCU "
			"callbacks), %llu bad; %llu objects free in them "
			"(%llu deferred frees), %llu wild, %llu in no slab, "
			"%llu in untracked slabs\n",
			(unsigned long long)w->slub->st.sheaves,
			(unsigned long long)w->slub->st.sheaves_rcu,
			(unsigned long long)w->rcu_callbacks,
			(unsigned long long)w->slub->st.sheaves_bad,
			(unsigned long long)w->slub->st.sheaf_free,
			(unsigned long long)w->slub->st.deferred_free,
			(unsigned long long)w->slub->st.sheaf_wild,
			(unsigned long long)w->slub->st.sheaf_unmatched,
			(unsigned long long)w->slub->st.sheaf_skipped);
	mlk_sheaf_ptrs_free(&w->sheaf_ptrs);
	mlk_buf_free(&w->sheaf_buf);
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
