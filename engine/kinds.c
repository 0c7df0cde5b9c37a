/*
 * kinds.c - the names of the kinds of blocks (enum mlk_kind), as reports,
 * options (-k) and suppressions (kind:) spell them.
 */
#include <string.h>

#include "engine.h"

static const char *const kind_names[MLK_KIND_COUNT] = {
	[MLK_KIND_SLAB] = "slab",
	[MLK_KIND_VMALLOC] = "vmalloc",
	[MLK_KIND_PAGES] = "pages",
	[MLK_KIND_PERCPU] = "percpu",
};

const char *mlk_kind_name(int kind)
{
	return kind >= 0 && kind < MLK_KIND_COUNT ? kind_names[kind] : "?";
}

int mlk_kind_by_name(const char *name)
{
	int k;

	for (k = 0; k < MLK_KIND_COUNT; k++)
		if (strcmp(name, kind_names[k]) == 0)
			return k;
	return -1;
}
