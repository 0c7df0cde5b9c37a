/*
 * jsonl_read.c - memleak's JSON Lines read back (jsonl_read.h): a
 * recursive-descent JSON parser over one line, bounded in depth, that keeps
 * only the fields `memleak -d` compares and validates the rest.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl_read.h"

enum { OK = 0, BAD = 1, NOMEM = -1 };

struct cursor {
	const char *p, *end;
	unsigned depth;
	const char *why;             /* the first reason the line is bad */
};

/* The fields of one line that -d uses, whatever its record. */
struct line {
	char *record;
	long schema;
	int have_schema;
	char *tool, *kernel_release, *dump;
	int have_id;
	unsigned counts;             /* COUNT_* seen */
	struct mlk_jsonl_group g;
	int have_orphans;
	uint64_t reported, reported_bytes;
};

enum { COUNT_DIRECT = 1, COUNT_INDIRECT = 2, COUNT_BYTES = 4, COUNT_ALL = 7 };

static int fail(struct cursor *c, const char *why)
{
	if (!c->why)
		c->why = why;
	return BAD;
}

static void skip_ws(struct cursor *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' ||
				 *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

/* The next non-blank character is ch: consume it. */
static int expect(struct cursor *c, char ch)
{
	skip_ws(c);
	if (c->p >= c->end || *c->p != ch)
		return 0;
	c->p++;
	return 1;
}

static int hex_value(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* n hex digits at s as a number, or -1. */
static long hex_digits(const char *s, unsigned n)
{
	long v = 0;
	unsigned i;

	for (i = 0; i < n; i++) {
		int d = hex_value(s[i]);

		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* A string's raw text between its quotes, escapes checked, not decoded. */
static int string_span(struct cursor *c, const char **s, size_t *n)
{
	if (!expect(c, '"'))
		return fail(c, "a string was expected");
	*s = c->p;
	while (c->p < c->end && *c->p != '"') {
		unsigned char ch = (unsigned char)*c->p;

		if (ch < 0x20)
			return fail(c, "a control character in a string");
		if (ch != '\\') {
			c->p++;
			continue;
		}
		if (c->end - c->p < 2)
			return fail(c, "a string is cut");
		if (c->p[1] == 'u') {
			if (c->end - c->p < 6 || hex_digits(c->p + 2, 4) < 0)
				return fail(c, "a bad \\u escape");
			c->p += 6;
		} else if (c->p[1] && strchr("\"\\/bfnrt", c->p[1])) {
			c->p += 2;
		} else {
			return fail(c, "a bad escape in a string");
		}
	}
	if (c->p >= c->end)
		return fail(c, "a string is not closed");
	*n = (size_t)(c->p - *s);
	c->p++;
	return OK;
}

/* Code point u as UTF-8 at out; bytes written. Our writer escapes the
 * dump's bytes >= 0x7f as \u00XX: those come back as the byte. */
static size_t put_code(char *out, unsigned u)
{
	if (u < 0x100) {
		out[0] = (char)u;
		return 1;
	}
	if (u < 0x800) {
		out[0] = (char)(0xc0 | u >> 6);
		out[1] = (char)(0x80 | (u & 0x3f));
		return 2;
	}
	out[0] = (char)(0xe0 | u >> 12);
	out[1] = (char)(0x80 | ((u >> 6) & 0x3f));
	out[2] = (char)(0x80 | (u & 0x3f));
	return 3;
}

static char unescape(char ch)
{
	switch (ch) {
	case 'b': return '\b';
	case 'f': return '\f';
	case 'n': return '\n';
	case 'r': return '\r';
	case 't': return '\t';
	}
	return ch;   /* " \ / */
}

/* The checked raw text s (n bytes) decoded into a new C string; a \u0000
 * (no C string can hold it) makes the line bad. */
static int decode(struct cursor *c, const char *s, size_t n, char **out)
{
	char *d = malloc(n + 1);  /* no escape decodes longer than itself */
	size_t i = 0, k = 0;

	if (!d)
		return NOMEM;
	while (i < n) {
		if (s[i] != '\\') {
			d[k++] = s[i++];
		} else if (s[i + 1] != 'u') {
			d[k++] = unescape(s[i + 1]);
			i += 2;
		} else {
			long u = hex_digits(s + i + 2, 4);

			if (u == 0) {
				free(d);
				return fail(c, "a \\u0000 in a string");
			}
			k += put_code(d + k, (unsigned)u);
			i += 6;
		}
	}
	d[k] = '\0';
	*out = d;
	return OK;
}

static int literal(struct cursor *c, const char *word)
{
	size_t n = strlen(word);

	skip_ws(c);
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0)
		return 0;
	c->p += n;
	return 1;
}

/* A string or null (*out = NULL) into *out, replacing what it held. */
static int parse_string(struct cursor *c, char **out)
{
	const char *s;
	size_t n;
	char *v = NULL;
	int rc;

	if (!literal(c, "null")) {
		rc = string_span(c, &s, &n);
		if (rc == OK)
			rc = decode(c, s, n, &v);
		if (rc != OK)
			return rc;
	}
	free(*out);
	*out = v;
	return OK;
}

static int is_digit(const struct cursor *c)
{
	return c->p < c->end && *c->p >= '0' && *c->p <= '9';
}

static void skip_digits(struct cursor *c)
{
	while (is_digit(c))
		c->p++;
}

/* A whole number >= 0 that fits 64 bits: every count memleak writes. */
static int parse_u64(struct cursor *c, uint64_t *v)
{
	uint64_t x = 0;

	skip_ws(c);
	if (!is_digit(c))
		return fail(c, "a count is not a number >= 0");
	if (*c->p == '0' && c->p + 1 < c->end && c->p[1] >= '0' &&
	    c->p[1] <= '9')
		return fail(c, "a number with a leading zero");
	for (; is_digit(c); c->p++) {
		unsigned d = (unsigned)(*c->p - '0');

		if (x > (UINT64_MAX - d) / 10)
			return fail(c, "a count beyond 64 bits");
		x = x * 10 + d;
	}
	if (c->p < c->end && *c->p && strchr(".eE", *c->p))
		return fail(c, "a count is not a whole number");
	*v = x;
	return OK;
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? (RFC 8259, 6). */
static int skip_number(struct cursor *c)
{
	if (c->p < c->end && *c->p == '-')
		c->p++;
	if (!is_digit(c))
		return fail(c, "a bad number");
	if (*c->p == '0')
		c->p++;
	else
		skip_digits(c);
	if (c->p < c->end && *c->p == '.') {
		c->p++;
		if (!is_digit(c))
			return fail(c, "a bad fraction");
		skip_digits(c);
	}
	if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
		c->p++;
		if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
			c->p++;
		if (!is_digit(c))
			return fail(c, "a bad exponent");
		skip_digits(c);
	}
	return OK;
}

/* A member function consumes the value of a key it knows, or returns
 * UNKNOWN_KEY to have it skipped. */
#define UNKNOWN_KEY 2
typedef int (*member_fn)(struct cursor *c, void *ctx, const char *key,
			 size_t keylen);
typedef int (*element_fn)(struct cursor *c, void *ctx);

static int skip_value(struct cursor *c);

static int enter(struct cursor *c, char open)
{
	if (!expect(c, open))
		return fail(c, open == '{' ? "an object was expected" :
			    "an array was expected");
	if (++c->depth > MLK_JSONL_MAX_DEPTH)
		return fail(c, "nested too deep");
	return OK;
}

/* An object; each member's value goes to fn (NULL: skipped). */
static int parse_object(struct cursor *c, member_fn fn, void *ctx)
{
	const char *key;
	size_t keylen;
	int rc = enter(c, '{');

	if (rc != OK)
		return rc;
	if (expect(c, '}')) {
		c->depth--;
		return OK;
	}
	do {
		rc = string_span(c, &key, &keylen);
		if (rc == OK && !expect(c, ':'))
			rc = fail(c, "a ':' was expected");
		if (rc == OK)
			rc = fn ? fn(c, ctx, key, keylen) : UNKNOWN_KEY;
		if (rc == UNKNOWN_KEY)
			rc = skip_value(c);
		if (rc != OK)
			return rc;
	} while (expect(c, ','));
	if (!expect(c, '}'))
		return fail(c, "a ',' or '}' was expected");
	c->depth--;
	return OK;
}

/* An array; each element goes to fn (NULL: skipped). */
static int parse_array(struct cursor *c, element_fn fn, void *ctx)
{
	int rc = enter(c, '[');

	if (rc != OK)
		return rc;
	if (expect(c, ']')) {
		c->depth--;
		return OK;
	}
	do {
		rc = fn ? fn(c, ctx) : skip_value(c);
		if (rc != OK)
			return rc;
	} while (expect(c, ','));
	if (!expect(c, ']'))
		return fail(c, "a ',' or ']' was expected");
	c->depth--;
	return OK;
}

static int skip_value(struct cursor *c)
{
	const char *s;
	size_t n;

	skip_ws(c);
	if (c->p >= c->end)
		return fail(c, "a value was expected");
	switch (*c->p) {
	case '{': return parse_object(c, NULL, NULL);
	case '[': return parse_array(c, NULL, NULL);
	case '"': return string_span(c, &s, &n);
	}
	if (*c->p == '-' || is_digit(c))
		return skip_number(c);
	if (literal(c, "true") || literal(c, "false") || literal(c, "null"))
		return OK;
	return fail(c, "not a JSON value");
}

/* An array, or null (read as an empty one). */
static int array_or_null(struct cursor *c, element_fn fn, void *ctx)
{
	return literal(c, "null") ? OK : parse_array(c, fn, ctx);
}

static int key_is(const char *key, size_t keylen, const char *name)
{
	return keylen == strlen(name) && memcmp(key, name, keylen) == 0;
}

/* "caches": names kept up to MLK_JSONL_MAX_CACHES, the rest checked. */
static int cache_element(struct cursor *c, void *ctx)
{
	struct mlk_jsonl_group *g = ctx;
	char *name = NULL;
	int rc = parse_string(c, &name);

	if (rc == OK && g->ncaches < MLK_JSONL_MAX_CACHES)
		g->caches[g->ncaches++] = name;
	else
		free(name);
	return rc;
}

static int frame_member(struct cursor *c, void *ctx, const char *key,
			size_t keylen)
{
	struct mlk_jsonl_group *g = ctx;

	if (!key_is(key, keylen, "function"))
		return UNKNOWN_KEY;
	return parse_string(c, &g->functions[g->nframes]);
}

/* "stack": each frame's "function", up to MLK_JSONL_MAX_FRAMES. */
static int frame_element(struct cursor *c, void *ctx)
{
	struct mlk_jsonl_group *g = ctx;
	int rc;

	if (g->nframes == MLK_JSONL_MAX_FRAMES)
		return parse_object(c, NULL, NULL);
	rc = parse_object(c, frame_member, g);
	g->nframes++;   /* its function freed with the group, set or not */
	return rc;
}

static void free_names(char **names, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		free(names[i]);
		names[i] = NULL;
	}
}

static int orphans_member(struct cursor *c, void *ctx, const char *key,
			  size_t keylen)
{
	struct line *l = ctx;

	if (key_is(key, keylen, "reported"))
		return parse_u64(c, &l->reported);
	if (key_is(key, keylen, "bytes"))
		return parse_u64(c, &l->reported_bytes);
	return UNKNOWN_KEY;
}

/* "id": exactly 16 hex digits, as memleak writes them. */
static int parse_id(struct cursor *c, struct line *l)
{
	const char *s;
	size_t n, i;
	int rc = string_span(c, &s, &n);

	if (rc != OK)
		return rc;
	if (n != 16)
		return fail(c, "a group id is not 16 hex digits");
	l->g.id = 0;
	for (i = 0; i < n; i++) {
		int d = hex_value(s[i]);

		if (d < 0)
			return fail(c, "a group id is not 16 hex digits");
		l->g.id = l->g.id << 4 | (uint64_t)d;
	}
	l->have_id = 1;
	return OK;
}

static int count_member(struct cursor *c, struct line *l, uint64_t *v,
			unsigned bit)
{
	l->counts |= bit;
	return parse_u64(c, v);
}

/* The group record's members. */
static int group_member(struct cursor *c, struct line *l, const char *key,
			size_t keylen)
{
	struct mlk_jsonl_group *g = &l->g;

	if (key_is(key, keylen, "id"))
		return parse_id(c, l);
	if (key_is(key, keylen, "key"))
		return parse_string(c, &g->key);
	if (key_is(key, keylen, "kind"))
		return parse_string(c, &g->kind);
	if (key_is(key, keylen, "direct"))
		return count_member(c, l, &g->direct, COUNT_DIRECT);
	if (key_is(key, keylen, "indirect"))
		return count_member(c, l, &g->indirect, COUNT_INDIRECT);
	if (key_is(key, keylen, "bytes"))
		return count_member(c, l, &g->bytes, COUNT_BYTES);
	if (key_is(key, keylen, "caches")) {
		free_names(g->caches, g->ncaches);
		g->ncaches = 0;
		return array_or_null(c, cache_element, g);
	}
	if (key_is(key, keylen, "stack")) {   /* null: no allocation record */
		free_names(g->functions, g->nframes);
		g->nframes = 0;
		return array_or_null(c, frame_element, g);
	}
	return UNKNOWN_KEY;
}

/* The run and summary records' members, then the group record's. */
static int line_member(struct cursor *c, void *ctx, const char *key,
		       size_t keylen)
{
	struct line *l = ctx;
	uint64_t v = 0;
	int rc;

	if (key_is(key, keylen, "record"))
		return parse_string(c, &l->record);
	if (key_is(key, keylen, "schema")) {
		rc = parse_u64(c, &v);
		if (rc == OK && v > LONG_MAX)
			rc = fail(c, "a schema number beyond range");
		l->schema = (long)v;
		l->have_schema = rc == OK;
		return rc;
	}
	if (key_is(key, keylen, "tool"))
		return parse_string(c, &l->tool);
	if (key_is(key, keylen, "kernel_release"))
		return parse_string(c, &l->kernel_release);
	if (key_is(key, keylen, "dump"))
		return parse_string(c, &l->dump);
	if (key_is(key, keylen, "orphans")) {
		l->have_orphans = 1;
		return parse_object(c, orphans_member, l);
	}
	return group_member(c, l, key, keylen);
}

static void group_free(struct mlk_jsonl_group *g)
{
	free(g->key);
	free(g->kind);
	free_names(g->caches, g->ncaches);
	free_names(g->functions, g->nframes);
	memset(g, 0, sizeof(*g));
}

static void line_free(struct line *l)
{
	free(l->record);
	free(l->tool);
	free(l->kernel_release);
	free(l->dump);
	group_free(&l->g);
}

/* Move the line's strings that the report keeps into it. */
static void take(char **to, char **from)
{
	free(*to);
	*to = *from;
	*from = NULL;
}

static int add_group(struct mlk_jsonl_report *rep, struct line *l)
{
	if (rep->ngroups == rep->groups_cap) {
		size_t cap = rep->groups_cap ? 2 * rep->groups_cap : 64;
		void *grown = realloc(rep->groups, cap * sizeof(*rep->groups));

		if (!grown)
			return NOMEM;
		rep->groups = grown;
		rep->groups_cap = cap;
	}
	l->g.line = rep->lines;
	rep->groups[rep->ngroups++] = l->g;
	memset(&l->g, 0, sizeof(l->g));
	return OK;
}

/* What a well-formed line says, by its record; other records ignored. */
static int keep_line(struct mlk_jsonl_report *rep, struct cursor *c,
		     struct line *l)
{
	if (!l->record)
		return fail(c, "no \"record\" field");
	if (strcmp(l->record, "run") == 0) {
		if (rep->run_line)
			return fail(c, "a second run record (two files in one?)");
		if (!l->have_schema)
			return fail(c, "a run record without a schema");
		rep->run_line = rep->lines;
		rep->schema = l->schema;
		take(&rep->tool, &l->tool);
		take(&rep->kernel_release, &l->kernel_release);
		take(&rep->dump, &l->dump);
	} else if (strcmp(l->record, "group") == 0) {
		if (!l->have_id || !l->g.key || l->counts != COUNT_ALL)
			return fail(c, "a group record without its id, key "
				    "or counts");
		return add_group(rep, l);
	} else if (strcmp(l->record, "summary") == 0) {
		if (!l->have_orphans)
			return fail(c, "a summary record without orphans");
		rep->have_summary = 1;
		rep->reported = l->reported;
		rep->reported_bytes = l->reported_bytes;
	}
	return OK;
}

static void note_bad(struct mlk_jsonl_report *rep, const char *why)
{
	if (!rep->first_bad_line) {
		rep->first_bad_line = rep->lines;
		rep->first_bad_why = why;
	}
}

int mlk_jsonl_parse_line(struct mlk_jsonl_report *rep, const char *line,
			 size_t len)
{
	struct cursor c = { .p = line, .end = line + len };
	struct line l = { 0 };
	int rc = parse_object(&c, line_member, &l);

	if (rc == OK) {
		skip_ws(&c);
		if (c.p != c.end)
			rc = fail(&c, "text after the object");
	}
	if (rc == OK)
		rc = keep_line(rep, &c, &l);
	line_free(&l);
	if (rc == BAD) {
		rep->malformed++;
		note_bad(rep, c.why);
	}
	return rc;
}

static int blank(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t' || *s == '\r')) {
		s++;
		n--;
	}
	return n == 0;
}

/* A line's bytes in a buffer that grows up to MLK_JSONL_MAX_LINE. */
struct line_buf {
	char *text;
	size_t len, cap;
	int too_long;
};

static int append(struct line_buf *b, char ch)
{
	if (b->len == MLK_JSONL_MAX_LINE) {
		b->too_long = 1;
		return OK;
	}
	if (b->len == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 4096;
		char *grown;

		if (cap > MLK_JSONL_MAX_LINE)
			cap = MLK_JSONL_MAX_LINE;
		grown = realloc(b->text, cap);
		if (!grown)
			return NOMEM;
		b->text = grown;
		b->cap = cap;
	}
	b->text[b->len++] = ch;
	return OK;
}

static int end_line(struct mlk_jsonl_report *rep, struct line_buf *b)
{
	int rc = OK;

	rep->lines++;
	if (b->too_long) {
		rep->too_long++;
		note_bad(rep, "a line longer than the limit");
	} else if (!blank(b->text, b->len)) {
		rc = mlk_jsonl_parse_line(rep, b->text, b->len);
	}
	b->len = 0;
	b->too_long = 0;
	return rc == NOMEM ? NOMEM : OK;
}

int mlk_jsonl_read(FILE *f, struct mlk_jsonl_report *rep)
{
	struct line_buf b = { 0 };
	int ch, rc = OK;

	while (rc == OK && (ch = getc_unlocked(f)) != EOF)
		rc = ch == '\n' ? end_line(rep, &b) : append(&b, (char)ch);
	if (rc == OK && (b.len || b.too_long))
		rc = end_line(rep, &b);   /* the last line has no newline */
	free(b.text);
	if (rc == OK && ferror(f))
		return -1;
	return rc == OK ? 0 : -1;
}

void mlk_jsonl_free(struct mlk_jsonl_report *rep)
{
	size_t i;

	for (i = 0; i < rep->ngroups; i++)
		group_free(&rep->groups[i]);
	free(rep->groups);
	free(rep->tool);
	free(rep->kernel_release);
	free(rep->dump);
	memset(rep, 0, sizeof(*rep));
}
