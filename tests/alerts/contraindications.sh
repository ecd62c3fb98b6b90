#!/bin/sh
# Every contraindication rule through "prolo course add": blocks exit 4 and
# write nothing; warnings are printed and recorded in the course history; a
# block is lifted only by override_reason + override_by, which stay on the
# course and in its history; an override with nothing to override is refused.
. "$TOP/tests/lib/cli.sh"
export PROLO_PROTOCOLS="$TOP/protocols/default.protocols"
run 0 init
n=0
# check FLAG MODALITY CONDITION block|warn RULE
check() {
	n=$((n + 1))
	run 0 patient add --patient_id "P$n" --clinic C01 --sex female --contraindications "$1"
	set -- "$@"
	if [ "$4" = block ]; then
		run 4 course add --course_id "K$n" --patient_id "P$n" --modality "$2" --condition "$3" \
			--start_date 2024-03-01 --planned_sessions 3 --interval_days 14
		err_has "contraindications: blocked ($5)"
		db_count "SELECT count(*) FROM courses WHERE course_id = 'K$n'" 0
		run 0 course add --course_id "K$n" --patient_id "P$n" --modality "$2" --condition "$3" \
			--start_date 2024-03-01 --planned_sessions 3 --interval_days 14 \
			--override-reason "benefit outweighs the risk; discussed with the patient" --override-by "Dr Ruth"
		out_has "override recorded by Dr Ruth"
		out_has "overridden block $5:"
		db_count "SELECT count(*) FROM courses WHERE course_id = 'K$n' AND override_by = 'Dr Ruth'" 1
		db_count "SELECT count(*) FROM course_history h JOIN courses c ON c.pk = h.course_pk
			WHERE c.course_id = 'K$n' AND h.event = 'override' AND h.detail LIKE 'Dr Ruth: benefit%'" 1
		db_count "SELECT count(*) FROM course_history h JOIN courses c ON c.pk = h.course_pk
			WHERE c.course_id = 'K$n' AND h.event = 'contraindication' AND h.detail LIKE 'block $5 (overridden)%'" 1
	else
		run 0 course add --course_id "K$n" --patient_id "P$n" --modality "$2" --condition "$3" \
			--start_date 2024-03-01 --planned_sessions 3 --interval_days 14
		out_has "warning $5:"
		db_count "SELECT count(*) FROM course_history h JOIN courses c ON c.pk = h.course_pk
			WHERE c.course_id = 'K$n' AND h.event = 'contraindication' AND h.detail LIKE 'warning $5:%'" 1
	fi
}
check active_infection dextrose knee_oa block active_infection
check active_infection prp low_back_pain block active_infection
check anticoagulants dextrose low_back_pain block anticoagulants_spinal
check anticoagulants prp neck_pain block anticoagulants_spinal
check anticoagulants dextrose knee_oa warn anticoagulants
check bleeding_disorder dextrose neck_pain block bleeding_disorder_spinal
check bleeding_disorder prp tendinopathy warn bleeding_disorder
check platelet_disorder prp knee_oa block platelet_disorder_prp
check platelet_disorder dextrose knee_oa warn platelet_disorder
check pregnancy stem_cell knee_oa block pregnancy_stem_cell
check pregnancy dextrose ligament_sprain warn pregnancy
check cancer prp knee_oa block cancer_biologic
check cancer stem_cell knee_oa block cancer_biologic
check cancer dextrose knee_oa warn cancer
check nsaids_48h prp knee_oa warn nsaids_48h
check nsaids_48h dextrose knee_oa warn nsaids_48h
check recent_corticosteroid prp tendinopathy warn recent_corticosteroid
check agent_allergy dextrose knee_oa warn agent_allergy

# several blocks at once: all are listed
run 0 patient add --patient_id PX --clinic C01 --sex male --contraindications "anticoagulants;active_infection;nsaids_48h"
run 4 course add --course_id KX --patient_id PX --modality prp --condition low_back_pain --start_date 2024-03-01 \
	--planned_sessions 1 --interval_days 7
err_has "blocked (active_infection)"
err_has "block anticoagulants_spinal:"
# half an override is refused by the record rules
run 2 course add --course_id KX --patient_id PX --modality prp --condition low_back_pain --start_date 2024-03-01 \
	--planned_sessions 1 --interval_days 7 --override-reason "because"
err_has "override_by"
# an override when nothing blocks is refused
run 0 patient add --patient_id P0 --clinic C01 --sex male
run 2 course add --course_id K0 --patient_id P0 --modality dextrose --condition knee_oa --start_date 2024-03-01 \
	--planned_sessions 3 --override-reason "just in case" --override-by "Dr Ruth"
err_has "override_reason: nothing blocks this course"
db_count "SELECT count(*) FROM courses WHERE course_id = 'K0'" 0
# JSON: the plan rides along with the course
run 0 --json course add --course_id K0 --patient_id P0 --modality dextrose --condition knee_oa \
	--start_date 2024-03-01 --protocol dextrose-knee-oa
/usr/bin/python3 -c "
import json; j = json.load(open('$OUT'))
assert j['course_id'] == 'K0' and j['planned_sessions'] == 3 and j['interval_days'] == 28, j
p = j['plan']
assert p['protocol'] == 'dextrose-knee-oa' and p['blocks'] == [] and p['warnings'] == [], p
assert [s['date'] for s in p['sessions']] == ['2024-03-01', '2024-03-29', '2024-04-26'], p
assert p['window_days'] == 7, p
" || exit 1
# JSON error for a block
run 4 --json course add --course_id KY --patient_id PX --modality dextrose --condition knee_oa \
	--start_date 2024-03-01 --planned_sessions 1
err_has '"field":"contraindications"'
exit 0
