/*
 * vmalloc.c - vmalloc areas (VM_ALLOC) as tracked blocks.
 *
 * Busy areas are on vmap_area_list (mm/vmalloc.c, up to 6.8), each
 * vmap_area pointing to its vm_struct. 6.9 split the busy tree and list
 * per node ("mm: vmalloc: add a per-node vmap_area busy tree",
 * d093602919ad; "mm: vmalloc: remove global vmap_area_root rb-tree",
 * 55c49fee57af): vmap_nodes[0 .. nr_vmap_nodes) each keep their busy
 * areas on busy.head, linked by the same vmap_area.list. A vmalloc'ed block is recorded by
 * the allocator itself twice: vmap_area.va_start and vm_struct.addr.
 * mm/kmemleak.c copes with that through min_count 2 (kmemleak_vmalloc())
 * plus kmemleak_scan_area() on the vmap_area, which leaves va_start and
 * va_end of every vmap_area unscanned (mm/vmalloc.c: alloc_vmap_area()).
 * Here the exact words are known, so they are masked out of the scan
 * instead: vm_struct.addr of each area, and va_start and va_end of every
 * vmap_area, busy, free or waiting to be purged (a neighbour's va_end, an
 * exclusive end, equals the next area's start). A vmalloc area then needs
 * one reference from outside its allocator, like any other block.
 *
 * Thread stacks (VMAP_STACK) are vmalloc areas too. A live task's stack is
 * scanned as a root (roots.c); a stack parked in kernel/fork.c's
 * cached_stacks after its task died holds stale pointers and must not
 * vouch for anything, so stacks are never scanned as blocks. They are
 * known by address (the stacks roots.c found: every task's, every cached
 * one) and, for a stack caught between its task's death and its free, by
 * the fork path that allocated it.
 */
#include "readers.h"
#include "bytes.h"

/* include/linux/vmalloc.h (stable values) */
#define VM_ALLOC_FLAG         0x00000002UL
#define VM_UNINITIALIZED_FLAG 0x00000020UL
#define VM_NO_GUARD_FLAG      0x00000040UL

#define MAX_VMAP_AREAS (1L << 24)
/* Larger than any vmalloc area a kernel makes: a corrupt vm_struct. */
#define MAX_VMALLOC_AREA (1UL << 36)

struct vmalloc_layout {
	long va_start, va_end, va_vm, va_list;
	long vm_addr, vm_size, vm_flags, vm_caller;
	long va_size_of, vm_size_of;
	/* 6.9+: struct vmap_node busy lists */
	long node_size_of, node_busy, rb_list_head;
	/* 6.9+: freed areas per node: lazy, purge_list, pool[].head */
	long node_lazy, node_purge_list, node_pool, node_pool_size,
	     pool_size_of, pool_head;
};

struct vmalloc_walk {
	struct vmalloc_layout l;
	struct mlk_index *ix;
	struct mlk_masks *masks;
	const struct mlk_roots *roots;
	ulong percpu_caller;
	struct mlk_vmalloc_stats *st;
	unsigned char *va_buf, *vm_buf;
	int oom;
};

static struct vmalloc_layout L;
static int layout_known;

/* Members may sit in anonymous unions (vmap_area.vm shares one with
 * subtree_max_size since 5.2): asked as MLK_MEMBER_ANY. */
static const struct mlk_need vmalloc_needs[] = {
	MLK_MEMBER_ANY(&L.va_start, "vmap_area", "va_start", MLK_REQUIRED),
	MLK_MEMBER_ANY(&L.va_end, "vmap_area", "va_end", MLK_REQUIRED),
	MLK_MEMBER_ANY(&L.va_vm, "vmap_area", "vm", MLK_REQUIRED),
	MLK_MEMBER_ANY(&L.va_list, "vmap_area", "list", MLK_REQUIRED),
	MLK_MEMBER_ANY(&L.vm_addr, "vm_struct", "addr", MLK_REQUIRED),
	MLK_MEMBER_ANY(&L.vm_size, "vm_struct", "size", MLK_REQUIRED),
	MLK_MEMBER_ANY(&L.vm_flags, "vm_struct", "flags", MLK_REQUIRED),
	MLK_MEMBER_ANY(&L.vm_caller, "vm_struct", "caller", MLK_OPTIONAL),
	MLK_SIZE(&L.va_size_of, "vmap_area", MLK_REQUIRED),
	MLK_SIZE(&L.vm_size_of, "vm_struct", MLK_REQUIRED),
	MLK_SIZE(&L.node_size_of, "vmap_node", MLK_OPTIONAL),
	MLK_MEMBER(&L.node_busy, "vmap_node", "busy", MLK_OPTIONAL),
	MLK_MEMBER(&L.rb_list_head, "rb_list", "head", MLK_OPTIONAL),
	/*
	 * 6.9+, same series: a node's lazily freed areas ("mm: vmalloc:
	 * remove global purge_vmap_area_root rb-tree"), its areas ready to
	 * free, and its pool[] of cached free vmap_areas (72210662c5a2
	 * "mm: vmalloc: offload free_vmap_area_lock lock"): slab
	 * objects whose stale va_start / va_end must not vouch for the
	 * vmalloc areas next to them.
	 */
	MLK_MEMBER(&L.node_lazy, "vmap_node", "lazy", MLK_OPTIONAL),
	MLK_MEMBER(&L.node_purge_list, "vmap_node", "purge_list",
		   MLK_OPTIONAL),
	MLK_MEMBER(&L.node_pool, "vmap_node", "pool", MLK_OPTIONAL),
	MLK_MEMBER_SIZE(&L.node_pool_size, "vmap_node", "pool", MLK_OPTIONAL),
	MLK_SIZE(&L.pool_size_of, "vmap_pool", MLK_OPTIONAL),
	MLK_MEMBER(&L.pool_head, "vmap_pool", "head", MLK_OPTIONAL),
};

