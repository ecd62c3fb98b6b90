#!/bin/sh
# The audit chain is keyed (REGISTRY-audit.key, 0600) and anchored
# (REGISTRY-audit.anchor, 0600, one head per commit), and verify checks the
# append-only triggers: a chain rewritten with recomputed (unkeyed) hashes,
# dropped or altered triggers, and rows cut from the end each fail with
# exit 4 and a clear message; an untouched registry verifies. A registry
# from before keyed chains is verified unkeyed up to the row that records
# the key's creation, and keyed after it.
. "$TOP/tests/lib/cli.sh"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
run 0 init
[ "$(stat -c %a "$PROLO_DB-audit.key")" = 600 ] || { echo "key file mode" >&2; exit 1; }
for i in 1 2 3 4; do
	run 0 patient add --patient_id "P$i" --clinic C01 --sex female
	run 0 patient show "P$i"
done
[ "$(stat -c %a "$PROLO_DB-audit.anchor")" = 600 ] || { echo "anchor file mode" >&2; exit 1; }
run 0 audit verify
out_has "audit log intact: 9 rows"
run 0 audit list --action audit.key_created
out_has "the chain is keyed from row 1"

copy() { # name: a copy of the registry with its key and anchors
	for s in "" -audit.key -audit.anchor; do cp "$PROLO_DB$s" "$T/$1.db$s" || exit 1; done
}
# Python: recompute the chain from row FROM on, unkeyed (what anyone who can
# write the file could do without the key).
cat >"$T/rehash.py" <<'PY'
import hashlib, sqlite3, struct, sys
db, start = sys.argv[1], int(sys.argv[2])
c = sqlite3.connect(db)
rows = c.execute("SELECT id, at, user, action, record, addr, detail, hash FROM audit_log ORDER BY id").fetchall()
prev = bytes(32)
for r in rows:
    if r[0] >= start:
        h = hashlib.blake2b(digest_size=32)
        h.update(prev)
        h.update(struct.pack(">q", r[0]))
        for f in r[1:7]:
            b = f.encode()
            h.update(struct.pack(">I", len(b)))
            h.update(b)
        c.execute("UPDATE audit_log SET hash = ? WHERE id = ?", (h.digest(), r[0]))
        prev = h.digest()
    else:
        prev = r[7]
c.commit()
PY
TRIGGERS="CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END; CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
NOTRIG="DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;"

# 1. A row edited and every later hash recomputed; the triggers put back.
copy rewritten
sqlite3 "$T/rewritten.db" "$NOTRIG UPDATE audit_log SET user = 'someone_else' WHERE id = 3;" || exit 1
$PY "$T/rehash.py" "$T/rewritten.db" 3 || exit 1
sqlite3 "$T/rewritten.db" "$TRIGGERS" || exit 1
run 4 --db "$T/rewritten.db" audit verify
out_has "BROKEN at row 3"
err_has "does not match the keyed chain"

# 2. The triggers dropped (nothing else changed), or one replaced by a no-op.
copy notrig
sqlite3 "$T/notrig.db" "$NOTRIG" || exit 1
run 4 --db "$T/notrig.db" audit verify
out_has "BROKEN"
err_has "append-only trigger audit_log_no_update is missing or altered"
copy noop
sqlite3 "$T/noop.db" "DROP TRIGGER audit_log_no_delete; CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT 1; END;" || exit 1
run 4 --db "$T/noop.db" audit verify
err_has "audit_log_no_delete is missing or altered"

# 3. The last rows cut, the triggers put back: the chain alone is intact.
copy cut
sqlite3 "$T/cut.db" "$NOTRIG DELETE FROM audit_log WHERE id >= 8; $TRIGGERS" || exit 1
run 4 --db "$T/cut.db" audit verify
err_has "the log ends at row 7, but row 9 was anchored: rows were cut from the end"
run 4 --db "$T/cut.db" --json audit verify
out_has '"intact": false'

# 4. A copy without its key cannot be checked, nor written to (which would
# start a new key).
cp "$PROLO_DB" "$T/nokey.db"
run 4 --db "$T/nokey.db" audit verify
err_has "nokey.db-audit.key' is missing, but row 1 says the log was keyed"
run 5 --db "$T/nokey.db" patient add --patient_id P9 --clinic C01 --sex male
err_has "restore the key file"

# 5. A registry from before keyed chains: its rows are chained unkeyed; the
# first read-write open makes the key and a marker row, and verify checks
# the old rows unkeyed, the new ones keyed.
copy legacy
rm "$T/legacy.db-audit.key" "$T/legacy.db-audit.anchor"
sqlite3 "$T/legacy.db" "$NOTRIG DELETE FROM audit_log WHERE action = 'audit.key_created' OR id > 5; UPDATE audit_log SET id = id - 1;" || exit 1
$PY "$T/rehash.py" "$T/legacy.db" 1 || exit 1
sqlite3 "$T/legacy.db" "$TRIGGERS" || exit 1
run 0 --db "$T/legacy.db" audit verify # read-only: no key yet, all unkeyed
out_has "audit log intact: 4 rows"
run 0 --db "$T/legacy.db" patient show P1
[ -f "$T/legacy.db-audit.key" ] || { echo "no key made for the old registry" >&2; exit 1; }
run 0 --db "$T/legacy.db" audit list --action audit.key_created
out_has "rows 1-4 are chained without a key, from 5 on with it"
run 0 --db "$T/legacy.db" audit verify
out_has "audit log intact: 6 rows"
# An old row rewritten and rehashed unkeyed: caught at the first keyed row.
for s in "" -audit.key -audit.anchor; do cp "$T/legacy.db$s" "$T/legacy2.db$s"; done
sqlite3 "$T/legacy2.db" "$NOTRIG UPDATE audit_log SET user = 'x' WHERE id = 2;" || exit 1
$PY "$T/rehash.py" "$T/legacy2.db" 2 || exit 1
sqlite3 "$T/legacy2.db" "$TRIGGERS" || exit 1
run 4 --db "$T/legacy2.db" audit verify
out_has "BROKEN at row 5"

# The untouched registry still verifies, and a backup takes the key along.
run 0 audit verify
run 0 backup "$T/bk.db"
[ "$(stat -c %a "$T/bk.db-audit.key")" = 600 ] || { echo "backup key mode" >&2; exit 1; }
run 0 --db "$T/bk.db" audit verify
echo ok
