/*
 * memory.c - dump reads for memleak. Every read goes through crash's
 * readmem() with RETURN_ON_ERROR|QUIET: a page missing from a filtered dump
 * or a wild address is a failed read that the caller counts and skips,
 * never an error that ends the command.
 */
#include "dump.h"

struct mlk_read_stats mlk_reads;

int mlk_readk(ulong addr, void *buf, size_t len)
{
	mlk_reads.reads++;
	if (len == 0)
		return 1;
	if (!readmem(addr, KVADDR, buf, (long)len, "memleak",
		     RETURN_ON_ERROR | QUIET)) {
		mlk_reads.failed++;
		return 0;
	}
	mlk_reads.bytes += len;
	return 1;
}

int mlk_read_ulong(ulong addr, ulong *val)
{
	return mlk_readk(addr, val, sizeof(*val));
}

int mlk_read_symbol_ulong(const char *name, ulong *val)
{
	return symbol_exists((char *)name) &&
	       mlk_read_ulong(symbol_value((char *)name), val);
}

int mlk_read_symbol_int(const char *name, int *val)
{
	return symbol_exists((char *)name) &&
	       mlk_readk(symbol_value((char *)name), val, sizeof(*val));
}

int mlk_vmcoreinfo_number(const char *key, long *val)
{
	char *text = pc->read_vmcoreinfo ? pc->read_vmcoreinfo(key) : NULL;
	char *end;
	long v;
	int ok;

	if (!text)
		return 0;
	errno = 0;
	v = strtol(text, &end, 0);
	ok = end != text && *end == '\0' && errno == 0;
	free(text);
	if (ok)
		*val = v;
	return ok;
}

int mlk_buf_reserve(struct mlk_buf *buf, size_t len)
{
	unsigned char *grown;
	size_t want;

	if (buf->size >= len)
		return 0;
	want = buf->size ? buf->size : 4096;
	while (want < len) {
		if (want > SIZE_MAX / 2)
			return -1;
		want *= 2;
	}
	grown = realloc(buf->data, want);
	if (!grown)
		return -1;
	buf->data = grown;
	buf->size = want;
	return 0;
}

void mlk_buf_free(struct mlk_buf *buf)
{
	free(buf->data);
	buf->data = NULL;
	buf->size = 0;
}

/* ---- masked words -------------------------------------------------------------- */

int mlk_masks_add(struct mlk_masks *m, ulong word_addr)
{
	if (mlk_array_grow((void **)&m->addr, &m->cap, m->count,
			   sizeof(*m->addr), 1024) < 0)
		return -1;
	m->addr[m->count++] = word_addr;
	return 0;
}

int mlk_cmp_ulong(const void *a, const void *b)
{
	ulong x = *(const ulong *)a, y = *(const ulong *)b;

	return x < y ? -1 : x > y;
}

void mlk_masks_finish(struct mlk_masks *m)
{
	qsort(m->addr, m->count, sizeof(*m->addr), mlk_cmp_ulong);
}

void mlk_masks_free(struct mlk_masks *m)
{
	free(m->addr);
	memset(m, 0, sizeof(*m));
}

