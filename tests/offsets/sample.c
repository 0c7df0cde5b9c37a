/*
 * sample.c - crafted structs for tests/offsets.sh: compiled with gcc -g -c,
 * read by build/aliasdump, whose offsets and member names the script checks
 * against the offsetof values below (printed by the same file built and run
 * as a program: SAMPLE_MAIN).
 */
#include <stddef.h>

struct list_head {
	struct list_head *next, *prev;
};

struct rb_node {
	unsigned long __rb_parent_color;
	struct rb_node *rb_right;
	struct rb_node *rb_left;
};

struct callback_head {
	struct callback_head *next;
	void (*func)(struct callback_head *head);
};

/* level 1: an embedded list_head at a known offset */
struct t_list {
	long key;
	struct list_head node;
	int tail;
};

/* level 2: an embedded struct holding embedded structs */
struct t_inner {
	int flags;
	struct rb_node rb;
	struct list_head lru;
};

struct t_nested {
	void *owner;
	struct t_inner inner;
	struct callback_head rcu;
};

/* anonymous union and struct members, flattened into the parent */
struct t_anon {
	unsigned long state;
	union {
		struct list_head lru;
		struct {
			void *mapping;
			struct callback_head cb;
		};
	};
	long after;
};

/* bit fields are skipped; whole-byte members around them are kept */
struct t_bits {
	unsigned int a : 3;
	unsigned int b : 5;
	unsigned int c : 24;
	struct list_head list;
	unsigned int d : 1;
};

/* an array of structs: the first element's offset and its members */
struct t_array {
	int count;
	struct list_head heads[4];
	char name[16];
};

/* typedef'd and const-qualified struct members */
typedef struct list_head list_t;
typedef const list_t clist_t;

struct t_typedef {
	char c;
	list_t link;
	clist_t frozen;
	volatile struct rb_node rb;
};

/* three levels: the third is not read */
struct t_deep {
	long pad;
	struct t_nested nested;
};

/* a union as a named member: its offset, and its members at level 2 */
struct t_union {
	long pad;
	union {
		struct list_head list;
		struct rb_node rb;
	} u;
};

/* only declared here: no entry */
struct t_declared;

struct t_list v_list;
struct t_nested v_nested;
struct t_anon v_anon;
struct t_bits v_bits;
struct t_array v_array;
struct t_typedef v_typedef;
struct t_deep v_deep;
struct t_union v_union;
struct t_declared *v_declared;

#ifdef SAMPLE_MAIN
#include <stdio.h>

/* Prints "name value" lines: the offsets the script expects. */
#define SHOW(type, member) \
	printf("%s.%s %zu\n", #type, #member, offsetof(struct type, member))

int main(void)
{
	SHOW(t_list, node);
	SHOW(t_nested, inner);
	SHOW(t_nested, inner.rb);
	SHOW(t_nested, inner.lru);
	SHOW(t_nested, rcu);
	SHOW(t_anon, lru);
	SHOW(t_anon, mapping);
	SHOW(t_anon, cb);
	SHOW(t_anon, after);
	SHOW(t_bits, list);
	SHOW(t_array, heads);
	SHOW(t_array, heads[1]);
	SHOW(t_array, name);
	SHOW(t_typedef, link);
	SHOW(t_typedef, frozen);
	SHOW(t_typedef, rb);
	SHOW(t_deep, nested);
	SHOW(t_deep, nested.inner);
	SHOW(t_deep, nested.rcu);
	SHOW(t_deep, nested.inner.rb);
	SHOW(t_union, u);
	printf("sizeof.t_bits %zu\n", sizeof(struct t_bits));
	return 0;
}
#endif
