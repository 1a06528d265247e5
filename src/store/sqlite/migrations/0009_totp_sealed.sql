-- 9: second factors' secrets sealed with the personal-data key (issue 17). SQL cannot reach the key (it
-- lives in a file outside the store), so this only marks which secrets are still in clear: App::Open seals
-- them in code right after migrating (AuthService::SealStoredTotpSecrets), and new accounts are written
-- sealed. Until then a row with totp_sealed = 0 holds the base32 secret as before.

ALTER TABLE users ADD COLUMN totp_sealed INTEGER NOT NULL DEFAULT 0;
