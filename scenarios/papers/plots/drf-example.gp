# The DRF paper's section 4 example from `mesosim compare scenarios/papers/drf-example.yaml
# --out DIR`: each user's dominant share over the first seconds of seed 1's base run (what the
# framework holds, offers included), filling step by step to 2/3 each.
#   gnuplot -e "dir='DIR'; out='drf.svg'" scenarios/papers/plots/drf-example.gp
if (!exists("dir")) dir = "."
if (!exists("out")) out = "drf-example.svg"
set terminal svg size 720,400 font "sans,12" background "white"
set output out
set datafile separator ","
series(name) = sprintf("< grep ',framework,%s,' '%s/base/seed-1/timeseries.csv'", name, dir)
set title "DRF progressive filling: 9 CPUs, 18 GB (DRF paper, section 4)"
set xlabel "time (s)"
set ylabel "dominant share"
set xrange [0:8]
set yrange [0:1]
set key bottom right
set grid ytics
plot series("user-a") using 1:4 with steps lw 2 title "user A <1 CPU, 4 GB>", \
     series("user-b") using 1:4 with steps lw 2 dt 2 title "user B <3 CPUs, 1 GB>", \
     2.0/3 with lines lc rgb "gray" dt 3 title "2/3 (the paper's allocation)"
