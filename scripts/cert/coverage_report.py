#!/usr/bin/env python3
"""Reduces llvm-cov's JSON export to the coverage evidence of keel:
per-file and total line (statement), region, branch and MC/DC figures, the
same figures for the target area (device models and exit handlers), and the
list of uncovered decisions (branch outcomes never taken, MC/DC conditions
whose independent effect was not shown). Writes coverage.json and a text list;
prints the one-line summary last."""
import argparse
import json
import os
import re
import sys

# Target area of the issue: device models and exit handlers. Targets: 100 %
# statement (line) coverage, >= 90 % MC/DC.
AREA_NAME = "src/dev+src/vm/exit.c"
AREA_RE = re.compile(r"^src/dev/[^/]+\.[ch]$|^src/vm/exit\.c$")
TARGET_LINES = 100.0
TARGET_MCDC = 90.0

KINDS = ("lines", "regions", "branches", "mcdc", "functions")


def rel(path):
    path = os.path.normpath(path)
    cwd = os.getcwd() + os.sep
    if path.startswith(cwd):
        path = path[len(cwd):]
    return path


def pct(covered, count):
    return 100.0 * covered / count if count else None


def fmt(p):
    return "n/a" if p is None else "%.1f%%" % p


def summarize(summary):
    out = {}
    for k in KINDS:
        s = summary.get(k, {"count": 0, "covered": 0})
        out[k] = {"count": s["count"], "covered": s["covered"],
                  "percent": pct(s["covered"], s["count"])}
    return out


def add(acc, s):
    for k in KINDS:
        a = acc.setdefault(k, {"count": 0, "covered": 0})
        a["count"] += s[k]["count"]
        a["covered"] += s[k]["covered"]
    for k in KINDS:
        acc[k]["percent"] = pct(acc[k]["covered"], acc[k]["count"])
    return acc


def source_lines(path, cache={}):
    if path not in cache:
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                cache[path] = f.read().split("\n")
        except OSError:
            cache[path] = []
    return cache[path]


