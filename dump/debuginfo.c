/*
 * debuginfo.c - the answers to every reader's debuginfo questions (member
 * offsets, sizes, enumerators), asked once per session before any scan;
 * see debuginfo.h for the tables and their levels.
 *
 * Resolution happens the first time `memleak` runs, not when the extension
 * loads: a kernel that lacks something still gets the command, and a clear
 * message saying what is missing.
 */
#include "defs.h"
#include "debuginfo.h"

/* ---- debuginfo answers, asked once per session -------------------------------- */

/*
 * Every MEMBER_OFFSET, STRUCT_SIZE, enumerator, array-length or bit-field
 * question is a gdb request, and crash installs gdb's SIGINT handler for
 * the length of each one (gdb_interface.c; so do crash calls that ask gdb
 * themselves, such as netdump_get_prstatus_percpu() through
 * get_cpus_online()). A Ctrl-C landing there only sets gdb's quit flag:
 * crash's restart() never runs, the scan runs on, and the flag makes the
 * user's next gdb request fail. So each question is asked once per session
 * and its answer kept; the readers' tables are answered while
 * mlk_debuginfo_prepare() runs, before any scan, and while they are, gdb's
 * handler is swapped for one that only notes the Ctrl-C: once the
 * questions are answered, a noted Ctrl-C goes to crash's restart(), as if
 * it had come a moment later (back to the prompt; the CLEANUP hook frees
 * the run).
 */
static volatile sig_atomic_t held_sigint;
static void (*gdb_sigint_handler)(int);
static int hold_depth;

static void note_sigint(int sig)
{
	(void)sig;
	held_sigint = 1;
}

void mlk_gdb_hold_sigint(void)
{
	if (hold_depth++ == 0) {
		held_sigint = 0;
		gdb_sigint_handler = pc->gdb_sigaction.sa_handler;
		pc->gdb_sigaction.sa_handler = note_sigint;
	}
}

/* After a command ended by a longjmp (error, Ctrl-C) inside a hold. */
void mlk_gdb_hold_reset(void)
{
	if (hold_depth > 0) {
		pc->gdb_sigaction.sa_handler = gdb_sigint_handler;
		hold_depth = 0;
		held_sigint = 0;
	}
}

/*
 * Ends one level of the hold. A Ctrl-C noted meanwhile does not wait for
 * the outermost level (the whole layout resolution): every hold is closed
 * and it goes to restart() at once. Callers keep each answer before the
 * release, so nothing learnt is lost.
 */
void mlk_gdb_release_sigint(void)
{
	if (hold_depth == 0)
		return;
	if (held_sigint) {
		mlk_gdb_hold_reset();
		restart(SIGINT);
	}
	if (--hold_depth == 0)
		pc->gdb_sigaction.sa_handler = gdb_sigint_handler;
}
/* ---- the answers, cached ------------------------------------------------ */

struct answer {
	const char *a, *b;   /* string literals of the tables */
	enum mlk_question q;
	long value;
};

static struct answer *answers;
static size_t nanswers, answers_cap;
static int sealed;                   /* the tables have run */
static unsigned long late_questions; /* asked after the seal: bugs */
static int prepared = -2;            /* -2: not yet; then the result */

static long ask_gdb(enum mlk_question q, const char *a, const char *b)
{
	long v;

	switch (q) {
	case MLK_Q_MEMBER:
		return MEMBER_OFFSET((char *)a, (char *)b);
	case MLK_Q_MEMBER_ANY:
		v = MEMBER_OFFSET((char *)a, (char *)b);
		return v >= 0 ? v : ANON_MEMBER_OFFSET((char *)a, (char *)b);
	case MLK_Q_SIZE:
		return STRUCT_SIZE((char *)a);
	case MLK_Q_MEMBER_SIZE:
		return MEMBER_SIZE((char *)a, (char *)b);
	case MLK_Q_ENUM:
		/* no enumerator memleak reads is negative */
		return enumerator_value((char *)a, &v) && v >= 0 ? v :
			MLK_NO_ANSWER;
	case MLK_Q_ARRAY_LEN:
		v = get_array_length((char *)a, NULL, 0);
		return v > 0 ? v : MLK_NO_ANSWER;
	case MLK_Q_BITFIELD_POS:
	case MLK_Q_BITFIELD_WIDTH:
		break; /* ask_bitfield() */
	}
	return MLK_NO_ANSWER;
}

/*
 * The first bit and width of bit-field member of type, asked of gdb with
 * crash's printm ("type unsigned_type length offset bitpos bitsize"), as
 * crash's own fill_struct_member_data() does for struct members (printm
 * also answers for unions). MLK_NO_ANSWER in both when the member is
 * absent or not a bit-field (bitsize 0).
 */
static void ask_bitfield(const char *type, const char *member, long *pos,
			 long *width)
{
	char cmd[BUFSIZE], line[BUFSIZE];
	long v[6];
	int ok = 0;

	*pos = *width = MLK_NO_ANSWER;
	snprintf(cmd, sizeof(cmd), "printm ((%s *)0x0).%s", type, member);
	open_tmpfile2();
	if (gdb_pass_through(cmd, pc->tmpfile2, GNU_RETURN_ON_ERROR)) {
		rewind(pc->tmpfile2);
		ok = fgets(line, sizeof(line), pc->tmpfile2) &&
		     sscanf(line, "%ld %ld %ld %ld %ld %ld", &v[0], &v[1], &v[2],
			    &v[3], &v[4], &v[5]) == 6 &&
		     v[4] >= 0 && v[5] > 0;
	}
	close_tmpfile2();
	if (ok) {
		*pos = v[4];
		*width = v[5];
	}
}

