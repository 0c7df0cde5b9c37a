// SPDX-License-Identifier: GPL-2.0
/*
 * memleak_bench.ko - fills kernel memory with millions of small, linked slab
 * objects (plus a few vmalloc areas and a handful of planted leaks), for the
 * benchmark of the kmemleak crash extension (bench/ of the kmemleak project).
 *
 * Module parameters:
 *   nobjs     slab objects to allocate in all (default 10,000,000)
 *   nthreads  filling kthreads, one per CPU, round robin (0: one per online CPU)
 *   vareas    vmalloc'ed payload areas of VAREA_SIZE bytes each (default 16)
 *
 * What it builds (everything reachable from the module's globals):
 *   - singly linked lists (word 0 = next, word 1 = a "cross" pointer to the
 *     object the same thread allocated just before, of any type), in
 *     kmalloc-16..kmalloc-512 and two module caches (bench_node48/80);
 *   - doubly linked lists of bench_dlist objects (struct list_head at offset
 *     24: every reference to them is an interior pointer);
 *   - one red-black tree per thread of bench_rb objects;
 *   - kmalloc-256 objects referenced only from a vmalloc'ed pointer table
 *     (one per thread);
 *   - vareas payload areas, each also holding a few pointers to objects.
 * The payload words are below 2^32, never kernel addresses.
 *
 * Planted leaks (no reference anywhere), once all threads are done, by the
 * last one (a kthread: its stack is dead when the dump is taken). One console
 * line each, the test module's format:
 *   memleak_bench: block scenario=<s> addr=0x<a> size=<n> cache=<c> expect=leak func=<f>
 *   memleak_bench: list scenario=leak_list head=0x<a> nodes=<n> func=<f>
 * Progress: "memleak_bench: thread <t>: <n> objects, <ms> ms"; at the end
 * "memleak_bench: filled objects=<n> vmalloc=<n> threads=<t> ms=<ms> failed=<0|1>"
 * then "memleak_bench: ready".
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/list.h>
#include <linux/rbtree.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/jiffies.h>
#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/ktime.h>

#define MAX_THREADS  16
#define NLISTS       64		/* lists per type per thread */
#define VAREA_SIZE   (512UL << 10)
#define MAX_VAREAS   64
#define LEAK_FILL    0x5a
#define LEAK_LIST_NODES 1000
#define PROGRESS_EVERY  1000000UL

static unsigned long nobjs = 10000000;
module_param(nobjs, ulong, 0444);
MODULE_PARM_DESC(nobjs, "slab objects to allocate in all");
static unsigned int nthreads;
module_param(nthreads, uint, 0444);
MODULE_PARM_DESC(nthreads, "filling kthreads (0: one per online CPU)");
static unsigned int vareas = 16;
module_param(vareas, uint, 0444);
MODULE_PARM_DESC(vareas, "vmalloc'ed payload areas of 512 KiB");

/* ---- object types ------------------------------------------------------------ */

enum kind { K_SLIST, K_TABLE, K_RB, K_DLIST };

struct bench_rb {
	struct rb_node node;
	u64 key;
	u64 payload;
};					/* 40 bytes */

struct bench_dl {
	u64 head[3];
	struct list_head link;		/* at 24: interior pointers */
	u64 tail[10];
};					/* 120 bytes */

enum {
	T_K16, T_K32, T_K64, T_K96, T_K128, T_K192, T_K256, T_K512,
	T_N48, T_N80, T_RB, T_DL, NTYPES
};

struct type_desc {
	const char *name;	/* cache name (for the module caches: created) */
	unsigned int size;
	unsigned int weight;	/* share of the objects, in % */
	enum kind kind;
};

