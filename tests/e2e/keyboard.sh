#!/bin/sh
# Browser test keyboard.mjs: every page reached and used by keyboard alone
# (the server, registry and users as e2e.sh makes them).
E2E_TESTS=keyboard exec sh "${TOP:-$(pwd)}/tests/e2e/e2e.sh"
