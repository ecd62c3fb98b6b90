#!/bin/sh
# prolo patient report ID --html FILE: a self-contained, escaped,
# plain-language page with the course, sessions, an inline-SVG pain chart,
# side effects and next steps.
. "$TOP/tests/lib/cli.sh"
export PROLO_PROTOCOLS="$TOP/protocols/default.protocols"
run 0 init
run 0 patient add --patient_id P1 --clinic C01 --sex female --first_name "Zoë <b>" --last_name "O'Neil & Co"
run 0 course add --course_id K1 --patient_id P1 --start_date 2024-05-06 --protocol dextrose-lbp
run 0 session add --course_id K1 --session_no 1 --date 2024-05-06 --proliferant dextrose --concentration_pct 20 --anaesthetic lidocaine --volume_ml 12
run 0 session add --course_id K1 --session_no 2 --date 2024-05-20 --proliferant dextrose --concentration_pct 20
run 0 outcome add --course_id K1 --date 2024-05-06 --instrument NRS --score 8
run 0 outcome add --course_id K1 --date 2024-05-20 --instrument NRS --score 5
run 0 outcome add --course_id K1 --date 2024-06-01 --instrument NRS --score 4
run 0 ae add --course_id K1 --date 2024-05-07 --kind soreness --duration_days 2 --grade 1 --session_no 1
run 0 ae add --course_id K1 --date 2024-05-21 --kind stiffness --duration_days 6 --grade 1 --session_no 2
run 0 patient report P1 --html "$T/p1.html" --today 2024-06-02
out_has "wrote the summary of patient P1 (1 course)"
H="$T/p1.html"
has() { grep -qF -- "$1" "$H" || { echo "page lacks '$1'" >&2; exit 1; }; }
lacks() { ! grep -qF -- "$1" "$H" || { echo "page has '$1'" >&2; exit 1; }; }
has "<title>Your treatment summary</title>"
has "Zoë &lt;b&gt; O&#39;Neil &amp; Co"
lacks "<b> O'Neil"
has "Dextrose prolotherapy for low back pain"
has "The plan is 6 sessions, about 14 days apart; you have had 2."
has "<td>6 May 2024</td><td>dextrose 20 %, with the local anaesthetic lidocaine (12 mL in total)</td>"
has "Your pain score went from 8 out of 10 on 6 May 2024 to 4 on 1 June 2024: 4 points lower, which is at least half."
has "<svg class=\"chart\""
has "<polyline"
has "Soreness from 7 May 2024, lasted 2 days (this is expected"
has "Stiffness from 21 May 2024, lasted 6 days (it usually lasts 1 to 4 days"
has "Your next session (number 3 of 6) is planned for around <strong>3 June 2024</strong>"
has "We will ask you a few questions about your pain around 17 June 2024"
has "Call the clinic straight away"
# self-contained: nothing is loaded from elsewhere
lacks "<script"
lacks "<link"
lacks "src="
lacks "@import"
[ "$(grep -o 'http[s]*://[^"]*' "$H" | sort -u)" = "http://www.w3.org/2000/svg" ] || { echo "external reference" >&2; exit 1; }
run 3 patient report NOPE --html "$T/x.html"
run 2 patient report P1
err_has "--html FILE is required"
# a patient without courses
run 0 patient add --patient_id P2 --clinic C01 --sex male
run 0 patient report P2 --html "$T/p2.html" --today 2024-06-02
grep -qF "No treatment has been recorded yet." "$T/p2.html" || exit 1
exit 0
