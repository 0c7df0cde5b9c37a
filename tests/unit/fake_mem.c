/*
 * fake_mem.c - a fake memory source for unit tests (see fake_mem.h).
 */
#include <stdlib.h>
#include <string.h>

#include "fake_mem.h"

int fake_mem_init(struct fake_mem *m, size_t log_capacity)
{
	memset(m, 0, sizeof(*m));
	if (log_capacity == 0)
		return 0;
	m->log = calloc(log_capacity, sizeof(*m->log));
	if (!m->log)
		return -1;
	m->log_capacity = log_capacity;
	return 0;
}

void fake_mem_free(struct fake_mem *m)
{
	for (size_t i = 0; i < m->nregions; i++)
		free(m->region[i].bytes);
	free(m->log);
	memset(m, 0, sizeof(*m));
}

static int add_region(struct fake_mem *m, mlk_addr_t addr, size_t size,
		      int backed)
{
	unsigned char *bytes = NULL;

	if (m->nregions == FAKE_MAX_REGIONS)
		return -1;
	if (backed) {
		bytes = calloc(1, size);
		if (!bytes)
			return -1;
	}
	m->region[m->nregions++] = (struct fake_region){ addr, size, bytes };
	return 0;
}

int fake_add_region(struct fake_mem *m, mlk_addr_t addr, size_t size)
{
	return add_region(m, addr, size, 1);
}

int fake_add_zero_region(struct fake_mem *m, mlk_addr_t addr, size_t size)
{
	return add_region(m, addr, size, 0);
}

int fake_add_bad_page(struct fake_mem *m, mlk_addr_t page)
{
	if (m->nbad == FAKE_MAX_BAD_PAGES)
		return -1;
	m->bad_page[m->nbad++] = page;
	return 0;
}

/*
 * Do [a, a + alen) and [b, b + blen) share a byte? Written with
 * differences only, so that ranges at the top of the address space do not
 * wrap around.
 */
static int overlaps(mlk_addr_t a, size_t alen, mlk_addr_t b, size_t blen)
{
	if (alen == 0 || blen == 0)
		return 0;
	return a <= b ? b - a < alen : a - b < blen;
}

/* The region holding all of [addr, addr + len), or NULL. */
static struct fake_region *region_of(struct fake_mem *m, mlk_addr_t addr,
				     size_t len)
{
	for (size_t i = 0; i < m->nregions; i++) {
		struct fake_region *r = &m->region[i];

		if (addr >= r->addr && len <= r->size &&
		    addr - r->addr <= r->size - len)
			return r;
	}
	return NULL;
}

static int touches_bad_page(const struct fake_mem *m, mlk_addr_t addr,
			    size_t len)
{
	for (size_t i = 0; i < m->nbad; i++)
		if (overlaps(addr, len, m->bad_page[i], MLK_PAGE))
			return 1;
	return 0;
}

unsigned char *fake_at(struct fake_mem *m, mlk_addr_t addr, size_t len)
{
	struct fake_region *r = region_of(m, addr, len);

	return r && r->bytes ? r->bytes + (addr - r->addr) : NULL;
}

int fake_put(struct fake_mem *m, mlk_addr_t addr, const void *bytes,
	     size_t len)
{
	unsigned char *p = fake_at(m, addr, len);

	if (!p)
		return -1;
	memcpy(p, bytes, len);
	return 0;
}

int fake_put_u32(struct fake_mem *m, mlk_addr_t addr, uint32_t value)
{
	return fake_put(m, addr, &value, sizeof(value));
}

int fake_put_u64(struct fake_mem *m, mlk_addr_t addr, uint64_t value)
{
	return fake_put(m, addr, &value, sizeof(value));
}

/* Count the read and log it while the log has room. */
static void record_read(struct fake_mem *m, mlk_addr_t addr, size_t len,
			int ok)
{
	m->reads++;
	if (len > m->longest_read)
		m->longest_read = len;
	if (m->nlog < m->log_capacity)
		m->log[m->nlog++] = (struct fake_read){ addr, len, ok };
}

int fake_read(void *ctx, mlk_addr_t addr, void *buf, size_t len)
{
	struct fake_mem *m = ctx;
	struct fake_region *r = region_of(m, addr, len);
	/* Over-long reads break the engine's contract: fail them loudly. */
	int ok = r && len > 0 && len <= MLK_READ_CHUNK &&
		 !touches_bad_page(m, addr, len);

	record_read(m, addr, len, ok);
	if (!ok)
		return -1;
	if (r->bytes)
		memcpy(buf, r->bytes + (addr - r->addr), len);
	else
		memset(buf, 0, len);
	return 0;
}

struct mlk_source fake_source(struct fake_mem *m)
{
	return (struct mlk_source){ fake_read, m };
}

int fake_was_read(const struct fake_mem *m, mlk_addr_t addr, size_t len)
{
	for (size_t i = 0; i < m->nlog; i++)
		if (overlaps(m->log[i].addr, m->log[i].len, addr, len))
			return 1;
	return 0;
}

int fake_logged(const struct fake_mem *m, mlk_addr_t addr, size_t len,
		int ok)
{
	for (size_t i = 0; i < m->nlog; i++)
		if (m->log[i].addr == addr && m->log[i].len == len &&
		    m->log[i].ok == ok)
			return 1;
	return 0;
}
