package scan

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/store/sqlite"
)

// secretFacts are what a forge's crawler might gather of a repository it
// did not find public: the scanner must publish none of it, whatever the
// crawler did.
func secretFacts(visibility string) crawler.Facts {
	f := healthy()
	f.Visibility = visibility
	f.Description = "projet confidentiel"
	f.Readme = crawler.ReadmeFacts{Path: "README.md", Bytes: 30, Text: "# Secret\nne pas diffuser"}
	return f
}

// TestCheckAnswersNotPublicAsMissing: an ad hoc check of a repository that
// is not public (private, internal, or a crawler that did not say) gives
// exactly what it gives for a repository that does not exist.
func TestCheckAnswersNotPublicAsMissing(t *testing.T) {
	clock := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	check := func(t *testing.T, repos map[string]crawler.Facts, url string) []byte {
		t.Helper()
		gh := &memForge{repos: repos}
		gl := &memForge{repos: map[string]crawler.Facts{}}
		sc, err := New(testConfig(t, ""), Options{Now: func() time.Time { return clock }, Forges: map[string]crawler.Forge{"github": gh, "framagit": gl}})
		if err != nil {
			t.Fatal(err)
		}
		snaps, err := sc.Check(context.Background(), []string{url})
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(snaps)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, url := range []string{"https://github.com/other/secret", "https://github.com/a/listed", "https://github.com/org/secret"} {
		path := strings.TrimPrefix(url, "https://github.com/")
		missing := check(t, map[string]crawler.Facts{}, url)
		for _, v := range []string{"private", "internal", ""} {
			t.Run(path+"/"+v, func(t *testing.T) {
				got := check(t, map[string]crawler.Facts{path: secretFacts(v)}, url)
				if !bytes.Equal(got, missing) {
					t.Errorf("a %q repository is told from a missing one:\n%s\nmissing:\n%s", v, got, missing)
				}
				// Whatever the crawler gathered through the forge NotPublic
				// facts say.
				withheld := crawler.NotPublic(crawler.Ref{Path: path}, clock, v)
				withheld.Description = "projet confidentiel"
				got = check(t, map[string]crawler.Facts{path: withheld}, url)
				if !bytes.Equal(got, missing) {
					t.Errorf("withheld facts are told from a missing repository:\n%s", got)
				}
			})
		}
		if bytes.Contains(missing, []byte("confidentiel")) || !bytes.Contains(missing, []byte("not found")) {
			t.Errorf("missing: %s", missing)
		}
	}
}

// TestCrawlPublishesNothingOfNotPublic: a configured repository that is not
// public is stored as an error naming it and saying so, with no fact; a
// repository made private since an earlier crawl does not get that crawl's
// facts as previous facts; the crawl says so in one log line.
func TestCrawlPublishesNothingOfNotPublic(t *testing.T) {
	ctx := context.Background()
	gh := &memForge{repos: map[string]crawler.Facts{"a/listed": healthy()}, orgs: map[string][]crawler.OrgRepo{"org": nil}}
	gl := &memForge{repos: map[string]crawler.Facts{"g/sub/p": secretFacts("internal")}}
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "v.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var logs bytes.Buffer
	clock := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	sc, err := New(testConfig(t, ""), Options{Store: st, Now: func() time.Time { return clock },
		Logger: slog.New(slog.NewTextHandler(&logs, nil)), Forges: map[string]crawler.Forge{"github": gh, "framagit": gl}})
	if err != nil {
		t.Fatal(err)
	}
	snaps, err := sc.Crawl(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byRepo := map[string]int{}
	for i, s := range snaps {
		byRepo[s.Result.Repo] = i
	}
	p := snaps[byRepo["framagit.org/g/sub/p"]]
	want := crawler.NotPublic(p.Facts.Ref, clock, "internal")
	if !reflect.DeepEqual(*p.Facts, want) || p.Result.Score != nil || len(p.Result.Checks) != 0 {
		t.Errorf("an internal project's snapshot: %+v\nresult %+v", *p.Facts, p.Result)
	}
	if p.Result.Failure != crawler.FailNotFound || !strings.Contains(p.Result.Error, "private") {
		t.Errorf("error %q (%s) does not say the repository is private", p.Result.Error, p.Result.Failure)
	}
	var line string
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, "framagit.org/g/sub/p") {
			if line != "" {
				t.Errorf("more than one log line about the repository:\n%s\n%s", line, l)
			}
			line = l
		}
	}
	if !strings.Contains(line, "not public") || !strings.Contains(line, "visibility=internal") {
		t.Errorf("log line %q", line)
	}
	latest, _ := st.Latest(ctx)
	b, _ := json.Marshal(latest)
	if bytes.Contains(b, []byte("confidentiel")) || bytes.Contains(b, []byte("ne pas diffuser")) {
		t.Errorf("the store holds what the forge said of a project that is not public: %s", b)
	}

	// Public, crawled, then made private: the next crawl's forge gets no
	// previous facts of it, and the stored snapshot is the error.
	gh.repos["a/listed"] = healthy()
	clock = clock.Add(time.Hour)
	if _, err := sc.Crawl(ctx); err != nil {
		t.Fatal(err)
	}
	gh.repos["a/listed"] = secretFacts("private")
	clock = clock.Add(time.Hour)
	if _, err := sc.Crawl(ctx); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(time.Hour)
	gh.jobs = nil
	if _, err := sc.Crawl(ctx); err != nil {
		t.Fatal(err)
	}
	for _, batch := range gh.jobs {
		for _, j := range batch {
			if j.Ref.Path == "a/listed" && j.Previous != nil {
				t.Errorf("a repository made private was given previous facts: %+v", j.Previous)
			}
		}
	}
	sn, err := st.Get(ctx, "github.com/a/listed")
	if err != nil {
		t.Fatal(err)
	}
	if !sn.Withheld() || sn.Result.Score != nil {
		t.Errorf("newest snapshot of a repository made private: %+v", sn)
	}
}
