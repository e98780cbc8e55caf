# shellcheck shell=bash
# The kernel's own account of BPF programs (bpf_stats), read once for every
# bench script (scripts/bench-*); sourced after the script's cd to the top
# of the tree. BPFTOOL names the bpftool to run (default: bpftool's on
# PATH; tests/bench-lib-test points it at a stand-in).
#
# Where the figures come from: with /proc/sys/kernel/bpf_stats_enabled at 1
# the kernel adds each run's time to the program's run_time_ns and counts
# it in run_cnt (the timing itself adds ~50 ns a run on this class of VM:
# an empty program shows that much); recursion_misses counts the runs it
# skipped because the program was already running on that CPU. bpftool's
# plain `prog show` prints all three on a program's first line, after its
# name, and leaves out those that are 0 (run_time_ns and run_cnt with
# bpf_stats off, recursion_misses almost always): a field not printed
# reads 0 here.

# tk_prog_rows ID...: one line per program, "ID NAME RUN_TIME_NS RUN_CNT
# RECURSION_MISSES", for the given ids; an id no longer loaded gives no
# line, and no id none (a tracer that is gone holds no programs: never
# every program of the host in its place).
tk_prog_rows() {
	local id
	tk_have_bpftool || return 1
	for id in "$@"; do "${BPFTOOL:-bpftool}" prog show id "$id" 2>/dev/null; done | tk_prog_parse
}

# tk_prog_rows_all: the same for every program loaded now.
tk_prog_rows_all() {
	tk_have_bpftool || return 1
	"${BPFTOOL:-bpftool}" prog show 2>/dev/null | tk_prog_parse
}

# tk_have_bpftool: true when bpftool runs; else says so on stderr. A
# missing id is silent (the program went with its process), a missing
# bpftool is not: every run time would read 0.
tk_have_bpftool() {
	command -v "${BPFTOOL:-bpftool}" >/dev/null && return 0
	echo "$(basename "$0"): ${BPFTOOL:-bpftool} not found (make deps): no bpf_stats figures" >&2
	return 1
}

# tk_prog_parse: bpftool's plain `prog show` on stdin, tk_prog_rows's lines
# on stdout.
tk_prog_parse() {
	awk '/^[0-9]+:/ {
		name = "?"; rt = rc = miss = 0
		for (i = 2; i < NF; i++) {
			if ($i == "name") name = $(i + 1)
			else if ($i == "run_time_ns") rt = $(i + 1)
			else if ($i == "run_cnt") rc = $(i + 1)
			else if ($i == "recursion_misses") miss = $(i + 1)
		}
		printf "%d %s %s %s %s\n", $1, name, rt, rc, miss }'
}

# tk_pid_prog_ids PID: the ids of the programs process PID holds open (its
# fdinfo's prog_id lines), each once, in ascending order. Other tracekit
# runs on the host load programs of the same names: a tool's programs are
# told apart by the process holding them, never by name alone. TK_PROC
# names procfs (default /proc; tests/bench-lib-test gives a stand-in).
tk_pid_prog_ids() {
	sed -n 's/^prog_id:[[:space:]]*//p' "${TK_PROC:-/proc}/$1"/fdinfo/* 2>/dev/null | sort -un
}

# tk_pid_prog_rows PID: tk_prog_rows of the programs process PID holds.
tk_pid_prog_rows() {
	# shellcheck disable=SC2046 # the ids are a word list
	tk_prog_rows $(tk_pid_prog_ids "$1")
}

# tk_max_prog_id: the highest id of a program loaded now, 0 for none. Ids
# only grow, so the programs loaded after this moment have higher ones
# (for tracers, such as bpftrace, whose fdinfo does not say which are
# theirs: bpftool 7.1 shows no owning pids).
tk_max_prog_id() {
	tk_prog_rows_all | awk '$1 > m { m = $1 } END { print m + 0 }'
}
