/*
 * roots.c - the memory the kernel reaches without going through a tracked
 * block, scanned first (mm/kmemleak.c: kmemleak_scan()):
 *   - kernel .data, .bss and .data..ro_after_init;
 *   - the static per-cpu area of every possible CPU;
 *   - the kernel stack of every task, found by walking the kernel's own
 *     task list (init_task.tasks, then each thread group) and the per-CPU
 *     idle tasks: crash's task table is not trusted, because some crash
 *     versions see only part of the tasks of newer kernels;
 *   - the writable data (and ro_after_init data) of every loaded module;
 *   - the struct page array, and PageReserved memory (pages.c).
 * Ranges are sorted and merged so that no byte is scanned twice.
 */
#include "readers.h"

/* ---- what the roots need from the debuginfo ----------------------------------- */

static struct {
	long task_tasks, task_stack, task_signal, task_thread_node;
	long signal_thread_head, task_pid, task_comm, rq_idle, rq_curr;
	long cached_stacks_len, vm_addr;
} T;

static const struct mlk_need tasks_needs[] = {
	MLK_MEMBER(&T.task_tasks, "task_struct", "tasks", MLK_REQUIRED),
	MLK_MEMBER(&T.task_stack, "task_struct", "stack", MLK_REQUIRED),
	MLK_MEMBER(&T.task_signal, "task_struct", "signal", MLK_REQUIRED),
	MLK_MEMBER(&T.task_thread_node, "task_struct", "thread_node",
		   MLK_REQUIRED),
	MLK_MEMBER(&T.signal_thread_head, "signal_struct", "thread_head",
		   MLK_REQUIRED),
	MLK_MEMBER(&T.rq_idle, "rq", "idle", MLK_OPTIONAL),
	MLK_MEMBER(&T.rq_curr, "rq", "curr", MLK_OPTIONAL),
	MLK_MEMBER(&T.task_pid, "task_struct", "pid", MLK_OPTIONAL),
	MLK_MEMBER(&T.task_comm, "task_struct", "comm", MLK_OPTIONAL),
	/* kernel/fork.c: per-CPU cached_stacks[NR_CACHED_STACKS] */
	MLK_ARRAY_LEN(&T.cached_stacks_len, "cached_stacks", MLK_OPTIONAL),
	MLK_MEMBER(&T.vm_addr, "vm_struct", "addr", MLK_OPTIONAL),
};

const struct mlk_needs mlk_tasks_needs = {
	"task stacks", tasks_needs, MLK_COUNT(tasks_needs), NULL, 1,
};

/*
 * Module memory: 6.4 replaced core_layout (base, size, text_size, ro_size,
 * ro_after_init_size) by mem[MOD_MEM_NUM_TYPES] of struct module_memory
 * ("module: replace module_layout with module_memory", ac3b43283923).
 */
static struct {
	long mod_list, mod_name;
	long mod_core_layout, layout_base, layout_size, layout_ro_size; /* <= 6.3 */
	long mod_mem, modmem_size_of, modmem_base, modmem_size;         /* 6.4+ */
	long mod_mem_data, mod_mem_ro_after_init;  /* enum mod_mem_type */
} M;

static const struct mlk_need modules_needs[] = {
	MLK_MEMBER(&M.mod_list, "module", "list", MLK_REQUIRED),
	MLK_MEMBER(&M.mod_name, "module", "name", MLK_REQUIRED),
	MLK_MEMBER(&M.mod_core_layout, "module", "core_layout", MLK_OPTIONAL),
	MLK_MEMBER(&M.layout_base, "module_layout", "base", MLK_OPTIONAL),
	MLK_MEMBER(&M.layout_size, "module_layout", "size", MLK_OPTIONAL),
	MLK_MEMBER(&M.layout_ro_size, "module_layout", "ro_size",
		   MLK_OPTIONAL),
	MLK_MEMBER(&M.mod_mem, "module", "mem", MLK_OPTIONAL),
	MLK_SIZE(&M.modmem_size_of, "module_memory", MLK_OPTIONAL),
	MLK_MEMBER(&M.modmem_base, "module_memory", "base", MLK_OPTIONAL),
	MLK_MEMBER(&M.modmem_size, "module_memory", "size", MLK_OPTIONAL),
	MLK_ENUM(&M.mod_mem_data, "MOD_DATA", MLK_OPTIONAL),
	MLK_ENUM(&M.mod_mem_ro_after_init, "MOD_RO_AFTER_INIT", MLK_OPTIONAL),
};

