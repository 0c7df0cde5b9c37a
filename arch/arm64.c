/*
 * arm64.c - the arm64 side of the architecture seam (arch.h), for a crash
 * built with target=ARM64 (an arm64 dump read on any host).
 *
 * What differs from x86_64, and where it is handled:
 *  - the stack pointer a task saved when it was switched out:
 *    task_struct.thread.cpu_context.sp (arch/arm64/kernel/entry.S:
 *    cpu_switch_to stores sp there; struct cpu_context in
 *    arch/arm64/include/asm/processor.h). The callee-saved registers beside
 *    it (x19-x28, fp) are inside task_struct, a slab object scanned when
 *    reached, so they need nothing here;
 *  - IRQ, SDEI and overflow stacks: with VMAP_STACK the IRQ stacks are
 *    vmalloc areas (arch/arm64/kernel/irq.c: init_irq_stacks() through
 *    arch_alloc_vmap_stack()), pointed to by the per-cpu irq_stack_ptr; the
 *    SDEI stacks likewise (arch/arm64/kernel/sdei.c: init_sdei_stacks()),
 *    and without VMAP_STACK all of them, like the overflow stacks
 *    (DEFINE_PER_CPU(overflow_stack)), are static per-cpu arrays. Either
 *    way they are reached from the per-cpu roots and scanned whole, as the
 *    x86_64 IRQ stacks are: so no IRQ-stack allocator is listed below;
 *  - the linear map, the vmemmap, KASLR, kimage_voffset and the page size:
 *    crash's ARM64 target (VTOP, PTOV, PAGESIZE, phys_to_page) reads them
 *    from VMCOREINFO and the kernel; memleak only uses those;
 *  - pointer tags: top-byte ignore lets a kernel pointer carry a tag in
 *    bits 56-63 (KASAN software tags, arch/arm64/include/asm/kasan.h, and
 *    MTE hardware tags). The kernel's own untagging is a sign extension
 *    from bit 55 (include/linux/bitops.h: sign_extend64, used by
 *    arch/arm64/include/asm/memory.h: __untagged_addr), and memleak does
 *    the same to every word before it is looked up: a kernel pointer
 *    (bit 55 set) gets its top byte all ones, any other value all zeros -
 *    which keeps a __percpu pointer of a vmalloc'ed chunk (a value like
 *    0x0000530379af2750) as it is;
 *  - pointer authentication codes in return addresses: the bits above the
 *    virtual address size of a kernel text address hold the PAC
 *    (arch/arm64/include/asm/pointer_auth.h: ptrauth_strip_kernel_insn_pac
 *    sets them from bit 55); stripped the same way before a return address
 *    is symbolized (code_address below).
 */
#include "dump.h"
#include "arch.h"

static long thread_off = MLK_NO_ANSWER, cpu_context_off = MLK_NO_ANSWER,
	    cpu_context_sp_off = MLK_NO_ANSWER;

static const struct mlk_need arm64_needs[] = {
	MLK_MEMBER(&thread_off, "task_struct", "thread", MLK_OPTIONAL),
	MLK_MEMBER(&cpu_context_off, "thread_struct", "cpu_context",
		   MLK_OPTIONAL),
	MLK_MEMBER(&cpu_context_sp_off, "cpu_context", "sp", MLK_OPTIONAL),
};

/*
 * The kernel's virtual address size as it runs: 64 - TCR_EL1.T1SZ
 * (VMCOREINFO's NUMBER(TCR_EL1_T1SZ), arch/arm64/kernel/vmcore_info.c:
 * arch_crash_save_vmcoreinfo(), since 5.13), which is less than the
 * configured NUMBER(VA_BITS) when a 52-bit kernel runs on a CPU without
 * LPA2 (Debian's 6.12 on a cortex-a57: 48, not 52); else NUMBER(VA_BITS);
 * else 48.
 */
static unsigned va_bits = 48;

static int derive_arm64(int missing)
{
	long t1sz = 0, bits = 0;

	(void)missing;
	if (mlk_vmcoreinfo_number("NUMBER(TCR_EL1_T1SZ)", &t1sz) && t1sz > 0)
		bits = 64 - t1sz;
	else
		mlk_vmcoreinfo_number("NUMBER(VA_BITS)", &bits);
	if (bits >= 36 && bits <= 52)
		va_bits = (unsigned)bits;
	return 0;
}

static const struct mlk_needs arm64_table = {
	"arm64", arm64_needs, MLK_COUNT(arm64_needs), derive_arm64, 0,
};

/*
 * A return address with its pointer authentication code stripped
 * (mlk_strip_pac). The kernel strips it itself before it stores a stack
 * trace (arch/arm64/kernel/stacktrace.c), so this only matters for a raw
 * value.
 */
static ulong code_address(ulong addr)
{
	return (ulong)mlk_strip_pac(addr, va_bits);
}

static long saved_sp_offset(void)
{
	if (thread_off < 0 || cpu_context_off < 0 || cpu_context_sp_off < 0)
		return -1;
	return thread_off + cpu_context_off + cpu_context_sp_off;
}

/*
 * MAX_PAGE_ORDER (MAX_ORDER - 1 before 6.4) by page size, from the
 * defaults of ARCH_FORCE_MAX_ORDER in arch/arm64/Kconfig: 10 with 4 KiB
 * pages, 11 with 16 KiB, 13 with 64 KiB.
 */
static unsigned max_page_order(void)
{
	switch (PAGESHIFT()) {
	case 14:
		return 11;
	case 16:
		return 13;
	default:
		return 10;
	}
}

const struct mlk_arch mlk_arch_arm64 = {
	.name = "ARM64",
	.needs = &arm64_table,
	.saved_sp_offset = saved_sp_offset,
	.untag = { .tag_bits = (mlk_addr_t)0xff << 56,
		   .sign_bit = (mlk_addr_t)1 << 55 },
	.max_page_order = max_page_order,
	.code_address = code_address,
};
