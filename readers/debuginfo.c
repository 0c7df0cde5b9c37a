/*
 * kernel.c - kernel structure layouts for memleak, resolved from the
 * kernel's debuginfo once per session (MEMBER_OFFSET / STRUCT_SIZE), so the
 * readers follow the kernel version instead of hard-coding layouts.
 *
 * Resolution happens the first time `memleak` runs, not when the extension
 * loads: a kernel that lacks something still gets the command, and a clear
 * message saying what is missing.
 */
#include "readers.h"
#include "tracks.h"
#include "kml.h"
#include "pageowner.h"

struct mlk_layout mlk_lay;

enum need { OPTIONAL = 0, REQUIRED = 1 };

struct member_req {
	long *dest;
	const char *type;
	const char *member;
	enum need need;
};

/* Resolves one member; returns 0, or -1 if required and missing. */
static int resolve_member(const struct member_req *req)
{
	*req->dest = mlk_member_offset(req->type, req->member);
	if (*req->dest >= 0)
		return 0;
	if (CRASHDEBUG(1) || req->need == REQUIRED)
		error(INFO, "%s.%s not found in this kernel's debuginfo%s\n",
		      req->type, req->member,
		      req->need == REQUIRED ? "" : " (optional)");
	return req->need == REQUIRED ? -1 : 0;
}

static int resolve_members(const struct member_req *reqs, size_t n)
{
	int missing = 0;
	size_t i;

	for (i = 0; i < n; i++)
		missing += resolve_member(&reqs[i]) < 0;
	return missing ? -1 : 0;
}

/*
 * Linux 5.17 split struct slab out of struct page (mm/slab.h); before it,
 * the same fields lived in struct page itself.
 */
static int resolve_slab_layout(struct mlk_layout *l)
{
	const char *slab_type = (mlk_struct_size("slab") > 0) &&
		(mlk_member_offset("slab", "slab_cache") >= 0) ? "slab" : "page";
	const char *kcc_slab = (mlk_member_offset("kmem_cache_cpu", "slab") >= 0) ?
		"slab" : "page";
	const struct member_req reqs[] = {
		{ &l->page_flags, "page", "flags", REQUIRED },
		{ &l->page_compound_head, "page", "compound_head", OPTIONAL },
		{ &l->slab_slab_cache, slab_type, "slab_cache", REQUIRED },
		{ &l->slab_freelist, slab_type, "freelist", REQUIRED },
		{ &l->slab_counters, slab_type, "counters", REQUIRED },
		{ &l->kc_list, "kmem_cache", "list", REQUIRED },
		{ &l->kc_name, "kmem_cache", "name", REQUIRED },
		{ &l->kc_size, "kmem_cache", "size", REQUIRED },
		{ &l->kc_object_size, "kmem_cache", "object_size", REQUIRED },
		{ &l->kc_offset, "kmem_cache", "offset", REQUIRED },
		{ &l->kc_inuse, "kmem_cache", "inuse", REQUIRED },
		{ &l->kc_oo, "kmem_cache", "oo", OPTIONAL },
		{ &l->kc_red_left_pad, "kmem_cache", "red_left_pad", OPTIONAL },
		{ &l->kc_flags, "kmem_cache", "flags", REQUIRED },
		/* only with CONFIG_SLAB_FREELIST_HARDENED (4.14+) */
		{ &l->kc_random, "kmem_cache", "random", OPTIONAL },
		{ &l->kc_cpu_slab, "kmem_cache", "cpu_slab", REQUIRED },
		{ &l->kcc_freelist, "kmem_cache_cpu", "freelist", REQUIRED },
		{ &l->kcc_slab, "kmem_cache_cpu", kcc_slab, REQUIRED },
	};

	l->uses_struct_slab = slab_type[0] == 's';
	l->page_size = mlk_struct_size("page");
	l->kc_size_of = mlk_struct_size("kmem_cache");
	if (l->page_size <= 0 || l->kc_size_of <= 0) {
		error(INFO, "struct page or struct kmem_cache unknown\n");
		return -1;
	}
	return resolve_members(reqs, sizeof(reqs) / sizeof(reqs[0]));
}

/*
 * PG_slab is an enum pageflags value up to 6.9; 6.10 moved it to
 * page_type (PGTY_slab), which this version does not read yet.
 */
static int resolve_pg_slab(struct mlk_layout *l)
{
	long bit;

	if (!mlk_enumerator("PG_slab", &bit)) {
		error(INFO, "enum pageflags has no PG_slab: slab pages "
		      "marked by page_type (Linux 6.10+) are not supported yet\n");
		return -1;
	}
	l->pg_slab_bit = (ulong)bit;
	return 0;
}