static const struct type_desc types[NTYPES] = {
	[T_K16]  = { "kmalloc-16",   16, 10, K_SLIST },
	[T_K32]  = { "kmalloc-32",   32, 20, K_SLIST },
	[T_K64]  = { "kmalloc-64",   64, 20, K_SLIST },
	[T_K96]  = { "kmalloc-96",   96,  8, K_SLIST },
	[T_K128] = { "kmalloc-128", 128,  8, K_SLIST },
	[T_K192] = { "kmalloc-192", 192,  6, K_SLIST },
	[T_K256] = { "kmalloc-256", 256,  5, K_TABLE },
	[T_K512] = { "kmalloc-512", 512,  3, K_SLIST },
	[T_N48]  = { "bench_node48",  48, 8, K_SLIST },
	[T_N80]  = { "bench_node80",  80, 4, K_SLIST },
	[T_RB]   = { "bench_rb", sizeof(struct bench_rb), 5, K_RB },
	[T_DL]   = { "bench_dlist", sizeof(struct bench_dl), 3, K_DLIST },
};

/* The module caches (NULL for kmalloc types). */
static struct kmem_cache *caches[NTYPES];

/* fill_order: 100 slots, which type the i-th allocation of each 100 has (interleaved). */
static u8 fill_order[100];

/* ---- per-thread roots: module globals ---------------------------------------- */

struct bench_thread {
	void *heads[NTYPES][NLISTS];	/* singly linked lists */
	struct list_head dl[NLISTS];	/* doubly linked lists */
	struct rb_root rb;
	void **table;			/* vmalloc'ed, -> kmalloc-256 objects */
	unsigned long table_cap, table_used;
	void *last;			/* the last object allocated */
	unsigned long count, target;
	unsigned int id;
	int failed;
};

static struct bench_thread *bench_threads[MAX_THREADS];
static void *bench_vareas[MAX_VAREAS];
static unsigned int bench_nthreads, bench_nvareas;
static atomic_t bench_running;
static ktime_t bench_started;

static inline u64 payload(unsigned long i, unsigned int w)
{
	return (u32)(i * 2654435761u + w * 40503u);	/* < 2^32: not a pointer */
}

static void fill_payload(u64 *w, unsigned int from, unsigned int nwords,
			 unsigned long i)
{
	unsigned int k;

	for (k = from; k < nwords; k++)
		w[k] = payload(i, k);
}

static void *alloc_obj(int type)
{
	if (caches[type])
		return kmem_cache_alloc(caches[type], GFP_KERNEL);
	return kmalloc(types[type].size, GFP_KERNEL);
}

static void rb_add_obj(struct rb_root *root, struct bench_rb *n)
{
	struct rb_node **link = &root->rb_node, *parent = NULL;

	while (*link) {
		parent = *link;
		if (n->key < rb_entry(parent, struct bench_rb, node)->key)
			link = &parent->rb_left;
		else
			link = &parent->rb_right;
	}
	rb_link_node(&n->node, parent, link);
	rb_insert_color(&n->node, root);
}

/* Allocate and link the i-th object of thread t (of type type). */
static int add_obj(struct bench_thread *t, int type, unsigned long i)
{
	const struct type_desc *d = &types[type];
	unsigned int list = (i >> 4) % NLISTS;
	void *p = alloc_obj(type);
	u64 *w = p;

	if (!p)
		return -ENOMEM;
	switch (d->kind) {
	case K_TABLE:
		if (t->table_used < t->table_cap) {
			fill_payload(w, 0, d->size / 8, i);
			w[1] = (u64)(unsigned long)t->last;
			t->table[t->table_used++] = p;
			break;
		}
		fallthrough;	/* table full: a list node instead */
	case K_SLIST:
		w[0] = (u64)(unsigned long)t->heads[type][list];
		if (d->size >= 24) {
			w[1] = (u64)(unsigned long)t->last;
			fill_payload(w, 2, d->size / 8, i);
		} else {
			fill_payload(w, 1, d->size / 8, i);
		}
		t->heads[type][list] = p;
		break;
	case K_RB: {
		struct bench_rb *n = p;

		n->key = (u64)(i * 0x9e3779b97f4a7c15ULL) >> 16;	/* < 2^48 */
		n->payload = payload(i, 0);
		rb_add_obj(&t->rb, n);
		break;
	}
	case K_DLIST: {
		struct bench_dl *n = p;

		fill_payload(n->head, 0, 3, i);
		fill_payload(n->tail, 0, 10, i);
		n->tail[0] = (u64)(unsigned long)t->last;
		list_add_tail(&n->link, &t->dl[list]);
		break;
	}
	}
	t->last = p;
	return 0;
}

