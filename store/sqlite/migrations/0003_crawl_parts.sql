-- A crawl may be stored in parts (BeginCrawl, SavePart, EndCrawl): it is
-- complete once ended. Crawls stored before were saved whole.
ALTER TABLE crawls ADD COLUMN complete INTEGER NOT NULL DEFAULT 1;
