-- Names are compared and sorted byte by byte (COLLATE "C"), as Go and SQLite
-- do, whatever the database's locale: "sorted by repo" means one order.
-- timestamptz keeps microseconds; the result JSON keeps the exact time.

-- One row per SaveCrawl call.
CREATE TABLE crawls (
	id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	started_at  timestamptz NOT NULL, -- earliest crawled_at of its snapshots
	finished_at timestamptz NOT NULL, -- latest crawled_at of its snapshots
	saved_at    timestamptz NOT NULL, -- when the store wrote it
	snapshots   integer     NOT NULL
);

-- Every repository ever stored, so "newest per repository" probes one index
-- range per repository instead of scanning the whole history.
CREATE TABLE repos (
	repo text COLLATE "C" PRIMARY KEY
);

-- One repository at one crawl. id grows with every insert and breaks ties
-- between snapshots of one repository with the same crawled_at. The JSON
-- columns are json, not jsonb: json keeps the text as written and accepts
-- \u0000, which a README can hold and jsonb refuses.
CREATE TABLE snapshots (
	id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	crawl_id   bigint      NOT NULL REFERENCES crawls (id) ON DELETE CASCADE,
	repo       text        COLLATE "C" NOT NULL REFERENCES repos (repo),
	defi       text        NOT NULL,
	forge      text        NOT NULL,
	crawled_at timestamptz NOT NULL,
	score      smallint,              -- NULL when error
	error      text        NOT NULL,  -- '' when the repository was fetched
	result     json        NOT NULL,  -- the result object, as docs/reference.md has it
	facts      json                   -- crawler.Facts; NULL for imported results
);

-- Latest, Get, LatestGood, History, NewestIn: a range of one repository's
-- snapshots by time, id the tie-breaker.
CREATE INDEX snapshots_repo_crawled_at ON snapshots (repo, crawled_at, id);
-- LastCrawl.
CREATE INDEX snapshots_crawled_at ON snapshots (crawled_at);
-- Deleting a crawl (retention) finds its snapshots.
CREATE INDEX snapshots_crawl_id ON snapshots (crawl_id);

CREATE TABLE reports (
	week         text        COLLATE "C" PRIMARY KEY, -- ISO week, 2026-W48
	generated_at timestamptz NOT NULL,
	html         bytea       NOT NULL,
	json         bytea       NOT NULL
);

-- A report mailed to a recipient: the mailer's at-most-once guard.
CREATE TABLE sent_mails (
	week      text        NOT NULL,
	scope     text        NOT NULL, -- '' the whole programme, else a défi slug
	recipient text        NOT NULL,
	sent_at   timestamptz NOT NULL,
	PRIMARY KEY (week, scope, recipient)
);

CREATE TABLE http_cache (
	key        text        PRIMARY KEY,
	etag       text        NOT NULL,
	body       bytea       NOT NULL,
	updated_at timestamptz NOT NULL
);
