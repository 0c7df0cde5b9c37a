#!/usr/bin/env python3
"""holders_check.py - checks `memleak -a` on the 6.1 leaks fixture.

    tests/holders_check.py WORK EXPECTED_TSV

WORK holds what tests/holders.sh cut out of one crash session: plain.txt
(memleak), all.txt (memleak -a -j a.jsonl), a.jsonl, filtered.txt
(memleak -a -c kmalloc-128 -n 3) and kmem.txt (kmem -s kmalloc-128).
EXPECTED_TSV lists the planted blocks: scenario, addr, size, cache, expect,
func. Every figure compared is read from the dump's own reports; none is
written here. Prints PASS:/FAIL: lines; exit status 1 if anything failed.
"""
import json
import os
import re
import sys

FAILED = []

GROUP = re.compile(r"^#(\d+) (\d+) blocks \((\d+) bytes\), (\d+) orphans "
                   r"\((\d+) bytes\); by ([a-z ]+); (.*)$")
HOLDER = re.compile(r"^   (?:held by:|        ) (\d+) blocks \((\d+) bytes\): (.*)$")
MORE = re.compile(r"^            (\d+) blocks \((\d+) bytes\): \d+ more holders?$")
FOOTER = re.compile(r"^memleak -a: (\d+) groups: (\d+) blocks \((\d+) bytes\), "
                    r"(\d+) reachable; (\d+) orphans \((\d+) bytes", re.M)
COST = re.compile(r"^memleak -a: cost: ([\d.]+) s, (\d+) MB read, (\d+) "
                  r"allocation records, (\d+) stack depot handles", re.M)
TRACKED = re.compile(r"blocks tracked:\s+(\d+) \((\d+) bytes\)")
UNREF = re.compile(r"\((\d+) unreferenced blocks, (\d+) bytes, in all\)")
SCANNED = re.compile(r"blocks scanned:\s+(\d+) reachable blocks")


def check(ok, what):
    print(("PASS: " if ok else "FAIL: ") + "holders: " + what)
    if not ok:
        FAILED.append(what)
    return ok


def figure(regex, text, what):
    m = regex.search(text)
    if not m:
        check(False, "no %s line" % what)
        return None
    return tuple(int(x) if x.isdigit() else x for x in m.groups())


def parse_view(text):
    """The text view: groups (with their holder lines), in order."""
    groups = []
    for line in text.splitlines():
        m = GROUP.match(line)
        if m:
            rank, blocks, nbytes, orph, orph_bytes = map(int, m.groups()[:5])
            groups.append({"rank": rank, "blocks": blocks, "bytes": nbytes,
                           "orphans": orph, "orphan_bytes": orph_bytes,
                           "key": m.group(6), "rest": m.group(7),
                           "at": "", "held": []})
        elif groups and line.startswith("   at: "):
            groups[-1]["at"] = line[7:]
        elif groups and (HOLDER.match(line) or MORE.match(line)):
            h = HOLDER.match(line) or MORE.match(line)
            groups[-1]["held"].append((int(h.group(1)), int(h.group(2)),
                                       h.group(3) if h.re is HOLDER else ""))
    return groups


def summary_part(text):
    """The summary without its time line (-a must change no figure)."""
    part = text[text.find("memleak summary"):]
    return "\n".join(l for l in part.splitlines()
                     if "time:" not in l and "JSON records written" not in l)


def functions(group):
    return {f["function"] for f in group["stack"] or [] if f["function"]}


