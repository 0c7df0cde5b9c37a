/*
 * arch.c - picks the architecture implementation that matches crash's
 * target (crash is built for one target: x86_64, or ARM64 and so on).
 */
#include "dump.h"
#include "arch.h"

const struct mlk_arch *mlk_arch;

static const struct mlk_arch *const known[] = {
	&mlk_arch_x86_64,
	&mlk_arch_arm64,
};

const struct mlk_arch *mlk_arch_select(void)
{
	size_t i;

	for (i = 0; i < MLK_COUNT(known); i++)
		if (machine_type((char *)known[i]->name)) {
			mlk_arch = known[i];
			return mlk_arch;
		}
	error(INFO, "this architecture (%s) is not supported: memleak knows "
	      "x86_64 and arm64\n", pc->machine_type ? pc->machine_type : "unknown");
	return NULL;
}
