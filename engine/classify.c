/*
 * classify.c - direct and indirect leaks among the orphans of a scan (see
 * classify.h for what is computed).
 *
 * Three steps, none recursive, all linear or n log n:
 *   1. collect the orphans (their block indices, ascending, so an orphan
 *      is found from its block index by binary search);
 *   2. read each orphan and build the orphan graph in compressed rows
 *      (CSR): orphans are read in order, so each one's targets are simply
 *      appended to one array, then sorted and deduplicated in place;
 *   3. assign owners: breadth-first searches from the orphans without an
 *      incoming edge, then, for what is left (cycles and what hangs off
 *      them), Tarjan's strongly connected components with an explicit
 *      stack, and searches from the lowest member of each group that no
 *      other leftover group points to.
 */
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "engine_internal.h"

/* owner[] of an orphan that no search has claimed yet. */
#define NO_OWNER SIZE_MAX

/* First capacity of the edge array (targets). */
#define EDGES_FIRST_CAPACITY 1024

/* ---- small helpers --------------------------------------------------- */

/* n zeroed elements of size bytes; NULL on overflow or no memory. */
static void *alloc_array(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	/* calloc(0, ...) may return NULL: always ask for one element. */
	return calloc(n ? n : 1, size);
}

static size_t min_size(uint64_t a, uint64_t b)
{
	return (size_t)(a < b ? a : b);
}

static int size_order(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;

	return (a > b) - (a < b);
}

/* ---- step 1: the orphans --------------------------------------------- */

static int collect_orphans(const struct mlk_index *ix, struct mlk_orphans *o)
{
	size_t n = 0;

	for (size_t i = 0; i < ix->count; i++)
		if (mlk_block_is_orphan(&ix->blocks[i]))
			n++;
	o->block = alloc_array(n, sizeof(*o->block));
	o->owner = alloc_array(n, sizeof(*o->owner));
	o->held_blocks = alloc_array(n, sizeof(*o->held_blocks));
	o->held_bytes = alloc_array(n, sizeof(*o->held_bytes));
	if (!o->block || !o->owner || !o->held_blocks || !o->held_bytes)
		return -1;
	for (size_t i = 0; i < ix->count; i++)
		if (mlk_block_is_orphan(&ix->blocks[i]))
			o->block[o->count++] = i;
	return 0;
}

long mlk_orphans_find(const struct mlk_orphans *o, size_t block_index)
{
	size_t low = 0, high;

	if (!o || !o->block)
		return -1;
	/* Look in [low, high). */
	high = o->count;
	while (low < high) {
		size_t mid = low + (high - low) / 2;

		if (o->block[mid] < block_index)
			low = mid + 1;
		else
			high = mid;
	}
	if (low < o->count && o->block[low] == block_index)
		return (long)low;
	return -1;
}

/* ---- step 2: the edges ----------------------------------------------- */

/*
 * The orphan graph in compressed rows: the targets of orphan i are
 * target[first[i]] .. target[first[i + 1] - 1], ascending, each once.
 */
struct orphan_graph {
	size_t *first;    /* count + 1 entries */
	size_t *target;   /* orphan indices */
	size_t nedges;    /* targets in use */
	size_t capacity;  /* targets allocated */
};

static void graph_free(struct orphan_graph *g)
{
	free(g->first);
	free(g->target);
	memset(g, 0, sizeof(*g));
}

/* What reading the orphans needs. */
struct edge_reader {
	struct mlk_index *ix;
	struct mlk_source src;
	const struct mlk_orphans *orphans;
	struct orphan_graph *graph;
	unsigned char *chunk;          /* read buffer, MLK_READ_CHUNK bytes */
	const struct mlk_block *self;  /* the orphan being read */
	size_t row_start;              /* its first edge in graph->target */
	uint64_t pages_unreadable;
};

/* Append one target; -1 on overflow or no memory. */
static int add_target(struct orphan_graph *g, size_t target)
{
	if (g->nedges == g->capacity) {
		size_t grown = g->capacity ? g->capacity * 2
					   : EDGES_FIRST_CAPACITY;
		size_t *bigger;

		if (g->capacity > SIZE_MAX / 2 ||
		    grown > SIZE_MAX / sizeof(*g->target))
			return -1;
		bigger = realloc(g->target, grown * sizeof(*g->target));
		if (!bigger)
			return -1;
		g->target = bigger;
		g->capacity = grown;
	}
	g->target[g->nedges++] = target;
	return 0;
}

