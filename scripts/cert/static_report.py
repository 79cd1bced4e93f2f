#!/usr/bin/env python3
"""Static analysis evidence: cppcheck general findings and clang-tidy
findings, deduplicated, each justified by docs/deviations.md or counted
unjustified. Writes static.json and prints the counts."""
import argparse
import json
import os
import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import certlib  # noqa: E402

TIDY_RE = re.compile(r"^(\S+?):(\d+):(\d+): (warning|error): (.*?)(?: \[([^\]]+)\])?$")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cppcheck")
    ap.add_argument("tidy")
    ap.add_argument("out")
    ap.add_argument("--cppcheck-status", type=int, default=0)
    ap.add_argument("--tidy-status", type=int, default=0)
    a = ap.parse_args()
    devs, problems = certlib.load_deviations()
    findings = []
    seen = set()

    def add(tool, path, line, col, rule, severity, msg):
        path = os.path.normpath(path)
        if os.path.isabs(path):
            path = os.path.relpath(path)
        key = (tool, path, line, col, rule)
        if key in seen:
            return
        seen.add(key)
        d = certlib.justify(devs, tool, rule, path, line)
        findings.append({"tool": tool, "file": path, "line": line, "col": col, "rule": rule,
                         "severity": severity, "message": msg,
                         "function": certlib.function_at(path, line),
                         "deviation": d.id if d else None,
                         "code": (certlib.source_line(path, line) or "").strip()[:160]})

    with open(a.cppcheck, encoding="utf-8", errors="replace") as f:
        for line in f:
            p = line.rstrip("\n").split(":", 5)
            if len(p) == 6 and p[1].isdigit():
                add("cppcheck", p[0], int(p[1]), int(p[2]), p[4], p[3], p[5])
    with open(a.tidy, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = TIDY_RE.match(line.rstrip("\n"))
            if m:
                for rule in (m.group(6) or "clang-diagnostic").split(","):
                    add("clang-tidy", m.group(1), int(m.group(2)), int(m.group(3)), rule,
                        m.group(4), m.group(5))
    findings.sort(key=lambda x: (x["tool"], x["file"], x["line"], x["col"], x["rule"]))

    def counts(tool):
        sel = [x for x in findings if x["tool"] == tool]
        by_rule = {}
        for x in sel:
            r = by_rule.setdefault(x["rule"], {"total": 0, "unjustified": 0})
            r["total"] += 1
            r["unjustified"] += 0 if x["deviation"] else 1
        return {"total": len(sel), "justified": sum(1 for x in sel if x["deviation"]),
                "unjustified": sum(1 for x in sel if not x["deviation"]), "by_rule": by_rule}

    sdevs = [d for d in devs if d.tool in ("cppcheck", "clang-tidy")]
    res = {
        "cppcheck": {"status": a.cppcheck_status, **counts("cppcheck"),
                     "checks": "--enable=warning,style,performance,portability"},
        "clang-tidy": {"status": a.tidy_status, **counts("clang-tidy"),
                       "checks": "see .clang-tidy"},
        "findings": findings,
        "deviations": [d.as_dict() for d in sdevs],
        "unused_deviations": [d.id for d in sdevs if d.used == 0],
        "deviation_problems": problems,
    }
    res["met"] = (res["cppcheck"]["unjustified"] == 0 and res["clang-tidy"]["unjustified"] == 0
                  and a.cppcheck_status == 0 and a.tidy_status == 0)
    with open(a.out, "w") as f:
        json.dump(res, f, indent=1)
    for tool in ("cppcheck", "clang-tidy"):
        c = res[tool]
        print("%s: %d findings, %d justified, %d unjustified" %
              (tool, c["total"], c["justified"], c["unjustified"]))
    for x in findings:
        if not x["deviation"]:
            print("  %s:%d:%d: %s [%s] %s" % (x["file"], x["line"], x["col"], x["tool"],
                                             x["rule"], x["message"]))
    if res["unused_deviations"]:
        print("deviations matching nothing: " + " ".join(res["unused_deviations"]))
    return 0 if a.cppcheck_status == 0 and a.tidy_status == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
