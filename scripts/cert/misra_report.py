#!/usr/bin/env python3
"""Applies docs/deviations.md to cppcheck's MISRA findings and writes the
MISRA evidence: misra.json (every finding, its category and deviation), a CSV
and a plain-text report, and the counts per directory and per rule."""
import csv
import json
import os
import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import certlib  # noqa: E402

# Directories whose unjustified count must be 0 (the goal).
GOAL_AREAS = ("src/dev", "src/boot")


def main(raw, out_json, out_dir):
    devs, problems = certlib.load_deviations()
    findings = []
    with open(raw, encoding="utf-8", errors="replace") as f:
        for line in f:
            parts = line.rstrip("\n").split(":", 5)
            if len(parts) < 6 or not parts[1].isdigit():
                continue
            path, ln, col, sev, ident, msg = parts
            path = os.path.normpath(path)
            m = re.match(r"^misra-c2012-(\d+\.\d+)$", ident)
            if m:
                rule, tool = m.group(1), "misra"
                category = certlib.misra_category(rule)
            else:
                # cppcheck's own messages (syntax error, addon failure...):
                # the file was not fully checked; never justifiable here.
                rule, tool, category = ident, "cppcheck-misra-run", "Tool"
            d = certlib.justify(devs, "misra", rule, path, int(ln)) if tool == "misra" else None
            src = certlib.source_line(path, int(ln)) or ""
            findings.append({
                "file": path, "line": int(ln), "col": int(col), "rule": rule,
                "category": category, "area": certlib.area_of(path),
                "function": certlib.function_at(path, int(ln)),
                "deviation": d.id if d else None,
                "deviation_kind": d.kind if d else None,
                "code": src.strip()[:160],
            })
    findings.sort(key=lambda x: (x["file"], x["line"], x["col"], certlib.rule_key(x["rule"])))

    def counts(sel):
        c = {"total": 0, "justified": 0, "deviated": 0, "disapplied": 0, "false_positive": 0,
             "unjustified": 0}
        for x in sel:
            c["total"] += 1
            if x["deviation"]:
                c["justified"] += 1
                c[{"deviation": "deviated", "disapplied": "disapplied",
                   "false-positive": "false_positive"}[x["deviation_kind"]]] += 1
            else:
                c["unjustified"] += 1
        return c

    areas = sorted({x["area"] for x in findings} |
                   {certlib.area_of(os.path.join(dp, fn)) for dp, _, fns in os.walk("src")
                    for fn in fns if fn.endswith((".c", ".h"))})
    by_area = {a: counts([x for x in findings if x["area"] == a]) for a in areas}
    rules = sorted({x["rule"] for x in findings}, key=certlib.rule_key)
    by_rule = {}
    for r in rules:
        sel = [x for x in findings if x["rule"] == r]
        by_rule[r] = {"category": sel[0]["category"], **counts(sel),
                      "deviations": sorted({x["deviation"] for x in sel if x["deviation"]})}
    by_category = {c: counts([x for x in findings if x["category"] == c])
                   for c in ("Mandatory", "Required", "Advisory", "Unknown", "Tool")}
    goal = {a: by_area.get(a, {"unjustified": 0})["unjustified"] for a in GOAL_AREAS}
    mdevs = [d for d in devs if d.tool == "misra"]
    result = {
        "tool": "cppcheck MISRA C:2012 addon (rule numbers; categories from scripts/cert/certlib.py)",
        "total": counts(findings), "by_area": by_area, "by_rule": by_rule,
        "by_category": by_category,
        "goal": {"areas": list(GOAL_AREAS), "unjustified": goal,
                 "met": all(v == 0 for v in goal.values())},
        "deviations": [d.as_dict() for d in mdevs],
        "unused_deviations": [d.id for d in mdevs if d.used == 0],
        "deviation_problems": problems,
        "findings": findings,
    }
    with open(out_json, "w") as f:
        json.dump(result, f, indent=1)
    with open(os.path.join(out_dir, "misra-findings.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["file", "line", "col", "rule", "category", "function", "deviation", "code"])
        for x in findings:
            w.writerow([x["file"], x["line"], x["col"], x["rule"], x["category"],
                        x["function"] or "", x["deviation"] or "", x["code"]])
    with open(os.path.join(out_dir, "misra-unjustified.txt"), "w") as f:
        for x in findings:
            if not x["deviation"]:
                f.write("%s:%d:%d: MISRA C:2012 Rule %s (%s) in %s: %s\n" % (
                    x["file"], x["line"], x["col"], x["rule"], x["category"],
                    x["function"] or "-", x["code"]))
    t = result["total"]
    print("MISRA: %d findings, %d justified (%d deviated, %d disapplied, %d false positives), "
          "%d unjustified" % (t["total"], t["justified"], t["deviated"], t["disapplied"],
                              t["false_positive"], t["unjustified"]))
    for a in areas:
        c = by_area[a]
        print("  %-14s %5d findings %5d justified %5d unjustified" %
              (a, c["total"], c["justified"], c["unjustified"]))
    for p in problems:
        print("deviations: " + p)
    if result["unused_deviations"]:
        print("deviations matching nothing: " + " ".join(result["unused_deviations"]))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
