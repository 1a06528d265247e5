-- 8: every event records the command that produced it and the door it came through (the ledger's audit
-- envelope: channel "api", "cli", "timer" …, and the client's address). Older events have NULL: not recorded.

ALTER TABLE case_events ADD COLUMN command TEXT;
ALTER TABLE case_events ADD COLUMN channel TEXT;
ALTER TABLE case_events ADD COLUMN address TEXT;
