/*
 * dwarf.c - the alias table read from DWARF with elfutils (alias_dwarf.h).
 *
 * Every unit's top-level DIEs are walked (compile, partial and type units,
 * DWARF 4 and 5); each named struct definition becomes one table entry,
 * the first time its name and size are met (a type is repeated in every
 * unit that includes its header: the later copies cost one hash lookup).
 * Structs defined inside functions are not visited: walking into every
 * function body would multiply the work for types no allocation names.
 *
 * Of an entry's members (DW_TAG_member children):
 *   - bit fields (DW_AT_bit_size) are skipped: nothing points at them;
 *   - a member with no name whose type is a struct or union (an anonymous
 *     member) is flattened: its members count as the parent's, at the
 *     parent's level;
 *   - every other member is listed, with its path ("a", then "a.b" at
 *     level 2, "arr[0].b" inside an array of structs);
 *   - a member whose type, seen through typedefs and qualifiers, is a
 *     struct or union, or an array of them (its first element), is an
 *     alias offset; at level 1 its own members are read too, as level 2.
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alias_dwarf.h"

/* Levels of named members read: the type's own and its members' members. */
#define MAX_LEVEL 2
/* Anonymous members nested in each other, and levels, at most: damaged
 * DWARF could make a type contain itself. */
#define MAX_NEST 32
/* Typedefs and qualifiers stacked on one type, at most. */
#define MAX_PEEL 64

struct reader {
	struct mlk_alias_table *t;
	const char *path;
	char *err;
	size_t errlen;
	char *name;        /* the member path being built: "outer." + name */
	size_t name_cap;
	int out_of_memory; /* the table or the path could not grow */
};

