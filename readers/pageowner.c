/*
 * pageowner.c - page_owner records (CONFIG_PAGE_OWNER, booted with
 * page_owner=on) read out of the dump: who allocated a page, with the
 * allocation's stack from the stack depot (decoding: pageowner_decode.c).
 *
 * Debuginfo questions (gdb, answered before any scan): the table below.
 * Symbols (crash's own table, read when the records are set up):
 * page_ext_size, page_owner_ops, page_owner_inited, mem_section and the
 * functions of the large kmalloc path.
 *
 * Two uses: a compound allocation whose stack passed through the large
 * kmalloc path (mm/slab_common.c: kmalloc_large() and friends) is a large
 * kmalloc block, tracked like a slab object instead of scanned as a root;
 * and the leak report shows the page_owner stack of large kmalloc blocks
 * and of vmalloc areas (their first page).
 */
#include "pageowner.h"

/*
 * The functions of the large kmalloc path across versions: kmalloc_order()
 * and kmalloc_order_trace() (up to 6.0), kmalloc_large(),
 * kmalloc_large_node() and __kmalloc_large_node() (6.1+), and their
 * _noprof variants (6.10+, memory allocation profiling).
 */
static const char *const large_kmalloc_fns[] = {
	"kmalloc_order", "kmalloc_order_trace", "kmalloc_large",
	"kmalloc_large_node", "__kmalloc_large_node", "kmalloc_large_noprof",
	"kmalloc_large_node_noprof", "__kmalloc_large_node_noprof",
};

/* ---- struct page_owner and page_ext, from the debuginfo ------------------ */

static struct {
	long size, order, order_size, last_migrate_reason, gfp_mask, handle,
	     free_handle, ts_nsec, free_ts_nsec, pid, tgid, comm, comm_size;
	long ops_offset, section_page_ext, owner_bit, allocated_bit;
} P;

#define OWNER(ans, member, lvl) MLK_MEMBER(ans, "page_owner", member, lvl)

static const struct mlk_need page_owner_needs[] = {
	MLK_SIZE(&P.size, "page_owner", MLK_REQUIRED),
	/* unsigned int in early 4.x, then unsigned short: the size says */
	OWNER(&P.order, "order", MLK_REQUIRED),
	MLK_MEMBER_SIZE(&P.order_size, "page_owner", "order", MLK_REQUIRED),
	OWNER(&P.last_migrate_reason, "last_migrate_reason", MLK_OPTIONAL),
	OWNER(&P.gfp_mask, "gfp_mask", MLK_OPTIONAL),
	OWNER(&P.handle, "handle", MLK_OPTIONAL),
	/*
	 * 5.4+: 8974558f49a6 "mm, page_owner, debug_pagealloc: save and
	 * dump freeing stack trace".
	 */
	OWNER(&P.free_handle, "free_handle", MLK_OPTIONAL),
	/* 5.11+: 9cc7e96aa846 "mm/page_owner: record timestamp and pid" */
	OWNER(&P.ts_nsec, "ts_nsec", MLK_OPTIONAL),
	OWNER(&P.pid, "pid", MLK_OPTIONAL),
	/*
	 * 5.13+: 866b48526217 "mm/page_owner: record the timestamp of all
	 * pages during free".
	 */
	OWNER(&P.free_ts_nsec, "free_ts_nsec", MLK_OPTIONAL),
	/* 6.0+: bf215eab785a "mm/page_owner.c: record tgid" */
	OWNER(&P.tgid, "tgid", MLK_OPTIONAL),
	/* 6.0+: 865ed6a32786 "mm/page_owner: record task command name" */
	OWNER(&P.comm, "comm", MLK_OPTIONAL),
	MLK_MEMBER_SIZE(&P.comm_size, "page_owner", "comm", MLK_OPTIONAL),
	MLK_MEMBER(&P.ops_offset, "page_ext_operations", "offset",
		   MLK_REQUIRED),
	MLK_MEMBER(&P.section_page_ext, "mem_section", "page_ext",
		   MLK_REQUIRED),
	MLK_ENUM(&P.owner_bit, "PAGE_EXT_OWNER", MLK_REQUIRED),
	/*
	 * 5.4+: PAGE_EXT_OWNER_ACTIVE of 37389167a281 "mm, page_owner: keep
	 * owner info when freeing the page", renamed in the same release by
	 * "mm, page_owner: rename flag indicating that page is allocated".
	 */
	MLK_ENUM(&P.allocated_bit, "PAGE_EXT_OWNER_ALLOCATED", MLK_OPTIONAL),
};

