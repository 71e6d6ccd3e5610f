# Written by vrctl; `gnuplot answers.gp` in this directory redraws answers.svg, and answers.pdf and answers.png where gnuplot has its cairo terminals (Debian: gnuplot-nox has them).
#
# cores=1 pin=false: 50500 pps [48349, 52651]
# cores=2 pin=false: 100000 pps [100000, 100000]
# cores=2 pin=true: 50500 pps [48349, 52651]
# NDR per configuration: mean ± 95 % CI (Student t) over the usable rounds (answers[]); a single round: its value, no whiskers.

set encoding utf8
set title 'exp: NDR/PDR per configuration' noenhanced
set key top left box opaque noenhanced
set grid
$ans << EOD
# index label answer_pps ci_low ci_high colour
0 "cores=1 pin=false" 50500 48348.67364 52651.32636 2062260
1 "cores=2 pin=false" 100000 100000 100000 14034728
2 "cores=2 pin=true" 50500 48348.67364 52651.32636 2924588
EOD
set ylabel 'NDR (packets/s)'
set yrange [0:*]
set format y '%.0f'
set offsets 0, 0, graph 0.08, 0
set boxwidth 0.6
set style fill solid 0.7
set xtics rotate by -30 noenhanced
set xrange [-0.6:2.6]
set key off

set terminal svg size 960,640 dynamic enhanced font 'Helvetica,13' background rgb 'white'
set output 'answers.svg'
plot $ans using 1:3:6:xtic(2) with boxes lc rgb variable notitle, \
     $ans using 1:3:4:5 with yerrorbars lc rgb '#000000' pt -1 lw 1.5 notitle
if (strstrt(GPVAL_TERMINALS, 'pdfcairo') > 0) {
	set terminal pdfcairo size 6in,4in enhanced font 'Helvetica,9'
	set output 'answers.pdf'
	replot
}
if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {
	set terminal pngcairo size 960,640 enhanced font 'Helvetica,11' background rgb 'white'
	set output 'answers.png'
	replot
}
unset output
