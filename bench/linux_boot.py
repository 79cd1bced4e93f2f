#!/usr/bin/env python3
"""Linux boot benchmark (make bench runs it inside the lab, tests/lab/run).

Boots Debian's stock kernel (build/lab/vmlinuz) with the busybox initramfs
(build/linux/initrd.cpio.gz, which prints KEEL-LINUX-UP and powers off with
keel.auto) under keel (irqchip kernel and vmm) and under QEMU with KVM
(-M microvm and -M pc), same kernel, initrd, memory, vCPUs and command line.
For each run: seconds from start to the marker line and to the process's
exit, and the VMM's peak resident memory beyond guest RAM (RssAnon +
RssFile, sampled every 20 ms from /proc/PID/status; guest RAM is shared
memory in both: keel's memfd, and QEMU given memory-backend-memfd).
Prints medians of RUNS runs and ratios keel/QEMU. Usage:
  bench/linux_boot.py [RUNS]
"""
import os
import re
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
K = os.path.join(ROOT, "build/lab/vmlinuz")
I = os.path.join(ROOT, "build/linux/initrd.cpio.gz")
MEM_MB = 256
CPUS = 1
MARKER = b"KEEL-LINUX-UP"
TIMEOUT = 180


def tsc_khz():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("cpu MHz"):
                return int(float(line.split(":")[1]) * 1000)
    return 0


CMDLINE = "console=ttyS0 keel.auto panic=-1 quiet tsc_early_khz=%d" % tsc_khz()


def keel_cfg(path, irqchip):
    with open(path, "w") as f:
        f.write('vms = ( { name = "bench"; vcpus = %d; memory = { ram_mb = %d; };\n'
                '  image = { kernel = "%s"; protocol = "linux"; initrd = "%s"; cmdline = "%s"; };\n'
                '  irqchip = "%s"; serial = { output = "stdout"; }; } );\n'
                % (CPUS, MEM_MB, K, I, CMDLINE, irqchip))


def qemu(machine):
    m = "microvm,memory-backend=ram" if machine == "microvm" else "pc,memory-backend=ram"
    return ["qemu-system-x86_64", "-accel", "kvm", "-cpu", "host", "-M", m,
            "-object", "memory-backend-memfd,id=ram,size=%dM" % MEM_MB,
            "-m", str(MEM_MB), "-smp", str(CPUS), "-nographic", "-no-reboot",
            "-nodefaults", "-serial", "stdio", "-display", "none",
            "-kernel", K, "-initrd", I, "-append", CMDLINE]


def rss_beyond_guest(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            s = f.read()
    except OSError:
        return None
    anon = re.search(r"RssAnon:\s+(\d+) kB", s)
    fil = re.search(r"RssFile:\s+(\d+) kB", s)
    if not anon or not fil:
        return None
    return int(anon.group(1)) + int(fil.group(1))


def run_once(cmd):
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         stdin=subprocess.DEVNULL)
    peak = [0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            r = rss_beyond_guest(p.pid)
            if r is not None and r > peak[0]:
                peak[0] = r
            time.sleep(0.02)

    th = threading.Thread(target=sample)
    th.start()
    # A run that hangs without output is killed after TIMEOUT seconds.
    killer = threading.Timer(TIMEOUT, p.kill)
    killer.start()
    marker = None
    buf = b""
    os.set_blocking(p.stdout.fileno(), True)
    while True:
        chunk = p.stdout.read1(4096) if hasattr(p.stdout, "read1") else p.stdout.read(1)
        if not chunk:
            break
        buf = (buf + chunk)[-256:]
        if marker is None and MARKER in buf:
            marker = time.monotonic() - t0
    rc = p.wait()
    killer.cancel()
    total = time.monotonic() - t0
    done.set()
    th.join()
    return marker, total, peak[0], rc


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    tmp = "/tmp/keel-bench-linux"
    os.makedirs(tmp, exist_ok=True)
    rows = []
    for irq in ("kernel", "vmm"):
        cfg = os.path.join(tmp, "keel-%s.cfg" % irq)
        keel_cfg(cfg, irq)
        rows.append(("keel irqchip=%s" % irq, [os.path.join(ROOT, "build/keel"), "run", cfg]))
    rows.append(("qemu -M microvm", qemu("microvm")))
    rows.append(("qemu -M pc", qemu("pc")))
    print("== Linux boot: Debian %s, busybox initramfs, %d MiB, %d vCPU, medians of %d runs"
          % (open(os.path.join(ROOT, "build/lab/kver")).read().strip(), MEM_MB, CPUS, runs))
    print("%-22s %12s %12s %16s %s" % ("", "marker s", "exit s", "peak RSS KiB", "(status)"))
    res = {}
    for label, cmd in rows:
        ms, ts, rs, sts = [], [], [], []
        for _ in range(runs):
            m, t, r, rc = run_once(cmd)
            if m is not None:
                ms.append(m)
            ts.append(t)
            rs.append(r)
            sts.append(rc)
        med = (statistics.median(ms) if ms else float("nan"),
               statistics.median(ts), statistics.median(rs))
        res[label] = med
        print("%-22s %12.1f %12.1f %16d %s" % (label, med[0], med[1], med[2],
                                                ",".join(str(s) for s in sts)))
        sys.stdout.flush()
    print()
    for k in ("keel irqchip=kernel", "keel irqchip=vmm"):
        for q in ("qemu -M microvm", "qemu -M pc"):
            a, b = res[k], res[q]
            print("%-20s / %-16s marker %.2f  exit %.2f  RSS %.2f" %
                  (k, q, a[0] / b[0], a[1] / b[1], a[2] / b[2] if b[2] else float("nan")))


if __name__ == "__main__":
    main()