/* ---- planted leaks ------------------------------------------------------------ */

static noinline void report(const char *scenario, const void *p, size_t size,
			    const char *cache, const char *func)
{
	pr_info("memleak_bench: block scenario=%s addr=0x%px size=%zu cache=%s expect=leak func=%s\n",
		scenario, p, size, cache, func);
}

static noinline int plant_kmalloc_leak(const char *scenario, size_t size,
				       const char *cache)
{
	void *p = kmalloc(size, GFP_KERNEL);

	if (!p)
		return -ENOMEM;
	memset(p, LEAK_FILL, size);
	report(scenario, p, size, cache, __func__);
	return 0;
}

static noinline int plant_cache_leak(int type)
{
	void *p = kmem_cache_alloc(caches[type], GFP_KERNEL);

	if (!p)
		return -ENOMEM;
	memset(p, LEAK_FILL, types[type].size);
	report("cache_leak", p, types[type].size, types[type].name, __func__);
	return 0;
}

/* A leaked singly linked list of kmalloc-128 nodes (next at offset 16). */
static noinline int plant_leak_list(void)
{
	void *head = NULL, *p;
	int n;

	for (n = 0; n < LEAK_LIST_NODES; n++) {
		p = kmalloc(128, GFP_KERNEL);
		if (!p)
			return -ENOMEM;
		memset(p, LEAK_FILL, 128);
		memcpy((char *)p + 16, &head, sizeof(head));
		head = p;
	}
	report("leak_list_head", head, 128, "kmalloc-128", __func__);
	pr_info("memleak_bench: list scenario=leak_list head=0x%px nodes=%d func=%s\n",
		head, LEAK_LIST_NODES, __func__);
	return 0;
}

static noinline int plant_vmalloc_leak(void)
{
	void *p = vmalloc(3 * PAGE_SIZE);

	if (!p)
		return -ENOMEM;
	memset(p, LEAK_FILL, 3 * PAGE_SIZE);
	report("vmalloc_leak", p, 3 * PAGE_SIZE, "vmalloc", __func__);
	return 0;
}

static noinline int plant_leaks(void)
{
	int ret = 0;

	ret |= plant_kmalloc_leak("kmalloc_64", 64, "kmalloc-64");
	ret |= plant_kmalloc_leak("kmalloc_150", 150, "kmalloc-192");
	ret |= plant_kmalloc_leak("kmalloc_512", 512, "kmalloc-512");
	ret |= plant_cache_leak(T_N80);
	ret |= plant_leak_list();
	ret |= plant_vmalloc_leak();
	return ret;
}

/* ---- filling ------------------------------------------------------------------ */

static void finish(void)
{
	unsigned long total = 0, vtotal = 0;
	unsigned int k;
	int failed = 0;

	for (k = 0; k < bench_nthreads; k++) {
		total += bench_threads[k]->count;
		failed |= bench_threads[k]->failed;
	}
	vtotal = bench_nvareas;
	if (plant_leaks())
		failed = 1;
	pr_info("memleak_bench: filled objects=%lu vmalloc=%lu threads=%u ms=%lld failed=%d\n",
		total, vtotal, bench_nthreads,
		ktime_ms_delta(ktime_get(), bench_started), failed);
	pr_info("memleak_bench: ready\n");
}

