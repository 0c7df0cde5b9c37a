#!/usr/bin/env python3
"""diff_check.py - the comparisons `memleak -d` printed, against the JSON
Lines of the runs compared and the grow fixture's console (tests/diff.sh).

    diff_check.py WORKDIR CONSOLE.LOG

WORKDIR holds diff.sh's files: L.jsonl (leaks fixture), A.jsonl and
B.jsonl (grow fixture, before and after step 2), leaks.out, grow1.out,
grow2.out (crash sessions, each command after a marker "$N = 900000k").
Prints PASS:/FAIL: lines; exit status 1 on a FAIL.
"""
import json
import os
import re
import sys

NFAIL = 0
ROW = re.compile(r"^  ([0-9a-f]{16})  blocks (\d+) -> (\d+) \(([+-]\d+)\), "
                 r"bytes (\d+) -> (\d+) \(([+-]\d+)\)$")
SECTIONS = {"appeared": "new", "grew": "grew", "shrank": "shrank",
            "disappeared": "gone", "unchanged": "same"}
GROUPS = re.compile(r"^  groups: (\d+) appeared, (\d+) grew, (\d+) shrank, "
                    r"(\d+) disappeared, (\d+) unchanged$")
TOTALS = re.compile(r"^  orphans reported: blocks (\d+) -> (\d+) \([+-]\d+\), "
                    r"bytes (\d+) -> (\d+) \([+-]\d+\)$")


def check(ok, what):
    global NFAIL
    print(("PASS: diff: " if ok else "FAIL: diff: ") + what, flush=True)
    if not ok:
        NFAIL += 1
    return ok


def commands(path):
    """The output of each command of a session, by its place (1, 2...)."""
    out, k = {}, None
    with open(path, errors="replace") as f:
        for line in f:
            m = re.match(r"^\$\d+ = 900000(\d+)$", line.rstrip("\n"))
            if m:
                k = int(m.group(1))
                out[k] = []
            elif k is not None:
                out[k].append(line.rstrip("\n"))
    return out


