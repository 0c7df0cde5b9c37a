/*
 * pageowner.c - page_ext lookup and struct page_owner parsing (see
 * pageowner.h).
 */
#include <string.h>

#include "pageowner_decode.h"
#include "bytes.h"
#include "track_decode.h" /* MLK_PID_MAX_LIMIT */

/* mm/page_ext.c: bit 0 of a section's page_ext marks it being offlined. */
#define PAGE_EXT_INVALID 0x1
/* page_ext->flags is an unsigned long at the start of every entry. */
#define PAGE_EXT_FLAGS_SIZE 8
/* Orders beyond this cannot be a page order on any configuration. */
#define PAGE_ORDER_LIMIT 63
/* The presets': MAX_PAGE_ORDER of x86_64 (MAX_ORDER - 1 before 6.4). */
#define PRESET_MAX_ORDER 10

/* ---- layout ------------------------------------------------------------ */

static void preset_absent(struct mlk_page_owner_layout *l)
{
	l->last_migrate_reason_off = -1;
	l->free_handle_off = -1;
	l->ts_nsec_off = -1;
	l->free_ts_nsec_off = -1;
	l->pid_off = -1;
	l->tgid_off = -1;
	l->comm_off = -1;
}

int mlk_page_owner_layout_preset(struct mlk_page_owner_layout *l,
				 enum mlk_page_owner_generation gen)
{
	memset(l, 0, sizeof(*l));
	preset_absent(l);
	l->max_order = PRESET_MAX_ORDER;
	l->owner_offset = PAGE_EXT_FLAGS_SIZE;
	switch (gen) {
	case MLK_PAGE_OWNER_GEN_4_19:
		/* { unsigned short order; short lmr; gfp_t; handle }. */
		l->owner_bit = 2;       /* after DEBUG_POISON, DEBUG_GUARD */
		l->allocated_bit = -1;
		l->size = 12;
		l->order_off = 0;
		l->order_size = 2;
		l->last_migrate_reason_off = 2;
		l->gfp_off = 4;
		l->handle_off = 8;
		break;
	case MLK_PAGE_OWNER_GEN_6_1:
		l->owner_bit = 0;
		l->allocated_bit = 1;
		l->size = 56;
		l->order_off = 0;
		l->order_size = 2;
		l->last_migrate_reason_off = 2;
		l->gfp_off = 4;
		l->handle_off = 8;
		l->free_handle_off = 12;
		l->ts_nsec_off = 16;
		l->free_ts_nsec_off = 24;
		l->comm_off = 32;
		l->comm_len = 16;
		l->pid_off = 48;
		l->tgid_off = 52;
		break;
	default:
		return -1;
	}
	l->page_ext_size = l->owner_offset + l->size;
	return 0;
}

/* A member of width bytes at off (-1: absent) lies inside the struct. */
static int member_ok(int32_t off, uint64_t width, uint32_t size)
{
	return off == -1 || (off >= 0 && (uint64_t)off + width <= size);
}

static int check_members(const struct mlk_page_owner_layout *l,
			 const char **why)
{
	if (l->order_off < 0 || (l->order_size != 2 && l->order_size != 4) ||
	    !member_ok(l->order_off, l->order_size, l->size) ||
	    !member_ok(l->last_migrate_reason_off, 2, l->size) ||
	    !member_ok(l->gfp_off, 4, l->size) ||
	    !member_ok(l->handle_off, 4, l->size) ||
	    !member_ok(l->free_handle_off, 4, l->size) ||
	    !member_ok(l->ts_nsec_off, 8, l->size) ||
	    !member_ok(l->free_ts_nsec_off, 8, l->size) ||
	    !member_ok(l->pid_off, 4, l->size) ||
	    !member_ok(l->tgid_off, 4, l->size) ||
	    !member_ok(l->comm_off, l->comm_len, l->size)) {
		*why = "page_owner layout: member outside the struct";
		return -1;
	}
	return 0;
}

int mlk_page_owner_layout_check(const struct mlk_page_owner_layout *l,
				const char **why)
{
	if (!l || l->size == 0 || l->owner_offset < PAGE_EXT_FLAGS_SIZE ||
	    l->page_ext_size > MLK_PAGE_EXT_MAX_SIZE ||
	    l->owner_offset + l->size > l->page_ext_size) {
		*why = "page_owner layout: bad page_ext size or offset";
		return -1;
	}
	if (l->owner_bit < 0 || l->owner_bit >= 64 ||
	    l->allocated_bit < -1 || l->allocated_bit >= 64 ||
	    l->max_order > PAGE_ORDER_LIMIT) {
		*why = "page_owner layout: bad flag bits or max order";
		return -1;
	}
	return check_members(l, why);
}

/* ---- addresses ---------------------------------------------------------- */

int mlk_page_ext_addr(const struct mlk_page_owner_layout *l,
		      mlk_addr_t section_page_ext, uint64_t pfn,
		      mlk_addr_t *page_ext, const char **why)
{
	const char *ignored;

	if (!why)
		why = &ignored;
	if (mlk_page_owner_layout_check(l, why) < 0)
		return -1;
	/* lookup_page_ext(): page_ext_invalid() means no entry. */
	if (section_page_ext == 0) {
		*why = "no page_ext for this section";
		return -1;
	}
	if (section_page_ext & PAGE_EXT_INVALID) {
		*why = "section's page_ext is being offlined";
		return -1;
	}
	/* get_entry(): the stored pointer is biased, wrap-around intended. */
	*page_ext = section_page_ext + l->page_ext_size * pfn;
	return 0;
}

