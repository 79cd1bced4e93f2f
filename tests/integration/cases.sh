# Integration cases, sourced by tests/integration/run (helpers: cfg, expect,
# expect_err; $T is a scratch folder, $G the built guests).

HELLO_LINES=('^keel hello$' '^magic: 0x2badb002$' '^loader: keel$' '^done$')

# --- hello in each container format and layout -----------------------------
cfg hello-elf64-static "$G/hello.elf" "$STATIC64M" "hello world" "$MODS"
expect hello-elf64-static "REQ-MB-001 REQ-GUEST-001 REQ-CLI-001 REQ-CLI-004 REQ-MEM-001" 1 \
	"$T/hello-elf64-static.cfg" "${HELLO_LINES[@]}" '^cmdline: hello world$' \
	'^mem_lower: 640 KiB$' '^mem_upper: 64512 KiB$' \
	'^mmap: base=0x0000000000000000 len=0x0000000004000000 type=1$' \
	'^module 0: .* size=12 cmdline="data one" first=48656c6c6f206d6f$' \
	'^module 1: .* size=20000 cmdline="big" first=5a5a5a5a5a5a5a5a$'

cfg hello-elf32-pc "$G/hello-elf32.elf" "$PC256" "pc layout" "$MODS"
expect hello-elf32-pc "REQ-MB-001 REQ-MEM-003 REQ-GUEST-006" 1 "$T/hello-elf32-pc.cfg" "${HELLO_LINES[@]}" \
	'^mem_lower: 639 KiB$' '^mem_upper: 261120 KiB$' \
	'^mmap: base=0x0000000000000000 len=0x000000000009fc00 type=1$' \
	'^mmap: base=0x000000000009fc00 len=0x0000000000060400 type=2$' \
	'^mmap: base=0x0000000000100000 len=0x000000000ff00000 type=1$' \
	'^module 1: .*cmdline="big"'

cfg hello-aout-static "$G/hello-aout.bin" "$STATIC64M" "aout kludge" "$MODS"
expect hello-aout-static "REQ-MB-001 REQ-GUEST-006" 1 "$T/hello-aout-static.cfg" "${HELLO_LINES[@]}" \
	'^cmdline: aout kludge$' '^module 0: .*cmdline="data one"'

cfg hello-nomods "$G/hello.elf" "$PC256" ""
expect hello-nomods "REQ-MB-001" 1 "$T/hello-nomods.cfg" "${HELLO_LINES[@]}" \
	'^cmdline: $' '!^module'

