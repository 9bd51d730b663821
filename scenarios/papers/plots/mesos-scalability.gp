# The Mesos paper's Figure 10 from `mesosim compare scenarios/papers/mesos-scalability.yaml
# --out DIR`: the test framework's task launch delay (mean and 95% CI over the seeds) against
# the number of agents, with the measured allocation run time on the right axis.
#   gnuplot -e "dir='DIR'; out='scalability.svg'" scenarios/papers/plots/mesos-scalability.gp
# Variant names give the agent count ("agents-N"); the base scenario has 5,000 agents.
if (!exists("dir")) dir = "."
if (!exists("out")) out = "mesos-scalability.svg"
set terminal svg size 720,440 font "sans,12" background "white"
set output out
set datafile separator ","
rows(figure) = sprintf("< grep '^\"%s\",' '%s/compare.csv' | awk -F, '{n = ($2 == \"base\") ? 5000 : substr($2, 8); print n, $4, $5}' | sort -n", figure, dir)
set title "Task launch overhead (Mesos paper section 6.5)"
set xlabel "agents"
set ylabel "test task launch delay (s)"
set y2label "allocation run, mean (ms)"
set ytics nomirror
set y2tics
set yrange [0:*]
set y2range [0:*]
set xrange [0:*]
set key top left
set grid ytics
set datafile separator " "
plot rows("probe: job wait mean (s)") using 1:2:3 with yerrorlines lw 2 pt 7 title "launch delay (mean ± 95% CI)", \
     rows("allocation run mean (ms)") using 1:2 axes x1y2 with linespoints lw 1 dt 2 pt 6 title "allocation run (right axis)"