/* Index of the first masked word >= addr. */
static size_t first_mask_at(const struct mlk_masks *m, ulong addr)
{
	size_t lo = 0, hi = m->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->addr[mid] < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void zero_masked_words(const struct mlk_masks *m, ulong addr,
			      unsigned char *buf, size_t len)
{
	size_t i;

	for (i = first_mask_at(m, addr);
	     i < m->count && m->addr[i] + sizeof(ulong) <= addr + len; i++)
		memset(buf + (m->addr[i] - addr), 0, sizeof(ulong));
}

/*
 * A read-through cache of pages, for the grey scan: it asks for one small
 * block at a time (a slab object, tens of bytes), and one readmem per
 * object would cost a crash call, a translation and a file read each.
 * Linked structures make the order of those requests scattered, so the
 * cache holds many single pages (direct-mapped by page number) rather than
 * a few large windows. Pages that fail to read are not cached; the request
 * then goes to readmem alone.
 */
#define WINDOW_SHIFT 12
#define WINDOW_SIZE (1UL << WINDOW_SHIFT)
#define WINDOWS 1024

static struct window_cache {
	unsigned char *bytes;        /* WINDOWS pages */
	ulong base[WINDOWS];
	unsigned char valid[WINDOWS];
	uint64_t hits, misses;
} windows;

void mlk_window_cache_reset(void)
{
	free(windows.bytes);
	memset(&windows, 0, sizeof(windows));
}

static int window_read(ulong addr, void *buf, size_t len)
{
	ulong base = addr & ~(WINDOW_SIZE - 1);
	unsigned slot = (unsigned)((base >> WINDOW_SHIFT) % WINDOWS);
	unsigned char *page;

	if (!windows.bytes &&
	    !(windows.bytes = malloc((size_t)WINDOWS * WINDOW_SIZE)))
		return mlk_readk(addr, buf, len);
	page = windows.bytes + (size_t)slot * WINDOW_SIZE;
	if (windows.valid[slot] && windows.base[slot] == base) {
		windows.hits++;
	} else {
		windows.misses++;
		windows.valid[slot] = 0;
		if (!mlk_readk(base, page, WINDOW_SIZE))
			return mlk_readk(addr, buf, len);
		windows.base[slot] = base;
		windows.valid[slot] = 1;
	}
	memcpy(buf, page + (addr - base), len);
	return 1;
}

/* Small reads inside one window go through the cache. */
static int cached_read(ulong addr, void *buf, size_t len)
{
	if (len <= WINDOW_SIZE &&
	    (addr >> WINDOW_SHIFT) == ((addr + len - 1) >> WINDOW_SHIFT))
		return window_read(addr, buf, len);
	return mlk_readk(addr, buf, len);
}

static int crash_source_read(void *ctx, mlk_addr_t addr, void *buf,
			     size_t len)
{
	const struct mlk_masks *masks = ctx;

	if (!cached_read((ulong)addr, buf, len)) {
		if (CRASHDEBUG(1))
			fprintf(fp, "memleak: unreadable: %lx, %zu bytes\n",
				(ulong)addr, len);
		return -1;
	}
	if (masks && masks->count)
		zero_masked_words(masks, (ulong)addr, buf, len);
	return 0;
}

struct mlk_source mlk_crash_source(struct mlk_masks *masks)
{
	struct mlk_source src = { .read = crash_source_read, .ctx = masks };

	return src;
}

int mlk_possible_cpus(void)
{
	if (kt->cpus <= 0)
		return 1;
	return kt->cpus > NR_CPUS ? NR_CPUS : kt->cpus;
}

/*
 * The kernel's HZ. crash takes it from the in-kernel config (CONFIG_HZ)
 * when the kernel carries one and otherwise assumes 1000 on x86_64, which
 * is wrong for Debian's HZ=250 kernels. kernel/time/ntp.c kept tick_nsec,
 * the length of a tick in ns (NSEC_PER_SEC / HZ, adjusted by NTP by a few
 * ppm), up to 6.12; a849a0273d0f "ntp: Remove unused tick_nsec" (6.13)
 * removed it, and the caller then passes the tick length it found
 * elsewhere (tick_hint: tracks.c reads the jiffies clocksource), 0 if
 * none. The nearest of the HZ values Kconfig offers wins.
 */
long mlk_kernel_hz(ulong tick_hint)
{
	static const long choices[] = { 100, 250, 300, 1000 };
	ulong tick_nsec;
	long best = 0, best_err = 0;
	size_t i;

	if (!mlk_read_symbol_ulong("tick_nsec", &tick_nsec))
		tick_nsec = tick_hint;
	if (tick_nsec < 500000 || tick_nsec > 20000000)
		return machdep->hz > 0 ? machdep->hz : 250;
	for (i = 0; i < sizeof(choices) / sizeof(choices[0]); i++) {
		long err = labs((long)(1000000000L / choices[i]) -
				(long)tick_nsec);

		if (!best || err < best_err) {
			best = choices[i];
			best_err = err;
		}
	}
	return best;
}
