/*
 * kmlrecords.c - the in-kernel kmemleak's records, read out of a dump of a
 * kernel built with CONFIG_DEBUG_KMEMLEAK (decoding: kmlobject.c).
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
 */
#include "kml.h"
#include "bytes.h"

/* A kmemleak_object list longer than this is corrupt (or looped). */
#define KML_MAX_OBJECTS (256L * 1024 * 1024)

static long member(const char *m)
{
	return mlk_member_offset("kmemleak_object", m);
}

void mlk_kml_warm(void)
{
	static const char *const members[] = {
		"flags", "object_list", "pointer", "size", "min_count",
		"count", "checksum", "jiffies", "pid", "comm", "trace",
		"trace_len", "trace_handle",
	};
	size_t i;

	mlk_struct_size("kmemleak_object");
	for (i = 0; i < sizeof(members) / sizeof(members[0]); i++)
		member(members[i]);
	mlk_member_size("kmemleak_object", "comm");
	mlk_member_size("kmemleak_object", "trace");
	mlk_array_length("mem_pool");
}

static int resolve_layout(struct mlk_kml_layout *l, const char **why)
{
	long trace_bytes;

	memset(l, 0, sizeof(*l));
	l->size = (uint32_t)mlk_struct_size("kmemleak_object");
	l->flags_off = (int32_t)member("flags");
	l->object_list_off = (int32_t)member("object_list");
	l->pointer_off = (int32_t)member("pointer");
	l->size_off = (int32_t)member("size");
	l->min_count_off = (int32_t)member("min_count");
	l->count_off = (int32_t)member("count");
	l->checksum_off = (int32_t)member("checksum");
	l->jiffies_off = (int32_t)member("jiffies");
	l->pid_off = (int32_t)member("pid");
	l->comm_off = (int32_t)member("comm");
	l->comm_len = (uint32_t)mlk_member_size("kmemleak_object", "comm");
	l->trace_off = (int32_t)member("trace");
	l->trace_len_off = (int32_t)member("trace_len");
	l->trace_handle_off = (int32_t)member("trace_handle");
	trace_bytes = mlk_member_size("kmemleak_object", "trace");
	l->trace_max = trace_bytes > 0 ? (uint32_t)(trace_bytes / 8) : 0;
	return mlk_kml_layout_check(l, why);
}

int mlk_kml_init(struct mlk_kml *k, const char **why)
{
	memset(k, 0, sizeof(*k));
	if (!symbol_exists("object_list") || !symbol_exists("kmemleak_scan") ||
	    mlk_struct_size("kmemleak_object") <= 0) {
		*why = "this kernel has no kmemleak (CONFIG_DEBUG_KMEMLEAK "
		       "is off)";
		return -1;
	}
	if (resolve_layout(&k->lay, why) < 0)
		return -1;
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
	long n = mlk_array_length("mem_pool");
	long size = mlk_struct_size("kmemleak_object");

	if (!symbol_exists("mem_pool") || n <= 0 || size <= 0)
		return -1;
	*start = symbol_value("mem_pool");
	*end = *start + (ulong)n * (ulong)size;
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

/* Interim: the questions of mlk_kml_warm(), asked while the tables run. */
static int mlk_kml_warm_table(int missing)
{
	(void)missing;
	mlk_kml_warm();
	return 0;
}

const struct mlk_needs mlk_kml_needs = {
	"kmemleak records", NULL, 0, mlk_kml_warm_table, 0,
};
