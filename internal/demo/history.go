package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/eiglink/vigie/checks"
	"github.com/eiglink/vigie/config"
	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/store"
)

// checker is the part of *scan.Scanner the demo's history needs.
type checker interface {
	Check(ctx context.Context, urls []string) ([]store.Snapshot, error)
}

const week = 7 * 24 * time.Hour

// seedDemoHistory gives the demonstration four weeks of past crawls, so its
// pages show trends, its dashboard a change since last week and its report
// archive a first report. It checks the demo repositories once, then stores
// their facts as they were (changed as noted in pastFacts) one to four weeks
// before now, scored by the same checks.
func seedDemoHistory(ctx context.Context, cfg *config.Config, st store.Store, sc checker, now time.Time) error {
	refs := cfg.Repos()
	urls := make([]string, len(refs))
	for i, r := range refs {
		urls[i] = r.URL
	}
	snaps, err := sc.Check(ctx, urls)
	if err != nil {
		return fmt.Errorf("demo history: %w", err)
	}
	opts := cfg.CheckOptions()
	for k := 4; k >= 1; k-- {
		at := now.Add(-time.Duration(k) * week)
		var crawl []store.Snapshot
		for i, s := range snaps {
			if s.Facts == nil || s.Facts.CreatedAt.After(at) {
				continue // not created yet: it shows as new this week
			}
			f := pastFacts(*s.Facts, refs[i], at, k)
			crawl = append(crawl, store.Snapshot{Facts: &f, Result: checks.Score(f, opts)})
		}
		if err := st.SaveCrawl(ctx, crawl); err != nil {
			return fmt.Errorf("demo history: %w", err)
		}
	}
	return nil
}

// pastFacts is how a demo repository looked k weeks before now: nothing
// dated after at, and a few stories for the dashboard and the report to tell:
// this week la-bonne-piste's CI broke, prototype-alerte lost its licence
// and signaux-faibles reached the guide's last degree with its docs/ folder;
// signaux-faibles' README grew two weeks ago; dossier-patient gained its CI
// three weeks ago (entrepot-donnees, created this week, has no past).
func pastFacts(f crawler.Facts, ref crawler.Ref, at time.Time, k int) crawler.Facts {
	f.Ref = ref // the check was ad hoc: put the défi back
	f.CrawledAt = at
	// Invented: never to be taken for today's facts by the next crawl.
	f.Origin = crawler.OriginSeeded
	if f.Error != "" {
		return f
	}
	if f.Activity.LastCommitAt.After(at) {
		f.Activity.LastCommitAt = at.Add(-24 * time.Hour)
	}
	if f.CI.RunAt.After(at) {
		f.CI.RunAt = at.Add(-12 * time.Hour)
	}
	switch ref.Path {
	case "eig-demo/la-bonne-piste":
		if k >= 1 {
			f.CI.Status = crawler.StatusSuccess
		}
	case "eig-demo/signaux-faibles":
		if k >= 1 {
			var files []crawler.File
			for _, fl := range f.Files {
				if fl.Path != "docs" && !strings.HasPrefix(fl.Path, "docs/") {
					files = append(files, fl)
				}
			}
			f.Files = files
			f.Community = crawler.Community(files)
		}
		if k >= 2 {
			f.Readme.Text = "# Signaux faibles\n\nÀ venir.\n"
			f.Readme.Bytes = int64(len(f.Readme.Text))
		}
	case "eig-demo/sante/dossier-patient":
		if k >= 3 {
			f.CI = crawler.CIFacts{Systems: []string{}, Status: crawler.StatusNone}
		}
	case "eig-demo/prototype-alerte":
		if k >= 1 {
			f.License = crawler.LicenseFacts{ForgeSPDX: "MIT", ForgePath: "LICENSE",
				Files: []crawler.LicenseFile{{Path: "LICENSE", SPDX: "MIT", Coverage: 100, Bytes: int64(len(mitText))}}}
		}
	}
	return f
}
