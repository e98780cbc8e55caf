# shellcheck shell=bash
# tk_stop PID: end a tracer the bench started, as its operator would
# (SIGINT, so it detaches and prints its summary), and reap it; its exit
# status is tk_stop's. A tracer that is still there after 20 s gets SIGINT
# once more (bpftrace can print its ready line before its handler is set,
# and a background job of a script starts with SIGINT ignored, so that
# one is lost under load), then SIGTERM, then SIGKILL,
# each said on stderr: a bench never hangs on one, and never hides one.
tk_stop() {
	local pid=$1 sig waited
	kill -INT "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return; }
	for sig in INT TERM KILL; do
		for waited in $(seq 200); do
			kill -0 "$pid" 2>/dev/null || break 2
			sleep 0.1
		done
		echo "$(basename "$0"): pid $pid ($(tr '\0' ' ' </proc/"$pid"/cmdline 2>/dev/null)) still running" \
			"$((waited / 10)) s after a signal; sending SIG$sig" >&2
		kill -"$sig" "$pid" 2>/dev/null
	done
	wait "$pid" 2>/dev/null
}
