/*
 * debuginfo.h - what each reader needs from the kernel's debuginfo, asked
 * once per session, before any scan.
 *
 * Every reader declares its questions in one table (struct mlk_needs):
 * member offsets, structure and member sizes, enumerators, array lengths,
 * bit-fields, each with a level:
 *   MLK_REQUIRED  the reader cannot work without it;
 *   MLK_OPTIONAL  a later or configurable field: the answer is -1 when the
 *                 kernel lacks it and the reader copes;
 *   MLK_REFUSED   its *presence* means an allocator behaviour memleak does
 *                 not understand yet: the reader refuses the kernel, naming
 *                 the member and why, instead of misreporting.
 * The entry point (kmemleak.c) hands every reader's table to
 * mlk_debuginfo_prepare() in the order of the phases; each table's derive()
 * then turns the answers into the reader's layout; the readers use only
 * those layouts. There is no question outside a table, and nothing else
 * asks gdb: a question answered after the tables would be a bug (it would
 * reopen the Ctrl-C hole described in debuginfo.c); it would be counted,
 * and the report say so (mlk_debuginfo_late_questions()).
 */
#ifndef MLK_DEBUGINFO_H
#define MLK_DEBUGINFO_H

#include <stddef.h>
#include <stdint.h>

/* The answer of a question the kernel has no answer to. */
#define MLK_NO_ANSWER (-1L)

/* A member offset as the decoders' layouts keep it: -1 when absent. */
static inline int32_t mlk_offset32(long answer)
{
	return answer >= 0 ? (int32_t)answer : -1;
}

enum mlk_question {
	MLK_Q_MEMBER,       /* offset of a.b (a named member) */
	MLK_Q_MEMBER_ANY,   /* offset of a.b, named or inside an anonymous union */
	MLK_Q_SIZE,         /* sizeof(struct a) */
	MLK_Q_MEMBER_SIZE,  /* sizeof(a.b) */
	MLK_Q_ENUM,         /* the value of enumerator a */
	MLK_Q_ARRAY_LEN,    /* the length of the array variable a */
	/*
	 * Bit-field b of a ("union x" or "struct x", with the keyword): its
	 * first bit, counted from the start of a, and its width in bits. No
	 * answer when b is absent or not a bit-field.
	 */
	MLK_Q_BITFIELD_POS,
	MLK_Q_BITFIELD_WIDTH,
};

enum mlk_need_level { MLK_OPTIONAL, MLK_REQUIRED, MLK_REFUSED };

struct mlk_need {
	long *answer;            /* where the answer goes (MLK_NO_ANSWER if none) */
	enum mlk_question q;
	const char *a, *b;       /* type and member, or enumerator / symbol */
	enum mlk_need_level level;
	const char *why;         /* MLK_REFUSED: the behaviour, and since when */
};

#define MLK_NEED(ans, q, a, b, lvl) { ans, q, a, b, lvl, NULL }
#define MLK_MEMBER(ans, type, member, lvl) \
	MLK_NEED(ans, MLK_Q_MEMBER, type, member, lvl)
#define MLK_MEMBER_ANY(ans, type, member, lvl) \
	MLK_NEED(ans, MLK_Q_MEMBER_ANY, type, member, lvl)
#define MLK_SIZE(ans, type, lvl) MLK_NEED(ans, MLK_Q_SIZE, type, NULL, lvl)
#define MLK_MEMBER_SIZE(ans, type, member, lvl) \
	MLK_NEED(ans, MLK_Q_MEMBER_SIZE, type, member, lvl)
#define MLK_ENUM(ans, name, lvl) MLK_NEED(ans, MLK_Q_ENUM, name, NULL, lvl)
#define MLK_ARRAY_LEN(ans, sym, lvl) \
	MLK_NEED(ans, MLK_Q_ARRAY_LEN, sym, NULL, lvl)
#define MLK_BITFIELD_POS(ans, type, member, lvl) \
	MLK_NEED(ans, MLK_Q_BITFIELD_POS, type, member, lvl)
#define MLK_BITFIELD_WIDTH(ans, type, member, lvl) \
	MLK_NEED(ans, MLK_Q_BITFIELD_WIDTH, type, member, lvl)
/* A member whose presence memleak refuses (see MLK_REFUSED). */
#define MLK_REFUSE_MEMBER(type, member, why) \
	{ NULL, MLK_Q_MEMBER, type, member, MLK_REFUSED, why }

struct mlk_needs {
	const char *reader;          /* for messages: "slab caches", ... */
	const struct mlk_need *needs;
	size_t count;
	/*
	 * Called after the answers are in (also when a required one is
	 * missing: missing says how many): the reader derives its layout and
	 * returns 0 when usable, -1 when not. Asks no debuginfo question of
	 * its own; it may call crash functions that ask gdb (they run under
	 * the same Ctrl-C hold), such as finding the dump's CPU notes.
	 */
	int (*derive)(int missing);
	/* memleak cannot run without this reader */
	int essential;
};

#define MLK_COUNT(array) (sizeof(array) / sizeof((array)[0]))

/*
 * Answers every table in order, then seals: 0, or -1 when an essential
 * reader is unusable or a refused member is present (messages printed).
 * Runs once per session; later calls return the first result. Ctrl-C
 * while it runs is held and handed to crash afterwards.
 */
int mlk_debuginfo_prepare(const struct mlk_needs *const *tables, size_t n);
/* Whether mlk_debuginfo_prepare() has succeeded. */
int mlk_debuginfo_ready(void);
/* Questions asked after the seal (each one is a memleak bug). */
unsigned long mlk_debuginfo_late_questions(void);

/*
 * Around gdb requests: a Ctrl-C is noted instead of becoming a gdb quit,
 * and the release hands a noted one to crash's restart() (no return). The
 * hold nests; memleak's CLEANUP hook calls mlk_gdb_hold_reset().
 */
void mlk_gdb_hold_sigint(void);
void mlk_gdb_release_sigint(void);
void mlk_gdb_hold_reset(void);

#endif /* MLK_DEBUGINFO_H */
