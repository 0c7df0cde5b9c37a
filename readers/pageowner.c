/*
 * pagestacks.c - page_owner records (CONFIG_PAGE_OWNER, booted with
 * page_owner=on) read out of the dump: who allocated a page, with the
 * allocation's stack from the stack depot (decoding: pageowner.c).
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

void mlk_page_owners_warm(void)
{
	static const char *const members[] = {
		"order", "last_migrate_reason", "gfp_mask", "handle",
		"free_handle", "ts_nsec", "free_ts_nsec", "pid", "tgid", "comm",
	};
	long v;
	size_t i;

	mlk_struct_size("page_owner");
	for (i = 0; i < sizeof(members) / sizeof(members[0]); i++)
		mlk_member_offset("page_owner", members[i]);
	mlk_member_size("page_owner", "order");
	mlk_member_size("page_owner", "comm");
	mlk_member_offset("page_ext_operations", "offset");
	mlk_member_offset("mem_section", "page_ext");
	mlk_enumerator("PAGE_EXT_OWNER", &v);
	mlk_enumerator("PAGE_EXT_OWNER_ALLOCATED", &v);
}

static int32_t owner_member(const char *m)
{
	return (int32_t)mlk_member_offset("page_owner", m);
}

/* struct page_owner and the page_ext around it, from the debuginfo. */
static int resolve_layout(struct mlk_page_owner_layout *l, const char **why)
{
	long owner_bit, allocated_bit, ops_offset_off;
	ulong ext_size, owner_offset;

	memset(l, 0, sizeof(*l));
	ops_offset_off = mlk_member_offset("page_ext_operations", "offset");
	if (!symbol_exists("page_owner_ops") || !symbol_exists("page_ext_size") ||
	    ops_offset_off < 0 || mlk_struct_size("page_owner") <= 0 ||
	    !mlk_enumerator("PAGE_EXT_OWNER", &owner_bit)) {
		*why = "this kernel has no page_owner (CONFIG_PAGE_OWNER is off)";
		return -1;
	}
	if (!mlk_read_ulong(symbol_value("page_ext_size"), &ext_size) ||
	    !mlk_read_ulong(symbol_value("page_owner_ops") + ops_offset_off,
			    &owner_offset)) {
		*why = "page_ext_size or page_owner_ops unreadable";
		return -1;
	}
	l->page_ext_size = ext_size;
	l->owner_offset = owner_offset;
	l->owner_bit = (int)owner_bit;
	l->allocated_bit = mlk_enumerator("PAGE_EXT_OWNER_ALLOCATED",
					  &allocated_bit) ? (int)allocated_bit : -1;
	l->size = (uint32_t)mlk_struct_size("page_owner");
	l->order_off = owner_member("order");
	l->order_size = (uint32_t)mlk_member_size("page_owner", "order");
	l->last_migrate_reason_off = owner_member("last_migrate_reason");
	l->gfp_off = owner_member("gfp_mask");
	l->handle_off = owner_member("handle");
	l->free_handle_off = owner_member("free_handle");
	l->ts_nsec_off = owner_member("ts_nsec");
	l->free_ts_nsec_off = owner_member("free_ts_nsec");
	l->pid_off = owner_member("pid");
	l->tgid_off = owner_member("tgid");
	l->comm_off = owner_member("comm");
	l->comm_len = l->comm_off >= 0 ?
		(uint32_t)mlk_member_size("page_owner", "comm") : 0;
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
	struct mlk_depot_layout dl;
	const char *why = NULL;

	memset(p, 0, sizeof(*p));
	p->src = mlk_crash_source(NULL);
	p->section_page_ext_off = mlk_member_offset("mem_section", "page_ext");
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
	if (mlk_tracks_depot_layout(&dl) < 0 ||
	    !(p->depot = mlk_depot_new(&dl, &p->src, &why))) {
		p->why = why ? why : "stack depot layout not understood";
		return -1;
	}
	resolve_large_kmalloc_ranges(p);
	p->ready = 1;
	return 0;
}

void mlk_page_owners_free(struct mlk_page_owners *p)
{
	mlk_depot_free(p->depot);
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

int mlk_page_owners_stack(struct mlk_page_owners *p, uint32_t handle,
			  mlk_addr_t *entries, unsigned max, const char **why)
{
	if (!p->depot) {
		*why = "no stack depot";
		return -1;
	}
	return mlk_depot_lookup(p->depot, handle, entries, max, why);
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
	n = mlk_page_owners_stack(p, po.handle, entries, MLK_MAX_FRAMES, &why);
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
	int n, rc;

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
	n = mlk_page_owners_stack(p, po.handle, ai->entries, MLK_MAX_FRAMES,
				  &why);
	if (n < 0)
		ai->stack_why = why;
	else
		ai->nr_entries = (unsigned)n;
	return 0;
}

/* Interim: the questions of mlk_page_owners_warm(), asked while the tables run. */
static int mlk_page_owners_warm_table(int missing)
{
	(void)missing;
	mlk_page_owners_warm();
	return 0;
}

const struct mlk_needs mlk_page_owners_needs = {
	"page_owner records", NULL, 0, mlk_page_owners_warm_table, 0,
};
