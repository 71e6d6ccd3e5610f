# Written by vrctl; `gnuplot plot.gp` in this directory redraws plot.svg, and plot.pdf and plot.png where gnuplot has its cairo terminals (Debian: gnuplot-nox has them).
#
# Forwarded against offered load. monolithic, vm, 1 core, unpinned, tap, tcg, imix, 1 flow, sendmmsg, sweep
# x: the rate the generator achieved (achieved_pps), which is the load the router was really offered; offered_pps where a record lacks it.
# Hollow markers: short trials, where the generator sent more than 1 % below the offered rate (they measured the generator, not the router):
#   short: forwarded at offered 3000 pps: achieved 2950 pps, forwarded 2890 pps (more than one round)
# With repeats: mean ± 95 % CI (Student t) of the forwarded rate over the rounds (points[]).

set encoding utf8
set title 'mono: monolithic, vm, 1 core, unpinned, tap, tcg, imix, 1 flow, sendmmsg, sweep' noenhanced
set key top left box opaque noenhanced
set grid
$run0 << EOD
# x y y_low y_high short offered_pps
1000 999 996.5158623 1001.484138 0 1000
2000 1985 1972.579311 1997.420689 0 2000
2950 2890 2790.634492 2989.365508 2 3000
EOD
set xlabel 'offered load (packets/s; x: achieved)'
set ylabel 'forwarded load (packets/s)'
set format x '%.0f'
set format y '%.0f'
set xtics rotate by -30
set rmargin 8
set xrange [0:*]
set yrange [0:*]
set samples 200

set terminal svg size 960,640 dynamic enhanced font 'Helvetica,13' background rgb 'white'
set output 'plot.svg'
plot $run0 using 1:2 with lines lc rgb '#1f77b4' lw 2 title 'forwarded', \
     $run0 using ($5 == 0 ? $1 : 1/0):2:3:4 with yerrorbars lc rgb '#1f77b4' pt 5 ps 0.8 notitle, \
     $run0 using ($5 > 0 ? $1 : 1/0):2:3:4 with yerrorbars lc rgb '#1f77b4' pt 4 ps 1.3 title 'short (generator fell behind)', \
     x with lines dt 2 lc rgb '#808080' title 'ideal: forwarded = offered'
if (strstrt(GPVAL_TERMINALS, 'pdfcairo') > 0) {
	set terminal pdfcairo size 6in,4in enhanced font 'Helvetica,9'
	set output 'plot.pdf'
	replot
}
if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {
	set terminal pngcairo size 960,640 enhanced font 'Helvetica,11' background rgb 'white'
	set output 'plot.png'
	replot
}
unset output