def check_totals(groups, text):
    tracked = figure(TRACKED, text, "blocks tracked")
    unref = figure(UNREF, text, "unreferenced blocks")
    scanned = figure(SCANNED, text, "blocks scanned")
    footer = figure(FOOTER, text, "-a footer")
    if None in (tracked, unref, scanned, footer):
        return
    nblocks = sum(g["blocks"] for g in groups)
    nbytes = sum(g["bytes"] for g in groups)
    norph = sum(g["orphans"] for g in groups)
    norph_bytes = sum(g["orphan_bytes"] for g in groups)
    check(len(groups) == footer[0] and
          [g["rank"] for g in groups] == list(range(1, len(groups) + 1)),
          "%d groups printed, ranked 1..%d (footer: %d)" %
          (len(groups), len(groups), footer[0]))
    check(all(a["bytes"] >= b["bytes"] for a, b in zip(groups, groups[1:])),
          "groups sorted by bytes, largest first")
    check((nblocks, nbytes) == tracked[:2] == footer[1:3],
          "the groups' blocks add up to the summary's blocks tracked: "
          "%d blocks, %d bytes (summary %d, %d)" %
          (nblocks, nbytes, tracked[0], tracked[1]))
    check((norph, norph_bytes) == unref[:2] == footer[4:6],
          "the groups' orphans add up to every unreferenced block (in "
          "flight and suppressed included): %d, %d bytes (summary %d, %d)" %
          (norph, norph_bytes, unref[0], unref[1]))
    check(footer[3] == scanned[0] == nblocks - norph,
          "reachable blocks: %d, the summary's blocks scanned %d" %
          (footer[3], scanned[0]))
    bad = [g["rank"] for g in groups
           if sum(h[0] for h in g["held"]) != g["blocks"] - g["orphans"]]
    check(not bad, "each group's holders hold its reachable blocks "
          "(groups where not: %s)" % bad[:5])


def check_json(groups, records):
    hg = [r for r in records if r["record"] == "holder_group"]
    check(len(hg) == len(groups), "%d holder_group records for %d groups"
          % (len(hg), len(groups)))
    same = all((r["rank"], r["blocks"], r["bytes"], r["orphans"],
                r["orphan_bytes"], r["key"]) ==
               (g["rank"], g["blocks"], g["bytes"], g["orphans"],
                g["orphan_bytes"], g["key"]) for r, g in zip(hg, groups))
    check(same, "holder_group records match the text groups (rank, blocks, "
          "bytes, orphans, key)")
    bad = [r["rank"] for r in hg
           if sum(h["blocks"] for h in r["holders"]) != r["reachable"] or
           any(h["holder"] == "block" and not 1 <= h["group"] <= len(hg)
               for h in r["holders"])]
    check(not bad and all(r["holders_known"] for r in hg),
          "every record's holders add up to its reachable blocks and name "
          "groups that exist (bad: %s)" % bad[:5])
    check(records[-1]["record"] == "summary" and
          [r["record"] for r in records].index("holder_group") >
          max(i for i, r in enumerate(records) if r["record"] in
              ("run", "orphan", "group")),
          "holder_group records come after the groups, before the summary")
    return hg


def groups_of(hg, func):
    return [r for r in hg if func in functions(r)]


def check_planted(hg, expected):
    by_func = {}
    # large kmalloc blocks are tracked only with page_owner or page types
    pages_tracked = any(r["kind"] == "pages" for r in hg)
    for row in expected:
        if row["cache"] == "pages" and not pages_tracked:
            continue
        by_func.setdefault(row["func"], []).append(row)
    for func, rows in sorted(by_func.items()):
        leaks = [r for r in rows if r["expect"] in ("leak", "young")]
        reach = [r for r in rows if r["expect"] == "reachable"]
        if rows[0]["cache"] == "percpu":
            gs = [r for r in hg if r["kind"] == "percpu"]
        else:
            gs = groups_of(hg, func)
        orph = sum(r["orphans"] for r in gs)
        if leaks:
            check(orph >= len(leaks), "%s: its groups count its %d planted "
                  "leaks as orphans (%d)" % (func, len(leaks), orph))
        if reach and func.startswith("plant_reach") and not leaks:
            check(gs and orph == 0 and
                  sum(r["reachable"] for r in gs) >= len(reach),
                  "%s: %d planted reachable blocks in %d groups, no orphan"
                  % (func, len(reach), len(gs)))


