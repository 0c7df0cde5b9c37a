/*
 * test_kmlobject.c - the in-kernel kmemleak's records: struct
 * kmemleak_object parsing, which objects /sys/kernel/debug/kmemleak shows,
 * and the header lines of print_unreferenced() (mm/kmemleak.c).
 *
 * Object bytes are laid out the way the two generations of the struct
 * put them: inline trace[MAX_TRACE] + trace_len (up to 6.1) and a stack
 * depot trace_handle (6.2+, and stable 6.1 kernels).
 */
#include <string.h>

#include "fake_mem.h"
#include "kml_decode.h"
#include "unit.h"

#define PTR 0xffff888004a1b2c0ULL

/* A trace_handle layout (offsets as pahole shows them on 6.1.192). */
static void layout_handle(struct mlk_kml_layout *l)
{
	memset(l, 0, sizeof(*l));
	l->size = 232;
	l->flags_off = 4;
	l->object_list_off = 8;
	l->pointer_off = 80;
	l->size_off = 88;
	l->min_count_off = 104;
	l->count_off = 108;
	l->checksum_off = 112;
	l->jiffies_off = 128;
	l->pid_off = 136;
	l->comm_off = 140;
	l->comm_len = 16;
	l->trace_off = -1;
	l->trace_len_off = -1;
	l->trace_handle_off = 156;
}

/* The inline layout: trace[16] and trace_len after area_list. */
static void layout_inline(struct mlk_kml_layout *l)
{
	layout_handle(l);
	l->size = 304;
	l->trace_handle_off = -1;
	l->trace_off = 128;
	l->trace_max = 16;
	l->trace_len_off = 256;
	l->jiffies_off = 264;
	l->pid_off = 272;
	l->comm_off = 276;
}

static void fill(const struct mlk_kml_layout *l, unsigned char *buf,
		 uint32_t flags, int min_count, int count, uint64_t jiffies)
{
	memset(buf, 0, l->size);
	put_u32(buf, l->flags_off, flags);
	put_u64(buf, l->pointer_off, PTR);
	put_u64(buf, l->size_off, 1000);
	put_u32(buf, l->min_count_off, (uint32_t)min_count);
	put_u32(buf, l->count_off, (uint32_t)count);
	put_u32(buf, l->checksum_off, 0xdeadbeef);
	put_u64(buf, l->jiffies_off, jiffies);
	put_u32(buf, l->pid_off, 42);
	memcpy(buf + l->comm_off, "insmod", 6);
	if (l->trace_handle_off >= 0)
		put_u32(buf, l->trace_handle_off, 0x1234);
}

static int test_kml_parse_handle(char *why, size_t whysz)
{
	struct mlk_kml_layout l;
	struct mlk_kml_object o;
	unsigned char buf[512];
	const char *w = NULL;

	layout_handle(&l);
	fill(&l, buf, MLK_KML_ALLOCATED | MLK_KML_REPORTED, 1, 0, 5000);
	CHECK(mlk_kml_parse(&l, buf, l.size, &o, &w) == 0, "parse: %s", w);
	CHECK(o.pointer == PTR && o.size == 1000 && o.min_count == 1 &&
	      o.count == 0 && o.pid == 42 && strcmp(o.comm, "insmod") == 0 &&
	      o.trace_handle == 0x1234 && o.trace_len == 0 &&
	      o.checksum == 0xdeadbeef, "fields: %#llx %llu %d %s",
	      U64(o.pointer), U64(o.size), o.pid, o.comm);
	CHECK(mlk_kml_parse(&l, buf, l.size - 1, &o, &w) < 0, "short bytes");
	put_u32(buf, l.pid_off, (uint32_t)-5);
	CHECK(mlk_kml_parse(&l, buf, l.size, &o, &w) < 0, "negative pid");
	return 0;
out:
	return -1;
}

static int test_kml_parse_inline(char *why, size_t whysz)
{
	struct mlk_kml_layout l;
	struct mlk_kml_object o;
	unsigned char buf[512];
	const char *w = NULL;

	layout_inline(&l);
	fill(&l, buf, MLK_KML_ALLOCATED, 1, 0, 5000);
	put_u64(buf, l.trace_off, 0xffffffff81000010ULL);
	put_u64(buf, l.trace_off + 8, 0xffffffffc0001234ULL);
	put_u32(buf, l.trace_len_off, 2);
	CHECK(mlk_kml_parse(&l, buf, l.size, &o, &w) == 0, "parse: %s", w);
	CHECK(o.trace_len == 2 && o.trace[0] == 0xffffffff81000010ULL &&
	      o.trace[1] == 0xffffffffc0001234ULL && o.trace_handle == 0,
	      "trace: %u", o.trace_len);
	put_u32(buf, l.trace_len_off, 17);
	CHECK(mlk_kml_parse(&l, buf, l.size, &o, &w) < 0,
	      "trace_len beyond the array accepted");
	return 0;
out:
	return -1;
}

