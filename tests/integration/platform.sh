# Platform cases (issue "emulated PC platform"), sourced by
# tests/integration/run after cases.sh: every device guest runs in both
# irqchip modes. On this project's CI machine /dev/kvm is kvm_pvm, whose
# in-kernel LAPIC never sets ISR, so level-triggered EOI cannot work with
# irqchip = "kernel" there; those sub-cases are skipped with that reason.
PVM=0
[ -d /sys/module/kvm_pvm ] && PVM=1
# In the lab (tests/lab/run: nested AMD-V under QEMU TCG) guest code runs
# at TCG speed and the emulated interrupt window is unreliable for QEMU+KVM
# too (docs/platform.md): timing there is classified as on kvm_pvm.
LAB=0
grep -q 'keel_lab_out=' /proc/cmdline 2>/dev/null && LAB=1
EMUL=""
[ $PVM -eq 1 ] && EMUL="kvm_pvm"
[ $LAB -eq 1 ] && EMUL="lab (nested AMD-V under TCG)"

# True when the guest output has FAIL lines and all of them are rate or
# latency checks ("... within N%", "... Hz", "not within ... ms", "... not early",
# "lost ticks: N of M": periods the guest could not take in time).
timing_only() {
	grep -q '^FAIL' "$1" &&
		! grep '^FAIL' "$1" | grep -vqE 'within [0-9.]+ ?%|bounded to [0-9.]+ ?%|[0-9] Hz|not within [0-9]+ ms|not early|lost ticks: [0-9]+ of [0-9]+'
}

# pcfg NAME KERNEL IRQCHIP VCPUS CMDLINE: a PC-layout VM with every timer on.
pcfg() {
	cat >"$T/$1.cfg" <<CFG
vms = ( { name = "$1"; vcpus = $4; memory = { ram_mb = 128; };
  image = { kernel = "$PWD/$2"; cmdline = "$5"; };
  irqchip = "$3"; serial = { output = "stdout"; }; debug_exit = true; } );
CFG
}

