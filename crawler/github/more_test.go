package github_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/crawler/github"
	"github.com/eiglink/vigie/internal/fakeforge"
	"github.com/eiglink/vigie/internal/fakeforge/fakegithub"
	"github.com/eiglink/vigie/internal/fakeforge/fakegithub/fakegithubtest"
	"github.com/eiglink/vigie/internal/testtool"
	"github.com/vektah/gqlparser/v2"
)

// TestRealRepos crawls the 14 real défi repositories and compares the facts
// with what their fixtures say.
func TestRealRepos(t *testing.T) {
	schema := fakegithubtest.Schema(t)
	dir := testtool.RealRepos(t)
	repos, err := fakeforge.LoadRealRepos(dir, now)
	if err != nil {
		if os.Getenv("CI") != "true" && errors.Is(err, fs.ErrNotExist) {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	// What a reader of each fixture sees: its README and CI files.
	readmes := map[string]string{"SocialGouv/autosuggest": "README.rst", "entrepreneur-interet-general/brigade-numerique": "readme.md"}
	ci := map[string][]string{
		"Cour-de-cassation/label":                        {"github-actions", "gitlab-ci"},
		"DNUM-SocialGouv/champollion-front":              {"gitlab-ci"},
		"MTES-MCT/monitorfish":                           {"github-actions"},
		"MTES-MCT/rapportNav":                            {"circleci"},
		"SocialGouv/autosuggest":                         {"travis"},
		"ecolabdata/france-transition":                   {"github-actions"},
		"entrepreneur-interet-general/dataESR":           {"travis"},
		"entrepreneur-interet-general/enki":              {"gitlab-ci"},
		"entrepreneur-interet-general/opencollectivites": {"github-actions"},
		"ia-flash/matchvec":                              {"github-actions"},
	}
	if len(repos) != 14 {
		t.Fatalf("loaded %d real repositories, want 14", len(repos))
	}
	var paths []string
	for _, r := range repos {
		paths = append(paths, r.Path)
	}
	e := newEnv(t, repos, schema)
	ctx := context.Background()
	viaGraph := e.forge(t, "tok").Fetch(ctx, jobs(paths...), now)
	viaREST := e.forge(t).Fetch(ctx, jobs(paths...), now)
	for i, p := range paths {
		t.Run(p, func(t *testing.T) {
			fx := readFixture(t, dir, p)
			wantReadme := readmes[p]
			if wantReadme == "" {
				wantReadme = "README.md"
			}
			wantCI := ci[p]
			if wantCI == nil {
				wantCI = []string{}
			}
			var wantLic []string
			for f := range fx.Files {
				if !strings.Contains(f, "/") && crawler.IsLicenseFile(f) {
					wantLic = append(wantLic, f)
				}
			}
			slices.Sort(wantLic)
			// The newest commit and the commits of the last 90 days,
			// counted from the fixture's days_ago.
			minAgo, in90 := math.Inf(1), 0
			for _, c := range fx.Commits {
				if c.DaysAgo == nil {
					continue
				}
				minAgo = min(minAgo, *c.DaysAgo)
				if *c.DaysAgo < 90 {
					in90++
				}
			}
			wantLast := now.Add(-time.Duration(math.Round(minAgo * float64(24*time.Hour)))).Truncate(time.Second)
			for _, got := range []crawler.Facts{viaGraph[i], viaREST[i]} {
				if got.Error != "" {
					t.Fatalf("Error = %q", got.Error)
				}
				var lic []string
				for _, l := range got.License.Files {
					lic = append(lic, l.Path)
				}
				checks := []struct {
					what      string
					got, want any
				}{
					{"DefaultBranch", got.DefaultBranch, fx.DefaultBranch},
					{"Archived", got.Archived, fx.Archived},
					{"ForgeSPDX", got.License.ForgeSPDX, fx.ForgeLicense},
					{"licence files", lic, wantLic},
					{"Readme.Path", got.Readme.Path, wantReadme},
					{"CI.Systems", got.CI.Systems, wantCI},
					{"LastCommitAt", got.Activity.LastCommitAt, wantLast},
					{"Commits90d", got.Activity.Commits90d, in90},
				}
				for _, c := range checks {
					if !reflect.DeepEqual(c.got, c.want) {
						t.Errorf("%s = %#v, want %#v", c.what, c.got, c.want)
					}
				}
			}
			if !reflect.DeepEqual(viaGraph[i], viaREST[i]) {
				gj, _ := json.MarshalIndent(viaGraph[i], "", " ")
				rj, _ := json.MarshalIndent(viaREST[i], "", " ")
				t.Errorf("GraphQL and REST facts differ:\n%s", diffLines(string(gj), string(rj)))
			}
		})
	}
}

type fixture struct {
	DefaultBranch string         `json:"default_branch"`
	Archived      bool           `json:"archived"`
	ForgeLicense  string         `json:"forge_license"`
	Files         map[string]any `json:"files"`
	Commits       []struct {
		DaysAgo *float64 `json:"days_ago"`
	} `json:"commits"`
}

func readFixture(t *testing.T, dir, path string) fixture {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "github", path+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var f fixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

func orgRepos() []fakeforge.Repo {
	var repos []fakeforge.Repo
	for i := range 130 {
		repos = append(repos, fakeforge.Repo{Path: fmt.Sprintf("bigorg/repo-%03d", i), DefaultBranch: "main",
			Fork: i%10 == 3, Archived: i%7 == 0, Commits: commits(1, days(1), time.Hour)})
	}
	repos = append(repos,
		fakeforge.Repo{Path: "bigorg/hidden", Private: true, DefaultBranch: "main", Commits: commits(1, days(1), time.Hour)},
		fakeforge.Repo{Path: "someone/tool", UserOwned: true, DefaultBranch: "main", Commits: commits(1, days(1), time.Hour)},
		fakeforge.Repo{Path: "someone/fork", UserOwned: true, Fork: true, DefaultBranch: "main", Commits: commits(1, days(1), time.Hour)},
	)
	return repos
}

// TestListOrg lists an organisation (over one page), a user and a missing
// owner, over GraphQL and REST.
func TestListOrg(t *testing.T) {
	schema := fakegithubtest.Schema(t)
	repos := orgRepos()
	e := newEnv(t, repos, schema)
	var wantOrg []crawler.OrgRepo
	for _, r := range repos {
		if strings.HasPrefix(r.Path, "bigorg/") && !r.Private {
			wantOrg = append(wantOrg, crawler.OrgRepo{Path: r.Path, Fork: r.Fork, Archived: r.Archived})
		}
	}
	wantUser := []crawler.OrgRepo{{Path: "someone/fork", Fork: true}, {Path: "someone/tool"}}
	sortRepos := func(l []crawler.OrgRepo) []crawler.OrgRepo {
		slices.SortFunc(l, func(a, b crawler.OrgRepo) int { return strings.Compare(a.Path, b.Path) })
		return l
	}
	for _, api := range []struct {
		name   string
		tokens []string
	}{{"graphql", []string{"tok"}}, {"rest", nil}} {
		t.Run(api.name, func(t *testing.T) {
			f := e.forge(t, api.tokens...)
			ctx := context.Background()
			got, err := f.ListOrg(ctx, "bigorg")
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(sortRepos(got), wantOrg) {
				t.Errorf("bigorg: got %d repos, want %d (first: %v)", len(got), len(wantOrg), got[:min(3, len(got))])
			}
			got, err = f.ListOrg(ctx, "someone")
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(sortRepos(got), wantUser) {
				t.Errorf("someone: got %v, want %v", got, wantUser)
			}
			if got, err := f.ListOrg(ctx, "nobody"); err == nil {
				t.Errorf("nobody: got %v and no error", got)
			}
		})
	}
}

// TestQueriesValidate captures every GraphQL query a crawl sends (main
// queries, follow-ups for history pages, texts and files, organisation
// listing), cold and again with previous facts (some of them stale), and
// validates each against GitHub's published schema.
func TestQueriesValidate(t *testing.T) {
	schema := fakegithubtest.Schema(t)
	repos := orgRepos()[:3]
	for _, c := range edgeCases(t) {
		if c.repo != nil {
			repos = append(repos, *c.repo)
		}
	}
	// The fake does not validate here: the test does, to see every query.
	e := newEnv(t, repos, nil)
	f := e.forge(t, "tok")
	var paths []string
	for _, r := range repos {
		paths = append(paths, r.Path)
	}
	facts := f.Fetch(context.Background(), jobs(paths...), now)
	for _, fa := range facts {
		if fa.Error != "" && !fa.NotFound && !fa.Withheld() {
			t.Errorf("%s: %s", fa.Ref.Path, fa.Error)
		}
	}
	// Again with the previous facts, every other one stale (its head
	// moved): those read their files again in a follow-up.
	again := jobs(paths...)
	for i := range again {
		p := facts[i]
		if i%2 == 0 && p.HeadSHA != "" {
			p.HeadSHA = "0000000000000000000000000000000000000000"
		}
		again[i].Previous = &p
	}
	f.Fetch(context.Background(), again, now)
	if _, err := f.ListOrg(context.Background(), "bigorg"); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	var texts, content, firstPages int
	for _, q := range e.rec.queries {
		if _, errs := gqlparser.LoadQueryWithRules(schema, q, nil); len(errs) > 0 {
			t.Errorf("query does not validate: %v\n%s", errs, q)
		}
		name := strings.Fields(strings.TrimPrefix(q, "query "))[0]
		kind := strings.Split(name, "(")[0]
		kinds[kind]++
		if kind != "vigieRepos" {
			texts += strings.Count(q, "{ ...blob }")
			content += strings.Count(q, "{ ...content")
		}
		firstPages += strings.Count(q, "after: null")
	}
	for _, k := range []string{"vigieRepos", "vigieHistory", "vigieOrg"} {
		if kinds[k] == 0 {
			t.Errorf("no %s query captured (got %v)", k, kinds)
		}
	}
	if texts == 0 || content == 0 {
		t.Errorf("no follow-up for texts (%d) or files (%d): %v", texts, content, kinds)
	}
	// 250 commits in the window take three pages of history, each in a
	// follow-up round of its own.
	if kinds["vigieHistory"] < 3 {
		t.Errorf("history follow-up pages missing: %v", kinds)
	}
	// The first page of history is asked only of repositories with a head
	// commit in the window: the dormant and empty ones need none. The
	// second crawl asks it only of the stale ones (the others slide).
	active, stale := 0, 0
	for i, fa := range facts {
		if fa.Activity.Commits90d > 0 {
			active++
			if i%2 == 0 {
				stale++
			}
		}
	}
	if firstPages != active+stale {
		t.Errorf("%d first history pages asked, want %d (cold) + %d (stale heads)", firstPages, active, stale)
	}
}

// TestGraphQLUnavailable: a token but no usable GraphQL endpoint (an old
// GitHub Enterprise, a proxy, a refused token) falls back to REST with the
// same facts.
func TestGraphQLUnavailable(t *testing.T) {
	cases := edgeCases(t)[:3]
	var repos []fakeforge.Repo
	var paths []string
	for _, c := range cases {
		if c.repo != nil {
			repos = append(repos, *c.repo)
		}
		paths = append(paths, c.path)
	}
	answers := []struct {
		name, ctype, body string
		code              int
	}{
		{"404", "application/json", `{"message":"Not Found"}`, http.StatusNotFound},
		{"401", "application/json", `{"message":"Bad credentials"}`, http.StatusUnauthorized},
		{"HTML page", "text/html", `<html><body>Sign in</body></html>`, http.StatusOK},
		{"JSON without data", "application/json", `{}`, http.StatusOK},
	}
	for _, a := range answers {
		t.Run(a.name, func(t *testing.T) {
			fake := fakegithubtest.New(t, repos)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasSuffix(r.URL.Path, "graphql") {
					w.Header().Set("Content-Type", a.ctype)
					w.WriteHeader(a.code)
					_, _ = w.Write([]byte(a.body))
					return
				}
				fake.ServeHTTP(w, r)
			}))
			defer srv.Close()
			e := &env{fake: fake, srv: srv, rec: &recorder{next: http.DefaultTransport}}
			f := e.forge(t, "tok")
			got := f.Fetch(context.Background(), jobs(paths...), now)
			for i, c := range cases {
				t.Run(c.name, func(t *testing.T) { checkWant(t, got[i], c.want) })
			}
			if fake.PathCounts()["GET /repos/{owner}/{repo}"] == 0 {
				t.Error("no REST call after GraphQL failed")
			}
			// The forge remembers: the next crawl goes straight to REST.
			before := len(e.rec.queries)
			f.Fetch(context.Background(), jobs(paths[0]), now)
			if len(e.rec.queries) != before {
				t.Error("GraphQL asked again after it proved unavailable")
			}
		})
	}
}

