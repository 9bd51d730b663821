# The Mesos paper's Figure 8 (section 6.3) from `mesosim compare` of delay-scheduling.yaml:
# node-local maps (%) per setup as bars with the 95% confidence interval over seeds, and the
# mean job running time (minutes, right axis) as points with theirs; the paper's locality as
# crosses (18%, about 50%, above 90% drawn at 90, 95%).
#
#   mesosim compare scenarios/papers/delay-scheduling.yaml --seeds 5 --jobs 2 --out OUT
#   gnuplot -e "dir='OUT'; out='delay-scheduling.svg'" scenarios/papers/plots/delay-scheduling.gp
#
# Reads OUT/compare.csv (figure,variant,seeds,mean,ci95_half_width,ratio_to_first). The setups
# are drawn in the paper's order: static partitions, Mesos with no delay, 1 s and 5 s (base).

if (!exists("dir")) dir = "."
if (!exists("out")) out = "delay-scheduling.svg"
csv = dir . "/compare.csv"

# x position, label, mean and half-width scaled by `k` of one figure's rows, paper order.
rows(figure, k) = sprintf("< awk -F, -v f='\"%s\"' -v k=%g 'BEGIN { OFS = \"\\t\"; \
  split(\"static no-delay delay-1s base\", order, \" \"); \
  split(\"static;Mesos, no delay;Mesos, 1s delay;Mesos, 5s delay\", label, \";\") } \
  $1 == f { for (i = 1; i <= 4; i++) if ($2 == order[i]) \
    print i - 1, \"\\\"\" label[i] \"\\\"\", $4 * k, $5 * k }' '%s' | sort -n", \
  figure, k, csv)

$paper << EOD
0 18
1 50
2 90
3 95
EOD

set terminal svg size 720,440 dynamic font "Helvetica,13"
set output out
set title "Data locality and job running time, 16 Hadoop instances on 93 nodes\n(mean over seeds, 95% CI)"
set style fill solid 0.5 border -1
set boxwidth 0.6
set xrange [-0.6:3.6]
set yrange [0:105]
set ytics 0, 20, 100
set ylabel "node-local maps (%)"
set y2label "mean job running time (min)"
set y2range [0:*]
set ytics nomirror
set y2tics
set grid ytics
set key below horizontal
plot rows("node-local fraction of tasks with a preference", 100) \
       using 1:3:4:xticlabels(2) with boxerrorbars lc rgb "#4a7ebb" title "node-local maps (%)", \
     $paper using 1:2 with points pt 2 ps 2 lw 2 lc rgb "black" title "paper", \
     rows("job run time mean (s)", 1.0 / 60) \
       using 1:3:4 axes x1y2 with yerrorlines pt 7 lw 2 lc rgb "#c0504d" title "job running time (min)"