/*
 * Record an edge from the orphan being read for each word of buf (the
 * memory at addr) that lies at an MLK_WORD-aligned address, entirely inside
 * buf, and points into another orphan. -1 when memory runs out.
 */
static int find_edges_in(struct edge_reader *rd, const unsigned char *buf,
			 size_t len, mlk_addr_t addr)
{
	struct orphan_graph *g = rd->graph;
	/* Bytes from addr up to the first aligned address. */
	size_t offset = (size_t)(-addr & (MLK_WORD - 1));

	for (; offset < len && len - offset >= MLK_WORD; offset += MLK_WORD) {
		const struct mlk_block *to;
		uint64_t value;
		long target;

		/* buf + offset need not be aligned in our own memory. */
		memcpy(&value, buf + offset, sizeof(value));
		to = mlk_index_find(rd->ix, value);
		if (!to || to == rd->self || !mlk_block_is_orphan(to))
			continue;
		target = mlk_orphans_find(rd->orphans,
					  (size_t)(to - rd->ix->blocks));
		if (target < 0)
			continue; /* cannot happen: every orphan is listed */
		/* Cheap first filter of repeats (arrays of pointers, ...). */
		if (g->nedges > rd->row_start &&
		    g->target[g->nedges - 1] == (size_t)target)
			continue;
		if (add_target(g, (size_t)target) != 0)
			return -1;
	}
	return 0;
}

/*
 * Find the edges in [addr, addr + len), which lies inside one
 * MLK_READ_CHUNK-aligned chunk. If it cannot be read in one go, read it
 * page by page (the first and last pages may be partial), counting and
 * skipping the pages that fail. -1 when memory runs out.
 */
static int read_piece(struct edge_reader *rd, mlk_addr_t addr, size_t len)
{
	size_t done, piece;

	if (rd->src.read(rd->src.ctx, addr, rd->chunk, len) == 0)
		return find_edges_in(rd, rd->chunk, len, addr);
	for (done = 0; done < len; done += piece) {
		mlk_addr_t page_addr = addr + done;
		uint64_t to_page_end = MLK_PAGE - (page_addr & (MLK_PAGE - 1));

		piece = min_size(to_page_end, len - done);
		if (rd->src.read(rd->src.ctx, page_addr, rd->chunk, piece) != 0)
			rd->pages_unreadable++;
		else if (find_edges_in(rd, rd->chunk, piece, page_addr) != 0)
			return -1;
	}
	return 0;
}

/* Read one orphan chunk by chunk, chunks aligned like the scan's. */
static int read_orphan(struct edge_reader *rd, const struct mlk_block *b)
{
	mlk_addr_t pos = b->start;
	uint64_t left = b->size;

	rd->self = b;
	while (left > 0) {
		uint64_t to_chunk_end = MLK_READ_CHUNK -
					(pos & (MLK_READ_CHUNK - 1));
		size_t piece = min_size(to_chunk_end, left);

		if (read_piece(rd, pos, piece) != 0)
			return -1;
		/* pos may wrap to 0 after the very last byte: left is 0 then. */
		pos += piece;
		left -= piece;
	}
	return 0;
}

/* Sort the targets of the row that starts at row_start; drop repeats. */
static void dedup_row(struct orphan_graph *g, size_t row_start)
{
	size_t n = g->nedges - row_start, kept = 0;
	size_t *row;

	if (n < 2)
		return;
	row = g->target + row_start; /* target is NULL until an edge exists */
	qsort(row, n, sizeof(*row), size_order);
	for (size_t i = 0; i < n; i++)
		if (kept == 0 || row[kept - 1] != row[i])
			row[kept++] = row[i];
	g->nedges = row_start + kept;
}

static int build_graph(struct mlk_index *ix, const struct mlk_source *src,
		       struct mlk_orphans *o, struct orphan_graph *g)
{
	struct edge_reader rd = {
		.ix = ix, .src = *src, .orphans = o, .graph = g,
	};
	int rc = -1;

