/*
 * percpu.c - alloc_percpu() allocations as tracked blocks.
 *
 * Every per-cpu chunk (mm/percpu.c) keeps two bitmaps over its region in
 * PCPU_MIN_ALLOC_SIZE (4-byte) units: alloc_map (unit in use) and
 * bound_map (a bit at the first unit of each allocation and one past its
 * end). An allocation at byte offset off of a chunk is handed out as the
 * __percpu pointer base_addr + off - pcpu_base_addr + __per_cpu_start
 * (__addr_to_pcpu_ptr()), and CPU n's copy lives at that value plus
 * __per_cpu_offset[n]. The pointer value is what a user stores, so it is
 * the block's key and the reference the scan looks for, as in
 * mm/kmemleak.c since 6.6 (OBJECT_PERCPU objects, looked up by pointer).
 *
 * Chunks: the reserved chunk (modules' DEFINE_PER_CPU) and every chunk on
 * the pcpu_chunk_lists slots, the first chunk among them. The parts of a
 * chunk's bitmap that hide what lies outside its region (start_offset,
 * end_offset: pcpu_alloc_first_chunk()) are not allocations.
 */
#include "readers.h"
#include "bytes.h"

#define PCPU_MIN_ALLOC_SIZE 4       /* 1 << PCPU_MIN_ALLOC_SHIFT */
#define MAX_CHUNKS (1L << 16)
#define MAX_CHUNK_PAGES (1L << 18)
#define BITS_PER_ULONG 64

struct percpu_layout {
	long list, base_addr, alloc_map, bound_map, start_offset, end_offset,
	     nr_pages, size_of;
	long nr_chunk_types;
};

struct chunk_walk {
	struct percpu_layout l;
	struct mlk_percpu *pc;
	unsigned char *chunk_buf;
	struct mlk_buf alloc_map, bound_map;
	ulong *seen;              /* chunk addresses already read */
	size_t nseen, seen_cap;
	ulong pcpu_base, per_cpu_start;
	int oom;
};

static struct percpu_layout L;
static int layout_known;

static const struct mlk_need percpu_needs[] = {
	MLK_MEMBER(&L.list, "pcpu_chunk", "list", MLK_REQUIRED),
	MLK_MEMBER(&L.base_addr, "pcpu_chunk", "base_addr", MLK_REQUIRED),
	MLK_MEMBER(&L.alloc_map, "pcpu_chunk", "alloc_map", MLK_REQUIRED),
	MLK_MEMBER(&L.bound_map, "pcpu_chunk", "bound_map", MLK_REQUIRED),
	MLK_MEMBER(&L.start_offset, "pcpu_chunk", "start_offset",
		   MLK_REQUIRED),
	MLK_MEMBER(&L.end_offset, "pcpu_chunk", "end_offset", MLK_REQUIRED),
	MLK_MEMBER(&L.nr_pages, "pcpu_chunk", "nr_pages", MLK_REQUIRED),
	MLK_SIZE(&L.size_of, "pcpu_chunk", MLK_REQUIRED),
	/*
	 * 5.9-5.13 (CONFIG_MEMCG_KMEM): one set of slot lists per chunk type,
	 * enum pcpu_chunk_type { ROOT, MEMCG, PCPU_NR_CHUNK_TYPES } ("percpu:
	 * introduce per-memcg percpu accounting", 3c7be18ac9a0); one set
	 * again since "percpu: rework memcg accounting" (faf65dde844a, 5.14).
	 */
	MLK_ENUM(&L.nr_chunk_types, "PCPU_NR_CHUNK_TYPES", MLK_OPTIONAL),
};

static int derive_percpu(int missing)
{
	layout_known = !missing;
	return missing ? -1 : 0;
}

const struct mlk_needs mlk_percpu_needs = {
	"per-cpu allocations", percpu_needs, MLK_COUNT(percpu_needs),
	derive_percpu, 0,
};

static int test_bit(const unsigned char *map, ulong bit)
{
	ulong word = mlk_get_u64(map, (bit / BITS_PER_ULONG) * sizeof(ulong));

	return (word >> (bit % BITS_PER_ULONG)) & 1;
}

