/*
 * x86_64.c - the x86_64 side of the architecture seam (arch.h).
 */
#include "dump.h"
#include "arch.h"

/*
 * A task switched out saved its stack pointer in task_struct.thread.sp
 * (arch/x86/entry/entry_64.S: __switch_to_asm stores %rsp there).
 */
static long thread_off = MLK_NO_ANSWER, thread_sp_off = MLK_NO_ANSWER;

static const struct mlk_need x86_64_needs[] = {
	MLK_MEMBER(&thread_off, "task_struct", "thread", MLK_OPTIONAL),
	MLK_MEMBER(&thread_sp_off, "thread_struct", "sp", MLK_OPTIONAL),
};

static const struct mlk_needs x86_64_table = {
	"x86_64", x86_64_needs, MLK_COUNT(x86_64_needs), NULL, 0,
};

static long saved_sp_offset(void)
{
	if (thread_off < 0 || thread_sp_off < 0)
		return -1;
	return thread_off + thread_sp_off;
}

/* MAX_PAGE_ORDER (MAX_ORDER - 1 before 6.4): 10 with 4 KiB pages. */
static unsigned max_page_order(void)
{
	return 10;
}

/* Return addresses carry nothing but the address. */
static ulong code_address(ulong addr)
{
	return addr;
}

const struct mlk_arch mlk_arch_x86_64 = {
	.name = "X86_64",
	.needs = &x86_64_table,
	.saved_sp_offset = saved_sp_offset,
	.untag = { .tag_bits = 0, .sign_bit = 0 },   /* the identity */
	.max_page_order = max_page_order,
	.code_address = code_address,
};
