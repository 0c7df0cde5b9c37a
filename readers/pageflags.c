/*
 * pageflags.c - what a struct page says about its page: the one place that
 * knows how the kernel marks slab, head, tail and reserved pages.
 *
 * Up to 6.9 a slab page carries PG_slab in page->flags (enum pageflags).
 * The struct page's size and the offsets of flags, compound_head, mapping
 * and _refcount come from the debuginfo; the bits are enumerators.
 */
#include "readers.h"
#include "bytes.h"

struct mlk_page_layout mlk_page = {
	.size = MLK_NO_ANSWER, .flags = MLK_NO_ANSWER,
	.compound_head = MLK_NO_ANSWER, .mapping = MLK_NO_ANSWER,
	.refcount = MLK_NO_ANSWER, .pg_slab = MLK_NO_ANSWER,
	.pg_head = MLK_NO_ANSWER, .pg_reserved = MLK_NO_ANSWER,
};

static const struct mlk_need page_needs[] = {
	MLK_SIZE(&mlk_page.size, "page", MLK_REQUIRED),
	MLK_MEMBER(&mlk_page.flags, "page", "flags", MLK_REQUIRED),
	MLK_MEMBER(&mlk_page.compound_head, "page", "compound_head",
		   MLK_OPTIONAL),
	MLK_MEMBER(&mlk_page.mapping, "page", "mapping", MLK_OPTIONAL),
	MLK_MEMBER(&mlk_page.refcount, "page", "_refcount", MLK_OPTIONAL),
	MLK_ENUM(&mlk_page.pg_reserved, "PG_reserved", MLK_OPTIONAL),
	MLK_ENUM(&mlk_page.pg_head, "PG_head", MLK_OPTIONAL),
	MLK_ENUM(&mlk_page.pg_slab, "PG_slab", MLK_OPTIONAL),
};

static int derive_page(int missing)
{
	if (missing)
		return -1;
	/*
	 * 6.10 moved the slab mark from page->flags to page_type ("mm: free
	 * up PG_slab", 46df8e73a4a3), which this version does not read yet.
	 */
	if (mlk_page.pg_slab < 0) {
		error(INFO, "enum pageflags has no PG_slab: slab pages "
		      "marked by page_type (Linux 6.10+) are not supported yet\n");
		return -1;
	}
	return 0;
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
	/* include/linux/page-flags.h: bit 0 of compound_head marks a tail */
	return mlk_page.compound_head >= 0 &&
	       (mlk_get_u64(pg, mlk_page.compound_head) & 1);
}

int mlk_page_is_slab(const unsigned char *pg)
{
	return flag_set(pg, mlk_page.pg_slab);
}

int mlk_page_is_head(const unsigned char *pg)
{
	return flag_set(pg, mlk_page.pg_head);
}

int mlk_page_is_reserved(const unsigned char *pg)
{
	return flag_set(pg, mlk_page.pg_reserved);
}

ulong mlk_page_head_of(ulong page)
{
	ulong head;

	if (mlk_page.compound_head >= 0 &&
	    mlk_read_ulong(page + mlk_page.compound_head, &head) && (head & 1))
		return head - 1;
	return page;
}
