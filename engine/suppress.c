/*
 * suppress.c - parsing and matching suppression rules (suppress.h).
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suppress.h"

#define MAX_RULE_LINE 4096   /* a longer line is refused, not cut */

static const char *const type_names[] = {
	[MLK_SUPP_LEAK] = "leak",
	[MLK_SUPP_CACHE] = "cache",
	[MLK_SUPP_KIND] = "kind",
};

const char *mlk_supp_type_name(enum mlk_supp_type type)
{
	return type_names[type];
}

static int type_by_name(const char *name, size_t len, enum mlk_supp_type *type)
{
	size_t t;

	for (t = 0; t < sizeof(type_names) / sizeof(type_names[0]); t++)
		if (strlen(type_names[t]) == len &&
		    memcmp(type_names[t], name, len) == 0) {
			*type = (enum mlk_supp_type)t;
			return 0;
		}
	return -1;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* [*start, *end) without the spaces around it. */
static void trim(const char **start, const char **end)
{
	while (*start < *end && is_space(**start))
		(*start)++;
	while (*end > *start && is_space((*end)[-1]))
		(*end)--;
}

static char *copy_of(const char *start, size_t len)
{
	char *s = malloc(len + 1);

	if (s) {
		memcpy(s, start, len);
		s[len] = '\0';
	}
	return s;
}

/* Appends the comment text [start, end) to *why (lines joined by "; "). */
static int add_why(char **why, const char *start, const char *end)
{
	size_t old = *why ? strlen(*why) : 0, len = (size_t)(end - start);
	char *s = realloc(*why, old + len + 3);

	if (!s)
		return -1;
	if (old)
		memcpy(s + old, "; ", 2), old += 2;
	memcpy(s + old, start, len);
	s[old + len] = '\0';
	*why = s;
	return 0;
}

static void free_rule(struct mlk_supp_rule *r)
{
	free(r->pattern);
	free(r->why);
}

static int grow(struct mlk_supps *s, size_t need)
{
	struct mlk_supp_rule *r;
	size_t cap = s->cap ? s->cap : 16;

	if (need <= s->cap)
		return 0;
	while (cap < need)
		cap *= 2;
	r = realloc(s->rule, cap * sizeof(*r));
	if (!r)
		return -1;
	s->rule = r;
	s->cap = cap;
	return 0;
}

/*
 * One rule line [start, end), trimmed and not a comment, into *rule.
 * Returns 0, or -1 with the reason in err.
 */
static int parse_rule(const char *start, const char *end,
		      struct mlk_supp_rule *rule, char *err, size_t errsz)
{
	const char *colon = memchr(start, ':', (size_t)(end - start));
	const char *pat;

	if (!colon) {
		snprintf(err, errsz, "not \"type:pattern\" (type leak, cache "
			 "or kind)");
		return -1;
	}
	if (type_by_name(start, (size_t)(colon - start), &rule->type) < 0) {
		snprintf(err, errsz, "unknown type \"%.*s\" (leak, cache or "
			 "kind)", (int)(colon - start > 32 ? 32 : colon - start),
			 start);
		return -1;
	}
	pat = colon + 1;
	trim(&pat, &end);
	if (pat == end) {
		snprintf(err, errsz, "empty pattern");
		return -1;
	}
	rule->pattern = copy_of(pat, (size_t)(end - pat));
	if (!rule->pattern) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	return 0;
}

static const char *remember_source(struct mlk_supps *s, const char *source)
{
	char **v = realloc(s->sources, (s->nsources + 1) * sizeof(*v));

	if (!v)
		return NULL;
	s->sources = v;
	v[s->nsources] = copy_of(source, strlen(source));
	return v[s->nsources] ? v[s->nsources++] : NULL;
}

long mlk_supps_parse(struct mlk_supps *s, const char *text, size_t len,
		     const char *source, char *err, size_t errsz)
{
	const char *p = text, *end = text + len, *name;
	size_t first = s->count;
	unsigned line = 0;
	int why_used = 0;   /* a rule follows the comment block in why */
	char *why = NULL, msg[160];

	name = remember_source(s, source);
	if (!name) {
		snprintf(err, errsz, "%s: out of memory", source);
		return -1;
	}
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *a = p, *b = eol ? eol : end;
		struct mlk_supp_rule rule = { 0 };

		line++;
		p = eol ? eol + 1 : end;
		if (b - a > MAX_RULE_LINE || memchr(a, '\0', (size_t)(b - a))) {
			snprintf(msg, sizeof(msg), "line too long or not text");
			goto bad;
		}
		trim(&a, &b);
		if (a == b) {          /* a blank line ends a comment */
			free(why);
			why = NULL;
			why_used = 0;
			continue;
		}
		if (*a == '#') {
			a++;
			trim(&a, &b);
			if (why_used) {     /* a new comment block */
				free(why);
				why = NULL;
				why_used = 0;
			}
			if (a < b && add_why(&why, a, b) < 0) {
				snprintf(msg, sizeof(msg), "out of memory");
				goto bad;
			}
			continue;
		}
		if (parse_rule(a, b, &rule, msg, sizeof(msg)) < 0)
			goto bad;
		if (grow(s, s->count + 1) < 0) {
			free_rule(&rule);
			snprintf(msg, sizeof(msg), "out of memory");
			goto bad;
		}
		/* the comment block above names the why of every rule
		 * under it, up to a blank line */
		rule.why = copy_of(why ? why : "", why ? strlen(why) : 0);
		if (!rule.why) {
			free_rule(&rule);
			snprintf(msg, sizeof(msg), "out of memory");
			goto bad;
		}
		why_used = 1;
		rule.source = name;
		rule.line = line;
		s->rule[s->count++] = rule;
	}
	free(why);
	return (long)(s->count - first);
bad:
	snprintf(err, errsz, "%s:%u: %s", source, line, msg);
	free(why);
	while (s->count > first)
		free_rule(&s->rule[--s->count]);
	return -1;
}

static int glob_matches(const char *pattern, const char *name)
{
	return name && name[0] && fnmatch(pattern, name, 0) == 0;
}

static int rule_matches(const struct mlk_supp_rule *r,
			const struct mlk_supp_subject *subj)
{
	unsigned i;

	switch (r->type) {
	case MLK_SUPP_LEAK:
		for (i = 0; i < subj->nframes; i++) {
			if (subj->functions &&
			    glob_matches(r->pattern, subj->functions[i]))
				return 1;
			if (subj->modules &&
			    glob_matches(r->pattern, subj->modules[i]))
				return 1;
		}
		return 0;
	case MLK_SUPP_CACHE:
		return glob_matches(r->pattern, subj->cache);
	case MLK_SUPP_KIND:
		return glob_matches(r->pattern, subj->kind);
	}
	return 0;
}

long mlk_supps_match(const struct mlk_supps *s,
		     const struct mlk_supp_subject *subj)
{
	size_t i;

	for (i = 0; i < s->count; i++)
		if (rule_matches(&s->rule[i], subj))
			return (long)i;
	return -1;
}

void mlk_supps_reset_counts(struct mlk_supps *s)
{
	size_t i;

	for (i = 0; i < s->count; i++)
		s->rule[i].blocks = s->rule[i].bytes = 0;
}

void mlk_supps_free(struct mlk_supps *s)
{
	size_t i;

	for (i = 0; i < s->count; i++)
		free_rule(&s->rule[i]);
	for (i = 0; i < s->nsources; i++)
		free(s->sources[i]);
	free(s->rule);
	free(s->sources);
	memset(s, 0, sizeof(*s));
}