/* struct page_owner from the answers; page_ext's sizes are read per run. */
static struct mlk_page_owner_layout owner_layout;
static int page_owner_built_in;

static int derive_page_owners(int missing)
{
	struct mlk_page_owner_layout *l = &owner_layout;

	memset(l, 0, sizeof(*l));
	page_owner_built_in = P.ops_offset >= 0 && P.size > 0 &&
			      P.owner_bit != MLK_NO_ANSWER;
	l->owner_bit = (int)P.owner_bit;
	l->allocated_bit = P.allocated_bit != MLK_NO_ANSWER ?
		(int)P.allocated_bit : -1;
	l->size = (uint32_t)P.size;
	l->order_off = mlk_offset32(P.order);
	l->order_size = (uint32_t)P.order_size;
	l->last_migrate_reason_off = mlk_offset32(P.last_migrate_reason);
	l->gfp_off = mlk_offset32(P.gfp_mask);
	l->handle_off = mlk_offset32(P.handle);
	l->free_handle_off = mlk_offset32(P.free_handle);
	l->ts_nsec_off = mlk_offset32(P.ts_nsec);
	l->free_ts_nsec_off = mlk_offset32(P.free_ts_nsec);
	l->pid_off = mlk_offset32(P.pid);
	l->tgid_off = mlk_offset32(P.tgid);
	l->comm_off = mlk_offset32(P.comm);
	l->comm_len = l->comm_off >= 0 ? (uint32_t)P.comm_size : 0;
	/* MAX_PAGE_ORDER: an architecture fact */
	l->max_order = mlk_arch->max_page_order();
	return page_owner_built_in && !missing ? 0 : -1;
}

const struct mlk_needs mlk_page_owners_needs = {
	"page_owner records", page_owner_needs, MLK_COUNT(page_owner_needs),
	derive_page_owners, 0,
};

/* ---- set-up -------------------------------------------------------------- */

/*
 * The layout of this run: page_ext_size and page_owner_ops (symbols) are
 * read from the dump.
 */
static int resolve_layout(struct mlk_page_owner_layout *l, const char **why)
{
	ulong ext_size, owner_offset;

	*l = owner_layout;
	if (!symbol_exists("page_owner_ops") || !symbol_exists("page_ext_size") ||
	    !page_owner_built_in) {
		*why = "this kernel has no page_owner (CONFIG_PAGE_OWNER is off)";
		return -1;
	}
	if (!mlk_read_ulong(symbol_value("page_ext_size"), &ext_size) ||
	    !mlk_read_ulong(symbol_value("page_owner_ops") + P.ops_offset,
			    &owner_offset)) {
		*why = "page_ext_size or page_owner_ops unreadable";
		return -1;
	}
	l->page_ext_size = ext_size;
	l->owner_offset = owner_offset;
	return mlk_page_owner_layout_check(l, why);
}

/*
 * page_owner=on at boot flips the static key page_owner_inited
 * (mm/page_owner.c: init_page_owner()); without it no record is written.
 * The key's first member is its atomic_t enabled count.
 */
static int page_owner_switched_on(void)
{
	int enabled = 0;

	if (!symbol_exists("page_owner_inited"))
		return 1; /* older kernels: the records say it */
	return mlk_read_symbol_int("page_owner_inited", &enabled) &&
	       enabled > 0;
}

static void resolve_large_kmalloc_ranges(struct mlk_page_owners *p)
{
	size_t i;

	for (i = 0; i < sizeof(large_kmalloc_fns) / sizeof(large_kmalloc_fns[0]) &&
		    p->nfns < MLK_LARGE_KMALLOC_FNS; i++) {
		struct syment *sp = symbol_search((char *)large_kmalloc_fns[i]);
		struct syment *next = sp ? next_symbol(NULL, sp) : NULL;

		if (!sp || !next || next->value <= sp->value)
			continue;
		p->fn_start[p->nfns] = sp->value;
		p->fn_end[p->nfns] = next->value;
		p->nfns++;
	}
}

