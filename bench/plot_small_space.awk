#!/usr/bin/awk -f
# plot_small_space.awk — an SVG of bench/small_space.sh's lines: peak RSS
# (left) and prove time (right) against the trace rows, linear and small
# space, both axes in powers of two.  Lines starting with '#' are skipped.
# Usage: bench/small_space.sh > runs.tsv; awk -f bench/plot_small_space.awk runs.tsv > plot.svg
BEGIN { FS = "\t"; W = 360; H = 260; L = 56; T = 30; B = 40; np = 0 }
/^#/ || NF < 5 { next }
{
    mode[np] = $1; n[np] = $2 + 0; sec[np] = $4 + 0; mib[np] = $5 + 0; np++
}
function lg(x) { return log(x) / log(2) }
function lo(a, b) { return a < b ? a : b }
function hi(a, b) { return a > b ? a : b }
# one panel: values v[] (per point), x0 its left edge, title, unit
function panel(x0, title, unit, which,    i, nmin, nmax, ymin, ymax, v, e, px, py, m, path, col, s) {
    nmin = 99; nmax = 0; ymin = 99; ymax = -99
    for (i = 0; i < np; i++) {
        v = which == 0 ? mib[i] : sec[i]
        if (v <= 0) continue
        nmin = lo(nmin, n[i]); nmax = hi(nmax, n[i])
        ymin = lo(ymin, int(lg(v) - (lg(v) < int(lg(v)) ? 1 : 0))); ymax = hi(ymax, int(lg(v)) + 1)
    }
    if (nmax <= nmin) nmax = nmin + 2
    printf "<g transform=\"translate(%d,0)\">\n", x0
    printf "<text x=\"%d\" y=\"18\" font-size=\"13\" text-anchor=\"middle\">%s</text>\n", L + W / 2, title
    for (e = ymin; e <= ymax; e++) {
        py = T + H - (e - ymin) / (ymax - ymin) * H
        printf "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", L, L + W, py, py
        printf "<text x=\"%d\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\">%g %s</text>\n", L - 4, py + 3, 2 ^ e, unit
    }
    for (e = nmin; e <= nmax; e += 2) {
        px = L + (e - nmin) / (nmax - nmin) * W
        printf "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#ddd\"/>\n", px, px, T, T + H
        printf "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\">2^%d</text>\n", px, T + H + 14, e
    }
    printf "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">trace rows</text>\n", L + W / 2, T + H + 30
    for (m = 0; m < 2; m++) {
        s = m == 0 ? "linear" : "small"; col = m == 0 ? "#c0392b" : "#2471a3"; path = ""
        for (i = 0; i < np; i++) {
            v = which == 0 ? mib[i] : sec[i]
            if (mode[i] != s || v <= 0) continue
            px = L + (n[i] - nmin) / (nmax - nmin) * W
            py = T + H - (lg(v) - ymin) / (ymax - ymin) * H
            path = path (path == "" ? "M" : " L") sprintf("%.1f %.1f", px, py)
            printf "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n", px, py, col
            printf "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\" fill=\"%s\">%g</text>\n", px + 5, py - 5, col, v
        }
        if (path != "")
            printf "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"/>\n", path, col
        printf "<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"%s\">%s space</text>\n", L + 8, T + 14 + 14 * m, col, s
    }
    printf "</g>\n"
}
END {
    printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\">\n", 2 * (L + W + 20) + 40, T + H + B
    printf "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
    panel(0, "peak RSS", "MiB", 0)
    panel(L + W + 20, "prove time", "s", 1)
    printf "</svg>\n"
}