def snippet(path, l1, c1, l2, c2):
    lines = source_lines(path)
    if not lines or l1 < 1 or l2 > len(lines):
        return ""
    if l1 == l2:
        text = lines[l1 - 1][c1 - 1:c2 - 1]
    else:
        parts = [lines[l1 - 1][c1 - 1:]]
        parts += [lines[i - 1].strip() for i in range(l1 + 1, l2)]
        parts.append(lines[l2 - 1][:c2 - 1].strip())
        text = " ".join(parts)
    return " ".join(text.split())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("export")
    ap.add_argument("--out", required=True)
    ap.add_argument("--uncovered", required=True)
    ap.add_argument("--unit-status", type=int, default=0)
    ap.add_argument("--integration-status", type=int, default=0)
    ap.add_argument("--unit-results")
    ap.add_argument("--integration-results")
    ap.add_argument("--unsupported")
    ap.add_argument("--show", help="llvm-cov show -format=text output: uncovered lines")
    a = ap.parse_args()

    with open(a.export) as f:
        data = json.load(f)["data"][0]

    files = []
    total, area = {}, {}
    uncovered = []
    for fe in sorted(data["files"], key=lambda x: rel(x["filename"])):
        name = rel(fe["filename"])
        if not name.startswith("src/"):
            continue
        s = summarize(fe["summary"])
        in_area = bool(AREA_RE.match(name))
        files.append({"file": name, "area": in_area, **s})
        add(total, s)
        if in_area:
            add(area, s)
        # Branch outcomes never taken (single- and multi-condition decisions).
        # A function defined in a header appears once per object file that
        # instantiates it: counts are summed, MC/DC conditions or-ed, per place.
        branches, mcdc = {}, {}
        for b in fe.get("branches", []):
            key = tuple(b[:4])
            acc = branches.setdefault(key, [0, 0])
            acc[0] += b[4]
            acc[1] += b[5]
        for r in fe.get("mcdc_records", []):
            conds = r[-1] if isinstance(r[-1], list) else []
            key = tuple(r[:4])
            prev = mcdc.get(key)
            mcdc[key] = [a or b for a, b in zip(prev, conds)] if prev else list(conds)
        for (l1, c1, l2, c2), (t, fcount) in branches.items():
            if t and fcount:
                continue
            miss = ("true and false" if not t and not fcount
                    else "true" if not t else "false")
            uncovered.append({"file": name, "line": l1, "col": c1, "kind": "branch",
                              "area": in_area,
                              "what": "%s outcome never taken" % miss,
                              "code": snippet(name, l1, c1, l2, c2)})
        # MC/DC decisions whose conditions were not all shown independent.
        for (l1, c1, l2, c2), conds in mcdc.items():
            missing = ["C%d" % (i + 1) for i, ok in enumerate(conds) if not ok]
            if not missing:
                continue
            uncovered.append({"file": name, "line": l1, "col": c1, "kind": "mcdc",
                              "area": in_area,
                              "what": "%d conditions, independence not shown for %s"
                                      % (len(conds), " ".join(missing)),
                              "code": snippet(name, l1, c1, l2, c2)})

    # Lines never executed (statement coverage), from the annotated listing.
    if a.show and os.path.exists(a.show):
        cur = None
        with open(a.show, encoding="utf-8", errors="replace") as f:
            for line in f:
                m = re.match(r"^(\S+\.[ch]):$", line.rstrip("\n"))
                if m:
                    cur = rel(m.group(1))
                    continue
                m = re.match(r"^ *(\d+)\| +0\|(.*)$", line.rstrip("\n"))
                if m and cur and cur.startswith("src/"):
                    uncovered.append({"file": cur, "line": int(m.group(1)), "col": 1,
                                      "kind": "line", "area": bool(AREA_RE.match(cur)),
                                      "what": "line never executed",
                                      "code": " ".join(m.group(2).split())})
    uncovered.sort(key=lambda u: (u["file"], u["line"], u["col"], u["kind"]))
    unsupported = []
    if a.unsupported and os.path.exists(a.unsupported):
        with open(a.unsupported) as f:
            for line in f:
                m = re.match(r"(\S+?):(\d+):(\d+): warning: (.*)", line.strip())
                if m:
                    unsupported.append({"file": rel(m.group(1)), "line": int(m.group(2)),
                                        "col": int(m.group(3)), "message": m.group(4)})

    def count_results(path):
        res = {"PASS": 0, "FAIL": 0, "SKIP": 0}
        if path and os.path.exists(path):
            with open(path) as f:
                for line in f:
                    w = line.split(" ", 1)[0]
                    if w in res:
                        res[w] += 1
        return res

    line = "coverage: lines %s branches %s mcdc %s (%s: lines %s branches %s mcdc %s)" % (
        fmt(total["lines"]["percent"]), fmt(total["branches"]["percent"]),
        fmt(total["mcdc"]["percent"]), AREA_NAME, fmt(area.get("lines", {}).get("percent")),
        fmt(area.get("branches", {}).get("percent")), fmt(area.get("mcdc", {}).get("percent")))
    area_lines = area.get("lines", {}).get("percent")
    area_mcdc = area.get("mcdc", {}).get("percent")
    targets = {
        "lines": {"target": TARGET_LINES, "value": area_lines,
                  "met": area_lines is not None and area_lines >= TARGET_LINES},
        "mcdc": {"target": TARGET_MCDC, "value": area_mcdc,
                 "met": area_mcdc is not None and area_mcdc >= TARGET_MCDC},
    }
    out = {
        "tool": "clang source-based coverage (-fprofile-instr-generate -fcoverage-mapping "
                "-fcoverage-mcdc), llvm-profdata merge, llvm-cov export",
        "inputs": {
            "unit": {"status": a.unit_status, **count_results(a.unit_results)},
            "integration": {"status": a.integration_status,
                            **count_results(a.integration_results)},
        },
        "total": total, "area": {"name": AREA_NAME, **area}, "targets": targets,
        "files": files, "uncovered": uncovered, "mcdc_unsupported": unsupported,
        "line": line,
    }
    with open(a.out, "w") as f:
        json.dump(out, f, indent=1)
    with open(a.uncovered, "w") as f:
        f.write("# Uncovered lines and decisions of keel (src/), unit + integration tests.\n")
        f.write("# file:line:col  kind  what  |  code    (* = target area %s)\n" % AREA_NAME)
        for u in uncovered:
            f.write("%s%s:%d:%d  %s  %s  |  %s\n" % ("*" if u["area"] else " ", u["file"],
                    u["line"], u["col"], u["kind"], u["what"], u["code"]))
        if unsupported:
            f.write("\n# Decisions clang 19 does not instrument for MC/DC "
                    "(branch coverage still applies):\n")
            for u in unsupported:
                f.write(" %s:%d:%d  %s\n" % (u["file"], u["line"], u["col"], u["message"]))
    print("%d lines never executed, %d uncovered branch outcomes, %d decisions short of "
          "MC/DC, %d not instrumentable"
          % (sum(1 for u in uncovered if u["kind"] == "line"),
             sum(1 for u in uncovered if u["kind"] == "branch"),
             sum(1 for u in uncovered if u["kind"] == "mcdc"), len(unsupported)))
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
