/* Versioned schema migrations, applied in order, each in its own transaction.
 * Append new migrations at the end; never edit one that has shipped. The SQL
 * stays close to portable SQL (TEXT ISO dates, explicit keys) so a PostgreSQL
 * backend can mirror it; STRICT and WITHOUT ROWID are SQLite's storage hints.
 * Vocabulary checks are OR-chains, not IN lists: SQLite builds a temporary
 * index for every IN list on every insert, which made imports 5x slower.
 * Child tables are keyed by (course_pk, ...) so a course's rows sit together:
 * the report reads them in one sequential pass. */
#include "store/store_sqlite.h"
#include "store/store_alerts.h"
#include "store/store_booking.h"
#include "store/store_outreach.h"
#include "store/store_patients.h"
#include "store/store_instr.h"
#include "store/store_calls.h"

/* Dates are checked for the calendar at the edge (dom_date_parse); the table
 * checks their shape, which is cheap enough for bulk loads. */
#define VALID_DATE(c) "CHECK (length(" c ") = 10 AND " c " BETWEEN '1900-01-01' AND '2199-12-31')"

static const char m001_core[] =
	"CREATE TABLE clinics ("
	"  code TEXT PRIMARY KEY CHECK (length(code) BETWEEN 1 AND 64),"
	"  name TEXT"
	") STRICT;"
	"CREATE TABLE conditions ("
	"  name TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 64),"
	"  icd10 TEXT,"
	"  snomed TEXT,"
	"  label TEXT"
	") STRICT;"
	"INSERT INTO conditions VALUES"
	"  ('low_back_pain', 'M54.50', '279039007', 'Low back pain'),"
	"  ('neck_pain', 'M54.2', '81680005', 'Neck pain'),"
	"  ('knee_oa', 'M17.9', '239873007', 'Osteoarthritis of knee'),"
	"  ('tendinopathy', 'M77.9', '68172002', 'Tendinopathy'),"
	"  ('ligament_sprain', 'T14.3', '44465007', 'Sprain of ligament');"
	"CREATE TABLE patients ("
	"  pk INTEGER PRIMARY KEY,"
	"  patient_id TEXT NOT NULL UNIQUE CHECK (length(patient_id) BETWEEN 1 AND 64),"
	"  clinic TEXT NOT NULL REFERENCES clinics(code),"
	"  sex TEXT NOT NULL CHECK ((sex = 'female' OR sex = 'male' OR sex = 'other' OR sex = 'unknown')),"
	"  birth_year INTEGER CHECK (birth_year BETWEEN 1900 AND 2199),"
	"  first_name TEXT, last_name TEXT, phone TEXT, email TEXT,"
	"  contraindications INTEGER NOT NULL DEFAULT 0 CHECK (contraindications >= 0),"
	"  notes TEXT"
	") STRICT;"
	"CREATE TABLE courses ("
	"  pk INTEGER PRIMARY KEY,"
	"  course_id TEXT NOT NULL UNIQUE CHECK (length(course_id) BETWEEN 1 AND 64),"
	"  patient_pk INTEGER NOT NULL REFERENCES patients(pk),"
	"  modality TEXT NOT NULL CHECK ((modality = 'dextrose' OR modality = 'prp' OR modality = 'stem_cell')),"
	"  condition TEXT NOT NULL REFERENCES conditions(name),"
	"  start_date TEXT NOT NULL " VALID_DATE("start_date") ","
	"  planned_sessions INTEGER NOT NULL CHECK (planned_sessions BETWEEN 1 AND 50),"
	"  status TEXT NOT NULL CHECK ((status = 'planned' OR status = 'active' OR status = 'completed' OR status = 'goal_reached' OR status = 'dropped' OR status = 'stopped_adverse_event' OR status = 'stopped_no_improvement')),"
	"  protocol TEXT,"
	"  interval_days INTEGER CHECK (interval_days BETWEEN 1 AND 365),"
	"  end_date TEXT " VALID_DATE("end_date") ","
	"  end_reason TEXT,"
	"  stem_source TEXT CHECK ((stem_source = 'bmac' OR stem_source = 'adipose')),"
	"  override_reason TEXT,"
	"  override_by TEXT,"
	"  CHECK (end_date IS NULL OR end_date >= start_date),"
	"  CHECK (stem_source IS NULL OR modality = 'stem_cell')"
	") STRICT;"
	"CREATE INDEX courses_patient ON courses(patient_pk);"
	"CREATE TABLE sessions ("
	"  course_pk INTEGER NOT NULL REFERENCES courses(pk),"
	"  session_no INTEGER NOT NULL CHECK (session_no BETWEEN 1 AND 1000),"
	"  date TEXT NOT NULL " VALID_DATE("date") ","
	"  proliferant TEXT CHECK ((proliferant = 'dextrose' OR proliferant = 'prp' OR proliferant = 'bmac' OR proliferant = 'adipose' OR proliferant = 'p2g' OR proliferant = 'sodium_morrhuate' OR proliferant = 'saline')),"
	"  concentration_pct REAL CHECK (concentration_pct BETWEEN 0 AND 100),"
	"  volume_ml REAL CHECK (volume_ml > 0 AND volume_ml <= 500),"
	"  anaesthetic TEXT,"
	"  anaesthetic_pct REAL CHECK (anaesthetic_pct BETWEEN 0 AND 10),"
	"  clinician TEXT,"
	"  prp_platelets REAL CHECK (prp_platelets >= 0),"
	"  prp_platelets_baseline REAL CHECK (prp_platelets_baseline > 0),"
	"  prp_leukocytes REAL CHECK (prp_leukocytes >= 0),"
	"  prp_leukocytes_baseline REAL CHECK (prp_leukocytes_baseline > 0),"
	"  prp_rbc REAL CHECK (prp_rbc >= 0),"
	"  prp_activation TEXT CHECK ((prp_activation = 'none' OR prp_activation = 'thrombin' OR prp_activation = 'calcium_chloride' OR prp_activation = 'collagen')),"
	"  prp_volume_ml REAL CHECK (prp_volume_ml > 0),"
	"  notes TEXT,"
	"  PRIMARY KEY (course_pk, session_no)"
	") STRICT, WITHOUT ROWID;"
	"CREATE TABLE injections ("
	"  course_pk INTEGER NOT NULL,"
	"  session_no INTEGER NOT NULL,"
	"  seq INTEGER NOT NULL CHECK (seq BETWEEN 1 AND 200),"
	"  site TEXT NOT NULL CHECK (length(site) >= 1),"
	"  side TEXT CHECK ((side = 'left' OR side = 'right' OR side = 'bilateral' OR side = 'midline')),"
	"  proliferant TEXT CHECK ((proliferant = 'dextrose' OR proliferant = 'prp' OR proliferant = 'bmac' OR proliferant = 'adipose' OR proliferant = 'p2g' OR proliferant = 'sodium_morrhuate' OR proliferant = 'saline')),"
	"  concentration_pct REAL CHECK (concentration_pct BETWEEN 0 AND 100),"
	"  anaesthetic TEXT,"
	"  anaesthetic_pct REAL CHECK (anaesthetic_pct BETWEEN 0 AND 10),"
	"  volume_ml REAL CHECK (volume_ml > 0 AND volume_ml <= 100),"
	"  guidance TEXT CHECK ((guidance = 'landmark' OR guidance = 'ultrasound' OR guidance = 'fluoroscopy')),"
	"  lot TEXT,"
	"  PRIMARY KEY (course_pk, session_no, seq),"
	"  FOREIGN KEY (course_pk, session_no) REFERENCES sessions(course_pk, session_no)"
	") STRICT, WITHOUT ROWID;"
	"CREATE TABLE outcomes ("
	"  course_pk INTEGER NOT NULL REFERENCES courses(pk),"
	"  date TEXT NOT NULL " VALID_DATE("date") ","
	"  instrument TEXT NOT NULL CHECK ((instrument = 'NRS' OR instrument = 'VAS' OR instrument = 'ODI' OR instrument = 'NDI' OR instrument = 'WOMAC' OR instrument = 'QuickDASH' OR instrument = 'KOOS')),"
	"  score REAL CHECK (score BETWEEN 0 AND 100),"
	"  items TEXT,"
	"  CHECK (instrument <> 'NRS' OR (score = CAST(score AS INTEGER) AND score <= 10)),"
	"  PRIMARY KEY (course_pk, date, instrument)"
	") STRICT, WITHOUT ROWID;"
	"CREATE TABLE adverse_events ("
	"  course_pk INTEGER NOT NULL REFERENCES courses(pk),"
	"  seq INTEGER NOT NULL CHECK (seq >= 1),"
	"  date TEXT NOT NULL " VALID_DATE("date") ","
	"  kind TEXT NOT NULL CHECK ((kind = 'soreness' OR kind = 'stiffness' OR kind = 'infection' OR kind = 'nerve_injury' OR kind = 'post_dural_puncture_headache' OR kind = 'pneumothorax' OR kind = 'vasovagal' OR kind = 'allergic' OR kind = 'other')),"
	"  duration_days INTEGER CHECK (duration_days BETWEEN 0 AND 3650),"
	"  grade INTEGER CHECK (grade BETWEEN 1 AND 5),"
	"  seriousness TEXT CHECK ((seriousness = 'none' OR seriousness = 'hospitalisation' OR seriousness = 'disability' OR seriousness = 'life_threatening' OR seriousness = 'death')),"
	"  relatedness TEXT CHECK ((relatedness = 'unrelated' OR relatedness = 'unlikely' OR relatedness = 'possible' OR relatedness = 'probable' OR relatedness = 'definite')),"
	"  session_no INTEGER,"
	"  notes TEXT,"
	"  PRIMARY KEY (course_pk, seq),"
	"  FOREIGN KEY (course_pk, session_no) REFERENCES sessions(course_pk, session_no)"
	") STRICT, WITHOUT ROWID;"
	"CREATE TABLE course_history ("
	"  pk INTEGER PRIMARY KEY,"
	"  course_pk INTEGER NOT NULL REFERENCES courses(pk),"
	"  at TEXT NOT NULL,"
	"  event TEXT NOT NULL,"
	"  detail TEXT"
	") STRICT;"
	"CREATE INDEX course_history_course ON course_history(course_pk);";

