#!/bin/sh
# Browser test a11y.mjs: every page checked with axe-core at two widths as each role
# (the server, registry and users as e2e.sh makes them).
E2E_TESTS=a11y exec sh "${TOP:-$(pwd)}/tests/e2e/e2e.sh"