// TestEnterprisePrefix crawls through /api/v3 and /api/graphql, as on a
// GitHub Enterprise server.
func TestEnterprisePrefix(t *testing.T) {
	schema := fakegithubtest.Schema(t)
	c := edgeCases(t)[1] // renamed: the redirect must keep the prefix
	e := newEnv(t, []fakeforge.Repo{*c.repo}, schema)
	for _, toks := range [][]string{{"tok"}, nil} {
		f, err := newForge(e, e.srv.URL+"/api/v3", toks)
		if err != nil {
			t.Fatal(err)
		}
		got := f.Fetch(context.Background(), jobs(c.path), now)
		checkWant(t, got[0], c.want)
	}
	counts := e.fake.PathCounts()
	if counts["POST /graphql"] == 0 || counts["GET /repositories/{id}"] == 0 {
		t.Errorf("expected GraphQL and a followed redirect, got %v", counts)
	}
}

// BenchmarkCrawl100 measures requests and GraphQL points per repository
// for 100 synthetic repositories, with and without a token: a cold crawl,
// then (the "unchanged" runs) a crawl of the same repositories with the
// cold crawl's facts as previous ones. A third of them are dormant (head
// commit older than the window), a few have licence files or READMEs of
// unusual names.
func BenchmarkCrawl100(b *testing.B) {
	schema := fakegithubtest.Schema(b)
	var repos []fakeforge.Repo
	var paths []string
	for i := range 100 {
		r := fakeforge.Repo{Path: fmt.Sprintf("eig/r%03d", i), DefaultBranch: "main", License: "MIT", CreatedAt: days(900),
			Files:   map[string]string{"README.md": "# R\n", "LICENSE": "MIT License\n", ".github/workflows/ci.yml": "on: push\n"},
			Commits: commits(20+i%50, days(1), 30*time.Hour, "a", "b"),
			CI:      &fakeforge.CIRun{State: "success", Kind: "checks"}}
		if i%3 == 0 {
			r.Commits = commits(20+i%50, days(200), 30*time.Hour, "a", "b")
		}
		if i%10 == 5 {
			delete(r.Files, "LICENSE")
			r.Files["LICENSE-MIT"] = "MIT License\n"
		}
		repos = append(repos, r)
		paths = append(paths, r.Path)
	}
	for _, api := range []struct {
		name   string
		tokens []string
	}{{"graphql", []string{"tok"}}, {"rest", nil}} {
		for _, pass := range []string{"cold", "unchanged"} {
			b.Run(api.name+"/"+pass, func(b *testing.B) {
				for b.Loop() {
					b.StopTimer()
					e := newEnv(b, repos, schema)
					js := jobs(paths...)
					if pass == "unchanged" {
						js = withPrevious(paths, e.forge(b, api.tokens...).Fetch(context.Background(), js, now), nil)
					}
					requests, points := e.fake.Requests(), e.fake.GraphQLPoints()
					f := e.forge(b, api.tokens...)
					b.StartTimer()
					facts := f.Fetch(context.Background(), js, now)
					if facts[99].Error != "" {
						b.Fatal(facts[99].Error)
					}
					b.ReportMetric(float64(e.fake.Requests()-requests)/100, "requests/repo")
					b.ReportMetric(float64(e.fake.GraphQLPoints()-points)/100, "points/repo")
				}
			})
		}
	}
}

