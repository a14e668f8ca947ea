package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const base = `forges:
  - name: github
    type: github
    url: https://github.com
    token_env: GH
  - name: framagit
    type: gitlab
    url: https://framagit.org/
  - name: ghe
    type: github
    url: https://ghe.example.org
    api_url: https://ghe.example.org/api/v3
defis:
  - slug: adex
    name: ADEX
    contacts: [coach@example.org]
    repos:
      - https://GitHub.com/Owner/Name.git
      - https://framagit.org/group/sub/project/-/tree/main/docs
      - git@github.com:Owner/Other.git
    orgs: [https://github.com/envinorma, https://framagit.org/grp/sub]
    exclude: ["*-archive"]
`

func TestParseValid(t *testing.T) {
	cfg, err := Parse("vigie.yml", []byte(base), func(k string) string {
		if k == "GH" {
			return "secret-token"
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	refs := cfg.Repos()
	want := []string{"github.com/Owner/Name", "framagit.org/group/sub/project", "github.com/Owner/Other"}
	if len(refs) != len(want) {
		t.Fatalf("got %d refs, want %d", len(refs), len(want))
	}
	for i, r := range refs {
		if r.ID() != want[i] || r.Defi != "adex" {
			t.Errorf("ref %d = %s (défi %q), want %s", i, r.ID(), r.Defi, want[i])
		}
	}
	if refs[1].URL != "https://framagit.org/group/sub/project" || refs[1].Forge != "framagit" {
		t.Errorf("gitlab ref = %+v", refs[1])
	}
	gh := cfg.ForgeByName("github")
	if gh.APIURL != "https://api.github.com" || gh.GraphQLURL != "https://api.github.com/graphql" || len(gh.Tokens) != 1 {
		t.Errorf("github forge = %+v", gh)
	}
	ghe := cfg.ForgeByName("ghe")
	if ghe.GraphQLURL != "https://ghe.example.org/api/graphql" {
		t.Errorf("GHE graphql = %q", ghe.GraphQLURL)
	}
	if fg := cfg.ForgeByName("framagit"); fg.APIURL != "https://framagit.org" || fg.URL != "https://framagit.org" {
		t.Errorf("framagit = %+v", fg)
	}
	if o := cfg.Defis[0].Orgs; len(o) != 2 || o[0].Path != "envinorma" || o[1].Path != "grp/sub" {
		t.Errorf("orgs = %+v", o)
	}
	if cfg.Storage.Driver != "sqlite" || cfg.Scoring.DormantDays != 90 || cfg.Schedule.Location.String() != "Europe/Paris" || cfg.Report.Language != "fr" {
		t.Errorf("defaults not applied: %+v %+v %+v", cfg.Storage, cfg.Scoring, cfg.Schedule)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string // substrings of the one-line error
	}{
		{"unknown key", strings.Replace(base, "    token_env: GH", "    tokn_env: GH", 1), []string{"vigie.yml:5:", "tokn_env", "unknown key"}},
		{"unknown top key", base + "storag:\n  driver: sqlite\n", []string{"storag", "unknown key"}},
		{"host not configured", strings.Replace(base, "https://GitHub.com/Owner/Name.git", "https://bitbucket.org/a/b", 1), []string{"defis[0].repos[0]", "bitbucket.org", "not a configured forge", "github (https://github.com)"}},
		{"org as repo", strings.Replace(base, "https://GitHub.com/Owner/Name.git", "https://github.com/envinorma", 1), []string{"organisation", "orgs"}},
		{"missing host", strings.Replace(base, "https://GitHub.com/Owner/Name.git", "https://entrepreneur-interet-general/AFD_projects", 1), []string{"host entrepreneur-interet-general is not a configured forge"}},
		{"duplicate", strings.Replace(base, "git@github.com:Owner/Other.git", "https://github.com/Owner/Name/", 1), []string{"defis[0].repos[2]", "listed twice", "defis[0].repos[0]"}},
		{"bad type", strings.Replace(base, "type: gitlab", "type: bitbucket", 1), []string{"forges[1].type", "bitbucket"}},
		{"bad forge url", strings.Replace(base, "url: https://framagit.org/", "url: framagit.org", 1), []string{"forges[1].url"}},
		{"no slug", strings.Replace(base, "slug: adex", "slug: \"\"", 1), []string{"defis[0].slug", "missing"}},
		{"bad contact", strings.Replace(base, "coach@example.org", "coach", 1), []string{"defis[0].contacts[0]"}},
		{"bad timezone", base + "schedule:\n  timezone: Mars/Olympus\n", []string{"schedule.timezone", "Mars/Olympus"}},
		{"bad cron", base + "schedule:\n  crawl: every day\n", []string{"schedule.crawl"}},
		{"bad driver", base + "storage:\n  driver: mysql\n", []string{"storage.driver", "mysql"}},
		{"unknown weight", base + "scoring:\n  weights: {licence: 1}\n", []string{"scoring.weights.licence", "unknown check"}},
		{"bad language", base + "report:\n  language: de\n", []string{"report.language"}},
		{"not yaml", "forges: [\n", []string{"vigie.yml"}},
		{"empty", "", []string{"empty"}},
		{"no defis", "forges:\n  - {name: github, type: github, url: https://github.com}\n", []string{"defis", "at least one"}},
		{"wrong type", "forges: 3\n", []string{"vigie.yml:1"}},
		{"ended not a date", strings.Replace(base, "    exclude:", "    ended: 30/11/2019\n    exclude:", 1), []string{"defis[0].ended", "30/11/2019", "YYYY-MM-DD"}},
		{"ended not a day", strings.Replace(base, "    exclude:", "    ended: 2019-02-30\n    exclude:", 1), []string{"defis[0].ended", "2019-02-30"}},
		{"bad team member", strings.Replace(base, "    exclude:", "    team: [octocat, \"jane doe\"]\n    exclude:", 1), []string{"defis[0].team[1]", "jane doe"}},
		{"credentials in url", strings.Replace(base, "https://framagit.org/group", "https://user:pw@framagit.org/group", 1), []string{"credentials"}},
		{"public_url relative", base + "http:\n  public_url: /vigie\n", []string{"http.public_url", "absolute"}},
		{"public_url scheme", base + "http:\n  public_url: ftp://vigie.example.org\n", []string{"http.public_url", "absolute"}},
		{"public_url query", base + "http:\n  public_url: https://vigie.example.org/?x=1\n", []string{"http.public_url", "query"}},
		{"public_url credentials", base + "http:\n  public_url: https://u:pw@vigie.example.org\n", []string{"http.public_url", "credentials"}},
		{"trusted proxy", base + "http:\n  trusted_proxies: [10.0.0.0/8, proxy.example.org]\n", []string{"http.trusted_proxies[1]", "proxy.example.org", "CIDR"}},
		{"owner too long", strings.Replace(base, "https://GitHub.com/Owner/Name.git", "https://github.com/"+strings.Repeat("o", 40)+"/name", 1), []string{"defis[0].repos[0]", "owner is 40 characters", "GitHub: 39"}},
		{"name too long", strings.Replace(base, "https://GitHub.com/Owner/Name.git", "https://github.com/owner/"+strings.Repeat("n", 101), 1), []string{"repository name is 101 characters", "GitHub: 100"}},
		{"gitlab segment too long", strings.Replace(base, "https://framagit.org/group/sub/project/-/tree/main/docs", "https://framagit.org/group/"+strings.Repeat("s", 256)+"/p", 1), []string{"defis[0].repos[1]", "256 characters", "GitLab: 255"}},
		{"gitlab too deep", strings.Replace(base, "https://framagit.org/group/sub/project/-/tree/main/docs", "https://framagit.org/"+strings.Repeat("g/", 22)+"p", 1), []string{"23 segments", "GitLab: 22"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("vigie.yml", []byte(tt.yaml), nil)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("error spans several lines: %q", msg)
			}
			if strings.Contains(msg, "pw") {
				t.Errorf("error leaks credentials: %q", msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not mention %q", msg, w)
				}
			}
		})
	}
}

func TestResolve(t *testing.T) {
	cfg := Default(func(string) string { return "" })
	tests := []struct{ in, id, url, err string }{
		{"https://github.com/a/b", "github.com/a/b", "https://github.com/a/b", ""},
		{"github.com/a/b/", "github.com/a/b", "https://github.com/a/b", ""},
		{"https://www.github.com/a/b.git", "github.com/a/b", "https://github.com/a/b", ""},
		{"https://github.com/a/b/tree/main/src", "github.com/a/b", "https://github.com/a/b", ""},
		{"https://github.com/a/b/blob/main/README.md#x", "github.com/a/b", "https://github.com/a/b", ""},
		{"http://GITHUB.COM/a/b?tab=readme", "github.com/a/b", "https://github.com/a/b", ""},
		{"git@gitlab.com:g/s/p.git", "gitlab.com/g/s/p", "https://gitlab.com/g/s/p", ""},
		{"https://gitlab.com/g/s/p/-/blob/main/x.md", "gitlab.com/g/s/p", "https://gitlab.com/g/s/p", ""},
		// Links from before GitLab 12, without "/-/", which GitLab still serves.
		{"https://gitlab.com/g/s/p/tree/master", "gitlab.com/g/s/p", "https://gitlab.com/g/s/p", ""},
		{"https://gitlab.com/g/p/blob/master/docs/x.md", "gitlab.com/g/p", "https://gitlab.com/g/p", ""},
		{"https://gitlab.com/g/p/commits/master", "gitlab.com/g/p", "https://gitlab.com/g/p", ""},
		{"https://gitlab.com/g", "", "", "organisation"},
		{"https://example.org/a/b", "", "", "not a configured forge"},
		{"ftp://github.com/a/b", "", "", "scheme"},
		{"", "", "", "empty"},
		// The forges allow letters, digits, '.', '_' and '-' in a path
		// segment; anything else would change the API URL built from it
		// (a query, a fragment) or name nothing, under an id of its own.
		{"https://github.com/Some-Org/a_b.c-d", "github.com/Some-Org/a_b.c-d", "https://github.com/Some-Org/a_b.c-d", ""},
		{"https://github.com/a/b%23", "", "", "malformed"},
		{"https://github.com/a/b%3Fper_page=1", "", "", "malformed"},
		{"https://github.com/a/b%20c", "", "", "malformed"},
		{"https://github.com/a/b;x", "", "", "malformed"},
		{"https://github.com/a/b%00", "", "", "malformed"},
		{`https://github.com/a/b\..\x`, "", "", "malformed"},
		{"https://gitlab.com/g/s%25/p", "", "", "malformed"},
		{"https://gitlab.com/g/é/p", "", "", "malformed"},
	}
	for _, tt := range tests {
		ref, err := cfg.Resolve(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Resolve(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || ref.ID() != tt.id || ref.URL != tt.url {
			t.Errorf("Resolve(%q) = %s %s %v, want %s %s", tt.in, ref.ID(), ref.URL, err, tt.id, tt.url)
		}
	}
}

func TestHTTPSection(t *testing.T) {
	cfg, err := Parse("vigie.yml", []byte(base+"http:\n  public_url: https://Vigie.Example.org/eig/\n  trusted_proxies: [10.0.0.0/8, 192.168.1.7, \"fd00::/8\"]\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTP.PublicURL != "https://vigie.example.org/eig" {
		t.Errorf("public_url = %q", cfg.HTTP.PublicURL)
	}
	var got []string
	for _, p := range cfg.HTTP.TrustedProxies {
		got = append(got, p.String())
	}
	if strings.Join(got, " ") != "10.0.0.0/8 192.168.1.7/32 fd00::/8" {
		t.Errorf("trusted_proxies = %v", got)
	}
	def, err := Parse("vigie.yml", []byte(base), nil)
	if err != nil {
		t.Fatal(err)
	}
	if def.HTTP.PublicURL != "" || len(def.HTTP.TrustedProxies) != 0 || def.HTTP.Listen != ":8080" {
		t.Errorf("defaults = %+v", def.HTTP)
	}
}

// A URL's path is bounded as the forges bound theirs, and the error names a
// huge URL without repeating it.
func TestResolveLengths(t *testing.T) {
	cfg := Default(func(string) string { return "" })
	ok := []string{
		"https://github.com/" + strings.Repeat("o", 39) + "/" + strings.Repeat("n", 100),
		"https://gitlab.com/" + strings.Repeat("g/", 21) + strings.Repeat("p", 255),
	}
	for _, u := range ok {
		if _, err := cfg.Resolve(u); err != nil {
			t.Errorf("Resolve(%.40s…) = %v", u, err)
		}
	}
	huge := "https://github.com/" + strings.Repeat("x", 900_000) + "/name"
	_, err := cfg.Resolve(huge)
	if !errors.Is(err, ErrPathTooLong) || len(err.Error()) > 400 {
		t.Errorf("Resolve(900 KB owner) = %.500v", err)
	}
	for _, u := range []string{"https://GitHub.com/Etalab/Vigie", "github.com/etalab/vigie.git", "git@github.com:ETALAB/vigie"} {
		ref, err := cfg.Resolve(u)
		if err != nil || CanonicalID(ref) != "github.com/etalab/vigie" {
			t.Errorf("CanonicalID(%s) = %q, %v", u, CanonicalID(ref), err)
		}
	}
}

func TestResolveSubpathForge(t *testing.T) {
	y := `forges:
  - {name: corp, type: gitlab, url: "https://git.example.org/gitlab"}
defis:
  - {slug: d, name: D, repos: ["https://git.example.org/gitlab/team/app"]}
`
	cfg, err := Parse("c.yml", []byte(y), nil)
	if err != nil {
		t.Fatal(err)
	}
	r := cfg.Repos()[0]
	if r.Path != "team/app" || r.URL != "https://git.example.org/gitlab/team/app" {
		t.Errorf("ref = %+v", r)
	}
	if _, err := cfg.Resolve("https://git.example.org/other/app"); err == nil {
		t.Error("a URL outside the forge's base path was accepted")
	}
}

func TestLoadMissingFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "nope.yml")
	_, err := Load(p, nil)
	if err == nil || !strings.Contains(err.Error(), p) {
		t.Fatalf("error = %v", err)
	}
	if err := os.WriteFile(p, []byte(base), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(p, nil); err != nil {
		t.Fatal(err)
	}
}

// TestExamples keeps the shipped example configurations valid.
func TestExamples(t *testing.T) {
	files, err := filepath.Glob("../examples/*.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples found: %v", err)
	}
	for _, f := range files {
		cfg, err := Load(f, func(string) string { return "" })
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if len(cfg.Repos()) == 0 && len(cfg.Defis) == 0 {
			t.Errorf("%s follows nothing", f)
		}
	}
}

func TestRefKeepsForgeTypeAndBase(t *testing.T) {
	y := `forges:
  - {name: framagit, type: gitlab, url: "https://framagit.org"}
  - {name: corp, type: gitlab, url: "https://git.example.org/gitlab"}
defis:
  - {slug: d, name: D, repos: ["https://framagit.org/a/b", "https://git.example.org/gitlab/team/app"]}
`
	cfg, err := Parse("c.yml", []byte(y), nil)
	if err != nil {
		t.Fatal(err)
	}
	refs := cfg.Repos()
	if refs[0].Type != "gitlab" || refs[0].ID() != "framagit.org/a/b" {
		t.Errorf("framagit ref = %+v (id %s)", refs[0], refs[0].ID())
	}
	if refs[1].Path != "team/app" || refs[1].ID() != "git.example.org/gitlab/team/app" {
		t.Errorf("prefixed ref = %+v (id %s)", refs[1], refs[1].ID())
	}
}

func TestConcurrency(t *testing.T) {
	cfg, err := Parse("c.yml", []byte(base), nil)
	if err != nil {
		t.Fatal(err)
	}
	if gh, fg := cfg.ForgeByName("github"), cfg.ForgeByName("framagit"); gh.Concurrency != 8 || fg.Concurrency != 16 {
		t.Errorf("default concurrency = %d (github), %d (gitlab)", gh.Concurrency, fg.Concurrency)
	}
	y := strings.Replace(base, "    url: https://framagit.org/", "    url: https://framagit.org/\n    concurrency: 2", 1)
	if cfg, err = Parse("c.yml", []byte(y), nil); err != nil || cfg.ForgeByName("framagit").Concurrency != 2 {
		t.Errorf("concurrency 2: %v", err)
	}
	y = strings.Replace(base, "    url: https://framagit.org/", "    url: https://framagit.org/\n    concurrency: 500", 1)
	if _, err = Parse("c.yml", []byte(y), nil); err == nil || !strings.Contains(err.Error(), "forges[1].concurrency") {
		t.Errorf("concurrency 500: %v", err)
	}
}

func TestExcluded(t *testing.T) {
	tests := []struct {
		patterns []string
		path     string
		want     bool
	}{
		{[]string{"*-archive"}, "org/old-archive", true},
		{[]string{"*-archive"}, "org/archive-tool", false},
		{[]string{"org/old-*"}, "org/old-thing", true},
		{[]string{"org/old-*"}, "other/old-thing", false},
		{[]string{"g/*/legacy"}, "g/sub/legacy", true},
		{nil, "org/x", false},
	}
	for _, tt := range tests {
		if got := Excluded(tt.patterns, tt.path); got != tt.want {
			t.Errorf("Excluded(%v, %s) = %v", tt.patterns, tt.path, got)
		}
	}
}

func TestSecretFiles(t *testing.T) {
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "github_token")
	passFile := filepath.Join(dir, "smtp_password")
	if err := os.WriteFile(tokenFile, []byte("file-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(passFile, []byte(" pass word \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		env      map[string]string
		token    string // the github forge's only token ("" none)
		password string
		err      []string // substrings of the error; nil: none
	}{
		{"variable", map[string]string{"GH": "env-token", "SMTP_PASSWORD": "pw"}, "env-token", "pw", nil},
		{"file when the variable is unset", map[string]string{"GH_FILE": tokenFile, "SMTP_PASSWORD_FILE": passFile}, "file-token", " pass word ", nil},
		{"the variable wins", map[string]string{"GH": "env-token", "GH_FILE": tokenFile}, "env-token", "", nil},
		{"neither", map[string]string{}, "", "", nil},
		{"missing token file", map[string]string{"GH_FILE": filepath.Join(dir, "nope")}, "", "", []string{"vigie.yml:5:", "forges[0].token_env", "GH_FILE=" + filepath.Join(dir, "nope"), "no such file"}},
		{"missing password file", map[string]string{"SMTP_PASSWORD_FILE": dir + "/gone"}, "", "", []string{"smtp.password_env", "SMTP_PASSWORD_FILE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse("vigie.yml", []byte(base), func(k string) string { return tt.env[k] })
			if tt.err != nil {
				if err == nil {
					t.Fatal("no error")
				}
				for _, w := range tt.err {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not mention %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			gh := cfg.ForgeByName("github")
			if got := strings.Join(gh.Tokens, ","); got != tt.token {
				t.Errorf("tokens = %q, want %q", got, tt.token)
			}
			if cfg.SMTP.Password != tt.password {
				t.Errorf("smtp password = %q, want %q", cfg.SMTP.Password, tt.password)
			}
		})
	}

	if _, err := Builtin(func(k string) string { return map[string]string{"GITLAB_TOKEN_FILE": dir + "/gone"}[k] }); err == nil || !strings.Contains(err.Error(), "GITLAB_TOKEN_FILE") {
		t.Errorf("Builtin with an unreadable token file: %v", err)
	}
	cfg, err := Builtin(func(k string) string { return map[string]string{"GITHUB_TOKEN_FILE": tokenFile}[k] })
	if err != nil || len(cfg.ForgeByName("github").Tokens) != 1 || cfg.ForgeByName("github").Tokens[0] != "file-token" {
		t.Errorf("Builtin with GITHUB_TOKEN_FILE: %v", err)
	}
}

// A gitea forge (Gitea or Forgejo): the API root defaults to the web URL
// (the client adds /api/v1), repositories are owner/name whatever page of
// the repository a link points at, organisations and users have no
// subgroups.
func TestGiteaForge(t *testing.T) {
	y := `forges:
  - {name: codeberg, type: gitea, url: "https://Codeberg.org/", token_env: CODEBERG_TOKEN}
  - {name: forge, type: gitea, url: "https://forge.example.gouv.fr/git", api_url: "https://forge.example.gouv.fr/git/api/v1/"}
defis:
  - slug: d
    name: D
    repos:
      - https://codeberg.org/owner/name.git
      - https://codeberg.org/owner/other/src/branch/main/docs/x.md
      - git@codeberg.org:owner/third.git
      - https://forge.example.gouv.fr/git/team/app/issues/3
    orgs: [https://codeberg.org/org/eig/teams, https://codeberg.org/someone, https://codeberg.org/grp/-/projects]
`
	cfg, err := Parse("c.yml", []byte(y), func(k string) string { return map[string]string{"CODEBERG_TOKEN": "t0k"}[k] })
	if err != nil {
		t.Fatal(err)
	}
	cb, fo := cfg.Forges[0], cfg.Forges[1]
	if cb.Type != "gitea" || cb.APIURL != "https://codeberg.org" || cb.Host != "codeberg.org" || cb.Concurrency != 4 || len(cb.Tokens) != 1 || cb.GraphQLURL != "" {
		t.Errorf("codeberg = %+v", cb)
	}
	if fo.APIURL != "https://forge.example.gouv.fr/git" {
		t.Errorf("api_url = %q, want the instance root without /api/v1", fo.APIURL)
	}
	var ids []string
	for _, r := range cfg.Repos() {
		ids = append(ids, r.ID()+" "+r.Type)
	}
	want := []string{"codeberg.org/owner/name gitea", "codeberg.org/owner/other gitea", "codeberg.org/owner/third gitea", "forge.example.gouv.fr/git/team/app gitea"}
	if strings.Join(ids, ",") != strings.Join(want, ",") {
		t.Errorf("repos = %v, want %v", ids, want)
	}
	var orgs []string
	for _, o := range cfg.Defis[0].Orgs {
		orgs = append(orgs, o.Path)
	}
	if strings.Join(orgs, ",") != "eig,someone,grp" {
		t.Errorf("orgs = %v", orgs)
	}
	if _, err := cfg.Resolve("https://codeberg.org/owner"); err == nil || !strings.Contains(err.Error(), "organisation") {
		t.Errorf("an owner alone: %v", err)
	}
	if _, err := cfg.ResolveOrg("https://codeberg.org/owner/name"); err == nil || !strings.Contains(err.Error(), "repository") {
		t.Errorf("a repository as organisation: %v", err)
	}
	if slug, ok := cfg.OrgDefi("codeberg.org/eig/app"); !ok || slug != "d" {
		t.Errorf("OrgDefi = %q %v", slug, ok)
	}
	if _, ok := cfg.OrgDefi("codeberg.org/eig/sub/app"); ok {
		t.Error("a Gitea organisation has no subgroups")
	}
}

func TestEndedAndTeam(t *testing.T) {
	tests := []struct {
		name, tz, ended string
		want            string // EndedAt, RFC 3339 in UTC
	}{
		{"Paris winter", "Europe/Paris", "2019-11-30", "2019-11-30T23:00:00Z"},
		{"Paris summer", "Europe/Paris", "2021-07-14", "2021-07-14T22:00:00Z"},
		{"UTC", "UTC", "2019-11-30", "2019-12-01T00:00:00Z"},
		{"quoted", "UTC", `"2020-01-31"`, "2020-02-01T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			y := strings.Replace(base, "    exclude:", "    ended: "+tt.ended+"\n    team: [octocat, \"@Jane-D\", jane@example.org]\n    exclude:", 1) +
				"schedule:\n  timezone: " + tt.tz + "\n"
			cfg, err := Parse("vigie.yml", []byte(y), nil)
			if err != nil {
				t.Fatal(err)
			}
			d := cfg.Defis[0]
			if got := d.EndedAt.UTC().Format("2006-01-02T15:04:05Z07:00"); got != tt.want {
				t.Errorf("EndedAt %s, want %s", got, tt.want)
			}
			if d.Ended != strings.Trim(tt.ended, `"`) {
				t.Errorf("Ended %q", d.Ended)
			}
			if strings.Join(d.Team, ",") != "octocat,@Jane-D,jane@example.org" {
				t.Errorf("Team %v", d.Team)
			}
		})
	}
	cfg, err := Parse("vigie.yml", []byte(base), nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := cfg.Defis[0]; d.Ended != "" || !d.EndedAt.IsZero() || d.Team != nil {
		t.Errorf("a running défi: %+v", d)
	}
}

// A relative SQLite path is relative to the configuration file, wherever
// vigie is started from; other DSNs are left as written.
func TestStorageDSNRelativeToTheFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "conf")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ storage, want string }{
		{"", filepath.Join(dir, "vigie.db")},
		{"storage: {dsn: data/vigie.db}", filepath.Join(dir, "data/vigie.db")},
		{"storage: {dsn: /var/lib/vigie/vigie.db}", "/var/lib/vigie/vigie.db"},
		{`storage: {dsn: "file:vigie.db?_pragma=busy_timeout(5000)"}`, "file:" + filepath.Join(dir, "vigie.db") + "?_pragma=busy_timeout(5000)"},
		{`storage: {dsn: ":memory:"}`, ":memory:"},
		{"storage: {driver: postgres, dsn: postgres://u@localhost/vigie}", "postgres://u@localhost/vigie"},
	}
	for _, tt := range tests {
		p := filepath.Join(dir, "vigie.yml")
		if err := os.WriteFile(p, []byte(base+tt.storage+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := Load(p, func(string) string { return "" })
		if err != nil {
			t.Fatalf("%s: %v", tt.storage, err)
		}
		if cfg.Storage.DSN != tt.want {
			t.Errorf("%q: dsn %q, want %q", tt.storage, cfg.Storage.DSN, tt.want)
		}
	}
}
