/*
 * chain.c - memleak -w: why is this block alive? The shortest chain of
 * references from a root to it, one hop a line: the root (its symbol, the
 * task whose stack, the CPU of a per-cpu area, the saved registers), then
 * each holding block (its cache, the member holding the pointer when the
 * alias table knows the block's type, the function that allocated it).
 * The scan ran breadth first (mlk_scan_set_breadth_first), so each
 * block's recorded parent is one hop nearer a root. For an orphan: no
 * chain, and the orphan that holds it, if one does.
 */
#include <stdlib.h>
#include <string.h>

#include "report.h"

/* Chains longer than this are cut (parents form a tree: a bound only). */
#define MAX_HOPS 100000

struct hop {
	const struct mlk_block *block; /* NULL: the root */
	uint32_t root;                 /* the root range's number */
	mlk_addr_t where;              /* the word holding the next hop */
};

static int push_hop(struct hop **hops, size_t *n, size_t *cap, struct hop h)
{
	if (mlk_array_grow((void **)hops, cap, *n, sizeof(**hops), 16) != 0)
		return -1;
	(*hops)[(*n)++] = h;
	return 0;
}

/*
 * The chain from a root to b, root first, each hop with the word (in it)
 * that points at the next one: its length; 0 when b has no recorded parent
 * (grey from the start), -1 when memory is short or the chain too long.
 */
static long collect_hops(const struct memleak_run *run,
			 const struct mlk_block *b, struct hop **out)
{
	struct hop *hops = NULL;
	size_t n = 0, cap = 0, i;
	struct mlk_parent p;
	int done = 0;

	if (push_hop(&hops, &n, &cap, (struct hop){ b, 0, 0 }) != 0)
		return -1;
	while (!done && n < MAX_HOPS) {
		switch (mlk_scan_parent(run->sc, b, &p)) {
		case MLK_PARENT_ROOT:
			done = push_hop(&hops, &n, &cap,
					(struct hop){ NULL, p.root, p.where }) ?
				-1 : 1;
			break;
		case MLK_PARENT_BLOCK:
			b = p.block;
			if (push_hop(&hops, &n, &cap,
				     (struct hop){ b, 0, p.where }) != 0)
				done = -1;
			break;
		default:
			free(hops);
			return 0;
		}
	}
	if (done != 1) {
		free(hops);
		return -1;
	}
	for (i = 0; i < n / 2; i++) {
		struct hop t = hops[i];

		hops[i] = hops[n - 1 - i];
		hops[n - 1 - i] = t;
	}
	*out = hops;
	return (long)n;
}

/* The word at where, untagged as the scan read it; 0 when unreadable. */
static mlk_addr_t word_at(mlk_addr_t where)
{
	ulong value;

	if (!where || !mlk_read_ulong((ulong)where, &value))
		return 0;
	return mlk_untag_word(mlk_arch->untag, value);
}

/* " SYMBOL+0xOFF [MODULE]" for a data address, or "" */
static void data_symbol(ulong addr, char *out, size_t outsz)
{
	struct load_module *lm = NULL;
	struct syment *sp;
	ulong offset = 0;

	out[0] = '\0';
	sp = value_search(addr, &offset);
	if (!sp)
		return;
	if (module_symbol(addr, NULL, &lm, NULL, 0) && lm)
		snprintf(out, outsz, " %s+0x%lx [%s]", sp->name, offset,
			 lm->mod_name);
	else
		snprintf(out, outsz, " %s+0x%lx", sp->name, offset);
}

/* The CPU whose static per-cpu area holds addr (-1: none). */
static int percpu_cpu_of(ulong addr, ulong *var)
{
	ulong start, end;
	int cpu;

	if (!symbol_exists("__per_cpu_start") || !symbol_exists("__per_cpu_end"))
		return -1;
	start = symbol_value("__per_cpu_start");
	end = symbol_value("__per_cpu_end");
	for (cpu = 0; cpu < mlk_possible_cpus(); cpu++) {
		ulong v = addr - kt->__per_cpu_offset[cpu];

		if (v >= start && v < end) {
			*var = v;
			return cpu;
		}
	}
	return -1;
}

