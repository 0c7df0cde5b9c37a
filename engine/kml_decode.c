/*
 * kmlobject.c - struct kmemleak_object parsing and the kernel's report
 * text for one object (see kmlobject.h).
 */
#include <stdio.h>
#include <string.h>

#include "kml_decode.h"
#include "bytes.h"
#include "track_decode.h" /* MLK_PID_MAX_LIMIT */

/* A member of width bytes at off lies inside the struct (-1: absent ok). */
static int fits(int32_t off, uint64_t width, uint32_t size, int optional)
{
	if (off == -1)
		return optional;
	return off >= 0 && (uint64_t)off + width <= size;
}

int mlk_kml_layout_check(const struct mlk_kml_layout *l, const char **why)
{
	const char *ignored;

	if (!why)
		why = &ignored;
	if (!l || l->size == 0 || l->size > MLK_KML_MAX_SIZE) {
		*why = "kmemleak_object: bad struct size";
		return -1;
	}
	if (!fits(l->flags_off, 4, l->size, 0) ||
	    !fits(l->object_list_off, 16, l->size, 0) ||
	    !fits(l->pointer_off, 8, l->size, 0) ||
	    !fits(l->size_off, 8, l->size, 0) ||
	    !fits(l->min_count_off, 4, l->size, 0) ||
	    !fits(l->count_off, 4, l->size, 0) ||
	    !fits(l->checksum_off, 4, l->size, 0) ||
	    !fits(l->jiffies_off, 8, l->size, 0) ||
	    !fits(l->pid_off, 4, l->size, 0) ||
	    !fits(l->comm_off, l->comm_len, l->size, 0) ||
	    !fits(l->trace_off, (uint64_t)l->trace_max * 8, l->size, 1) ||
	    !fits(l->trace_len_off, 4, l->size, 1) ||
	    !fits(l->trace_handle_off, 4, l->size, 1)) {
		*why = "kmemleak_object: member outside the struct";
		return -1;
	}
	if ((l->trace_off >= 0) != (l->trace_len_off >= 0) ||
	    (l->trace_off < 0 && l->trace_handle_off < 0)) {
		*why = "kmemleak_object: no backtrace member";
		return -1;
	}
	return 0;
}

static int copy_trace(const struct mlk_kml_layout *l, const unsigned char *p,
		      struct mlk_kml_object *o, const char **why)
{
	uint32_t len, i;

	if (l->trace_handle_off >= 0)
		o->trace_handle = mlk_get_u32(p, l->trace_handle_off);
	if (l->trace_off < 0)
		return 0;
	len = mlk_get_u32(p, l->trace_len_off);
	if (len > l->trace_max) {
		*why = "kmemleak_object: trace_len beyond trace[]";
		return -1;
	}
	if (len > MLK_KML_MAX_TRACE)
		len = MLK_KML_MAX_TRACE;
	for (i = 0; i < len; i++)
		o->trace[i] = mlk_get_u64(p, l->trace_off + 8 * (long)i);
	o->trace_len = len;
	return 0;
}

int mlk_kml_parse(const struct mlk_kml_layout *l, const void *bytes,
		  size_t len, struct mlk_kml_object *o, const char **why)
{
	const unsigned char *p = bytes;
	const char *ignored;

	if (!why)
		why = &ignored;
	if (mlk_kml_layout_check(l, why) < 0)
		return -1;
	if (!bytes || !o || len < l->size) {
		*why = "kmemleak_object: bytes too short";
		return -1;
	}
	memset(o, 0, sizeof(*o));
	o->flags = mlk_get_u32(p, l->flags_off);
	o->pointer = mlk_get_u64(p, l->pointer_off);
	o->size = mlk_get_u64(p, l->size_off);
	o->min_count = mlk_get_s32(p, l->min_count_off);
	o->count = mlk_get_s32(p, l->count_off);
	o->checksum = mlk_get_u32(p, l->checksum_off);
	o->jiffies = mlk_get_u64(p, l->jiffies_off);
	o->pid = mlk_get_s32(p, l->pid_off);
	if (o->pid < 0 || o->pid > MLK_PID_MAX_LIMIT) {
		*why = "kmemleak_object: pid out of range";
		return -1;
	}
	mlk_copy_comm(o->comm, sizeof(o->comm), p + l->comm_off, l->comm_len);
	return copy_trace(l, p, o, why);
}

int mlk_kml_is_white(const struct mlk_kml_object *o)
{
	return o->count != MLK_KML_BLACK && o->count < o->min_count;
}

int mlk_kml_in_report(const struct mlk_kml_object *o, uint64_t min_age,
		      uint64_t last_scan)
{
	/* time_before_eq(a, b): (long)(a - b) <= 0, jiffies wrap included */
	int64_t since = (int64_t)(o->jiffies + min_age - last_scan);

	return (o->flags & MLK_KML_REPORTED) && (o->flags & MLK_KML_ALLOCATED) &&
	       mlk_kml_is_white(o) && since <= 0;
}

int mlk_kml_format_header(const struct mlk_kml_object *o,
			  const struct mlk_kml_format *f, char *out,
			  size_t outsz)
{
	int n = snprintf(out, outsz,
			 "unreferenced object 0x%08llx (size %llu):\n"
			 "  comm \"%s\", pid %d, jiffies %llu",
			 (unsigned long long)o->pointer,
			 (unsigned long long)o->size, o->comm, o->pid,
			 (unsigned long long)o->jiffies);
	size_t used;

	if (n < 0)
		return n;
	used = (size_t)n < outsz ? (size_t)n : (outsz ? outsz - 1 : 0);
	if (f->with_age && f->hz) {
		/* jiffies_to_msecs(jiffies - object->jiffies) */
		uint64_t ms = (f->now - o->jiffies) * 1000 / f->hz;

		n += snprintf(out + used, outsz - used, " (age %llu.%03llus)\n",
			      (unsigned long long)(ms / 1000),
			      (unsigned long long)(ms % 1000));
	} else {
		n += snprintf(out + used, outsz - used, "\n");
	}
	return n;
}

int mlk_kml_format_backtrace_title(const struct mlk_kml_object *o,
				   const struct mlk_kml_format *f, char *out,
				   size_t outsz)
{
	if (f->with_crc)
		return snprintf(out, outsz, "  backtrace (crc %x):\n",
				o->checksum);
	return snprintf(out, outsz, "  backtrace:\n");
}

size_t mlk_kml_hex_len(const struct mlk_kml_object *o)
{
	return o->size < MLK_KML_HEX_BYTES ? (size_t)o->size : MLK_KML_HEX_BYTES;
}
