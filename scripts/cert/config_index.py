#!/usr/bin/env python3
"""Configuration index: what exactly the evidence was produced from -- the
git commit and whether the working tree differs from it, the host, every
tool's version, the flags of each build, and the SHA-256 of every source,
test, guest and requirement file. Writes build/cert/config.json."""
import datetime
import hashlib
import json
import os
import platform
import subprocess
import sys


def run(cmd):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        return (p.stdout or p.stderr).strip()
    except (OSError, subprocess.TimeoutExpired) as e:
        return "unavailable (%s)" % e


def first_line(cmd):
    out = run(cmd)
    return out.split("\n")[0] if out else "unavailable"


def dpkg_version(pkg):
    out = run(["dpkg-query", "-W", "-f=${Version}", pkg])
    return out if out and "no packages found" not in out else None


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(65536), b""):
            h.update(chunk)
    return h.hexdigest()


def tree_files():
    out = run(["git", "ls-files", "-c", "-o", "--exclude-standard"])
    if out and not out.startswith("unavailable") and "fatal" not in out:
        files = out.split("\n")
    else:
        files = []
        for dp, dns, fns in os.walk("."):
            dns[:] = [d for d in dns if d not in ("build", ".git")]
            files += [os.path.relpath(os.path.join(dp, f)) for f in fns]
    return sorted(f for f in files if f and os.path.isfile(f) and not f.startswith("build/"))


def main():
    env = os.environ
    cert = env.get("CERT_DIR", "build/cert")
    commit = run(["git", "rev-parse", "HEAD"])
    if len(commit) != 40:
        commit = None
    status = run(["git", "status", "--porcelain", "--untracked-files=all"]) if commit else ""
    dirty = [l for l in status.split("\n") if l.strip() and not l[3:].startswith("build/")]
    cc = env.get("KEEL_CC", "gcc")
    tools = {
        "keel compiler (%s)" % cc: first_line([cc, "--version"]),
        "coverage/sanitizer compiler (%s)" % env.get("CERT_CC", "clang-19"):
            first_line([env.get("CERT_CC", "clang-19"), "--version"]),
        "fuzz compiler (%s)" % env.get("FUZZ_CC", "clang"):
            first_line([env.get("FUZZ_CC", "clang"), "--version"]),
        "llvm-profdata": first_line([env.get("LLVM_PROFDATA", "llvm-profdata-19"), "--version"]),
        "llvm-cov": first_line([env.get("LLVM_COV", "llvm-cov-19"), "--version"]),
        "clang-tidy": first_line([env.get("CLANG_TIDY", "clang-tidy-19"), "--version"]),
        "cppcheck": first_line([env.get("CPPCHECK", "cppcheck"), "--version"]),
        "python3": first_line([sys.executable, "--version"]),
        "make": first_line(["make", "--version"]),
        "ld": first_line(["ld", "--version"]),
        "ar": first_line(["ar", "--version"]),
        "objcopy": first_line(["objcopy", "--version"]),
    }
    packages = {p: dpkg_version(p) for p in (
        "gcc-12", "libc6-dev", "libconfig-dev", "binutils", "make", "clang-19", "llvm-19",
        "libclang-rt-19-dev", "clang-tidy-19", "cppcheck", "clang", "python3",
        "linux-libc-dev")}
    try:
        with open("/etc/os-release") as f:
            osr = dict(l.rstrip("\n").split("=", 1) for l in f if "=" in l)
        os_name = osr.get("PRETTY_NAME", "").strip('"')
    except OSError:
        os_name = "unknown"
    flags = {
        "keel (product)": {"CC": cc, "CFLAGS": env.get("KEEL_CFLAGS_SHOWN", ""),
                           "LDLIBS": env.get("KEEL_LDLIBS", "")},
        "coverage build": {"CC": env.get("CERT_CC", "clang-19"),
                           "CFLAGS": env.get("COV_CFLAGS_SHOWN", "")},
        "sanitizer build (unit tests)": {"CC": env.get("CERT_CC", "clang-19"),
                                         "CFLAGS": env.get("SAN_CFLAGS_SHOWN", "")},
        "fuzz targets": {"CC": env.get("FUZZ_CC", "clang"),
                         "CFLAGS": env.get("FUZZ_FLAGS_SHOWN", "")},
    }
    files = [{"path": f, "sha256": sha256(f), "size": os.path.getsize(f)} for f in tree_files()]
    epoch = run(["git", "log", "-1", "--format=%ct"]) if commit else ""
    out = {
        "generated": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "git": {"commit": commit,
                "describe": run(["git", "describe", "--always", "--dirty"]) if commit else None,
                "commit_date": datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc)
                .isoformat() if epoch.isdigit() else None,
                "working_tree_clean": commit is not None and not dirty,
                "changes": dirty},
        "host": {"os": os_name, "kernel": platform.release(), "machine": platform.machine(),
                 "cpus": os.cpu_count(), "kvm": os.access("/dev/kvm", os.R_OK | os.W_OK)},
        "tools": tools, "packages": packages, "flags": flags,
        "files": files,
    }
    with open(os.path.join(cert, "config.json"), "w") as f:
        json.dump(out, f, indent=1)
    print("commit %s%s, %d files indexed" % (commit or "(no git)",
          "" if not dirty else " + %d changed files" % len(dirty), len(files)))
    for k, v in tools.items():
        print("  %s: %s" % (k, v))
    return 0


if __name__ == "__main__":
    sys.exit(main())
