/*
 * slub_decode.c - the free objects of a SLUB slab (see slub_decode.h).
 *
 * Everything here reads values from a possibly corrupt dump: a freelist
 * walk stops on the first pointer that is not an object of the slab, on an
 * object met twice and on a free pointer outside the bytes read, and says
 * so; it never reads outside span nor writes outside is_free.
 */
#include <byteswap.h>
#include <stdlib.h>
#include <string.h>

#include "slub_decode.h"

/* ---- the counters word ----------------------------------------------- */

static uint64_t field_mask64(struct mlk_bitfield f)
{
	uint64_t bits;

	if (f.width == 0)
		return 0;
	bits = f.width >= 64 ? UINT64_MAX : (UINT64_C(1) << f.width) - 1;
	return bits << f.pos;
}

/* A field of width bits at pos lies inside the 64-bit word. */
static int field_fits(struct mlk_bitfield f, unsigned max_width)
{
	return f.width <= max_width && f.pos + f.width <= 64;
}

int mlk_slab_counters_layout_check(const struct mlk_slab_counters_layout *l,
				   const char **why)
{
	uint64_t inuse, objects, frozen;

	if (!l) {
		*why = "no layout";
		return -1;
	}
	if (l->inuse.width == 0 || l->objects.width == 0 ||
	    !field_fits(l->inuse, 32) || !field_fits(l->objects, 32) ||
	    !field_fits(l->frozen, 64)) {
		*why = "layout: bad counters bit fields";
		return -1;
	}
	inuse = field_mask64(l->inuse);
	objects = field_mask64(l->objects);
	frozen = field_mask64(l->frozen);
	if ((inuse & objects) || (inuse & frozen) || (objects & frozen)) {
		*why = "layout: counters bit fields overlap";
		return -1;
	}
	return 0;
}

int mlk_slab_counters_preset(struct mlk_slab_counters_layout *l,
			     enum mlk_slab_counters_generation gen)
{
	switch (gen) {
	case MLK_SLAB_COUNTERS_GEN_3_1:
		l->inuse = (struct mlk_bitfield){ 0, 16 };
		l->objects = (struct mlk_bitfield){ 16, 15 };
		l->frozen = (struct mlk_bitfield){ 31, 1 };
		return 0;
	}
	return -1;
}

void mlk_slab_counters_decode(const struct mlk_slab_counters_layout *l,
			      uint64_t counters, struct mlk_slab_counters *out)
{
	out->inuse = (uint32_t)mlk_bitfield_get(counters, l->inuse);
	out->objects = (uint32_t)mlk_bitfield_get(counters, l->objects);
	out->frozen = mlk_bitfield_get(counters, l->frozen) != 0;
}

/* ---- objects --------------------------------------------------------- */

uint64_t mlk_slub_slab_bytes(const struct mlk_slub_cache_desc *c,
			     const struct mlk_slub_slab_desc *s)
{
	return (uint64_t)s->objects * c->size;
}

mlk_addr_t mlk_slub_object_addr(const struct mlk_slub_cache_desc *c,
				const struct mlk_slub_slab_desc *s, uint32_t i)
{
	return s->base + c->red_left_pad + (mlk_addr_t)i * c->size;
}

int64_t mlk_slub_object_index(const struct mlk_slub_cache_desc *c,
			      const struct mlk_slub_slab_desc *s,
			      mlk_addr_t addr)
{
	mlk_addr_t first = s->base + c->red_left_pad;
	uint64_t delta;

	if (c->size == 0 || addr < first)
		return -1;
	delta = addr - first;
	if (delta % c->size || delta / c->size >= s->objects)
		return -1;
	return (int64_t)(delta / c->size);
}

/* ---- free pointers --------------------------------------------------- */

/* NULL ends a freelist; anything else must be an object of the slab. */
static int ends_or_lands(const struct mlk_slub_cache_desc *c,
			 const struct mlk_slub_slab_desc *s, mlk_addr_t ptr)
{
	return ptr == 0 || mlk_slub_object_index(c, s, ptr) >= 0;
}

