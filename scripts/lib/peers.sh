# shellcheck shell=bash
# The bench scripts' peer rows (bcc libbpf-tools), defined once; sourced
# after stats.sh. The peers come from LIBBPF_TOOLS, a directory that
# scripts/build-libbpf-tools filled (`make bench LIBBPF_TOOLS=DIR`); without
# it a script prints no peer rows.

# tk_peer NAME: the peer's path, or nothing (and why, on stderr, if
# LIBBPF_TOOLS was given) when it is not there.
tk_peer() {
	[ -n "${LIBBPF_TOOLS:-}" ] || return 0
	if [ -x "$LIBBPF_TOOLS/$1" ]; then
		echo "$LIBBPF_TOOLS/$1"
	else
		echo "$(basename "$0"): no $LIBBPF_TOOLS/$1 (scripts/build-libbpf-tools SRC $LIBBPF_TOOLS): its row is skipped" >&2
	fi
}

# tk_wait_attached PID [LINKS]: until PID has attached LINKS BPF links
# (default: one per BPF program it holds, all attached), 30 s at most. The
# peers' ready lines go through stdio to /dev/null, so the kernel's view
# (PID's /proc fdinfo) tells when they trace. libbpf-tools load all their
# programs, then attach them; LINKS is for a tool that leaves some of its
# loaded programs unattached (syscount without -L: sys_exit only). A PID
# still running when the 30 s are up is stopped (tk_stop, scripts/lib/stop.sh,
# sourced before this file), for the reason tk_wait_ready gives.
tk_wait_attached() {
	local progs links
	for _ in $(seq 300); do
		kill -0 "$1" 2>/dev/null || return 1
		progs=$(cat /proc/"$1"/fdinfo/* 2>/dev/null | grep -c '^prog_type:')
		links=$(cat /proc/"$1"/fdinfo/* 2>/dev/null | grep -c '^link_type:')
		[ "$links" -gt 0 ] && [ "$links" -ge "${2:-$progs}" ] && return 0
		sleep 0.1
	done
	tk_stop "$1"
	return 1
}

# tk_target TK TK_ADDED PEER PEER_ADDED FACTOR [MEASURE]: issue 13's target
# "TK adds at least FACTOR times less than PEER" (added cost per iteration,
# both from this run; MEASURE names another measure of it, e.g. "BPF
# time"), the ratio TK/PEER, and whether it is met.
tk_target() {
	awk -v tk="$1" -v t="$2" -v peer="$3" -v p="$4" -v f="$5" -v m="${6:+ ($6)}" 'BEGIN {
		printf "target%s: %s >= %sx below %s: %s/%s = ", m, tk, f, peer, tk, peer
		num = "^-?[0-9]+([.][0-9]*)?$"
		if (t !~ num || p !~ num) { printf "- (a row failed): not measured\n"; exit }
		# a cost at or below zero is noise larger than the cost: no verdict
		if (t <= 0 || p <= 0) {
			printf "- (%s added %s, %s %s: within the noise of this run): not measured\n", tk, t, peer, p
			exit
		}
		printf "%.2f (%s adds %.1fx): %s\n", t / p, peer, p / t, t * f <= p ? "met" : "not met"
	}'
}

# tk_target_rounds TK PEER FACTOR "MEDIAN MIN MAX N" [MEASURE]: tk_target's
# verdict from PEER's added cost over TK's taken within each round
# (tk_round_ratio: A the peer, B the tracekit tool), met when the median
# round has the peer adding at least FACTOR times what TK adds.
tk_target_rounds() {
	awk -v tk="$1" -v peer="$2" -v f="$3" -v s="$4" -v m="${5:+ ($5)}" "$TK_AWK_RATIO"'
	BEGIN {
		printf "target%s: %s >= %sx below %s: ", m, tk, f, peer
		if (split(s, r, " ") < 4) { printf "- (neither %s nor %s added anything measurable in any round): not measured\n", tk, peer; exit }
		printf "%s adds %s what %s adds (median of %d round%s, %s..%s): %s\n",
			peer, rxx(r[1]), tk, r[4], r[4] == 1 ? "" : "s", rx(r[2]), rx(r[3]),
			(r[1] == "inf" || r[1] >= f ? "met" : "not met")
	}'
}