/* The web server's tables: users, login sessions (only a hash of the cookie
 * is kept), login throttling, idempotent POST responses, questionnaire links
 * (only a hash of the token), and the hash-chained audit log, which triggers
 * keep append-only. Times are Unix seconds unless named "at". */
static const char m002_server[] =
	"CREATE TABLE users ("
	"  name TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 64),"
	"  role TEXT NOT NULL CHECK ((role = 'admin' OR role = 'clinician' OR role = 'staff' OR role = 'researcher')),"
	"  clinic TEXT CHECK (clinic IS NULL OR length(clinic) BETWEEN 1 AND 64),"
	"  pwhash TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),"
	"  CHECK ((role = 'admin' OR role = 'researcher') OR clinic IS NOT NULL)"
	") STRICT;"
	"CREATE TABLE auth_sessions ("
	"  id_hash BLOB PRIMARY KEY CHECK (length(id_hash) = 32),"
	"  user TEXT NOT NULL REFERENCES users(name),"
	"  csrf TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL"
	") STRICT, WITHOUT ROWID;"
	"CREATE INDEX auth_sessions_user ON auth_sessions(user);"
	"CREATE TABLE login_failures ("
	"  key TEXT PRIMARY KEY,"
	"  failures INTEGER NOT NULL CHECK (failures >= 0),"
	"  last_at INTEGER NOT NULL,"
	"  locked_until INTEGER NOT NULL"
	") STRICT, WITHOUT ROWID;"
	"CREATE TABLE idempotency ("
	"  user TEXT NOT NULL,"
	"  key TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 128),"
	"  request_hash BLOB NOT NULL,"
	"  status INTEGER NOT NULL,"
	"  body TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  PRIMARY KEY (user, key)"
	") STRICT, WITHOUT ROWID;"
	"CREATE TABLE questionnaire_links ("
	"  token_hash BLOB PRIMARY KEY CHECK (length(token_hash) = 32),"
	"  patient_id TEXT NOT NULL REFERENCES patients(patient_id),"
	"  course_id TEXT NOT NULL REFERENCES courses(course_id),"
	"  instrument TEXT NOT NULL,"
	"  created_by TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL,"
	"  used_at INTEGER"
	") STRICT, WITHOUT ROWID;"
	"CREATE TABLE audit_log ("
	"  id INTEGER PRIMARY KEY,"
	"  at TEXT NOT NULL,"
	"  user TEXT NOT NULL,"
	"  action TEXT NOT NULL,"
	"  record TEXT NOT NULL,"
	"  addr TEXT NOT NULL,"
	"  detail TEXT NOT NULL,"
	"  hash BLOB NOT NULL CHECK (length(hash) = 32)"
	") STRICT;"
	"CREATE INDEX audit_log_user ON audit_log(user);"
	"CREATE INDEX audit_log_record ON audit_log(record);"
	"CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log"
	"  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
	"CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log"
	"  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;";