/*
 * CONFIG_SLAB_FREELIST_HARDENED stores free pointers obfuscated
 * (mm/slub.c: freelist_ptr(), later freelist_ptr_decode()):
 * ptr ^ s->random ^ swab(ptr_addr) since 5.7 ("slub: improve bit
 * diffusion for freelist ptr obfuscation", 1ad53d9fa3f6), and
 * ptr ^ s->random ^ ptr_addr before (4.14, "mm: add SLUB free list
 * pointer obfuscation", 2482ddec670f). The dump does not say which
 * kernel wrote it: the variant that lands on an object of this slab (or
 * NULL) wins, the swabbed one when neither does.
 */
mlk_addr_t mlk_slub_free_pointer(const struct mlk_slub_cache_desc *c,
				 const struct mlk_slub_slab_desc *s,
				 uint64_t stored, mlk_addr_t ptr_addr)
{
	mlk_addr_t swabbed, plain;

	if (!c->hardened)
		return stored;
	swabbed = stored ^ c->random ^ bswap_64(ptr_addr);
	if (ends_or_lands(c, s, swabbed))
		return swabbed;
	plain = stored ^ c->random ^ ptr_addr;
	if (ends_or_lands(c, s, plain))
		return plain;
	return swabbed;
}

/* ---- freelists ------------------------------------------------------- */

/*
 * Where the free pointer of the object at obj lies in span: 0 with *at
 * set, or -1 when its 8 bytes are not all inside span.
 */
static int free_pointer_at(const struct mlk_slub_cache_desc *c,
			   const struct mlk_slub_slab_desc *s, mlk_addr_t obj,
			   size_t span_len, uint64_t *at)
{
	uint64_t where = obj - s->base + c->offset;

	if (obj < s->base || where < c->offset || where > span_len ||
	    span_len - where < sizeof(uint64_t))
		return -1;
	*at = where;
	return 0;
}

int mlk_slub_mark_freelist(const struct mlk_slub_cache_desc *c,
			   const struct mlk_slub_slab_desc *s,
			   const unsigned char *span, size_t span_len,
			   unsigned char *is_free, mlk_addr_t head,
			   uint64_t *nfree)
{
	mlk_addr_t ptr = head;

	while (ptr) {
		int64_t idx = mlk_slub_object_index(c, s, ptr);
		uint64_t at;

		if (idx < 0 || is_free[idx])
			return -1; /* wild pointer, or a cycle */
		is_free[idx] = 1;
		(*nfree)++;
		if (free_pointer_at(c, s, ptr, span_len, &at) < 0)
			return -1;
		ptr = mlk_slub_free_pointer(c, s, mlk_get_u64(span, (long)at),
					    s->base + at);
	}
	return 0;
}

int mlk_slub_free_count_ok(const struct mlk_slub_slab_desc *s,
			   uint64_t nfree)
{
	/*
	 * A CPU's slab (frozen, or holding the CPU's lockless freelist) has
	 * objects freed to that CPU that inuse still counts; any other slab
	 * keeps inuse exact (mm/slub.c: __slab_free()), so fewer free objects
	 * than objects - inuse means a walk cut short, and the objects past
	 * the cut would pass for allocated.
	 */
	if (s->frozen || s->cpu_freelist)
		return 1;
	return nfree == (uint32_t)(s->objects - s->inuse);
}

int mlk_slub_mark_free(const struct mlk_slub_cache_desc *c,
		       const struct mlk_slub_slab_desc *s,
		       const unsigned char *span, size_t span_len,
		       unsigned char *is_free, uint64_t *nfree)
{
	int corrupt = 0;

	*nfree = 0;
	memset(is_free, 0, s->objects);
	corrupt |= mlk_slub_mark_freelist(c, s, span, span_len, is_free,
					  s->freelist, nfree) < 0;
	corrupt |= mlk_slub_mark_freelist(c, s, span, span_len, is_free,
					  s->cpu_freelist, nfree) < 0;
	if (corrupt || !mlk_slub_free_count_ok(s, *nfree))
		return -1;
	return 0;
}

/* ---- compound pages ------------------------------------------------- */

mlk_addr_t mlk_compound_head_decode(mlk_addr_t page, uint64_t info)
{
	uint64_t low;

	if (!(info & 1))
		return page;
	low = ~(info & ~UINT64_C(1));  /* a mask: 2^k - 1, k >= 1 */
	if (low && !(low & (low + 1)))
		return page & (info & ~UINT64_C(1));
	return info - 1;
}

