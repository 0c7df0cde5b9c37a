/*
 * kml.c - the in-kernel kmemleak's records, read out of a dump of a kernel
 * built with CONFIG_DEBUG_KMEMLEAK (decoding: kml_decode.c).
 *
 * Three uses:
 *   - memleak -K prints what /sys/kernel/debug/kmemleak would have shown
 *     at the time of the dump (mm/kmemleak.c: kmemleak_seq_show());
 *   - the offline scan adopts what only these records know: the
 *     annotations kmemleak_not_leak() (min_count 0: never reported, still
 *     scanned), kmemleak_ignore() (min_count -1 and OBJECT_NO_SCAN: neither
 *     reported nor scanned) and kmemleak_no_scan() (OBJECT_NO_SCAN);
 *   - kmemleak's static mem_pool[] (mm/kmemleak.c) holds kmemleak_objects
 *     whose "pointer" members point at every early allocation: it is kept
 *     out of the roots (kmemleak itself never scans its own metadata).
 *
 * Debuginfo questions (gdb, answered before any scan): the table below.
 * Symbols (crash's own table, read per run): object_list, kmemleak_scan,
 * mem_pool, the scan times and state, and the bounds of .rodata.
 */
#include "kml.h"
#include "bytes.h"

/* A kmemleak_object list longer than this is corrupt (or looped). */
#define KML_MAX_OBJECTS (256L * 1024 * 1024)

/* ---- struct kmemleak_object, from the debuginfo ------------------------- */

static struct {
	long size, flags, object_list, pointer, obj_size, min_count, count,
	     checksum, jiffies, pid, comm, comm_size, trace, trace_size,
	     trace_len, trace_handle;
	long mem_pool_len;
} K;

#define OBJECT(ans, member, lvl) MLK_MEMBER(ans, "kmemleak_object", member, lvl)

static const struct mlk_need kml_needs[] = {
	MLK_SIZE(&K.size, "kmemleak_object", MLK_REQUIRED),
	OBJECT(&K.flags, "flags", MLK_REQUIRED),
	OBJECT(&K.object_list, "object_list", MLK_REQUIRED),
	OBJECT(&K.pointer, "pointer", MLK_REQUIRED),
	OBJECT(&K.obj_size, "size", MLK_REQUIRED),
	OBJECT(&K.min_count, "min_count", MLK_REQUIRED),
	OBJECT(&K.count, "count", MLK_REQUIRED),
	OBJECT(&K.checksum, "checksum", MLK_REQUIRED),
	OBJECT(&K.jiffies, "jiffies", MLK_REQUIRED),
	OBJECT(&K.pid, "pid", MLK_REQUIRED),
	OBJECT(&K.comm, "comm", MLK_REQUIRED),
	MLK_MEMBER_SIZE(&K.comm_size, "kmemleak_object", "comm", MLK_REQUIRED),
	/*
	 * The backtrace: inline trace[] and trace_len up to 6.1, a stack
	 * depot handle since 56a61617dd22 "mm: use stack_depot for recording
	 * kmemleak's backtrace" (6.2).
	 */
	OBJECT(&K.trace, "trace", MLK_OPTIONAL),
	MLK_MEMBER_SIZE(&K.trace_size, "kmemleak_object", "trace",
			MLK_OPTIONAL),
	OBJECT(&K.trace_len, "trace_len", MLK_OPTIONAL),
	OBJECT(&K.trace_handle, "trace_handle", MLK_OPTIONAL),
	/*
	 * 5.5+: c5665868183f "mm: kmemleak: use the memory pool for early
	 * allocations".
	 */
	MLK_ARRAY_LEN(&K.mem_pool_len, "mem_pool", MLK_OPTIONAL),
};

/* The layout from the answers, and why it is unusable (if it is). */
static struct mlk_kml_layout kml_layout;
static const char *kml_layout_why;