static int test_kml_layout_check(char *why, size_t whysz)
{
	struct mlk_kml_layout l;
	const char *w = NULL;

	layout_handle(&l);
	CHECK(mlk_kml_layout_check(&l, &w) == 0, "good layout: %s", w);
	l.comm_off = 230;
	CHECK(mlk_kml_layout_check(&l, &w) < 0, "comm outside accepted");
	layout_handle(&l);
	l.trace_handle_off = -1;
	CHECK(mlk_kml_layout_check(&l, &w) < 0, "no backtrace accepted");
	layout_inline(&l);
	l.trace_len_off = -1;
	CHECK(mlk_kml_layout_check(&l, &w) < 0, "trace without trace_len");
	l.size = MLK_KML_MAX_SIZE + 1;
	CHECK(mlk_kml_layout_check(&l, &w) < 0, "huge struct accepted");
	return 0;
out:
	return -1;
}

/* kmemleak_seq_show(): REPORTED and unreferenced_object(). */
static int test_kml_in_report(char *why, size_t whysz)
{
	struct mlk_kml_object o;
	const uint64_t min_age = 5000, last = 100000;

	memset(&o, 0, sizeof(o));
	o.flags = MLK_KML_ALLOCATED | MLK_KML_REPORTED;
	o.min_count = 1;
	o.jiffies = last - min_age; /* exactly old enough: before_eq */
	CHECK(mlk_kml_in_report(&o, min_age, last), "white, old enough");
	o.jiffies++;
	CHECK(!mlk_kml_in_report(&o, min_age, last), "too young reported");
	o.jiffies = 10;
	o.count = 1;
	CHECK(!mlk_kml_in_report(&o, min_age, last), "grey reported");
	o.count = MLK_KML_BLACK;
	CHECK(!mlk_kml_in_report(&o, min_age, last), "black reported");
	o.count = 0;
	o.min_count = 0; /* kmemleak_not_leak() */
	CHECK(!mlk_kml_in_report(&o, min_age, last), "not_leak reported");
	o.min_count = MLK_KML_BLACK; /* kmemleak_ignore() */
	CHECK(!mlk_kml_in_report(&o, min_age, last), "ignored reported");
	o.min_count = 1;
	o.flags = MLK_KML_ALLOCATED;
	CHECK(!mlk_kml_in_report(&o, min_age, last), "unreported shown");
	o.flags = MLK_KML_REPORTED;
	CHECK(!mlk_kml_in_report(&o, min_age, last), "freed object shown");
	/* jiffies wrap: allocated just before the wrap, scanned after it */
	o.flags = MLK_KML_ALLOCATED | MLK_KML_REPORTED;
	o.jiffies = UINT64_MAX - 10;
	CHECK(mlk_kml_in_report(&o, min_age, 6000), "wrap");
	return 0;
out:
	return -1;
}

static int test_kml_format(char *why, size_t whysz)
{
	struct mlk_kml_object o;
	struct mlk_kml_format f = { 0, 0, 0, 0 };
	char out[256], tiny[20];
	int n;

	memset(&o, 0, sizeof(o));
	o.pointer = PTR;
	o.size = 20000;
	o.pid = 7;
	o.jiffies = 4294892296ULL;
	o.checksum = 0xabc;
	strcpy(o.comm, "kworker/0:1");
	mlk_kml_format_header(&o, &f, out, sizeof(out));
	CHECK(strcmp(out, "unreferenced object 0xffff888004a1b2c0 (size 20000):\n"
		     "  comm \"kworker/0:1\", pid 7, jiffies 4294892296\n") == 0,
	      "plain: %s", out);
	f.with_age = 1;
	f.hz = 250;
	f.now = o.jiffies + 1001; /* 4.004 s */
	mlk_kml_format_header(&o, &f, out, sizeof(out));
	CHECK(strstr(out, "jiffies 4294892296 (age 4.004s)\n") != NULL,
	      "age: %s", out);
	mlk_kml_format_backtrace_title(&o, &f, out, sizeof(out));
	CHECK(strcmp(out, "  backtrace:\n") == 0, "title: %s", out);
	f.with_crc = 1;
	mlk_kml_format_backtrace_title(&o, &f, out, sizeof(out));
	CHECK(strcmp(out, "  backtrace (crc abc):\n") == 0, "crc: %s", out);
	o.pointer = 0x1000;
	f.with_age = 0;
	mlk_kml_format_header(&o, &f, out, sizeof(out));
	CHECK(strncmp(out, "unreferenced object 0x00001000 (size", 36) == 0,
	      "%%08lx: %s", out);
	n = mlk_kml_format_header(&o, &f, tiny, sizeof(tiny));
	CHECK(n > (int)sizeof(tiny) && strlen(tiny) == sizeof(tiny) - 1,
	      "truncation: %d", n);
	CHECK(mlk_kml_hex_len(&o) == 32, "hex len %zu", mlk_kml_hex_len(&o));
	o.size = 8;
	CHECK(mlk_kml_hex_len(&o) == 8, "short hex len");
	return 0;
out:
	return -1;
}

void run_kmlobject_tests(void)
{
	unit_run("kmlobject: parse (trace_handle layout)", test_kml_parse_handle);
	unit_run("kmlobject: parse (inline trace layout)", test_kml_parse_inline);
	unit_run("kmlobject: layout check", test_kml_layout_check);
	unit_run("kmlobject: what the kernel's report shows", test_kml_in_report);
	unit_run("kmlobject: header lines", test_kml_format);
}
