#!/bin/sh
# Browser test booking.mjs: a session booked from the chart, found on the
# day view, rescheduled from the week view, its calendar downloaded,
# cancelled; a booking of today missed (the server, registry and users as
# e2e.sh makes them).
E2E_TESTS=booking exec sh "${TOP:-$(pwd)}/tests/e2e/e2e.sh"
