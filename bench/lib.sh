# Shared by the benchmarks: source after setting PROLO and TOP.

# bench_registry NAME N [SQL]: sets DB to a registry of N simulated
# patients (prolo simulate --seed 1), SQL run on it once when made, cached
# under bench/out/NAME-N/ (git-ignored; delete it to rebuild). Made under a
# temporary name and moved with its audit key and anchor, so an
# interrupted run leaves no half registry behind.
bench_registry() {
	CACHE=$TOP/bench/out/$1-$2
	DB=$CACHE/registry.db
	mkdir -p "$CACHE"
	[ -f "$DB" ] && return 0
	echo "making a registry of $2 patients (seed 1) in $DB ..."
	rm -f "$DB".tmp*
	"$PROLO" --db "$DB.tmp" simulate --patients "$2" --seed 1 >/dev/null
	[ -z "${3:-}" ] || sqlite3 "$DB.tmp" "$3"
	for f in "" -audit.key -audit.anchor; do
		[ ! -f "$DB.tmp$f" ] || mv "$DB.tmp$f" "$DB$f"
	done
	rm -f "$DB".tmp*
}