static int resolve_task_layout(struct mlk_layout *l)
{
	const struct member_req reqs[] = {
		{ &l->task_tasks, "task_struct", "tasks", REQUIRED },
		{ &l->task_stack, "task_struct", "stack", REQUIRED },
		{ &l->task_signal, "task_struct", "signal", REQUIRED },
		{ &l->task_thread_node, "task_struct", "thread_node", REQUIRED },
		{ &l->signal_thread_head, "signal_struct", "thread_head", REQUIRED },
		{ &l->rq_idle, "rq", "idle", OPTIONAL },
		{ &l->rq_curr, "rq", "curr", OPTIONAL },
		{ &l->task_pid, "task_struct", "pid", OPTIONAL },
		{ &l->task_comm, "task_struct", "comm", OPTIONAL },
	};
	long thread = mlk_member_offset("task_struct", "thread");
	long sp = mlk_member_offset("thread_struct", "sp");

	/* x86_64: the stack pointer saved at the last context switch */
	l->thread_sp = thread >= 0 && sp >= 0 ? thread + sp : -1;
	return resolve_members(reqs, sizeof(reqs) / sizeof(reqs[0]));
}

/*
 * Module memory: 6.4 replaced core_layout (base, size, text_size, ro_size,
 * ro_after_init_size) by mem[MOD_MEM_NUM_TYPES] of struct module_memory
 * (kernel/module/main.c, commit ac3b43283923).
 */
static int resolve_module_layout(struct mlk_layout *l)
{
	const struct member_req common[] = {
		{ &l->mod_list, "module", "list", REQUIRED },
		{ &l->mod_name, "module", "name", REQUIRED },
	};
	const struct member_req core[] = {
		{ &l->mod_core_layout, "module", "core_layout", REQUIRED },
		{ &l->layout_base, "module_layout", "base", REQUIRED },
		{ &l->layout_size, "module_layout", "size", REQUIRED },
		{ &l->layout_ro_size, "module_layout", "ro_size", REQUIRED },
	};
	const struct member_req mem[] = {
		{ &l->mod_mem, "module", "mem", REQUIRED },
		{ &l->modmem_base, "module_memory", "base", REQUIRED },
		{ &l->modmem_size, "module_memory", "size", REQUIRED },
	};

	l->mod_core_layout = l->mod_mem = -1;
	if (resolve_members(common, 2) < 0)
		return -1;
	if ((mlk_member_offset("module", "mem") >= 0)) {
		l->modmem_size_of = mlk_struct_size("module_memory");
		if (!mlk_enumerator("MOD_DATA", &l->mod_mem_data) ||
		    !mlk_enumerator("MOD_RO_AFTER_INIT",
				      &l->mod_mem_ro_after_init)) {
			error(INFO, "enum mod_mem_type not found\n");
			return -1;
		}
		return resolve_members(mem, 3);
	}
	return resolve_members(core, 4);
}

int mlk_possible_cpus(void)
{
	if (kt->cpus <= 0)
		return 1;
	return kt->cpus > NR_CPUS ? NR_CPUS : kt->cpus;
}

int mlk_layout_init(void)
{
	struct mlk_layout l;
	int bad = 0;

	if (mlk_lay.ready)
		return 0;
	memset(&l, 0xff, sizeof(l));
	if (!machine_type("X86_64")) {
		error(INFO, "only x86_64 kernels are supported\n");
		return -1;
	}
	if (!(vt->flags & KMALLOC_SLUB)) {
		error(INFO, "this kernel does not use SLUB "
		      "(SLAB and SLOB are not supported)\n");
		return -1;
	}
	mlk_gdb_hold_sigint();
	bad |= resolve_slab_layout(&l);
	bad |= resolve_pg_slab(&l);
	bad |= resolve_task_layout(&l);
	bad |= resolve_module_layout(&l);
	if (bad) {
		mlk_gdb_release_sigint();
		error(INFO, "this kernel's layout is not supported "
		      "(see the messages above)\n");
		return -1;
	}
	l.ready = 1;
	mlk_lay = l;
	/* every other question now, before any scan (see lookup() below) */
	mlk_slub_warm();
	mlk_pages_warm();
	mlk_percpu_warm();
	mlk_vmalloc_warm();
	mlk_roots_warm();
	mlk_tracks_warm();
	mlk_kml_warm();
	mlk_page_owners_warm();
	mlk_registers_warm();
	mlk_gdb_release_sigint();
	if (CRASHDEBUG(1))
		fprintf(fp, "memleak: layout: page %ld bytes, PG_slab %lu, "
			"struct %s, kmem_cache %ld bytes, random %ld\n",
			l.page_size, l.pg_slab_bit,
			l.uses_struct_slab ? "slab" : "page",
			l.kc_size_of, l.kc_random);
	return 0;
}

/* ---- debuginfo answers, asked once per session -------------------------------- */

