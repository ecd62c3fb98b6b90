#!/bin/sh
# prolo export csv writes contacts.csv (the columns the import reads,
# 0600, not with --deidentify), so a registry's contacts and consent
# survive export -> import into a fresh registry -> export byte for byte:
# the living demo's contacts (every channel, consent given and withdrawn,
# an opt-out), a value that needs CSV quoting, a patient without consent.
. "$(dirname "$0")/../lib/cli.sh"
PY=/usr/bin/python3
TODAY=2026-12-05
export PROLO_TODAY=$TODAY

run 0 --db "$T/live.db" simulate --patients 400 --living --today "$TODAY" --seed 9
export PROLO_DB="$T/live.db"
run 0 patient add --patient_id Q1 --clinic C01 --sex female --birth_year 1970 --first_name Quinn
run 0 contact set Q1 --email q.one@example.org --channel email --consent withdrawn --consent-by 'Dr "Q", front desk' \
	--consent-how 'phone, then letter' --consent-date 2026-11-30
run 0 patient add --patient_id Q2 --clinic C01 --sex male --birth_year 1960 --first_name Quentin
run 0 contact set Q2 --mobile +447700900999 --channel none
n=$(sqlite3 "$PROLO_DB" "SELECT count(*) FROM patient_contacts")
[ "$n" -gt 300 ] || { echo "the living demo has only $n contacts" >&2; exit 1; }

run 0 export csv "$T/a"
[ -f "$T/a/contacts.csv" ] || { echo "no contacts.csv" >&2; exit 1; }
[ "$(stat -c %a "$T/a/contacts.csv")" = 600 ] || { echo "contacts.csv is not 0600" >&2; exit 1; }
head -n 1 "$T/a/contacts.csv" | grep -qx "patient_id,email,mobile,channel,consent,consent_date,consent_by,consent_how" ||
	{ echo "contacts.csv's header" >&2; head -n 1 "$T/a/contacts.csv" >&2; exit 1; }
[ $(( $(wc -l <"$T/a/contacts.csv") - 1 )) = "$n" ] || { echo "contacts.csv has not $n rows" >&2; exit 1; }
grep -qxF 'Q1,q.one@example.org,,email,withdrawn,2026-11-30,"Dr ""Q"", front desk","phone, then letter"' "$T/a/contacts.csv" ||
	{ grep Q1 "$T/a/contacts.csv" >&2; echo "Q1's row" >&2; exit 1; }
grep -qxF 'Q2,,+447700900999,none,,,,' "$T/a/contacts.csv" || { grep Q2 "$T/a/contacts.csv" >&2; exit 1; }

# into a fresh registry: the same contacts and consent, field by field
export PROLO_DB="$T/fresh.db"
run 0 init
run 0 import csv "$T/a"
out_has "$n contacts"
q="SELECT p.patient_id, c.email, c.mobile, c.channel, c.consent, c.consent_date, c.consent_by, c.consent_how FROM patient_contacts c JOIN patients p ON p.pk = c.patient_pk ORDER BY 1"
[ "$(sqlite3 "$T/live.db" "$q")" = "$(sqlite3 "$T/fresh.db" "$q")" ] || { echo "the contacts differ after the round trip" >&2; exit 1; }
db_count "SELECT count(DISTINCT consent) FROM patient_contacts" 3
run 0 export csv "$T/b"
for f in patients courses sessions injections outcomes adverse_events contacts; do
	cmp "$T/a/$f.csv" "$T/b/$f.csv" || { echo "$f.csv differs after a round trip" >&2; exit 1; }
done

# de-identified: no contacts.csv; for a spreadsheet: quoted like the others
run 0 export csv "$T/d" --deidentify
[ ! -e "$T/d/contacts.csv" ] || { echo "a de-identified export wrote contacts.csv" >&2; exit 1; }
run 0 contact set Q2 --consent given --consent-by '=cmd|x' --consent-how verbal
run 0 export csv "$T/s" --spreadsheet
grep -qF "'=cmd|x" "$T/s/contacts.csv" || { echo "the spreadsheet export left a formula in contacts.csv" >&2; exit 1; }
db_count "SELECT count(*) FROM audit_log WHERE action = 'export' AND detail = 'full, contacts'" 1

# a de-identified export into a folder an earlier full one wrote removes
# its contacts.csv (the folder then holds nothing that names a patient)
run 0 export csv "$T/b" --deidentify
[ ! -e "$T/b/contacts.csv" ] || { echo "an earlier contacts.csv stayed beside a de-identified export" >&2; exit 1; }
! grep -qF 'q.one@example.org' "$T/b"/*.csv || { echo "a contact detail stayed in the de-identified folder" >&2; exit 1; }

# a voided patient's and a merged patient's contacts leave with them, and
# the export still imports into a fresh registry
run 0 contact set Q2 --email q.two@example.org
run 0 patient void Q1 --reason "entered in error"
run 0 patient add --patient_id Q3 --clinic C01 --sex male --birth_year 1960 --first_name Quentin --confirm
run 0 contact set Q3 --email q.three@example.org --channel email
run 0 patient merge Q2 Q3 --reason "registered twice"
run 0 export csv "$T/v"
! grep -qE '^(Q1|Q3),' "$T/v/contacts.csv" || { echo "a voided or merged patient's contacts were exported" >&2; exit 1; }
grep -q '^Q2,' "$T/v/contacts.csv" || { echo "the survivor's contacts are missing" >&2; exit 1; }
export PROLO_DB="$T/fresh2.db"
run 0 init
run 0 import csv "$T/v"
echo ok