static int derive_vmalloc(int missing)
{
	layout_known = !missing;
	return missing ? -1 : 0;
}

const struct mlk_needs mlk_vmalloc_needs = {
	"vmalloc areas", vmalloc_needs, MLK_COUNT(vmalloc_needs),
	derive_vmalloc, 0,
};

/*
 * Areas that are not blocks, by the function that allocated them (the
 * area's vm_struct.caller), NULL-terminated lists:
 *
 * VMAP_STACK thread stacks come from kernel/fork.c:
 * alloc_thread_stack_node(), often inlined up to copy_process() and
 * kernel_clone(); the area's caller is one of them. They are scanned from
 * the task list instead (roots.c). IRQ stacks are not listed: x86_64 maps
 * them from per-cpu pages with vmap() (arch/x86/kernel/irq_64.c:
 * map_irq_stack(), not VM_ALLOC, so never tracked); arm64 vmallocs them
 * (arch/arm64/kernel/irq.c: init_irq_stacks()), and the per-cpu
 * irq_stack_ptr reaches them like any block.
 */
static const char *const thread_stack_allocators[] = {
	"alloc_thread_stack_node", "dup_task_struct", "copy_process",
	"kernel_clone", NULL,
};

/*
 * JIT code outside module space: arm64's BPF JIT takes its images from
 * vmalloc (arch/arm64/net/bpf_jit_comp.c: bpf_jit_alloc_exec()), and a
 * program's bpf_func points at a random offset inside its image
 * (kernel/bpf/core.c: bpf_jit_binary_alloc(); the start is found again by
 * masking, bpf_jit_binary_hdr()): only interior pointers hold it. It is
 * code, entered anywhere, like module text: not a block (on x86_64 the
 * same images come from module space, below).
 */
static const char *const jit_allocators[] = { "bpf_jit_alloc_exec", NULL };

/* The name of the function at caller, or NULL. */
static const char *caller_name(ulong caller)
{
	ulong offset;
	struct syment *sp = caller ? value_search(caller, &offset) : NULL;

	return sp ? sp->name : NULL;
}

/* Whether name (may be NULL) is one of fns. */
static int name_in(const char *name, const char *const *fns)
{
	for (; name && *fns; fns++)
		if (strcmp(name, *fns) == 0)
			return 1;
	return 0;
}

/*
 * Module memory (and BPF JIT code) comes from module_alloc(), a vmalloc
 * area in the module mapping space. kmemleak defers it
 * (VM_DEFER_KMEMLEAK) and scans only the module's data sections
 * (kernel/module/debug_kmemleak.c); roots.c scans those as roots, so the
 * area itself, text included, is not a block.
 */
static int in_module_space(ulong addr)
{
	return addr >= MODULES_VADDR && addr < MODULES_END;
}

/*
 * A VM_ALLOC area outside module space lies in [VMALLOC_START, VMALLOC_END]
 * (crash's range for this kernel, KASLR included): one that does not is a
 * corrupt vm_struct, or no vm_struct at all (a busy list run into garbage),
 * and tracking it could cover the direct map with one bogus block. Not
 * checked when crash does not know the range.
 */
static int in_vmalloc_space(ulong addr, ulong size)
{
	ulong start = VMALLOC_START, end = VMALLOC_END;

	if (!start || end <= start)
		return 1;
	return addr >= start && addr <= end && size - 1 <= end - addr;
}

