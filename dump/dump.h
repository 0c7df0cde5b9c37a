/*
 * dump.h - the bottom of memleak's crash side: reading the dump through
 * crash (batched reads, masked words, list walks) and the debuginfo
 * answers (debuginfo.h). Everything above it - arch/, readers/, report/,
 * kmemleak.c - reads the dump only through these. No reader ever uses
 * FAULT_ON_ERROR: a failed read is counted and skipped.
 */
#ifndef MLK_DUMP_H
#define MLK_DUMP_H

#include "defs.h"
#include "engine.h"
#include "debuginfo.h"

/* ---- memory.c: dump reads ------------------------------------------------ */

struct mlk_read_stats {
	uint64_t reads;
	uint64_t bytes;
	uint64_t failed;
};
extern struct mlk_read_stats mlk_reads;

/* Reads len bytes of kernel virtual memory; 1 on success, 0 on failure. */
int mlk_readk(ulong addr, void *buf, size_t len);
int mlk_read_ulong(ulong addr, ulong *val);
/* The value of a kernel variable; 0 when the symbol or its memory is missing. */
int mlk_read_symbol_ulong(const char *name, ulong *val);
int mlk_read_symbol_int(const char *name, int *val);
/*
 * A number the kernel wrote into VMCOREINFO (key: "NUMBER(NAME)"), decimal
 * or 0x-hex, the whole text parsed; 0 when the key is missing or is no
 * number. No gdb question: crash read the notes when the dump was opened.
 */
int mlk_vmcoreinfo_number(const char *key, long *val);

/*
 * Words the scan must not count as references: the allocators' own records
 * of a block (vmap_area.va_start, vm_struct.addr). The engine's memory
 * source reads them as zero. Add, then sort once with mlk_masks_finish().
 */
struct mlk_masks {
	ulong *addr;
	size_t count, cap;
};
int mlk_masks_add(struct mlk_masks *m, ulong word_addr);
void mlk_masks_finish(struct mlk_masks *m);
void mlk_masks_free(struct mlk_masks *m);
/* Empties the engine source's read cache (call at the start of a run). */
void mlk_window_cache_reset(void);
/* The engine's memory source: mlk_readk() with masked words zeroed. */
struct mlk_source mlk_crash_source(struct mlk_masks *masks);

/* A growable scratch buffer (never a fixed size fed from the dump). */
struct mlk_buf {
	unsigned char *data;
	size_t size;
};
/* Makes buf hold at least len bytes; 0, or -1 when out of memory. */
int mlk_buf_reserve(struct mlk_buf *buf, size_t len);
void mlk_buf_free(struct mlk_buf *buf);
/* qsort/bsearch order of ulong values. */
int mlk_cmp_ulong(const void *a, const void *b);

/* The kernel's HZ (from tick_nsec; crash's guess otherwise). */
long mlk_kernel_hz(ulong tick_hint);
/* CPUs whose per-cpu data exists: kt->cpus, within [1, NR_CPUS]. */
int mlk_possible_cpus(void);

/* ---- lists.c: bounded, cycle-safe list_head walks ------------------------ */
/* Return non-zero from the callback to stop the walk early. */
typedef int (*mlk_list_fn)(ulong node, void *arg);
/*
 * Calls fn(node address) for each node of the list at head (not for head
 * itself), at most max_nodes times. Returns the number of nodes visited;
 * *truncated is set when the walk was cut short (read failure, wild
 * pointer, cycle, or more than max_nodes nodes).
 */
long mlk_walk_list(ulong head, long max_nodes, mlk_list_fn fn, void *arg,
		   int *truncated);

#endif /* MLK_DUMP_H */
