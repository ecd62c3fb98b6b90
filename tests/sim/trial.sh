#!/bin/sh
# prolo simulate trial / calibrate / params: a trial's outcome table, power
# over replicate trials, and a calibration table in which every published
# target is met.
. "$(dirname "$0")/../lib/cli.sh"

run 0 simulate trial --arms dextrose,placebo --condition low_back_pain --per-arm 100
out_has "dextrose"
out_has "placebo"
out_has "difference"
out_has "two-proportion z test"
cp "$OUT" "$T/t1"
run 0 simulate trial --arms dextrose,placebo --condition low_back_pain --per-arm 100
cmp "$OUT" "$T/t1" || { echo "trial not deterministic" >&2; exit 1; }

run 0 simulate trial --arms stem_cell,placebo --condition knee_oa --per-arm 50 --months 6 --reps 50 --seed 3
out_has "Power at two-sided alpha 0.05"
out_has "responders"
out_has "Welch"

run 0 simulate calibrate
out_has "Yelland 2004"
out_has "Bennell 2021"
out_has "Dagenais 2006"
out_lacks "FAIL"
out_has "10 of 10 within their interval"

run 0 simulate params
out_has "repair_k.low_back_pain"
out_has "infection_rate"
exit 0
