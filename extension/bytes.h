/*
 * bytes.h - fields read out of a buffer that holds a copy of kernel
 * memory. The buffer need not be aligned for the host, so every load goes
 * through memcpy (which compilers turn into a plain load on x86_64).
 */
#ifndef MLK_BYTES_H
#define MLK_BYTES_H

#include <stdint.h>
#include <string.h>

static inline uint64_t mlk_get_u64(const void *buf, long off)
{
	uint64_t v;

	memcpy(&v, (const unsigned char *)buf + off, sizeof(v));
	return v;
}

static inline uint32_t mlk_get_u32(const void *buf, long off)
{
	uint32_t v;

	memcpy(&v, (const unsigned char *)buf + off, sizeof(v));
	return v;
}

static inline int32_t mlk_get_s32(const void *buf, long off)
{
	int32_t v;

	memcpy(&v, (const unsigned char *)buf + off, sizeof(v));
	return v;
}

static inline uint16_t mlk_get_u16(const void *buf, long off)
{
	uint16_t v;

	memcpy(&v, (const unsigned char *)buf + off, sizeof(v));
	return v;
}

#endif /* MLK_BYTES_H */