int mlk_page_owners_init(struct mlk_page_owners *p)
{
	memset(p, 0, sizeof(*p));
	p->src = mlk_crash_source(NULL);
	p->section_page_ext_off = P.section_page_ext;
	if (resolve_layout(&p->lay, &p->why) < 0)
		return -1;
	if (p->section_page_ext_off < 0 || !(vt->flags & SPARSEMEM)) {
		p->why = "page_ext lookup needs SPARSEMEM (mem_section.page_ext)";
		return -1;
	}
	if (!page_owner_switched_on()) {
		p->why = "page_owner is built in but was not switched on "
			 "(boot with page_owner=on)";
		return -1;
	}
	if (mlk_stack_depot_open(&p->stacks) < 0) {
		p->why = p->stacks.why;
		return -1;
	}
	resolve_large_kmalloc_ranges(p);
	p->ready = 1;
	return 0;
}

void mlk_page_owners_free(struct mlk_page_owners *p)
{
	mlk_stack_depot_close(&p->stacks);
	memset(p, 0, sizeof(*p));
}

/*
 * The struct mem_section of section nr, found as crash's nr_to_section()
 * (memory.c) finds it, from the root array crash read at start-up; not
 * through valid_section_nr(), whose read of the section is FAULT_ON_ERROR.
 */
static ulong section_addr(ulong nr)
{
	ulong *roots = vt->mem_sec;
	ulong root = SECTION_NR_TO_ROOT(nr);

	if (!IS_SPARSEMEM_EX())
		return symbol_exists("mem_section") ?
			symbol_value("mem_section") + nr * SIZE(mem_section) : 0;
	if (!roots || root >= NR_SECTION_ROOTS() || !IS_KVADDR(roots[root]))
		return 0;
	return roots[root] + (nr & SECTION_ROOT_MASK()) * SIZE(mem_section);
}

int mlk_page_owners_get(struct mlk_page_owners *p, ulong pfn,
			struct mlk_page_owner *po, const char **why)
{
	ulong section, page_ext;

	if (!p->ready) {
		*why = p->why ? p->why : "no page_owner";
		return -1;
	}
	section = section_addr(pfn_to_section_nr(pfn));
	if (!section || !mlk_read_ulong(section + p->section_page_ext_off,
					&page_ext)) {
		*why = "no memory section for this page";
		return -1;
	}
	return mlk_page_owner_fetch(&p->lay, &p->src, page_ext, pfn, po, why);
}

static int in_large_kmalloc_path(const struct mlk_page_owners *p,
				 mlk_addr_t ip)
{
	unsigned i;

	for (i = 0; i < p->nfns; i++)
		if (ip >= p->fn_start[i] && ip < p->fn_end[i])
			return 1;
	return 0;
}

int mlk_page_owners_is_large_kmalloc(struct mlk_page_owners *p, ulong pfn)
{
	struct mlk_page_owner po;
	mlk_addr_t entries[MLK_MAX_FRAMES];
	const char *why = NULL;
	int i, n;

	if (!p->ready || !p->nfns ||
	    mlk_page_owners_get(p, pfn, &po, &why) != 0 || !po.allocated)
		return 0;
	n = mlk_stack_depot_lookup(&p->stacks, po.handle, entries,
				   MLK_MAX_FRAMES, &why);
	for (i = 0; i < n; i++)
		if (in_large_kmalloc_path(p, entries[i]))
			return 1;
	return 0;
}

int mlk_page_owners_alloc_info(struct mlk_page_owners *p, ulong pfn,
			       struct mlk_alloc_info *ai)
{
	struct mlk_page_owner po;
	const char *why = NULL;
	int rc;

	memset(ai, 0, sizeof(*ai));
	rc = mlk_page_owners_get(p, pfn, &po, &why);
	if (rc != 0) {
		ai->why = rc == MLK_PAGE_OWNER_NONE ? "no page_owner record" :
			(why ? why : "page_owner record unreadable");
		return -1;
	}
	ai->have_track = 1;
	ai->from_page_owner = 1;
	ai->pid = po.pid;
	ai->cpu = -1;
	ai->ts_nsec = po.ts_nsec;
	snprintf(ai->comm, sizeof(ai->comm), "%s", po.comm);
	ai->handle = po.handle;
	mlk_alloc_info_stack(&p->stacks, po.handle, ai);
	return 0;
}
