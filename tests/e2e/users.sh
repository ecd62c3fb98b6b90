#!/bin/sh
# Browser test users.mjs: an admin disables a user (whose open session ends)
# and resets a password that must be changed at the next login (the server,
# registry and users as e2e.sh makes them).
E2E_TESTS=users exec sh "${TOP:-$(pwd)}/tests/e2e/e2e.sh"
