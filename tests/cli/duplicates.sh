#!/bin/sh
# Possible duplicates on the command line: amending a patient's name, birth
# year, phone or e-mail runs the registration's check (the patient itself
# and other clinics left out) and saves only with --confirm, listing the
# matches; a match confirmed once is not asked about again until a new key
# matches; "prolo patient duplicates ID" lists the possible duplicates of a
# patient (audited as a read) for the merge.
. "$TOP/tests/lib/cli.sh"
export PROLO_TODAY=2026-03-10
run 0 init
run 0 patient add --patient_id P1 --clinic C01 --sex female --birth_year 1958 --first_name Maria --last_name Lopez --phone "+34 612 345 678" --email maria@example.org
run 0 patient add --patient_id P2 --clinic C01 --sex female --birth_year 1960 --first_name Ana --last_name Diaz
run 0 patient add --patient_id P3 --clinic C02 --sex female --birth_year 1958 --first_name Maria --last_name Lopez
run 0 patient add --patient_id P4 --clinic C01 --sex male --birth_year 1970 --first_name Jon --last_name Smith --email jon@example.org

# Amendments that make a patient look like another wait for --confirm.
run 4 patient amend P2 --first_name Maria --last_name LOPEZ --birth_year 1958 --reason "married name"
err_has "possible duplicates (save anyway with --confirm):"
err_has "P1  Maria Lopez, born 1958 (same name and birth year)"
err_has "prolo: last_name: "
db_count "SELECT last_name || ' ' || version FROM patients WHERE patient_id = 'P2'" "Diaz 1"
db_count "SELECT count(*) FROM record_history" 0
run 4 patient amend P2 --phone "612-345-678" --reason "new phone"
err_has "P1  Maria Lopez, born 1958 (same phone)"
err_has "prolo: phone: "
run 4 --json patient amend P2 --email JON@example.org --reason "new e-mail"
/usr/bin/python3 -c "import json,sys; e=json.load(open(sys.argv[1]))['error']; assert (e['code'], e['field']) == ('confirm', 'email'), e" "$ERR" || exit 1
db_count "SELECT coalesce(phone, '-') || ' ' || coalesce(email, '-') FROM patients WHERE patient_id = 'P2'" "- -"
# the patient itself is no match, nor is another clinic's patient
run 0 patient amend P1 --email MARIA@example.org --reason "typing"
run 0 patient amend P3 --phone "+34 612 345 678" --reason "new phone"
# fields that are no key raise nothing
run 0 patient amend P2 --notes "prefers mornings" --reason "front desk"
# confirmed, it is saved
run 0 patient amend P2 --first_name Maria --last_name Lopez --birth_year 1958 --reason "married name" --confirm
db_count "SELECT last_name || ' ' || birth_year FROM patients WHERE patient_id = 'P2'" "Lopez 1958"
# the match confirmed is not asked about again ...
run 0 patient amend P2 --phone "+1 555 0100" --reason "new phone"
# ... until a new key matches it
run 4 patient amend P2 --email maria@example.org --reason "same address"
err_has "P1  Maria Lopez, born 1958 (same name and birth year e-mail)"
err_has "prolo: email: "

# The possible duplicates of a patient, for the merge.
run 0 patient duplicates P1
out_has "P2  Maria Lopez, born 1958 (same name and birth year)"
out_lacks "P3"
out_lacks "P4"
run 0 --json patient duplicates P1
/usr/bin/python3 - "$OUT" <<'PYEOF' || exit 1
import json, sys
d = json.load(open(sys.argv[1]))
assert d['patient_id'] == 'P1', d
assert [(x['patient_id'], x['matched']) for x in d['duplicates']] == [('P2', ['name_birth_year'])], d
PYEOF
run 0 patient duplicates P4
out_has "no possible duplicates of patient P4"
run 3 patient duplicates NOPE
err_has "patient_id"
run 2 patient duplicates
db_count "SELECT count(*) FROM audit_log WHERE action = 'patient.duplicates' AND record = 'patient:P1' AND detail = '1 possible duplicates'" 2
# merged, the duplicate is gone from the list
run 0 patient merge P1 P2 --reason "registered twice"
run 0 patient duplicates P1
out_has "no possible duplicates of patient P1"
run 0 audit verify
exit 0