// TestGraphQLSlowBatches: GitHub kills slow queries with a 502; the
// crawler splits the batch until it passes, without falling back to REST.
func TestGraphQLSlowBatches(t *testing.T) {
	schema := fakegithubtest.Schema(t)
	cases := edgeCases(t)
	var repos []fakeforge.Repo
	var paths []string
	for _, c := range cases {
		if c.repo != nil {
			repos = append(repos, *c.repo)
		}
		paths = append(paths, c.path)
	}
	fake := fakegithub.NewGitHub(repos, fakegithub.WithGitHubSchema(schema))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "graphql") {
			b, _ := io.ReadAll(r.Body)
			// More than four repositories in one query "take too long".
			if strings.Count(string(b), "repository(") > 4 {
				w.WriteHeader(http.StatusBadGateway)
				_, _ = w.Write([]byte(`{"data":null,"errors":[{"message":"Something went wrong while executing your query. This may be the result of a timeout."}]}`))
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(b))
		}
		fake.ServeHTTP(w, r)
	}))
	defer srv.Close()
	e := &env{fake: fake, srv: srv, rec: &recorder{next: http.DefaultTransport}}
	got := e.forge(t, "tok").Fetch(context.Background(), jobs(paths...), now)
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkWant(t, got[i], c.want) })
	}
	for k, v := range fake.PathCounts() {
		if k != "POST /graphql" {
			t.Errorf("fell back to REST: %d × %s", v, k)
		}
	}
}

