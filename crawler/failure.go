package crawler

// The kinds of forge failure a Facts.Failure holds: what went wrong, as a
// person needs to know it to act.
const (
	// FailNotFound: the repository does not exist, or is private.
	FailNotFound = "not_found"
	// FailAccessRefused: the forge refused the request (401, 403): a token
	// invalid, expired or without read access.
	FailAccessRefused = "access_refused"
	// FailRenamed: the repository moved to another address the crawl could
	// not follow.
	FailRenamed = "renamed"
	// FailRateLimited: the forge's API quota is spent until its reset.
	FailRateLimited = "rate_limited"
	// FailUnreachable: the forge's host cannot be resolved or reached.
	FailUnreachable = "forge_unreachable"
	// FailForgeError: the forge answered with an error (5xx, an answer
	// vigie cannot read).
	FailForgeError = "forge_error"
	// FailTimeout: the forge did not answer in time.
	FailTimeout = "timeout"
)

// FailureKinds lists the kinds, in the order above.
func FailureKinds() []string {
	return []string{FailNotFound, FailAccessRefused, FailRenamed, FailRateLimited, FailUnreachable, FailForgeError, FailTimeout}
}

// Facts origins (Facts.Origin).
const (
	// OriginCrawl: this instance's crawl asked the forge.
	OriginCrawl = "crawl"
	// OriginSeeded: made up from other facts (the demo's past weeks).
	OriginSeeded = "seeded"
)
