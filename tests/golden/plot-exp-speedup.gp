# Written by vrctl; `gnuplot speedup.gp` in this directory redraws speedup.svg, and speedup.pdf and speedup.png where gnuplot has its cairo terminals (Debian: gnuplot-nox has them).
#
# curve #1f77b4: pin=false, 1.0 = 50500 pps at 1 core
# Multi-core speed-up: the NDR/PDR (median) at N cores over the one at the fewest cores of the same configuration; dashed: linear speed-up.

set encoding utf8
set title 'exp: speed-up with cores' noenhanced
set key top left box opaque noenhanced
set grid
$g0 << EOD
# cores answer_pps speedup
1 50500 1
2 100000 1.98019802
EOD
set xlabel 'cores'
set ylabel 'speed-up'
set xtics 1
set xrange [1:2]
set yrange [0:*]

set terminal svg size 960,640 dynamic enhanced font 'Helvetica,13' background rgb 'white'
set output 'speedup.svg'
plot $g0 using 1:3 with linespoints lw 2 lc rgb '#1f77b4' pt 5 title 'pin=false', \
     x / 1. with lines dt 2 lc rgb '#808080' title 'linear'
if (strstrt(GPVAL_TERMINALS, 'pdfcairo') > 0) {
	set terminal pdfcairo size 6in,4in enhanced font 'Helvetica,9'
	set output 'speedup.pdf'
	replot
}
if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {
	set terminal pngcairo size 960,640 enhanced font 'Helvetica,11' background rgb 'white'
	set output 'speedup.png'
	replot
}
unset output
