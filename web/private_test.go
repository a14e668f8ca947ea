package web_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/eiglink/vigie/config"
	"github.com/eiglink/vigie/internal/fakeforge"
	"github.com/eiglink/vigie/internal/fakeforge/fakegithub/fakegithubtest"
	"github.com/eiglink/vigie/internal/fakeforge/fakegitlab"
	"github.com/eiglink/vigie/scan"
	"github.com/eiglink/vigie/store/memstore"
	"github.com/eiglink/vigie/web"
)

// privateMarker is in everything a forge holds of the repositories that
// are not public.
const privateMarker = "CONFIDENTIEL-7c41"

// checkPage serves /check through a real scanner on fake forges that hold
// (or not) a private GitHub repository and an internal GitLab project,
// which the instance's tokens can read, and returns its status and body.
func checkPage(t *testing.T, withPrivate bool, target string) (int, string) {
	t.Helper()
	commits := []fakeforge.Commit{{AuthorName: "a", AuthorEmail: "a@example.org", Date: now.Add(-48 * time.Hour)}}
	files := map[string]string{"README.md": "# " + privateMarker + "\n\n## Installation\n", "LICENSE": fakeforge.MITLicense("2020 " + privateMarker)}
	var gh, gl []fakeforge.Repo
	gh = append(gh, fakeforge.Repo{Path: "eig/ouvert", DefaultBranch: "main", Commits: commits})
	gl = append(gl, fakeforge.Repo{Path: "eig/ouvert", DefaultBranch: "main", Commits: commits})
	if withPrivate {
		gh = append(gh, fakeforge.Repo{Path: "eig/secret", Private: true, DefaultBranch: "main", Description: privateMarker, License: "MIT", Files: files, Commits: commits})
		gl = append(gl, fakeforge.Repo{Path: "eig/sub/interne", Internal: true, DefaultBranch: "main", Description: privateMarker, License: "MIT", Files: files, Commits: commits})
	}
	ghSrv := httptest.NewServer(fakegithubtest.New(t, gh))
	defer ghSrv.Close()
	glSrv := httptest.NewServer(fakegitlab.NewGitLab(gl))
	defer glSrv.Close()
	y := fmt.Sprintf(`forges:
  - {name: github, type: github, url: https://github.com, api_url: %q, token_env: GH}
  - {name: gitlab, type: gitlab, url: https://gitlab.com, api_url: %q, token_env: GL}
defis:
  - slug: alpha
    name: Alpha
    repos: [https://github.com/eig/ouvert]
    orgs: [https://github.com/eig, https://gitlab.com/eig]
`, ghSrv.URL, glSrv.URL)
	env := map[string]string{"GH": "ghp_token", "GL": "glpat-token"}
	cfg, err := config.Parse("vigie.yml", []byte(y), func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scan.New(cfg, scan.Options{Now: func() time.Time { return now }, HTTP: scan.CheckHTTP(time.Second, nil)})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(web.Options{Config: cfg, Store: memstore.New(), Checker: sc, Now: func() time.Time { return now },
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/check?url="+url.QueryEscape(target), nil)
	req.RemoteAddr = "192.0.2.7:1234"
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// TestCheckNoOracle: /check answers a repository that is not public on its
// forge (private, internal), although the instance's token can read it,
// exactly as it answers the same URL when no such repository exists: same
// status, same bytes, nothing of it.
func TestCheckNoOracle(t *testing.T) {
	for _, target := range []string{"https://github.com/eig/secret", "https://gitlab.com/eig/sub/interne"} {
		t.Run(target, func(t *testing.T) {
			code, body := checkPage(t, true, target)
			missingCode, missing := checkPage(t, false, target)
			if code != missingCode || body != missing {
				t.Errorf("%s is told from a missing repository: %d vs %d\n%s\n---- missing:\n%s", target, code, missingCode, body, missing)
			}
			if strings.Contains(body, privateMarker) {
				t.Errorf("the page shows what the forge holds of a repository that is not public")
			}
			if !strings.Contains(body, "introuvable") {
				t.Errorf("the page does not say the repository was not found:\n%s", body)
			}
		})
	}
	// The public one is checked as usual.
	if code, body := checkPage(t, true, "https://github.com/eig/ouvert"); code != http.StatusOK || strings.Contains(body, "introuvable") {
		t.Errorf("public repository: %d\n%s", code, body)
	}
}
