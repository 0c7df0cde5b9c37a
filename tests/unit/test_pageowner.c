/*
 * test_pageowner.c - page_ext lookup and struct page_owner records.
 *
 * Records are built as mm/page_owner.c __set_page_owner_handle() and
 * __reset_page_owner() leave them, for a 6.1-like layout (comm, pid, tgid,
 * PAGE_EXT_OWNER_ALLOCATED) and a 4.19-like one (none of those).
 */
#include <string.h>

#include "fake_mem.h"
#include "pageowner_decode.h"
#include "unit.h"

/* Section 9 (128 MiB sections of 4 KiB pages) starts at pfn 0x48000. */
#define SECTION_PFN 0x48000ULL
#define PAGE_EXT_BASE 0xffff888107400000ULL /* the section's entries */
#define ENTRIES 16
/* GFP_KERNEL | __GFP_COMP on 6.1 (bit values do not matter here). */
#define GFP 0x140cc0u

/* __set_page_owner_handle() for the fields the layout has. */
static void fill_owner(const struct mlk_page_owner_layout *l,
		       unsigned char *rec, unsigned order, uint32_t handle,
		       int pid, const char *comm)
{
	memset(rec, 0, l->size);
	if (l->order_size == 2)
		put_u16(rec, l->order_off, (uint16_t)order);
	else
		put_u32(rec, l->order_off, order);
	if (l->last_migrate_reason_off >= 0)
		put_u16(rec, l->last_migrate_reason_off, 0xffff); /* -1 */
	put_u32(rec, l->gfp_off, GFP);
	put_u32(rec, l->handle_off, handle);
	if (l->ts_nsec_off >= 0)
		put_u64(rec, l->ts_nsec_off, 123456789012ULL);
	if (l->pid_off >= 0)
		put_u32(rec, l->pid_off, (uint32_t)pid);
	if (l->tgid_off >= 0)
		put_u32(rec, l->tgid_off, (uint32_t)pid);
	if (l->comm_off >= 0) {
		size_t n = strlen(comm);

		memcpy(rec + l->comm_off, comm, n < l->comm_len ? n : l->comm_len);
	}
}

/* ---- addresses ---------------------------------------------------------- */

static int test_page_ext_addr(char *why, size_t whysz)
{
	struct mlk_page_owner_layout l;
	/* init_section_page_ext(): base - page_ext_size * section's pfn. */
	mlk_addr_t stored;
	mlk_addr_t a = 0;
	const char *err = NULL;

	mlk_page_owner_layout_preset(&l, MLK_PAGE_OWNER_GEN_6_1);
	CHECK(l.page_ext_size == 64 && l.owner_offset == 8, "preset sizes");
	stored = PAGE_EXT_BASE - l.page_ext_size * SECTION_PFN;
	CHECK(mlk_page_ext_addr(&l, stored, SECTION_PFN, &a, &err) == 0 &&
	      a == PAGE_EXT_BASE, "first pfn: %#llx", U64(a));
	CHECK(mlk_page_ext_addr(&l, stored, SECTION_PFN + 5, &a, &err) == 0 &&
	      a == PAGE_EXT_BASE + 5 * 64, "pfn + 5: %#llx",
	      U64(a));
	CHECK(mlk_page_owner_addr(&l, a) == PAGE_EXT_BASE + 5 * 64 + 8,
	      "page_owner of pfn + 5");
	CHECK(mlk_page_ext_addr(&l, 0, SECTION_PFN, &a, &err) == -1 &&
	      strstr(err, "no page_ext"), "NULL section page_ext");
	CHECK(mlk_page_ext_addr(&l, stored + 1, SECTION_PFN, &a, &err) == -1 &&
	      strstr(err, "offlined"), "PAGE_EXT_INVALID");
	return 0;
out:
	return -1;
}

static int test_page_owner_is_head(char *why, size_t whysz)
{
	CHECK(mlk_page_owner_is_head(SECTION_PFN, 3), "aligned order 3");
	CHECK(!mlk_page_owner_is_head(SECTION_PFN + 4, 3), "tail of order 3");
	CHECK(mlk_page_owner_is_head(SECTION_PFN + 5, 0), "order 0");
	CHECK(!mlk_page_owner_is_head(SECTION_PFN, 200), "absurd order");
	return 0;
out:
	return -1;
}

/* ---- parsing ------------------------------------------------------------ */

