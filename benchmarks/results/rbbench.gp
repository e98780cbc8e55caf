# gnuplot script written by rbbench: gnuplot rbbench.gp (in this directory)
set terminal pngcairo size 1800,1200 font ',10' noenhanced
set output 'rbbench.png'
set datafile missing '-'
names = 'perf(copy) output(copy) reserve(zero-copy) dynptr(zero-copy) none(build-only)'
set multiplot layout 2,3 title 'rbbench, Linux 6.18.44-fc-v1300, 2 CPUs, median of 3 rounds (bars: min..max; rounds with over 1% dropped left out); shared machine, compare within a panel'
set logscale x 2
set xrange [12:5600]
set xtics ('16' 16, '32' 32, '64' 64, '256' 256, '1K' 1024, '4K' 4096)
set xlabel 'event size (bytes); batch policy, 1 producer, 64 events per getpgid(), 32M ring'
set grid
set key top left
set logscale y
set ylabel 'in-BPF ns per event (no-op program subtracted)'
plot for [i=0:4] 'rbbench-chart.dat' index i using 1:2:3:4 with yerrorlines lw 2 title word(names, i+1)
set ylabel 'events produced per second (millions)'
set key bottom left
plot for [i=0:4] 'rbbench-chart.dat' index i using 1:5:6:7 with yerrorlines lw 2 title word(names, i+1)
unset logscale x
set xrange [-0.6:5.6]
set xtics auto
set xlabel 'wakeup policy; 64 B, 1 producer, 64 events per getpgid(), 4M ring'
set ylabel 'CPU ns per event: in BPF + consumer thread'
set yrange [10:*]
set key top right
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set key autotitle columnheader
pnames = 'perf(copy) output(copy) reserve(zero-copy) dynptr(zero-copy)'
plot for [i=2:5] 'rbbench-policy.dat' using i:xtic(1) title word(pnames, i-1)
set style data linespoints
unset style
set autoscale
set key top left noautotitle
set logscale x 10
set xrange [20:3e6]
set logscale y
set xtics auto
set xlabel 'events/s (reserve, 32 B, one producer)'
set ylabel 'event to consumer, p99 (us)'
lnames = 'event batch bounded'
plot for [i=0:2] 'rbbench-latency.dat' index i using 1:2:3:4 with yerrorlines lw 2 title word(lnames, i+1), 1000 with lines dt 2 title '1 ms'
set ylabel 'consumer wakeups per second (0 shown as 1)'
plot for [i=0:2] 'rbbench-latency.dat' index i using 1:5:6:7 with yerrorlines lw 2 title word(lnames, i+1), 2000 with lines dt 2 title '2000/s'
unset multiplot