static int fill_thread(void *arg)
{
	struct bench_thread *t = arg;
	unsigned long i;

	for (i = 0; i < t->target; i++) {
		if (add_obj(t, fill_order[i % 100], i)) {
			pr_err("memleak_bench: thread %u: allocation failed after %lu objects\n",
			       t->id, i);
			t->failed = 1;
			break;
		}
		t->count++;
		if ((i & 4095) == 0 && bench_nvareas) {
			/* the vmalloc payload areas hold pointers too */
			u64 *w = bench_vareas[(i >> 12) % bench_nvareas];

			w[((i >> 12) * MAX_THREADS + t->id) % (VAREA_SIZE / 8)] =
				(u64)(unsigned long)t->last;
		}
		if ((i & 255) == 255)
			cond_resched();
		if ((i + 1) % PROGRESS_EVERY == 0)
			pr_info("memleak_bench: thread %u: %lu objects, %lld ms\n",
				t->id, i + 1,
				ktime_ms_delta(ktime_get(), bench_started));
	}
	if (atomic_dec_and_test(&bench_running))
		finish();
	return 0;
}

static int __init memleak_bench_init(void)
{
	unsigned int k, n, slot = 0;
	int type;

	bench_started = ktime_get();
	for (type = 0; type < NTYPES; type++)
		for (k = 0; k < types[type].weight; k++)
			fill_order[slot++] = type;
	if (slot != 100)
		return -EINVAL;
	/* Interleave: slot i gets type fill_order[(i * 37) % 100]. */
	{
		u8 plain[100];

		memcpy(plain, fill_order, sizeof(plain));
		for (k = 0; k < 100; k++)
			fill_order[k] = plain[(k * 37) % 100];
	}

	for (type = 0; type < NTYPES; type++) {
		if (strncmp(types[type].name, "kmalloc-", 8) == 0)
			continue;
		/* usersize != 0 keeps the cache from being merged with another. */
		caches[type] = kmem_cache_create_usercopy(types[type].name,
			types[type].size, 8, 0, 0, 8, NULL);
		if (!caches[type])
			return -ENOMEM;
	}

	for (k = 0; k < vareas && k < MAX_VAREAS; k++) {
		u64 *w = vmalloc(VAREA_SIZE);
		unsigned long j;

		if (!w)
			return -ENOMEM;
		for (j = 0; j < VAREA_SIZE / 8; j++)
			w[j] = payload(j, k);
		bench_vareas[k] = w;
	}
	bench_nvareas = k;

	n = nthreads ? nthreads : num_online_cpus();
	if (n > MAX_THREADS)
		n = MAX_THREADS;
	bench_nthreads = n;
	atomic_set(&bench_running, n);
	for (k = 0; k < n; k++) {
		struct bench_thread *t = kzalloc(sizeof(*t), GFP_KERNEL);
		unsigned int l;

		if (!t)
			return -ENOMEM;
		t->id = k;
		t->target = nobjs / n + (k < nobjs % n);
		t->rb = RB_ROOT;
		for (l = 0; l < NLISTS; l++)
			INIT_LIST_HEAD(&t->dl[l]);
		t->table_cap = t->target / 100 * types[T_K256].weight + 100;
		t->table = vmalloc(t->table_cap * sizeof(void *));
		if (!t->table)
			return -ENOMEM;
		bench_threads[k] = t;
	}
	for (k = 0; k < n; k++) {
		struct task_struct *task;

		task = kthread_create(fill_thread, bench_threads[k],
				      "memleak_bench/%u", k);
		if (IS_ERR(task))
			return PTR_ERR(task);
		kthread_bind(task, k % num_online_cpus());
		wake_up_process(task);
	}
	pr_info("memleak_bench: filling nobjs=%lu threads=%u vareas=%u\n",
		nobjs, n, vareas);
	return 0;
}
module_init(memleak_bench_init);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("millions of linked slab objects for the memleak benchmark");
