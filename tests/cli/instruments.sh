# prolo instrument load|list|show: a clinic's wording of a questionnaire.
# Each bad file is refused with exit 2 and a message naming the item, line
# or field at fault, and nothing is stored (the table stays empty); a good
# file is stored, shown and audited, and loading again replaces it. The
# fixtures are made-up wording (tests/fixtures/instruments/README.md).
. "$TOP/tests/lib/cli.sh"
FIX="$TOP/tests/fixtures/instruments"
run 0 init
nothing_stored() { db_count "SELECT count(*) FROM instrument_texts" 0; }
# bad FILE EXPECTED-STDERR...: refused, naming what is wrong; nothing stored.
bad() {
	f=$1
	shift
	run 2 instrument load "$f" --clinic C01
	for m in "$@"; do err_has "$m"; done
	nothing_stored
}
mk() { # NAME PYTHON-EXPR-ON-w: writes a changed copy of the WOMAC fixture
	python3 - "$FIX/womac-made-up.json" "$T/$1.json" "$2" <<'PY'
import json, sys
w = json.load(open(sys.argv[1]))
exec(sys.argv[3])
open(sys.argv[2], "w").write(json.dumps(w, indent=1))
PY
}
# Wrong item count.
mk short 'w["items"].pop()'
bad "$T/short.json" "items: the WOMAC has 24 items; the file gives 23"
# A scale label too few, and an empty label on one item.
mk labels4 'w["labels"] = w["labels"][:4]'
bad "$T/labels4.json" "labels: has 4 labels; WOMAC answers run from 0 to 4, so it needs 5"
mk itemlabel 'w["items"][16]["labels"] = ["a", "b", "", "d", "e"]'
bad "$T/itemlabel.json" "item 17: labels: label 3 (answer 2) is empty"
# A missing field, at the top and in an item.
mk nolicence 'del w["licence"]'
bad "$T/nolicence.json" "licence: is required"
mk notext 'del w["items"][6]["text"]'
bad "$T/notext.json" "item 7: text is required"
# Items out of order, an unknown key, an unknown instrument, a bad language.
mk order 'w["items"][3]["no"] = 5'
bad "$T/order.json" "item 4: no is 5; the items must come in form order, numbered 1 to 24"
mk extra 'w["colour"] = "red"'
bad "$T/extra.json" "colour: unknown key"
mk instr 'w["instrument"] = "HOOS"'
bad "$T/instr.json" "instrument: unknown"
mk lang 'w["language"] = "english"'
bad "$T/lang.json" "language: is not a language tag"
mk ctl 'w["items"][0]["text"] = "two\nlines"'
bad "$T/ctl.json" "item 1: text holds a control character"
# Not JSON: the line is named.
printf '{\n "instrument": "WOMAC",\n "version": 1,,\n}\n' > "$T/syntax.json"
bad "$T/syntax.json" "line 3: not JSON"
# Duplicate keys are refused (strict JSON).
printf '{"instrument": "WOMAC", "instrument": "KOOS"}\n' > "$T/dup.json"
bad "$T/dup.json" "not JSON"
# VAS has 101 answers: labels are refused, anchors are the way.
printf '{"instrument":"VAS","version":"1","language":"en","licence":"ours","labels":["a","b"],"items":[{"no":1,"text":"x"}]}\n' > "$T/vas.json"
bad "$T/vas.json" "labels: VAS answers are a number from 0 to 100"
# No file, and no clinic.
run 2 instrument load "$T/none.json" --clinic C01
err_has "FILE: cannot read"
run 2 instrument load "$FIX/womac-made-up.json"
err_has "clinic: is required"
nothing_stored

# A good file: stored, listed, shown, audited.
run 0 instrument list
out_has "no wording loaded"
run 0 instrument load "$FIX/womac-made-up.json" --clinic C01
out_has "loaded the WOMAC wording (version made-up test wording 1, language en) for clinic C01: 24 items"
db_count "SELECT count(*) FROM instrument_texts WHERE clinic = 'C01' AND instrument = 'WOMAC'" 1
db_count "SELECT count(*) FROM audit_log WHERE action = 'instrument.load' AND record = 'instrument:WOMAC'" 1
run 0 instrument list
out_has "C01      WOMAC      made-up test wording 1"
run 0 instrument show WOMAC --clinic C01
out_has "subscale function   items 8-24, 0 to 68"
out_has "17. Made-up test question 17 (function)"
out_has "licence: TEST FIXTURE"
run 0 --json instrument show WOMAC --clinic C01
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["wording_source"] == "clinic", d["wording_source"]
assert len(d["item_texts"]) == 24
assert d["item_texts"][0]["labels"][4] == "Extremely (test)", d["item_texts"][0]
assert [s["name"] for s in d["subscales"]] == ["pain", "stiffness", "function"]
' "$OUT" || exit 1
# Another clinic has none: the structure, and the wording said missing.
run 0 instrument show WOMAC --clinic C02
out_has "wording: not loaded"
out_has "1. (wording not loaded)"
# NRS wording is shipped.
run 0 --json instrument show NRS
grep -q '"wording_source": "shipped"' "$OUT" || { echo "NRS wording is shipped" >&2; exit 1; }
# Loading again replaces (one row), a bad reload leaves the good one.
mk v2 'w["version"] = "made-up test wording 2"'
run 0 instrument load "$T/v2.json" --clinic C01
db_count "SELECT count(*) FROM instrument_texts" 1
db_count "SELECT version FROM instrument_texts" "made-up test wording 2"
run 2 instrument load "$T/short.json" --clinic C01
db_count "SELECT version FROM instrument_texts" "made-up test wording 2"
run 3 instrument show HOOS
err_has "instrument: unknown instrument"
# An assessment shows how it is scored, as the chart does: each subscale,
# and why there is no total (outcome_scoring_describe).
run 0 patient add --patient_id WP1 --clinic C01 --sex female --birth_year 1950
run 0 course add --course_id WK1 --patient_id WP1 --modality prp --condition knee_oa --start_date 2025-03-01 --planned_sessions 3
run 0 outcome add --course_id WK1 --date 2025-03-03 --instrument WOMAC --items "2;;;2;2;3;3;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1"
run 0 outcome show WK1 2025-03-03 WOMAC
out_has "subscale pain                 not scored (of 20)"
out_has "subscale stiffness            6 of 8"
out_has "not scorable: pain: 2 of 5 items unanswered"
# The structure alone needs no registry (none is created).
"$PROLO" --db "$T/absent.db" --json instrument show WOMAC >"$T/absent.out" || { echo "the structure needed a registry" >&2; exit 1; }
grep -q '"wording_source": "none"' "$T/absent.out" || { cat "$T/absent.out" >&2; exit 1; }
[ ! -e "$T/absent.db" ] || { echo "a registry was created" >&2; exit 1; }
exit 0
