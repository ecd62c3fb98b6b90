#!/bin/sh
# The command line's side of a patient's registry life: a possible
# duplicate is refused (exit 4) with the matches listed until --confirm; a
# contraindication recorded by amendment warns on the morning list and in
# the course's history; an NRS jump of 8 needs --confirm on amendment too;
# a clinic's date format; the protocol's concentration range and sites.
. "$TOP/tests/lib/cli.sh"
export PROLO_TODAY=2026-03-10
run 0 init
run 0 patient add --patient_id P1 --clinic C01 --sex male --birth_year 1949 --first_name Tom --last_name Berg --email tom@example.org
run 4 patient add --patient_id P2 --clinic C01 --sex male --email TOM@example.org
err_has "possible duplicates (register anyway with --confirm):"
err_has "P1  Tom Berg, born 1949 (same e-mail)"
err_has "prolo: email: possibly registered already"
db_count "SELECT count(*) FROM patients" 1
run 0 patient add --patient_id P2 --clinic C01 --sex male --email TOM@example.org --confirm
run 0 course add --course_id K1 --patient_id P1 --modality prp --condition knee_oa --start_date 2026-02-01 --planned_sessions 3 --interval_days 14
run 0 course add --course_id K2 --patient_id P1 --modality prp --condition knee_oa --start_date 2026-01-01 --planned_sessions 3
run 0 course end K2 --status completed --end_date 2026-02-01
run 0 patient amend P1 --contraindications "nsaids_48h;pregnancy" --reason "told us today"
run 0 alerts --today 2026-03-10
out_has "contraindication_added  patient P1  course K1"
out_has "key: contraindication_added:2026-03-10:K1"
out_lacks "contraindication_added  patient P1  course K2"
db_count "SELECT count(*) FROM course_history h JOIN courses c ON c.pk = h.course_pk WHERE c.course_id = 'K1' AND h.event = 'contraindication' AND h.detail LIKE 'recorded later: warning nsaids_48h%'" 1
db_count "SELECT count(*) FROM course_warnings w JOIN courses c ON c.pk = w.course_pk WHERE c.course_id = 'K2'" 0
# The open course shows its warning (the use case the API's chart calls too).
run 0 course show K1
out_has "  warnings:"
out_has "2026-03-10  warn  nsaids_48h: "
run 0 --json course show K1
python3 -c '
import json, sys
w = json.load(open(sys.argv[1]))["warnings"]
assert sorted((x["raised_on"], x["rule"], x["severity"]) for x in w) == [("2026-03-10", "nsaids_48h", "warn"), ("2026-03-10", "pregnancy", "warn")], w
' "$OUT" || exit 1
run 0 course show K2
out_lacks "warnings:"
# Recording the same flags again raises nothing new.
n=$(sqlite3 "$PROLO_DB" "SELECT count(*) FROM course_warnings")
[ "$n" -ge 1 ] || { echo "no course warning" >&2; exit 1; }
run 0 patient amend P1 --notes "on ibuprofen" --reason "detail"
db_count "SELECT count(*) FROM course_warnings" "$n"
run 0 outcome add --course_id K1 --date 2026-02-01 --instrument NRS --score 9
run 0 outcome add --course_id K1 --date 2026-02-15 --instrument NRS --score 5
run 4 outcome amend K1 2026-02-15 NRS --score 1 --reason "typo"
err_has "prolo: score: NRS 1 is 8 points from the previous NRS (9 on 2026-02-01)"
run 0 outcome amend K1 2026-02-15 NRS --score 1 --reason "typo" --confirm
run 0 settings show --clinic C01
out_has "clinic C01: date format iso"
run 2 settings set --clinic C01 --date-format yyyy
run 0 settings set --clinic C01 --date-format mdy
run 0 --json settings show --clinic C01
out_has '"date_format": "mdy"'
# the time zone too; a refused zone changes neither setting
run 2 settings set --clinic C01 --date-format dmy --tz Mars/Olympus_Mons
err_has "tz: 'Mars/Olympus_Mons' is not a time zone"
run 0 settings show --clinic C01
out_has "clinic C01: date format mdy, time zone"
run 0 settings set --clinic C01 --tz Europe/Berlin
out_has "clinic C01: date format mdy, time zone Europe/Berlin"
run 2 settings set --clinic C01
err_has "date_format: give the date format, the time zone or both"
run 0 protocol show dextrose-knee-oa
out_has "range        15-25 %"
run 0 --json protocol show dextrose-knee-oa
out_has '"concentration_range_pct": ['
out_has '"sites_from": "condition"'
# Once the course has ended its warnings no longer apply: not shown.
run 0 course end K1 --status completed --end_date 2026-03-10
run 0 course show K1
out_lacks "warnings:"
run 0 --json course show K1
out_lacks '"warnings"'
