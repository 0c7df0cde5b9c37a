/*
 * track.c - SLUB's struct track records (see track.h).
 */
#include <string.h>

#include "track_decode.h"
#include "bytes.h"

/* TRACK_ADDRS_COUNT in mm/slub.c before 5.17. */
#define TRACK_ADDRS_COUNT 16

/* ---- layout ------------------------------------------------------------ */

int mlk_track_layout_preset(struct mlk_track_layout *l,
			    enum mlk_track_generation gen)
{
	switch (gen) {
	case MLK_TRACK_GEN_DEPOT:
		*l = (struct mlk_track_layout){ .size = 32, .addr_off = 0,
			.handle_off = 8, .addrs_off = -1, .cpu_off = 12,
			.pid_off = 16, .when_off = 24 };
		return 0;
	case MLK_TRACK_GEN_ADDRS:
		*l = (struct mlk_track_layout){ .size = 152, .addr_off = 0,
			.handle_off = -1, .addrs_off = 8,
			.addrs_count = TRACK_ADDRS_COUNT, .cpu_off = 136,
			.pid_off = 140, .when_off = 144 };
		return 0;
	case MLK_TRACK_GEN_PLAIN:
		*l = (struct mlk_track_layout){ .size = 24, .addr_off = 0,
			.handle_off = -1, .addrs_off = -1, .cpu_off = 8,
			.pid_off = 12, .when_off = 16 };
		return 0;
	}
	return -1;
}

/* A member of width bytes at off lies inside the struct. */
static int member_inside(int32_t off, uint64_t width, uint32_t size)
{
	return off >= 0 && (uint64_t)off + width <= size;
}

int mlk_track_layout_check(const struct mlk_track_layout *l,
			   const char **why)
{
	if (!l || l->size == 0 || l->size > MLK_TRACK_MAX_SIZE) {
		*why = "track layout: bad struct size";
		return -1;
	}
	if (!member_inside(l->addr_off, 8, l->size) ||
	    !member_inside(l->cpu_off, 4, l->size) ||
	    !member_inside(l->pid_off, 4, l->size) ||
	    !member_inside(l->when_off, 8, l->size) ||
	    (l->handle_off != -1 && !member_inside(l->handle_off, 4, l->size))) {
		*why = "track layout: member outside the struct";
		return -1;
	}
	if (l->addrs_off != -1 &&
	    !member_inside(l->addrs_off, (uint64_t)l->addrs_count * 8,
			   l->size)) {
		*why = "track layout: addrs[] outside the struct";
		return -1;
	}
	return 0;
}

/* ---- where the tracks are ---------------------------------------------- */

uint32_t mlk_track_info_end(uint32_t inuse, uint32_t fp_offset)
{
	/* freeptr_outside_object(): the free pointer follows the object. */
	if (fp_offset >= inuse)
		return inuse + MLK_WORD;
	return inuse;
}

int mlk_track_addr(mlk_addr_t object, uint32_t inuse, uint32_t fp_offset,
		   uint32_t track_size, enum mlk_track_item which,
		   mlk_addr_t *addr)
{
	uint64_t delta = (uint64_t)mlk_track_info_end(inuse, fp_offset) +
			 (uint64_t)track_size * (which == MLK_TRACK_FREE);

	if (object + delta < object)
		return -1;
	*addr = object + delta;
	return 0;
}

/* ---- parsing ----------------------------------------------------------- */

/* set_track() (before 5.17) zero-fills addrs[] after the last frame. */
static unsigned copy_inline_entries(const struct mlk_track_layout *l,
				    const unsigned char *p, mlk_addr_t *out)
{
	unsigned count = l->addrs_count < MLK_TRACK_MAX_INLINE ?
			 l->addrs_count : MLK_TRACK_MAX_INLINE;
	unsigned n = 0;

	while (n < count) {
		uint64_t entry = mlk_get_u64(p, l->addrs_off + (int32_t)(n * 8));

		if (entry == 0)
			break;
		out[n++] = entry;
	}
	return n;
}

static int check_cpu_pid(const struct mlk_track_layout *l, int cpu, int pid,
			 const char **why)
{
	if (cpu < 0 || (l->cpu_limit && (uint32_t)cpu >= l->cpu_limit)) {
		*why = "track's cpu out of range";
		return -1;
	}
	if (pid < 0 || pid > MLK_PID_MAX_LIMIT) {
		*why = "track's pid out of range";
		return -1;
	}
	return 0;
}

int mlk_track_parse(const struct mlk_track_layout *l, const void *bytes,
		    size_t len, struct mlk_track *t, const char **why)
{
	const unsigned char *p = bytes;
	const char *ignored;
	int cpu, pid;

	if (!why)
		why = &ignored;
	if (mlk_track_layout_check(l, why) < 0)
		return -1;
	if (!bytes || !t) {
		*why = "bad arguments";
		return -1;
	}
	if (len < l->size) {
		*why = "track bytes too short";
		return -1;
	}
	if (mlk_get_u64(p, l->addr_off) == 0) {
		*why = "no track recorded";
		return MLK_TRACK_EMPTY;
	}
	cpu = mlk_get_s32(p, l->cpu_off);
	pid = mlk_get_s32(p, l->pid_off);
	if (check_cpu_pid(l, cpu, pid, why) < 0)
		return -1;
	memset(t, 0, sizeof(*t));
	t->addr = mlk_get_u64(p, l->addr_off);
	t->cpu = cpu;
	t->pid = pid;
	t->when = mlk_get_u64(p, l->when_off);
	if (l->handle_off >= 0)
		t->handle = mlk_get_u32(p, l->handle_off);
	if (l->addrs_off >= 0)
		t->nr_entries = copy_inline_entries(l, p, t->entries);
	return 0;
}

int mlk_track_fetch(const struct mlk_track_layout *l,
		    const struct mlk_source *src, mlk_addr_t object,
		    uint32_t inuse, uint32_t fp_offset,
		    enum mlk_track_item which, struct mlk_track *t,
		    const char **why)
{
	unsigned char bytes[MLK_TRACK_MAX_SIZE];
	mlk_addr_t addr;
	const char *ignored;

	if (!why)
		why = &ignored;
	if (mlk_track_layout_check(l, why) < 0)
		return -1;
	if (!src || !src->read) {
		*why = "bad arguments";
		return -1;
	}
	if (mlk_track_addr(object, inuse, fp_offset, l->size, which,
			   &addr) < 0) {
		*why = "track address overflows";
		return -1;
	}
	/* l->size <= MLK_TRACK_MAX_SIZE: checked above. */
	if (src->read(src->ctx, addr, bytes, l->size) < 0) {
		*why = "cannot read the track";
		return -1;
	}
	return mlk_track_parse(l, bytes, l->size, t, why);
}

/* ---- age --------------------------------------------------------------- */

int mlk_jiffies_age(uint64_t when, uint64_t jiffies, uint64_t *age)
{
	uint64_t delta = jiffies - when; /* modulo 2^64, like the kernel */

	/* time_after(when, jiffies): (long)(jiffies - when) < 0. */
	if (delta > (uint64_t)INT64_MAX)
		return -1;
	*age = delta;
	return 0;
}
