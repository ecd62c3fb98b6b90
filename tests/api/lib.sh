# Helpers for API tests: a fresh registry with one user per role, a server
# on a free loopback port (killed by its PID on exit), and the Python client.
# Source after tests/lib/cli.sh. Sets PORT, BASE, SERVER_PID, SERVER_LOG.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
API_DIR=$(cd "$(dirname "$0")" && pwd)
PASSWORD='correct horse battery'
SERVER_PID=""
SERVER_LOG="$T/server.log"

api_cleanup() {
	if [ -n "$SERVER_PID" ]; then
		kill "$SERVER_PID" 2>/dev/null
		wait "$SERVER_PID" 2>/dev/null
	fi
	rm -rf "$T"
}
trap api_cleanup EXIT

# Registry with users: admin; clin1, staff1 (clinic C01); clin2 (C02); res1.
api_setup_db() {
	"$PROLO" init >/dev/null || exit 1
	for u in "admin admin" "clin1 clinician C01" "staff1 staff C01" "clin2 clinician C02" "res1 researcher"; do
		set -- $u
		if [ -n "${3:-}" ]; then
			printf '%s\n' "$PASSWORD" | "$PROLO" user add "$1" --role "$2" --clinic "$3" --password-stdin >/dev/null || exit 1
		else
			printf '%s\n' "$PASSWORD" | "$PROLO" user add "$1" --role "$2" --password-stdin >/dev/null || exit 1
		fi
	done
}

# api_start [serve options...]: picks a free port (bounded retries) and waits
# until the server answers (at most 150 x 0.1 s: a loaded machine or a
# sanitizer build starts slowly). The port is free when it is
# picked, not when the server binds it: another test may take it meanwhile,
# and then its server would answer the probe. So the server started here
# must have said it serves on that port (its own serve.out) and still run.
api_start() {
	tries=0
	while [ $tries -lt 10 ]; do
		tries=$((tries + 1))
		PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
		"$PROLO" serve --bind 127.0.0.1 --port "$PORT" --web "$TOP/web" "$@" >"$T/serve.out" 2>"$SERVER_LOG" &
		SERVER_PID=$!
		i=0
		while [ $i -lt 150 ]; do
			# (over HTTPS the line alone: it is printed once listening)
			if kill -0 "$SERVER_PID" 2>/dev/null && { grep -q "^prolo: serving https://127.0.0.1:$PORT/" "$T/serve.out" 2>/dev/null ||
				{ grep -q "^prolo: serving http://127.0.0.1:$PORT/" "$T/serve.out" 2>/dev/null &&
				$PY -c "import http.client,sys; c=http.client.HTTPConnection('127.0.0.1',$PORT,timeout=1); c.request('GET','/api/me'); sys.exit(0 if c.getresponse().status==401 else 1)" 2>/dev/null; }; }; then
				BASE="http://127.0.0.1:$PORT"
				export PORT BASE
				return 0
			fi
			kill -0 "$SERVER_PID" 2>/dev/null || break
			sleep 0.1
			i=$((i + 1))
		done
		kill "$SERVER_PID" 2>/dev/null
		wait "$SERVER_PID" 2>/dev/null
		SERVER_PID=""
	done
	echo "server did not start:" >&2
	cat "$T/serve.out" "$SERVER_LOG" >&2
	exit 1
}

api_stop() {
	if [ -n "$SERVER_PID" ]; then
		kill -TERM "$SERVER_PID"
		wait "$SERVER_PID"
		rc=$?
		SERVER_PID=""
		return $rc
	fi
}

# api_cases FILE...: runs data-driven cases against the server.
api_cases() {
	$PY "$API_DIR/client.py" --port "$PORT" --password "$PASSWORD" --db "$PROLO_DB" "$@"
}