static int derive_modules(int missing)
{
	if (missing)
		return -1;
	if (M.mod_mem >= 0) {
		if (M.mod_mem_data < 0 || M.mod_mem_ro_after_init < 0 ||
		    M.modmem_size_of <= 0 || M.modmem_base < 0 ||
		    M.modmem_size < 0) {
			error(INFO, "module memory: struct module_memory or "
			      "enum mod_mem_type not found\n");
			return -1;
		}
		return 0;
	}
	if (M.mod_core_layout < 0 || M.layout_base < 0 || M.layout_size < 0 ||
	    M.layout_ro_size < 0) {
		error(INFO, "module memory: neither module.mem nor "
		      "module.core_layout found\n");
		return -1;
	}
	return 0;
}

const struct mlk_needs mlk_modules_needs = {
	"module data", modules_needs, MLK_COUNT(modules_needs), derive_modules,
	1,
};

#define MAX_TASKS   (1L << 22) /* PID_MAX_LIMIT */
#define MAX_THREADS (1L << 22)
#define MAX_MODULES (1L << 14)
#define MAX_MODULE_DATA (1UL << 30)

/* Thread stack base addresses, sorted later (see mlk_roots_is_stack()). */
static int add_stack_base(struct mlk_roots *r, ulong stack)
{
	if (mlk_array_grow((void **)&r->stacks, &r->stacks_cap, r->nstacks,
			   sizeof(*r->stacks), 256) < 0)
		return -1;
	r->stacks[r->nstacks++] = stack;
	return 0;
}

/*
 * Remembers task by pid, for naming the allocators of orphans, and its
 * stack, for naming the holders of blocks (memleak -a).
 */
static int add_task_pid(struct mlk_roots *r, ulong task, ulong stack)
{
	int pid;

	if (T.task_pid < 0 ||
	    !mlk_readk(task + T.task_pid, &pid, sizeof(pid)))
		return 0;
	if (mlk_array_grow((void **)&r->pids, &r->pids_cap, r->npids,
			   sizeof(*r->pids), 256) < 0)
		return -1;
	r->pids[r->npids].pid = pid;
	r->pids[r->npids].task = task;
	r->pids[r->npids].stack = stack;
	r->npids++;
	return 0;
}

static int cmp_pid(const void *a, const void *b)
{
	int x = ((const struct mlk_task_pid *)a)->pid;
	int y = ((const struct mlk_task_pid *)b)->pid;

	return x < y ? -1 : x > y;
}

/* task->comm into comm: 1, or 0 when unreadable. */
static int read_comm(ulong task, char *comm, size_t commsz)
{
	char name[16 + 1] = "";

	if (T.task_comm < 0 ||
	    !mlk_readk(task + T.task_comm, name, sizeof(name) - 1))
		return 0;
	snprintf(comm, commsz, "%s", name);
	return 1;
}

int mlk_roots_comm_of_pid(const struct mlk_roots *r, int pid, int cpu,
			  char *comm, size_t commsz)
{
	struct mlk_task_pid key = { .pid = pid };
	const struct mlk_task_pid *t;

	if (pid == 0) {
		/* kernel/sched/core.c: init_idle() names them swapper/N */
		snprintf(comm, commsz, "swapper/%d", cpu);
		return 1;
	}
	t = r->npids ? bsearch(&key, r->pids, r->npids, sizeof(*r->pids),
			       cmp_pid) : NULL;
	return t && read_comm(t->task, comm, commsz);
}

ulong mlk_roots_stack_of(const struct mlk_roots *r, ulong addr, int *pid,
			 char *comm, size_t commsz)
{
	size_t i;

	for (i = 0; i < r->npids; i++)
		if (addr - r->pids[i].stack < STACKSIZE())
			break;
	if (i == r->npids)
		return 0;
	*pid = r->pids[i].pid;
	if (!read_comm(r->pids[i].task, comm, commsz))
		snprintf(comm, commsz, "?");
	return r->pids[i].stack;
}

