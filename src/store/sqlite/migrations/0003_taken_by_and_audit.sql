-- 3: who took a case in (residents and channel keys see their own cases); the security audit log

ALTER TABLE cases ADD COLUMN taken_by TEXT;
UPDATE cases SET taken_by=(SELECT actor FROM case_events e WHERE e.case_id=cases.id AND e.seq=1);
UPDATE cases SET doc=json_set(doc, '$.taken_by', taken_by);
CREATE INDEX cases_taken_by ON cases(taken_by, id);
CREATE TABLE security_audit(id INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor TEXT NOT NULL,
                            action TEXT NOT NULL, target TEXT NOT NULL, detail TEXT NOT NULL,
                            remote TEXT NOT NULL);
CREATE INDEX security_audit_at ON security_audit(at);
-- The audit log is append-only: no API updates or deletes it, and the store refuses to.
CREATE TRIGGER security_audit_no_update BEFORE UPDATE ON security_audit
  BEGIN SELECT RAISE(ABORT, 'the security audit log is append-only'); END;
CREATE TRIGGER security_audit_no_delete BEFORE DELETE ON security_audit WHEN old.at > (strftime('%s','now') - 183*86400) * 1000
  BEGIN SELECT RAISE(ABORT, 'audit records are kept at least six months'); END;
ALTER TABLE users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN password_changed_at INTEGER NOT NULL DEFAULT 0;
UPDATE users SET password_changed_at = CAST(strftime('%s','now') AS INTEGER) * 1000;  -- the expiry clock starts now
ALTER TABLE users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
