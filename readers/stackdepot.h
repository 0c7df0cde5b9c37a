/*
 * stackdepot.h - the kernel's stack depot in a dump (crash side of
 * stackdepot_decode.h): the stack trace a depot handle names. SLUB tracks,
 * page_owner records and kmemleak's objects all keep their allocation
 * stacks there.
 */
#ifndef MLK_DEPOT_READER_H
#define MLK_DEPOT_READER_H

#include "readers.h"
#include "stackdepot_decode.h"

struct mlk_stack_depot {
	struct mlk_source src;
	struct mlk_depot *depot;   /* NULL: not readable (why says why) */
	const char *why;
	/*
	 * The kernel has no stack depot (CONFIG_STACKDEPOT off, as on
	 * Debian's 5.10: SLUB tracks then hold their frames inline).
	 */
	int absent;
};

/*
 * Reads where the pools are and how many are in use (a live kernel adds
 * pools: what is read is what the depot holds now) and opens the depot.
 * 0, or -1 with s->why set.
 */
int mlk_stack_depot_open(struct mlk_stack_depot *s);
void mlk_stack_depot_close(struct mlk_stack_depot *s);
/* A handle's frames: how many (at most max), or -1 with *why set. */
int mlk_stack_depot_lookup(struct mlk_stack_depot *s, uint32_t handle,
			   mlk_addr_t *entries, unsigned max,
			   const char **why);

#endif /* MLK_DEPOT_READER_H */