	if (o->count == SIZE_MAX)
		return -1;
	g->first = alloc_array(o->count + 1, sizeof(*g->first));
	rd.chunk = o->count ? malloc(MLK_READ_CHUNK) : NULL;
	if (!g->first || (o->count && !rd.chunk))
		goto out;
	for (size_t i = 0; i < o->count; i++) {
		const struct mlk_block *b = &ix->blocks[o->block[i]];

		rd.row_start = g->first[i] = g->nedges;
		if (!(b->flags & MLK_F_NOSCAN) && read_orphan(&rd, b) != 0)
			goto out;
		dedup_row(g, rd.row_start);
	}
	g->first[o->count] = g->nedges;
	o->edges = g->nedges;
	rc = 0;
out:
	o->pages_unreadable = rd.pages_unreadable;
	free(rd.chunk);
	return rc;
}

/* ---- step 3: the owners ---------------------------------------------- */

/*
 * Make `direct` a direct orphan and claim for it every unclaimed orphan it
 * reaches, breadth first. queue has room for every orphan: an orphan is
 * queued only when claimed, so at most once.
 */
static void claim_from(const struct orphan_graph *g, size_t *owner,
		       size_t *queue, size_t direct)
{
	size_t head = 0, tail = 0;

	owner[direct] = direct;
	queue[tail++] = direct;
	while (head < tail) {
		size_t from = queue[head++];

		for (size_t e = g->first[from]; e < g->first[from + 1]; e++) {
			size_t to = g->target[e];

			if (owner[to] == NO_OWNER) {
				owner[to] = direct;
				queue[tail++] = to;
			}
		}
	}
}

/* Searches from the orphans no other orphan points to, in address order. */
static int claim_from_unreferenced(const struct orphan_graph *g,
				   struct mlk_orphans *o, size_t *queue)
{
	unsigned char *referenced = alloc_array(o->count, 1);

	if (!referenced)
		return -1;
	for (size_t e = 0; e < g->nedges; e++)
		referenced[g->target[e]] = 1;
	for (size_t i = 0; i < o->count; i++)
		o->owner[i] = NO_OWNER;
	/* A searched orphan is never one of these: nothing points to them. */
	for (size_t i = 0; i < o->count; i++)
		if (!referenced[i])
			claim_from(g, o->owner, queue, i);
	free(referenced);
	return 0;
}

/*
 * Tarjan's strongly connected components of the unclaimed orphans (edges
 * to claimed ones are ignored), with the depth-first path kept in arrays.
 */
#define SCC_DONE SIZE_MAX /* number[] of an orphan already in a group */

struct scc_search {
	const struct orphan_graph *g;
	const size_t *owner;
	size_t *number;      /* visit order from 1; 0: not visited; SCC_DONE */
	size_t *low;         /* lowest number reachable; its group once done */
	size_t *stack;       /* visited orphans not yet in a group */
	size_t nstack;
	size_t *path;        /* the depth-first path, root first */
	size_t *next_edge;   /* per path entry: the next edge to follow */
	size_t npath;
	size_t visited;
	size_t groups;
	unsigned char *entered; /* per group: another group points into it */
};

static void scc_free(struct scc_search *s)
{
	free(s->number);
	free(s->low);
	free(s->stack);
	free(s->path);
	free(s->next_edge);
	free(s->entered);
}

static int scc_alloc(struct scc_search *s, size_t n)
{
	s->number = alloc_array(n, sizeof(size_t));
	s->low = alloc_array(n, sizeof(size_t));
	s->stack = alloc_array(n, sizeof(size_t));
	s->path = alloc_array(n, sizeof(size_t));
	s->next_edge = alloc_array(n, sizeof(size_t));
	s->entered = alloc_array(n, 1);
	if (!s->number || !s->low || !s->stack || !s->path || !s->next_edge ||
	    !s->entered)
		return -1;
	return 0;
}

static void scc_enter(struct scc_search *s, size_t v)
{
	s->number[v] = s->low[v] = ++s->visited;
	s->stack[s->nstack++] = v;
	s->path[s->npath] = v;
	s->next_edge[s->npath] = s->g->first[v];
	s->npath++;
}

/* v is the first visited orphan of its group: pop the group off the stack. */
static void scc_close_group(struct scc_search *s, size_t v)
{
	size_t w;

	do {
		w = s->stack[--s->nstack];
		s->number[w] = SCC_DONE;
		s->low[w] = s->groups;
	} while (w != v);
	s->groups++;
}

