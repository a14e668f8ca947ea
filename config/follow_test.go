package config_test

import (
	"testing"

	"github.com/eiglink/vigie/config"
	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/internal/readertest"
)

func TestFollowed(t *testing.T) {
	cfg := readertest.Config()
	// A GitLab served below a path: its ids keep the path.
	cfg.Forges = append(cfg.Forges, config.Forge{Name: "interne", Type: "gitlab", URL: "https://git.example.org/gitlab", Host: "git.example.org"})
	cfg.Defis = append(cfg.Defis, config.Defi{Slug: "interne", Name: "Interne",
		Orgs: []config.Org{{Forge: "interne", Host: "git.example.org", Path: "grp", URL: "https://git.example.org/gitlab/grp"}}})
	cfg.Defis = append(cfg.Defis, config.Defi{
		Slug: "orgs", Name: "Orgs",
		Orgs:    []config.Org{{Forge: "gitlab", Host: "gitlab.com", Path: "dinum/outils", URL: "https://gitlab.com/dinum/outils"}},
		Exclude: []string{"*-archive", "dinum/outils/old-*"},
	})
	f := config.NewFollowed(cfg)
	for repo, want := range map[string]string{
		"github.com/eig/alpha":                  "alpha",
		"gitlab.com/eig/sub/beta":               "alpha",
		"github.com/eig/gamma":                  "gamma",
		"gitlab.com/dinum/outils/carto":         "orgs",
		"gitlab.com/dinum/outils/sub/deep":      "orgs", // subgroups belong to the group
		"gitlab.com/dinum/outils/carto-archive": "",     // excluded by its last segment
		"gitlab.com/dinum/outils/old-site":      "",     // excluded by its path
		"gitlab.com/dinum/outilsx/carto":        "",     // a sibling group is not a subgroup
		"github.com/dinum/outils/carto":         "",     // another host
		"github.com/eig/removed":                "",
		"git.example.org/gitlab/grp/app":        "interne",
		"git.example.org/grp/app":               "",
	} {
		got, ok := f.Defi(repo)
		if ok != (want != "") || got != want {
			t.Errorf("Defi(%q) = %q, %v; want %q", repo, got, ok, want)
		}
	}
	if got := f.Explicit(); len(got) != 3 || got[0] != "github.com/eig/alpha" || got[2] != "github.com/eig/gamma" {
		t.Errorf("Explicit() = %v", got)
	}
	if !f.HasOrgs() || f.Forge("GitLab.com") != "gitlab" || f.Forge("example.org") != "" {
		t.Error("HasOrgs/Forge")
	}
}

// TestFollowedOrder: repositories rank as a crawl prints them: défi by
// défi, listed ones first, then the défi's organisations' repositories.
func TestFollowedOrder(t *testing.T) {
	cfg := &config.Config{
		Forges: []config.Forge{{Name: "github", Type: "github", URL: "https://github.com", Host: "github.com"}},
		Defis: []config.Defi{
			{Slug: "a", Repos: []crawler.Ref{{Forge: "github", Host: "github.com", Path: "x/listed-a"}},
				Orgs: []config.Org{{Forge: "github", Host: "github.com", Path: "org-a"}}},
			{Slug: "b", Repos: []crawler.Ref{{Forge: "github", Host: "github.com", Path: "x/listed-b1"}, {Forge: "github", Host: "github.com", Path: "x/listed-b2"}}},
			{Slug: "c", Orgs: []config.Org{{Forge: "github", Host: "github.com", Path: "org-c"}}},
		},
	}
	f := config.NewFollowed(cfg)
	in := []string{"github.com/x/listed-a", "github.com/org-a/z", "github.com/x/listed-b1", "github.com/x/listed-b2", "github.com/org-c/a", "github.com/other/x"}
	for i := 1; i < len(in); i++ {
		if f.Order(in[i-1]) >= f.Order(in[i]) {
			t.Errorf("Order(%s) = %d, not before Order(%s) = %d", in[i-1], f.Order(in[i-1]), in[i], f.Order(in[i]))
		}
	}
	if got := f.Explicit(); len(got) != 3 || got[0] != "github.com/x/listed-a" || got[2] != "github.com/x/listed-b2" {
		t.Errorf("Explicit() = %v", got)
	}
}
