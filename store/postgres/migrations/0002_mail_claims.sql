-- A weekly report's mail claimed by the process about to send it. The
-- unique key is what keeps two processes sending at the same instant from
-- both sending: each inserts, and only the one whose insert made the row
-- sends. sent_at is set once the mail server accepted the mail; a claim
-- left without it (its holder died mid-send) may be taken again after a
-- while (store.ClaimTimeout).
CREATE TABLE mail_claims (
	week       text        NOT NULL, -- ISO week, 2026-W48
	recipient  text        NOT NULL, -- the address, lower-case
	scope      text        NOT NULL, -- '' the whole programme, else a défi slug
	claimed_at timestamptz NOT NULL,
	sent_at    timestamptz,          -- NULL until the server accepted it
	PRIMARY KEY (week, recipient)
);

-- Mails sent before claims existed are claimed and sent.
INSERT INTO mail_claims (week, recipient, scope, claimed_at, sent_at)
	SELECT week, lower(recipient), MIN(scope), MIN(sent_at), MIN(sent_at) FROM sent_mails
	GROUP BY week, lower(recipient)
	ON CONFLICT DO NOTHING;