// TestTokenNeverShown crawls with a token against a failing server: the
// token appears in no log line and no error.
func TestTokenNeverShown(t *testing.T) {
	const secret = "ghp_s3cr3tT0k3nValue"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"message":"Server Error"}`))
	}))
	defer srv.Close()
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f, err := github.New(github.Options{Name: "github", APIURL: srv.URL, Authenticated: true,
		HTTPClient: tokenClient(srv.URL, []string{secret}, nil, log), Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	facts := f.Fetch(context.Background(), jobs("eig/a", "eig/b"), now)
	_, listErr := f.ListOrg(context.Background(), "eig")
	if listErr == nil {
		t.Error("listing against a failing server succeeded")
	}
	for _, fa := range facts {
		if fa.Error == "" || fa.NotFound {
			t.Errorf("%s: Error %q NotFound %v, want a transient error", fa.Ref.Path, fa.Error, fa.NotFound)
		}
		if strings.Contains(fa.Error, secret) {
			t.Errorf("the token is in an error: %s", fa.Error)
		}
	}
	if strings.Contains(logs.String(), secret) || strings.Contains(listErr.Error(), secret) {
		t.Error("the token is in the logs or the listing error")
	}
}

// TestAnonymousWarning: without a token the forge says once that GitHub
// allows 60 requests an hour.
func TestAnonymousWarning(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	e := newEnv(t, []fakeforge.Repo{{Path: "eig/a", DefaultBranch: "main", Commits: commits(1, days(1), time.Hour)}}, nil)
	f, err := github.New(github.Options{Name: "github", APIURL: e.srv.URL, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	f.Fetch(context.Background(), jobs("eig/a"), now)
	f.Fetch(context.Background(), jobs("eig/a"), now)
	if n := strings.Count(logs.String(), "60 requests an hour"); n != 1 {
		t.Errorf("warned %d times, want once:\n%s", n, logs.String())
	}
	if _, err := github.New(github.Options{Name: "github", APIURL: e.srv.URL, Authenticated: true, Logger: log}); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(logs.String(), "60 requests an hour"); n != 1 {
		t.Errorf("warned with a token too")
	}
}

// TestGraphQLHistoryFailsForOne: when the history query fails for one
// repository (deleted in between, a timeout on its history), that one is
// gathered over REST and the others keep their GraphQL facts.
func TestGraphQLHistoryFailsForOne(t *testing.T) {
	cases := edgeCases(t)[:2]
	repos := []fakeforge.Repo{*cases[0].repo, *cases[1].repo}
	paths := []string{cases[0].path, cases[1].path}
	fake := fakegithubtest.New(t, repos)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(b))
		if !bytes.Contains(b, []byte("query vigieHistory")) {
			fake.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		fake.ServeHTTP(rec, r)
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Error(err)
		}
		out["data"].(map[string]any)["h0"] = nil
		out["errors"] = []any{map[string]any{"path": []any{"h0"}, "message": "Something went wrong"}}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	}))
	defer srv.Close()
	e := &env{fake: fake, srv: srv, rec: &recorder{next: http.DefaultTransport}}
	got := e.forge(t, "tok").Fetch(context.Background(), jobs(paths...), now)
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkWant(t, got[i], c.want) })
	}
	counts := fake.PathCounts()
	if counts["GET /repos/{owner}/{repo}"] != 1 {
		t.Errorf("want exactly one repository over REST, got %v", counts)
	}
}
