#!/bin/sh
# Browser test patients.mjs: duplicates, a session form pre-filled from the
# protocol and the last visit, merge and its undo, the clinic's date format
# (the server, registry and users as e2e.sh makes them).
E2E_TESTS=patients exec sh "${TOP:-$(pwd)}/tests/e2e/e2e.sh"
