-- A weekly report's mail claimed by the process about to send it. The
-- unique key is what keeps two processes sending at the same instant from
-- both sending: each inserts, and only the one whose insert made the row
-- sends. sent_at is set once the mail server accepted the mail; a claim
-- left without it (its holder died mid-send) may be taken again after a
-- while (store.ClaimTimeout).
CREATE TABLE mail_claims (
	week       TEXT NOT NULL, -- ISO week, 2026-W48
	recipient  TEXT NOT NULL, -- the address, lower-case
	scope      TEXT NOT NULL, -- '' the whole programme, else a défi slug
	claimed_at TEXT NOT NULL,
	sent_at    TEXT,          -- NULL until the server accepted it
	PRIMARY KEY (week, recipient)
) STRICT, WITHOUT ROWID;

-- Mails sent before claims existed are claimed and sent.
INSERT INTO mail_claims (week, recipient, scope, claimed_at, sent_at)
	SELECT week, lower(recipient), MIN(scope), MIN(sent_at), MIN(sent_at) FROM sent_mails
	GROUP BY week, lower(recipient)
	ON CONFLICT DO NOTHING;
