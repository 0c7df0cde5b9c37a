/*
 * kmlreport.c - memleak -K: the in-kernel kmemleak's report, as
 * /sys/kernel/debug/kmemleak would have printed it at the time of the dump
 * (mm/kmemleak.c: kmemleak_seq_show() -> print_unreferenced()).
 *
 * Same objects, same order (object_list), same lines; two differences:
 * the frame addresses are printed in full where the kernel prints %p
 * (hashed), and a last line starting "memleak -K:" sums up.
 */
#include "memleak.h"

struct kml_print {
	struct memleak_run *run;
	const struct memleak_opts *o;
	struct mlk_kml_format fmt;
	uint64_t shown, stacks_missing;
};

static void print_object_stack(struct kml_print *p,
			       const struct mlk_kml_object *obj)
{
	mlk_addr_t entries[MLK_MAX_FRAMES];
	const char *why = NULL;
	int n;

	if (!obj->trace_handle) {
		mlk_print_frames(obj->trace, obj->trace_len);
		return;
	}
	n = mlk_stack_depot_lookup(&p->run->tracks.stacks, obj->trace_handle,
				   entries, MLK_MAX_FRAMES, &why);
	if (n < 0) {
		p->stacks_missing++;
		fprintf(fp, "    (no stack: %s)\n", why ? why : "unknown");
		return;
	}
	mlk_print_frames(entries, (unsigned)n);
}

static int print_one(const struct mlk_kml_object *obj, ulong addr, void *arg)
{
	struct kml_print *p = arg;
	char text[512];

	(void)addr;
	if (!mlk_kml_in_report(obj, p->run->kml.min_age, p->run->kml.last_scan))
		return 0;
	if (p->o->max_reports >= 0 && (long)p->shown >= p->o->max_reports) {
		p->shown++;
		return 0;
	}
	p->shown++;
	mlk_kml_format_header(obj, &p->fmt, text, sizeof(text));
	fputs(text, fp);
	/* hex_dump_object(): nothing for a physical address (OBJECT_PHYS) */
	if (!(obj->flags & MLK_KML_PHYS))
		mlk_print_hexdump(obj->pointer, obj->size, MLK_KML_HEX_BYTES);
	mlk_kml_format_backtrace_title(obj, &p->fmt, text, sizeof(text));
	fputs(text, fp);
	print_object_stack(p, obj);
	return 0;
}

static void print_state(const struct mlk_kml *k)
{
	if (k->enabled == 0 || k->error)
		fprintf(fp, "memleak -K: note: the kernel's kmemleak was %s at "
			"the time of the dump; its records stop there\n",
			k->error ? "disabled by an error" : "switched off");
	if (!k->have_scan_times || k->last_scan == 0)
		fprintf(fp, "memleak -K: note: kmemleak never completed a scan "
			"before the dump: it reports nothing yet\n");
}

void mlk_kml_report(struct memleak_run *run, const struct memleak_opts *o)
{
	struct kml_print p;
	const char *why = NULL;
	long nodes;

	if (mlk_kml_init(&run->kml, &why) < 0) {
		error(INFO, "-K: %s\n", why);
		return;
	}
	memset(&p, 0, sizeof(p));
	p.run = run;
	p.o = o;
	mlk_tracks_init(&run->tracks);
	mlk_kml_detect_format(&p.fmt);
	p.fmt.now = run->tracks.jiffies;
	p.fmt.hz = run->tracks.hz;
	nodes = mlk_kml_walk(&run->kml, print_one, &p);
	if (nodes < 0) {
		error(INFO, "-K: out of memory\n");
		return;
	}
	print_state(&run->kml);
	fprintf(fp, "memleak -K: %llu unreferenced objects in the kernel's "
		"kmemleak report%s; %llu objects tracked by kmemleak",
		(unsigned long long)p.shown,
		o->max_reports >= 0 && (long)p.shown > o->max_reports ?
		" (not all printed: -n)" : "",
		(unsigned long long)run->kml.objects);
	if (run->kml.have_scan_times && run->tracks.have_jiffies)
		fprintf(fp, "; last scan %.1f s before the dump",
			(double)(run->tracks.jiffies - run->kml.last_scan) /
			run->tracks.hz);
	fprintf(fp, "\n");
	if (run->kml.objects_bad || run->kml.list_truncated ||
	    p.stacks_missing)
		fprintf(fp, "memleak -K: PARTIAL: %llu records unreadable or "
			"corrupt, object list %s, %llu stacks missing\n",
			(unsigned long long)run->kml.objects_bad,
			run->kml.list_truncated ? "cut short" : "complete",
			(unsigned long long)p.stacks_missing);
}
