/*
 * pageowner.h - page_owner records in a dump (crash side of
 * pageowner_decode.h): who allocated a page, and whether it is a large
 * kmalloc.
 */
#ifndef MLK_PAGESTACKS_H
#define MLK_PAGESTACKS_H

#include "readers.h"
#include "pageowner_decode.h"
#include "stackdepot.h"
#include "tracks.h"

/* Large kmalloc entry points looked up (see pageowner.c). */
#define MLK_LARGE_KMALLOC_FNS 8

struct mlk_page_owners {
	struct mlk_page_owner_layout lay;
	struct mlk_source src;
	struct mlk_stack_depot stacks;
	long section_page_ext_off;   /* mem_section.page_ext */
	ulong fn_start[MLK_LARGE_KMALLOC_FNS], fn_end[MLK_LARGE_KMALLOC_FNS];
	unsigned nfns;
	int ready;
	const char *why;             /* not ready: why */
};

/* 0, or -1 with p->why set (no page_owner in this kernel, or not on). */
int mlk_page_owners_init(struct mlk_page_owners *p);
void mlk_page_owners_free(struct mlk_page_owners *p);
/* pfn's record: 0, MLK_PAGE_OWNER_NONE, or -1 with *why set. */
int mlk_page_owners_get(struct mlk_page_owners *p, ulong pfn,
			struct mlk_page_owner *po, const char **why);
/* Whether pfn heads an allocation made through the large kmalloc path. */
int mlk_page_owners_is_large_kmalloc(struct mlk_page_owners *p, ulong pfn);
/* ai from pfn's record (pid, comm, stack). 0, or -1 with ai->why set. */
int mlk_page_owners_alloc_info(struct mlk_page_owners *p, ulong pfn,
			       struct mlk_alloc_info *ai);

#endif /* MLK_PAGESTACKS_H */
