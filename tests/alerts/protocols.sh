#!/bin/sh
# Protocol commands and planning from a protocol: list/show/check, errors
# with line numbers, plan filled from the protocol, "auto" choosing the
# stronger dextrose protocol for severe chronic pain, unknown names.
. "$TOP/tests/lib/cli.sh"
export PROLO_PROTOCOLS="$TOP/protocols/default.protocols"
run 0 protocol list
out_has "dextrose-lbp"
out_has "prp-knee-oa"
out_has "bmac-knee-oa"
run 0 protocol show dextrose-lbp
out_has "6 sessions, every 14 days (+/- 3)"
out_has "review       if NRS is not at least 30 % lower after 3 sessions"
out_has "source       Yelland MJ"
run 0 --json protocol show prp-knee-oa
out_has '"sessions": 3'
out_has "RESTORE"
run 3 protocol show nope
run 0 protocol check "$TOP/protocols/default.protocols"
out_has "all valid"
printf '[a]\nmodality = dextrose\ncondition = knee_oa\nsessions = 3\ninterval_days = 14\nsource = S\n\n[b]\nmodality = dextrose\nsesions = 3\n' >"$T/bad.protocols"
run 2 protocol check "$T/bad.protocols"
err_has "bad.protocols:10: unknown key 'sesions'"
run 3 protocol check "$T/missing.protocols"
# a clinic's own file through --protocols
printf '[own]\nmodality = prp\ncondition = *\nsessions = 2\ninterval_days = 10\nsource = clinic consensus 2024\n' >"$T/own.protocols"
run 0 protocol list --protocols "$T/own.protocols"
out_has "(1 protocols from $T/own.protocols)"

run 0 init
run 0 patient add --patient_id P1 --clinic C01 --sex male
run 0 course add --course_id K1 --patient_id P1 --start_date 2024-03-01 --protocol dextrose-knee-oa
out_has "added course K1: dextrose for knee_oa, 3 sessions every 28 days from 2024-03-01, protocol dextrose-knee-oa"
out_has "session 3  2024-04-26"
db_count "SELECT planned_sessions || ' ' || interval_days || ' ' || protocol || ' ' || status FROM courses WHERE course_id = 'K1'" "3 28 dextrose-knee-oa planned"
# the clinician's own numbers win over the protocol's
run 0 course add --course_id K2 --patient_id P1 --start_date 2024-03-01 --protocol dextrose-lbp --planned_sessions 4
db_count "SELECT planned_sessions || ' ' || interval_days FROM courses WHERE course_id = 'K2'" "4 14"
# auto: severity and history choose
run 0 course add --course_id K3 --patient_id P1 --modality dextrose --condition low_back_pain --start_date 2024-03-01 --protocol auto
out_has "protocol dextrose-lbp"
run 0 course add --course_id K4 --patient_id P1 --modality dextrose --condition low_back_pain --start_date 2024-03-01 --protocol auto --baseline-nrs 8 --pain-months 24
out_has "protocol dextrose-lbp-severe"
db_count "SELECT interval_days FROM courses WHERE course_id = 'K4'" 28
run 0 course add --course_id K5 --patient_id P1 --modality prp --condition tendinopathy --start_date 2024-03-01 --protocol auto --protocols "$T/own.protocols"
out_has "protocol own"
# mismatches and unknown names
run 2 course add --course_id K6 --patient_id P1 --modality prp --condition knee_oa --start_date 2024-03-01 --protocol dextrose-knee-oa
err_has "protocol: 'dextrose-knee-oa' is a dextrose protocol, the course is prp"
run 3 course add --course_id K6 --patient_id P1 --modality prp --condition knee_oa --start_date 2024-03-01 --protocol prp-kne
err_has "no protocol 'prp-kne' (this course fits: prp-knee-oa, prp-general)"
run 2 course add --course_id K6 --patient_id P1 --start_date 2024-03-01 --protocol auto --baseline-nrs 11
# without a protocol a course is still checked and added
run 0 course add --course_id K7 --patient_id P1 --modality dextrose --condition knee_oa --start_date 2024-03-01 --planned_sessions 2
out_has "added course K7"
exit 0