/* hop 0: the root range (or saved registers) holding the first block. */
static void print_root_hop(const struct memleak_run *run, const struct hop *h)
{
	const struct mlk_roots *roots = &run->roots;
	char sym[256], comm[32];
	ulong var;
	int pid, cpu, kind;

	if (h->root >= roots->count) {
		fprintf(fp, "memleak: -w: hop 0: root (the saved registers of "
			"a CPU, word at +0x%llx of their note)\n",
			(unsigned long long)h->where);
		return;
	}
	kind = roots->ranges[h->root].kind;
	if (kind == MLK_ROOT_STACK &&
	    mlk_roots_stack_of(roots, (ulong)h->where, &pid, comm,
			       sizeof(comm))) {
		fprintf(fp, "memleak: -w: hop 0: root 0x%llx (task stack of pid "
			"%d, \"%s\")\n", (unsigned long long)h->where, pid, comm);
		return;
	}
	if (kind == MLK_ROOT_PERCPU &&
	    (cpu = percpu_cpu_of((ulong)h->where, &var)) >= 0) {
		data_symbol(var, sym, sizeof(sym));
		fprintf(fp, "memleak: -w: hop 0: root 0x%llx%s (per-cpu "
			"variable, CPU %d)\n", (unsigned long long)h->where, sym,
			cpu);
		return;
	}
	data_symbol((ulong)h->where, sym, sizeof(sym));
	fprintf(fp, "memleak: -w: hop 0: root 0x%llx%s (%s)\n",
		(unsigned long long)h->where, sym, mlk_root_kind_name(kind));
}

/* "; reached at +0xOFF, an alias" when the pointer is interior, or "". */
static void reached(const struct memleak_run *run, const struct hop *from,
		    const struct mlk_block *b, char *out, size_t outsz)
{
	mlk_addr_t value = from->block || from->root < run->roots.count ?
		word_at(from->where) : 0;
	mlk_addr_t off = value - b->start;

	out[0] = '\0';
	if (!value || value == b->start || off >= b->size)
		return;
	snprintf(out, outsz, "; reached at +0x%llx, %s",
		 (unsigned long long)off,
		 mlk_scan_is_alias(run->sc, b, off) ? "an alias" :
		 "no alias: an interior pointer matching no alias");
}

/* The function that allocated b (past the allocator), or why unknown. */
static void allocated_by(struct report *r, const struct mlk_block *b,
			 char *out, size_t outsz)
{
	const struct mlk_alloc_info *ai = &r->ai;
	const char *function = NULL, *module = NULL;
	ulong site = 0;

	if (mlk_report_alloc_info(r, b) == 0 || ai->have_track) {
		if (ai->nr_entries)
			site = ai->entries[mlk_report_site_frame(ai)];
		else
			site = ai->caller;
	}
	if (!site && b->kind == MLK_KIND_VMALLOC)
		site = mlk_vmalloc_caller(&r->run->vmalloc, b->tag);
	if (site)
		mlk_symbol_names(site, &function, &module);
	if (!function) {
		snprintf(out, outsz, "(no allocation record)");
		return;
	}
	snprintf(out, outsz, "%s%s%s%s", function, module ? " [" : "",
		 module ? module : "", module ? "]" : "");
}

