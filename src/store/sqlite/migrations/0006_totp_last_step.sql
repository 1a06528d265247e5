-- 6: the time step of the last one-time code each user logged in with, so that a code seen over a
-- shoulder or replayed from a log cannot be used again within its 90-second window.

ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;
