-- 消息中心: one row a message to one account, written in the transaction of the step that sends
-- it; `sms_state` is NULL (not to be texted), 'pending', 'sent' or 'failed' for accounts that
-- asked for texts too. `dedupe` keeps a reminder from being sent twice.
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id),
    application_id INTEGER,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT,
    dedupe TEXT UNIQUE,
    sms_state TEXT,
    created_at TEXT NOT NULL,
    read_at TEXT
);
CREATE INDEX notifications_user ON notifications(user_id, id);
CREATE INDEX notifications_unread ON notifications(user_id, read_at);
CREATE INDEX notifications_sms ON notifications(sms_state, id);
ALTER TABLE users ADD COLUMN sms_notify INTEGER NOT NULL DEFAULT 0;
