# Import refuses bad input with FILE:LINE: column: message and exit 2, and
# leaves the registry exactly as it was; the odd-but-valid cases import.
. "$TOP/tests/lib/cli.sh"
REF="$TOP/tests/reference/edge-cases/all-responders"
run 0 init
run 0 import csv "$REF"
before=$(sqlite3 "$PROLO_DB" .dump | md5sum)

# case NAME EXPECTED_MESSAGE: copy the good fixture, let the caller break a
# file, import, check exit 2, the message, and an unchanged registry.
fresh() { rm -rf "$T/in"; cp -r "$REF" "$T/in"; chmod -R u+w "$T/in"; rm -rf "$T/in/expected"; }
refused() {
	run 2 import csv "$T/in"
	err_has "$1"
	err_has "nothing was imported"
	after=$(sqlite3 "$PROLO_DB" .dump | md5sum)
	[ "$before" = "$after" ] || { echo "registry changed after a refused import ($1)" >&2; exit 1; }
}
# Importing the same registry again: every id is a duplicate.
fresh; refused "patients.csv:2: patient_id: patient '1' already exists"
rm -f "$PROLO_DB" "$PROLO_DB-wal" "$PROLO_DB-shm"
run 0 init
before=$(sqlite3 "$PROLO_DB" .dump | md5sum)

fresh; first=$(sed -n 2p "$T/in/courses.csv" | cut -d, -f1)
printf '%s,2030-01-01,NRS,11\n' "$first" >> "$T/in/outcomes.csv"; refused "score: 11 is out of range"
fresh; printf '%s,2030-01-01,ODI,,1;2;3;4;5;6;0;1;2;3\n' "$first" > "$T/x"
sed -i '1s/$/,items/; 2,$s/$/,/' "$T/in/outcomes.csv"; cat "$T/x" >> "$T/in/outcomes.csv"
refused "items: item 6"
fresh; printf '%s,2030-01-01,NRS,5\n%s,2030-01-01,NRS,4\n' "$first" "$first" >> "$T/in/outcomes.csv"
refused "already has a NRS assessment on 2030-01-01"

fresh; sed -i '2s/,[^,]*$/,2025-02-30/' "$T/in/patients.csv"; refused "patients.csv:2: birth_year:"
fresh; sed -i '2s/^\([^,]*\),\([^,]*\),\([^,]*\),\([^,]*\),[^,]*,/\1,\2,\3,\4,2025-02-30,/' "$T/in/courses.csv"
refused "courses.csv:2: start_date: '2025-02-30' is not a valid date"
fresh; sed -i '2s/^\([^,]*\),\([^,]*\),[^,]*,/\1,\2,1990-01-01,/' "$T/in/sessions.csv"
refused "sessions.csv:2: date: 1990-01-01 is before the course's start_date"
fresh; printf 'NOPE,1,2021-01-01,dextrose,15,5\n' >> "$T/in/sessions.csv"; refused "course_id: no course 'NOPE'"
fresh; sed -n 2p "$T/in/patients.csv" >> "$T/in/patients.csv"; refused "already exists"
fresh; cut -d, -f1-6 "$T/in/courses.csv" > "$T/x" && mv "$T/x" "$T/in/courses.csv"; refused "courses.csv:1: status: required column is missing"
fresh; sed -i '2s/,dextrose,/,laser,/; 2s/,prp,/,laser,/; 2s/,stem_cell,/,laser,/' "$T/in/courses.csv"
refused "courses.csv:2: modality: unknown value 'laser'"
fresh; printf '\377\376,C1,male,1970\n' >> "$T/in/patients.csv"; refused "not valid UTF-8"
fresh; : > "$T/in/adverse_events.csv"; refused "adverse_events.csv:1: file is empty"
fresh; printf 'P9,"C1,male,1970\n' >> "$T/in/patients.csv"; refused "patients.csv:"
fresh; { printf 'P9,C1,male,'; head -c 3000000 /dev/zero | tr '\0' '9'; printf '\n'; } >> "$T/in/patients.csv"
refused "line is longer than"
fresh; sed -i '1s/$/,shoe_size/' "$T/in/patients.csv"; sed -i '2,$s/$/,42/' "$T/in/patients.csv"; refused "shoe_size: unknown column"
fresh; sed -i '3s/$/,extra/' "$T/in/patients.csv"; refused "patients.csv:3: expected 4 fields, found 5"
fresh; sed -i '2s/,[a-z_]*$/,finished/' "$T/in/courses.csv"; refused "status: unknown value 'finished'"
# More than 20 bad rows: the first 20 are listed, then a count.
fresh; for i in $(seq 1 30); do printf 'B%d,C1,martian,1970\n' "$i"; done >> "$T/in/patients.csv"
refused "... and 10 more bad rows"

# Accepted: byte-order mark, quoted fields with commas and newlines, CRLF,
# every course state, and clinic ids kept as given.
fresh
printf '\357\273\277patient_id,clinic,sex,birth_year,last_name,notes\n' > "$T/in/patients.csv"
printf 'Q-7,C1,female,1960,"Smith, Jr.","line one\nline two ""quoted"""\r\n' >> "$T/in/patients.csv"
cut -d, -f1 "$REF/patients.csv" | tail -n +2 | while read -r id; do printf '%s,C2,male,1970,,\n' "$id"; done >> "$T/in/patients.csv"
i=0
for s in planned active completed goal_reached dropped stopped_adverse_event stopped_no_improvement; do
	i=$((i + 1))
	printf 'S%d,Q-7,dextrose,low_back_pain,2024-01-0%d,4,%s\n' "$i" "$i" "$s" >> "$T/in/courses.csv"
done
run 0 import csv "$T/in"
db_count "select count(*) from courses where course_id like 'S%'" 7
db_count "select last_name from patients where patient_id = 'Q-7'" "Smith, Jr."
db_count "select notes from patients where patient_id = 'Q-7'" "line one
line two \"quoted\""
run 0 export csv "$T/exp"
grep -q '"Smith, Jr."' "$T/exp/patients.csv" || { echo "quoted field not kept" >&2; exit 1; }

# A duplicate found only when a batch of rows is written still names its
# line, and a session whose course was refused is reported, not written.
rm -f "$PROLO_DB" "$PROLO_DB-wal" "$PROLO_DB-shm"
run 0 init
before=$(sqlite3 "$PROLO_DB" .dump | md5sum)
REF="$TOP/tests/reference/edge-cases/tied-times"
fresh; sed -i '2p' "$T/in/sessions.csv"
dup=$(sed -n 2p "$T/in/sessions.csv" | cut -d, -f1,2)
refused "sessions.csv:3: session_no: course '${dup%,*}' already has session ${dup#*,}"
fresh; sed -i '40p' "$T/in/outcomes.csv"; refused "outcomes.csv:41: date: course"
