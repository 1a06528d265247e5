-- 4: the command centre: escalation level (the difficult-matters queue), routing rules, full-text search

ALTER TABLE cases ADD COLUMN level TEXT NOT NULL DEFAULT 'community';
-- For start-up without decoding cases: the cockpit tally, the next alert, the place (filled by the refold).
ALTER TABLE cases ADD COLUMN tally INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN next_alert_at INTEGER;
ALTER TABLE cases ADD COLUMN lat REAL;
ALTER TABLE cases ADD COLUMN lon REAL;
CREATE INDEX cases_level ON cases(level, id) WHERE level<>'community';
-- The departments of a case's whistle, so a co-department's list shows the cases it must report on.
CREATE TABLE whistle_parts(case_id INTEGER NOT NULL, org TEXT NOT NULL, PRIMARY KEY(case_id, org)) WITHOUT ROWID;
CREATE INDEX whistle_parts_org ON whistle_parts(org, case_id);
-- Check-ins a department missed (一哨联办 counts them against it), kept with the events that record them.
CREATE TABLE missed_check_ins(org TEXT PRIMARY KEY, count INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE routing_rules(id INTEGER PRIMARY KEY, category TEXT NOT NULL, region TEXT NOT NULL,
                           org TEXT NOT NULL, created_by TEXT NOT NULL, created_at INTEGER NOT NULL);
-- Contentless: the text lives in cases.doc and never changes after intake; rowid is the case id.
-- `places` holds "r" + each region code on the case's path as tokens, so a search scoped to a region is
-- intersected inside the index instead of testing every match's row.
CREATE VIRTUAL TABLE cases_fts USING fts5(title, description, address, places, content='', tokenize='civicgrid');
INSERT INTO cases_fts(rowid, title, description, address, places)
  SELECT id, json_extract(doc, '$.origin.title'), json_extract(doc, '$.origin.description'),
         json_extract(doc, '$.origin.address'), 'r' || replace(trim(region_path, '/'), '/', ' r') FROM cases;
