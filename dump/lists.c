/*
 * lists.c - bounded walks of kernel list_head lists. Dump lists can be
 * torn or looped; every walk stops after max_nodes, on a read failure, on
 * a non-kernel address, and on a cycle that does not pass through the head
 * (Brent's cycle detection: a tortoise parked at steps 1, 2, 4, 8, ...).
 */
#include "dump.h"

long mlk_walk_list(ulong head, long max_nodes, mlk_list_fn fn, void *arg,
		   int *truncated)
{
	ulong node, tortoise = 0;
	long visited = 0, next_park = 1;

	*truncated = 0;
	if (!mlk_read_ulong(head, &node)) {
		*truncated = 1;
		return 0;
	}
	while (node != head) {
		if (visited >= max_nodes || !IS_KVADDR(node) ||
		    node == tortoise) {
			*truncated = 1;
			break;
		}
		if (fn && fn(node, arg))
			break;
		if (++visited == next_park) {
			tortoise = node;
			next_park *= 2;
		}
		if (!mlk_read_ulong(node, &node)) {
			*truncated = 1;
			break;
		}
	}
	return visited;
}
