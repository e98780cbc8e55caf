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