static void say(struct reader *r, const char *fmt, ...)
{
	va_list ap;

	if (!r->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(r->err, r->errlen, fmt, ap);
	va_end(ap);
}

/* ---- the member path --------------------------------------------------- */

/* Writes text at r->name + at; returns the new length, or -1. */
static long name_put(struct reader *r, size_t at, const char *text)
{
	size_t len = strlen(text), need = at + len + 1;

	if (need > r->name_cap) {
		size_t cap = r->name_cap ? r->name_cap : 256;
		char *grown;

		while (cap < need)
			cap *= 2;
		grown = realloc(r->name, cap);
		if (!grown) {
			r->out_of_memory = 1;
			return -1;
		}
		r->name = grown;
		r->name_cap = cap;
	}
	memcpy(r->name + at, text, len + 1);
	return at + len;
}

/* ---- DWARF questions --------------------------------------------------- */

static int is_aggregate(Dwarf_Die *type)
{
	int tag = dwarf_tag(type);

	return tag == DW_TAG_structure_type || tag == DW_TAG_union_type ||
	       tag == DW_TAG_class_type;
}

/* The DIE that die's DW_AT_type names. */
static int type_ref(Dwarf_Die *die, Dwarf_Die *type)
{
	Dwarf_Attribute attr;

	return dwarf_attr_integrate(die, DW_AT_type, &attr) &&
	       dwarf_formref_die(&attr, type) ? 0 : -1;
}

static int is_alias_or_qualifier(int tag)
{
	return tag == DW_TAG_typedef || tag == DW_TAG_const_type ||
	       tag == DW_TAG_volatile_type || tag == DW_TAG_restrict_type ||
	       tag == DW_TAG_atomic_type;
}

/*
 * The type of die (a member, an array), through typedefs and
 * const/volatile/restrict/atomic qualifiers: what dwarf_peel_type does,
 * with a bound on the chain (older libdw follow a damaged, circular chain
 * for ever). Returns 0, or -1 when it has none (void) or it cannot be
 * followed.
 */
static int peeled_type(Dwarf_Die *die, Dwarf_Die *type)
{
	int steps;

	if (type_ref(die, type) < 0)
		return -1;
	for (steps = 0; is_alias_or_qualifier(dwarf_tag(type)); steps++)
		if (steps == MAX_PEEL || type_ref(type, type) < 0)
			return -1;
	return 0;
}

/*
 * A struct or union whose members can be read: not a declaration, or a
 * declaration that names its definition in a type unit (DW_AT_signature).
 */
static int definition_of(Dwarf_Die *type, Dwarf_Die *def)
{
	Dwarf_Attribute attr;

	*def = *type;
	if (!dwarf_hasattr(type, DW_AT_declaration))
		return 1;
	return dwarf_attr(type, DW_AT_signature, &attr) &&
	       dwarf_formref_die(&attr, def) &&
	       !dwarf_hasattr(def, DW_AT_declaration);
}

/* The byte size of a (peeled) type, or 0 when unknown (a flexible array);
 * at most UINT32_MAX. */
static uint32_t size_of(Dwarf_Die *type)
{
	Dwarf_Word size;
	uint8_t address_size;
	Dwarf_Die cu;
	int tag;

	if (dwarf_aggregate_size(type, &size) == 0)
		return size > UINT32_MAX ? UINT32_MAX : size;
	tag = dwarf_tag(type);
	if ((tag == DW_TAG_pointer_type || tag == DW_TAG_reference_type ||
	     tag == DW_TAG_ptr_to_member_type) &&
	    dwarf_diecu(type, &cu, &address_size, NULL))
		return address_size;
	return 0;
}

/* A DW_AT_data_member_location given as an expression (DWARF 2 and 3):
 * DW_OP_plus_uconst N, or a constant. */
static int location_expression(Dwarf_Attribute *attr, uint64_t *off)
{
	Dwarf_Op *ops;
	size_t nops;

	if (dwarf_getlocation(attr, &ops, &nops) != 0 || nops != 1)
		return -1;
	if (ops[0].atom != DW_OP_plus_uconst && ops[0].atom != DW_OP_constu)
		return -1;
	*off = ops[0].number;
	return 0;
}

/*
 * The byte offset of a member in its parent. Returns 0; 1 for a member to
 * skip: a bit field, or a location that is not a constant.
 */
static int member_offset(Dwarf_Die *member, uint64_t *off)
{
	Dwarf_Attribute attr;
	Dwarf_Word value;

	*off = 0;
	if (dwarf_hasattr(member, DW_AT_bit_size))
		return 1;
	if (dwarf_attr(member, DW_AT_data_member_location, &attr)) {
		switch (dwarf_whatform(&attr)) {
		case DW_FORM_data1: case DW_FORM_data2: case DW_FORM_data4:
		case DW_FORM_data8: case DW_FORM_udata: case DW_FORM_sdata:
		case DW_FORM_implicit_const:
			if (dwarf_formudata(&attr, &value) != 0)
				return 1;
			*off = value;
			return 0;
		default:
			return location_expression(&attr, off) == 0 ? 0 : 1;
		}
	}
	/* DWARF 4+: a whole-byte member may be placed in bits. */
	if (dwarf_attr(member, DW_AT_data_bit_offset, &attr)) {
		if (dwarf_formudata(&attr, &value) != 0 || value % 8)
			return 1;
		*off = value / 8;
	}
	return 0; /* no location: a union's member, at 0 */
}

/* ---- members ----------------------------------------------------------- */

static int add_members(struct reader *r, Dwarf_Die *agg, uint64_t base,
		       size_t prefix, int level, int nest);

/*
 * A named member whose type is a struct or union (or an array of them,
 * elem_path "[0]."): an alias, and at level 1 its members as level 2.
 */
static int add_embedded(struct reader *r, Dwarf_Die *type, uint64_t off,
			size_t name_len, const char *elem_path, int level,
			int nest)
{
	Dwarf_Die def;
	long prefix;

	if (mlk_alias_add_offset(r->t, off) < 0) {
		r->out_of_memory = 1;
		return -1;
	}
	if (level >= MAX_LEVEL || !definition_of(type, &def))
		return 0;
	prefix = name_put(r, name_len, elem_path);
	if (prefix < 0)
		return -1;
	return add_members(r, &def, off, prefix, level + 1, nest + 1);
}

/* One DW_TAG_member of a struct or union placed at base. */
static int add_member(struct reader *r, Dwarf_Die *member, uint64_t base,
		      size_t prefix, int level, int nest)
{
	const char *name = dwarf_diename(member);
	Dwarf_Die type, elem, def;
	uint64_t off;
	long name_len;

	if (member_offset(member, &off) != 0 || peeled_type(member, &type) < 0)
		return 0;
	if (off > UINT32_MAX - base) /* base is at most UINT32_MAX */
		return 0;
	off += base;
	if (!name) { /* anonymous: only a struct or union has anything */
		if (!is_aggregate(&type) || !definition_of(&type, &def))
			return 0;
		return add_members(r, &def, off, prefix, level, nest + 1);
	}
	name_len = name_put(r, prefix, name);
	if (name_len < 0)
		return -1;
	if (mlk_alias_add_member(r->t, off, size_of(&type), r->name) < 0) {
		r->out_of_memory = 1;
		return -1;
	}
	if (is_aggregate(&type))
		return add_embedded(r, &type, off, name_len, ".", level, nest);
	if (dwarf_tag(&type) == DW_TAG_array_type &&
	    peeled_type(&type, &elem) == 0 && is_aggregate(&elem))
		return add_embedded(r, &elem, off, name_len, "[0].", level,
				    nest);
	return 0;
}

/*
 * The members of the struct or union agg, placed at base in the outermost
 * type; their paths start with r->name[0, prefix).
 */
static int add_members(struct reader *r, Dwarf_Die *agg, uint64_t base,
		       size_t prefix, int level, int nest)
{
	Dwarf_Die child;
	int rc;

	if (nest > MAX_NEST || dwarf_child(agg, &child) != 0)
		return 0;
	do {
		if (dwarf_tag(&child) == DW_TAG_member &&
		    add_member(r, &child, base, prefix, level, nest) < 0)
			return -1;
	} while ((rc = dwarf_siblingof(&child, &child)) == 0);
	return rc < 0 ? -1 : 0;
}

/* ---- types ------------------------------------------------------------- */

/* A top-level struct DIE: an entry the first time its name and size come. */
static int read_struct(struct reader *r, Dwarf_Die *die)
{
	Dwarf_Attribute attr;
	Dwarf_Word size;
	const char *name;
	int rc;

	if (dwarf_hasattr(die, DW_AT_declaration))
		return 0;
	name = dwarf_diename(die);
	if (!name || !dwarf_attr(die, DW_AT_byte_size, &attr) ||
	    dwarf_formudata(&attr, &size) != 0 || size > UINT32_MAX)
		return 0;
	if (mlk_alias_has_type(r->t, name, size))
		return 0;
	if (mlk_alias_begin_type(r->t, name, size) < 0) {
		r->out_of_memory = 1;
		return -1;
	}
	rc = add_members(r, die, 0, 0, 1, 0);
	if (rc < 0 && !r->out_of_memory) {
		/* damaged DIEs inside this type: keep what was read */
		rc = 0;
	}
	mlk_alias_end_type(r->t, rc == 0);
	return rc;
}

/* The top-level DIEs of one unit. */
static int walk_unit(struct reader *r, Dwarf_Die *unit)
{
	Dwarf_Die child;
	int rc, tag;

	if (dwarf_child(unit, &child) != 0)
		return 0;
	do {
		tag = dwarf_tag(&child);
		if ((tag == DW_TAG_structure_type || tag == DW_TAG_class_type) &&
		    read_struct(r, &child) < 0)
			return -1;
	} while ((rc = dwarf_siblingof(&child, &child)) == 0);
	if (rc < 0) {
		say(r, "%s: damaged DWARF in the unit at %#llx: %s", r->path,
		    (unsigned long long)dwarf_dieoffset(unit), dwarf_errmsg(-1));
		return -1;
	}
	return 0;
}

/* Every unit: .debug_info, then .debug_types (DWARF 4 type units). */
static int walk_units(struct reader *r, Dwarf *dbg)
{
	Dwarf_CU *cu = NULL;
	Dwarf_Die unit, sub;
	Dwarf_Half version;
	uint8_t unit_type;
	int rc;

	while ((rc = dwarf_get_units(dbg, cu, &cu, &version, &unit_type,
				     &unit, &sub)) == 0) {
		if (unit_type == DW_UT_skeleton || unit_type == DW_UT_split_compile ||
		    unit_type == DW_UT_split_type)
			continue; /* split DWARF (.dwo) is not read */
		if (walk_unit(r, &unit) < 0)
			return -1;
	}
	if (rc < 0) {
		say(r, "%s: damaged DWARF unit headers: %s", r->path,
		    dwarf_errmsg(-1));
		return -1;
	}
	return 0;
}

/* ---- opening ----------------------------------------------------------- */

/* What is open for one read. */
struct source {
	int fd;
	Elf *elf;
	Dwfl *dwfl;   /* a relocatable file's (module, .o) */
	Dwarf *dbg;   /* from dwarf_begin_elf, or owned by dwfl */
};

static const char *compression_name(Elf_Scn *scn)
{
	GElf_Chdr chdr;

	if (!gelf_getchdr(scn, &chdr))
		return "an unknown method";
	switch (chdr.ch_type) {
	case ELFCOMPRESS_ZLIB:
		return "zlib";
	case 2: /* ELFCOMPRESS_ZSTD, newer than some elf.h */
		return "zstd";
	default:
		return "an unknown method";
	}
}

/*
 * Decompresses the compressed (SHF_COMPRESSED) .debug sections in memory,
 * as libdw would, to say clearly which method this libelf lacks (zstd
 * came to elfutils after 0.188).
 */
static int decompress_debug(struct reader *r, Elf *elf)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx) != 0)
		return 0;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		const char *name;

		if (!gelf_getshdr(scn, &shdr) ||
		    !(shdr.sh_flags & SHF_COMPRESSED))
			continue;
		name = elf_strptr(elf, shstrndx, shdr.sh_name);
		if (!name || strncmp(name, ".debug", 6) != 0)
			continue;
		if (elf_compress(scn, 0, 0) < 0) {
			say(r, "%s: section %s is compressed with %s, which "
			    "this elfutils cannot decompress (%s); "
			    "'objcopy --decompress-debug-sections' makes a "
			    "copy it can read", r->path, name,
			    compression_name(scn), elf_errmsg(-1));
			return -1;
		}
	}
	return 0;
}

