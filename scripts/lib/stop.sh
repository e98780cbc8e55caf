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

# tk_wait_ready FILE TEXT [PID]: until TEXT appears in FILE, the ready line
# of a tracer writing FILE, 30 s at most; with PID, it fails as soon as PID
# is gone (a tracer that could not load exits at once). On failure it says
# why on stderr with FILE's last lines (the tracer's own error) and returns 1;
# a PID still running then is stopped (tk_stop): the callers run in $(...),
# so a pid they keep for the bench's cleanup is lost with the subshell, and
# a tracer that got ready late would trace the rounds after it.
tk_wait_ready() {
	local why="timed out"
	for _ in $(seq 300); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		if [ -n "${3:-}" ] && ! kill -0 "$3" 2>/dev/null; then
			why="pid $3 exited"
			break
		fi
		sleep 0.1
	done
	echo "$(basename "$0"): $why waiting for '$2'; the end of its output:" >&2
	tail -n 5 "$1" 2>/dev/null | sed 's/^/  /' >&2
	[ -n "${3:-}" ] && kill -0 "$3" 2>/dev/null && tk_stop "$3"
	return 1
}

# tk_add ARRAY KEY CMD...: runs CMD (a row's run) and adds its output as
# one line to ARRAY[KEY]; if CMD fails the bench ends (exit 1, saying which
# row), since a row with a failed run would be a median of fewer runs, or of
# none, printed as if measured.
tk_add() {
	local -n _tk_rows=$1
	local key=$2 out
	shift 2
	out=$("$@") || { echo "$(basename "$0"): the $key row failed: the bench stops" >&2; exit 1; }
	_tk_rows[$key]+="$out"$'\n'
}
