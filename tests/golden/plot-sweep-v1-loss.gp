# Written by vrctl; `gnuplot loss.gp` in this directory redraws loss.svg, and loss.pdf and loss.png where gnuplot has its cairo terminals (Debian: gnuplot-nox has them).
#
# Loss ratio (1 - received/sent) against load, every trial; log y.
# x: the achieved rate (offered where a record lacks it); hollow: short trials.
# 2 trial(s) with zero loss are not drawn (no zero on a log scale).
# colour #1f77b4: forwarded

set encoding utf8
set title 'mono: loss ratio' noenhanced
set key top left box opaque noenhanced
set grid
$loss0 << EOD
# x loss_ratio short
2000 0.005 0
EOD
set xlabel 'load (packets/s, achieved)'
set ylabel 'loss ratio'
set logscale y
set format x '%.0f'
set format y '10^{%L}'
set xtics rotate by -30
set xrange [0:*]
set yrange [0.0005:0.05]

set terminal svg size 960,640 dynamic enhanced font 'Helvetica,13' background rgb 'white'
set output 'loss.svg'
plot $loss0 using ($3 == 0 ? $1 : 1/0):2 with points lc rgb '#1f77b4' pt 5 ps 0.8 title 'forwarded'
if (strstrt(GPVAL_TERMINALS, 'pdfcairo') > 0) {
	set terminal pdfcairo size 6in,4in enhanced font 'Helvetica,9'
	set output 'loss.pdf'
	replot
}
if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {
	set terminal pngcairo size 960,640 enhanced font 'Helvetica,11' background rgb 'white'
	set output 'loss.png'
	replot
}
unset output
