# Box plots of log2 |value| per layer (nngen profile); whiskers: min and max, box: quartiles,
# line: median; the shaded band is the range of the layer's type (its LSB to its largest magnitude).
set terminal pngcairo noenhanced size 1280,640 font ",10"
set output 'profile.png'
set datafile missing 'NaN'
set title "nngen profile of svhn_paper_qp7 on 1000 input(s): log2 |value| per layer, type range shaded"
set ylabel 'log2 |value|'
set xtics rotate by -30 nomirror
set grid ytics
set key outside right top
set xrange [-0.6:13.6]
set yrange [-12:6]
set style fill transparent solid 0.18 noborder
plot 'profile.dat' using ($1-0.2):(($8+$9)/2):($1-0.38):($1-0.02):8:9 with boxxyerror lc rgb '#1f77b4' title 'weight type', \
     '' using ($1+0.2):(($15+$16)/2):($1+0.02):($1+0.38):15:16 with boxxyerror lc rgb '#d62728' title 'result type', \
     '' using ($1-0.2):4:3:7:6:xtic(2) with candlesticks whiskerbars 0.5 fs empty lw 1.5 lc rgb '#1f77b4' title 'weights', \
     '' using ($1-0.2):5:5:5:5 with candlesticks lw 2 lc rgb '#1f77b4' notitle, \
     '' using ($1+0.2):11:10:14:13 with candlesticks whiskerbars 0.5 fs empty lw 1.5 lc rgb '#d62728' title 'outputs (before the result type)', \
     '' using ($1+0.2):12:12:12:12 with candlesticks lw 2 lc rgb '#d62728' notitle
