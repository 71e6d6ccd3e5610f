# Written by vrctl; `gnuplot cdf.gp` in this directory redraws cdf.svg, and cdf.pdf and cdf.png where gnuplot has its cairo terminals (Debian: gnuplot-nox has them).
#
# curve #1f77b4: 0 % of NDR (1000 pps), 100 samples
# curve #d62728: 50 % of NDR (25250 pps), 100 samples
# curve #2ca02c: 90 % of NDR (45450 pps), 100 samples
# Latency CDF at the latency-at loads: the fraction of packets with latency at most x (from each trial's histogram, bucket upper edges); log x.

set encoding utf8
set title 'mono: latency CDF' noenhanced
set key top left box opaque noenhanced
set grid
$cdf0 << EOD
# latency_us fraction_at_most
8 0
16 0.2
32 0.8
128 1
EOD
$cdf1 << EOD
# latency_us fraction_at_most
8 0
16 0.2
82 0.8
178 1
EOD
$cdf2 << EOD
# latency_us fraction_at_most
8 0
16 0.2
122 0.8
218 1
EOD
set key bottom right
set xlabel 'latency (µs)'
set ylabel 'fraction of packets'
set logscale x
set yrange [0:1]

set terminal svg size 960,640 dynamic enhanced font 'Helvetica,13' background rgb 'white'
set output 'cdf.svg'
plot $cdf0 using 1:2 with lines lw 2 lc rgb '#1f77b4' title '0 % of NDR (1000 pps)', \
     $cdf1 using 1:2 with lines lw 2 lc rgb '#d62728' title '50 % of NDR (25250 pps)', \
     $cdf2 using 1:2 with lines lw 2 lc rgb '#2ca02c' title '90 % of NDR (45450 pps)'
if (strstrt(GPVAL_TERMINALS, 'pdfcairo') > 0) {
	set terminal pdfcairo size 6in,4in enhanced font 'Helvetica,9'
	set output 'cdf.pdf'
	replot
}
if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {
	set terminal pngcairo size 960,640 enhanced font 'Helvetica,11' background rgb 'white'
	set output 'cdf.png'
	replot
}
unset output
