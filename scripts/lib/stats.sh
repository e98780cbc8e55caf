# shellcheck shell=bash
# The statistics of the bench scripts (scripts/bench-*), defined once;
# sourced after the script's cd to the top of the tree. Each reads one
# number per line on stdin and prints one, or nothing for no input.
#
# tk_median: the middle value of an odd count, the mean of the two middle
# values of an even count; the definition of benchmarks/stats.c
# (bs_summarize), so a script's median and rbbench's mean the same thing.
# %.10g keeps a mean such as 123456.5 whole (awk's default print rounds to
# 6 digits and writes large values in e-notation).
tk_median() {
	sort -g | awk '{ v[NR] = $1 }
		END { if (NR) printf "%.10g\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# tk_min: the smallest value. bench-sys reports the best of its runs rather
# than their median: a getppid loop is only ever slowed down by others'
# work, so its least disturbed run is its own cost.
tk_min() {
	sort -g | awk 'NR == 1 { printf "%.10g\n", $1 }'
}

# tk_rotate K: stdin's lines, rotated left by K (mod their count): the
# order of a round's rows, so that no row always runs first (on a cold
# cache, right after the untraced loop) or last (after every tracer's
# teardown) in the rounds a ratio pairs.
tk_rotate() {
	awk -v k="$1" '{ l[NR - 1] = $0 } END { for (i = 0; i < NR; i++) print l[(i + k) % NR] }'
}

# tk_round_ratio: one line per round, "A B BASE" (three rows' values from
# the same round); prints "MEDIAN MIN MAX N" of (A - BASE) / (B - BASE),
# A's added cost over B's, over the N rounds where either added anything,
# or nothing when neither did in any round (a line that is not three
# numbers, a round where a row failed, is left out). A round where A added
# something and B nothing is a ratio of "inf": A's cost is above any
# multiple of B's there. It counts, so that a verdict on the median leans
# neither way: left out, as it once was, it dropped exactly the rounds that
# favour "A costs more" (the median then understated A over B). A
# consumer compares "inf" as a string (gawk reads it as 0, mawk as
# infinity). A ratio taken within a round cancels what medians of whole
# rows keep: this host's speed moves by 10-15 % from one run to the next,
# and a round's rows run seconds apart.
tk_round_ratio() {
	awk -v num='^-?[0-9]+([.][0-9]*)?$' '$1 ~ num && $2 ~ num && $3 ~ num {
		a = $1 - $3; b = $2 - $3
		if (b > 0) printf "%.10g\n", a / b; else if (a > 0) print "inf" }' |
		sort -g | awk '{ v[NR] = $1 }
		# the median as tk_median defines it; an "inf" in the middle is the median
		function mid(x, y) { return (x == "inf" || y == "inf") ? "inf" : sprintf("%.10g", (x + y) / 2) }
		END { if (NR) printf "%s %s %s %d\n", NR % 2 ? v[(NR + 1) / 2] : mid(v[NR / 2], v[NR / 2 + 1]), v[1], v[NR], NR }'
}

# tk_res_ratio ARRAY A B BASE: tk_round_ratio of rows A, B and BASE of
# ARRAY, an associative array filled by tk_add (one line per round, the
# row's value its first field; a row that skipped a round has a line
# that is not a number there, an empty one included, so the rounds stay
# aligned: no line is dropped before paste pairs them).
tk_res_ratio() {
	local -n _tk_res=$1
	paste -d' ' <(printf '%s' "${_tk_res[$2]}" | awk '{ print $1 }') \
		<(printf '%s' "${_tk_res[$3]}" | awk '{ print $1 }') \
		<(printf '%s' "${_tk_res[$4]}" | awk '{ print $1 }') | tk_round_ratio
}

# TK_AWK_RATIO: awk functions that format a ratio with two decimals, or
# "inf" (tk_round_ratio) as itself: rx(v) "2.41" or "inf", rxx(v) "2.41x"
# or "inf".
TK_AWK_RATIO='function rx(v) { return v == "inf" ? "inf" : sprintf("%.2f", v) }
function rxx(v) { return v == "inf" ? "inf" : sprintf("%.2fx", v) }'

# tk_ratio_text "MEDIAN MIN MAX N": "2.41x (2.10..2.70, 5 rounds)", or "-".
tk_ratio_text() {
	awk -v s="$1" "$TK_AWK_RATIO"'
	BEGIN { n = split(s, f, " ")
		if (n < 4) print "-"; else printf "%s (%s..%s, %d round%s)\n", rxx(f[1]), rx(f[2]), rx(f[3]), f[4], f[4] == 1 ? "" : "s" }'
}

# tk_ratio_le "MEDIAN MIN MAX N" LIMIT: true when the median is a ratio of at
# most LIMIT ("inf" is not; no ratio is not).
tk_ratio_le() {
	awk -v s="$1" -v x="$2" 'BEGIN { split(s, f, " "); exit !(f[1] != "" && f[1] != "inf" && f[1] <= x) }'
}
