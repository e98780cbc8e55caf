# shellcheck shell=bash
# Paired windows: the cost a tracer adds to a loop, measured against the
# untraced loop of the moments just before and just after it.
#
# Why: this host's speed moves in steps that last 0.25-1.5 s (the untraced
# open+close loop at ~2100 and at ~2700 ns for a few hundred ms, on both
# vCPUs, with steal at 0). A row that runs the loop on its own for a second
# and is compared with an untraced row run seconds earlier carries those
# steps into its ratio: whole-row rounds of bench-file gave filetrace over
# the empty pair anywhere from 0.63x to 13x in one run. Here one loop runs
# without end in chunks of a few ms (openloop -c), and each row's tracer is
# started, left attached for TK_WIN_ON seconds and stopped while it runs;
# a window's added cost is the median of its traced chunks less the mean
# of the medians of the untraced gaps on either side, all within about two
# seconds. Measured that way on the same host (2026-12-08), filetrace's
# rounds gave 793-858 ns in 7 of its 8 measured windows, against 0.63x to
# 13x in whole rows; a noisier stretch widens the range, not the median.
#
# Chunks count only where they are wholly inside a span: traced between
# the tracer's ready line and the signal that stops it (its start-up and
# its detach, which takes ~2 s of RCU grace periods under a busy loop, are
# neither traced nor untraced); untraced, only the last TK_WIN_BASE
# seconds of each gap. The kernel finishes a tracer's teardown after its
# process is gone: with filetrace's ten sys_exit_* tracepoints the loop ran
# ~150 ns slower for ~400 ms after filetrace had exited (perf showed
# perf_syscall_exit still called from the loop's syscalls: the perf events
# under the links are destroyed later, one grace period each), so a gap's
# start is not yet untraced. The loop is a workload the tracers see like
# any other; its own write of the chunk lines happens every 64 KiB, a few
# per second.
#
# Sourced after scripts/lib/stop.sh (tk_stop, tk_wait_ready).

TK_WIN_ON=${TK_WIN_ON:-0.5}   # seconds a tracer stays attached in a window
TK_WIN_GAP=${TK_WIN_GAP:-1.2} # seconds of untraced loop between windows
TK_WIN_BASE=${TK_WIN_BASE:-0.5} # the last seconds of a gap, its untraced span
TK_WIN_AGREE=${TK_WIN_AGREE:-0.05} # a window's two untraced medians may differ by this fraction

# tk_win_now: CLOCK_REALTIME in ns, the clock of openloop -c's lines
tk_win_now() {
	echo "${EPOCHREALTIME/./}000"
}

# tk_window FILE ROUND ROW START_FN: one window. START_FN ROW starts the
# row's tracer in the background of this shell (so that tk_stop can reap
# it), waits for its ready line and sets tk_win_pid; it returns non-zero
# if the tracer did not start. Appends "ROUND ROW T0 T1 T2 T3" to FILE:
# T0 before the start, T1 ready, T2 the stop signal, T3 the tracer gone;
# then waits TK_WIN_GAP. A row whose tracer failed ends the window with
# status 1 and appends nothing.
tk_window() {
	local file=$1 round=$2 row=$3 start=$4 t0 t1 t2 t3
	t0=$(tk_win_now)
	tk_win_pid=
	"$start" "$row" || return 1
	t1=$(tk_win_now)
	sleep "$TK_WIN_ON"
	t2=$(tk_win_now)
	tk_stop "$tk_win_pid"
	t3=$(tk_win_now)
	echo "$round $row $t0 $t1 $t2 $t3" >>"$file"
	sleep "$TK_WIN_GAP"
}

