/*
 * test_track.c - SLUB struct track records and their placement.
 *
 * Track bytes are built the way mm/slub.c set_track() writes them, for the
 * stack depot layout (5.17+), the inline addrs[] layout (before) and the
 * plain one (no CONFIG_STACKTRACE).
 */
#include <string.h>

#include "fake_mem.h"
#include "track_decode.h"
#include "unit.h"

#define OBJECT 0xffff888005a3c100ULL
#define HZ 1000
/* include/linux/jiffies.h: ((unsigned long)(unsigned int) (-300*HZ)). */
#define INITIAL_JIFFIES ((uint64_t)(uint32_t)(-300 * HZ))

/* set_track(): addr, (handle), cpu, pid, when. */
static void fill_track(const struct mlk_track_layout *l, unsigned char *buf,
		       uint64_t addr, uint32_t handle, int cpu, int pid,
		       uint64_t when)
{
	memset(buf, 0, l->size);
	put_u64(buf, l->addr_off, addr);
	if (l->handle_off >= 0)
		put_u32(buf, l->handle_off, handle);
	put_u32(buf, l->cpu_off, (uint32_t)cpu);
	put_u32(buf, l->pid_off, (uint32_t)pid);
	put_u64(buf, l->when_off, when);
}

/* ---- placement ---------------------------------------------------------- */

static int test_track_info_end(char *why, size_t whysz)
{
	/* Free pointer after the object (ctor, RCU, poison): s->offset ==
	 * s->inuse, one pointer more before the tracks. */
	CHECK(mlk_track_info_end(64, 64) == 72, "outside: %u",
	      mlk_track_info_end(64, 64));
	/* Free pointer in the object: at 0 (before 5.7) or in the middle. */
	CHECK(mlk_track_info_end(64, 0) == 64, "at 0: %u",
	      mlk_track_info_end(64, 0));
	CHECK(mlk_track_info_end(64, 32) == 64, "middle: %u",
	      mlk_track_info_end(64, 32));
	CHECK(mlk_track_info_end(200, 200) == 208, "outside, 200: %u",
	      mlk_track_info_end(200, 200));
	return 0;
out:
	return -1;
}

static int test_track_addr(char *why, size_t whysz)
{
	mlk_addr_t a;

	CHECK(mlk_track_addr(OBJECT, 64, 64, 32, MLK_TRACK_ALLOC, &a) == 0 &&
	      a == OBJECT + 72, "alloc, fp outside: %#llx",
	      U64(a));
	CHECK(mlk_track_addr(OBJECT, 64, 64, 32, MLK_TRACK_FREE, &a) == 0 &&
	      a == OBJECT + 104, "free, fp outside: %#llx",
	      U64(a));
	CHECK(mlk_track_addr(OBJECT, 64, 24, 152, MLK_TRACK_FREE, &a) == 0 &&
	      a == OBJECT + 64 + 152, "free, fp inside: %#llx",
	      U64(a));
	CHECK(mlk_track_addr(0xffffffffffffffc0ULL, 64, 64, 32,
			     MLK_TRACK_ALLOC, &a) == -1, "overflow accepted");
	return 0;
out:
	return -1;
}

/* ---- parsing ------------------------------------------------------------ */

static int test_track_parse_depot(char *why, size_t whysz)
{
	struct mlk_track_layout l;
	unsigned char buf[32];
	struct mlk_track t;
	const char *err = NULL;

	CHECK(mlk_track_layout_preset(&l, MLK_TRACK_GEN_DEPOT) == 0 &&
	      l.size == 32, "preset");
	fill_track(&l, buf, 0xffffffff8132a0c4ULL, 0x05230001, 3, 1234,
		   INITIAL_JIFFIES + 5000);
	CHECK(mlk_track_parse(&l, buf, sizeof(buf), &t, &err) == 0,
	      "parse: %s", err ? err : "");
	CHECK(t.addr == 0xffffffff8132a0c4ULL && t.handle == 0x05230001 &&
	      t.cpu == 3 && t.pid == 1234 && t.when == INITIAL_JIFFIES + 5000 &&
	      t.nr_entries == 0, "fields: addr %#llx handle %#x cpu %d pid %d",
	      U64(t.addr), t.handle, t.cpu, t.pid);
	return 0;
out:
	return -1;
}