static int test_page_owner_6_1_allocated(char *why, size_t whysz)
{
	struct mlk_page_owner_layout l;
	unsigned char rec[56];
	struct mlk_page_owner po;
	const char *err = NULL;

	mlk_page_owner_layout_preset(&l, MLK_PAGE_OWNER_GEN_6_1);
	fill_owner(&l, rec, 2, 0x05230001, 812, "kworker/u8:2");
	put_u32(rec, l.free_handle_off, 0x05240001);
	/* PAGE_EXT_OWNER | PAGE_EXT_OWNER_ALLOCATED */
	CHECK(mlk_page_owner_parse(&l, 0x3, rec, sizeof(rec), &po, &err) == 0,
	      "parse: %s", err ? err : "");
	CHECK(po.allocated && po.order == 2 && po.gfp_mask == GFP &&
	      po.handle == 0x05230001 && po.free_handle == 0x05240001 &&
	      po.ts_nsec == 123456789012ULL && po.pid == 812 &&
	      po.tgid == 812 && po.last_migrate_reason == -1,
	      "fields: order %u gfp %#x handle %#x pid %d tgid %d lmr %d",
	      po.order, po.gfp_mask, po.handle, po.pid, po.tgid,
	      po.last_migrate_reason);
	CHECK(strcmp(po.comm, "kworker/u8:2") == 0, "comm \"%s\"", po.comm);
	return 0;
out:
	return -1;
}

/* __reset_page_owner(): ALLOCATED cleared, the record kept. */
static int test_page_owner_6_1_freed(char *why, size_t whysz)
{
	struct mlk_page_owner_layout l;
	unsigned char rec[56];
	struct mlk_page_owner po;
	const char *err = NULL;

	mlk_page_owner_layout_preset(&l, MLK_PAGE_OWNER_GEN_6_1);
	fill_owner(&l, rec, 0, 0x05230001, 1, "systemd");
	CHECK(mlk_page_owner_parse(&l, 0x1, rec, sizeof(rec), &po, &err) == 0,
	      "parse: %s", err ? err : "");
	CHECK(!po.allocated && po.handle == 0x05230001, "freed page: "
	      "allocated %d", po.allocated);
	/* Never had an owner: PAGE_EXT_OWNER clear. */
	CHECK(mlk_page_owner_parse(&l, 0x0, rec, sizeof(rec), &po, &err) ==
	      MLK_PAGE_OWNER_NONE, "no record");
	return 0;
out:
	return -1;
}

/* 4.19: no free_handle, times, pid, comm; OWNER is bit 2 and is cleared
 * on free. */
static int test_page_owner_4_19(char *why, size_t whysz)
{
	struct mlk_page_owner_layout l;
	unsigned char rec[12];
	struct mlk_page_owner po;
	const char *err = NULL;

	mlk_page_owner_layout_preset(&l, MLK_PAGE_OWNER_GEN_4_19);
	CHECK(l.size == 12 && l.allocated_bit == -1, "preset");
	fill_owner(&l, rec, 9, 0x80000042, 0, "");
	CHECK(mlk_page_owner_parse(&l, 1u << 2, rec, sizeof(rec), &po,
				   &err) == 0, "parse: %s", err ? err : "");
	CHECK(po.allocated && po.order == 9 && po.handle == 0x80000042 &&
	      po.pid == -1 && po.tgid == -1 && po.comm[0] == '\0' &&
	      po.ts_nsec == 0 && po.free_handle == 0,
	      "fields: order %u pid %d comm \"%s\"", po.order, po.pid,
	      po.comm);
	/* Bits 0 and 1 were DEBUG_POISON and DEBUG_GUARD. */
	CHECK(mlk_page_owner_parse(&l, 0x3, rec, sizeof(rec), &po, &err) ==
	      MLK_PAGE_OWNER_NONE, "guard bits taken for the owner bit");
	return 0;
out:
	return -1;
}

static int test_page_owner_garbage(char *why, size_t whysz)
{
	struct mlk_page_owner_layout l;
	unsigned char rec[56];
	struct mlk_page_owner po;
	const char *err = NULL;

	mlk_page_owner_layout_preset(&l, MLK_PAGE_OWNER_GEN_6_1);
	fill_owner(&l, rec, 11, 1, 1, "x");
	CHECK(mlk_page_owner_parse(&l, 0x3, rec, sizeof(rec), &po, &err) ==
	      -1 && strstr(err, "order"), "order 11 accepted");
	fill_owner(&l, rec, 0xffff, 1, 1, "x");
	CHECK(mlk_page_owner_parse(&l, 0x3, rec, sizeof(rec), &po, &err) ==
	      -1, "order 0xffff accepted");
	l.max_order = 12; /* e.g. arm64 with 64 KiB pages */
	fill_owner(&l, rec, 11, 1, 1, "x");
	CHECK(mlk_page_owner_parse(&l, 0x3, rec, sizeof(rec), &po, &err) == 0,
	      "order 11 under max_order 12: %s", err);
	fill_owner(&l, rec, 0, 1, -7, "x");
	CHECK(mlk_page_owner_parse(&l, 0x3, rec, sizeof(rec), &po, &err) ==
	      -1 && strstr(err, "pid"), "negative pid accepted");
	fill_owner(&l, rec, 0, 1, 1, "x");
	CHECK(mlk_page_owner_parse(&l, 0x3, rec, 55, &po, &err) == -1,
	      "short bytes accepted");
	/* comm without its NUL, with bytes a terminal would act on. */
	memset(rec + l.comm_off, 'A', l.comm_len);
	rec[l.comm_off + 3] = 0x1b;
	CHECK(mlk_page_owner_parse(&l, 0x3, rec, sizeof(rec), &po, &err) == 0,
	      "unterminated comm: %s", err);
	CHECK(strlen(po.comm) == 16 && po.comm[3] == '?',
	      "comm \"%s\"", po.comm);
	return 0;
out:
	return -1;
}

