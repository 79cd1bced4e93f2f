#!/usr/bin/env python3
"""Certification report: reads the JSON evidence of every step under
build/cert/ and writes index.html (one page, links to the detailed reports),
misra.html, summary.json and summary.txt. Prints the summary, the coverage
line last, and decides the exit status of `make cert`:

  evidence broken (always fails): a failed test or requirement without a
    passing test, a sanitizer report, an irreproducible build, a tool that
    did not run, a malformed deviations file;
  goal missed (fails only with CERT_STRICT=1): coverage targets of the device
    models and exit handlers, unjustified MISRA findings in src/dev and
    src/boot, unjustified static-analysis findings, strict-set warnings."""
import json
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import certlib  # noqa: E402

E = certlib.html_escape
CERT = os.environ.get("CERT_DIR", "build/cert")
STRICT = os.environ.get("CERT_STRICT", "") not in ("", "0")


def load(name):
    try:
        with open(os.path.join(CERT, name)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def steps():
    out, total = {}, None
    try:
        with open(os.path.join(CERT, "steps.txt")) as f:
            for line in f:
                p = line.split()
                if p and p[0] == "total":
                    total = int(p[1])
                elif len(p) == 3:
                    out[p[0]] = {"status": int(p[1]), "seconds": int(p[2])}
    except OSError:
        pass
    return out, total


def pct(p):
    return "n/a" if p is None else "%.1f%%" % p


def table(head, rows, cls=""):
    h = "".join("<th>%s</th>" % E(x) for x in head)
    body = "".join("<tr>%s</tr>" % "".join(
        "<td%s>%s</td>" % (c[1] if isinstance(c, tuple) else "",
                           c[0] if isinstance(c, tuple) else E(c)) for c in r) for r in rows)
    return '<table class="%s"><thead><tr>%s</tr></thead><tbody>%s</tbody></table>' % (cls, h, body)


def badge(ok, yes="met", no="not met"):
    if ok is None:
        return ('<span class="na">n/a</span>', "")
    return ('<span class="%s">%s</span>' % ("ok" if ok else "bad", yes if ok else no), "")


def raw(html):
    return (html, "")


def main():
    cfg, suite_steps = load("config.json"), None
    cov, san, mis = load("coverage.json"), load("sanitizers.json"), load("misra.json")
    sta, war, rep, tra = load("static.json"), load("warnings.json"), load("repro.json"), \
        load("trace.json")
    st, total_s = steps()

    # ---- verdicts --------------------------------------------------------
    broken, missed = [], []

    def step_ok(name):
        return name in st and st[name]["status"] == 0

    results = {"PASS": 0, "FAIL": 0, "SKIP": 0}
    try:
        with open(os.path.join(CERT, "test-results.txt")) as f:
            for line in f:
                w = line.split(" ", 1)[0]
                if w in results:
                    results[w] += 1
    except OSError:
        broken.append("suite: no results file")
    if results["FAIL"]:
        broken.append("suite: %d failed" % results["FAIL"])
    if tra is None:
        broken.append("traceability: not produced")
    else:
        nopass = [r["id"] for r in tra["matrix"] if r["result"] in ("FAIL", "NO TEST")
                  and not r["withdrawn"]]
        if nopass:
            broken.append("traceability: %d requirements without a passing test" % len(nopass))
        if tra["undefined_ids_named_by_tests"]:
            broken.append("traceability: tests name undefined IDs")
        if tra["named_files_missing"]:
            broken.append("traceability: requirements name missing files: "
                          + " ".join(tra["named_files_missing"]))
    if cov is None:
        broken.append("coverage: not produced")
    else:
        for k in ("unit", "integration"):
            if cov["inputs"][k]["status"] != 0:
                broken.append("coverage: instrumented %s tests failed" % k)
        for k, t in cov["targets"].items():
            if not t["met"]:
                missed.append("coverage: %s %s %s < target %.0f%%" % (
                    cov["area"]["name"], k, pct(t["value"]), t["target"]))
    if san is None or not san["ok"]:
        broken.append("sanitizers: %s" % ("not run" if san is None else "failure or report"))
    if rep is None or not rep["ok"]:
        broken.append("reproducible build: %s" % ("not run" if rep is None
                                                  else "binaries differ or leak paths"))
    if mis is None:
        broken.append("MISRA: not produced")
    else:
        if mis["deviation_problems"]:
            broken.append("deviations file: " + "; ".join(mis["deviation_problems"]))
        tool_errors = mis["by_category"].get("Tool", {}).get("total", 0)
        if tool_errors:
            broken.append("MISRA: cppcheck could not check %d places" % tool_errors)
        if not mis["goal"]["met"]:
            missed.append("MISRA: unjustified findings in %s" % ", ".join(
                "%s %d" % kv for kv in mis["goal"]["unjustified"].items()))
    if sta is None or not step_ok("static"):
        broken.append("static analysis: a tool did not run")
    elif not sta["met"]:
        missed.append("static analysis: %d cppcheck and %d clang-tidy findings unjustified" % (
            sta["cppcheck"]["unjustified"], sta["clang-tidy"]["unjustified"]))
    if war is None or not step_ok("warnings"):
        broken.append("strict warnings: a compile failed")
    elif not war["met"]:
        missed.append("strict warnings: %s" % ", ".join(
            "%s %d" % (k, v["unjustified"]) for k, v in war["compilers"].items()))
    if cfg is None:
        broken.append("configuration index: not produced")

    # ---- summary ---------------------------------------------------------
    summary = {"broken": broken, "missed": missed, "strict": STRICT,
               "tests": results, "seconds": total_s}
    lines = []
    lines.append("tests: %d passed, %d failed, %d skipped" %
                 (results["PASS"], results["FAIL"], results["SKIP"]))
    if tra:
        c = tra["counts"]
        lines.append("traceability: %d requirements, %d with a passing test, %d failed, "
                     "%d only skipped, %d without test; %d tests without requirement; "
                     "%d src files without requirement" % (
                         tra["requirements"], c["PASS"], c["FAIL"], c["SKIP"], c["NO TEST"],
                         len(tra["tests_without_requirement"]),
                         len(tra["code_files_without_requirement"])))
    if mis:
        t = mis["total"]
        lines.append("MISRA C:2012: %d findings, %d justified (%d deviated, %d disapplied, "
                     "%d false positives), %d unjustified; src/dev %d, src/boot %d unjustified" % (
                         t["total"], t["justified"], t["deviated"], t["disapplied"],
                         t["false_positive"], t["unjustified"], mis["goal"]["unjustified"].get("src/dev", 0),
                         mis["goal"]["unjustified"].get("src/boot", 0)))
    if sta:
        lines.append("static analysis: cppcheck %d findings (%d unjustified), clang-tidy %d "
                     "(%d unjustified)" % (sta["cppcheck"]["total"], sta["cppcheck"]["unjustified"],
                                           sta["clang-tidy"]["total"],
                                           sta["clang-tidy"]["unjustified"]))
    if war:
        lines.append("strict warnings: " + ", ".join(
            "%s %d (%d unjustified)" % (k, v["total"], v["unjustified"])
            for k, v in war["compilers"].items()))
    if san:
        lines.append("sanitizers: %s" % ", ".join(
            "%s %s" % (r["name"], "ok" if r["ok"] else "FAILED") for r in san["runs"]))
    if rep:
        lines.append("reproducible build: %s, sha256 %s" % (
            "identical" if rep["identical"] else "DIFFERENT", rep["sha256_a"]))
    if cfg:
        g = cfg["git"]
        lines.append("configuration: commit %s%s" % (
            g["commit"] or "(no git)",
            "" if g["working_tree_clean"] else " + %d uncommitted changes" % len(g["changes"])))
    for b in broken:
        lines.append("EVIDENCE BROKEN: " + b)
    for m in missed:
        lines.append("goal not met%s: %s" % (" (CERT_STRICT)" if STRICT else "", m))
    lines.append("report: %s/index.html (%ss)" % (CERT, total_s if total_s is not None else "?"))
    if cov:
        lines.append(cov["line"])
    summary["lines"] = lines
    with open(os.path.join(CERT, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    with open(os.path.join(CERT, "summary.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")

    write_html(cfg, cov, san, mis, sta, war, rep, tra, st, total_s, results, broken, missed)
    write_misra_html(mis)
    write_figures_md(cfg, cov, san, mis, sta, war, rep, tra, total_s, results)
    print()
    print("\n".join(lines))
    return 1 if broken or (STRICT and missed) else 0


CSS = """
body{font-family:sans-serif;margin:1.5em;max-width:1400px;color:#222}
table{border-collapse:collapse;margin:.5em 0 1em}
th,td{border:1px solid #bbb;padding:2px 6px;text-align:left;vertical-align:top;font-size:13px}
th{background:#eee}
td.n{text-align:right}
.ok{color:#fff;background:#2a7d2a;padding:0 4px}
.bad{color:#fff;background:#b22;padding:0 4px}
.warn{color:#000;background:#fc3;padding:0 4px}
.na{color:#666}
code,pre{font-size:12px}
h2{border-bottom:1px solid #999;margin-top:1.5em}
"""


def write_html(cfg, cov, san, mis, sta, war, rep, tra, st, total_s, results, broken, missed):
    h = ['<!DOCTYPE html><html><head><meta charset="utf-8"><title>keel certification '
         'evidence</title><style>%s</style></head><body>' % CSS]
    h.append("<h1>keel certification evidence</h1>")
    if cfg:
        g = cfg["git"]
        h.append("<p>Commit <code>%s</code>%s, generated %s on %s, by <code>make cert</code>. "
                 "How each item maps to DO-178C: <code>docs/certification.md</code>.</p>" % (
                     E(g["commit"] or "(no git)"),
                     "" if g["working_tree_clean"] else
                     ' <span class="warn">with %d uncommitted changes</span>' % len(g["changes"]),
                     E(cfg["generated"]), E(cfg["host"]["os"])))
    if broken:
        h.append('<p><span class="bad">Evidence broken</span></p><ul>%s</ul>' %
                 "".join("<li>%s</li>" % E(b) for b in broken))
    if missed:
        h.append('<p><span class="warn">Goals not met</span></p><ul>%s</ul>' %
                 "".join("<li>%s</li>" % E(m) for m in missed))

    # Summary
    rows = []
    rows.append(["Requirements-based tests", "DO-178C 6.4, Table A-6/A-7",
                 "%d passed, %d failed, %d skipped" % (results["PASS"], results["FAIL"],
                                                      results["SKIP"]),
                 badge(results["FAIL"] == 0)])
    if tra:
        rows.append(["Traceability", "Table A-6 obj. 1-4, A-7 obj. 3-4 (trace data)",
                     "%d requirements, %d with a passing test" % (tra["requirements"],
                                                                  tra["counts"]["PASS"]),
                     badge(tra["ok"])])
    if cov:
        a = cov["area"]
        rows.append(["Structural coverage", "Table A-7 obj. 5-7 (statement, decision, MC/DC)",
                     "all of src/: lines %s, branches %s, MC/DC %s; %s: lines %s, branches %s, "
                     "MC/DC %s" % (pct(cov["total"]["lines"]["percent"]),
                                   pct(cov["total"]["branches"]["percent"]),
                                   pct(cov["total"]["mcdc"]["percent"]), a["name"],
                                   pct(a["lines"]["percent"]), pct(a["branches"]["percent"]),
                                   pct(a["mcdc"]["percent"])),
                     badge(all(t["met"] for t in cov["targets"].values()))])
    if mis:
        rows.append(["MISRA C:2012", "Table A-5 obj. 4 (code standards)",
                     "%d findings, %d unjustified (src/dev %d, src/boot %d)" % (
                         mis["total"]["total"], mis["total"]["unjustified"],
                         mis["goal"]["unjustified"].get("src/dev", 0),
                         mis["goal"]["unjustified"].get("src/boot", 0)),
                     badge(mis["goal"]["met"])])
    if sta:
        rows.append(["Static analysis", "Table A-5 obj. 6 (accuracy, consistency)",
                     "cppcheck %d (%d unjustified), clang-tidy %d (%d unjustified)" % (
                         sta["cppcheck"]["total"], sta["cppcheck"]["unjustified"],
                         sta["clang-tidy"]["total"], sta["clang-tidy"]["unjustified"]),
                     badge(sta["met"])])
    if war:
        rows.append(["Strict warnings as errors", "Table A-5 obj. 4, 6",
                     ", ".join("%s %d" % (k, v["total"]) for k, v in war["compilers"].items()),
                     badge(war["met"])])
    if san:
        rows.append(["Sanitizers (ASan+UBSan)", "Table A-6 obj. 3-4 (robustness)",
                     ", ".join("%s: %s%s" % (r["name"], r["result"],
                                             ", %d sanitizer reports" % r["reports"]
                                             if r["reports"] else "") for r in san["runs"]),
                     badge(san["ok"], "clean", "failed")])
    if rep:
        rows.append(["Reproducible build", "Table A-8 (configuration management), 7.2",
                     "sha256 %s" % rep["sha256_a"],
                     badge(rep["ok"], "identical", "different")])
    if cfg:
        rows.append(["Configuration index", "Table A-8, 11.16 (SCI), 11.15 (SECI)",
                     "%d files hashed, %d tools" % (len(cfg["files"]), len(cfg["tools"])),
                     badge(True, "recorded")])
    h.append("<h2>Summary</h2>")
    h.append(table(["evidence", "DO-178C", "figures", "status"], rows))
    h.append("<p>Machine-readable: %s.</p>" % ", ".join(
        '<a href="%s">%s</a>' % (n, n) for n in (
            "summary.json", "config.json", "trace.json", "trace/matrix.csv", "coverage.json",
            "coverage/uncovered-decisions.txt", "misra.json", "misra/misra-findings.csv",
            "static.json", "warnings.json", "sanitizers.json", "repro.json",
            "test-results.txt") if os.path.exists(os.path.join(CERT, n))))

    # Traceability
    if tra:
        h.append("<h2>Requirements traceability</h2>")
        h.append("<p>%d requirements; results from <a href='test-results.txt'>test-results.txt"
                 "</a>.</p>" % tra["requirements"])

        def lst(title, items):
            return "<p><b>%s</b>: %s</p>" % (E(title), E(" ".join(items)) if items else "none")
        h.append(lst("Requirements without test", tra["requirements_without_test"]))
        h.append(lst("Requirements without a passing test",
                     tra["requirements_without_passing_test"]))
        h.append(lst("Tests without requirement", tra["tests_without_requirement"]))
        h.append(lst("Code files (src/*.c) named by no requirement",
                     tra["code_files_without_requirement"]))
        h.append(lst("Files named by requirements that do not exist", tra["named_files_missing"]))
        mrows = []
        for r in tra["matrix"]:
            res = r["result"]
            cls = {"PASS": "ok", "FAIL": "bad", "SKIP": "warn"}.get(res, "bad")
            mrows.append([r["id"], r["text"], raw("<br>".join(E(f) for f in r["files"])),
                          raw("<br>".join("%s %s" % (E(t["name"]), E(t["result"]))
                                          for t in r["tests"])),
                          raw('<span class="%s">%s</span>' % (cls, E(res)))])
        h.append("<details><summary>Matrix (requirement &rarr; code &rarr; tests &rarr; "
                 "last result)</summary>%s</details>" %
                 table(["requirement", "text", "implemented in", "tests", "result"], mrows))

    # Coverage
    if cov:
        h.append("<h2>Structural coverage (clang source-based, MC/DC)</h2>")
        h.append("<p>Inputs: unit tests (%d passed) and integration tests (%d passed, %d "
                 "skipped) against the instrumented keel. Excluded: tests/, guests/. "
                 "<a href='coverage/html/index.html'>Annotated source (HTML)</a>, "
                 "<a href='coverage/report.txt'>llvm-cov report</a>, "
                 "<a href='coverage/uncovered-decisions.txt'>uncovered decisions</a>.</p>" % (
                     cov["inputs"]["unit"]["PASS"], cov["inputs"]["integration"]["PASS"],
                     cov["inputs"]["integration"]["SKIP"]))
        t = cov["targets"]
        h.append("<p>Target area %s: lines %s (target %.0f%%) %s, MC/DC %s (target %.0f%%) "
                 "%s</p>" % (E(cov["area"]["name"]), pct(t["lines"]["value"]),
                             t["lines"]["target"], badge(t["lines"]["met"])[0],
                             pct(t["mcdc"]["value"]), t["mcdc"]["target"],
                             badge(t["mcdc"]["met"])[0]))
        crow = []

        def cells(s):
            out = []
            for k in ("lines", "regions", "branches", "mcdc", "functions"):
                out.append(("%s<br><small>%d/%d</small>" % (
                    pct(s[k]["percent"]), s[k]["covered"], s[k]["count"]), ' class="n"'))
            return out
        for fe in cov["files"]:
            if fe["lines"]["count"] == 0:
                continue  # a header without code
            crow.append([raw(("<b>%s</b>" if fe["area"] else "%s") % E(fe["file"]))] + cells(fe))
        crow.append([raw("<b>%s</b>" % E(cov["area"]["name"]))] + cells(cov["area"]))
        crow.append([raw("<b>total (src/)</b>")] + cells(cov["total"]))
        h.append(table(["file", "lines", "regions", "branches", "MC/DC conditions",
                        "functions"], crow))
        urows = [[u["file"] + ":%d:%d" % (u["line"], u["col"]), u["kind"], u["what"],
                  raw("<code>%s</code>" % E(u["code"]))] for u in cov["uncovered"]]
        h.append("<details><summary>Uncovered decisions (%d; target area first)</summary>%s"
                 "</details>" % (len(urows), table(
                     ["place", "kind", "what", "code"],
                     [r for r, u in zip(urows, cov["uncovered"]) if u["area"]] +
                     [r for r, u in zip(urows, cov["uncovered"]) if not u["area"]])))
        if cov["mcdc_unsupported"]:
            h.append("<p>Decisions clang 19 cannot instrument for MC/DC (branch coverage "
                     "applies): %s</p>" % E(", ".join(
                         "%s:%d" % (u["file"], u["line"]) for u in cov["mcdc_unsupported"])))

    # MISRA
    if mis:
        h.append("<h2>MISRA C:2012 (cppcheck addon)</h2>")
        h.append("<p>Deviations and the guideline re-categorization plan: "
                 "<code>docs/deviations.md</code>. Every finding: <a href='misra.html'>misra.html"
                 "</a>, <a href='misra/misra-findings.csv'>CSV</a>; unjustified only: "
                 "<a href='misra/misra-unjustified.txt'>text</a>.</p>")
        def ncells(c):
            return [(str(c[k]), ' class="n"') for k in
                    ("total", "deviated", "disapplied", "false_positive", "unjustified")]
        arows = [[a] + ncells(c) for a, c in mis["by_area"].items()]
        arows.append([raw("<b>total</b>")] + ncells(mis["total"]))
        h.append(table(["area", "findings", "deviated", "disapplied (GRP)", "false positive",
                        "unjustified"], arows))
        rrows = [[r, c["category"], (str(c["total"]), ' class="n"'),
                  (str(c["unjustified"]), ' class="n"'), " ".join(c["deviations"])]
                 for r, c in mis["by_rule"].items()]
        h.append("<details><summary>Per rule</summary>%s</details>" % table(
            ["rule", "category", "findings", "unjustified", "deviations"], rrows))
        drows = [[d["id"], d["kind"], ", ".join(d["rules"]), ", ".join(d["places"]),
                  d["justification"], (str(d["matched"]), ' class="n"')]
                 for d in mis["deviations"]]
        h.append("<details><summary>Deviations (%d)</summary>%s</details>" % (
            len(drows), table(["ID", "kind", "rule", "places", "justification", "findings"],
                              drows)))

    # Static analysis
    if sta:
        h.append("<h2>Static analysis</h2>")
        h.append("<p>cppcheck %s; clang-tidy-19 with the checked-in <code>.clang-tidy</code>."
                 "</p>" % E(sta["cppcheck"]["checks"]))
        srows = [[x["tool"], "%s:%d" % (x["file"], x["line"]), x["rule"], x["message"],
                  x["deviation"] or raw('<span class="bad">unjustified</span>')]
                 for x in sta["findings"]]
        h.append(table(["tool", "place", "check", "message", "deviation"], srows))

    # Warnings
    if war:
        h.append("<h2>Compiler warnings (strict set, as errors)</h2>")
        h.append("<p>Flag set: <code>scripts/cert/warnings.flags</code>.</p>")
        for name, c in war["compilers"].items():
            h.append("<p><b>%s</b>: <code>%s</code></p>" % (E(name), E(" ".join(c["flags"]))))
        wrows = [[name, "%s:%d" % (x["file"], x["line"]), x["flag"], x["message"],
                  x["deviation"] or raw('<span class="bad">unjustified</span>')]
                 for name, c in war["compilers"].items() for x in c["findings"]]
        h.append(table(["compiler", "place", "flag", "message", "deviation"], wrows))

    # Sanitizers
    if san:
        h.append("<h2>Sanitizers</h2><p>%s; fuzz targets %ds each over their seeds.</p>" % (
            E(san["sanitizers"]), san["fuzz_seconds"]))
        h.append(table(["kind", "name", "status", "result", "sanitizer reports", "status"],
                       [[r["kind"], r["name"], str(r["status"]), r["result"], str(r["reports"]),
                         badge(r["ok"], "clean", "failed")] for r in san["runs"]]))

    # Reproducibility
    if rep:
        h.append("<h2>Reproducible build</h2><p>%s.</p>" % E(rep["method"]))
        h.append(table(["build", "SHA-256 of build/keel"], [
            ["A: " + rep["folders"][0], raw("<code>%s</code>" % rep["sha256_a"])],
            ["B: " + rep["folders"][1], raw("<code>%s</code>" % rep["sha256_b"])],
            ["product build/keel", raw("<code>%s</code>" % (rep["sha256_product"] or "-"))]]))
        h.append("<p>Identical: %s; build paths found in the binary: %d; size %d bytes.</p>" % (
            badge(rep["identical"], "yes", "no")[0], rep["path_leaks"], rep["size"]))

    # Configuration index
    if cfg:
        h.append("<h2>Configuration index</h2>")
        g = cfg["git"]
        h.append(table(["item", "value"], [
            ["git commit", g["commit"] or "-"], ["describe", g["describe"] or "-"],
            ["commit date", g["commit_date"] or "-"],
            ["working tree", "clean" if g["working_tree_clean"] else
             "%d changes: %s" % (len(g["changes"]), "; ".join(g["changes"]))],
            ["host", "%s, Linux %s, %s, %d CPUs, /dev/kvm %s" % (
                cfg["host"]["os"], cfg["host"]["kernel"], cfg["host"]["machine"],
                cfg["host"]["cpus"], "yes" if cfg["host"]["kvm"] else "no")]]))
        h.append(table(["tool", "version"], [[k, v] for k, v in cfg["tools"].items()]))
        h.append(table(["Debian package", "version"],
                       [[k, v or "not installed"] for k, v in cfg["packages"].items()]))
        h.append(table(["build", "compiler", "flags"],
                       [[k, v["CC"], raw("<code>%s</code>" % E(v["CFLAGS"]))]
                        for k, v in cfg["flags"].items()]))
        h.append("<details><summary>Files (%d, SHA-256)</summary>%s</details>" % (
            len(cfg["files"]), table(["path", "size", "sha256"],
                                     [[f["path"], (str(f["size"]), ' class="n"'),
                                       raw("<code>%s</code>" % f["sha256"])]
                                      for f in cfg["files"]])))

    h.append("<h2>Steps</h2>")
    h.append(table(["step", "status", "seconds", "log"],
                   [[k, str(v["status"]), (str(v["seconds"]), ' class="n"'),
                     raw('<a href="logs/%s.log">log</a>' % E(k))] for k, v in st.items()]))
    h.append("<p>Total %ss (steps after the builds).</p></body></html>" %
             (total_s if total_s is not None else "?"))
    with open(os.path.join(CERT, "index.html"), "w") as f:
        f.write("\n".join(h))


def write_figures_md(cfg, cov, san, mis, sta, war, rep, tra, total_s, results):
    """The figures as Markdown, for docs/certification.md (figures.md)."""
    out = []
    if cfg:
        g = cfg["git"]
        out.append("Run of %s on %s (%s, %d CPUs, /dev/kvm %s), commit `%s`%s; "
                   "`make cert` steps took %ss after the builds.\n" % (
                       cfg["generated"][:10], cfg["host"]["os"], cfg["host"]["kernel"],
                       cfg["host"]["cpus"], "yes" if cfg["host"]["kvm"] else "no",
                       (g["commit"] or "-")[:12],
                       "" if g["working_tree_clean"] else
                       " plus %d uncommitted changes" % len(g["changes"]),
                       total_s if total_s is not None else "?"))
    out.append("| evidence | figure |")
    out.append("|---|---|")
    out.append("| tests | %d passed, %d failed, %d skipped |" % (
        results["PASS"], results["FAIL"], results["SKIP"]))
    if tra:
        c = tra["counts"]
        out.append("| traceability | %d requirements: %d with a passing test, %d failed, %d only "
                   "skipped, %d without test; tests without requirement: %s; src files without "
                   "requirement: %s |" % (
                       tra["requirements"], c["PASS"], c["FAIL"], c["SKIP"], c["NO TEST"],
                       " ".join(tra["tests_without_requirement"]) or "none",
                       ", ".join(tra["code_files_without_requirement"]) or "none"))
    if cov:
        for label, s in (("coverage, all of src/", cov["total"]),
                         ("coverage, %s" % cov["area"]["name"], cov["area"])):
            out.append("| %s | lines %s (%d/%d), regions %s, branches %s (%d/%d), MC/DC %s "
                       "(%d/%d conditions), functions %s |" % (
                           label, pct(s["lines"]["percent"]), s["lines"]["covered"],
                           s["lines"]["count"], pct(s["regions"]["percent"]),
                           pct(s["branches"]["percent"]), s["branches"]["covered"],
                           s["branches"]["count"], pct(s["mcdc"]["percent"]),
                           s["mcdc"]["covered"], s["mcdc"]["count"],
                           pct(s["functions"]["percent"])))
        out.append("| coverage per area | %s |" % "; ".join(
            "%s lines %s, MC/DC %s" % (a, pct(v["lines"]["percent"]), pct(v["mcdc"]["percent"]))
            for a, v in sorted(area_totals(cov).items())))
    if mis:
        t = mis["total"]
        out.append("| MISRA C:2012 | %d findings: %d deviated, %d disapplied (GRP), %d false "
                   "positives, **%d unjustified** |" % (
                       t["total"], t["deviated"], t["disapplied"], t["false_positive"],
                       t["unjustified"]))
        out.append("| MISRA unjustified per area | %s |" % ", ".join(
            "%s %d" % (a, c["unjustified"]) for a, c in mis["by_area"].items()))
    if sta:
        out.append("| clang-tidy | %d findings, %d justified, %d unjustified |" % (
            sta["clang-tidy"]["total"], sta["clang-tidy"]["justified"],
            sta["clang-tidy"]["unjustified"]))
        out.append("| cppcheck (general) | %d findings, %d justified, %d unjustified |" % (
            sta["cppcheck"]["total"], sta["cppcheck"]["justified"],
            sta["cppcheck"]["unjustified"]))
    if war:
        out.append("| strict warnings | %s |" % ", ".join(
            "%s %d" % (k, v["total"]) for k, v in war["compilers"].items()))
    if san:
        out.append("| sanitizers | %s |" % "; ".join(
            "%s: %s%s" % (r["name"], r["result"], ", %d reports" % r["reports"]
                          if r["reports"] else "") for r in san["runs"]))
    if rep:
        out.append("| reproducible build | %s; SHA-256 of build/keel `%s` |" % (
            "two builds identical" if rep["identical"] else "builds DIFFER", rep["sha256_a"]))
    with open(os.path.join(CERT, "figures.md"), "w") as f:
        f.write("\n".join(out) + "\n")


def area_totals(cov):
    acc = {}
    for fe in cov["files"]:
        a = certlib.area_of(fe["file"])
        t = acc.setdefault(a, {k: {"count": 0, "covered": 0} for k in ("lines", "mcdc")})
        for k in ("lines", "mcdc"):
            t[k]["count"] += fe[k]["count"]
            t[k]["covered"] += fe[k]["covered"]
    for t in acc.values():
        for k in ("lines", "mcdc"):
            t[k]["percent"] = (100.0 * t[k]["covered"] / t[k]["count"]
                               if t[k]["count"] else None)
    return acc


def write_misra_html(mis):
    if not mis:
        return
    rows = [["%s:%d:%d" % (x["file"], x["line"], x["col"]), x["rule"], x["category"],
             x["function"] or "", raw("<code>%s</code>" % E(x["code"])),
             x["deviation"] or raw('<span class="bad">unjustified</span>')]
            for x in mis["findings"]]
    with open(os.path.join(CERT, "misra.html"), "w") as f:
        f.write('<!DOCTYPE html><html><head><meta charset="utf-8"><title>keel MISRA C:2012 '
                'findings</title><style>%s</style></head><body><h1>MISRA C:2012 findings'
                '</h1><p>%d findings, %d unjustified. <a href="index.html">Back</a></p>%s'
                '</body></html>' % (CSS, mis["total"]["total"], mis["total"]["unjustified"],
                                    table(["place", "rule", "category", "function", "code",
                                           "deviation"], rows)))


if __name__ == "__main__":
    sys.exit(main())