# guest_case GUEST "REQS" VCPUS CMDLINE [PATTERN...]: both irqchip modes.
guest_case() {
	local g=$1 reqs=$2 vcpus=$3 cmdline=$4 mode n
	shift 4
	for mode in vmm kernel; do
		n="$g${cmdline:+-${cmdline// /-}}-$mode"
		n=${n//=/}
		if [ ! -f "$G/$g.elf" ]; then
			echo "FAIL integration/$n [$reqs] (guest $G/$g.elf not built)"
			continue
		fi
		pcfg "$n" "$G/$g.elf" $mode "$vcpus" "$cmdline"
		# One retry: timing on a shared host (kvm_pvm here) is noisy.
		# A pass on the
		# second attempt says so, and the first attempt's failure stays in
		# the log.
		r=$(expect "$n" "$reqs" 1 "$T/$n.cfg" "^$g: all ok\$" '!^FAIL' "$@")
		if [ "${r#FAIL}" != "$r" ]; then
			echo "$r" | sed 's/^/    first attempt: /'
			r=$(expect "$n" "$reqs" 1 "$T/$n.cfg" "^$g: all ok\$" '!^FAIL' "$@")
			[ "${r#PASS}" != "$r" ] && r="$(echo "$r" | head -1) (passed on the 2nd attempt)"
		fi
		# On kvm_pvm, timing measures the software hypervisor as much as
		# keel: when every failed check is a rate or latency check, say so
		# as a skip with the figures; functional failures still fail.
		if [ "${r#FAIL}" != "$r" ] && [ -n "$EMUL" ] && timing_only "$T/$n.out"; then
			r="SKIP integration/$n [$reqs] ($EMUL timing: $(grep '^FAIL' "$T/$n.out" | tr '\n' ';' | cut -c1-200))"
		fi
		echo "$r"
	done
}

guest_case pit-tick "REQ-PIT-001 REQ-IRQ-001 REQ-IRQ-005 REQ-IRQ-010 REQ-TMR-001 REQ-TMR-002 REQ-GUEST-020 REQ-GUEST-021 REQ-GUEST-023" 1 ""
guest_case pit-tick "REQ-PIT-001 REQ-IRQ-004 REQ-IRQ-007 REQ-GUEST-022 REQ-GUEST-023" 1 "via=pic"
guest_case pit-calib "REQ-PIT-001 REQ-TMR-003 REQ-GUEST-024" 1 ""
guest_case pic "REQ-IRQ-004 REQ-IRQ-001 REQ-GUEST-025" 1 ""
guest_case hpet "REQ-IRQ-006 REQ-TMR-002 REQ-GUEST-027" 1 ""
guest_case rtc "REQ-TMR-002 REQ-GUEST-028" 1 "" '^rtc: [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$'
guest_case pmtimer "REQ-TMR-001 REQ-GUEST-029" 1 ""
# lapic-timer: on kvm_pvm, an interrupt that becomes pending while the guest
# has IF=0 is sometimes not delivered after `sti` with keel's irqchip (see
# docs/platform.md); that check ("not within 100 ms of sti") counts as a
# timing check there, like the rate checks.
guest_case lapic-timer "REQ-IRQ-005 REQ-TMR-003 REQ-GUEST-044 REQ-IRQ-013" 1 ""
guest_case smp "REQ-IRQ-009 REQ-IRQ-003 REQ-GUEST-040 REQ-GUEST-041 REQ-GUEST-042 REQ-IRQ-012" 2 "cpus=2"
guest_case ipi "REQ-IRQ-003 REQ-IRQ-009 REQ-GUEST-040 REQ-GUEST-043 REQ-IRQ-012" 2 ""
guest_case msr-irq "REQ-IRQ-014 REQ-MSR-002" 1 ""
guest_case ticker "REQ-IRQ-008 REQ-TMR-002 REQ-GUEST-045" 1 "seconds=2" '^System Tick = [0-9]+ jitter us: ' '^ticker: done$'

# I/O APIC edge and level routing; level EOI only where the LAPIC can do it.
for mode in vmm kernel; do
	n=ioapic-$mode
	if [ $mode = kernel ] && [ $PVM -eq 1 ]; then
		echo "SKIP integration/$n [REQ-IRQ-003] (kvm_pvm's in-kernel LAPIC never sets ISR: level-triggered EOI cannot work with irqchip = kernel on this host)"
		continue
	fi
	pcfg "$n" "$G/ioapic.elf" $mode 1 ""
	r=$(expect "$n" "REQ-IRQ-003 REQ-IRQ-001 REQ-GUEST-026" 1 "$T/$n.cfg" '^ioapic: all ok$' '!^FAIL')
	# One retry in the lab, as for the other device guests (the first
	# attempt stays in the log).
	if [ "${r#FAIL}" != "$r" ] && [ $LAB -eq 1 ]; then
		echo "$r" | sed 's/^/    first attempt: /'
		r=$(expect "$n" "REQ-IRQ-003 REQ-IRQ-001 REQ-GUEST-026" 1 "$T/$n.cfg" '^ioapic: all ok$' '!^FAIL')
		[ "${r#PASS}" != "$r" ] && r="$(echo "$r" | head -1) (passed on the 2nd attempt)"
	fi
	echo "$r"
done

# The RTC tells the host's time (UTC, within 2 s).
if [ $have_kvm -eq 1 ] && [ -f "$T/rtc-vmm.out" ]; then
	t=$(sed -n 's/^rtc: \(.*\)$/\1/p' "$T/rtc-vmm.out" | head -1)
	g=$(date -u -d "$t" +%s 2>/dev/null || echo 0)
	h=$(stat -c %Y "$T/rtc-vmm.out")     # when the guest wrote it
	d=$(( h > g ? h - g : g - h ))
	if [ "$d" -le 3 ]; then
		echo "PASS integration/rtc-matches-host [REQ-TMR-001] (guest $t, off by ${d}s incl. run time)"
	else
		echo "FAIL integration/rtc-matches-host [REQ-TMR-001] (guest '$t' vs host $(date -u '+%F %T'))"
	fi
fi

# With every timer off the VM still boots, and `keel check` explains the platform.
cat >"$T/notimers.cfg" <<CFG
vms = ( { name = "notimers"; memory = { ram_mb = 64; };
  image = { kernel = "$PWD/$G/hello.elf"; };
  timers = { pit = false; hpet = false; lapic = false; rtc = false; pm_timer = false; };
  debug_exit = true; } );
CFG
expect notimers "REQ-CFG-015" 1 "$T/notimers.cfg" '^done$'
"$KEEL" check "$T/notimers.cfg" >"$T/notimers.check" 2>&1
if grep -q 'timers: pit=off hpet=off lapic=off rtc=off pm_timer=off' "$T/notimers.check" &&
   grep -q 'no I/O APIC either' "$T/notimers.check"; then
	echo "PASS integration/check-explains-platform [REQ-CFG-021]"
else
	echo "FAIL integration/check-explains-platform [REQ-CFG-021]"
fi
cat >"$T/badcombo.cfg" <<CFG
vms = ( { name = "bad"; vcpus = 2; memory = { ram_mb = 64; };
  image = { kernel = "$PWD/$G/hello.elf"; };
  timers = { lapic = false; }; } );
CFG
expect_err bad-smp-without-lapic "REQ-CFG-021 REQ-CLI-002" 2 "$T/badcombo.cfg" \
	'badcombo.cfg:3: vms.\[0\].timers.lapic: a VM with 2 vCPUs needs the local APIC' check

# The shipped RTOS example (the talk's static map from 0 to 1 GiB, LAPIC
# timer only) runs as documented.
sed "s|\.\./build/guests/ticker.elf|$PWD/$G/ticker.elf|; s|seconds=3|seconds=1|" \
	examples/rtos-ticker.cfg >"$T/rtos-ticker.cfg"
expect example-rtos-ticker "REQ-MEM-001 REQ-CFG-015 REQ-GUEST-045" 1 "$T/rtos-ticker.cfg" \
	'^System Tick = 1000 jitter us: ' '^ticker: done$'
