# End-to-end latency percentiles from `seglog-perf e2e` at several rates (bench/results.py writes the data).
# gnuplot -e "datafile='e2e-latency.dat'; outfile='e2e-latency.png'; series=3" bench/e2e_latency.gp
# The data file: a header line, then one line per percentile: its name, then one latency (ms) per series.
if (!exists("datafile")) datafile = 'e2e-latency.dat'
if (!exists("outfile")) outfile = 'e2e-latency.png'
if (!exists("series")) series = 3
set terminal pngcairo size 900,500 noenhanced font ",11"
set output outfile
set title "seglog-perf e2e: latency from Send to the consumer seeing the record"
set ylabel "milliseconds (log scale)"
set xlabel "percentile"
set logscale y
set grid ytics
set key top left
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
plot for [i=2:series+1] datafile using i:xtic(1) title columnhead(i)