static int derive_kml(int missing)
{
	struct mlk_kml_layout *l = &kml_layout;

	(void)missing; /* the layout check says what is usable */
	memset(l, 0, sizeof(*l));
	l->size = (uint32_t)K.size;
	l->flags_off = mlk_offset32(K.flags);
	l->object_list_off = mlk_offset32(K.object_list);
	l->pointer_off = mlk_offset32(K.pointer);
	l->size_off = mlk_offset32(K.obj_size);
	l->min_count_off = mlk_offset32(K.min_count);
	l->count_off = mlk_offset32(K.count);
	l->checksum_off = mlk_offset32(K.checksum);
	l->jiffies_off = mlk_offset32(K.jiffies);
	l->pid_off = mlk_offset32(K.pid);
	l->comm_off = mlk_offset32(K.comm);
	l->comm_len = (uint32_t)K.comm_size;
	l->trace_off = mlk_offset32(K.trace);
	l->trace_len_off = mlk_offset32(K.trace_len);
	l->trace_handle_off = mlk_offset32(K.trace_handle);
	l->trace_max = K.trace_size > 0 ? (uint32_t)(K.trace_size / 8) : 0;
	kml_layout_why = NULL;
	return K.size > 0 && mlk_kml_layout_check(l, &kml_layout_why) == 0 ?
		0 : -1;
}

const struct mlk_needs mlk_kml_needs = {
	"kmemleak records", kml_needs, MLK_COUNT(kml_needs), derive_kml, 0,
};

/* ---- the records ------------------------------------------------------- */

int mlk_kml_init(struct mlk_kml *k, const char **why)
{
	memset(k, 0, sizeof(*k));
	if (!symbol_exists("object_list") || !symbol_exists("kmemleak_scan") ||
	    K.size <= 0) {
		*why = "this kernel has no kmemleak (CONFIG_DEBUG_KMEMLEAK "
		       "is off)";
		return -1;
	}
	if (kml_layout_why) {
		*why = kml_layout_why;
		return -1;
	}
	k->lay = kml_layout;
	k->object_list = symbol_value("object_list");
	k->have_scan_times =
		mlk_read_symbol_ulong("jiffies_min_age", &k->min_age) &&
		mlk_read_symbol_ulong("jiffies_last_scan", &k->last_scan);
	if (!mlk_read_symbol_int("kmemleak_enabled", &k->enabled))
		k->enabled = -1;
	if (!mlk_read_symbol_int("kmemleak_error", &k->error))
		k->error = 0;
	k->ready = 1;
	return 0;
}

struct kml_walk {
	struct mlk_kml *k;
	mlk_kml_fn fn;
	void *arg;
	unsigned char *buf;
	int stopped;
};

static int visit_object(ulong node, void *arg)
{
	struct kml_walk *w = arg;
	struct mlk_kml_object o;
	ulong addr = node - (ulong)w->k->lay.object_list_off;
	const char *why = NULL;

	if (!mlk_readk(addr, w->buf, w->k->lay.size) ||
	    mlk_kml_parse(&w->k->lay, w->buf, w->k->lay.size, &o, &why) < 0) {
		w->k->objects_bad++;
		return 0;
	}
	w->k->objects++;
	if (w->fn(&o, addr, w->arg)) {
		w->stopped = 1;
		return 1;
	}
	return 0;
}

long mlk_kml_walk(struct mlk_kml *k, mlk_kml_fn fn, void *arg)
{
	struct kml_walk w = { k, fn, arg, NULL, 0 };
	long n;

	/* crash's buffers: freed by crash itself if Ctrl-C cuts the walk */
	w.buf = (unsigned char *)GETBUF(k->lay.size);
	k->objects = k->objects_bad = 0;
	n = mlk_walk_list(k->object_list, KML_MAX_OBJECTS, visit_object, &w,
			  &k->list_truncated);
	FREEBUF(w.buf);
	return n;
}

/* ---- what the offline scan adopts -------------------------------------------- */

struct adopt_ctx {
	struct mlk_index *ix, *pix;
	struct mlk_roots *roots;
	struct mlk_kml_adopted *st;
	int failed;
};

static struct mlk_block *block_at(const struct adopt_ctx *c, ulong pointer,
				  int percpu)
{
	struct mlk_block *b;

	b = mlk_index_lookup(percpu ? c->pix : c->ix, pointer);
	if (!b && !percpu && c->pix)
		b = mlk_index_lookup(c->pix, pointer);
	return b && b->start == pointer ? b : NULL;
}

/*
 * mm/kmemleak.c paint_it(): kmemleak_not_leak() sets min_count to
 * KMEMLEAK_GREY (0), kmemleak_ignore() to KMEMLEAK_BLACK (-1) and sets
 * OBJECT_NO_SCAN; kmemleak_no_scan() sets OBJECT_NO_SCAN alone. A block
 * allocated with min_count 0 is grey from the start, like a not_leak one.
 */
