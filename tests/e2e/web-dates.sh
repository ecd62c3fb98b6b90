#!/bin/sh
# The web app's days are the browser's (dom.js): today() and the day of a
# change's time in the browser's time zone, nextDay() after it. Checked in
# node under zones behind and ahead of UTC at moments when their day is not
# UTC's, so a date taken in UTC (a day off there) fails here.
set -u
TOP=${TOP:-$(pwd)}
command -v node >/dev/null 2>&1 || { echo "skip: node is not installed (scripts/install-deps.sh --test)"; exit 77; }
T=$(mktemp -d "${TMPDIR:-/tmp}/prolo-web-dates.XXXXXX")
trap 'rm -rf "$T"' EXIT
cp "$TOP/web/js/dom.js" "$T/dom.mjs"
cat >"$T/check.mjs" <<'JS'
import { today, nextDay, daysBetween } from './dom.mjs';
const [utc, want, next] = process.argv.slice(2);
const d = new Date(utc);
const got = [today(d), nextDay(today(d)), daysBetween(today(d), nextDay(today(d)))];
const exp = [want, next, 1];
if (JSON.stringify(got) !== JSON.stringify(exp)) {
  console.error(`FAIL: TZ=${process.env.TZ} at ${utc}: ${JSON.stringify(got)}, expected ${JSON.stringify(exp)}`);
  process.exit(1);
}
console.log(`ok: TZ=${process.env.TZ} at ${utc}: today ${got[0]}, tomorrow ${got[1]}`);
JS
bad=0
# zone, a moment (UTC), the day there, the day after it
while read -r zone utc want next; do
	TZ=$zone node "$T/check.mjs" "$utc" "$want" "$next" || bad=1
done <<'CASES'
America/New_York 2026-03-02T02:00:00Z 2026-03-01 2026-03-02
Asia/Tokyo 2026-03-01T20:00:00Z 2026-03-02 2026-03-03
UTC 2026-03-01T23:59:59Z 2026-03-01 2026-03-02
America/New_York 2026-03-08T06:30:00Z 2026-03-08 2026-03-09
Europe/Berlin 2026-10-24T22:30:00Z 2026-10-25 2026-10-26
CASES
exit $bad
