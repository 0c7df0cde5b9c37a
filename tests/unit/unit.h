/*
 * unit.h - what every engine unit test file needs: the runner's entry
 * point, the CHECK macros, and a few helpers for building test data.
 *
 * A test is a function int test(char *why, size_t whysz): it returns 0
 * when it passes, or non-zero after writing the reason into why.
 */
#ifndef UNIT_H
#define UNIT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Run one test and print "PASS: <name>" or "FAIL: <name>: <why>" (main.c). */
void unit_run(const char *name, int (*test)(char *why, size_t whysz));

/*
 * On failure: say why and leave through the test's cleanup label, out:.
 * The test (or helper) must have the parameters why and whysz.
 */
#define CHECK(cond, ...)                                                   \
	do {                                                               \
		if (!(cond)) {                                             \
			snprintf(why, whysz, __VA_ARGS__);                 \
			goto out;                                          \
		}                                                          \
	} while (0)

/* For helpers that write the reason themselves and return non-zero. */
#define CHECK_OK(call)                                                     \
	do {                                                               \
		if ((call) != 0)                                           \
			goto out;                                          \
	} while (0)

/* A 64-bit value for a %llu / %llx / %#llx conversion. */
#define U64(x) ((unsigned long long)(x))

/* x86-64 kernel address areas, where synthetic images place things. */
#define DIRECT_MAP  0xffff888000000000ULL
#define VMALLOC     0xffffc90000000000ULL
#define MODULES     0xffffffffa0000000ULL
#define KERNEL_DATA 0xffffffff82000000ULL /* like the kernel's .data */

/*
 * Store a field into a byte buffer at byte offset off, in host order and
 * at any alignment: the counterpart of extension/bytes.h, for building
 * kernel records by hand.
 */
static inline void put_u16(unsigned char *buf, long off, uint16_t v)
{
	memcpy(buf + off, &v, sizeof(v));
}

static inline void put_u32(unsigned char *buf, long off, uint32_t v)
{
	memcpy(buf + off, &v, sizeof(v));
}

static inline void put_u64(unsigned char *buf, long off, uint64_t v)
{
	memcpy(buf + off, &v, sizeof(v));
}

#endif /* UNIT_H */
