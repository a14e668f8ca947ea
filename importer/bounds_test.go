package importer_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/eiglink/vigie/importer"
	"github.com/eiglink/vigie/store/memstore"
)

// Every result is checked against the configuration and bounded; a refused
// file stores nothing and takes nothing away.
func TestImportChecksResultsAgainstConfiguration(t *testing.T) {
	ctx := context.Background()
	c := cfg(t)
	at := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	with := func(repo string, edit func(r map[string]any)) map[string]any {
		r := result(repo, at, 70)
		edit(r)
		return r
	}
	check := func(r map[string]any, i int) map[string]any { return r["checks"].([]map[string]any)[i] }
	tests := []struct {
		name string
		in   []any
		want string
	}{
		{"phishing url", []any{with("github.com/etalab/alpha", func(r map[string]any) { r["url"] = "https://evil.example.net/etalab/alpha" })},
			`element 0 (github.com/etalab/alpha): url "https://evil.example.net/etalab/alpha" is not the address of github.com/etalab/alpha on its forge (https://github.com/etalab/alpha)`},
		{"url of another repository", []any{with("github.com/etalab/alpha", func(r map[string]any) { r["url"] = "https://github.com/etalab/other" })}, "is not the address of github.com/etalab/alpha"},
		{"javascript url", []any{with("github.com/etalab/alpha", func(r map[string]any) { r["url"] = "javascript:alert(1)//github.com/etalab/alpha" })}, "is not the address"},
		{"url on another scheme", []any{with("github.com/etalab/alpha", func(r map[string]any) { r["url"] = "http://github.com/etalab/alpha" })}, "is not the address"},
		{"wrong forge", []any{with("github.com/etalab/alpha", func(r map[string]any) { r["forge"] = "gitlab" })}, `forge "gitlab" is not the configured forge of github.com/etalab/alpha ("github")`},
		{"unknown check", []any{with("github.com/etalab/alpha", func(r map[string]any) { check(r, 3)["name"] = "popularity" })}, `check "popularity" is not one of vigie's checks (license, readme, ci, activity`},
		{"check twice", []any{with("github.com/etalab/alpha", func(r map[string]any) { check(r, 3)["name"] = "ci" })}, "check ci appears twice"},
		{"100 KB reason", []any{with("github.com/etalab/alpha", func(r map[string]any) { check(r, 1)["reason"] = strings.Repeat("r", 100<<10) })}, "check readme: reason is 102400 bytes, more than 4096"},
		{"long remediation", []any{with("github.com/etalab/alpha", func(r map[string]any) { check(r, 1)["remediation"] = strings.Repeat("é", 3000) })}, "check readme: remediation is 6000 bytes"},
		{"long error", []any{with("github.com/etalab/alpha", func(r map[string]any) {
			r["score"], r["checks"], r["error"] = nil, []any{}, strings.Repeat("e", 9000)
		})}, "error is 9000 bytes, more than 8192"},
		{"huge details", []any{with("github.com/etalab/alpha", func(r map[string]any) { check(r, 0)["details"] = map[string]any{"x": strings.Repeat("d", 70<<10)} })}, "check license: details are"},
		{"huge result", []any{with("github.com/etalab/alpha", func(r map[string]any) { r["extra"] = strings.Repeat("x", 2<<20) })}, "element 0 is 2097"},
		{"huge repo", []any{result("github.com/"+strings.Repeat("o", 5000)+"/x", at, 1)}, "repo is 5013 bytes long"},
		{"owner longer than GitHub allows", []any{result("github.com/"+strings.Repeat("o", 40)+"/x", at, 1)}, "owner is 40 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := memstore.New()
			// What the store holds before stays.
			if _, err := importer.Import(ctx, st, c, file(t, []any{result("github.com/etalab/alpha", at.Add(-time.Hour), 40)}), "before.json", importer.Options{Now: now}); err != nil {
				t.Fatal(err)
			}
			_, err := importer.Import(ctx, st, c, file(t, tt.in), "in.json", importer.Options{Now: now})
			if err == nil || !errors.Is(err, importer.ErrInvalid) || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "in.json: ") {
				t.Errorf("error %.300v\nwant %q", err, tt.want)
			}
			if err != nil && len(err.Error()) > 600 {
				t.Errorf("the error is %d bytes: it repeats the file", len(err.Error()))
			}
			h, herr := st.History(ctx, "github.com/etalab/alpha", time.Time{}, now)
			if herr != nil || len(h) != 1 || *h[0].Score != 40 || st.Count() != 1 {
				t.Errorf("the store lost or gained results: %d stored, history %+v %v", st.Count(), h, herr)
			}
		})
	}
}

// What the file says is replaced by the configuration's own spelling.
func TestImportNormalises(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	at := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	r := result("https://GitHub.com/Etalab/Alpha.git", at, 70)
	r["url"], r["forge"] = "https://github.com/ETALAB/alpha/tree/main", ""
	if _, err := importer.Import(ctx, st, cfg(t), file(t, []any{r}), "in.json", importer.Options{Now: now}); err != nil {
		t.Fatal(err)
	}
	h, err := st.History(ctx, "github.com/etalab/alpha", time.Time{}, now)
	if err != nil || len(h) != 1 || h[0].URL != "https://github.com/etalab/alpha" || h[0].Forge != "github" || h[0].Defi != "alpha" {
		t.Errorf("stored %+v %v", h, err)
	}
}

func TestImportFileBounds(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	at := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	one := mustJSON(t, []any{result("github.com/etalab/alpha", at, 70)})
	// A file exactly at the bound is whole; one byte more is refused.
	if _, err := importer.Import(ctx, st, cfg(t), strings.NewReader(one), "in.json", importer.Options{Now: now, MaxBytes: int64(len(one))}); err != nil {
		t.Errorf("file at the bound: %v", err)
	}
	_, err := importer.Import(ctx, memstore.New(), cfg(t), strings.NewReader(one+" "), "in.json", importer.Options{Now: now, MaxBytes: int64(len(one))})
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("file over the bound: %v", err)
	}
	_, err = importer.Import(ctx, memstore.New(), cfg(t), strings.NewReader("["+strings.Repeat(`{"repo":"x"},`, 1000)), "in.json", importer.Options{Now: now, MaxBytes: 1000})
	if err == nil || !strings.Contains(err.Error(), "in.json: invalid results file: larger than 1000 bytes") {
		t.Errorf("long file: %v", err)
	}
	many := "[" + strings.Repeat("{},", importer.MaxResults) + "{}]"
	_, err = importer.Import(ctx, memstore.New(), cfg(t), strings.NewReader(many), "in.json", importer.Options{Now: now})
	if err == nil || !strings.Contains(err.Error(), "more than 500000 results") {
		t.Errorf("too many results: %v", err)
	}
}