/* The tag of a vmalloc block indexes its allocation caller. */
static int remember_caller(struct mlk_vmalloc_stats *st, ulong caller)
{
	if (mlk_array_grow((void **)&st->callers, &st->callers_cap,
			   st->ncallers, sizeof(*st->callers), 256) < 0)
		return -1;
	st->callers[st->ncallers++] = caller;
	return 0;
}

ulong mlk_vmalloc_caller(const struct mlk_vmalloc_stats *st, uint32_t tag)
{
	return tag < st->ncallers ? st->callers[tag] : 0;
}

void mlk_vmalloc_free(struct mlk_vmalloc_stats *st)
{
	free(st->callers);
	memset(st, 0, sizeof(*st));
}

static int track_area(struct vmalloc_walk *w, ulong vm)
{
	const struct vmalloc_layout *l = &w->l;
	ulong addr = mlk_get_u64(w->vm_buf, l->vm_addr);
	ulong size = mlk_get_u64(w->vm_buf, l->vm_size);
	ulong flags = mlk_get_u64(w->vm_buf, l->vm_flags);
	ulong caller = l->vm_caller >= 0 ? mlk_get_u64(w->vm_buf, l->vm_caller) : 0;
	const char *fn;

	if (!(flags & VM_ALLOC_FLAG) || (flags & VM_UNINITIALIZED_FLAG))
		return 0;
	if (!(flags & VM_NO_GUARD_FLAG) && size >= PAGESIZE())
		size -= PAGESIZE(); /* get_vm_area_size(): the guard page */
	if (!size)
		return 0;
	/* per-cpu chunks: scanned through their allocations (percpu.c) */
	if (w->percpu_caller && caller == w->percpu_caller) {
		w->st->percpu_chunks++;
		return 0;
	}
	if (in_module_space(addr)) {
		w->st->modules++;
		return 0;
	}
	fn = caller_name(caller);
	if (mlk_roots_is_stack(w->roots, addr) ||
	    name_in(fn, thread_stack_allocators)) {
		w->st->stacks++;
		return 0;
	}
	if (name_in(fn, jit_allocators)) {
		w->st->jit_code++;
		return 0;
	}
	if (size > MAX_VMALLOC_AREA || !in_vmalloc_space(addr, size)) {
		w->st->absurd++;
		error(INFO, "vmalloc area %lx: vm_struct %lx says %lu bytes%s: "
		      "skipped as corrupt\n", addr, vm, size,
		      size > MAX_VMALLOC_AREA ? "" :
		      ", outside the vmalloc space");
		return 0;
	}
	if (size > UINT32_MAX) {
		w->st->truncated++;
		size = UINT32_MAX & ~(ulong)(PAGESIZE() - 1);
	}
	if (remember_caller(w->st, caller) < 0 ||
	    mlk_index_add(w->ix, addr, (uint32_t)size, MLK_KIND_VMALLOC,
			  (uint32_t)(w->st->ncallers - 1), 1) < 0 ||
	    mlk_masks_add(w->masks, vm + l->vm_addr) < 0)
		return -1;
	w->st->tracked++;
	w->st->bytes += size;
	return 0;
}

static int mask_bounds(struct vmalloc_walk *w, ulong va)
{
	if (mlk_masks_add(w->masks, va + w->l.va_start) < 0 ||
	    mlk_masks_add(w->masks, va + w->l.va_end) < 0) {
		w->oom = 1;
		return -1;
	}
	return 0;
}

/* Free and lazily freed vmap_areas: only their bounds are masked. */
static int visit_other_area(ulong node, void *arg)
{
	struct vmalloc_walk *w = arg;

	return mask_bounds(w, node - w->l.va_list) < 0;
}

/* Sanity bound on nr_vmap_nodes (one node per CPU at most, in practice). */
#define MAX_VMAP_NODES 4096

/* 6.9+: each vmap node's lazy, purge and pool lists. */
static void mask_node_lists(struct vmalloc_walk *w)
{
	ulong nodes, node;
	int nr = 0, i, truncated;
	long k, npools;

	if (!symbol_exists("vmap_nodes") || w->l.node_size_of <= 0 ||
	    !mlk_read_ulong(symbol_value("vmap_nodes"), &nodes) || !nodes ||
	    !mlk_read_symbol_int("nr_vmap_nodes", &nr) || nr <= 0 ||
	    nr > MAX_VMAP_NODES)
		return;
	npools = w->l.node_pool >= 0 && w->l.pool_head >= 0 &&
		w->l.pool_size_of > 0 ?
		w->l.node_pool_size / w->l.pool_size_of : 0;
	for (i = 0; i < nr && !w->oom; i++) {
		node = nodes + (ulong)i * w->l.node_size_of;
		if (w->l.node_lazy >= 0 && w->l.rb_list_head >= 0)
			mlk_walk_list(node + w->l.node_lazy + w->l.rb_list_head,
				      MAX_VMAP_AREAS, visit_other_area, w,
				      &truncated);
		if (w->l.node_purge_list >= 0 && !w->oom)
			mlk_walk_list(node + w->l.node_purge_list,
				      MAX_VMAP_AREAS, visit_other_area, w,
				      &truncated);
		for (k = 0; k < npools && !w->oom; k++)
			mlk_walk_list(node + w->l.node_pool +
				      k * w->l.pool_size_of + w->l.pool_head,
				      MAX_VMAP_AREAS, visit_other_area, w,
				      &truncated);
	}
}