/* The first set bit of map in [from, limit), or limit. */
static ulong next_bit(const unsigned char *map, ulong from, ulong limit)
{
	while (from < limit) {
		ulong word = mlk_get_u64(map, (from / BITS_PER_ULONG) *
					 sizeof(ulong));

		word >>= from % BITS_PER_ULONG;
		if (word)
			return from + __builtin_ctzl(word) < limit ?
				from + __builtin_ctzl(word) : limit;
		from = (from / BITS_PER_ULONG + 1) * BITS_PER_ULONG;
	}
	return limit;
}

static int read_bitmap(struct mlk_buf *buf, ulong addr, ulong bits)
{
	size_t bytes = ((bits + BITS_PER_ULONG - 1) / BITS_PER_ULONG) *
		sizeof(ulong);

	return addr && mlk_buf_reserve(buf, bytes) == 0 &&
	       mlk_readk(addr, buf->data, bytes) ? 0 : -1;
}

static int add_allocation(struct chunk_walk *w, ulong base, ulong start_bit,
			  ulong end_bit)
{
	ulong addr = base + start_bit * PCPU_MIN_ALLOC_SIZE;
	ulong size = (end_bit - start_bit) * PCPU_MIN_ALLOC_SIZE;
	ulong ptr = addr - w->pcpu_base + w->per_cpu_start;

	if (mlk_index_add(w->pc->pix, ptr, (uint32_t)size, MLK_KIND_PERCPU, 0,
			  1) < 0)
		return -1;
	w->pc->allocations++;
	w->pc->bytes += size;
	return 0;
}

static int read_chunk(struct chunk_walk *w, ulong chunk)
{
	const struct percpu_layout *l = &w->l;
	const unsigned char *c = w->chunk_buf;
	ulong base, alloc_addr, bound_addr, bits, bit, first, last;
	int start_off, end_off, nr_pages;

	if (!mlk_readk(chunk, w->chunk_buf, l->size_of))
		return 0;
	base = mlk_get_u64(c, l->base_addr);
	alloc_addr = mlk_get_u64(c, l->alloc_map);
	bound_addr = mlk_get_u64(c, l->bound_map);
	start_off = mlk_get_s32(c, l->start_offset);
	end_off = mlk_get_s32(c, l->end_offset);
	nr_pages = mlk_get_s32(c, l->nr_pages);
	if (nr_pages <= 0 || nr_pages > MAX_CHUNK_PAGES || start_off < 0 ||
	    end_off < 0) {
		w->pc->chunks_bad++;
		return 0;
	}
	bits = (ulong)nr_pages * PAGESIZE() / PCPU_MIN_ALLOC_SIZE;
	first = (ulong)start_off / PCPU_MIN_ALLOC_SIZE;
	last = bits - (ulong)end_off / PCPU_MIN_ALLOC_SIZE;
	if (first > last || read_bitmap(&w->alloc_map, alloc_addr, bits) < 0 ||
	    read_bitmap(&w->bound_map, bound_addr, bits + 1) < 0) {
		w->pc->chunks_bad++;
		return 0;
	}
	w->pc->chunks++;
	for (bit = next_bit(w->bound_map.data, first, last); bit < last;
	     bit = next_bit(w->bound_map.data, bit + 1, last)) {
		ulong end;

		if (!test_bit(w->alloc_map.data, bit))
			continue;
		end = next_bit(w->bound_map.data, bit + 1, bits);
		if (end > last)
			end = last;
		if (add_allocation(w, base, bit, end) < 0)
			return -1;
	}
	return 0;
}

static int seen_before(struct chunk_walk *w, ulong chunk)
{
	size_t i;

	for (i = 0; i < w->nseen; i++)
		if (w->seen[i] == chunk)
			return 1;
	if (mlk_array_grow((void **)&w->seen, &w->seen_cap, w->nseen,
			   sizeof(*w->seen), 64) < 0) {
		w->oom = 1;
		return 1;
	}
	w->seen[w->nseen++] = chunk;
	return 0;
}

static int visit_chunk(ulong node, void *arg)
{
	struct chunk_walk *w = arg;
	ulong chunk = node - w->l.list;

	if (seen_before(w, chunk))
		return w->oom;
	if (read_chunk(w, chunk) < 0) {
		w->oom = 1;
		return 1;
	}
	return 0;
}

