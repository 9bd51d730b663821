# The Mesos paper's failover figure (NSDI 2011, section 6.6): mean time to recovery after the
# leading master fails, against the number of agents, with 95% confidence intervals, beside the
# paper's measured range (4 to 8 s in all cases).
#
# Reads compare.csv of `mesosim compare scenarios/papers/mesos-failover.yaml --seeds 5 --out DIR`
# (columns: figure, variant, seeds, mean, ci95_half_width, ratio_to_first; the variants are
# `base` with 200 agents and `agents-N` with N agents):
#
#   gnuplot -e "dir='DIR'; out='mesos-failover.svg'" scenarios/papers/plots/mesos-failover.gp
if (!exists("dir")) dir = "."
if (!exists("out")) out = "mesos-failover.svg"

set terminal svg size 640,420 dynamic enhanced font "sans,11"
set output out
set datafile separator ","

csv = dir . "/compare.csv"
agents(v) = (v eq "base") ? 200 : real(v[8:])
row(name, col) = (strcol(1) eq name) ? column(col) : NaN
x(name) = (strcol(1) eq name) ? agents(strcol(2)) : NaN

set title "Master failover: time until every agent and framework is back"
set xlabel "agents"
set ylabel "time to recovery (s)"
set xrange [0:4400]
set yrange [0:*]
set key top left box opaque
set grid ytics
set object 1 rectangle from graph 0, first 4 to graph 1, first 8 fillcolor rgb "#d9d9d9" fillstyle solid 0.6 noborder behind
set label 1 "paper: 4-8 s" at graph 0.98, first 6 right textcolor rgb "#555555"

recovery = "failover recovery mean (s)"
after = "failover recovery after election mean (s)"
plot csv using (x(recovery)):(row(recovery, 4)):(row(recovery, 5)) \
         with yerrorlines lw 2 pt 7 lc rgb "#1f77b4" title "mesosim: failure to all back", \
     csv using (x(after)):(row(after, 4)):(row(after, 5)) \
         with yerrorlines lw 2 pt 5 lc rgb "#ff7f0e" title "mesosim: election to all back"
