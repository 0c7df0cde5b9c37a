#!/usr/bin/env python3
"""json_check.py - memleak's JSON Lines against its text report of the
same run (tests/json.sh).

    json_check.py LIST.jsonl LIST.txt GROUPS.jsonl GROUPS.txt [IDS.jsonl...]

LIST.txt is the text of `memleak -j LIST.jsonl` (one orphan a block),
GROUPS.txt that of `memleak -s -j GROUPS.jsonl`. Every JSON line must parse
(python's json module); prints PASS:/FAIL: lines; exit status 1 on a FAIL.
Further JSONL files (the same dump read another way: the compressed form,
another crash) must give the same group ids for the same groups.
"""
import json
import re
import sys

NFAIL = 0


def check(ok, what):
    global NFAIL
    print(("PASS: json: " if ok else "FAIL: json: ") + what)
    if not ok:
        NFAIL += 1


def records(path):
    out = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            try:
                out.append(json.loads(line))
            except ValueError as e:
                check(False, "%s:%d parses as JSON (%s)" % (path, n, e))
                return []
    check(bool(out), "%s: %d records, each a JSON object" % (path, len(out)))
    return out


def by_type(recs, kind):
    return [r for r in recs if r.get("record") == kind]


def text_summary(text):
    m = re.search(r"orphans: (\d+) reported \((\d+) direct, (\d+) indirect; "
                  r"(\d+) bytes\).*, (\d+) younger", text)
    s = re.search(r"suppressed: +(\d+) orphans \((\d+) bytes\)", text)
    t = re.search(r"blocks tracked: +(\d+) \((\d+) bytes\)", text)
    return ([int(x) for x in m.groups()] if m else None,
            [int(x) for x in s.groups()] if s else [0, 0],
            [int(x) for x in t.groups()] if t else None)


def text_orphans(text):
    """address -> (size, cache or None, class, holder or None)"""
    out = {}
    for block in re.split(r"\n(?=unreferenced object )", text):
        m = re.match(r"unreferenced object 0x0*([0-9a-f]+) \(size (\d+)\):", block)
        if not m:
            continue
        c = re.search(r'^  cache "([^"]+)"', block, re.M)
        ind = re.search(r"^  leak: indirect, held by 0x([0-9a-f]+)", block, re.M)
        out[int(m.group(1), 16)] = (int(m.group(2)), c.group(1) if c else None,
                                   "indirect" if ind else "direct",
                                   int(ind.group(1), 16) if ind else None)
    return out


def check_list(recs, text, name):
    runs, orphans, sums = (by_type(recs, k) for k in ("run", "orphan", "summary"))
    check(len(runs) == 1 and runs[0].get("schema") == 1 and recs[0] is runs[0],
          "%s: one run record first, schema 1" % name)
    check(len(sums) == 1 and recs[-1] is sums[0], "%s: one summary record last" % name)
    (rep, direct, indirect, nbytes, young), supp, tracked = text_summary(text)
    s = sums[0] if sums else {}
    o = s.get("orphans", {})
    check([o.get(k) for k in ("reported", "direct", "indirect", "bytes", "in_flight")]
          == [rep, direct, indirect, nbytes, young],
          "%s: summary orphans %s = text %s" % (
              name, [o.get(k) for k in ("reported", "direct", "indirect", "bytes", "in_flight")],
              [rep, direct, indirect, nbytes, young]))
    sp = s.get("suppressions", {})
    check([sp.get("blocks"), sp.get("bytes")] == supp,
          "%s: suppressed %s = text %s" % (name, [sp.get("blocks"), sp.get("bytes")], supp))
    bt = s.get("blocks_tracked", {})
    check([bt.get("blocks"), bt.get("bytes")] == tracked,
          "%s: blocks tracked %s = text %s" % (name, [bt.get("blocks"), bt.get("bytes")], tracked))
    check(len(orphans) == rep, "%s: %d orphan records = %d reported" % (name, len(orphans), rep))
    txt = text_orphans(text)
    js = {int(r["address"], 16): (r["size"], r["cache"], r["class"],
                                  int(r["holder"], 16) if r["holder"] else None)
          for r in orphans}
    check(set(js) == set(txt), "%s: the same %d addresses as the text list (%d only in JSON, %d only in text)"
          % (name, len(txt), len(set(js) - set(txt)), len(set(txt) - set(js))))
    diff = [a for a in txt if a in js and js[a] != txt[a]]
    check(not diff, "%s: size, cache, class and holder agree for every orphan (%d differ%s)"
          % (name, len(diff), ": 0x%x %s vs %s" % (diff[0], js[diff[0]], txt[diff[0]]) if diff else ""))
    stacks = [r for r in orphans if r["stack"]]
    ok = all(all(set(f) == {"address", "symbol", "function", "module"} and
                 f["symbol"].startswith(f["function"] or "0x") for f in r["stack"])
             for r in stacks)
    check(ok and stacks, "%s: %d stacks, every frame with address, symbol, function, module"
          % (name, len(stacks)))
    groups_of_direct = {r["address"]: r["group"] for r in orphans if r["class"] == "direct"}
    bad = [r for r in orphans if r["class"] == "indirect" and r["holder"] in groups_of_direct
           and r["group"] != groups_of_direct[r["holder"]]]
    check(not bad, "%s: an indirect orphan carries its holder's group id (%d do not)" % (name, len(bad)))
    return orphans


def check_groups(recs, text, orphans, name):
    groups = by_type(recs, "group")
    lines = re.findall(r"^unreferenced: (\d+) direct \+ (\d+) indirect blocks \((\d+) bytes\)",
                       text, re.M)
    check([(g["direct"], g["indirect"], g["bytes"]) for g in groups]
          == [tuple(int(x) for x in l) for l in lines],
          "%s: %d group records = the %d groups of the text, in order, counts and bytes alike"
          % (name, len(groups), len(lines)))
    ids = [g["id"] for g in groups]
    check(len(set(ids)) == len(ids) and all(re.fullmatch(r"[0-9a-f]{16}", i) for i in ids),
          "%s: group ids are distinct 16-digit hex" % name)
    members = {}
    for r in orphans:
        if r["class"] == "direct":
            members[r["group"]] = members.get(r["group"], 0) + 1
    check(all(members.get(g["id"]) == g["direct"] for g in groups),
          "%s: each group's direct count = the orphan records carrying its id" % name)
    return {tuple(sorted(s for s in g.get("sample_addresses", []))): g["id"] for g in groups}


def main():
    lj, lt, gj, gt = sys.argv[1:5]
    orphans = check_list(records(lj), open(lt).read(), "list")
    grecs = records(gj)
    ids = check_groups(grecs, open(gt).read(), by_type(grecs, "orphan"), "-s")
    for other in sys.argv[5:]:
        orecs = records(other)
        oids = {tuple(sorted(g.get("sample_addresses", []))): g["id"]
                for g in by_type(orecs, "group")}
        same = [k for k in ids if oids.get(k) == ids[k]]
        check(len(same) == len(ids) and ids,
              "%s: the same %d group ids as the first run (%d match)"
              % (other.split("/")[-1], len(ids), len(same)))
    sys.exit(1 if NFAIL else 0)


main()
