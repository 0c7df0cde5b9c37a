/*
 * pageowner.h - page_owner records (CONFIG_PAGE_OWNER, page_owner=on): who
 * allocated each page, decoded from dump bytes.
 *
 * Every page has a "struct page_ext" entry (mm/page_ext.c) of page_ext_size
 * bytes: the shared "unsigned long flags" first, then each user's area, the
 * page_owner one at page_owner_ops.offset. With SPARSEMEM the entries of a
 * section are found from mem_section[nr].page_ext, which is stored biased
 * (init_section_page_ext(): "section->page_ext = base - page_ext_size *
 * pfn" for the section's first pfn), so that lookup_page_ext() is simply
 *
 *	page_ext = section->page_ext + page_ext_size * pfn      (get_entry())
 *
 * for any pfn of the section, computed modulo 2^64. Since 6.0 a section
 * being offlined has bit 0 set in that pointer (PAGE_EXT_INVALID) and has no
 * page_ext. With FLATMEM the base is NODE_DATA(nid)->node_page_ext, not
 * biased: pass it with pfn - round_down(node_start_pfn, MAX_ORDER_NR_PAGES)
 * in place of the pfn.
 *
 * page_ext_size: 5.19+ the variable page_ext_size; 4.10 - 5.18 it is
 * sizeof(struct page_ext) + extra_mem (get_entry_size()). In both, every
 * page_ext user's size is included.
 *
 * page_ext->flags (enum page_ext_flags): PAGE_EXT_OWNER is set once a
 * record was written; PAGE_EXT_OWNER_ALLOCATED (5.4+, first named
 * PAGE_EXT_OWNER_ACTIVE) while the page is allocated. Before 5.4 the OWNER
 * bit itself was cleared on free. Their bit numbers changed (4.x had
 * PAGE_EXT_DEBUG_POISON and PAGE_EXT_DEBUG_GUARD first): the crash side
 * passes the enumerators' values.
 *
 * struct page_owner (mm/page_owner.c), 6.1: { unsigned short order; short
 * last_migrate_reason; gfp_t gfp_mask; depot_stack_handle_t handle;
 * depot_stack_handle_t free_handle; u64 ts_nsec; u64 free_ts_nsec;
 * char comm[TASK_COMM_LEN]; pid_t pid; pid_t tgid; } - 4.19 had only
 * order, last_migrate_reason, gfp_mask and handle (in early 4.x order was
 * an unsigned int: order_size says which); free_handle, the time stamps,
 * pid, comm and tgid came in 5.x, free_pid and free_tgid in 6.9. Offsets
 * come from the debuginfo, -1 when absent.
 */
#ifndef MLK_PAGEOWNER_H
#define MLK_PAGEOWNER_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"

/* No page_ext entry is larger (it is a few dozen bytes). */
#define MLK_PAGE_EXT_MAX_SIZE 1024
/* Room for comm[] (TASK_COMM_LEN is 16) and its NUL. */
#define MLK_PAGE_OWNER_COMM_MAX 64

struct mlk_page_owner_layout {
	/* page_ext */
	uint64_t page_ext_size;   /* bytes per page_ext entry */
	uint64_t owner_offset;    /* page_owner_ops.offset */
	int owner_bit;            /* PAGE_EXT_OWNER */
	int allocated_bit;        /* PAGE_EXT_OWNER_ALLOCATED, -1: absent */

	/* struct page_owner: offsets, -1 where the member does not exist */
	uint32_t size;            /* sizeof(struct page_owner) */
	int32_t order_off;
	uint32_t order_size;      /* 2 (unsigned short) or 4 (unsigned int) */
	int32_t last_migrate_reason_off; /* short (int in 4.x: low half) */
	int32_t gfp_off;
	int32_t handle_off;
	int32_t free_handle_off;
	int32_t ts_nsec_off;
	int32_t free_ts_nsec_off;
	int32_t pid_off;
	int32_t tgid_off;
	int32_t comm_off;
	uint32_t comm_len;        /* TASK_COMM_LEN */

	/* the architecture's MAX_PAGE_ORDER: the highest valid order */
	unsigned max_order;
};

/* x86_64 presets; 0, or -1 for an unknown generation. */
enum mlk_page_owner_generation {
	MLK_PAGE_OWNER_GEN_4_19, /* { order, last_migrate_reason, gfp, handle } */
	MLK_PAGE_OWNER_GEN_6_1,  /* 6.0 - 6.8, with comm, pid and tgid */
};
int mlk_page_owner_layout_preset(struct mlk_page_owner_layout *l,
				 enum mlk_page_owner_generation gen);
/* 0 when the layout is usable, else -1 with *why set. */
int mlk_page_owner_layout_check(const struct mlk_page_owner_layout *l,
				const char **why);

/*
 * page_ext entry of pfn from the section's stored (biased) page_ext
 * pointer: pure arithmetic. Returns 0, or -1 with *why set when the section
 * has no page_ext (NULL, or PAGE_EXT_INVALID set) or the layout is bad.
 */
int mlk_page_ext_addr(const struct mlk_page_owner_layout *l,
		      mlk_addr_t section_page_ext, uint64_t pfn,
		      mlk_addr_t *page_ext, const char **why);
/* struct page_owner of a page_ext entry: page_ext + page_owner_ops.offset. */
mlk_addr_t mlk_page_owner_addr(const struct mlk_page_owner_layout *l,
			       mlk_addr_t page_ext);

struct mlk_page_owner {
	unsigned order;
	int last_migrate_reason;   /* -1: never migrated, or unknown */
	uint32_t gfp_mask;
	uint32_t handle;           /* allocation stack (stack depot) */
	uint32_t free_handle;      /* last free stack, 0: none */
	uint64_t ts_nsec;          /* allocation time (local_clock()) */
	uint64_t free_ts_nsec;
	int pid;                   /* -1 when the kernel does not record it */
	int tgid;                  /* -1 likewise */
	char comm[MLK_PAGE_OWNER_COMM_MAX]; /* "" likewise; printable only */
	int allocated;             /* the page is allocated now */
};

/* mlk_page_owner_parse() and _fetch() return this when no record exists. */
#define MLK_PAGE_OWNER_NONE 1

/*
 * Parse a struct page_owner from len bytes, with the page_ext flags word
 * of its entry. Returns 0; MLK_PAGE_OWNER_NONE when PAGE_EXT_OWNER is clear
 * ("page_owner info is not present"); or -1 with *why set when the bytes are
 * short or implausible (order above max_order, pid out of range).
 */
int mlk_page_owner_parse(const struct mlk_page_owner_layout *l,
			 uint64_t page_ext_flags, const void *bytes,
			 size_t len, struct mlk_page_owner *po,
			 const char **why);

/* Locate, read (one read of the entry) and parse pfn's record. */
int mlk_page_owner_fetch(const struct mlk_page_owner_layout *l,
			 const struct mlk_source *src,
			 mlk_addr_t section_page_ext, uint64_t pfn,
			 struct mlk_page_owner *po, const char **why);

/*
 * Whether pfn heads its allocation: read_page_owner() skips the "tail"
 * pages of high-order allocations, whose pfn is not aligned to 1 << order.
 */
int mlk_page_owner_is_head(uint64_t pfn, unsigned order);

#endif /* MLK_PAGEOWNER_H */
