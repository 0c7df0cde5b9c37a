/*
 * arch.h - the architecture seam: every fact memleak needs that differs
 * between architectures, behind one small table. One file per
 * architecture implements it (x86_64.c, arm64.c); mlk_arch_select() picks the
 * one matching crash's target, and nothing else in memleak tests the
 * machine type.
 */
#ifndef MLK_ARCH_H
#define MLK_ARCH_H

/* Include dump.h first (crash's defs.h has no include guard). */
#include "debuginfo.h"
#include "engine.h"

struct mlk_arch {
	const char *name;                  /* as crash's machine_type() */
	/* debuginfo questions of this architecture (the saved stack pointer) */
	const struct mlk_needs *needs;
	/*
	 * Offset in task_struct of the stack pointer a task saved when it
	 * was switched out, or -1 when unknown (then whole stacks are
	 * scanned). Valid after the needs are answered.
	 */
	long (*saved_sp_offset)(void);
	/*
	 * How a word is untagged for lookups (engine.h: mlk_untag_word;
	 * arm64 top-byte ignore, KASAN tags). Identity on x86_64.
	 */
	struct mlk_untag untag;
	/* The highest page order of the buddy allocator (MAX_PAGE_ORDER). */
	unsigned (*max_page_order)(void);
	/*
	 * A return address as a plain kernel text address, for symbols
	 * (arm64: the pointer authentication code stripped).
	 */
	ulong (*code_address)(ulong addr);
};

/* The architecture of the dump, or NULL (message printed) if unsupported. */
const struct mlk_arch *mlk_arch_select(void);
/* The selected architecture (mlk_arch_select() has succeeded). */
extern const struct mlk_arch *mlk_arch;

/* The implementations. */
extern const struct mlk_arch mlk_arch_x86_64;
extern const struct mlk_arch mlk_arch_arm64;

#endif /* MLK_ARCH_H */