static void mask_other_lists(struct vmalloc_walk *w)
{
	static const char *const lists[] = {
		"free_vmap_area_list", "purge_vmap_area_list",
	};
	size_t i;
	int truncated;

	for (i = 0; i < sizeof(lists) / sizeof(lists[0]) && !w->oom; i++)
		if (symbol_exists((char *)lists[i]))
			mlk_walk_list(symbol_value((char *)lists[i]),
				      MAX_VMAP_AREAS, visit_other_area, w,
				      &truncated);
	mask_node_lists(w);
}

static int visit_area(ulong node, void *arg)
{
	struct vmalloc_walk *w = arg;
	ulong va = node - w->l.va_list, vm;

	w->st->areas++;
	if (mask_bounds(w, va) < 0)
		return 1;
	if (!mlk_readk(va, w->va_buf, w->l.va_size_of))
		return 0;
	vm = mlk_get_u64(w->va_buf, w->l.va_vm);
	if (!vm || !IS_KVADDR(vm) || !mlk_readk(vm, w->vm_buf, w->l.vm_size_of))
		return 0;
	if (track_area(w, vm) < 0) {
		w->oom = 1;
		return 1;
	}
	return 0;
}

/*
 * The busy lists: vmap_area_list up to 6.8, each vmap_nodes[i].busy.head
 * from 6.9. Returns the number of lists walked (0: none on this kernel);
 * *truncated when one of them was cut short.
 */
static int walk_busy_lists(struct vmalloc_walk *w, int *truncated)
{
	ulong nodes;
	int nr = 0, i, cut;

	*truncated = 0;
	if (symbol_exists("vmap_area_list")) {
		mlk_walk_list(symbol_value("vmap_area_list"), MAX_VMAP_AREAS,
			      visit_area, w, truncated);
		return 1;
	}
	if (!symbol_exists("vmap_nodes") || !symbol_exists("nr_vmap_nodes") ||
	    w->l.node_size_of <= 0 || w->l.node_busy < 0 ||
	    w->l.rb_list_head < 0)
		return 0;
	if (!mlk_read_ulong(symbol_value("vmap_nodes"), &nodes) || !nodes ||
	    !mlk_read_symbol_int("nr_vmap_nodes", &nr) || nr <= 0 ||
	    nr > MAX_VMAP_NODES) {
		*truncated = 1;
		return 1;
	}
	for (i = 0; i < nr && !w->oom; i++) {
		ulong head = nodes + (ulong)i * w->l.node_size_of +
			w->l.node_busy + w->l.rb_list_head;

		mlk_walk_list(head, MAX_VMAP_AREAS, visit_area, w, &cut);
		*truncated |= cut;
	}
	return nr;
}

int mlk_vmalloc_add_areas(struct mlk_index *ix, struct mlk_masks *masks,
			  const struct mlk_roots *roots, ulong percpu_caller,
			  struct mlk_vmalloc_stats *st)
{
	struct vmalloc_walk w = { .l = L, .ix = ix, .masks = masks, .roots = roots,
				  .percpu_caller = percpu_caller, .st = st };
	int truncated = 0, lists = 0;

	if (!layout_known) {
		st->unsupported = 1;
		return 0;
	}
	w.va_buf = malloc(w.l.va_size_of);
	w.vm_buf = malloc(w.l.vm_size_of);
	if (w.va_buf && w.vm_buf) {
		lists = walk_busy_lists(&w, &truncated);
		if (lists)
			mask_other_lists(&w);
	} else {
		w.oom = 1;
	}
	free(w.va_buf);
	free(w.vm_buf);
	if (!w.oom && !lists) {
		st->unsupported = 1;
		return 0;
	}
	st->list_truncated = truncated;
	if (!w.oom && truncated)
		error(INFO, "%s is damaged; %lu vmalloc areas tracked\n",
		      symbol_exists("vmap_area_list") ? "vmap_area_list" :
		      "a vmap_nodes busy list", (ulong)st->tracked);
	return w.oom ? -1 : 0;
}