# tk_win_added CHUNKS WINDOWS: for each window of WINDOWS (tk_window's
# lines, in the order they ran), "ROUND ROW ADDED TRACED BEFORE AFTER NT"
# from CHUNKS (openloop -c's lines): TRACED the median ns/iter of the
# chunks wholly within [T1, T2], BEFORE and AFTER the medians of the
# untraced chunks of the TK_WIN_BASE seconds before T0 and before the next
# window's T0 (after the last window: before the last chunk's end), never
# before the previous window's T3 or this one's,
# ADDED = TRACED - (BEFORE + AFTER) / 2, NT the traced chunks. A window
# without a chunk in one of its three spans has "-" for ADDED (and for the
# medians it lacks): it is a round where the row was not measured. So has
# one whose BEFORE and AFTER differ by more than TK_WIN_AGREE of the lower:
# the host changed speed around it (a step of this host's lasted longer
# than half a span: the untraced loop at ~2800 against ~2150 ns), and its
# traced span cannot be told apart from the step.
tk_win_added() {
	awk -v agree="$TK_WIN_AGREE" -v base="$(awk -v s="$TK_WIN_BASE" 'BEGIN { printf "%.0f", s * 1e9 }')" '
	function max(a, b) { return a > b ? a : b }
	function median(v, n,   i, j, t) {
		for (i = 2; i <= n; i++) {
			t = v[i]
			for (j = i - 1; j >= 1 && v[j] > t; j--) v[j + 1] = v[j]
			v[j + 1] = t
		}
		return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
	}
	# the median of the chunks wholly within [lo, hi], or "-"; their
	# number in spann
	function span(lo, hi,   c, v) {
		spann = 0
		for (c = 1; c <= nc; c++)
			if (ca[c] >= lo && cb[c] <= hi) v[++spann] = cn[c]
		return spann ? median(v, spann) : "-"
	}
	FNR == NR { if (NF == 3) { ca[++nc] = $1; cb[nc] = $2; cn[nc] = $3; end = $2 }; next }
	NF == 6 { nw++; round[nw] = $1; row[nw] = $2; t0[nw] = $3; t1[nw] = $4; t2[nw] = $5; t3[nw] = $6 }
	END {
		for (w = 1; w <= nw; w++) {
			tr = span(t1[w], t2[w])
			nt = spann
			bf = span(max(w > 1 ? t3[w - 1] : 0, t0[w] - base), t0[w])
			hi = w < nw ? t0[w + 1] : end
			af = span(max(t3[w], hi - base), hi)
			add = (tr == "-" || bf == "-" || af == "-") ? "-" : sprintf("%.1f", tr - (bf + af) / 2)
			if (add != "-" && (bf > af ? bf - af : af - bf) > agree * (bf < af ? bf : af)) add = "-"
			printf "%s %s %s %s %s %s %d\n", round[w], row[w], add, tr, bf, af, nt
		}
	}' "$1" "$2"
}

# tk_win_res ARRAY ADDED ROUNDS: fills ARRAY (associative, as tk_add's)
# from tk_win_added's output: ARRAY[ROW] gets one line per round 1..ROUNDS,
# "ADDED TRACED", or "-" for a round without that row's window (so that the
# rounds stay aligned for tk_res_ratio), and ARRAY[none] "0 BASE" with
# BASE the mean of the round's untraced medians: tk_res_ratio ARRAY A B
# none is then ADDED(A) / ADDED(B) within each round.
tk_win_res() {
	local -n _tk_win=$1
	local row
	for row in $(awk '{ print $2 }' <<<"$2" | sort -u) none; do
		_tk_win[$row]=$(awk -v want="$row" -v rounds="$3" '
			want == "none" && $5 != "-" && $6 != "-" { s[$1] += ($5 + $6) / 2; k[$1]++ }
			$2 == want { v[$1] = $3 == "-" ? "-" : $3 " " $4 }
			END { for (r = 1; r <= rounds; r++)
				if (want == "none") print (r in k) ? sprintf("0 %.1f", s[r] / k[r]) : "-"
				else print (r in v) ? v[r] : "-" }' <<<"$2")$'\n'
	done
}

# tk_win_left_out ADDED: the line saying how many of tk_win_added's
# windows were not measured, and why a window is left out.
tk_win_left_out() {
	awk -v agree="$TK_WIN_AGREE" '$3 == "-" { out++ } END {
		printf "windows left out: %d of %d (an untraced span without chunks, or the two beside a window more than %.0f %% apart: the host changed speed there)\n",
			out, NR, agree * 100 }' <<<"$1"
}
