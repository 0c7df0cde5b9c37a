/*
 * pageflags.c - what a struct page says about its page: the one place that
 * knows how the kernel marks slab, head, tail and reserved pages.
 *
 * Up to 6.9 a slab page carries PG_slab in page->flags (enum pageflags).
 * 6.10 moved it to page->page_type ("mm: free up PG_slab", 46df8e73a4a3),
 * with inverted bits that are #defines, not in the debuginfo; 6.12 made the
 * type a value in the top byte ("mm: support only one page_type per page",
 * 4ffca5a96678): enum pagetype, PGTY_slab = 0xf5, set on the head page of
 * the folio only. Newer kernels also type large kmalloc pages
 * (PGTY_large_kmalloc). The struct page's size, the offsets of flags,
 * compound_head, mapping, _refcount and page_type, and the bits and types
 * are read from the debuginfo.
 *
 * A tail page's first word is compound_head (head + 1) up to 7.0; 7.1
 * renamed it compound_info (d50569612c29 "mm: rename the 'compound_head'
 * field in the 'struct page' to 'compound_info'"), and the next patch of
 * the series ("mm: rework compound_head() for power-of-2 sizeof(struct
 * page)") has a kernel with HugeTLB vmemmap optimisation and a 64-byte
 * struct page store a mask | 1 instead: the
 * head is the tail's own address ANDed with the mask
 * (engine/slub_decode.c: mlk_compound_head_decode() tells the forms
 * apart). Bit 0 marks a tail in both.
 */
#include "readers.h"
#include "bytes.h"
#include "slub_decode.h"

static long compound_info = MLK_NO_ANSWER;

struct mlk_page_layout mlk_page = {
	.size = MLK_NO_ANSWER, .flags = MLK_NO_ANSWER,
	.compound_head = MLK_NO_ANSWER, .mapping = MLK_NO_ANSWER,
	.refcount = MLK_NO_ANSWER, .pg_slab = MLK_NO_ANSWER,
	.pg_head = MLK_NO_ANSWER, .pg_reserved = MLK_NO_ANSWER,
	.page_type = MLK_NO_ANSWER, .pgty_slab = MLK_NO_ANSWER,
	.private = MLK_NO_ANSWER, .buddy_value = MLK_NO_ANSWER,
	.pgty_buddy = MLK_NO_ANSWER, .pgty_large_kmalloc = MLK_NO_ANSWER,
};

static const struct mlk_need page_needs[] = {
	MLK_SIZE(&mlk_page.size, "page", MLK_REQUIRED),
	MLK_MEMBER(&mlk_page.flags, "page", "flags", MLK_REQUIRED),
	MLK_MEMBER(&mlk_page.compound_head, "page", "compound_head",
		   MLK_OPTIONAL),
	/* 7.1+: d50569612c29 "mm: rename the 'compound_head' field in the
	 * 'struct page' to 'compound_info'"; a mask form on HVO kernels */
	MLK_MEMBER(&compound_info, "page", "compound_info", MLK_OPTIONAL),
	MLK_MEMBER(&mlk_page.mapping, "page", "mapping", MLK_OPTIONAL),
	MLK_MEMBER(&mlk_page.refcount, "page", "_refcount", MLK_OPTIONAL),
	/* a free block's order sits in its head page's private */
	MLK_MEMBER_ANY(&mlk_page.private, "page", "private", MLK_OPTIONAL),
	MLK_ENUM(&mlk_page.pg_reserved, "PG_reserved", MLK_OPTIONAL),
	MLK_ENUM(&mlk_page.pg_head, "PG_head", MLK_OPTIONAL),
	MLK_ENUM(&mlk_page.pg_slab, "PG_slab", MLK_OPTIONAL),
	/* 6.12+: enum pagetype in the top byte of page_type */
	MLK_MEMBER_ANY(&mlk_page.page_type, "page", "page_type", MLK_OPTIONAL),
	MLK_ENUM(&mlk_page.pgty_slab, "PGTY_slab", MLK_OPTIONAL),
	MLK_ENUM(&mlk_page.pgty_buddy, "PGTY_buddy", MLK_OPTIONAL),
	MLK_ENUM(&mlk_page.pgty_large_kmalloc, "PGTY_large_kmalloc",
		 MLK_OPTIONAL),
};

