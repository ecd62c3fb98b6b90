#!/bin/sh
# Browser test settings.mjs: an administrator sets a clinic's date format
# and time zone on the settings page (a bad zone refused at its field), the
# clinic's chart then shows dates in that format, and other roles neither
# see nor reach the page (the server refuses their PATCH with 403).
E2E_TESTS=settings exec sh "${TOP:-$(pwd)}/tests/e2e/e2e.sh"