def records(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def groups_by_id(recs):
    """id -> [blocks, bytes, the first group record], groups of one id
    added up (memleak -d does the same)."""
    out = {}
    for r in recs:
        if r["record"] != "group":
            continue
        e = out.setdefault(r["id"], [0, 0, r])
        e[0] += r["direct"] + r["indirect"]
        e[1] += r["bytes"]
    return out


def summary(recs):
    s = [r for r in recs if r["record"] == "summary"][0]["orphans"]
    return s["reported"], s["bytes"]


def parse(lines):
    """The rows of a printed comparison: id -> dict; and its header."""
    rows, section, last, head = {}, None, None, {}
    for line in lines:
        m = ROW.match(line)
        if m:
            i, bt, bn, db, yt, yn, dy = m.groups()
            last = rows[i] = dict(change=section, blocks=(int(bt), int(bn)),
                                  bytes=(int(yt), int(yn)), delta=(int(db), int(dy)),
                                  text=[])
            continue
        title = re.match(r"^([a-z]+)\b.*:$", line)
        if title and title.group(1) in SECTIONS:
            section, last = SECTIONS[title.group(1)], None
        elif last is not None and line.startswith("    "):
            last["text"].append(line.strip())
        m = GROUPS.match(line)
        if m:
            head["groups"] = tuple(int(x) for x in m.groups())
        m = TOTALS.match(line)
        if m:
            head["totals"] = tuple(int(x) for x in m.groups())
    return rows, head


def change_of(then, now):
    if then is None:
        return "new"
    if now is None:
        return "gone"
    if then[1] != now[1]:
        return "grew" if now[1] > then[1] else "shrank"
    if then[0] != now[0]:
        return "grew" if now[0] > then[0] else "shrank"
    return "same"


def expected_rows(then, now):
    out = {}
    for i in set(then) | set(now):
        a, b = then.get(i), now.get(i)
        out[i] = dict(change=change_of(a, b),
                      blocks=(a[0] if a else 0, b[0] if b else 0),
                      bytes=(a[1] if a else 0, b[1] if b else 0))
    return out


def check_rows(name, rows, head, then, now):
    """Every row as the two JSON files say, and the header's counts."""
    want = expected_rows(then, now)
    got = {i: dict(change=r["change"], blocks=r["blocks"], bytes=r["bytes"])
           for i, r in rows.items()}
    bad = sorted(set(want) ^ set(got)) + sorted(
        i for i in set(want) & set(got) if want[i] != got[i])
    check(not bad, "%s: %d rows, each as the two JSON files say (by id, "
          "groups of one id added up)%s" % (name, len(want),
                                            "; differ: %s" % bad[:4] if bad else ""))
    check(all(r["delta"] == (r["blocks"][1] - r["blocks"][0],
                             r["bytes"][1] - r["bytes"][0]) for r in rows.values()),
          "%s: every printed change is now - then" % name)
    counts = tuple(sum(1 for r in want.values() if r["change"] == c)
                   for c in ("new", "grew", "shrank", "gone", "same"))
    check(head.get("groups") == counts, "%s: header counts %s, want %s"
          % (name, head.get("groups"), counts))


def planted(path):
    """memleak_grow's console lines: func -> {step: blocks}, and size."""
    out, size = {}, None
    with open(path, errors="replace") as f:
        for line in f:
            m = re.search(r"memleak_grow: group=(\w+) blocks=(-?\d+) size=(\d+) "
                          r"cache=\S+ step=(\d)", line)
            if m:
                out.setdefault(m.group(1), {})[int(m.group(4))] = int(m.group(2))
                size = int(m.group(3))
    return out, size


def row_of_function(rows, func):
    """The rows whose printed stack has func (or func.constprop.N ...)."""
    pat = re.compile(r"(^|< )%s(\.[\w.]+)?( <|$)" % re.escape(func))
    return [r for r in rows.values() if any(pat.search(t) for t in r["text"])]


def check_planted(rows, console):
    plants, size = planted(console)
    if not check(size and all(f in plants for f in
                              ("plant_grow", "plant_steady", "plant_gone", "plant_new")),
                 "the console names memleak_grow's four groups"):
        return
    cases = [  # func, change, blocks then, blocks now
        ("plant_grow", "grew", plants["plant_grow"][1],
         plants["plant_grow"][1] + plants["plant_grow"][2]),
        ("plant_new", "new", 0, plants["plant_new"][2]),
        ("plant_gone", "gone", plants["plant_gone"][1],
         plants["plant_gone"][1] + plants["plant_gone"][2]),
        ("plant_steady", "same", plants["plant_steady"][1], plants["plant_steady"][1]),
    ]
    for func, change, bt, bn in cases:
        found = row_of_function(rows, func)
        ok = len(found) == 1 and found[0]["change"] == change and \
            found[0]["blocks"] == (bt, bn) and found[0]["bytes"] == (bt * size, bn * size)
        check(ok, "%s: %s, blocks %d -> %d, bytes %d -> %d (planted: %s)%s"
              % (func, change, bt, bn, bt * size, bn * size, plants[func],
                 "" if ok else "; printed: %s" % found))


def check_memleak_test_same(name, rows, then_recs, now):
    """The groups of memleak_test.ko in the earlier run: the same ids now,
    the same counts, printed unchanged."""
    ids = [r["id"] for r in then_recs if r["record"] == "group" and
           (r["key"] == "percpu" or
            any(f.get("module") == "memleak_test" for f in r.get("stack", [])))]
    bad = [i for i in ids if i not in rows or rows[i]["change"] != "same" or i not in now]
    check(len(ids) >= 5 and not bad, "%s: memleak_test.ko's %d planted groups "
          "(the per-cpu one included): same id, same counts, unchanged%s"
          % (name, len(ids), "; not: %s" % bad if bad else ""))


def check_refused(name, lines, want):
    text = "\n".join(lines)
    check(want in text and "memleak summary" not in text,
          "%s: refused before any scan (%r)" % (name, want))


def main(argv):
    work, console = argv[1], argv[2]
    L = records(os.path.join(work, "L.jsonl"))
    A = records(os.path.join(work, "A.jsonl"))
    B = records(os.path.join(work, "B.jsonl"))
    ga, gb, gl = groups_by_id(A), groups_by_id(B), groups_by_id(L)
    s1 = commands(os.path.join(work, "grow1.out"))
    s2 = commands(os.path.join(work, "grow2.out"))

    rows, head = parse(s1.get(2, []))
    check_rows("a dump with itself", rows, head, ga, ga)
    check(head.get("groups", (1,))[:4] == (0, 0, 0, 0),
          "a dump with itself: nothing appeared, grew, shrank or disappeared")

    rows, head = parse(s1.get(3, []))
    check_rows("two boots (leaks fixture, then grow's first dump)", rows, head, gl, ga)
    check_memleak_test_same("two boots", rows, L, ga)
    check(not any("different kernel releases" in l for l in s1.get(3, [])),
          "two boots of one kernel: no kernel-release note")

    check(not any("malformed" in l for k in (2, 3) for l in s1.get(k, [])) and
          not any("malformed" in l for l in s2.get(1, [])),
          "memleak's own JSON Lines read without a malformed line")
    rows, head = parse(s2.get(1, []))
    check_rows("before and after step 2", rows, head, ga, gb)
    (ra, ya), (rb, yb) = summary(A), summary(B)
    check(head.get("totals") == (ra, rb, ya, yb),
          "totals: orphans reported then and now as the summaries say (%s)"
          % (head.get("totals"),))
    check_planted(rows, console)
    check_memleak_test_same("before and after step 2", rows, A, gb)

    for k, name, want in ((2, "not JSON", "an object was expected"),
                          (3, "schema 2", "schema 2"),
                          (4, "no run record", "first line is not the run record"),
                          (5, "no summary (cut short)", "no summary record"),
                          (6, "an empty file", "it is empty"),
                          (7, "an absent file", "No such file")):
        check_refused(name, s2.get(k, []), want)
    main_head = head.get("groups")
    text = "\n".join(s2.get(8, []))
    check("1 malformed and 0 overlong lines ignored (the first: line 3" in text and
          parse(s2.get(8, []))[1].get("groups") == main_head,
          "one malformed line: counted, named, the comparison unchanged")
    text = "\n".join(s2.get(9, []))
    check("different kernel releases (then 9.9.9-other" in text and
          parse(s2.get(9, []))[1].get("groups") == main_head,
          "another kernel release: said, compared all the same")
    return 1 if NFAIL else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