static int expect_bad_layout(const struct mlk_page_owner_layout *l,
			     const char *what, char *why, size_t whysz)
{
	const char *err = NULL;

	CHECK(mlk_page_owner_layout_check(l, &err) == -1 && err,
	      "%s: layout accepted", what);
	return 0;
out:
	return -1;
}

static int test_page_owner_layout_check(char *why, size_t whysz)
{
	struct mlk_page_owner_layout good, l;
	const char *err = NULL;

	mlk_page_owner_layout_preset(&good, MLK_PAGE_OWNER_GEN_6_1);
	CHECK(mlk_page_owner_layout_check(&good, &err) == 0, "preset: %s", err);
	CHECK(mlk_page_owner_layout_preset(&l,
			(enum mlk_page_owner_generation)7) == -1,
	      "unknown preset");
	l = good;
	l.page_ext_size = 40; /* page_owner would end past the entry */
	if (expect_bad_layout(&l, "entry too small", why, whysz) < 0)
		return -1;
	l = good;
	l.owner_offset = 0; /* over the flags word */
	if (expect_bad_layout(&l, "owner over flags", why, whysz) < 0)
		return -1;
	l = good;
	l.comm_len = 64;
	if (expect_bad_layout(&l, "comm outside", why, whysz) < 0)
		return -1;
	l = good;
	l.order_size = 3;
	if (expect_bad_layout(&l, "order size", why, whysz) < 0)
		return -1;
	l = good;
	l.owner_bit = 64;
	return expect_bad_layout(&l, "owner bit", why, whysz);
out:
	return -1;
}

/* ---- fetching ----------------------------------------------------------- */

static int test_page_owner_fetch(char *why, size_t whysz)
{
	struct fake_mem m = { 0 };
	struct mlk_source src = fake_source(&m);
	struct mlk_page_owner_layout l;
	struct mlk_page_owner po;
	mlk_addr_t stored;
	unsigned char *entry;
	const char *err = NULL;
	int rc = -1;

	CHECK(fake_add_region(&m, PAGE_EXT_BASE, ENTRIES * 64) == 0,
	      "out of memory");
	mlk_page_owner_layout_preset(&l, MLK_PAGE_OWNER_GEN_6_1);
	stored = PAGE_EXT_BASE - l.page_ext_size * SECTION_PFN;
	/* pfn + 7: allocated, order 0, by pid 4242 (inside the region). */
	entry = fake_at(&m, PAGE_EXT_BASE + 7 * l.page_ext_size,
			l.page_ext_size);
	put_u64(entry, 0, 0x3);
	fill_owner(&l, entry + l.owner_offset, 0, 0x1234, 4242, "modprobe");
	CHECK(mlk_page_owner_fetch(&l, &src, stored, SECTION_PFN + 7, &po,
				   &err) == 0, "fetch: %s", err ? err : "");
	CHECK(po.pid == 4242 && po.allocated && po.handle == 0x1234 &&
	      strcmp(po.comm, "modprobe") == 0, "fields: pid %d comm %s",
	      po.pid, po.comm);
	CHECK(mlk_page_owner_fetch(&l, &src, stored, SECTION_PFN + 8, &po,
				   &err) == MLK_PAGE_OWNER_NONE,
	      "empty entry");
	CHECK(mlk_page_owner_fetch(&l, &src, stored, SECTION_PFN + ENTRIES,
				   &po, &err) == -1 && strstr(err, "cannot"),
	      "unreadable entry");
	CHECK(mlk_page_owner_fetch(&l, &src, 0, SECTION_PFN, &po, &err) == -1,
	      "section without page_ext");
	rc = 0;
out:
	fake_mem_free(&m);
	return rc;
}

void run_pageowner_tests(void)
{
	unit_run("page_ext_addr", test_page_ext_addr);
	unit_run("page_owner_is_head", test_page_owner_is_head);
	unit_run("page_owner_6_1_allocated", test_page_owner_6_1_allocated);
	unit_run("page_owner_6_1_freed", test_page_owner_6_1_freed);
	unit_run("page_owner_4_19", test_page_owner_4_19);
	unit_run("page_owner_garbage", test_page_owner_garbage);
	unit_run("page_owner_layout_check", test_page_owner_layout_check);
	unit_run("page_owner_fetch", test_page_owner_fetch);
}