static const struct answer *cached(enum mlk_question q, const char *a,
				   const char *b)
{
	size_t i;

	for (i = 0; i < nanswers; i++)
		if (answers[i].q == q && !strcmp(answers[i].a, a) &&
		    !strcmp(answers[i].b, b))
			return &answers[i];
	return NULL;
}

/* Kept so that the same question from two tables goes to gdb once. */
static void keep(enum mlk_question q, const char *a, const char *b, long v)
{
	size_t cap = answers_cap;
	struct answer *grown;

	if (nanswers == answers_cap) {
		cap = cap ? cap * 2 : 256;
		grown = realloc(answers, cap * sizeof(*answers));
		if (!grown) {
			error(INFO, "memleak: out of memory caching debuginfo "
			      "answers: the same question may be asked again\n");
			return;
		}
		answers = grown;
		answers_cap = cap;
	}
	answers[nanswers++] = (struct answer){ a, b, q, v };
}

static int is_bitfield_question(enum mlk_question q)
{
	return q == MLK_Q_BITFIELD_POS || q == MLK_Q_BITFIELD_WIDTH;
}

/* One gdb request; a bit-field's one printm answers both its questions. */
static long ask_and_keep(enum mlk_question q, const char *a, const char *b)
{
	long v, pos, width;

	if (!is_bitfield_question(q)) {
		v = ask_gdb(q, a, b);
		keep(q, a, b, v);
		return v;
	}
	ask_bitfield(a, b, &pos, &width);
	keep(MLK_Q_BITFIELD_POS, a, b, pos);
	keep(MLK_Q_BITFIELD_WIDTH, a, b, width);
	return q == MLK_Q_BITFIELD_POS ? pos : width;
}

static long answer(enum mlk_question q, const char *a, const char *b)
{
	const struct answer *c;
	long v;

	b = b ? b : "";
	c = cached(q, a, b);
	if (c)
		return c->value;
	if (sealed)
		late_questions++;
	mlk_gdb_hold_sigint();
	v = ask_and_keep(q, a, b);
	mlk_gdb_release_sigint();
	return v;
}

/* ---- the tables ------------------------------------------------------------ */

static const char *question_text(const struct mlk_need *n, char *buf,
				 size_t bufsz)
{
	switch (n->q) {
	case MLK_Q_SIZE:
		snprintf(buf, bufsz, "struct %s", n->a);
		break;
	case MLK_Q_ENUM:
		snprintf(buf, bufsz, "enumerator %s", n->a);
		break;
	case MLK_Q_ARRAY_LEN:
		snprintf(buf, bufsz, "array %s", n->a);
		break;
	case MLK_Q_BITFIELD_POS:
	case MLK_Q_BITFIELD_WIDTH:
		snprintf(buf, bufsz, "bit-field %s.%s (%s)", n->a, n->b,
			 n->q == MLK_Q_BITFIELD_POS ? "position" : "width");
		break;
	default:
		snprintf(buf, bufsz, "%s.%s", n->a, n->b);
		break;
	}
	return buf;
}

/*
 * One table: the answers, then derive(). Returns 0 when the reader is
 * usable, -1 when not, -2 when it refuses this kernel.
 */
static int resolve_table(const struct mlk_needs *t)
{
	int missing = 0, refused = 0;
	char text[160];
	size_t i;

	for (i = 0; i < t->count; i++) {
		const struct mlk_need *n = &t->needs[i];
		long v = answer(n->q, n->a, n->b);

		if (n->answer)
			*n->answer = v;
		if (n->level == MLK_REFUSED && v != MLK_NO_ANSWER) {
			error(INFO, "%s: this kernel has %s: %s; not "
			      "supported yet\n", t->reader,
			      question_text(n, text, sizeof(text)), n->why);
			refused++;
		} else if (n->level == MLK_REQUIRED && v == MLK_NO_ANSWER) {
			if (t->essential || CRASHDEBUG(1))
				error(INFO, "%s: %s not found in this kernel's "
				      "debuginfo\n", t->reader,
				      question_text(n, text, sizeof(text)));
			missing++;
		} else if (v == MLK_NO_ANSWER && CRASHDEBUG(1)) {
			error(INFO, "%s: %s not found (optional)\n", t->reader,
			      question_text(n, text, sizeof(text)));
		}
	}
	if (refused)
		return -2;
	if (t->derive)
		return t->derive(missing) < 0 ? -1 : 0;
	return missing ? -1 : 0;
}

int mlk_debuginfo_prepare(const struct mlk_needs *const *tables, size_t n)
{
	int bad = 0;
	size_t i;

	if (prepared != -2)
		return prepared;
	mlk_gdb_hold_sigint();
	for (i = 0; i < n; i++) {
		int rc = resolve_table(tables[i]);

		if (rc == -2 || (rc < 0 && tables[i]->essential))
			bad = 1;
		if (CRASHDEBUG(1))
			fprintf(fp, "memleak: debuginfo: %s %s\n",
				tables[i]->reader, rc == 0 ? "usable" :
				rc == -2 ? "refuses this kernel" : "unusable");
	}
	sealed = 1;
	prepared = bad ? -1 : 0;
	mlk_gdb_release_sigint();
	if (bad)
		error(INFO, "this kernel's layout is not supported "
		      "(see the messages above)\n");
	return prepared;
}

int mlk_debuginfo_ready(void)
{
	return prepared == 0;
}

unsigned long mlk_debuginfo_late_questions(void)
{
	return late_questions;
}
