# docs/csv-format.md documents every column that export writes, and the
# README's quick start is the two commands.
. "$TOP/tests/lib/cli.sh"
run 0 init
run 0 export csv "$T/x"
for f in "$T"/x/*.csv; do
	name=$(basename "$f")
	grep -q "^### \`$name\`" "$TOP/docs/csv-format.md" || { echo "docs/csv-format.md lacks $name" >&2; exit 1; }
	for col in $(head -1 "$f" | tr ',' ' '); do
		grep -q "^| \`$col\`" "$TOP/docs/csv-format.md" || { echo "docs/csv-format.md lacks column $col of $name" >&2; exit 1; }
	done
done
grep -q '^make demo' "$TOP/README.md" && grep -q '^make test' "$TOP/README.md" || { echo "README quick start" >&2; exit 1; }
# Every command answers --help with its usage (exit 0).
for c in init patient course session outcome ae import export simulate demo report serve user audit protocol alerts schedule condition backup instrument; do
	run 0 "$c" --help
	out_has "usage: prolo $c"
done
run 0 course add --help
out_has "--override_reason"
