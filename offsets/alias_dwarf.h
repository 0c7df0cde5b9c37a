/*
 * alias_dwarf.h - the alias table read from a kernel's DWARF with elfutils
 * (offsets/dwarf.c): a vmlinux, a module (.ko) or any object file.
 */
#ifndef MLK_ALIAS_DWARF_H
#define MLK_ALIAS_DWARF_H

#include <stddef.h>

#include "aliases.h"

/*
 * Adds to into every named struct type defined in elf_path's DWARF whose
 * name and size into does not have yet, then finishes into. Returns 0, or
 * -1 with a message in err (not ELF, no DWARF, compressed with a method
 * this elfutils cannot read, damaged DWARF, out of memory): into then
 * keeps the types added before the failure. A module (ET_REL) is read
 * through libdwfl, which applies its relocations to the DWARF.
 */
int mlk_alias_read_dwarf(const char *elf_path, struct mlk_alias_table *into,
			  char *err, size_t errlen);

/*
 * The GNU build id (NT_GNU_BUILD_ID note) of elf_path: *len holds the
 * room in id on entry and the id's length on return. Returns 0, or -1 when
 * the file has no build id, it does not fit, or the file is not ELF.
 */
int mlk_alias_build_id(const char *elf_path, unsigned char *id, size_t *len);

#endif /* MLK_ALIAS_DWARF_H */
