# Shared setup of the browser tests (sourced, not run): finds node and
# Debian's chromium (exit 77 = skip when either is absent), installs
# playwright-core and axe-core from the committed lockfile with `npm ci` (no browser
# download), and names the artifact folder. Sets E2E_DIR, ARTIFACTS, CHROMIUM.
E2E_DIR=${TOP:-$(pwd)}/tests/e2e
ARTIFACTS=${TOP:-$(pwd)}/${BUILD:-build}/e2e-artifacts
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
export E2E_DIR ARTIFACTS CHROMIUM
# Never let an install step fetch a browser build.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

# Stops the server this test started (SERVER_PID), by its PID only: TERM,
# then KILL after 5 s.
stop_server() {
	if [ -n "${SERVER_PID:-}" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
		kill -TERM "$SERVER_PID" 2>/dev/null
		i=0
		while kill -0 "$SERVER_PID" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		kill -KILL "$SERVER_PID" 2>/dev/null
		wait "$SERVER_PID" 2>/dev/null
	fi
	SERVER_PID=""
}

browser_require() {
	if ! command -v node >/dev/null 2>&1; then
		echo "skip: node is not installed (scripts/install-deps.sh --test)"
		exit 77
	fi
	if [ ! -x "$CHROMIUM" ]; then
		echo "skip: $CHROMIUM is not installed (scripts/install-deps.sh --test)"
		exit 77
	fi
	if ! command -v npm >/dev/null 2>&1; then
		echo "npm is missing although node is installed (scripts/install-deps.sh --test)" >&2
		exit 1
	fi
	mkdir -p "$ARTIFACTS"
	# npm ci only when the lockfile changed since the last install; the
	# browser tests run side by side, so one installs while the others
	# wait on the lock (bounded: flock -w).
	(
		flock -w 360 9 || { echo "waited 6 minutes for another npm ci" >&2; exit 1; }
		stamp="$E2E_DIR/node_modules/.prolo-lock"
		want=$(cksum <"$E2E_DIR/package-lock.json")
		if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] ||
			[ ! -f "$E2E_DIR/node_modules/playwright-core/package.json" ] ||
			[ ! -f "$E2E_DIR/node_modules/axe-core/axe.min.js" ]; then
			echo "installing playwright-core and axe-core with npm ci"
			if ! (cd "$E2E_DIR" && timeout 300 npm ci --no-audit --no-fund --loglevel=error); then
				echo "npm ci failed in tests/e2e" >&2
				exit 1
			fi
			echo "$want" >"$stamp"
		fi
	) 9>"$E2E_DIR/.npm-lock" || exit 1
}
