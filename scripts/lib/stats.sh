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

# tk_round_ratio: one line per round, "A B BASE" (three rows' values from
# the same round); prints "MEDIAN MIN MAX N" of (A - BASE) / (B - BASE),
# A's added cost over B's, over the N rounds where B added anything, or
# nothing when none did (a line that is not three numbers, a round where a
# row failed, is left out). A ratio taken within a round cancels what medians
# of whole rows keep: this host's speed moves by 10-15 % from one run to
# the next, and a round's rows run seconds apart.
tk_round_ratio() {
	local r
	r=$(awk -v num='^-?[0-9]+([.][0-9]*)?$' '$1 ~ num && $2 ~ num && $3 ~ num && $2 - $3 > 0 {
		printf "%.10g\n", ($1 - $3) / ($2 - $3) }' | sort -g)
	[ -n "$r" ] || return 0
	# the median as tk_median defines it; the least and greatest of the sorted list
	printf '%s %s %s %d\n' "$(tk_median <<<"$r")" "$(head -1 <<<"$r")" "$(tail -1 <<<"$r")" \
		"$(wc -l <<<"$r")"
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

# tk_ratio_text "MEDIAN MIN MAX N": "2.41x (2.10..2.70, 5 rounds)", or "-".
tk_ratio_text() {
	awk -v s="$1" 'BEGIN { n = split(s, f, " ")
		if (n < 4) print "-"; else printf "%.2fx (%.2f..%.2f, %d round%s)\n", f[1], f[2], f[3], f[4], f[4] == 1 ? "" : "s" }'
}