static int test_track_parse_addrs(char *why, size_t whysz)
{
	struct mlk_track_layout l;
	unsigned char buf[152];
	struct mlk_track t;
	const char *err = NULL;

	CHECK(mlk_track_layout_preset(&l, MLK_TRACK_GEN_ADDRS) == 0 &&
	      l.size == 152 && l.addrs_count == 16, "preset");
	fill_track(&l, buf, 0xffffffff8132a0c4ULL, 0, 0, 1, 77);
	for (int i = 0; i < 4; i++)
		put_u64(buf, l.addrs_off + 8 * i, 0xffffffff81000000ULL + i);
	CHECK(mlk_track_parse(&l, buf, sizeof(buf), &t, &err) == 0,
	      "parse: %s", err ? err : "");
	CHECK(t.nr_entries == 4 && t.entries[3] == 0xffffffff81000003ULL &&
	      t.handle == 0 && t.pid == 1 && t.when == 77,
	      "4 frames: nr %u", t.nr_entries);
	/* A full addrs[]: all 16, nothing read past it. */
	for (int i = 0; i < 16; i++)
		put_u64(buf, l.addrs_off + 8 * i, 0xffffffff81000000ULL + i);
	CHECK(mlk_track_parse(&l, buf, sizeof(buf), &t, &err) == 0 &&
	      t.nr_entries == 16 && t.entries[15] == 0xffffffff8100000fULL,
	      "16 frames: nr %u", t.nr_entries);
	return 0;
out:
	return -1;
}

static int test_track_parse_plain(char *why, size_t whysz)
{
	struct mlk_track_layout l;
	unsigned char buf[24];
	struct mlk_track t;
	const char *err = NULL;

	CHECK(mlk_track_layout_preset(&l, MLK_TRACK_GEN_PLAIN) == 0 &&
	      l.size == 24, "preset");
	fill_track(&l, buf, 0xffffffff8132a0c4ULL, 0, 1, 99, 12345);
	CHECK(mlk_track_parse(&l, buf, sizeof(buf), &t, &err) == 0 &&
	      t.cpu == 1 && t.pid == 99 && t.when == 12345 && t.handle == 0 &&
	      t.nr_entries == 0, "parse: %s", err ? err : "");
	return 0;
out:
	return -1;
}

/* set_track(addr 0) / init_tracking(): the whole record is zero. */
static int test_track_empty(char *why, size_t whysz)
{
	struct mlk_track_layout l;
	unsigned char buf[32] = { 0 };
	struct mlk_track t;
	const char *err = NULL;

	mlk_track_layout_preset(&l, MLK_TRACK_GEN_DEPOT);
	CHECK(mlk_track_parse(&l, buf, sizeof(buf), &t, &err) ==
	      MLK_TRACK_EMPTY && err && strstr(err, "no track"),
	      "empty track: %s", err ? err : "(none)");
	return 0;
out:
	return -1;
}

static int test_track_reject(char *why, size_t whysz)
{
	struct mlk_track_layout l, bad;
	unsigned char buf[32];
	struct mlk_track t;
	const char *err = NULL;

	mlk_track_layout_preset(&l, MLK_TRACK_GEN_DEPOT);
	fill_track(&l, buf, 0xffffffff8132a0c4ULL, 1, 2, 3, 4);
	CHECK(mlk_track_parse(&l, buf, 31, &t, &err) == -1, "short bytes");
	fill_track(&l, buf, 0xffffffff8132a0c4ULL, 1, -1, 3, 4);
	CHECK(mlk_track_parse(&l, buf, 32, &t, &err) == -1 &&
	      strstr(err, "cpu"), "negative cpu");
	l.cpu_limit = 8;
	fill_track(&l, buf, 0xffffffff8132a0c4ULL, 1, 8, 3, 4);
	CHECK(mlk_track_parse(&l, buf, 32, &t, &err) == -1 &&
	      strstr(err, "cpu"), "cpu beyond nr_cpu_ids");
	fill_track(&l, buf, 0xffffffff8132a0c4ULL, 1, 7, -5, 4);
	CHECK(mlk_track_parse(&l, buf, 32, &t, &err) == -1 &&
	      strstr(err, "pid"), "negative pid");
	fill_track(&l, buf, 0xffffffff8132a0c4ULL, 1, 7, 5, 4);
	CHECK(mlk_track_parse(&l, buf, 32, &t, &err) == 0, "good track: %s",
	      err);
	bad = l;
	bad.when_off = 28; /* 8 bytes at 28 cross the end */
	CHECK(mlk_track_parse(&bad, buf, 32, &t, &err) == -1 &&
	      strstr(err, "layout"), "member outside the struct");
	mlk_track_layout_preset(&bad, MLK_TRACK_GEN_ADDRS);
	bad.addrs_count = 100;
	CHECK(mlk_track_layout_check(&bad, &err) == -1, "addrs[] too long");
	bad.size = MLK_TRACK_MAX_SIZE + 8;
	CHECK(mlk_track_layout_check(&bad, &err) == -1, "huge struct");
	CHECK(mlk_track_layout_preset(&bad, (enum mlk_track_generation)9) == -1,
	      "unknown preset");
	return 0;
out:
	return -1;
}