/*
 * Memory the kernel told kmemleak about by hand and memleak does not track
 * (block/blk-mq.c blk_mq_alloc_rqs() pages holding requests, for one:
 * kmemleak_alloc() on plain page allocations) is scanned as a root: what
 * it points to is not an orphan. A leak of the memory itself goes unseen.
 * Objects with min_count 0 (per-cpu copies in 6.1, early allocations) are
 * never reported by kmemleak and are covered otherwise.
 */
static int adopt_foreign(struct adopt_ctx *c, const struct mlk_kml_object *o)
{
	if (o->min_count <= 0 || o->size == 0 || o->size > (1UL << 30) ||
	    (o->flags & MLK_KML_PERCPU) || !IS_KVADDR(o->pointer) ||
	    mlk_index_lookup(c->ix, o->pointer) ||
	    (c->pix && mlk_index_lookup(c->pix, o->pointer)))
		return 0;
	if (mlk_roots_add(c->roots, o->pointer, o->pointer + o->size,
			  MLK_ROOT_KMEMLEAK) < 0) {
		c->failed = 1;
		return 1;
	}
	c->st->foreign++;
	c->st->foreign_bytes += o->size;
	return 0;
}

static int adopt_one(const struct mlk_kml_object *o, ulong addr, void *arg)
{
	struct adopt_ctx *c = arg;
	struct mlk_block *b;
	int no_scan = (o->flags & MLK_KML_NO_SCAN) != 0;
	int black = o->min_count == MLK_KML_BLACK;
	int grey = o->min_count == 0;

	(void)addr;
	if (!(o->flags & MLK_KML_ALLOCATED) || (o->flags & MLK_KML_PHYS))
		return 0;
	if (!black && !grey && !no_scan)
		return adopt_foreign(c, o);
	b = block_at(c, o->pointer, (o->flags & MLK_KML_PERCPU) != 0);
	if (!b) {
		c->st->unmatched++;
		return 0;
	}
	if (black || (grey && no_scan)) {
		b->flags |= MLK_F_IGNORE | MLK_F_NOSCAN; /* neither */
		c->st->ignored++;
	} else if (grey) {
		b->min_count = 0;	/* scanned, never reported */
		c->st->not_leak++;
	} else {
		b->flags |= MLK_F_NOSCAN;	/* reported if unreached */
		c->st->no_scan++;
	}
	return 0;
}

int mlk_kml_adopt(struct mlk_kml *k, struct mlk_index *ix,
		  struct mlk_index *pix, struct mlk_roots *roots,
		  struct mlk_kml_adopted *st)
{
	struct adopt_ctx c = { ix, pix, roots, st, 0 };

	memset(st, 0, sizeof(*st));
	if (mlk_kml_walk(k, adopt_one, &c) < 0 || c.failed ||
	    mlk_roots_resort(roots) < 0)
		return -1;
	st->objects = k->objects;
	st->objects_bad = k->objects_bad;
	st->list_truncated = k->list_truncated;
	st->done = 1;
	return 0;
}

int mlk_kml_mem_pool(ulong *start, ulong *end)
{
	if (!symbol_exists("mem_pool") || K.mem_pool_len <= 0 || K.size <= 0)
		return -1;
	*start = symbol_value("mem_pool");
	*end = *start + (ulong)K.mem_pool_len * (ulong)K.size;
	return 0;
}

/* ---- the report's format: read from the kernel's own format strings ---------- */

/*
 * print_unreferenced()'s header changed across versions ("(age %d.%03ds)"
 * went away, "backtrace (crc %x)" came); which one this kernel prints is
 * read from its format strings in .rodata.
 */
static int rodata_has(const unsigned char *data, size_t len, const char *s)
{
	size_t n = strlen(s);

	return len >= n && memmem(data, len, s, n) != NULL;
}

void mlk_kml_detect_format(struct mlk_kml_format *f)
{
	ulong start, end;
	unsigned char *data;
	size_t len;

	f->with_age = 0;
	f->with_crc = 0;
	if (!symbol_exists("__start_rodata") || !symbol_exists("__end_rodata"))
		return;
	start = symbol_value("__start_rodata");
	end = symbol_value("__end_rodata");
	if (end <= start || end - start > (256UL << 20))
		return;
	len = end - start;
	data = (unsigned char *)GETBUF(len);	/* freed by crash on Ctrl-C */
	if (mlk_readk(start, data, len)) {
		f->with_age = rodata_has(data, len, "jiffies %lu (age %d.%03ds)");
		f->with_crc = rodata_has(data, len, "  backtrace (crc %x):");
	}
	FREEBUF(data);
}
