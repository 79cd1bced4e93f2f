# Power cases (issue "Linux guests"): S5 power-off, the reset paths and
# on_reboot, with the power guest. Sourced by tests/integration/run.
PW="$G/power.elf"

cfg power-s5 "$PW" "$PC256" "how=s5"
expect power-s5 "REQ-PWR-004 REQ-PWR-016 REQ-CLI-003" 0 "$T/power-s5.cfg" '^power: SCI_EN 1$' '!still running'
expect_err power-s5-message "REQ-PWR-016" 0 "$T/power-s5.cfg" 'guest powered off \(ACPI S5\); exit status 0'
cfg power-s3 "$PW" "$PC256" "how=s3"
expect power-s3-ignored "REQ-PWR-005" 1 "$T/power-s3.cfg" '^power: still running after S3 request$'
for how in cf9 kbd; do
	cfg "power-$how-exit" "$PW" "$STATIC64M" "how=$how" "" 'on_reboot = "exit";'
	expect "power-$how-exit" "REQ-PWR-010 REQ-PWR-013 REQ-PWR-016" 4 "$T/power-$how-exit.cfg" \
		'^power: boot$' '!still running'
done
# The default is "exit": a triple fault stays a guest fault (status 1).
cfg power-triple-default "$PW" "$STATIC64M" "how=triple"
expect_err power-triple-default "REQ-PWR-016 REQ-EXIT-005" 1 "$T/power-triple-default.cfg" 'triple fault'
cfg power-reset-default "$PW" "$STATIC64M" "how=cf9"
expect power-reset-default "REQ-PWR-016" 4 "$T/power-reset-default.cfg" '^power: boot$'

# on_reboot = "restart": the VM boots again (fresh RAM, same plan) until
# stopped from outside; every reset path, a triple fault included.
for how in cf9 kbd triple; do
	n=power-$how-restart
	cfg "$n" "$PW" "$PC256" "how=$how" "" 'on_reboot = "restart";'
	if [ $have_kvm -eq 0 ]; then
		echo "SKIP integration/$n [REQ-PWR-016] (no /dev/kvm)"
		continue
	fi
	timeout --preserve-status -s TERM -k 10 4 "$KEEL" run "$T/$n.cfg" >"$T/$n.out" 2>"$T/$n.err" </dev/null
	st=$?
	boots=$(grep -c '^power: boot$' "$T/$n.out")
	if [ "$st" -eq 143 ] && [ "$boots" -ge 3 ] && grep -q 'restarting (boot 3)' "$T/$n.err"; then
		echo "PASS integration/$n [REQ-PWR-016] ($boots boots in 4 s)"
	else
		echo "FAIL integration/$n [REQ-PWR-016] (status $st, $boots boots)"
		tail -5 "$T/$n.err" | sed 's/^/    err| /'
	fi
done

# A stop signal that lands while the guest resets still stops keel (it is
# not spent on the VM being torn down): SIGTERM at staggered times into a
# VM that resets every few milliseconds, each run must end with 143.
n=power-restart-sigterm
if [ $have_kvm -eq 1 ]; then
	bad=""
	for t in 0.3 0.45 0.6 0.75 0.9 1.05 1.2 1.35; do
		timeout --preserve-status -s TERM -k 5 "$t" "$KEEL" run "$T/power-cf9-restart.cfg" \
			>/dev/null 2>"$T/$n.err" </dev/null
		st=$?
		[ $st -eq 143 ] || bad="$bad at ${t}s: status $st;"
	done
	if [ -z "$bad" ]; then
		echo "PASS integration/$n [REQ-PWR-016] (8 signals at 0.3-1.35 s, each stopped keel)"
	else
		echo "FAIL integration/$n [REQ-PWR-016] ($bad)"
	fi
else
	echo "SKIP integration/$n [REQ-PWR-016] (no /dev/kvm)"
fi