/* The id of the last audit spool file (src/security/audit_spool.c) whose rows
 * are in audit_log, written in the transaction that appends them: a spool
 * file found again after a crash is replayed only if its id differs. */
static const char m004_audit_spool[] =
	"CREATE TABLE audit_spool ("
	"  one INTEGER PRIMARY KEY CHECK (one = 1),"
	"  last_file TEXT NOT NULL"
	") STRICT;";

/* Questionnaire links can be revoked (by staff, or when their course
 * ends), and each has a public id to name it by, since its token is shown
 * only once. Links from before have no id. */
static const char m005_qlink_revoke[] =
	"ALTER TABLE questionnaire_links ADD COLUMN revoked_at INTEGER;"
	"ALTER TABLE questionnaire_links ADD COLUMN link_id TEXT;"
	"CREATE UNIQUE INDEX questionnaire_links_id ON questionnaire_links(link_id);"
	"CREATE INDEX questionnaire_links_course ON questionnaire_links(course_id);";

/* The record's life: every record has a version (1 when created, one more
 * at each amendment or void) and may be voided (entered in error: it leaves
 * the report, the alerts and the exports but stays in its history). Each
 * change keeps the previous version in record_history: the old row as JSON
 * (the API's shape), who, when and why. A voided session's injections are
 * voided with it. record is the record's key as the audit log names it
 * ("P1", "K1", "K1/2", "K1/2025-03-01/NRS", "K1/1"); ids never change. */
