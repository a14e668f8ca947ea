package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/eiglink/vigie/checks"
	"github.com/eiglink/vigie/config"
	"github.com/eiglink/vigie/report"
	"github.com/eiglink/vigie/store/open"
	"github.com/eiglink/vigie/store/postgres/pgtest"
)

// TestExportImportRoundTrip moves a history from SQLite to Postgres with
// `vigie export` and `vigie import`: every result comes back byte for byte,
// oldest first, and the report of a past week is the same from either.
func TestExportImportRoundTrip(t *testing.T) {
	pgDSN := pgtest.SchemaDSN(t)
	now := time.Now().UTC()
	gh, gl := testRepos(now)
	f := startForges(t, gh, gl)
	sqliteCfg := f.config(t, "https://github.com/eig/healthy", "https://github.com/eig/dormant", "https://gitlab.com/grp/sub/tool")
	out := runVigie(t, nil, "crawl", "--config", sqliteCfg, "--format", "json")
	if out.code != 0 {
		t.Fatalf("crawl exit %d:\n%s", out.code, out.stderr)
	}
	crawled := decode(t, out.stdout)

	// Three weeks of history before the crawl, with what a history holds:
	// scores that move, an unreachable repository, text a page must
	// escape.
	var history []checks.Result
	for w := 3; w >= 1; w-- {
		for i, r := range crawled {
			r.CrawledAt = now.AddDate(0, 0, -7*w).Add(time.Duration(i) * time.Minute).Add(123456 * time.Nanosecond)
			s := max(*r.Score-5*w-i, 0)
			r.Score = &s
			if w == 2 && i == 1 {
				r.Score, r.Checks, r.Error = nil, nil, "GET https://api.github.com/…: 502 <Bad Gateway> & co"
			}
			history = append(history, r)
		}
	}
	imp := filepath.Join(f.dir, "history.json")
	writeJSON(t, imp, history)
	if out := runVigie(t, nil, "import", "--config", sqliteCfg, imp); out.code != 0 {
		t.Fatalf("import into SQLite: exit %d:\n%s", out.code, out.stderr)
	}

	exported := runVigie(t, nil, "export", "--config", sqliteCfg)
	if exported.code != 0 {
		t.Fatalf("export from SQLite: exit %d:\n%s", exported.code, exported.stderr)
	}
	all := decode(t, exported.stdout)
	if want := len(history) + len(crawled); len(all) != want {
		t.Fatalf("export printed %d results, want %d", len(all), want)
	}
	if !slices.IsSortedFunc(all, func(a, b checks.Result) int { return a.CrawledAt.Compare(b.CrawledAt) }) {
		t.Error("export is not oldest first")
	}

	pgCfg := filepath.Join(f.dir, "vigie-pg.yml")
	cfgText, err := os.ReadFile(sqliteCfg)
	if err != nil {
		t.Fatal(err)
	}
	storage := regexpStorage(string(cfgText))
	pgText := strings.Replace(string(cfgText), storage, fmt.Sprintf("storage: {driver: postgres, dsn: %q}\n", pgDSN), 1)
	if err := os.WriteFile(pgCfg, []byte(pgText), 0o600); err != nil {
		t.Fatal(err)
	}
	dump := filepath.Join(f.dir, "export.json")
	if err := os.WriteFile(dump, []byte(exported.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	if out := runVigie(t, nil, "import", "--config", pgCfg, dump); out.code != 0 {
		t.Fatalf("import into Postgres: exit %d:\n%s", out.code, out.stderr)
	}
	again := runVigie(t, nil, "export", "--config", pgCfg)
	if again.code != 0 {
		t.Fatalf("export from Postgres: exit %d:\n%s", again.code, again.stderr)
	}
	if again.stdout != exported.stdout {
		t.Errorf("Postgres's export differs from SQLite's:\n%s", firstDiff(exported.stdout, again.stdout))
	}

	// The report of a past week, built from either store at the same
	// instant, is the same data and the same page.
	ctx := context.Background()
	loaded := map[string]*config.Config{}
	for _, p := range []string{sqliteCfg, pgCfg} {
		c, err := config.Load(p, func(string) string { return "" })
		if err != nil {
			t.Fatal(err)
		}
		loaded[p] = c
	}
	week := report.WeekOf(now.AddDate(0, 0, -14), loaded[sqliteCfg].Schedule.Location)
	var pages, datas [][]byte
	for _, p := range []string{sqliteCfg, pgCfg} {
		c := loaded[p]
		st, err := open.Open(ctx, c.Storage.Driver, c.Storage.DSN, nil)
		if err != nil {
			t.Fatal(err)
		}
		d, err := report.Build(ctx, st, week, now, report.OptionsFrom(c))
		st.Close()
		if err != nil {
			t.Fatalf("%s: report: %v", c.Storage.Driver, err)
		}
		if len(d.Repos) != 3 || len(d.Changes) == 0 {
			t.Errorf("%s: the report of %v has %d repositories and %d changes: not the history imported", c.Storage.Driver, week, len(d.Repos), len(d.Changes))
		}
		page, err := report.RenderHTML(d, "")
		if err != nil {
			t.Fatal(err)
		}
		data, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		pages, datas = append(pages, page), append(datas, data)
	}
	if !bytes.Equal(datas[0], datas[1]) {
		t.Errorf("the report's data differs after the move:\n%s", firstDiff(string(datas[0]), string(datas[1])))
	}
	if !bytes.Equal(pages[0], pages[1]) {
		t.Errorf("the report's page differs after the move:\n%s", firstDiff(string(pages[0]), string(pages[1])))
	}

	// --since keeps the results from that instant on; a bad one is a
	// usage error.
	since := now.AddDate(0, 0, -14).Format(time.RFC3339)
	part := runVigie(t, nil, "export", "--config", sqliteCfg, "--since", since)
	if part.code != 0 {
		t.Fatalf("export --since: exit %d:\n%s", part.code, part.stderr)
	}
	var want []checks.Result
	for _, r := range all {
		if !r.CrawledAt.Before(now.AddDate(0, 0, -14).Truncate(time.Second)) {
			want = append(want, r)
		}
	}
	if got := decode(t, part.stdout); len(got) != len(want) || len(got) == 0 || len(got) == len(all) {
		t.Errorf("export --since %s: %d results, want %d of %d", since, len(got), len(want), len(all))
	}
	if out := runVigie(t, nil, "export", "--config", sqliteCfg, "--since", "last week"); out.code != 2 || !strings.Contains(out.stderr, "--since") {
		t.Errorf("export --since 'last week': exit %d, %q; want 2 naming --since", out.code, out.stderr)
	}
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// regexpStorage returns the storage line of a configuration f.config wrote.
func regexpStorage(cfg string) string {
	i := strings.Index(cfg, "storage:")
	j := strings.Index(cfg[i:], "\n")
	return cfg[i : i+j+1]
}

// firstDiff shows where two texts part.
func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	lo := max(i-200, 0)
	return fmt.Sprintf("at byte %d:\n- %q\n+ %q", i, a[lo:min(i+200, len(a))], b[lo:min(i+200, len(b))])
}