# --- entry state, in every format and both layouts ---------------------------
for f in .elf -elf32.elf -aout.bin; do
	for layout in static pc; do
		mem=$STATIC64M; [ $layout = pc ] && mem=$PC256
		n=entry${f%%.*}-$layout; n=${n//-elf32/-elf32}
		cfg "$n" "$G/entrycheck$f" "$mem" "" "$MODS"
		expect "$n" "REQ-EXIT-009 REQ-MB-001 REQ-GUEST-002 REQ-GUEST-004" 1 "$T/$n.cfg" '^entrycheck: all ok$' '!^FAIL'
	done
done

# --- the information structure against what the config asked for -----------
cfg mbinfo-static "$G/mbinfo.elf" "$STATIC64M" \
	"mods=2 mem_lower=640 mem_upper=64512 mmap=1 ram=65536 mod0=alpha mod1=beta" \
	'{ path = "'$T'/data.bin"; cmdline = "alpha"; }, { path = "'$T'/tiny.bin"; cmdline = "beta"; }'
expect mbinfo-static "REQ-MB-001 REQ-GUEST-003" 1 "$T/mbinfo-static.cfg" '^mbinfo: all ok$' '!^FAIL'

cfg mbinfo-pc-elf32 "$G/mbinfo-elf32.elf" "$PC256" \
	"mods=2 mem_lower=639 mem_upper=261120 mmap=3 mod1=big" "$MODS"
expect mbinfo-pc-elf32 "REQ-MB-001 REQ-MEM-003 REQ-GUEST-003" 1 "$T/mbinfo-pc-elf32.cfg" \
	'^mbinfo: all ok$' '!^FAIL'

cfg mbinfo-aout-nomods "$G/mbinfo-aout.bin" "$PC256" "mods=0 mmap=3"
expect mbinfo-aout-nomods "REQ-MB-001 REQ-GUEST-003" 1 "$T/mbinfo-aout-nomods.cfg" \
	'^mbinfo: all ok$' '!^FAIL'

# Static map that does not start at 0, in two regions with a gap: no low
# memory, two mmap entries, modules and info placed inside RAM only.
cfg mbinfo-static-gap "$G/mbinfo.elf" \
	'regions = ( { base = 0x100000; size = 0x300000; }, { base = 0x1000000; size = 0x1000000; } );' \
	"mods=2 mem_lower=0 mem_upper=3072 mmap=2 ram=19456" "$MODS"
expect mbinfo-static-gap "REQ-MB-001 REQ-MEM-001 REQ-GUEST-003" 1 "$T/mbinfo-static-gap.cfg" \
	'^mbinfo: all ok$' '!^FAIL'

# RAM above 4 GiB (ram_mb > 3 GiB): the mmap reports it, nothing is loaded there.
cfg mbinfo-above-4g "$G/mbinfo.elf" 'ram_mb = 4096;' "mmap=4 mods=2" "$MODS"
expect mbinfo-above-4g "REQ-MEM-003 REQ-GUEST-003" 1 "$T/mbinfo-above-4g.cfg" \
	'^mbinfo: all ok$' '!^FAIL'

# --- exit paths --------------------------------------------------------------
cfg exit5 "$G/exitcode.elf" "$PC256" "code=5"
expect exit5 "REQ-DBG-001 REQ-CLI-003 REQ-GUEST-005 REQ-GUEST-007" 11 "$T/exit5.cfg" '^exiting with 5$'
cfg exit127 "$G/exitcode.elf" "$PC256" "code=127"
expect exit127 "REQ-DBG-001 REQ-GUEST-007" 255 "$T/exit127.cfg" '^exiting with 127$'

cfg cli-hlt "$G/cli-hlt.elf" "$PC256" ""
expect cli-hlt "REQ-EXIT-004 REQ-CLI-003 REQ-GUEST-008" 0 "$T/cli-hlt.cfg" '^halting$'
expect_err cli-hlt-message "REQ-EXIT-004" 0 "$T/cli-hlt.cfg" 'halted with interrupts disabled'

# Without debug_exit the port is unclaimed: the write is dropped and logged,
# the guest then halts with interrupts off (status 0).
cfg exit-nodebug "$G/exitcode.elf" "$PC256" "code=5" "" ""
sed -i 's/debug_exit = true;/debug_exit = false;/' "$T/exit-nodebug.cfg"
expect exit-nodebug "REQ-DBG-002" 0 "$T/exit-nodebug.cfg" '^exiting with 5$'
expect_err exit-nodebug-logged "REQ-DBG-002 REQ-BUS-004" 0 "$T/exit-nodebug.cfg" \
	'unclaimed port write at 0xf4'

cfg badport "$G/badport.elf" "$PC256" ""
expect badport "REQ-BUS-003 REQ-POST-001 REQ-GUEST-009" 1 "$T/badport.cfg" \
	'^badport: all reads all-ones$' '^post 0x42$'
expect_err badport-logged-once "REQ-BUS-004" 1 "$T/badport.cfg" 'unclaimed mmio read at 0xfebf0000'
if [ $have_kvm -eq 1 ]; then
	# Each unclaimed address appears once in the log, however often it is hit.
	if [ "$(grep -c 'unclaimed port read at 0x2f8 ' "$T/badport-logged-once.err")" -le 1 ]; then
		echo "PASS integration/unclaimed-no-flood [REQ-BUS-004]"
	else
		echo "FAIL integration/unclaimed-no-flood [REQ-BUS-004] (logged more than once)"
	fi
fi

cfg fault "$G/fault.elf" "$PC256" ""
expect fault "REQ-EXIT-005 REQ-GUEST-010" 1 "$T/fault.cfg" '^about to fault$'
expect_err fault-report "REQ-EXIT-005 REQ-EXIT-010" 1 "$T/fault.cfg" \
	'guest fault on vCPU 0: triple fault'
if [ $have_kvm -eq 1 ]; then
	why=""
	for p in 'RIP 0x[0-9a-f]{16}' 'CR0 0x' 'last [0-9]+ port/MMIO accesses' \
		 'port write 0x000003f8 len 1 value 0xa'; do
		grep -qE "$p" "$T/fault-report.err" || why="report lacks '$p'"
	done
	[ -z "$why" ] && echo "PASS integration/fault-report-contents [REQ-EXIT-010]" ||
		echo "FAIL integration/fault-report-contents [REQ-EXIT-010] ($why)"
fi

cfg msr "$G/msr.elf" "$PC256" ""
expect msr "REQ-MSR-001 REQ-MSR-003 REQ-GUEST-011" 1 "$T/msr.cfg" '^efer: 0x' \
	'^feature_control: 0x1$' '^platform_id: 0x0$'
expect_err msr-gp "REQ-MSR-002" 1 "$T/msr.cfg" 'rdmsr of MSR 0x4b564dff not allowed: #GP injected'

# --- serial output to a file -------------------------------------------------
cfg serial-file "$G/hello.elf" "$PC256" "to a file"
sed -i "s|output = \"stdout\";|output = \"$T/serial.log\";|" "$T/serial-file.cfg"
expect serial-file "REQ-CON-001 REQ-CLI-004" 1 "$T/serial-file.cfg" '!.'
if [ $have_kvm -eq 1 ]; then
	if grep -q '^cmdline: to a file$' "$T/serial.log" 2>/dev/null; then
		echo "PASS integration/serial-file-contents [REQ-CON-001]"
	else
		echo "FAIL integration/serial-file-contents [REQ-CON-001] (serial.log lacks the cmdline line)"
	fi
fi

# --- two VMs, each in its own process ----------------------------------------
cat >"$T/two.cfg" <<CFG
vms = (
  { name = "rtos"; memory = { regions = ( { base = 0x0; size = 0x4000000; } ); };
    image = { kernel = "$PWD/$G/hello.elf"; cmdline = "first"; };
    serial = { output = "$T/rtos.log"; }; debug_exit = true; },
  { name = "gp"; memory = { ram_mb = 128; };
    image = { kernel = "$PWD/$G/exitcode.elf"; cmdline = "code=3"; };
    serial = { output = "$T/gp.log"; }; debug_exit = true; }
);
CFG
expect two-vms "REQ-CLI-006" 1 "$T/two.cfg"
if [ $have_kvm -eq 1 ]; then
	if grep -q '^cmdline: first$' "$T/rtos.log" && grep -q '^exiting with 3$' "$T/gp.log" &&
	   grep -q 'vm gp exited with status 7' "$T/two-vms.err"; then
		echo "PASS integration/two-vms-outputs [REQ-CLI-006]"
	else
		echo "FAIL integration/two-vms-outputs [REQ-CLI-006] (per-VM outputs or status report missing)"
	fi
fi

# --- bad input: exit 2 with file, line and key ------------------------------
cfg bad-fit "$G/hello.elf" 'regions = ( { base = 0x0; size = 0x80000; } );' ""
expect_err bad-kernel-outside-ram "REQ-CLI-002 REQ-MB-001" 2 "$T/bad-fit.cfg" \
	"bad-fit.cfg:[0-9]+: vms.\[0\].image.kernel: " check
expect_err bad-kernel-outside-ram-run "REQ-CLI-002" 2 "$T/bad-fit.cfg" \
	"bad-fit.cfg:[0-9]+: vms.\[0\].image.kernel: " run

head -c $((3 * 1024 * 1024)) /dev/zero >"$T/huge.bin"
cfg bad-module "$G/hello.elf" 'regions = ( { base = 0x0; size = 0x400000; } );' "" \
	'{ path = "'$T'/data.bin"; }, { path = "'$T'/huge.bin"; }'
expect_err bad-module-too-big "REQ-CLI-002" 2 "$T/bad-module.cfg" \
	"bad-module.cfg:[0-9]+: vms.\[0\].image.modules.\[1\]: " check

cfg bad-key "$G/hello.elf" "$PC256" "" "" "colour = 3;"
expect_err bad-unknown-key "REQ-CLI-002" 2 "$T/bad-key.cfg" "bad-key.cfg:[0-9]+: .*colour" check

printf 'not a multiboot kernel\n' >"$T/notmb.bin"
cfg bad-image "$T/notmb.bin" "$PC256" ""
sed -i "s|$PWD/$T/notmb.bin|$T/notmb.bin|" "$T/bad-image.cfg"
expect_err bad-image-no-header "REQ-CLI-002" 2 "$T/bad-image.cfg" \
	"vms.\[0\].image.kernel: .*[Mm]ultiboot header" check

# --- keel check prints the resolved layout -----------------------------------
"$KEEL" check "$T/hello-elf32-pc.cfg" >"$T/check.out" 2>&1
why=""
for p in '^vm hello-elf32-pc: 1 vCPU' '0x0000000000000000-0x000000000009fbff  ram' \
	 '0x000000000009fc00-0x00000000000fffff  reserved' 'kernel segment' \
	 'module 0 \(.*data.bin\)' 'module 1 \(.*big.bin\)' 'multiboot info' \
	 'entry: 32-bit protected mode, EIP=0x[0-9a-f]{8} EAX=0x2badb002' ': ok, 1 VM$'; do
	grep -qE -- "$p" "$T/check.out" || why="check output lacks '$p'"
done
[ -z "$why" ] && echo "PASS integration/check-prints-layout [REQ-CLI-005 REQ-CLI-001]" ||
	{ echo "FAIL integration/check-prints-layout [REQ-CLI-005] ($why)"; sed 's/^/    | /' "$T/check.out"; }

# PC layout: BIOS data area planned; static map: none.
"$KEEL" check "$T/hello-elf64-static.cfg" >"$T/check-static.out" 2>&1
if grep -qE '0x00000400-0x000004ff  BIOS data area' "$T/check.out" &&
   grep -qE '0x0009fc00-0x0009ffff  EBDA' "$T/check.out" &&
   ! grep -q 'BIOS data area' "$T/check-static.out"; then
	echo "PASS integration/bda-in-pc-layout-only [REQ-FW-001]"
else
	echo "FAIL integration/bda-in-pc-layout-only [REQ-FW-001]"
fi

# --- console input through a pseudo-terminal ----------------------------------
cfg echo "$G/echo.elf" "$PC256" ""
for mode in quit guest-exit; do
	if [ $have_kvm -eq 0 ]; then
		echo "SKIP integration/console-$mode [REQ-CON-002 REQ-UART-012 REQ-GUEST-012] (no /dev/kvm)"
		continue
	fi
	if r=$(timeout 60 python3 tests/integration/console_pty.py "$KEEL" "$T/echo.cfg" $mode 2>&1); then
		echo "PASS integration/console-$mode [REQ-CON-002 REQ-UART-012 REQ-GUEST-012] ($r)"
	else
		echo "FAIL integration/console-$mode [REQ-CON-002 REQ-UART-012] ($r)"
	fi
done

# --- stopped from outside; HLT with IF=1 sleeps instead of spinning ----------
cfg sti-hlt "$G/sti-hlt.elf" "$PC256" ""
if [ $have_kvm -eq 1 ]; then
	"$KEEL" run "$T/sti-hlt.cfg" >"$T/sti-hlt.out" 2>"$T/sti-hlt.err" </dev/null &
	pid=$!
	sleep 2
	# utime + stime in clock ticks (fields 14 and 15 of /proc/PID/stat)
	ticks=$(awk '{print $14 + $15}' /proc/$pid/stat 2>/dev/null || echo 999)
	kill -TERM $pid
	wait $pid
	st=$?
	hz=$(getconf CLK_TCK)
	if [ "$st" -eq 143 ] && grep -q '^waiting$' "$T/sti-hlt.out" && [ "$ticks" -le $((hz / 5)) ] &&
	   grep -q 'stopped by signal 15' "$T/sti-hlt.err" &&
	   grep -q 'vCPU 0 was at RIP 0x[0-9a-f]* after [0-9]* exits (halted (IF=1), IF=1)' "$T/sti-hlt.err" &&
	   grep -q 'apic id 0: irr -1 isr -1 .*timer not armed; interrupt pending no, pit ticks owed 0, next timer none' "$T/sti-hlt.err" &&
	   grep -q "guest TSC - keel's TSC clock: -\?[0-9]* us" "$T/sti-hlt.err" &&
	   ! grep -q 'lost wake-up' "$T/sti-hlt.err"; then
		echo "PASS integration/hlt-sleeps-sigterm [REQ-EXIT-004 REQ-CLI-003 REQ-GUEST-013 REQ-IRQ-011 REQ-CLI-007] (CPU ${ticks}/${hz}s over 2 s, rechecks every 100 ms, no false lost-wake-up report, hang report)"
	else
		echo "FAIL integration/hlt-sleeps-sigterm [REQ-EXIT-004 REQ-CLI-003 REQ-GUEST-013 REQ-CLI-007] (status $st, CPU ticks $ticks)"
		sed 's/^/    err| /' "$T/sti-hlt.err"
	fi
else
	echo "SKIP integration/hlt-sleeps-sigterm [REQ-EXIT-004 REQ-CLI-003 REQ-GUEST-013] (no /dev/kvm)"
fi

# REQ-CON-003: piped stdin reaches the guest (a script typing at the console).
cfg echo-pipe build/guests/echo.elf "$PC256" ""
if [ $have_kvm -eq 1 ]; then
	(sleep 1; printf 'piped\nq') | timeout -k 5 "$TIMEOUT" "$KEEL" run "$T/echo-pipe.cfg" >"$T/echo-pipe.out" 2>"$T/echo-pipe.err"
	st=$?
	if [ $st -eq 1 ] && grep -q '^PIPED' "$T/echo-pipe.out"; then
		echo "PASS integration/echo-pipe [REQ-CON-003]"
	else
		echo "FAIL integration/echo-pipe [REQ-CON-003] (status $st)"
		sed 's/^/    out| /' "$T/echo-pipe.out" | tail -5
	fi
else
	echo "SKIP integration/echo-pipe [REQ-CON-003] (no /dev/kvm)"
fi