#define LIFE_COLS(t) \
	"ALTER TABLE " t " ADD COLUMN version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1);" \
	"ALTER TABLE " t " ADD COLUMN voided_at TEXT;" \
	"ALTER TABLE " t " ADD COLUMN void_reason TEXT;"
static const char m006_record_life[] =
	LIFE_COLS("patients")
	LIFE_COLS("courses")
	LIFE_COLS("sessions")
	LIFE_COLS("outcomes")
	LIFE_COLS("adverse_events")
	"ALTER TABLE injections ADD COLUMN voided_at TEXT;"
	"CREATE TABLE record_history ("
	"  pk INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL CHECK ((kind = 'patient' OR kind = 'course' OR kind = 'session' OR kind = 'outcome' OR kind = 'adverse_event')),"
	"  record TEXT NOT NULL CHECK (length(record) BETWEEN 1 AND 200),"
	"  version INTEGER NOT NULL CHECK (version >= 1),"
	"  action TEXT NOT NULL CHECK ((action = 'amend' OR action = 'void')),"
	"  old TEXT NOT NULL,"
	"  by TEXT NOT NULL,"
	"  at TEXT NOT NULL,"
	"  reason TEXT NOT NULL CHECK (length(reason) >= 1),"
	"  UNIQUE (kind, record, version)"
	") STRICT;";

/* Users who come and go: an admin's reset leaves a one-time password that
 * must be changed at the next login; each user's last login (when, from
 * where). Each login session gets a public id (sid) to be named by when an
 * admin revokes it (the cookie's hash is never shown) and the address it
 * was opened from. Sessions from before get a random sid. */
static const char m008_user_life[] =
	"ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0"
	"  CHECK (must_change_password IN (0, 1));"
	"ALTER TABLE users ADD COLUMN last_login_at INTEGER;"
	"ALTER TABLE users ADD COLUMN last_login_addr TEXT;"
	"ALTER TABLE auth_sessions ADD COLUMN sid TEXT CHECK (sid IS NULL OR length(sid) BETWEEN 1 AND 32);"
	"ALTER TABLE auth_sessions ADD COLUMN addr TEXT;"
	"UPDATE auth_sessions SET sid = lower(hex(randomblob(8)));"
	"CREATE UNIQUE INDEX auth_sessions_sid ON auth_sessions(sid);";

/* Login sessions in the order they were opened: created_at counts
 * seconds and sid is random, so two sessions opened in one second were
 * listed in either order. Existing ones are numbered by (created_at,
 * sid); a new one takes the next number. */
static const char m016_session_order[] =
	"ALTER TABLE auth_sessions ADD COLUMN opened INTEGER;"
	"UPDATE auth_sessions SET opened = (SELECT count(*) FROM auth_sessions b"
	"  WHERE b.created_at < auth_sessions.created_at"
	"     OR (b.created_at = auth_sessions.created_at AND b.sid <= auth_sessions.sid));"
	"CREATE INDEX auth_sessions_opened ON auth_sessions(opened);";

const struct store_migration store_migrations[] = {
	{ 1, "core registry", m001_core },
	{ 2, "server: users, sessions, audit", m002_server },
	{ 3, "alert acknowledgements", store_alerts_migration_sql },
	{ 4, "audit spool", m004_audit_spool },
	{ 5, "questionnaire link revocation", m005_qlink_revoke },
	{ 6, "record versions, voids and history", m006_record_life },
	{ 7, "follow-up outreach: contacts, outbox, attempts, tasks", store_outreach_migration_sql },
	{ 8, "users: one-time passwords, last login, session ids", m008_user_life },
	{ 9, "appointments: bookings and the clinics' time zones", store_booking_migration_sql },
	{ 10, "patient merges, course warnings, clinic settings", store_patients_migration_sql },
	{ 11, "front desk: call log, snoozed and assigned alerts", store_calls_migration_sql },
	{ 12, "instrument wordings; an assessment by staff and by the patient on one day", store_instr_migration_sql },
	{ 13, "the outbox lease: one worker per registry", store_olease_migration_sql },
	{ 15, "bounces and delivery receipts of the outbox's messages", store_receipts_migration_sql },
	{ 16, "login sessions in the order they were opened", m016_session_order },
};
const int store_n_migrations = (int)(sizeof store_migrations / sizeof store_migrations[0]);