/*
 * Stacks parked in kernel/fork.c's per-CPU cached_stacks[] after their
 * task died: vmalloc areas that must not be scanned as blocks either.
 */
static int add_cached_stacks(struct mlk_roots *r)
{
	long n = symbol_exists("cached_stacks") ? T.cached_stacks_len : 0;
	long vm_addr = T.vm_addr;
	int cpu, i;

	for (cpu = 0; cpu < mlk_possible_cpus() && n > 0 && vm_addr >= 0;
	     cpu++) {
		ulong base = symbol_value("cached_stacks") +
			kt->__per_cpu_offset[cpu];

		for (i = 0; i < n && i < 64; i++) {
			ulong vm, addr;

			if (mlk_read_ulong(base + i * sizeof(ulong), &vm) && vm &&
			    mlk_read_ulong(vm + vm_addr, &addr) &&
			    add_stack_base(r, addr) < 0)
				return -1;
		}
	}
	return 0;
}

/* A [start, end) range between two symbols, if both exist. */
static int add_symbol_range(struct mlk_roots *r, const char *start,
			    const char *end)
{
	if (!symbol_exists((char *)start) || !symbol_exists((char *)end))
		return 0;
	return mlk_roots_add(r, symbol_value((char *)start),
			 symbol_value((char *)end), MLK_ROOT_DATA);
}

static int add_kernel_data(struct mlk_roots *r)
{
	if (add_symbol_range(r, "_sdata", "_edata") < 0 ||
	    add_symbol_range(r, "__bss_start", "__bss_stop") < 0 ||
	    add_symbol_range(r, "__start_ro_after_init",
			     "__end_ro_after_init") < 0)
		return -1;
	return 0;
}

/*
 * x86_64 links the per-cpu section at address 0 (__per_cpu_start == 0);
 * CPU n's copy is at __per_cpu_start + __per_cpu_offset[n]
 * (mm/kmemleak.c: kmemleak_scan(), "per-cpu sections scanning").
 *
 * That static section is only the head of each CPU's unit of the first
 * per-cpu chunk (mm/percpu.c: pcpu_setup_first_chunk()): behind it lie the
 * reserved area (modules' DEFINE_PER_CPU) and the dynamic area that serves
 * alloc_percpu(). When percpu.c can read the allocation maps, those are
 * tracked blocks (percpu_static_only); when it cannot, the whole unit
 * (pcpu_unit_size) is scanned as a root instead, so that what per-cpu
 * data points to is not reported.
 */
static ulong percpu_unit_bytes(ulong static_bytes)
{
	int unit_size = 0;

	if (!symbol_exists("pcpu_unit_size") ||
	    !mlk_readk(symbol_value("pcpu_unit_size"), &unit_size,
		       sizeof(unit_size)) ||
	    unit_size < (long)static_bytes || unit_size > (64 << 20))
		return static_bytes;
	return (ulong)unit_size;
}

static int add_percpu(struct mlk_roots *r)
{
	ulong start, unit;
	int cpu, ncpus = mlk_possible_cpus();

	if (!symbol_exists("__per_cpu_start") || !symbol_exists("__per_cpu_end"))
		return 0;
	start = symbol_value("__per_cpu_start");
	unit = symbol_value("__per_cpu_end") - start;
	if (!r->percpu_static_only)
		unit = percpu_unit_bytes(unit);
	for (cpu = 0; cpu < ncpus; cpu++) {
		ulong off = kt->__per_cpu_offset[cpu];

		if (mlk_roots_add(r, start + off, start + off + unit,
			      MLK_ROOT_PERCPU) < 0)
			return -1;
	}
	r->cpus = ncpus;
	return 0;
}

/* ---- tasks ------------------------------------------------------------------ */

struct task_walk {
	struct mlk_roots *roots;
	ulong running[NR_CPUS];  /* rq->curr of each CPU */
	int nrunning;
	int oom;
	int truncated;
};

static int is_running(const struct task_walk *w, ulong task)
{
	int i;

	for (i = 0; i < w->nrunning; i++)
		if (w->running[i] == task)
			return 1;
	return 0;
}

