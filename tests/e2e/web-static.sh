#!/bin/sh
# Static checks of web/ that need no browser: the Content-Security-Policy
# rules (no inline scripts or handlers, no HTML injection sinks, nothing
# loaded from outside), every relative import resolves, and every module
# parses (when node is installed).
set -u
TOP=${TOP:-$(pwd)}
W="$TOP/web"
bad=0
say() { echo "$*" >&2; bad=1; }
[ -f "$W/index.html" ] && [ -f "$W/q.html" ] || { echo "web/index.html or web/q.html missing" >&2; exit 1; }
for f in "$W"/*.html; do
	# <script> only as an external module from /static/
	grep -n '<script' "$f" | grep -v '<script type="module" src="/static/[a-z/._-]*\.js"></script>' &&
		say "$f: a <script> that is not an external module (the CSP forbids inline scripts)"
	grep -nE '[[:space:]]on[a-z]+=' "$f" && say "$f: inline event handler attribute"
	grep -nE 'style=' "$f" && say "$f: inline style attribute (the CSP forbids them)"
done
# Sinks that would turn text into markup or code.
grep -rnE 'innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|setAttribute\(.style' "$W" --include='*.js' &&
	say "web/js: an HTML or code injection sink"
# Nothing from outside: no absolute URLs but the SVG namespace.
grep -rnE 'https?://' "$W" | grep -v 'http://www.w3.org/2000/svg' && say "web/: a reference to an outside resource"
# "Today" is the browser's day (dom.js today()), never UTC's: a date made
# from the clock by toISOString is a day off for hours around midnight
# wherever the zone is not UTC.
grep -rnE 'new Date\(\)\.toISOString|Date\.now\(\)[^;]*toISOString' "$W" --include='*.js' &&
	say "web/js: today's date taken in UTC (use today() of dom.js)"
# Relative imports resolve.
for f in $(find "$W" -name '*.js'); do
	dir=$(dirname "$f")
	for imp in $(grep -oE "from '\./[^']+'|from '\.\./[^']+'" "$f" | sed "s/from '//; s/'$//"); do
		[ -f "$dir/$imp" ] || say "$f: import '$imp' does not resolve"
	done
done
if command -v node >/dev/null 2>&1; then
	T=$(mktemp -d "${TMPDIR:-/tmp}/prolo-web.XXXXXX")
	trap 'rm -rf "$T"' EXIT
	for f in $(find "$W" -name '*.js'); do
		cp "$f" "$T/check.mjs"
		node --check "$T/check.mjs" 2>"$T/err" || { cat "$T/err" >&2; say "$f: does not parse"; }
	done
fi
[ $bad = 0 ] && echo "web/: CSP-safe, self-contained, modules resolve and parse"
exit $bad
