-- 1: reference data and cases

CREATE TABLE regions(code TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, parent TEXT,
                     geometry TEXT);
CREATE INDEX regions_parent ON regions(parent);
CREATE TABLE orgs(code TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, region TEXT NOT NULL);
CREATE TABLE categories(code TEXT PRIMARY KEY, parent TEXT, name_zh TEXT NOT NULL, name_en TEXT NOT NULL,
                        accept_hours REAL NOT NULL, resolve_days REAL NOT NULL);
CREATE TABLE settings(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE cases(
  id INTEGER PRIMARY KEY,
  county TEXT NOT NULL,          -- the distribution key when the schema moves to a sharded PostgreSQL
  number TEXT NOT NULL UNIQUE,
  channel TEXT NOT NULL,
  external_id TEXT,
  category TEXT NOT NULL,
  grid TEXT,
  region_path TEXT NOT NULL,
  org TEXT,
  status TEXT NOT NULL,
  accept_by INTEGER,
  resolve_by INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  version INTEGER NOT NULL,
  doc TEXT NOT NULL              -- the whole Case; the columns above are its indexed part
);
CREATE UNIQUE INDEX cases_external ON cases(channel, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX cases_status ON cases(status, id);
CREATE INDEX cases_region ON cases(region_path, id);
CREATE INDEX cases_org ON cases(org, id) WHERE org IS NOT NULL;
CREATE INDEX cases_category ON cases(category, id);
CREATE INDEX cases_created ON cases(created_at);
CREATE TABLE case_events(
  case_id INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  type TEXT NOT NULL,
  actor TEXT NOT NULL,
  at INTEGER NOT NULL,
  payload TEXT NOT NULL,
  PRIMARY KEY(case_id, seq)
) WITHOUT ROWID;
CREATE TABLE idempotency(key TEXT PRIMARY KEY, case_id INTEGER NOT NULL, created_at INTEGER NOT NULL);
