#!/bin/sh
# prolo import csv with contacts.csv: the follow-up's contact details and
# consent move in with the records, checked exactly as `prolo contact set`
# checks them, all or nothing: a bad row names contacts.csv, its line and
# the field, and leaves the registry as it was.
. "$(dirname "$0")/../lib/cli.sh"

run 0 init
mkdir "$T/ok" "$T/bad" "$T/only" "$T/hdr"
cat >"$T/ok/patients.csv" <<'EOF'
patient_id,clinic,sex,birth_year,first_name
P1,C01,female,1970,Anna
P2,C01,male,1965,Paul
EOF
cat >"$T/ok/contacts.csv" <<'EOF'
patient_id,email,mobile,channel,consent,consent_date,consent_by,consent_how
P1,anna.example.1@example.org,+447700900001,email,given,2025-03-01,front desk,written
P2,,+447700900002,sms,,,,
EOF
run 0 import csv "$T/ok"
out_has "2 patients"
out_has "2 contacts"
run 0 contact show P1
out_has "anna.example.1@example.org"
out_has "given"
run 0 contact show P2
out_has "+447700900002"
db_count "SELECT count(*) FROM patient_contacts" 2

# a bad e-mail on line 3: named by file, line and field; nothing imported
cp "$T/ok/patients.csv" "$T/bad/patients.csv"
sed -i 's/^P1,/P3,/; s/^P2,/P4,/' "$T/bad/patients.csv"
cat >"$T/bad/contacts.csv" <<'EOF'
patient_id,email,channel
P3,p3@example.org,email
P4,not-an-address,email
EOF
run 2 import csv "$T/bad"
err_has "contacts.csv:3: email:"
err_has "nothing was imported"
db_count "SELECT count(*) FROM patients" 2
db_count "SELECT count(*) FROM patient_contacts" 2

# a header injection attempt in a quoted field, a missing patient, consent
# without who recorded it: each named, all reported, nothing imported
printf 'patient_id,email,channel,consent,consent_how\nP3,"p3@example.org\r\nBcc: x@example.org",email,,\nP9,p9@example.org,email,,\nP4,p4@example.org,email,given,verbal\n' \
	>"$T/bad/contacts.csv"
run 2 import csv "$T/bad"
err_has "contacts.csv:2: email:"
err_has "contacts.csv:4: patient_id:"
err_has "contacts.csv:5: consent_by:"
db_count "SELECT count(*) FROM patients" 2
db_count "SELECT count(*) FROM patient_contacts" 2

# an unknown column and a missing patient_id column
printf 'email,fax\np@example.org,1\n' >"$T/hdr/contacts.csv"
run 2 import csv "$T/hdr"
err_has "contacts.csv:1: fax: unknown column"
err_has "contacts.csv:1: patient_id: required column is missing"

# contacts alone, for patients already in the registry: consent withdrawn
printf 'patient_id,consent,consent_date,consent_by,consent_how\nP1,withdrawn,2025-04-01,patient,telephone\n' \
	>"$T/only/contacts.csv"
run 0 import csv "$T/only"
out_has "1 contacts"
run 0 contact show P1
out_has "withdrawn"
out_has "anna.example.1@example.org"
exit 0
