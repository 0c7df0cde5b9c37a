#!/usr/bin/env python3
"""layers.py - the import picture of kmemleak.so has no circles.

Reads the symbols each object file of build/so defines and uses (nm), and
checks two rules:
  1. the folders form a stack: engine < offsets < dump < arch < readers < report <
     kmemleak.c; an object may use only what its own folder or a folder
     below it defines (no layer calls up);
  2. no two files use each other, directly or through others (the graph of
     files is acyclic).
Prints PASS:/FAIL: lines; exit status 1 when a rule is broken.

    tests/layers.py [build/so]
"""
import os
import subprocess
import sys

ORDER = ["engine", "offsets", "dump", "arch", "readers", "report", "."]


def layer_of(path):
    top = path.split(os.sep)[0]
    return ORDER.index(top) if top in ORDER else ORDER.index(".")


def symbols(obj):
    out = subprocess.run(["nm", obj], capture_output=True, text=True,
                         check=True).stdout
    defined, used = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "TDBRC":
            defined.add(parts[2])
        elif len(parts) == 2 and parts[0] == "U":
            used.add(parts[1])
    return defined, used


def find_cycle(graph):
    state, stack = {}, []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "build/so"
    objs = []
    for dirpath, _, files in os.walk(root):
        objs += [os.path.join(dirpath, f) for f in files if f.endswith(".o")]
    if not objs:
        print(f"FAIL: layers: no object files under {root} (build first)")
        return 1
    owner, uses = {}, {}
    for obj in objs:
        name = os.path.relpath(obj, root)[:-2] + ".c"
        defined, used = symbols(obj)
        for sym in defined:
            owner[sym] = name
        uses[name] = used
    graph = {f: set() for f in uses}
    upward = []
    for f, used in uses.items():
        for sym in used:
            g = owner.get(sym)
            if not g or g == f:
                continue
            graph[f].add(g)
            if layer_of(g) > layer_of(f):
                upward.append(f"{f} uses {sym} of {g}")
    ok = True
    if upward:
        ok = False
        print(f"FAIL: layers: {len(upward)} calls go up the stack "
              f"({' < '.join(ORDER[:-1])} < kmemleak.c):")
        for u in sorted(upward):
            print(f"    {u}")
    else:
        print(f"PASS: layers: {len(uses)} files, no call goes up the "
              f"stack {' < '.join(ORDER[:-1])} < kmemleak.c")
    cycle = find_cycle(graph)
    if cycle:
        ok = False
        print("FAIL: layers: files use each other: " + " -> ".join(cycle))
    else:
        print(f"PASS: layers: the graph of {len(uses)} files is acyclic")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