/* Every slot list; 5.9-5.13 kept one set of slots per chunk type. */
static void walk_slot_lists(struct chunk_walk *w)
{
	ulong lists;
	int slots, types = 1, i, truncated;

	if (!mlk_read_symbol_int("pcpu_nr_slots", &slots) || slots <= 0 ||
	    slots > 4096 ||
	    !mlk_read_ulong(symbol_value("pcpu_chunk_lists"), &lists) ||
	    !lists)
		return;
	if (w->l.nr_chunk_types >= 1 && w->l.nr_chunk_types <= 4)
		types = (int)w->l.nr_chunk_types;
	for (i = 0; i < slots * types && !w->oom; i++) {
		mlk_walk_list(lists + i * 2 * sizeof(ulong), MAX_CHUNKS,
			      visit_chunk, w, &truncated);
		w->pc->lists_truncated |= truncated;
	}
}

static void walk_chunks(struct chunk_walk *w)
{
	ulong reserved;

	if (mlk_read_ulong(symbol_value("pcpu_reserved_chunk"), &reserved) &&
	    reserved && !seen_before(w, reserved) && read_chunk(w, reserved) < 0)
		w->oom = 1;
	if (!w->oom)
		walk_slot_lists(w);
}

static int cpu_offsets(struct mlk_percpu *pc)
{
	int cpu, n = mlk_possible_cpus();

	pc->cpu_offsets = malloc(n * sizeof(*pc->cpu_offsets));
	if (!pc->cpu_offsets)
		return -1;
	for (cpu = 0; cpu < n; cpu++)
		pc->cpu_offsets[cpu] = kt->__per_cpu_offset[cpu];
	pc->ncpus = (unsigned)n;
	return 0;
}

int mlk_percpu_read(struct mlk_percpu *pc)
{
	struct chunk_walk w = { .l = L, .pc = pc };

	memset(pc, 0, sizeof(*pc));
	if (!symbol_exists("pcpu_chunk_lists") ||
	    !symbol_exists("pcpu_reserved_chunk") ||
	    !symbol_exists("pcpu_base_addr") || !symbol_exists("__per_cpu_start") ||
	    !layout_known) {
		pc->unsupported = 1;
		return 0;
	}
	if (!mlk_read_ulong(symbol_value("pcpu_base_addr"), &w.pcpu_base) ||
	    !w.pcpu_base) {
		pc->unsupported = 1;
		return 0;
	}
	w.per_cpu_start = symbol_value("__per_cpu_start");
	pc->pix = mlk_index_new();
	w.chunk_buf = malloc(w.l.size_of);
	if (!pc->pix || !w.chunk_buf || cpu_offsets(pc) < 0)
		w.oom = 1;
	else
		walk_chunks(&w);
	free(w.chunk_buf);
	free(w.seen);
	mlk_buf_free(&w.alloc_map);
	mlk_buf_free(&w.bound_map);
	if (w.oom || mlk_index_finish(pc->pix) < 0)
		return -1;
	pc->vm_caller = symbol_exists("pcpu_get_vm_areas") ?
		symbol_value("pcpu_get_vm_areas") : 0;
	return 0;
}

void mlk_percpu_free(struct mlk_percpu *pc)
{
	mlk_index_free(pc->pix);
	free(pc->cpu_offsets);
	memset(pc, 0, sizeof(*pc));
}

/*
 * The span of the first chunk's units: memblock memory (so PageReserved)
 * that must be scanned only through the allocations in it; the static
 * per-cpu section at the head of each unit stays a root (roots.c).
 * Units sit at pcpu_base_addr + pcpu_unit_offsets[u] (mm/percpu.c).
 */
int mlk_percpu_first_chunk(ulong *start, ulong *end)
{
	ulong base, offsets, off, last = 0;
	int size, units, u;

	if (!mlk_read_ulong(symbol_value("pcpu_base_addr"), &base) || !base ||
	    !mlk_read_symbol_int("pcpu_unit_size", &size) || size <= 0 ||
	    !mlk_read_symbol_int("pcpu_nr_units", &units) || units <= 0 ||
	    units > NR_CPUS || !symbol_exists("pcpu_unit_offsets") ||
	    !mlk_read_ulong(symbol_value("pcpu_unit_offsets"), &offsets) ||
	    !offsets)
		return -1;
	for (u = 0; u < units; u++) {
		if (!mlk_read_ulong(offsets + u * sizeof(ulong), &off) ||
		    off > (1UL << 40))
			return -1;
		last = off > last ? off : last;
	}
	*start = base;
	*end = base + last + (ulong)size;
	return 0;
}
