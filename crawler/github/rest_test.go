package github

import (
	"context"
	"github.com/eiglink/vigie/crawler/httpx"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	gh "github.com/google/go-github/v60/github"

	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/internal/fakeforge"
	"github.com/eiglink/vigie/internal/fakeforge/fakegithub"
	"github.com/eiglink/vigie/internal/fakeforge/fakegithub/fakegithubtest"
)

// A file over 1 MB comes from the contents API with an empty content and
// encoding "none"; its text is then asked with the raw media type rather
// than the repository failing.
func TestFileTextOverOneMegabyte(t *testing.T) {
	big := strings.Repeat("ligne de documentation\n", 50000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/repos/o/r/contents/docs/READ ME.md" {
			http.NotFound(w, r)
			return
		}
		if !strings.Contains(r.Header.Get("Accept"), "raw") {
			t.Errorf("Accept = %q, want the raw media type", r.Header.Get("Accept"))
		}
		w.Write([]byte(big))
	}))
	defer srv.Close()
	c := gh.NewClient(srv.Client())
	c.BaseURL, _ = url.Parse(srv.URL + "/")
	ctx := context.Background()

	fc := &gh.RepositoryContent{Path: gh.String("docs/READ ME.md"), Size: gh.Int(len(big)), Encoding: gh.String("none"), Content: gh.String("")}
	got, err := fileText(ctx, c, "o", "r", fc)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != big[:min(len(big), maxRawText)] {
		t.Errorf("got %d bytes, want the file's first %d", len(got), min(len(big), maxRawText))
	}

	small := &gh.RepositoryContent{Path: gh.String("README.md"), Encoding: gh.String("base64"), Content: gh.String("IyBP\ndXRpbA==\n")}
	if got, err := fileText(ctx, c, "o", "r", small); err != nil || string(got) != "# Outil" {
		t.Errorf("base64 content = %q, %v", got, err)
	}
}

// The README is the one GitHub shows (.github/, else the root, else docs/),
// picked from the listings as GraphQL picks it: whatever /readme answers
// (here 404, as if it only looked at the root), both paths name the same
// file and size.
func TestRESTReadmeFromListings(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	cs := []fakeforge.Commit{{AuthorName: "a", AuthorEmail: "a@example.org", Date: now.Add(-time.Hour)}}
	repos := []fakeforge.Repo{
		{Path: "o/docs", DefaultBranch: "main", Files: map[string]string{"docs/README.md": "# Docs\n\nLong enough.\n", "main.go": "package main\n"}, Commits: cs},
		{Path: "o/dotgithub", DefaultBranch: "main", Files: map[string]string{".github/README.md": "# Profil\n", "README.md": "# Racine\n"}, Commits: cs},
	}
	fake := fakegithubtest.New(t, repos, fakegithub.WithGitHubRateLimit(100000, 100000))
	var readmeAsked atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/readme") {
			readmeAsked.Add(1)
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"message":"Not Found","documentation_url":"https://docs.github.com/rest/repos/contents#get-a-repository-readme","status":"404"}`))
			return
		}
		fake.ServeHTTP(w, r)
	}))
	defer srv.Close()
	var jobs []crawler.Job
	for _, r := range repos {
		jobs = append(jobs, crawler.Job{Ref: crawler.Ref{Forge: "github", Host: "github.com", Path: r.Path, URL: "https://github.com/" + r.Path}})
	}
	want := []crawler.ReadmeFacts{{Path: "docs/README.md", Bytes: 21}, {Path: ".github/README.md", Bytes: 9}}
	for _, tokens := range [][]string{nil, {"t"}} {
		hc := httpx.NewClient(httpx.Options{Forge: "github", Tokens: tokens, AllowedHosts: httpx.HostsFor(srv.URL), MaxRetries: -1, Logger: slog.New(slog.DiscardHandler)})
		f, err := New(Options{Name: "github", APIURL: srv.URL, Authenticated: len(tokens) > 0, HTTPClient: hc, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		for i, fa := range f.Fetch(context.Background(), jobs, now) {
			if fa.Error != "" || fa.Readme.Path != want[i].Path || fa.Readme.Bytes != want[i].Bytes || fa.Readme.Text == "" {
				t.Errorf("tokens %v, %s: error %q, readme %q %d bytes, text %q; want %q %d", tokens, fa.Ref.Path, fa.Error, fa.Readme.Path, fa.Readme.Bytes, fa.Readme.Text, want[i].Path, want[i].Bytes)
			}
		}
	}
	if n := readmeAsked.Load(); n != 0 {
		t.Errorf("/readme asked %d times though the listings name the README", n)
	}
}
