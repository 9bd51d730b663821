# The Mesos paper's Figure 5 for mesosim's macrobenchmark: each framework's share of the
# cluster's CPUs over time, under Mesos (variant base) and on static partitions (variant
# static), one panel per framework, from seed 1's timeseries.csv (allocated CPUs, as
# analysis/README.md defines them). Rendered by scripts/reproduce-papers.sh:
#   gnuplot -e "dir='build/papers/mesos-macrobenchmark'; out='build/papers/mesos-macrobenchmark.svg'" \
#     scenarios/papers/plots/mesos-macrobenchmark.gp
if (!exists("dir") || !exists("out")) {
  print "usage: gnuplot -e \"dir='COMPARE_OUT_DIR'; out='FILE.svg'\" mesos-macrobenchmark.gp"
  exit status 2
}
mesos = dir . "/base/seed-1/timeseries.csv"
static = dir . "/static/seed-1/timeseries.csv"
# The rows of one framework: time_s and cpus_allocated_share, found by their header names.
rows(file, name) = sprintf("< awk -F, -v name='%s' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } $c[\"kind\"] == \"framework\" && $c[\"name\"] == name { print $c[\"time_s\"], $c[\"cpus_allocated_share\"] }' '%s'", name, file)

set terminal svg size 1000,640 dynamic font "sans,12"
set output out
set multiplot layout 2,2 title "Share of the cluster's CPUs: Mesos vs static partitioning (seed 1)"
set xlabel "time (s)"
set ylabel "share of cluster CPUs"
set yrange [0:1]
set grid
set key top right
names = "facebook-hadoop large-hadoop spark torque-mpi"
titles = "'(a) Facebook Hadoop mix' '(b) Large Hadoop mix' '(c) Spark' '(d) Torque/MPI'"
do for [i = 1:4] {
  set title word(titles, i)
  plot rows(mesos, word(names, i)) using 1:2 with lines lw 2 lc rgb "#1f77b4" title "Mesos", \
       rows(static, word(names, i)) using 1:2 with lines lw 2 dt 2 lc rgb "#d62728" title "Static"
}
unset multiplot
