# Written by vrctl; `gnuplot latency.gp` in this directory redraws latency.svg, and latency.pdf and latency.png where gnuplot has its cairo terminals (Debian: gnuplot-nox has them).
#
# Latency percentiles (us, log y) against load, every trial with latency samples (9).
# x: the achieved rate (offered where a record lacks it); hollow: short trials.

set encoding utf8
set title 'mono: latency against load' noenhanced
set key top left box opaque noenhanced
set grid
$lat << EOD
# x p50 p90 p99 p999 short (us; - absent)
1000 30 60 130 250 0
1000 31 60 130 250 0
1000 32 60 130 250 0
2000 30 60 140 250 0
2000 31 60 140 250 0
2000 32 60 140 250 0
2900 30 60 150 250 1
2950 31 60 150 250 1
3000 32 60 150 250 0
EOD
set datafile missing '-'
set xlabel 'load (packets/s, achieved)'
set ylabel 'latency (µs)'
set logscale y
set format x '%.0f'
set xtics rotate by -30
set xrange [0:*]

set terminal svg size 960,640 dynamic enhanced font 'Helvetica,13' background rgb 'white'
set output 'latency.svg'
plot $lat using ($6 == 0 ? $1 : 1/0):2 with points lc rgb '#1f77b4' pt 5 ps 0.8 title 'p50', \
     $lat using ($6 > 0 ? $1 : 1/0):2 with points lc rgb '#1f77b4' pt 4 ps 1.3 notitle, \
     $lat using ($6 == 0 ? $1 : 1/0):3 with points lc rgb '#d62728' pt 7 ps 0.8 title 'p90', \
     $lat using ($6 > 0 ? $1 : 1/0):3 with points lc rgb '#d62728' pt 6 ps 1.3 notitle, \
     $lat using ($6 == 0 ? $1 : 1/0):4 with points lc rgb '#2ca02c' pt 9 ps 0.8 title 'p99', \
     $lat using ($6 > 0 ? $1 : 1/0):4 with points lc rgb '#2ca02c' pt 8 ps 1.3 notitle, \
     $lat using ($6 == 0 ? $1 : 1/0):5 with points lc rgb '#ff7f0e' pt 11 ps 0.8 title 'p999', \
     $lat using ($6 > 0 ? $1 : 1/0):5 with points lc rgb '#ff7f0e' pt 10 ps 1.3 notitle
if (strstrt(GPVAL_TERMINALS, 'pdfcairo') > 0) {
	set terminal pdfcairo size 6in,4in enhanced font 'Helvetica,9'
	set output 'latency.pdf'
	replot
}
if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {
	set terminal pngcairo size 960,640 enhanced font 'Helvetica,11' background rgb 'white'
	set output 'latency.png'
	replot
}
unset output
