# compare_chart.gp: the bar chart of seglog-compare (bench/compare): records/s per system for each workload
# (append without fsync, read, durable append), medians with min-max bars over the rounds, on a log scale.
#
# `seglog-compare --gnuplot-dir DIR` writes DIR/compare.dat and this script as DIR/compare_chart.gp, and
# renders DIR/compare.png with it. To render again (or after editing the script):
#   gnuplot -e "datadir='DIR'" DIR/compare_chart.gp
#
# compare.dat: one line per system: name, then median, min and max records/s of append, read and durable
# (NaN where a workload was not run).

if (!exists("datadir")) datadir = "."
if (!exists("chart_title")) chart_title = "seglog-compare"
if (!exists("chart_machine")) chart_machine = ""
datafile = datadir . "/compare.dat"

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 1100,620 enhanced font "sans,10"
} else {
  set terminal png size 1100,620
}
set output datadir . "/compare.png"

set title chart_title . "\n" . chart_machine . "\nrecords/s, median of the rounds (bars: min-max), log scale" noenhanced
set style data histograms
set style histogram errorbars gap 2 lw 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y
set yrange [100000:*]
set format y "10^{%L}"
set ylabel "records/s"
set grid ytics mytics
set key inside left top vertical
set xtics nomirror noenhanced rotate by -25
set tics out

plot datafile using 2:3:4:xtic(1) title "append (no fsync)" lc rgb "#1f77b4", \
     ''       using 5:6:7          title "read (page cache warm)" lc rgb "#2ca02c", \
     ''       using 8:9:10         title "durable append" lc rgb "#d62728"
