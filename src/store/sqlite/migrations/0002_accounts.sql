-- 2: accounts

CREATE TABLE users(id INTEGER PRIMARY KEY, login TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL,
                   disabled INTEGER NOT NULL DEFAULT 0);
CREATE TABLE user_roles(user_id INTEGER NOT NULL REFERENCES users(id), role TEXT NOT NULL, scope TEXT NOT NULL,
                        PRIMARY KEY(user_id, role, scope));
CREATE TABLE tokens(hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),
                    expires_at INTEGER NOT NULL);
