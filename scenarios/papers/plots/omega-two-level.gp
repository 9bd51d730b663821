# Omega (EuroSys 2013) Figure 7 in mesosim: how long the batch and the service framework's tasks
# wait (pending -> launched; mean over seeds, 95% confidence interval as error bars) against
# the service scheduler's decision time t_job(service), log x axis; and the batch jobs
# abandoned after 1,000 scheduling attempts.
#
#   mesosim compare scenarios/papers/omega-two-level.yaml --seeds 5 --out DIR
#   gnuplot -e "dir='DIR'; out='omega-two-level.svg'" scenarios/papers/plots/omega-two-level.gp
#
# Reads DIR/compare.csv (figure,variant,seeds,mean,ci95_half_width,ratio_to_first). Each sweep
# variant's t_job(service) is read from its name (service-t-job-<N>s); the base is 0.1 s. The
# `gang` variant is not on this axis.

if (!exists("dir")) dir = "mesosim-out/omega-two-level/compare"
if (!exists("out")) out = "omega-two-level.svg"

# Rows of one figure as "t_job mean half_width", sorted by t_job.
rows(fig) = sprintf("< awk -F, -v f='\"%s\"' '$1 == f { " . \
  "if ($2 == \"base\") x = 0.1; " . \
  "else if ($2 ~ /^service-t-job-[0-9.]+s$/) { x = $2; sub(/^service-t-job-/, \"\", x); " . \
  "sub(/s$/, \"\", x) } else next; print x, $4, $5 }' '%s/compare.csv' | sort -g", fig, dir)

set terminal svg size 900,420 dynamic font "sans,11"
set output out
set multiplot layout 1,2 title "Two-level scheduling (Mesos offers): performance against t_{job}(service)"

set logscale x
set xrange [0.05:200]
set xlabel "t_{job}(service) [s]"
set grid
set key top left

set title "(a) task wait, pending to launched"
set ylabel "mean task wait [s] (log)"
set logscale y
plot rows("batch: task wait mean (s)") using 1:2:3 with yerrorlines lw 2 pt 7 title "batch", \
     rows("service: task wait mean (s)") using 1:2:3 with yerrorlines lw 2 pt 5 title "service"

set title "(b) batch jobs abandoned (1,000 attempts)"
set ylabel "jobs abandoned per run"
unset logscale y
set yrange [0:*]
plot rows("batch: jobs abandoned") using 1:2:3 with yerrorlines lw 2 pt 7 title "batch"

unset multiplot