static void scc_search_from(struct scc_search *s, size_t root)
{
	const struct orphan_graph *g = s->g;

	scc_enter(s, root);
	while (s->npath > 0) {
		size_t top = s->npath - 1, v = s->path[top];

		if (s->next_edge[top] < g->first[v + 1]) {
			size_t w = g->target[s->next_edge[top]++];

			if (s->owner[w] != NO_OWNER)
				continue;
			if (s->number[w] == 0)
				scc_enter(s, w);
			else if (s->number[w] != SCC_DONE &&
				 s->number[w] < s->low[v])
				s->low[v] = s->number[w];
			continue;
		}
		/* All of v's edges followed: v leaves the path. */
		s->npath--;
		if (s->low[v] == s->number[v]) {
			scc_close_group(s, v);
		} else if (s->npath > 0) {
			size_t parent = s->path[s->npath - 1];

			if (s->low[v] < s->low[parent])
				s->low[parent] = s->low[v];
		}
	}
}

/* Mark the groups that an edge from another group enters. */
static void scc_mark_entered(struct scc_search *s, size_t count)
{
	const struct orphan_graph *g = s->g;

	for (size_t v = 0; v < count; v++) {
		if (s->owner[v] != NO_OWNER)
			continue;
		for (size_t e = g->first[v]; e < g->first[v + 1]; e++) {
			size_t w = g->target[e];

			if (s->owner[w] == NO_OWNER && s->low[w] != s->low[v])
				s->entered[s->low[w]] = 1;
		}
	}
}

/*
 * Every unclaimed orphan has an incoming edge, and only from unclaimed
 * orphans (a claimed one would have passed its claim on). Each group that
 * no other group enters is therefore a cycle at the head of what is left:
 * search from its lowest-address member; the searches reach everything.
 */
static int claim_from_cycles(const struct orphan_graph *g,
			     struct mlk_orphans *o, size_t *queue)
{
	struct scc_search s = { .g = g, .owner = o->owner };
	size_t i;

	for (i = 0; i < o->count && o->owner[i] != NO_OWNER; i++)
		;
	if (i == o->count)
		return 0; /* nothing left: no cycle */
	if (scc_alloc(&s, o->count) != 0) {
		scc_free(&s);
		return -1;
	}
	for (; i < o->count; i++)
		if (o->owner[i] == NO_OWNER && s.number[i] == 0)
			scc_search_from(&s, i);
	scc_mark_entered(&s, o->count);
	/* The lowest unclaimed member of a group comes first in this loop. */
	for (i = 0; i < o->count; i++)
		if (o->owner[i] == NO_OWNER && !s.entered[s.low[i]])
			claim_from(g, o->owner, queue, i);
	scc_free(&s);
	/* Cannot happen (see above); keeps every orphan owned regardless. */
	for (i = 0; i < o->count; i++)
		if (o->owner[i] == NO_OWNER)
			claim_from(g, o->owner, queue, i);
	return 0;
}

/* Count the direct orphans and what each one holds. */
static void tally_holdings(const struct mlk_index *ix, struct mlk_orphans *o)
{
	o->direct = 0;
	for (size_t i = 0; i < o->count; i++) {
		size_t owner = o->owner[i];

		if (owner == i) {
			o->direct++;
			continue;
		}
		o->held_blocks[owner]++;
		o->held_bytes[owner] += ix->blocks[o->block[i]].size;
	}
}

static int assign_owners(const struct orphan_graph *g, struct mlk_orphans *o)
{
	size_t *queue = alloc_array(o->count, sizeof(*queue));
	int rc = -1;

	if (queue && claim_from_unreferenced(g, o, queue) == 0 &&
	    claim_from_cycles(g, o, queue) == 0)
		rc = 0;
	free(queue);
	return rc;
}

/* ---- the public interface -------------------------------------------- */

int mlk_classify_orphans(struct mlk_index *ix, const struct mlk_source *src,
			 struct mlk_orphans *out)
{
	struct orphan_graph g = { 0 };
	int rc = -1;

	if (!out)
		return -1;
	memset(out, 0, sizeof(*out));
	if (!ix || !src || !src->read)
		return -1;
	if (collect_orphans(ix, out) == 0 && build_graph(ix, src, out, &g) == 0
	    && assign_owners(&g, out) == 0) {
		tally_holdings(ix, out);
		rc = 0;
	}
	graph_free(&g);
	if (rc != 0)
		mlk_orphans_free(out);
	return rc;
}

void mlk_orphans_free(struct mlk_orphans *o)
{
	if (!o)
		return;
	free(o->block);
	free(o->owner);
	free(o->held_blocks);
	free(o->held_bytes);
	memset(o, 0, sizeof(*o));
}