/* ---- objects cached in sheaves --------------------------------------- */

int mlk_sheaf_ptrs_add(struct mlk_sheaf_ptrs *p, mlk_addr_t addr,
		       uint32_t cache)
{
	if (!addr)
		return 0;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 1024;
		struct mlk_sheaf_ptr *v = realloc(p->v, cap * sizeof(*v));

		if (!v)
			return -1;
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n++] = (struct mlk_sheaf_ptr){ addr, cache, MLK_SHEAF_PENDING };
	p->sorted = 0;
	return 0;
}

static int cmp_sheaf_ptr(const void *a, const void *b)
{
	mlk_addr_t x = ((const struct mlk_sheaf_ptr *)a)->addr;
	mlk_addr_t y = ((const struct mlk_sheaf_ptr *)b)->addr;

	return x < y ? -1 : x > y;
}

uint64_t mlk_sheaf_ptrs_sort(struct mlk_sheaf_ptrs *p)
{
	uint64_t twice = 0;
	size_t i;

	if (p->n)
		qsort(p->v, p->n, sizeof(*p->v), cmp_sheaf_ptr);
	for (i = 1; i < p->n; i++)
		if (p->v[i].addr == p->v[i - 1].addr) {
			p->v[i].state = MLK_SHEAF_WILD;
			twice++;
		}
	p->sorted = 1;
	return twice;
}

/* The first pointer at or above addr. */
static size_t sheaf_lower_bound(const struct mlk_sheaf_ptrs *p,
				mlk_addr_t addr)
{
	size_t lo = 0, hi = p->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->v[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int mlk_sheaf_ptrs_any(const struct mlk_sheaf_ptrs *p, mlk_addr_t lo,
		       mlk_addr_t hi)
{
	size_t i;

	if (!p || !p->sorted)
		return 0;
	for (i = sheaf_lower_bound(p, lo); i < p->n && p->v[i].addr < hi; i++)
		if (p->v[i].state == MLK_SHEAF_PENDING)
			return 1;
	return 0;
}

void mlk_sheaf_ptrs_mark(struct mlk_sheaf_ptrs *p,
			 const struct mlk_slub_cache_desc *c,
			 const struct mlk_slub_slab_desc *s, uint32_t cache,
			 unsigned char *is_free, uint64_t *nfree,
			 uint64_t *nwild)
{
	mlk_addr_t hi = s->base + mlk_slub_slab_bytes(c, s);
	size_t i;

	if (!p || !p->sorted)
		return;
	for (i = sheaf_lower_bound(p, s->base);
	     i < p->n && p->v[i].addr < hi; i++) {
		struct mlk_sheaf_ptr *e = &p->v[i];
		int64_t idx;

		if (e->state != MLK_SHEAF_PENDING)
			continue;
		idx = mlk_slub_object_index(c, s, e->addr);
		if (e->cache != cache || idx < 0 || is_free[idx]) {
			e->state = MLK_SHEAF_WILD;
			(*nwild)++;
			continue;
		}
		is_free[idx] = 1;
		e->state = MLK_SHEAF_FREE;
		(*nfree)++;
	}
}

uint64_t mlk_sheaf_ptrs_skip(struct mlk_sheaf_ptrs *p, mlk_addr_t lo,
			     mlk_addr_t hi)
{
	uint64_t n = 0;
	size_t i;

	if (!p || !p->sorted)
		return 0;
	for (i = sheaf_lower_bound(p, lo); i < p->n && p->v[i].addr < hi; i++)
		if (p->v[i].state == MLK_SHEAF_PENDING) {
			p->v[i].state = MLK_SHEAF_SKIPPED;
			n++;
		}
	return n;
}

uint64_t mlk_sheaf_ptrs_count(const struct mlk_sheaf_ptrs *p,
			      enum mlk_sheaf_ptr_state state)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; p && i < p->n; i++)
		n += p->v[i].state == (uint32_t)state;
	return n;
}

void mlk_sheaf_ptrs_free(struct mlk_sheaf_ptrs *p)
{
	free(p->v);
	memset(p, 0, sizeof(*p));
}
