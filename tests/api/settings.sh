#!/bin/sh
# A clinic's settings over the API: GET /api/settings holds the date format
# and the time zone; an admin's PATCH sets either or both; a bad value is
# 400 naming its field and changes neither (also when the other was good);
# other roles read their own clinic's and may set nothing (403); the audit
# log has each change.
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
export TZ=UTC
api_setup_db
api_start
cat >"$T/settings.json" <<'JSON'
[
 {"name": "ISO and the server's zone until set", "as": "staff1", "method": "GET", "path": "/api/settings", "status": 200,
  "expect": {"clinic": "C01", "date_format": "iso", "tz": "UTC"}},
 {"name": "an admin reads a clinic's", "as": "admin", "method": "GET", "path": "/api/settings?clinic=C02", "status": 200,
  "expect": {"clinic": "C02", "date_format": "iso", "tz": "UTC"}},
 {"name": "both at once", "as": "admin", "method": "PATCH", "path": "/api/settings", "body": {"clinic": "C01", "date_format": "dmy", "tz": "Europe/Berlin"}, "status": 200,
  "expect": {"clinic": "C01", "date_format": "dmy", "tz": "Europe/Berlin"}},
 {"name": "C01's staff read them", "as": "staff1", "method": "GET", "path": "/api/settings", "status": 200,
  "expect": {"clinic": "C01", "date_format": "dmy", "tz": "Europe/Berlin"}},
 {"name": "the zone is the bookings' zone too", "as": "staff1", "method": "GET", "path": "/api/clinics/C01/zone", "status": 200,
  "expect": {"clinic": "C01", "tz": "Europe/Berlin"}},
 {"name": "the zone alone keeps the format", "as": "admin", "method": "PATCH", "path": "/api/settings", "body": {"clinic": "C01", "tz": "America/New_York"}, "status": 200,
  "expect": {"clinic": "C01", "date_format": "dmy", "tz": "America/New_York"}},
 {"name": "the format alone keeps the zone", "as": "admin", "method": "PATCH", "path": "/api/settings", "body": {"clinic": "C01", "date_format": "mdy"}, "status": 200,
  "expect": {"clinic": "C01", "date_format": "mdy", "tz": "America/New_York"}},
 {"name": "a zone the system does not hold: 400 tz, the good format not kept either", "as": "admin", "method": "PATCH", "path": "/api/settings", "body": {"clinic": "C01", "date_format": "iso", "tz": "Mars/Olympus_Mons"}, "status": 400,
  "expect": {"error": {"field": "tz"}}, "db": {"sql": "SELECT date_format || ' ' || (SELECT tz FROM clinics WHERE code = 'C01') FROM clinic_settings WHERE clinic = 'C01'", "equals": "mdy America/New_York"}},
 {"name": "an unknown format: 400 date_format, the good zone not kept", "as": "admin", "method": "PATCH", "path": "/api/settings", "body": {"clinic": "C01", "date_format": "ymd", "tz": "Asia/Tokyo"}, "status": 400,
  "expect": {"error": {"field": "date_format"}}, "db": {"sql": "SELECT tz FROM clinics WHERE code = 'C01'", "equals": "America/New_York"}},
 {"name": "neither: 400 date_format", "as": "admin", "method": "PATCH", "path": "/api/settings", "body": {"clinic": "C01"}, "status": 400, "expect": {"error": {"field": "date_format"}}},
 {"name": "an unknown field", "as": "admin", "method": "PATCH", "path": "/api/settings", "body": {"clinic": "C01", "zone": "UTC"}, "status": 400, "expect": {"error": {"field": "zone"}}},
 {"name": "a clinician may not set the zone", "as": "clin1", "method": "PATCH", "path": "/api/settings", "body": {"tz": "UTC"}, "status": 403},
 {"name": "nor staff the format", "as": "staff1", "method": "PATCH", "path": "/api/settings", "body": {"date_format": "iso"}, "status": 403,
  "db": {"sql": "SELECT date_format FROM clinic_settings WHERE clinic = 'C01'", "equals": "mdy"}},
 {"name": "C02 is untouched", "as": "clin2", "method": "GET", "path": "/api/settings", "status": 200, "expect": {"clinic": "C02", "date_format": "iso", "tz": "UTC"}},
 {"name": "each change audited", "as": "admin", "method": "GET", "path": "/api/me", "status": 200,
  "db": {"sql": "SELECT group_concat(action || ':' || detail, ' ') FROM (SELECT action, detail FROM audit_log WHERE action IN ('settings.set', 'clinic.zone') ORDER BY id)", "equals": "settings.set:dmy clinic.zone:Europe/Berlin clinic.zone:America/New_York settings.set:mdy"}}
]
JSON
api_cases "$T/settings.json" || exit 1
api_stop
