# fake_start SCRIPT DIR MODEFILE LOG: starts one of the tests' stand-in
# servers (tests/outreach/smtpd.py, rawsmtp.py, smsd.py: arguments PORT DIR
# MODEFILE; DIR/ready appears once it listens) on a free loopback port,
# output appended to LOG. A port is free when picked, but another test may
# take it before the server binds it (the server then exits at once), so
# the start is retried on another port, at most 5 times, each bounded
# (10 s). Sets FAKE_PORT and FAKE_PID (kill it by that PID); returns 1 when
# it never started. Needs PY.
fake_start() {
	fake_n=0
	while [ $fake_n -lt 5 ]; do
		fake_n=$((fake_n + 1))
		FAKE_PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
		$PY "$1" "$FAKE_PORT" "$2" "$3" >>"$4" 2>&1 &
		FAKE_PID=$!
		fake_i=0
		while [ ! -f "$2/ready" ] && kill -0 "$FAKE_PID" 2>/dev/null && [ $fake_i -lt 100 ]; do
			sleep 0.1
			fake_i=$((fake_i + 1))
		done
		[ -f "$2/ready" ] && return 0
		kill -9 "$FAKE_PID" 2>/dev/null
		wait "$FAKE_PID" 2>/dev/null
	done
	FAKE_PID=""
	return 1
}
