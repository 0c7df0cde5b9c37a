/*
 * bytes.h - fields read out of a buffer that holds a copy of kernel
 * memory. The buffer need not be aligned for the host, so every load goes
 * through memcpy (which compilers turn into a plain load on x86_64).
 */
#ifndef MLK_BYTES_H
#define MLK_BYTES_H

#include <stdint.h>
#include <stddef.h>
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

/*
 * One bit field of a word (a handle, a counters word); width 0 when the
 * field is absent. pos counts from the word's least significant bit.
 */
struct mlk_bitfield {
	uint8_t pos;
	uint8_t width;
};

/* The field's bits of word, shifted down; 0 for an absent field. */
static inline uint64_t mlk_bitfield_get(uint64_t word, struct mlk_bitfield f)
{
	uint64_t mask;

	if (f.width == 0 || f.pos >= 64)
		return 0;
	mask = f.width >= 64 ? UINT64_MAX : (UINT64_C(1) << f.width) - 1;
	return (word >> f.pos) & mask;
}

/*
 * A task name (comm[]) out of dump bytes: up to its NUL, at most srclen
 * bytes and dstsz - 1 characters; unprintable bytes become '?'.
 */
static inline void mlk_copy_comm(char *dst, size_t dstsz,
				 const unsigned char *src, size_t srclen)
{
	size_t n = 0;

	if (dstsz == 0)
		return;
	for (; n < srclen && n < dstsz - 1 && src[n] != '\0'; n++)
		dst[n] = src[n] >= 0x20 && src[n] < 0x7f ? (char)src[n] : '?';
	dst[n] = '\0';
}

#endif /* MLK_BYTES_H */
