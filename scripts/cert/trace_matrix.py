#!/usr/bin/env python3
"""Requirements traceability matrix: requirement -> implementing code ->
tests -> last result, from docs/requirements/*.md (rows
| REQ-AREA-NNN | text | files |) and the suite's results (lines
PASS|FAIL|SKIP suite/name [REQ-IDs] ...). Also lists requirements with no
test, tests with no requirement, source files named by no requirement and
files a requirement names that do not exist. Writes build/cert/trace.json and
build/cert/trace/matrix.csv."""
import csv
import glob
import json
import os
import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import certlib  # noqa: E402

REQ_RE = re.compile(r"^REQ-[A-Z0-9]+-\d+$")
RESULT_RE = re.compile(r"^(PASS|FAIL|SKIP) (\S+) \[([^\]]*)\](.*)$")
# Checks of the suite itself, not tests of keel's behaviour.
NOT_TESTS = ("trace/",)


def load_requirements():
    reqs = []
    for path in sorted(glob.glob("docs/requirements/*.md")):
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                cells = certlib.split_row(line)
                if not cells or not REQ_RE.match(cells[0]):
                    continue
                files = [x.strip().strip("`") for x in cells[-1].split(",") if x.strip()] \
                    if len(cells) >= 3 else []
                text = cells[1] if len(cells) >= 3 else ""
                reqs.append({"id": cells[0], "text": text, "files": files,
                             "doc": "%s:%d" % (path, n),
                             "withdrawn": "(withdrawn)" in text.lower()})
    return reqs


def load_results(path):
    tests = []
    if not os.path.exists(path):
        return tests
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = RESULT_RE.match(line.rstrip("\n"))
            if m:
                tests.append({"result": m.group(1), "name": m.group(2),
                              "reqs": m.group(3).split(), "note": m.group(4).strip()})
    return tests


def main():
    cert = os.environ.get("CERT_DIR", "build/cert")
    results = os.path.join(cert, "test-results.txt")
    if not os.path.exists(results):
        results = "build/test-results.txt"
    reqs = load_requirements()
    tests = load_results(results)
    ids = {r["id"] for r in reqs}
    by_req = {r["id"]: [] for r in reqs}
    undefined = {}
    for t in tests:
        for i in t["reqs"]:
            if i in by_req:
                by_req[i].append(t)
            else:
                undefined.setdefault(i, []).append(t["name"])

    rows = []
    for r in reqs:
        ts = by_req[r["id"]]
        res = [t["result"] for t in ts]
        if not ts:
            last = "NO TEST"
        elif "FAIL" in res:
            last = "FAIL"
        elif "PASS" in res:
            last = "PASS"
        else:
            last = "SKIP"
        missing = [f for f in r["files"] if not os.path.exists(f)]
        rows.append({**r, "tests": [{"name": t["name"], "result": t["result"]} for t in ts],
                     "result": last, "missing_files": missing})

    src_files = sorted(os.path.relpath(p) for p in glob.glob("src/**/*.c", recursive=True))
    named = {f for r in reqs for f in r["files"]}
    unnamed = [f for f in src_files if f not in named]
    untested = [r["id"] for r in rows if r["result"] == "NO TEST" and not r["withdrawn"]]
    orphans = [t["name"] for t in tests if not t["reqs"] and not t["name"].startswith(NOT_TESTS)]
    counts = {k: sum(1 for r in rows if r["result"] == k)
              for k in ("PASS", "FAIL", "SKIP", "NO TEST")}
    out = {
        "results_file": results,
        "requirements": len(reqs), "tests": len(tests), "counts": counts,
        "matrix": rows,
        "requirements_without_test": untested,
        "requirements_without_passing_test": [r["id"] for r in rows
                                              if r["result"] != "PASS" and not r["withdrawn"]],
        "tests_without_requirement": orphans,
        "code_files_without_requirement": unnamed,
        "named_files_missing": sorted({f for r in rows for f in r["missing_files"]}),
        "undefined_ids_named_by_tests": {k: v for k, v in sorted(undefined.items())},
    }
    out["ok"] = not out["requirements_without_passing_test"] and not undefined and \
        not out["named_files_missing"]
    with open(os.path.join(cert, "trace.json"), "w") as f:
        json.dump(out, f, indent=1)
    os.makedirs(os.path.join(cert, "trace"), exist_ok=True)
    with open(os.path.join(cert, "trace", "matrix.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["requirement", "text", "implemented in", "tests", "result", "defined in"])
        for r in rows:
            w.writerow([r["id"], r["text"], " ".join(r["files"]),
                        " ".join("%s=%s" % (t["name"], t["result"]) for t in r["tests"]),
                        r["result"], r["doc"]])
    print("%d requirements: %d pass, %d fail, %d only skipped, %d without test" % (
        len(reqs), counts["PASS"], counts["FAIL"], counts["SKIP"], counts["NO TEST"]))
    print("tests without requirement: %s" % (" ".join(orphans) or "none"))
    print("code files without requirement: %s" % (" ".join(unnamed) or "none"))
    if out["named_files_missing"]:
        print("files named by requirements but missing: " + " ".join(out["named_files_missing"]))
    if undefined:
        print("IDs named by tests but defined nowhere: " + " ".join(sorted(undefined)))
    return 0 if out["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
