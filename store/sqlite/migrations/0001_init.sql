-- Times are UTC RFC 3339 text with nine fraction digits
-- (2026-11-29T08:00:00.000000000Z): fixed width, so text order is time order
-- and nanoseconds survive.

-- One row per SaveCrawl call.
CREATE TABLE crawls (
	id          INTEGER PRIMARY KEY,
	started_at  TEXT    NOT NULL, -- earliest crawled_at of its snapshots
	finished_at TEXT    NOT NULL, -- latest crawled_at of its snapshots
	saved_at    TEXT    NOT NULL, -- when the store wrote it
	snapshots   INTEGER NOT NULL
) STRICT;

-- Every repository ever stored, so "newest per repository" probes one index
-- range per repository instead of scanning the whole history.
CREATE TABLE repos (
	repo TEXT PRIMARY KEY
) STRICT, WITHOUT ROWID;

-- One repository at one crawl. id grows with every insert and breaks ties
-- between snapshots of one repository with the same crawled_at.
CREATE TABLE snapshots (
	id         INTEGER PRIMARY KEY,
	crawl_id   INTEGER NOT NULL REFERENCES crawls (id) ON DELETE CASCADE,
	repo       TEXT    NOT NULL REFERENCES repos (repo),
	defi       TEXT    NOT NULL,
	forge      TEXT    NOT NULL,
	crawled_at TEXT    NOT NULL,
	score      INTEGER,          -- NULL when error
	error      TEXT    NOT NULL, -- '' when the repository was fetched
	result     TEXT    NOT NULL, -- the result object's JSON, as docs/reference.md has it
	facts      TEXT              -- crawler.Facts JSON; NULL for imported results
) STRICT;

-- Latest, Get, LatestGood, History, NewestIn: a range of one repository's
-- snapshots by time (the index also holds id, the tie-breaker).
CREATE INDEX snapshots_repo_crawled_at ON snapshots (repo, crawled_at);
-- LastCrawl.
CREATE INDEX snapshots_crawled_at ON snapshots (crawled_at);
-- Deleting a crawl (retention) finds its snapshots.
CREATE INDEX snapshots_crawl_id ON snapshots (crawl_id);

CREATE TABLE reports (
	week         TEXT PRIMARY KEY, -- ISO week, 2026-W48
	generated_at TEXT NOT NULL,
	html         BLOB NOT NULL,
	json         BLOB NOT NULL
) STRICT;

-- A report mailed to a recipient: the mailer's at-most-once guard.
CREATE TABLE sent_mails (
	week      TEXT NOT NULL,
	scope     TEXT NOT NULL, -- '' the whole programme, else a défi slug
	recipient TEXT NOT NULL,
	sent_at   TEXT NOT NULL,
	PRIMARY KEY (week, scope, recipient)
) STRICT, WITHOUT ROWID;

CREATE TABLE http_cache (
	key        TEXT PRIMARY KEY,
	etag       TEXT NOT NULL,
	body       BLOB NOT NULL,
	updated_at TEXT NOT NULL
) STRICT;