def root_holders(gs):
    return [h for r in gs for h in r["holders"] if h["holder"] == "root"]


def check_named_holders(hg, expected):
    gs = groups_of(hg, "plant_reach_global")
    roots = root_holders(gs)
    check(roots and all(h["root_kind"] in ("module data",
                                           "kernel data/bss/ro_after_init")
                        for r in gs for h in r["holders"]),
          "reach_global is held by a data root: %s" %
          [h["description"] for r in gs for h in r["holders"]])
    chain = [r for r in expected if r["scenario"].startswith("reach_chain_")]
    gs = groups_of(hg, "plant_reach_chain")
    held = [h for r in gs for h in r["holders"]]
    by_chain = sum(h["blocks"] for h in held if h["holder"] == "block" and
                   "plant_reach_chain" in (h["site"] or ""))
    by_root = sum(h["blocks"] for h in held if h["holder"] == "root")
    check(sum(r["blocks"] for r in gs) == len(chain) and
          by_root == 1 and by_chain == len(chain) - 1,
          "reach_chain x->y->z: %d blocks, %d held by a root, %d by a block "
          "allocated in plant_reach_chain (want %d, 1, %d)" %
          (sum(r["blocks"] for r in gs), by_root, by_chain, len(chain),
           len(chain) - 1))
    for row in expected:
        if row["scenario"] == "reach_kthread_stack":
            stacks = [h for h in root_holders(groups_of(hg, row["func"]))
                      if h["root_kind"] == "task stacks"]
            check(stacks and all(h["pid"] is not None and h["comm"]
                                 for h in stacks),
                  "%s: held by a task stack, named by pid and comm: %s" %
                  (row["scenario"], [h["description"] for h in stacks]))


def check_filtered(work):
    text = open(os.path.join(work, "filtered.txt")).read()
    groups = parse_view(text)
    footer = figure(FOOTER, text, "-a -c footer")
    more = re.search(r"\((\d+) more groups not shown", text)
    kmem = re.search(r"^\S+\s+128\s+(\d+)\s+\d+\s+\d+\s+\S+\s+kmalloc-128$",
                     open(os.path.join(work, "kmem.txt")).read(), re.M)
    if not (footer and more and kmem):
        check(False, "-a -c -n: footer, -n line and kmem -s figure found")
        return
    check(len(groups) == 3 and 3 + int(more.group(1)) == footer[0],
          "-n 3 prints 3 groups of %d" % footer[0])
    check(all(g["rest"] == 'caches "kmalloc-128"' for g in groups),
          "-c kmalloc-128: only groups of that cache")
    check(footer[1] == int(kmem.group(1)),
          "-c kmalloc-128: %d blocks, crash's kmem -s: %s allocated" %
          (footer[1], kmem.group(1)))


def main():
    work, tsv = sys.argv[1], sys.argv[2]
    fields = ["scenario", "addr", "size", "cache", "expect", "func"]
    expected = [dict(zip(fields, l.rstrip("\n").split("\t")))
                for l in open(tsv) if l.strip() and not l.startswith("#")]
    text = open(os.path.join(work, "all.txt")).read()
    plain = open(os.path.join(work, "plain.txt")).read()
    groups = parse_view(text)
    check(len(groups) > 0, "memleak -a printed %d groups" % len(groups))
    check_totals(groups, text)
    check(summary_part(plain) == summary_part(text),
          "-a changes no figure of the summary")
    try:
        records = [json.loads(l) for l in open(os.path.join(work, "a.jsonl"))]
    except (OSError, ValueError) as e:
        check(False, "a.jsonl parses: %s" % e)
        return 1
    hg = check_json(groups, records)
    check_planted(hg, expected)
    check_named_holders(hg, expected)
    check_filtered(work)
    cost = figure(COST, text, "-a cost")
    if cost:
        print("holders: cost of the view: %s s, %s MB read, %s allocation "
              "records, %s stack depot handles" % cost)
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