/*
 * Where the live part of a task's stack starts. A task switched out saved
 * its stack pointer in thread.sp (arch/x86/kernel/process_64.c:
 * __switch_to_asm); the words below it are dead frames, and they do hold
 * stale pointers: SLUB's fast path, for one, keeps the next free object in
 * a register that calls spill, so a block allocated later would look
 * referenced. Those dead frames are skipped. A task running when the dump
 * was taken has no saved pointer that can be trusted: its whole stack is
 * scanned (and its registers come from the dump's notes).
 */
static ulong live_stack_start(const struct task_walk *w, ulong task,
			      ulong stack)
{
	ulong sp;

	long sp_off = mlk_arch->saved_sp_offset();

	if (sp_off < 0 || is_running(w, task) ||
	    !mlk_read_ulong(task + sp_off, &sp) ||
	    sp < stack || sp >= stack + STACKSIZE())
		return stack;
	return sp & ~(ulong)(sizeof(ulong) - 1);
}

static int add_task_stack(struct task_walk *w, ulong task)
{
	struct mlk_roots *r = w->roots;
	ulong stack;

	if (!mlk_read_ulong(task + T.task_stack, &stack) || !stack ||
	    !IS_KVADDR(stack)) {
		w->truncated = 1;
		return 0;
	}
	r->tasks++;
	if (mlk_roots_add(r, live_stack_start(w, task, stack),
			  stack + STACKSIZE(), MLK_ROOT_STACK) < 0 ||
	    add_stack_base(r, stack) < 0 || add_task_pid(r, task, stack) < 0) {
		w->oom = 1;
		return 1;
	}
	return 0;
}

static int visit_thread(ulong node, void *arg)
{
	return add_task_stack(arg, node - T.task_thread_node);
}

/* Every thread of the group led by task (signal->thread_head list). */
static int visit_group(ulong node, void *arg)
{
	struct task_walk *w = arg;
	ulong leader = node - T.task_tasks, signal;
	int truncated;

	if (!mlk_read_ulong(leader + T.task_signal, &signal) || !signal) {
		/* exiting task with no signal_struct: still has its stack */
		return add_task_stack(w, leader);
	}
	mlk_walk_list(signal + T.signal_thread_head, MAX_THREADS,
		      visit_thread, w, &truncated);
	w->truncated |= truncated;
	return w->oom;
}

/*
 * The idle tasks of CPUs other than 0 are on no task list: each CPU's
 * runqueue points to its own (kernel/sched/core.c: init_idle()).
 */
static int add_idle_tasks(struct task_walk *w)
{
	ulong rq, idle;
	int cpu;

	if (T.rq_idle < 0 || !symbol_exists("runqueues"))
		return 0;
	rq = symbol_value("runqueues");
	for (cpu = 1; cpu < mlk_possible_cpus(); cpu++) {
		if (mlk_read_ulong(rq + kt->__per_cpu_offset[cpu] +
				   T.rq_idle, &idle) && idle &&
		    add_task_stack(w, idle))
			return -1;
	}
	return 0;
}

static void read_running_tasks(struct task_walk *w)
{
	ulong rq, curr;
	int cpu;

	if (T.rq_curr < 0 || !symbol_exists("runqueues"))
		return;
	rq = symbol_value("runqueues");
	for (cpu = 0; cpu < mlk_possible_cpus(); cpu++)
		if (mlk_read_ulong(rq + kt->__per_cpu_offset[cpu] +
				   T.rq_curr, &curr) && curr)
			w->running[w->nrunning++] = curr;
}

static int add_task_stacks(struct mlk_roots *r)
{
	static struct task_walk w;
	ulong init_task;
	int truncated;

	memset(&w, 0, sizeof(w));
	w.roots = r;
	read_running_tasks(&w);

	if (!symbol_exists("init_task")) {
		error(INFO, "init_task not found: task stacks not scanned\n");
		r->tasks_truncated = 1;
		return 0;
	}
	init_task = symbol_value("init_task");
	if (add_task_stack(&w, init_task))
		return -1;
	mlk_walk_list(init_task + T.task_tasks, MAX_TASKS, visit_group,
		      &w, &truncated);
	if (w.oom || add_idle_tasks(&w) < 0)
		return -1;
	r->tasks_truncated = truncated || w.truncated;
	if (r->tasks_truncated)
		error(INFO, "the task list is damaged; stacks of %lu "
		      "tasks scanned\n", (ulong)r->tasks);
	return 0;
}

