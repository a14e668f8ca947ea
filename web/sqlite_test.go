package web_test

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eiglink/vigie/internal/readertest"
	"github.com/eiglink/vigie/store"
	"github.com/eiglink/vigie/store/sqlite"
	"github.com/eiglink/vigie/web"
)

// TestOverSQLite runs the pages over the real SQLite store, whose results
// come back through JSON (details numbers as float64, times in UTC).
func TestOverSQLite(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "vigie.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cfg := readertest.Config()
	big := readertest.Snap(cfg.Defis[0].Repos[0], now.Add(-time.Hour), [4]int{10, 10, 10, 10}, now.Add(-24*time.Hour))
	big.Result.Check("readme").Details["bytes"] = 1234567
	if err := st.SaveCrawl(ctx, []store.Snapshot{big, readertest.Failed(cfg.Defis[1].Repos[0], now.Add(-time.Hour), "boom")}); err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(web.Options{Config: cfg, Store: st, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	get := func(p string) (int, string) {
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", p, nil))
		return rec.Code, rec.Body.String()
	}
	code, body := get("/repos/github.com/eig/alpha")
	if code != 200 || !strings.Contains(body, "1234567 octets") || !strings.Contains(body, "<dd>12</dd>") {
		t.Errorf("repo page over SQLite = %d", code)
	}
	if code, body := get("/"); code != 200 || !strings.Contains(body, "échec de la dernière analyse") {
		t.Errorf("dashboard over SQLite = %d", code)
	}
	if code, _ := get("/repos/github.com/eig/none"); code != 404 {
		t.Errorf("unknown repo over SQLite = %d", code)
	}
	if code, _ := get("/readyz"); code != 503 {
		t.Errorf("readyz with 2 of 3 repos = %d", code)
	}
}
