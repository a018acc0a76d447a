-- 通知公告 on the home page, published and withdrawn by the province.
CREATE TABLE site_notices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    author_id INTEGER NOT NULL REFERENCES users(id),
    published_at TEXT NOT NULL,
    withdrawn_at TEXT
);
CREATE INDEX site_notices_recent ON site_notices(withdrawn_at, id);