/* hop i: a holding block, the word in it, its member, its allocator. */
static void print_block_hop(struct report *r, size_t i, const struct hop *h,
			    const struct hop *prev)
{
	const struct memleak_run *run = r->run;
	const struct mlk_block *b = h->block;
	const struct mlk_cache *c = mlk_report_cache(run, b);
	char member[320], by[256], how[128];
	mlk_addr_t off = h->where - b->start;

	reached(run, prev, b, how, sizeof(how));
	allocated_by(r, b, by, sizeof(by));
	if (b->kind == MLK_KIND_PERCPU || off >= b->size) {
		fprintf(fp, "memleak: -w: hop %zu: 0x%llx (word at 0x%llx) in "
			"\"%s\" (type unknown), allocated by %s%s\n", i,
			(unsigned long long)b->start,
			(unsigned long long)h->where, mlk_kind_name(b->kind),
			by, how);
		return;
	}
	if (c)
		mlk_aliases_member(&run->aliases, b->tag, (uint32_t)off, member,
				   sizeof(member));
	else
		snprintf(member, sizeof(member), "(type unknown)");
	fprintf(fp, "memleak: -w: hop %zu: 0x%llx+0x%llx in \"%s\" %s, "
		"allocated by %s%s\n", i, (unsigned long long)b->start,
		(unsigned long long)off, c ? c->name : mlk_kind_name(b->kind),
		member, by, how);
}

/* The orphan number of b (main index), or -1. */
static long orphan_of(const struct memleak_run *run, const struct mlk_block *b)
{
	const struct mlk_orphans *o = &run->orphans;
	size_t lo = 0, hi = o->count, no;

	if (!mlk_index_count(run->ix) ||
	    b < mlk_index_at(run->ix, 0) ||
	    b >= mlk_index_at(run->ix, 0) + mlk_index_count(run->ix))
		return -1;
	no = (size_t)(b - mlk_index_at(run->ix, 0));
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (o->block[mid] < no)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < o->count && o->block[lo] == no ? (long)lo : -1;
}

static void print_orphan_verdict(struct report *r, const struct mlk_block *b)
{
	const struct memleak_run *run = r->run;
	long i = orphan_of(run, b);

	fprintf(fp, "memleak: -w: 0x%llx is not reachable from any root: ",
		(unsigned long long)b->start);
	if (i < 0)
		fprintf(fp, "an unreferenced block\n");
	else if (run->orphans.owner[i] == (size_t)i)
		fprintf(fp, "a direct leak\n");
	else
		fprintf(fp, "an indirect leak held by 0x%llx\n",
			(unsigned long long)mlk_report_orphan(
				r, run->orphans.owner[i])->start);
}

void mlk_chain_print(struct report *r, ulong addr)
{
	struct memleak_run *run = r->run;
	struct mlk_block *b = mlk_index_lookup(run->ix, addr);
	struct hop *hops = NULL;
	long n;

	if (!b && run->percpu.pix)
		b = mlk_index_lookup(run->percpu.pix, addr);
	if (!b || !run->breadth_first)
		return;
	if (mlk_block_is_orphan(b)) {
		print_orphan_verdict(r, b);
		return;
	}
	n = collect_hops(run, b, &hops);
	if (n <= 0) {
		fprintf(fp, "memleak: -w: 0x%llx is reachable %s\n",
			(unsigned long long)b->start, n == 0 ?
			"from the start (min_count 0: the kernel's kmemleak "
			"records say it is no leak), or never read" :
			"(its chain could not be followed: out of memory)");
		return;
	}
	if (b->flags & MLK_F_POSSIBLE)
		fprintf(fp, "memleak: -w: 0x%llx is not reachable from any "
			"root: possibly lost (only interior pointers that match "
			"no alias reach it); the shortest chain through them has "
			"%ld reference%s:\n", (unsigned long long)b->start, n - 1,
			n == 2 ? "" : "s");
	else
		fprintf(fp, "memleak: -w: 0x%llx is reachable: the shortest "
			"chain from a root has %ld reference%s:\n",
			(unsigned long long)b->start, n - 1, n == 2 ? "" : "s");
	print_root_hop(run, &hops[0]);
	for (long i = 1; i + 1 < n; i++)
		print_block_hop(r, (size_t)i, &hops[i], &hops[i - 1]);
	{
		char how[128];

		reached(run, &hops[n - 2], b, how, sizeof(how));
		fprintf(fp, "memleak: -w: hop %ld: 0x%llx (the block)%s\n",
			n - 1, (unsigned long long)b->start, how);
	}
	free(hops);
}
