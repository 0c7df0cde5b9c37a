/*
 * fake_mem.h - a fake memory source (struct mlk_source) for unit tests.
 *
 * It holds a few regions of bytes at kernel-like addresses, each either
 * backed by a zero-filled buffer the test writes into, or reading as zeros
 * (for huge areas). Pages can be made unreadable. Reads follow the
 * engine's contract: one that is empty, longer than MLK_READ_CHUNK, not
 * wholly inside one region or touching an unreadable page fails.
 *
 * It also records what was asked of it: how many reads, the longest one,
 * and a log of the first reads (addr, len, outcome), as many as the
 * capacity given to fake_mem_init() (0: no log).
 *
 * A struct fake_mem set to all zeros is an empty memory without a log;
 * fake_mem_free() may be called on it.
 */
#ifndef UNIT_FAKE_MEM_H
#define UNIT_FAKE_MEM_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"

#define FAKE_MAX_REGIONS 4
#define FAKE_MAX_BAD_PAGES 8

struct fake_region {
	mlk_addr_t addr;
	size_t size;
	unsigned char *bytes; /* NULL: the region reads as zeros */
};

struct fake_read {
	mlk_addr_t addr;
	size_t len;
	int ok; /* the read succeeded */
};

struct fake_mem {
	struct fake_region region[FAKE_MAX_REGIONS];
	size_t nregions;
	mlk_addr_t bad_page[FAKE_MAX_BAD_PAGES]; /* unreadable MLK_PAGE pages */
	size_t nbad;

	unsigned long reads;   /* calls to fake_read(), logged or not */
	size_t longest_read;   /* the largest len asked for, failed or not */
	struct fake_read *log; /* the first log_capacity reads, in order */
	size_t nlog;
	size_t log_capacity;
};

/* An empty memory whose log keeps the first log_capacity reads. */
int fake_mem_init(struct fake_mem *m, size_t log_capacity);
/* Free the regions and the log; m is left empty, as set to zeros. */
void fake_mem_free(struct fake_mem *m);

/* A zero-filled region of size bytes at addr, which the test writes into. */
int fake_add_region(struct fake_mem *m, mlk_addr_t addr, size_t size);
/* A region that reads as zeros and cannot be written (no buffer). */
int fake_add_zero_region(struct fake_mem *m, mlk_addr_t addr, size_t size);
/* Make the MLK_PAGE bytes at page unreadable. */
int fake_add_bad_page(struct fake_mem *m, mlk_addr_t page);

/* The bytes of [addr, addr + len) in one backed region, or NULL. */
unsigned char *fake_at(struct fake_mem *m, mlk_addr_t addr, size_t len);
/* Write into backed regions: 0, or -1 when the bytes have no place. */
int fake_put(struct fake_mem *m, mlk_addr_t addr, const void *bytes,
	     size_t len);
int fake_put_u32(struct fake_mem *m, mlk_addr_t addr, uint32_t value);
int fake_put_u64(struct fake_mem *m, mlk_addr_t addr, uint64_t value);

/* The mlk_source read() callback; ctx is the struct fake_mem. */
int fake_read(void *ctx, mlk_addr_t addr, void *buf, size_t len);
/* A memory source reading from m. */
struct mlk_source fake_source(struct fake_mem *m);

/* Did any logged read touch [addr, addr + len)? */
int fake_was_read(const struct fake_mem *m, mlk_addr_t addr, size_t len);
/* Was a read of exactly [addr, addr + len), with outcome ok, logged? */
int fake_logged(const struct fake_mem *m, mlk_addr_t addr, size_t len,
		int ok);

#endif /* UNIT_FAKE_MEM_H */