/*
 * Every MEMBER_OFFSET, STRUCT_SIZE, enumerator or array-length question is
 * a gdb request, and crash installs gdb's SIGINT handler for the length of
 * each one (gdb_interface.c; so do crash calls that ask gdb themselves,
 * such as netdump_get_prstatus_percpu() through get_cpus_online()). A
 * Ctrl-C landing there only sets gdb's quit flag: crash's restart() never
 * runs, the scan runs on, and the flag makes the user's next gdb request
 * fail. So each question is asked once per session and its answer kept;
 * the readers ask theirs while mlk_layout_init() runs, before any scan, and
 * while they do, gdb's handler is swapped for one that only notes the
 * Ctrl-C: once the questions are answered, a noted Ctrl-C goes to crash's
 * restart(), as if it had come a moment later (back to the prompt; the
 * CLEANUP hook frees the run).
 */
static volatile sig_atomic_t held_sigint;
static void (*gdb_sigint_handler)(int);
static int hold_depth;

static void note_sigint(int sig)
{
	(void)sig;
	held_sigint = 1;
}

void mlk_gdb_hold_sigint(void)
{
	if (hold_depth++ == 0) {
		held_sigint = 0;
		gdb_sigint_handler = pc->gdb_sigaction.sa_handler;
		pc->gdb_sigaction.sa_handler = note_sigint;
	}
}

/* After a command ended by a longjmp (error, Ctrl-C) inside a hold. */
void mlk_gdb_hold_reset(void)
{
	if (hold_depth > 0) {
		pc->gdb_sigaction.sa_handler = gdb_sigint_handler;
		hold_depth = 0;
		held_sigint = 0;
	}
}

/*
 * Ends one level of the hold. A Ctrl-C noted meanwhile does not wait for
 * the outermost level (the whole layout resolution): every hold is closed
 * and it goes to restart() at once. Callers keep each answer before the
 * release, so nothing learnt is lost.
 */
void mlk_gdb_release_sigint(void)
{
	if (hold_depth == 0)
		return;
	if (held_sigint) {
		mlk_gdb_hold_reset();
		restart(SIGINT);
	}
	if (--hold_depth == 0)
		pc->gdb_sigaction.sa_handler = gdb_sigint_handler;
}
enum lookup_kind { L_OFFSET, L_ANON_OFFSET, L_SIZE, L_MEMBER_SIZE, L_ENUM,
		   L_ARRAY_LEN };

#define MAX_LOOKUPS 256
#define LOOKUP_MISSING LONG_MIN

static struct lookup {
	const char *a, *b;   /* string literals of the callers */
	int kind;
	long value;
} lookups[MAX_LOOKUPS];
static int nlookups;

static long ask_gdb(int kind, const char *a, const char *b)
{
	long v;

	switch (kind) {
	case L_OFFSET:
		return MEMBER_OFFSET((char *)a, (char *)b);
	case L_ANON_OFFSET:
		return ANON_MEMBER_OFFSET((char *)a, (char *)b);
	case L_SIZE:
		return STRUCT_SIZE((char *)a);
	case L_MEMBER_SIZE:
		return MEMBER_SIZE((char *)a, (char *)b);
	case L_ENUM:
		return enumerator_value((char *)a, &v) ? v : LOOKUP_MISSING;
	default:
		return get_array_length((char *)a, NULL, 0);
	}
}

static long lookup(int kind, const char *a, const char *b)
{
	int i;
	long v;

	for (i = 0; i < nlookups; i++)
		if (lookups[i].kind == kind && !strcmp(lookups[i].a, a) &&
		    (!b || !strcmp(lookups[i].b, b)))
			return lookups[i].value;
	mlk_gdb_hold_sigint();
	v = ask_gdb(kind, a, b);
	if (nlookups < MAX_LOOKUPS)
		lookups[nlookups++] = (struct lookup){ a, b ? b : "", kind, v };
	mlk_gdb_release_sigint();
	return v;
}

long mlk_member_offset(const char *type, const char *member)
{
	return lookup(L_OFFSET, type, member);
}

long mlk_anon_member_offset(const char *type, const char *member)
{
	return lookup(L_ANON_OFFSET, type, member);
}

long mlk_struct_size(const char *type)
{
	return lookup(L_SIZE, type, NULL);
}

long mlk_member_size(const char *type, const char *member)
{
	return lookup(L_MEMBER_SIZE, type, member);
}

int mlk_enumerator(const char *name, long *value)
{
	long v = lookup(L_ENUM, name, NULL);

	if (v == LOOKUP_MISSING)
		return 0;
	*value = v;
	return 1;
}

long mlk_array_length(const char *symbol)
{
	return lookup(L_ARRAY_LEN, symbol, NULL);
}
