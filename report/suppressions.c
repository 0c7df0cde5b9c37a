/*
 * suppressions.c - which suppression rules a `memleak` run uses, and the
 * verdict for one orphan (the rules themselves: engine/suppress.c).
 *
 * The rules come from, in this order:
 *   1. the built-in list below: the kernel's own kmemleak_not_leak() and
 *      kmemleak_ignore() sites that a dump cannot show (without
 *      CONFIG_DEBUG_KMEMLEAK nothing records those calls), each with the
 *      kernel function and why;
 *   2. the user's default file: $MEMLEAK_SUPPRESSIONS, or else
 *      ~/.config/kmemleak/suppressions when it exists;
 *   3. every -S FILE, in order.
 * -S none leaves out 1 and 2. A file that cannot be read or has a bad line
 * stops the command before the scan: a half-read list would report what the
 * user meant to silence, or the reverse.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "memleak.h"

#define MAX_SUPP_FILE (1 << 20)   /* bytes: a larger file is refused */

/*
 * Every entry names a function of the allocation stack that made a block
 * the kernel then annotated; each was seen as an orphan on a clean Debian
 * kernel booted with slub_debug=U (README: suppressions).
 */
static const char builtin_rules[] =
	"# kernel/sysctl.c: sysctl_init() (up to 5.15) registers the sysctl\n"
	"# base table and calls kmemleak_not_leak() on its header\n"
	"leak:sysctl_init\n"
	"\n"
	"# kernel/sysctl.c: __register_sysctl_base() (5.17-6.5), called by\n"
	"# sysctl_init_bases(): kmemleak_not_leak() on the header\n"
	"leak:__register_sysctl_base\n"
	"\n"
	"# fs/file_table.c: init_fs_stat_sysctls() (5.17+):\n"
	"# kmemleak_not_leak(register_sysctl_mount_point(\"fs/binfmt_misc\"))\n"
	"leak:init_fs_stat_sysctls\n"
	"\n"
	"# kernel/ucount.c: user_namespace_sysctl_init(): the \"user\" sysctl\n"
	"# directory's header, kmemleak_ignore(user_header)\n"
	"leak:user_namespace_sysctl_init\n";

/* The user's default file, or NULL (its name in buf). */
static const char *default_file(char *buf, size_t bufsz)
{
	const char *env = getenv("MEMLEAK_SUPPRESSIONS"), *home;
	struct stat st;

	if (env && env[0])
		return env;
	home = getenv("HOME");
	if (!home || !home[0])
		return NULL;
	snprintf(buf, bufsz, "%s/.config/kmemleak/suppressions", home);
	return stat(buf, &st) == 0 ? buf : NULL;
}

/* The contents of path (malloc'd, *len bytes), or NULL with a message. */
static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	long size;

	if (!f) {
		error(INFO, "suppressions: cannot open %s: %s\n", path,
		      strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 &&
	    size <= MAX_SUPP_FILE && fseek(f, 0, SEEK_SET) == 0 &&
	    (text = malloc((size_t)size + 1)) != NULL &&
	    fread(text, 1, (size_t)size, f) == (size_t)size) {
		*len = (size_t)size;
		fclose(f);
		return text;
	}
	error(INFO, "suppressions: cannot read %s (larger than %d bytes, or "
	      "not a regular file)\n", path, MAX_SUPP_FILE);
	free(text);
	fclose(f);
	return NULL;
}

static int add_text(struct mlk_supps *s, const char *text, size_t len,
		    const char *source)
{
	char err[256];

	if (mlk_supps_parse(s, text, len, source, err, sizeof(err)) < 0) {
		error(INFO, "suppressions: %s; memleak did not run (fix the "
		      "line, or leave the file out)\n", err);
		return -1;
	}
	return 0;
}

static int add_file(struct mlk_supps *s, const char *path)
{
	size_t len = 0;
	char *text = read_file(path, &len);
	int rc;

	if (!text)
		return -1;
	rc = add_text(s, text, len, path);
	free(text);
	return rc;
}

int mlk_suppressions_load(struct mlk_supps *s, const struct memleak_opts *o)
{
	char buf[4096];
	const char *user;
	int i;

	mlk_supps_free(s);
	if (!o->supp_none) {
		if (add_text(s, builtin_rules, sizeof(builtin_rules) - 1,
			     "built-in") < 0)
			return -1;
		user = default_file(buf, sizeof(buf));
		if (user && add_file(s, user) < 0)
			return -1;
	}
	for (i = 0; i < o->nsupp_files; i++)
		if (add_file(s, o->supp_files[i]) < 0)
			return -1;
	return 0;
}

long mlk_suppression_of(const struct mlk_supps *s, const struct mlk_block *b,
			const char *cache, const mlk_addr_t *frames,
			unsigned nframes)
{
	const char *functions[MLK_MAX_FRAMES], *modules[MLK_MAX_FRAMES];
	struct mlk_supp_subject subj = {
		.functions = functions, .modules = modules,
		.cache = cache, .kind = mlk_kind_name(b->kind),
	};
	unsigned i;

	if (!s->count)
		return -1;
	for (i = 0; i < nframes && i < MLK_MAX_FRAMES; i++)
		mlk_symbol_names(frames[i], &functions[i], &modules[i]);
	subj.nframes = i;
	return mlk_supps_match(s, &subj);
}

void mlk_print_suppressions_used(const struct mlk_supps *s)
{
	uint64_t blocks = 0, bytes = 0;
	size_t i;

	for (i = 0; i < s->count; i++) {
		blocks += s->rule[i].blocks;
		bytes += s->rule[i].bytes;
	}
	if (!s->count) {
		fprintf(fp, "  suppressed:      none (no suppression rules)\n");
		return;
	}
	fprintf(fp, "  suppressed:      %llu orphans (%llu bytes) matched one of "
		"%zu suppression rules (-S none reports them)\n",
		(unsigned long long)blocks, (unsigned long long)bytes, s->count);
	if (!blocks)
		return;
	fprintf(fp, "  suppressions used:\n        blocks        bytes  rule "
		"(where)\n");
	for (i = 0; i < s->count; i++) {
		const struct mlk_supp_rule *r = &s->rule[i];

		if (!r->blocks)
			continue;
		fprintf(fp, "  %12llu %12llu  %s:%s (%s:%u)\n",
			(unsigned long long)r->blocks,
			(unsigned long long)r->bytes,
			mlk_supp_type_name(r->type), r->pattern, r->source,
			r->line);
	}
}
