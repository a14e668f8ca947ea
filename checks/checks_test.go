package checks

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/locale"
)

func TestNames(t *testing.T) {
	want := []string{"license", "readme", "ci", "activity"}
	if got := Names(); !reflect.DeepEqual(got, want) {
		t.Errorf("Names() = %v, want %v", got, want)
	}
	// The caller's copy is its own.
	Names()[0] = "changed"
	if Names()[0] != "license" {
		t.Error("Names() shares its slice")
	}
}

func TestOverall(t *testing.T) {
	cs := func(l, r, c, a int) []Check {
		return []Check{{Name: "license", Score: l}, {Name: "readme", Score: r}, {Name: "ci", Score: c}, {Name: "activity", Score: a}}
	}
	tests := []struct {
		name   string
		checks []Check
		w      map[string]float64
		want   int
	}{
		{"all ten", cs(10, 10, 10, 10), nil, 100},
		{"all zero", cs(0, 0, 0, 0), nil, 0},
		{"equal weights", cs(10, 7, 0, 10), nil, 68},                                // 27/4 = 6.75
		{"half rounds up", cs(10, 10, 10, 9), nil, 98},                              // 39/4 = 9.75
		{"empty map is equal weights", cs(10, 7, 0, 10), map[string]float64{}, 68},  // as nil
		{"licence doubled", cs(10, 7, 0, 10), map[string]float64{"license": 2}, 74}, // 37/5
		{"ci muted", cs(10, 7, 0, 10), map[string]float64{"ci": 0}, 90},             // 27/3
		{"negative weight is zero", cs(10, 7, 0, 10), map[string]float64{"ci": -1}, 90},
		{"every weight zero falls back to equal", cs(10, 7, 0, 10), map[string]float64{"license": 0, "readme": 0, "ci": 0, "activity": 0}, 68},
		{"fractional weights", cs(10, 0, 0, 0), map[string]float64{"license": 0.5, "readme": 0.5, "ci": 0, "activity": 0}, 50},
		{"no checks", nil, nil, 0},
	}
	for _, tt := range tests {
		if got := Overall(tt.checks, Options{Weights: tt.w}); got != tt.want {
			t.Errorf("%s: Overall = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestScore(t *testing.T) {
	now := time.Date(2026, 11, 29, 9, 0, 0, 0, time.FixedZone("CET", 3600))
	f := crawler.Facts{
		Ref:       crawler.Ref{Forge: "github", Host: "github.com", Path: "o/r", URL: "https://github.com/o/r", Defi: "d"},
		CrawledAt: now,
		License:   crawler.LicenseFacts{ForgeSPDX: "MIT", ForgePath: "LICENSE"},
		CI:        crawler.CIFacts{Systems: []string{crawler.CIGitHubActions}, Status: "success"},
		Activity:  crawler.ActivityFacts{LastCommitAt: now.Add(-time.Hour), Commits90d: 40},
	}
	r := Score(f, Options{})
	if r.Repo != "github.com/o/r" || r.URL != "https://github.com/o/r" || r.Forge != "github" || r.Defi != "d" {
		t.Errorf("identity = %q %q %q %q", r.Repo, r.URL, r.Forge, r.Defi)
	}
	if r.CrawledAt.Location() != time.UTC || !r.CrawledAt.Equal(now) {
		t.Errorf("crawled_at = %v, want %v in UTC", r.CrawledAt, now)
	}
	var names []string
	for _, c := range r.Checks {
		names = append(names, c.Name)
	}
	if !reflect.DeepEqual(names, Names()) {
		t.Errorf("checks = %v, want %v", names, Names())
	}
	// licence 10, no README 0, CI 10, activity 10: 30/4 → 75.
	if r.Score == nil || *r.Score != 75 {
		t.Errorf("score = %v, want 75", r.Score)
	}
	if r.Error != "" {
		t.Errorf("error = %q", r.Error)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"crawled_at":"2026-11-29T08:00:00Z"`, `"score":75`, `"error":""`, `"systems":["github-actions"]`, `"archived":false`, `"commits_90d":40`, `"bytes":0`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s: %s", want, b)
		}
	}
}

// A repository that could not be fetched has no score and no checks, and the
// JSON says so with null and [].
func TestScoreError(t *testing.T) {
	f := crawler.Facts{Ref: crawler.Ref{Forge: "github", Host: "github.com", Path: "o/gone", URL: "https://github.com/o/gone"},
		CrawledAt: time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC), Error: "not found", NotFound: true}
	r := Score(f, Options{})
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"score":null`, `"error":"Repository not found`, `"failure":"not_found"`, `"checks":[]`, `"repo":"github.com/o/gone"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s: %s", want, b)
		}
	}
}

// A forge failure becomes one sentence saying what happened and what to
// do, in the checks' language, never the raw error chain.
func TestScoreFailureWords(t *testing.T) {
	ref := crawler.Ref{Forge: "github", Host: "github.com", Path: "o/r", URL: "https://github.com/o/r"}
	at := time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)
	raw := "github https://github.com/o/r: repository: Get \"https://api.github.com/repos/o/r\": dial tcp: lookup api.github.com: no such host"
	tests := []struct {
		failure  string
		notFound bool
		want     string // kind
		fr, en   string
	}{
		{crawler.FailNotFound, true, crawler.FailNotFound, "introuvable", "not found"},
		{"", true, crawler.FailNotFound, "introuvable", "not found"},
		{crawler.FailAccessRefused, false, crawler.FailAccessRefused, "refusé l'accès", "refused access"},
		{crawler.FailRenamed, false, crawler.FailRenamed, "renommé", "renamed"},
		{crawler.FailRateLimited, false, crawler.FailRateLimited, "quota", "quota"},
		{crawler.FailUnreachable, false, crawler.FailUnreachable, "github.com est injoignable", "github.com cannot be reached"},
		{crawler.FailForgeError, false, crawler.FailForgeError, "erreur", "error"},
		{"", false, crawler.FailForgeError, "erreur", "error"},
		{crawler.FailTimeout, false, crawler.FailTimeout, "à temps", "in time"},
	}
	for _, tt := range tests {
		t.Run(tt.want+"/"+tt.failure, func(t *testing.T) {
			f := crawler.Facts{Ref: ref, CrawledAt: at, Error: raw, NotFound: tt.notFound, Failure: tt.failure}
			for _, lang := range []string{"fr", "en"} {
				r := Score(f, Options{Language: lang})
				if r.Failure != tt.want {
					t.Errorf("failure %q, want %q", r.Failure, tt.want)
				}
				// The result's error is the command line's English; the
				// readers say it in their language from the failure.
				if !strings.Contains(r.Error, tt.en) || strings.Contains(r.Error, "dial tcp") || !strings.HasSuffix(r.Error, ".") {
					t.Errorf("%s: error %q, want a sentence with %q and no raw chain", lang, r.Error, tt.en)
				}
				if fr := r.ErrorText(locale.French); !strings.Contains(fr, tt.fr) || !strings.HasSuffix(fr, ".") {
					t.Errorf("French: %q, want a sentence with %q", fr, tt.fr)
				}
				if r.ErrorText(locale.English) == r.ErrorText(locale.French) {
					t.Errorf("ErrorText gives the same words in both languages: %q", r.ErrorText(locale.French))
				}
			}
		})
	}
	if len(tests) < len(crawler.FailureKinds()) {
		t.Error("a failure kind has no case")
	}
	for _, k := range crawler.FailureKinds() {
		if FailureText(k, "", locale.French) == "" || FailureText(k, "", locale.English) == "" {
			t.Errorf("%s has no words", k)
		}
	}
	// A stored result from before failures were classified shows its error.
	old := Result{Repo: "github.com/o/r", Error: "something odd"}
	if old.ErrorText(locale.French) != "something odd" {
		t.Errorf("unclassified error: %q", old.ErrorText(locale.French))
	}
}

// Every check speaks French by default and English on request.
func TestLanguage(t *testing.T) {
	f := crawler.Facts{CrawledAt: time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC), Empty: true}
	fr := Score(f, Options{})
	en := Score(f, Options{Language: "en-GB"})
	frWords := map[string]string{"license": "licence", "readme": "README", "ci": "intégration continue", "activity": "commit"}
	enWords := map[string]string{"license": "licence", "readme": "README", "ci": "continuous integration", "activity": "commit"}
	for i, name := range Names() {
		if !strings.Contains(fr.Checks[i].Reason, frWords[name]) || !strings.Contains(en.Checks[i].Reason, enWords[name]) {
			t.Errorf("%s: fr %q / en %q", name, fr.Checks[i].Reason, en.Checks[i].Reason)
		}
		if fr.Checks[i].Reason == en.Checks[i].Reason || fr.Checks[i].Remediation == en.Checks[i].Remediation {
			t.Errorf("%s: same wording in both languages: %q", name, fr.Checks[i].Reason)
		}
	}
}