/* No separate debuginfo file is looked for: the DWARF is in the file. */
static int no_debuginfo(Dwfl_Module *mod, void **userdata,
			const char *modname, Dwarf_Addr base,
			const char *file_name, const char *debuglink_file,
			GElf_Word debuglink_crc, char **debuginfo_file_name)
{
	(void)mod; (void)userdata; (void)modname; (void)base; (void)file_name;
	(void)debuglink_file; (void)debuglink_crc; (void)debuginfo_file_name;
	return -1;
}

static const Dwfl_Callbacks offline_callbacks = {
	.find_debuginfo = no_debuginfo,
	.section_address = dwfl_offline_section_address,
};

/* A relocatable file: libdwfl applies .rela.debug_* (libdw alone does not;
 * without them every name of a module would read as the first string). */
static int open_relocated(struct reader *r, struct source *s)
{
	Dwfl_Module *mod;
	Dwarf_Addr bias;

	s->dwfl = dwfl_begin(&offline_callbacks);
	if (!s->dwfl) {
		say(r, "%s: %s", r->path, dwfl_errmsg(-1));
		return -1;
	}
	mod = dwfl_report_offline(s->dwfl, r->path, r->path, -1);
	if (!mod || dwfl_report_end(s->dwfl, NULL, NULL) != 0) {
		say(r, "%s: %s", r->path, dwfl_errmsg(-1));
		return -1;
	}
	s->dbg = dwfl_module_getdwarf(mod, &bias);
	if (!s->dbg) {
		say(r, "%s: no DWARF: %s", r->path, dwfl_errmsg(-1));
		return -1;
	}
	return 0;
}

