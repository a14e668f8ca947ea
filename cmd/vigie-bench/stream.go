package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	vigieconfig "github.com/eiglink/vigie/config"
	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/scan"
	"github.com/eiglink/vigie/store"
	"github.com/eiglink/vigie/store/sqlite"
)

// streamResult is one crawl of the whole programme through scan.Stream
// into a SQLite store: both forges at once, stored in parts.
type streamResult struct {
	Pass        string  `json:"pass"` // cold | unchanged
	Repos       int     `json:"repos"`
	Parts       int     `json:"parts"`
	Unreachable int     `json:"unreachable"`
	WallSeconds float64 `json:"wall_seconds"`
	// Requests per forge, as the fakes saw them.
	Requests map[string]int            `json:"requests"`
	PerRepo  map[string]float64        `json:"requests_per_repo"`
	ByRoute  map[string]map[string]int `json:"by_route"`
}

// defisOf spreads the sides' repositories over défis of 200, as a
// programme's configuration lists them.
func defisOf(w *world) []vigieconfig.Defi {
	var defis []vigieconfig.Defi
	n := 0
	for _, s := range w.sides {
		for _, j := range s.jobs {
			if n%200 == 0 {
				slug := fmt.Sprintf("defi-%04d", n/200)
				defis = append(defis, vigieconfig.Defi{Slug: slug, Name: slug})
			}
			d := &defis[len(defis)-1]
			r := j.Ref
			r.Defi = d.Slug
			d.Repos = append(d.Repos, r)
			n++
		}
	}
	return defis
}

// benchConfig is a configuration naming the two fake forges (their
// crawlers are the benchmark's own, passed to the scanner) and every
// repository.
func benchConfig(w *world) (*vigieconfig.Config, error) {
	y := `forges:
  - {name: github, type: github, url: https://github.com}
  - {name: gitlab, type: gitlab, url: https://gitlab.example.org}
defis:
  - {slug: placeholder, name: Placeholder, repos: [https://github.com/placeholder/repo]}
`
	cfg, err := vigieconfig.Parse("vigie-bench.yml", []byte(y), func(string) string { return "" })
	if err != nil {
		return nil, fmt.Errorf("benchmark configuration: %w", err)
	}
	// The GitLab fake is on a loopback address: its forge's URL follows.
	for i := range cfg.Forges {
		if cfg.Forges[i].Name == "gitlab" {
			u := w.sides[1].fake.URL()
			cfg.Forges[i].URL, cfg.Forges[i].APIURL = u, u
			cfg.Forges[i].Host = strings.TrimPrefix(u, "http://")
		}
	}
	cfg.Defis = defisOf(w)
	return cfg, nil
}

// runStreamed crawls the programme twice through scan.Stream into a
// SQLite store in a temporary folder — cold, then with nothing changed —
// and checks that every repository's facts are the same both times (by
// hash: nothing of a crawl is held to compare).
func runStreamed(ctx context.Context, cfg config, w *world, now time.Time, rep *report) error {
	dir, err := os.MkdirTemp("", "vigie-bench-store-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	st, err := sqlite.Open(ctx, filepath.Join(dir, "vigie.db"), cfg.Logger)
	if err != nil {
		return err
	}
	defer st.Close()
	vc, err := benchConfig(w)
	if err != nil {
		return err
	}
	forges := map[string]crawler.Forge{}
	for _, s := range w.sides {
		forges[s.name] = s.forge
		s.jobs = nil // the configuration holds the repositories now
	}
	sc, err := scan.New(vc, scan.Options{Store: st, Logger: cfg.Logger, Forges: forges, PartSize: cfg.PartSize,
		Now: func() time.Time { return now }})
	if err != nil {
		return err
	}
	runtime.GC()
	rep.BaseHeapMiB = heapMiB()
	stopSampling := sampleHeap(&rep.PeakHeapMiB)
	defer stopSampling()

	side := map[string]*side{}
	for _, s := range w.sides {
		side[s.name] = s
	}
	var mu sync.Mutex
	hashes := map[string][32]byte{}
	check := faultCheck{OK: true}
	for _, pass := range []string{"cold", "unchanged"} {
		for _, s := range w.sides {
			if err := s.fake.ResetCounts(); err != nil {
				return err
			}
		}
		start := time.Now()
		stats, err := sc.Stream(ctx, func(i int, snap store.Snapshot) {
			f := snap.Facts
			if f == nil {
				return
			}
			h := sha256.Sum256(normalized(side[f.Ref.Forge], *f))
			mu.Lock()
			defer mu.Unlock()
			id := f.Ref.ID()
			if pass == "cold" {
				hashes[id] = h
				return
			}
			check.Compared++
			if hashes[id] != h {
				check.OK = false
				if len(check.Mismatches) < 50 {
					check.Mismatches = append(check.Mismatches, id)
				}
			}
		})
		wall := time.Since(start)
		if err != nil {
			return fmt.Errorf("%s crawl: %w", pass, err)
		}
		res := streamResult{Pass: pass, Repos: stats.Repos, Parts: stats.Parts, Unreachable: stats.Unreachable,
			WallSeconds: wall.Seconds(), Requests: map[string]int{}, PerRepo: map[string]float64{}, ByRoute: map[string]map[string]int{}}
		for _, s := range w.sides {
			c, _, err := s.fake.Counts()
			if err != nil {
				return err
			}
			// Half the repositories are on each forge; GitHub takes the odd one.
			n := cfg.N / 2
			if s.name == "github" {
				n = cfg.N - cfg.N/2
			}
			res.Requests[s.name] = c.Total
			res.PerRepo[s.name] = float64(c.Total) / float64(n)
			res.ByRoute[s.name] = c.ByPath
		}
		rep.Streamed = append(rep.Streamed, res)
		if pass == "cold" {
			rep.WallTotal = wall.Seconds()
			if cfg.MemProfile != "" {
				if err := writeHeapProfile(cfg.MemProfile); err != nil {
					return err
				}
			}
		}
	}
	rep.Unchanged = check
	stopSampling()
	rep.PeakRSSMiB, rep.PeakGoMiB = peakMemory()
	return nil
}
