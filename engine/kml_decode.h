/*
 * kmlobject.h - the in-kernel kmemleak's own records (CONFIG_DEBUG_KMEMLEAK):
 * struct kmemleak_object decoded from dump bytes, and the text
 * /sys/kernel/debug/kmemleak prints for one of them.
 *
 * mm/kmemleak.c keeps one struct kmemleak_object per tracked allocation on
 * the list object_list (allocation order). Its members, read at offsets the
 * crash side takes from the debuginfo: flags (unsigned int), pointer, size,
 * excess_ref, min_count and count (int), checksum (u32), jiffies, pid,
 * comm[TASK_COMM_LEN], and the allocation backtrace: inline
 * "unsigned long trace[MAX_TRACE]" with "unsigned int trace_len" up to 6.1,
 * a stack depot "depot_stack_handle_t trace_handle" from 6.2 (and in
 * stable 6.1 kernels that took that change).
 *
 * The flag bits are #defines, not in the debuginfo; they have not changed
 * since 2.6.x apart from additions: OBJECT_ALLOCATED 1<<0, OBJECT_REPORTED
 * 1<<1, OBJECT_NO_SCAN 1<<2, OBJECT_FULL_SCAN 1<<3, OBJECT_PHYS 1<<4 (6.0+,
 * pointer is a physical address), and later OBJECT_PERCPU 1<<5.
 *
 * Colours (mm/kmemleak.c color_white()/color_gray()): count == -1
 * (KMEMLEAK_BLACK) is black; count < min_count white; else grey.
 */
#ifndef MLK_KMLOBJECT_H
#define MLK_KMLOBJECT_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"

#define MLK_KML_ALLOCATED  0x01u
#define MLK_KML_REPORTED   0x02u
#define MLK_KML_NO_SCAN    0x04u
#define MLK_KML_FULL_SCAN  0x08u
#define MLK_KML_PHYS       0x10u
#define MLK_KML_PERCPU     0x20u
#define MLK_KML_BLACK      (-1)

/* No struct kmemleak_object is larger (about 300 bytes with trace[]). */
#define MLK_KML_MAX_SIZE   4096
/* Inline trace entries kept (the kernel's MAX_TRACE is 16). */
#define MLK_KML_MAX_TRACE  64
/* Room for comm[] (TASK_COMM_LEN is 16) and its NUL. */
#define MLK_KML_COMM_MAX   64
/* mm/kmemleak.c HEX_MAX_LINES * HEX_ROW_SIZE: bytes of the hex dump. */
#define MLK_KML_HEX_BYTES  32

struct mlk_kml_layout {
	uint32_t size;             /* sizeof(struct kmemleak_object) */
	int32_t flags_off;         /* unsigned int flags */
	int32_t object_list_off;   /* struct list_head object_list */
	int32_t pointer_off;       /* unsigned long pointer */
	int32_t size_off;          /* size_t size */
	int32_t min_count_off;     /* int min_count */
	int32_t count_off;         /* int count */
	int32_t checksum_off;      /* u32 checksum */
	int32_t jiffies_off;       /* unsigned long jiffies */
	int32_t pid_off;           /* pid_t pid */
	int32_t comm_off;          /* char comm[] */
	uint32_t comm_len;
	int32_t trace_off;         /* unsigned long trace[], -1: absent */
	uint32_t trace_max;        /* its length (MAX_TRACE) */
	int32_t trace_len_off;     /* unsigned int trace_len, -1: absent */
	int32_t trace_handle_off;  /* depot_stack_handle_t, -1: absent */
};

/* 0 when the layout is usable, else -1 with *why set. */
int mlk_kml_layout_check(const struct mlk_kml_layout *l, const char **why);

struct mlk_kml_object {
	uint32_t flags;
	mlk_addr_t pointer;
	uint64_t size;
	int min_count;
	int count;
	uint32_t checksum;
	uint64_t jiffies;
	int pid;
	char comm[MLK_KML_COMM_MAX];   /* printable characters only */
	unsigned trace_len;            /* inline entries (trace[] layouts) */
	mlk_addr_t trace[MLK_KML_MAX_TRACE];
	uint32_t trace_handle;         /* 0: none (or inline layout) */
};

/*
 * Parse one struct kmemleak_object from len bytes. Returns 0, or -1 with
 * *why set when the bytes are short or implausible (trace_len above the
 * array, pid out of range).
 */
int mlk_kml_parse(const struct mlk_kml_layout *l, const void *bytes,
		  size_t len, struct mlk_kml_object *o, const char **why);

/*
 * What /sys/kernel/debug/kmemleak prints at the time of the dump
 * (kmemleak_seq_show()): OBJECT_REPORTED set, and unreferenced_object():
 * allocated, white, and older than jiffies_min_age at the last scan
 * (time_before_eq(jiffies + min_age, last_scan), modulo 2^64).
 */
int mlk_kml_is_white(const struct mlk_kml_object *o);
int mlk_kml_in_report(const struct mlk_kml_object *o, uint64_t min_age,
		      uint64_t last_scan);

/* Header line variants of print_unreferenced() across kernel versions. */
struct mlk_kml_format {
	int with_age;      /* "jiffies %lu (age %d.%03ds)" (before ~6.6) */
	int with_crc;      /* "  backtrace (crc %x):" (6.7+) */
	uint64_t now;      /* jiffies for the age */
	unsigned hz;
};

/*
 * The lines before the hex dump, each ending in "\n": "unreferenced object
 * 0x%08lx (size %zu):" and the comm line. Returns the length written
 * (truncated to outsz - 1 like snprintf).
 */
int mlk_kml_format_header(const struct mlk_kml_object *o,
			  const struct mlk_kml_format *f, char *out,
			  size_t outsz);
/* "  backtrace:\n" or "  backtrace (crc %x):\n". */
int mlk_kml_format_backtrace_title(const struct mlk_kml_object *o,
				   const struct mlk_kml_format *f, char *out,
				   size_t outsz);
/* Bytes of hex dump print_unreferenced() shows: min(size, 32). */
size_t mlk_kml_hex_len(const struct mlk_kml_object *o);

#endif /* MLK_KMLOBJECT_H */