static int open_source(struct reader *r, struct source *s)
{
	GElf_Ehdr ehdr;

	memset(s, 0, sizeof(*s));
	elf_version(EV_CURRENT);
	s->fd = open(r->path, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0) {
		say(r, "%s: %s", r->path, strerror(errno));
		return -1;
	}
	s->elf = elf_begin(s->fd, ELF_C_READ_MMAP, NULL);
	if (!s->elf || elf_kind(s->elf) != ELF_K_ELF ||
	    !gelf_getehdr(s->elf, &ehdr)) {
		say(r, "%s: not an ELF file", r->path);
		return -1;
	}
	if (decompress_debug(r, s->elf) < 0)
		return -1;
	if (ehdr.e_type == ET_REL)
		return open_relocated(r, s);
	s->dbg = dwarf_begin_elf(s->elf, DWARF_C_READ, NULL);
	if (!s->dbg) {
		say(r, "%s: no DWARF: %s", r->path, dwarf_errmsg(-1));
		return -1;
	}
	return 0;
}

static void close_source(struct source *s)
{
	if (s->dwfl)
		dwfl_end(s->dwfl); /* owns its Dwarf */
	else if (s->dbg)
		dwarf_end(s->dbg);
	if (s->elf)
		elf_end(s->elf);
	if (s->fd >= 0)
		close(s->fd);
}