/* ---- modules ---------------------------------------------------------------- */

struct module_walk {
	struct mlk_roots *roots;
	int oom;
};

static int add_module_area(struct module_walk *w, ulong mod, ulong base,
			   ulong size)
{
	char name[64] = "?";

	if (!base || !size)
		return 0;
	if (size > MAX_MODULE_DATA || base + size < base) {
		if (M.mod_name >= 0)
			read_string(mod + M.mod_name, name, sizeof(name) - 1);
		error(INFO, "module %s (%lx): data at %lx, %lu bytes: the range "
		      "wraps or is absurd: skipped\n", name, mod, base, size);
		w->roots->modules_bad++;
		return 0;
	}
	if (mlk_roots_add(w->roots, base, base + size, MLK_ROOT_MODULE) < 0) {
		w->oom = 1;
		return -1;
	}
	return 0;
}

/* 6.4+: mem[MOD_DATA] and mem[MOD_RO_AFTER_INIT]. */
static int add_module_mem(struct module_walk *w, ulong mod)
{
	long types[2] = { M.mod_mem_data, M.mod_mem_ro_after_init };
	int i;

	for (i = 0; i < 2; i++) {
		ulong mem = mod + M.mod_mem + types[i] * M.modmem_size_of;
		ulong base, size = 0;

		if (!mlk_read_ulong(mem + M.modmem_base, &base) ||
		    !mlk_readk(mem + M.modmem_size, &size, sizeof(uint32_t)))
			continue;
		if (add_module_area(w, mod, base, size) < 0)
			return -1;
	}
	return 0;
}

/*
 * <= 6.3: core_layout is text, then rodata, then ro_after_init, then
 * data; ro_size marks the end of the read-only part
 * (kernel/module/main.c: layout_sections()).
 */
static int add_module_core(struct module_walk *w, ulong mod)
{
	ulong layout = mod + M.mod_core_layout, base;
	uint32_t size = 0, ro_size = 0;

	if (!mlk_read_ulong(layout + M.layout_base, &base) ||
	    !mlk_readk(layout + M.layout_size, &size, sizeof(size)) ||
	    !mlk_readk(layout + M.layout_ro_size, &ro_size, sizeof(ro_size)) ||
	    ro_size > size)
		return 0;
	/*
	 * Scan from ro_size: ro_after_init data precedes the writable data and
	 * may hold the only pointer to a block set up at init time.
	 */
	return add_module_area(w, mod, base + ro_size, size - ro_size);
}

static int visit_module(ulong node, void *arg)
{
	struct module_walk *w = arg;
	ulong mod = node - M.mod_list;

	w->roots->modules++;
	if (M.mod_mem >= 0)
		add_module_mem(w, mod);
	else
		add_module_core(w, mod);
	return w->oom;
}

static int add_modules(struct mlk_roots *r)
{
	struct module_walk w = { .roots = r };
	int truncated;

	if (!symbol_exists("modules"))
		return 0;
	mlk_walk_list(symbol_value("modules"), MAX_MODULES, visit_module, &w,
		      &truncated);
	r->modules_truncated = truncated;
	if (truncated)
		error(INFO, "the module list is damaged; data of %lu "
		      "modules scanned\n", (ulong)r->modules);
	return w.oom ? -1 : 0;
}

/* ---- collection ------------------------------------------------------------- */

int mlk_roots_collect(struct mlk_roots *r)
{
	if (add_kernel_data(r) < 0 || add_percpu(r) < 0 ||
	    add_task_stacks(r) < 0 || add_cached_stacks(r) < 0 ||
	    add_modules(r) < 0 || mlk_pages_add_memmap_roots(r) < 0)
		return -1;
	qsort(r->stacks, r->nstacks, sizeof(ulong), mlk_cmp_ulong);
	qsort(r->pids, r->npids, sizeof(*r->pids), cmp_pid);
	return mlk_roots_resort(r);
}