mlk_addr_t mlk_page_owner_addr(const struct mlk_page_owner_layout *l,
			       mlk_addr_t page_ext)
{
	return page_ext + l->owner_offset;
}

/* ---- parsing ------------------------------------------------------------ */

static int flag_set(uint64_t flags, int bit)
{
	return (int)((flags >> bit) & 1);
}

static unsigned read_order(const struct mlk_page_owner_layout *l,
			   const unsigned char *p)
{
	if (l->order_size == 2)
		return mlk_get_u16(p, l->order_off);
	return mlk_get_u32(p, l->order_off);
}

/* A pid_t member: -1 when absent, -2 when out of range. */
static int read_pid(const unsigned char *p, int32_t off)
{
	int32_t pid;

	if (off < 0)
		return -1;
	pid = (int32_t)mlk_get_u32(p, off);
	return pid >= 0 && pid <= MLK_PID_MAX_LIMIT ? pid : -2;
}

/*
 * Copy comm[] up to its NUL, bounded by comm_len and our buffer; bytes a
 * terminal could misread (the dump may be corrupt) become '?'.
 */
static void copy_comm(const struct mlk_page_owner_layout *l,
		      const unsigned char *p, char *comm)
{
	comm[0] = '\0';
	if (l->comm_off >= 0)
		mlk_copy_comm(comm, MLK_PAGE_OWNER_COMM_MAX, p + l->comm_off,
			      l->comm_len);
}

static int check_record(const struct mlk_page_owner_layout *l,
			const unsigned char *p, const char **why)
{
	if (read_order(l, p) > l->max_order) {
		*why = "page_owner order out of range";
		return -1;
	}
	if (read_pid(p, l->pid_off) == -2 || read_pid(p, l->tgid_off) == -2) {
		*why = "page_owner pid out of range";
		return -1;
	}
	return 0;
}

static void fill_record(const struct mlk_page_owner_layout *l,
			const unsigned char *p, struct mlk_page_owner *po)
{
	memset(po, 0, sizeof(*po));
	po->order = read_order(l, p);
	po->last_migrate_reason = l->last_migrate_reason_off >= 0 ?
		(int16_t)mlk_get_u16(p, l->last_migrate_reason_off) : -1;
	if (l->gfp_off >= 0)
		po->gfp_mask = mlk_get_u32(p, l->gfp_off);
	if (l->handle_off >= 0)
		po->handle = mlk_get_u32(p, l->handle_off);
	if (l->free_handle_off >= 0)
		po->free_handle = mlk_get_u32(p, l->free_handle_off);
	if (l->ts_nsec_off >= 0)
		po->ts_nsec = mlk_get_u64(p, l->ts_nsec_off);
	if (l->free_ts_nsec_off >= 0)
		po->free_ts_nsec = mlk_get_u64(p, l->free_ts_nsec_off);
	po->pid = read_pid(p, l->pid_off);
	po->tgid = read_pid(p, l->tgid_off);
	copy_comm(l, p, po->comm);
}

int mlk_page_owner_parse(const struct mlk_page_owner_layout *l,
			 uint64_t page_ext_flags, const void *bytes,
			 size_t len, struct mlk_page_owner *po,
			 const char **why)
{
	const char *ignored;

	if (!why)
		why = &ignored;
	if (mlk_page_owner_layout_check(l, why) < 0)
		return -1;
	if (!bytes || !po) {
		*why = "bad arguments";
		return -1;
	}
	if (len < l->size) {
		*why = "page_owner bytes too short";
		return -1;
	}
	/* __dump_page_owner(): "page_owner info is not present". */
	if (!flag_set(page_ext_flags, l->owner_bit)) {
		*why = "no page_owner record";
		return MLK_PAGE_OWNER_NONE;
	}
	if (check_record(l, bytes, why) < 0)
		return -1;
	fill_record(l, bytes, po);
	/* Before PAGE_EXT_OWNER_ALLOCATED, freeing cleared PAGE_EXT_OWNER. */
	po->allocated = l->allocated_bit < 0 ||
			flag_set(page_ext_flags, l->allocated_bit);
	return 0;
}

int mlk_page_owner_fetch(const struct mlk_page_owner_layout *l,
			 const struct mlk_source *src,
			 mlk_addr_t section_page_ext, uint64_t pfn,
			 struct mlk_page_owner *po, const char **why)
{
	unsigned char entry[MLK_PAGE_EXT_MAX_SIZE];
	size_t entry_len;
	mlk_addr_t page_ext;
	uint64_t flags;
	const char *ignored;

	if (!why)
		why = &ignored;
	if (mlk_page_owner_layout_check(l, why) < 0)
		return -1;
	if (!src || !src->read) {
		*why = "bad arguments";
		return -1;
	}
	if (mlk_page_ext_addr(l, section_page_ext, pfn, &page_ext, why) < 0)
		return -1;
	/* owner_offset + size <= page_ext_size <= MLK_PAGE_EXT_MAX_SIZE. */
	entry_len = (size_t)(l->owner_offset + l->size);
	if (src->read(src->ctx, page_ext, entry, entry_len) < 0) {
		*why = "cannot read the page_ext entry";
		return -1;
	}
	memcpy(&flags, entry, sizeof(flags));
	return mlk_page_owner_parse(l, flags, entry + l->owner_offset,
				    l->size, po, why);
}

int mlk_page_owner_is_head(uint64_t pfn, unsigned order)
{
	if (order > PAGE_ORDER_LIMIT)
		return 0;
	return (pfn & ((UINT64_C(1) << order) - 1)) == 0;
}