int mlk_alias_read_dwarf(const char *elf_path, struct mlk_alias_table *into,
			 char *err, size_t errlen)
{
	struct reader r = {
		.t = into, .path = elf_path, .err = err, .errlen = errlen,
	};
	struct source s;
	int rc = -1;

	if (errlen)
		err[0] = '\0';
	if (open_source(&r, &s) == 0)
		rc = walk_units(&r, s.dbg);
	close_source(&s);
	if (r.out_of_memory)
		say(&r, "%s: out of memory (or past the table's limits) after "
		    "%zu types", elf_path, mlk_alias_ntypes(into));
	free(r.name);
	if (mlk_alias_finish(into) < 0)
		rc = -1;
	return rc;
}

/* ---- the build id ------------------------------------------------------ */

/* Looks for NT_GNU_BUILD_ID in one SHT_NOTE section. */
static int note_build_id(Elf_Data *data, unsigned char *id, size_t *len)
{
	size_t off = 0, next, name_off, desc_off;
	GElf_Nhdr nhdr;

	while ((next = gelf_getnote(data, off, &nhdr, &name_off, &desc_off))) {
		const char *note_name = (const char *)data->d_buf + name_off;

		if (nhdr.n_type == NT_GNU_BUILD_ID && nhdr.n_namesz == 4 &&
		    memcmp(note_name, "GNU", 4) == 0) {
			if (nhdr.n_descsz == 0 || nhdr.n_descsz > *len)
				return -1;
			memcpy(id, (const char *)data->d_buf + desc_off,
			       nhdr.n_descsz);
			*len = nhdr.n_descsz;
			return 0;
		}
		off = next;
	}
	return -1;
}

int mlk_alias_build_id(const char *elf_path, unsigned char *id, size_t *len)
{
	Elf_Scn *scn = NULL;
	Elf *elf;
	int fd, rc = -1;

	elf_version(EV_CURRENT);
	fd = open(elf_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	while (rc < 0 && elf && elf_kind(elf) == ELF_K_ELF &&
	       (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		Elf_Data *data;

		if (gelf_getshdr(scn, &shdr) && shdr.sh_type == SHT_NOTE &&
		    (data = elf_getdata(scn, NULL)))
			rc = note_build_id(data, id, len);
	}
	elf_end(elf);
	close(fd);
	return rc;
}