/* ---- fetching through a memory source ----------------------------------- */

/* A kmalloc-64 object with a constructor: fp at 64, tracks from 72. */
static int test_track_fetch(char *why, size_t whysz)
{
	struct fake_mem m = { 0 };
	struct mlk_source src = fake_source(&m);
	struct mlk_track_layout l;
	struct mlk_track t;
	const char *err = NULL;
	int rc = -1;

	/* The object's slot, 256 bytes: the free track of OBJECT + 160 is cut. */
	CHECK(fake_add_region(&m, OBJECT, 256) == 0, "out of memory");
	mlk_track_layout_preset(&l, MLK_TRACK_GEN_DEPOT);
	fill_track(&l, fake_at(&m, OBJECT + 72, l.size), 0xffffffff8132a0c4ULL,
		   0x1234, 2, 42, 1000);
	CHECK(mlk_track_fetch(&l, &src, OBJECT, 64, 64, MLK_TRACK_ALLOC, &t,
			      &err) == 0 && t.pid == 42 && t.handle == 0x1234,
	      "alloc track: %s", err ? err : "wrong");
	CHECK(mlk_track_fetch(&l, &src, OBJECT, 64, 64, MLK_TRACK_FREE, &t,
			      &err) == MLK_TRACK_EMPTY,
	      "free track of a live object not empty");
	/* Object near the end of readable memory: the free track is cut. */
	CHECK(mlk_track_fetch(&l, &src, OBJECT + 160, 64, 64, MLK_TRACK_FREE,
			      &t, &err) == -1 && strstr(err, "cannot read"),
	      "unreadable track accepted");
	rc = 0;
out:
	fake_mem_free(&m);
	return rc;
}

/* ---- age ---------------------------------------------------------------- */

static int test_track_age(char *why, size_t whysz)
{
	uint64_t age = 0;

	CHECK(INITIAL_JIFFIES == 0xfffb6c20ULL, "INITIAL_JIFFIES %#llx",
	      U64(INITIAL_JIFFIES));
	/* Stamped just after boot, dumped 400 s later: across 2^32. */
	CHECK(mlk_jiffies_age(INITIAL_JIFFIES + 100,
			      INITIAL_JIFFIES + 400 * HZ, &age) == 0 &&
	      age == 400 * HZ - 100, "across the 32-bit wrap: %llu",
	      U64(age));
	/* Both sides of a 64-bit wrap. */
	CHECK(mlk_jiffies_age(UINT64_MAX - 99, 100, &age) == 0 && age == 200,
	      "across the 64-bit wrap: %llu", U64(age));
	CHECK(mlk_jiffies_age(777, 777, &age) == 0 && age == 0, "same time");
	/* A stamp after the dump's jiffies is corrupt. */
	CHECK(mlk_jiffies_age(INITIAL_JIFFIES + 5, INITIAL_JIFFIES, &age) == -1,
	      "future stamp accepted");
	CHECK(mlk_jiffies_age(5, UINT64_MAX - 5, &age) == -1,
	      "future stamp across the wrap accepted");
	return 0;
out:
	return -1;
}

void run_track_tests(void)
{
	unit_run("track_info_end", test_track_info_end);
	unit_run("track_addr", test_track_addr);
	unit_run("track_parse_depot", test_track_parse_depot);
	unit_run("track_parse_addrs", test_track_parse_addrs);
	unit_run("track_parse_plain", test_track_parse_plain);
	unit_run("track_empty", test_track_empty);
	unit_run("track_reject", test_track_reject);
	unit_run("track_fetch", test_track_fetch);
	unit_run("track_age", test_track_age);
}
