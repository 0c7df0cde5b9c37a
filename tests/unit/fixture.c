/*
 * fixture.c - a synthetic memory image for scan tests (see fixture.h).
 */
#include <string.h>

#include "fixture.h"

int image_init(struct image *img, size_t root_size, size_t heap_size,
	       size_t log_capacity)
{
	memset(img, 0, sizeof(*img));
	if (fake_mem_init(&img->mem, log_capacity) != 0)
		return -1;
	img->ix = mlk_index_new();
	if (!img->ix || fake_add_region(&img->mem, ROOT, root_size) != 0 ||
	    fake_add_region(&img->mem, HEAP, heap_size) != 0)
		return -1;
	return 0;
}

void image_free(struct image *img)
{
	mlk_index_free(img->ix);
	img->ix = NULL;
	fake_mem_free(&img->mem);
}

void add_block_min_count(struct image *img, mlk_addr_t addr, uint32_t size,
			 uint16_t min_count)
{
	if (mlk_index_add(img->ix, addr, size, MLK_KIND_SLAB, 0,
			  min_count) != 0)
		img->setup_failed = 1;
}

void add_block(struct image *img, mlk_addr_t addr, uint32_t size)
{
	add_block_min_count(img, addr, size, 1);
}

void put(struct image *img, mlk_addr_t addr, uint64_t value)
{
	if (fake_put_u64(&img->mem, addr, value) != 0)
		img->setup_failed = 1;
}

void make_unreadable(struct image *img, mlk_addr_t page)
{
	if (fake_add_bad_page(&img->mem, page) != 0)
		img->setup_failed = 1;
}

int finish_index(struct image *img)
{
	if (img->setup_failed || mlk_index_finish(img->ix) != 0)
		return -1;
	img->index_finished = 1;
	return 0;
}

void set_flags(struct image *img, mlk_addr_t addr, uint8_t flags)
{
	struct mlk_block *b = mlk_index_lookup(img->ix, addr);

	if (b)
		b->flags |= flags;
	else
		img->setup_failed = 1;
}

int image_ready(struct image *img)
{
	if (!img->index_finished && finish_index(img) != 0)
		return -1;
	return img->setup_failed ? -1 : 0;
}

void shuffle(size_t *order, size_t n)
{
	uint64_t seed = 12345;

	for (size_t i = 0; i < n; i++)
		order[i] = i;
	/* Fisher-Yates, from the top down. */
	for (size_t i = n - 1; n > 0 && i > 0; i--) {
		size_t j, t;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		j = (size_t)((seed >> 33) % (i + 1));
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
}

mlk_addr_t add_shuffled_list(struct image *img, size_t *order, size_t nodes,
			     uint32_t node_size, int circular)
{
	const uint64_t link_off = 8;

	shuffle(order, nodes);
	for (size_t i = 0; i < nodes; i++)
		add_block(img, HEAP + i * node_size, node_size);
	for (size_t i = 0; i + 1 < nodes; i++)
		put(img, HEAP + order[i] * node_size + link_off,
		    HEAP + order[i + 1] * node_size);
	if (circular && nodes > 0)
		put(img, HEAP + order[nodes - 1] * node_size + link_off,
		    HEAP + order[0] * node_size);
	return nodes > 0 ? HEAP + order[0] * node_size : 0;
}

void log_reference(void *ctx, mlk_addr_t where, const struct mlk_block *from)
{
	struct watch_log *log = ctx;

	if (log->calls < 4) {
		log->where[log->calls] = where;
		log->from[log->calls] = from ? from->start : 0;
	}
	log->calls++;
}