/*
 * The page_type of a free block's head page in the buddy allocator, from
 * VMCOREINFO (kernel/vmcore_info.c: PAGE_BUDDY_MAPCOUNT_VALUE, ~PG_buddy up
 * to 6.11, PGTY_buddy << 24 since): no gdb question, crash has the notes.
 */
static void read_buddy_value(void)
{
	long v;

	if (mlk_vmcoreinfo_number("NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)", &v))
		mlk_page.buddy_value = (long)(uint32_t)v;
}

static int derive_page(int missing)
{
	if (missing)
		return -1;
	if (mlk_page.compound_head < 0)
		mlk_page.compound_head = compound_info;
	read_buddy_value();
	if (mlk_page.pg_slab >= 0)
		return 0;
	if (mlk_page.pgty_slab >= 0 && mlk_page.page_type >= 0)
		return 0;
	/* 6.10 and 6.11: page_type bits that are #defines (see above) */
	error(INFO, "struct page: no PG_slab and no enum pagetype: slab pages "
	      "marked by the page_type bits of Linux 6.10 and 6.11 are not "
	      "supported\n");
	return -1;
}

const struct mlk_needs mlk_page_needs = {
	"struct page", page_needs, MLK_COUNT(page_needs), derive_page, 1,
};

static ulong page_flags(const unsigned char *pg)
{
	return mlk_get_u64(pg, mlk_page.flags);
}

static int flag_set(const unsigned char *pg, long bit)
{
	return bit >= 0 && (page_flags(pg) >> bit) & 1;
}

int mlk_page_is_tail(const unsigned char *pg)
{
	/* include/linux/page-flags.h: bit 0 of compound_head/_info: a tail */
	return mlk_page.compound_head >= 0 &&
	       (mlk_get_u64(pg, mlk_page.compound_head) & 1);
}

/* 6.12+: the page's type, the top byte of page_type (0xff: none). */
static long page_type_of(const unsigned char *pg)
{
	if (mlk_page.page_type < 0)
		return -1;
	return mlk_get_u32(pg, mlk_page.page_type) >> 24;
}

int mlk_page_is_slab(const unsigned char *pg)
{
	if (mlk_page.pg_slab >= 0)
		return flag_set(pg, mlk_page.pg_slab);
	return mlk_page.pgty_slab >= 0 &&
	       page_type_of(pg) == mlk_page.pgty_slab;
}

int mlk_page_is_buddy(const unsigned char *pg)
{
	if (mlk_page.page_type < 0)
		return 0;
	if (mlk_page.pgty_buddy >= 0)
		return page_type_of(pg) == mlk_page.pgty_buddy;
	return mlk_page.buddy_value >= 0 &&
	       mlk_get_u32(pg, mlk_page.page_type) ==
	       (uint32_t)mlk_page.buddy_value;
}

int mlk_page_knows_buddy(void)
{
	return mlk_page.page_type >= 0 && mlk_page.private >= 0 &&
	       (mlk_page.pgty_buddy >= 0 || mlk_page.buddy_value >= 0);
}

int mlk_page_is_large_kmalloc(const unsigned char *pg)
{
	return mlk_page.pgty_large_kmalloc >= 0 &&
	       page_type_of(pg) == mlk_page.pgty_large_kmalloc;
}

int mlk_page_types_large_kmalloc(void)
{
	return mlk_page.pgty_large_kmalloc >= 0 && mlk_page.page_type >= 0;
}

int mlk_page_is_head(const unsigned char *pg)
{
	return flag_set(pg, mlk_page.pg_head);
}

int mlk_page_is_reserved(const unsigned char *pg)
{
	return flag_set(pg, mlk_page.pg_reserved);
}

ulong mlk_page_head_from(ulong page, const unsigned char *pg)
{
	if (mlk_page.compound_head < 0)
		return page;
	return mlk_compound_head_decode(page,
					mlk_get_u64(pg, mlk_page.compound_head));
}

ulong mlk_page_head_of(ulong page)
{
	ulong info;

	if (mlk_page.compound_head >= 0 &&
	    mlk_read_ulong(page + mlk_page.compound_head, &info))
		return mlk_compound_head_decode(page, info);
	return page;
}
