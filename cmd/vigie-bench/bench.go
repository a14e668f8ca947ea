package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	vigieconfig "github.com/eiglink/vigie/config"
	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/crawler/github"
	"github.com/eiglink/vigie/crawler/gitlab"
	"github.com/eiglink/vigie/crawler/httpx"
	"github.com/eiglink/vigie/internal/fakeforge"
	"github.com/eiglink/vigie/store/sqlite"
)

// config is the benchmark's command line.
type config struct {
	N       int           `json:"n"`
	Latency time.Duration `json:"latency_ns"`
	Faults  bool          `json:"faults"`
	Real    string        `json:"real_repos,omitempty"`
	// GitLabLimit keeps the fake GitLab's rate-limit headers (gitlab.com's
	// 2,000 requests a minute). Off, the bench models a self-managed
	// instance, whose limits are off by default: the headers are removed.
	GitLabLimit bool          `json:"gitlab_limit"`
	Timeout     time.Duration `json:"timeout_ns"`
	Seed        uint64        `json:"seed"`
	MemProfile  string        `json:"-"`
	CPUProfile  string        `json:"-"`
	// GitHubREST crawls GitHub without a token, which takes the crawler's
	// REST path (GraphQL needs a token); the fake's anonymous quota is
	// raised so that it measures requests, not the 60-an-hour wait.
	GitHubREST bool `json:"github_rest"`
	// Cache is where the transport keeps ETags: "mem" (in memory) or
	// "sqlite" (vigie's store, in a temporary folder).
	Cache string `json:"cache"`
	// InProcess serves the fake forges from the benchmark's own process
	// (simpler to debug, but the memory measured then includes them).
	InProcess bool `json:"in_process"`
	// EndedDays, when positive, makes every repository's défi end that
	// many days before the crawl: the crawl then also counts the commits
	// since that end (Job.Since), as for the programme's ended défis.
	EndedDays int          `json:"ended_days,omitempty"`
	Logger    *slog.Logger `json:"-"`
	// GitLabREST turns the fake GitLab's GraphQL endpoint off (404): the
	// crawler goes through REST alone.
	GitLabREST bool `json:"gitlab_rest"`
	// Store crawls through scan.Stream into vigie's SQLite store (in a
	// temporary folder), in parts of PartSize repositories per forge: the
	// crawl as vigie serve runs it, whose memory is measured.
	Store    bool `json:"store"`
	PartSize int  `json:"part_size,omitempty"`
	// GitHubTokens is how many tokens the GitHub transport rotates
	// (token_envs); the fake keeps each token's quota apart, 5,000
	// GraphQL points an hour each, as GitHub does.
	GitHubTokens int `json:"github_tokens"`
}

// passResult is one forge's figures for one crawl.
type passResult struct {
	Forge           string         `json:"forge"`
	Pass            string         `json:"pass"` // cold | unchanged, "+faults" under faults
	Repos           int            `json:"repos"`
	Requests        int            `json:"requests"` // as the forge saw them, failed and refused included
	RequestsPerRepo float64        `json:"requests_per_repo"`
	GraphQLRequests int            `json:"graphql_requests"`
	GraphQLPoints   int            `json:"graphql_points"`
	PointsPerRepo   float64        `json:"graphql_points_per_repo"`
	NotModified     int64          `json:"not_modified"` // 304s turned into cache hits
	NotModifiedPct  float64        `json:"not_modified_pct"`
	Retries         int64          `json:"retries"`
	Waits           int64          `json:"rate_limit_waits"`
	Injected        int            `json:"injected_5xx"`
	Refused         int            `json:"refused_by_limit_window"`
	RepoErrors      int            `json:"repo_errors"` // facts with an error (missing and private repositories)
	WallSeconds     float64        `json:"wall_seconds"`
	ByRoute         map[string]int `json:"by_route"`
}

// faultCheck compares the facts crawled under faults with the clean ones.
type faultCheck struct {
	OK         bool     `json:"ok"`
	Compared   int      `json:"compared"`
	Mismatches []string `json:"mismatches,omitempty"`
}

// report is everything one run of the benchmark measured.
type report struct {
	Config     config       `json:"config"`
	Passes     []passResult `json:"passes"`
	WallTotal  float64      `json:"wall_seconds_total"` // both forges' cold crawl, run together
	PeakRSSMiB float64      `json:"peak_rss_mib"`       // whole process: fake forges included
	PeakGoMiB  float64      `json:"peak_go_mib"`        // Go runtime's mapped memory
	// BaseHeapMiB is the live heap once the repositories and fake forges
	// are built (after a GC), before any crawl: the bench's own share.
	BaseHeapMiB float64 `json:"base_heap_mib"`
	// PeakHeapMiB is the largest heap (live and not yet collected objects)
	// seen during the crawls, sampled every 10 ms.
	PeakHeapMiB float64    `json:"peak_heap_mib"`
	Unchanged   faultCheck `json:"unchanged_check"` // re-crawl facts = cold facts
	// Streamed holds the crawls through the store (-store).
	Streamed   []streamResult `json:"streamed,omitempty"`
	FaultCheck *faultCheck    `json:"fault_check,omitempty"`
}

// side is one forge of one world: its fake (behind the fault middleware),
// the transport, the crawler and the jobs.
type side struct {
	name  string
	fake  fake
	tr    *httpx.Transport
	forge crawler.Forge
	jobs  []crawler.Job
	// endedDays: see config.EndedDays.
	endedDays int
}

// world is a pair of fake forges and their crawlers.
type world struct {
	sides []*side
	stop  func()
}

func (w *world) close() { w.stop() }

// dataset is the repositories of both forges.
type dataset struct {
	ghRepos, glRepos []fakeforge.Repo
	ghPaths, glPaths []string
}

func newDataset(cfg config, now time.Time) (dataset, error) {
	var real []fakeforge.Repo
	if cfg.Real != "" {
		r, err := fakeforge.LoadRealRepos(cfg.Real, now)
		if err != nil {
			return dataset{}, fmt.Errorf("loading real repositories: %w", err)
		}
		real = r
	}
	var d dataset
	d.ghRepos, d.ghPaths = synthRepos("github", cfg.N-cfg.N/2, now, real)
	d.glRepos, d.glPaths = synthRepos("gitlab", cfg.N/2, now, real)
	return d, nil
}

// newWorld starts a pair of fake forges (in a child process unless
// cfg.InProcess) and builds the crawlers over the shared transport, with a
// fresh ETag cache (in memory, or a SQLite store).
func newWorld(ctx context.Context, cfg config, now time.Time, faulty bool) (*world, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	w := &world{}
	var fakes []fake
	if cfg.InProcess {
		d, err := newDataset(cfg, now)
		if err != nil {
			return nil, err
		}
		local := startFakes(cfg, d, faulty)
		for _, l := range local {
			fakes = append(fakes, l)
		}
		w.stop = func() {
			for _, l := range local {
				l.srv.Close()
			}
		}
	} else {
		var err error
		fakes, w.stop, err = spawnFakes(ctx, cfg, faulty, now)
		if err != nil {
			return nil, err
		}
	}
	var cache httpx.Cache = httpx.NewMemCache()
	if cfg.Cache == "sqlite" {
		dir, err := os.MkdirTemp("", "vigie-bench-")
		if err != nil {
			w.close()
			return nil, fmt.Errorf("cache folder: %w", err)
		}
		st, err := sqlite.Open(ctx, filepath.Join(dir, "cache.db"), cfg.Logger)
		if err != nil {
			w.close()
			os.RemoveAll(dir)
			return nil, fmt.Errorf("cache store: %w", err)
		}
		stopFakes := w.stop
		w.stop = func() {
			stopFakes()
			st.Close()
			os.RemoveAll(dir)
		}
		cache = st
	}
	withReal := cfg.Real != ""
	for i, name := range []string{"github", "gitlab"} {
		n := cfg.N - cfg.N/2
		if name == "gitlab" {
			n = cfg.N / 2
		}
		url := fakes[i].URL()
		s := &side{name: name, fake: fakes[i], endedDays: cfg.EndedDays}
		w.sides = append(w.sides, s)
		kind := httpx.KindGitHub
		if name == "gitlab" {
			kind = httpx.KindGitLab
		}
		var tokens []string
		switch {
		case name == "gitlab":
			tokens = []string{"bench-gitlab-token"}
		case !cfg.GitHubREST:
			// Used in turn by the transport, as token_envs are; the fake
			// keeps each one's quota apart. 0 (a config built in code): one.
			for t := range max(cfg.GitHubTokens, 1) {
				tokens = append(tokens, fmt.Sprintf("bench-github-token-%d", t+1))
			}
		}
		s.tr = httpx.NewTransport(httpx.Options{
			Forge: name, Kind: kind,
			Tokens:       tokens,
			AllowedHosts: httpx.HostsFor(url),
			Cache:        cache, // keys hold the URL: the forges' entries do not mix
			Logger:       cfg.Logger,
			BackoffBase:  100 * time.Millisecond,
			Concurrency:  vigieconfig.DefaultConcurrency(name),
		})
		host := strings.TrimPrefix(url, "http://")
		var err error
		switch name {
		case "github":
			s.forge, err = github.New(github.Options{Name: name, WebURL: "https://github.com", APIURL: url,
				Authenticated: len(tokens) > 0, HTTPClient: s.tr.Client(), Logger: cfg.Logger})
			host = "github.com"
		case "gitlab":
			s.forge, err = gitlab.New(gitlab.Options{Name: name, WebURL: url, APIURL: url,
				Authenticated: len(tokens) > 0, HTTPClient: s.tr.Client(), Logger: cfg.Logger,
				Concurrency: vigieconfig.DefaultConcurrency(name)})
		}
		if err != nil {
			w.close()
			return nil, fmt.Errorf("building the %s crawler: %w", name, err)
		}
		for _, p := range synthPaths(name, n, withReal) {
			s.jobs = append(s.jobs, crawler.Job{Ref: crawler.Ref{Forge: name, Host: host, Path: p,
				URL: "https://" + host + "/" + p}})
		}
	}
	return w, nil
}

// withoutRateLimitHeaders removes GitLab's RateLimit-* headers, as a
// self-managed instance (limits off by default) answers.
func withoutRateLimitHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(&stripWriter{ResponseWriter: w}, r)
	})
}

type stripWriter struct {
	http.ResponseWriter
	done bool
}

func (s *stripWriter) strip() {
	if !s.done {
		s.done = true
		for _, k := range []string{"RateLimit-Limit", "RateLimit-Observed", "RateLimit-Remaining", "RateLimit-Reset", "RateLimit-ResetTime"} {
			s.Header().Del(k)
		}
	}
}

func (s *stripWriter) WriteHeader(code int) { s.strip(); s.ResponseWriter.WriteHeader(code) }
func (s *stripWriter) Write(b []byte) (int, error) {
	s.strip()
	return s.ResponseWriter.Write(b)
}

// graphQLOp finds a GraphQL query's operation name ("query vigieRepos(").
var graphQLOp = regexp.MustCompile(`(?:query|mutation)\s+([A-Za-z_][A-Za-z0-9_]*)`)

// route names a request without its variable parts, so the counts per
// route say which kind of call dominates; a GraphQL request is named by its
// operation.
func route(r *http.Request) string {
	if strings.HasSuffix(r.URL.Path, "/graphql") && r.Body != nil {
		b, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(b))
		var q struct {
			Query string `json:"query"`
		}
		name := "anonymous"
		if json.Unmarshal(b, &q) == nil {
			if m := graphQLOp.FindStringSubmatch(q.Query); m != nil {
				name = m[1]
			}
		}
		return r.Method + " " + r.URL.Path + " " + name
	}
	segs := strings.Split(strings.Trim(r.URL.EscapedPath(), "/"), "/")
	if len(segs) >= 2 && segs[0] == "api" && (segs[1] == "v3" || segs[1] == "v4") {
		segs = segs[2:]
	}
	out := []string{}
	switch {
	case len(segs) >= 3 && segs[0] == "repos":
		out = append(out, "repos", "{owner}", "{repo}")
		segs = segs[3:]
	case len(segs) >= 2 && (segs[0] == "projects" || segs[0] == "repositories" || segs[0] == "groups" || segs[0] == "orgs" || segs[0] == "users"):
		out = append(out, segs[0], ":id")
		segs = segs[2:]
	}
	for i, s := range segs {
		if i >= 3 {
			break
		}
		if i > 0 && segs[i-1] == "contents" {
			// A GitHub content path runs to the end of the URL.
			out = append(out, ":x")
			break
		}
		if i > 0 && (segs[i-1] == "files" || segs[i-1] == "commits" && i == 1) {
			s = ":x"
		}
		out = append(out, s)
	}
	return r.Method + " /" + strings.Join(out, "/")
}

// crawl runs one pass of one side and measures it.
func crawl(ctx context.Context, s *side, now time.Time, prev []crawler.Facts, pass string) ([]crawler.Facts, passResult, error) {
	if err := s.fake.ResetCounts(); err != nil {
		return nil, passResult{}, err
	}
	before := s.tr.Stats()
	_, points, err := s.fake.Counts()
	if err != nil {
		return nil, passResult{}, err
	}
	jobs := make([]crawler.Job, len(s.jobs))
	copy(jobs, s.jobs)
	for i := range jobs {
		if prev != nil {
			p := prev[i]
			jobs[i].Previous = &p
		}
		if s.endedDays > 0 {
			jobs[i].Since = now.AddDate(0, 0, -s.endedDays).Truncate(24 * time.Hour)
		}
	}
	start := time.Now()
	facts := s.forge.Fetch(ctx, jobs, now)
	wall := time.Since(start)
	c, pointsAfter, err := s.fake.Counts()
	if err != nil {
		return nil, passResult{}, err
	}
	st := s.tr.Stats()
	res := passResult{
		Forge: s.name, Pass: pass, Repos: len(jobs),
		Requests:      c.Total,
		GraphQLPoints: pointsAfter - points,
		NotModified:   st.NotModified - before.NotModified,
		Retries:       st.Retries - before.Retries,
		Waits:         st.Waits - before.Waits,
		Injected:      c.Failed,
		Refused:       c.Limited,
		WallSeconds:   wall.Seconds(),
		ByRoute:       c.ByPath,
	}
	for k, v := range c.ByPath {
		if strings.Contains(k, "/graphql") {
			res.GraphQLRequests += v
		}
	}
	if n := len(jobs); n > 0 {
		res.RequestsPerRepo = float64(res.Requests) / float64(n)
		res.PointsPerRepo = float64(res.GraphQLPoints) / float64(n)
	}
	if sent := st.Requests - before.Requests; sent > 0 {
		res.NotModifiedPct = 100 * float64(res.NotModified) / float64(sent)
	}
	for _, f := range facts {
		if f.Error != "" {
			res.RepoErrors++
		}
	}
	return facts, res, nil
}

// crawlBoth crawls both sides at once, as a scheduled crawl does, and
// returns each side's facts and figures and the wall time of the whole.
func crawlBoth(ctx context.Context, w *world, now time.Time, prev [][]crawler.Facts, pass string) ([][]crawler.Facts, []passResult, time.Duration, error) {
	facts := make([][]crawler.Facts, len(w.sides))
	res := make([]passResult, len(w.sides))
	errs := make([]error, len(w.sides))
	var wg sync.WaitGroup
	start := time.Now()
	for i, s := range w.sides {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var p []crawler.Facts
			if prev != nil {
				p = prev[i]
			}
			facts[i], res[i], errs[i] = crawl(ctx, s, now, p, pass)
		}()
	}
	wg.Wait()
	return facts, res, time.Since(start), errors.Join(errs...)
}

// run is the benchmark: a clean world crawled cold then unchanged; with
// faults, a faulty world crawled the same way and compared.
func run(ctx context.Context, cfg config) (*report, error) {
	if cfg.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.Timeout)
		defer cancel()
	}
	now := time.Now().UTC().Truncate(time.Second)
	rep := &report{Config: cfg}
	w, err := newWorld(ctx, cfg, now, false)
	if err != nil {
		return nil, err
	}
	defer w.close()
	if cfg.Store {
		if err := runStreamed(ctx, cfg, w, now, rep); err != nil {
			return nil, err
		}
		if err := ctx.Err(); err != nil {
			return rep, fmt.Errorf("benchmark stopped: %w", err)
		}
		return rep, nil
	}
	runtime.GC()
	rep.BaseHeapMiB = heapMiB()
	stopSampling := sampleHeap(&rep.PeakHeapMiB)
	defer stopSampling()
	cold, res, wall, err := crawlBoth(ctx, w, now, nil, "cold")
	if err != nil {
		return nil, err
	}
	rep.Passes = append(rep.Passes, res...)
	rep.WallTotal = wall.Seconds()
	if cfg.MemProfile != "" {
		if err := writeHeapProfile(cfg.MemProfile); err != nil {
			return nil, err
		}
	}
	warm, res, _, err := crawlBoth(ctx, w, now, cold, "unchanged")
	if err != nil {
		return nil, err
	}
	rep.Passes = append(rep.Passes, res...)
	rep.Unchanged = compare(w, w, cold, warm)

	if cfg.Faults {
		fw, err := newWorld(ctx, cfg, now, true)
		if err != nil {
			return nil, err
		}
		defer fw.close()
		fcold, res, _, err := crawlBoth(ctx, fw, now, nil, "cold+faults")
		if err != nil {
			return nil, err
		}
		rep.Passes = append(rep.Passes, res...)
		fwarm, res, _, err := crawlBoth(ctx, fw, now, fcold, "unchanged+faults")
		if err != nil {
			return nil, err
		}
		rep.Passes = append(rep.Passes, res...)
		a := compare(w, fw, cold, fcold)
		b := compare(w, fw, cold, fwarm)
		fc := faultCheck{OK: a.OK && b.OK, Compared: a.Compared + b.Compared}
		for _, m := range a.Mismatches {
			fc.Mismatches = append(fc.Mismatches, "cold: "+m)
		}
		for _, m := range b.Mismatches {
			fc.Mismatches = append(fc.Mismatches, "unchanged: "+m)
		}
		rep.FaultCheck = &fc
	}
	if err := ctx.Err(); err != nil {
		return rep, fmt.Errorf("benchmark stopped: %w", err)
	}
	stopSampling()
	rep.PeakRSSMiB, rep.PeakGoMiB = peakMemory()
	return rep, nil
}

// compare checks that got (crawled in world gw) has the same facts as want
// (crawled in ww), repository by repository, ignoring the crawl time and
// the fake servers' addresses, which differ between worlds.
func compare(ww, gw *world, want, got [][]crawler.Facts) faultCheck {
	fc := faultCheck{OK: true}
	for i, s := range gw.sides {
		for j := range want[i] {
			fc.Compared++
			a := normalized(ww.sides[i], want[i][j])
			b := normalized(s, got[i][j])
			if diff := jsonDiff(a, b); diff != "" {
				fc.OK = false
				if len(fc.Mismatches) < 50 {
					fc.Mismatches = append(fc.Mismatches, fmt.Sprintf("%s %s: %s", s.name, want[i][j].Ref.Path, diff))
				}
			}
		}
	}
	return fc
}

// normalized is f as JSON without its crawl time, the side's server address
// replaced by "FORGE".
func normalized(s *side, f crawler.Facts) []byte {
	f.CrawledAt = time.Time{}
	j, _ := json.Marshal(f)
	return bytes.ReplaceAll(j, []byte(strings.TrimPrefix(s.fake.URL(), "http://")), []byte("FORGE"))
}

// jsonDiff names the top-level fields in which two JSON objects differ
// ("" none), with both values for the fields the checks score.
func jsonDiff(ja, jb []byte) string {
	if bytes.Equal(ja, jb) {
		return ""
	}
	var ma, mb map[string]json.RawMessage
	json.Unmarshal(ja, &ma)
	json.Unmarshal(jb, &mb)
	keys := map[string]bool{}
	for k := range ma {
		keys[k] = true
	}
	for k := range mb {
		keys[k] = true
	}
	var diff []string
	for k := range keys {
		if !bytes.Equal(ma[k], mb[k]) {
			d := k
			if k == "error" || k == "activity" || k == "ci" || k == "license" || k == "readme" {
				d = fmt.Sprintf("%s %s → %s", k, short(ma[k]), short(mb[k]))
			}
			diff = append(diff, d)
		}
	}
	sort.Strings(diff)
	return strings.Join(diff, "; ")
}

func short(b json.RawMessage) string {
	s := string(b)
	if s == "" {
		return "∅"
	}
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}

// heapMiB reads the heap's object bytes (live and not yet collected).
func heapMiB() float64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return float64(s[0].Value.Uint64()) / (1 << 20)
}

// sampleHeap keeps the largest heapMiB in *peak until the returned function
// is called (calling it again is harmless).
func sampleHeap(peak *float64) func() {
	done := make(chan struct{})
	stopped := make(chan struct{})
	var once sync.Once
	go func() {
		defer close(stopped)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			*peak = max(*peak, heapMiB())
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() {
		once.Do(func() { close(done) })
		<-stopped
	}
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("heap profile: %w", err)
	}
	defer f.Close()
	runtime.GC()
	if err := pprof.WriteHeapProfile(f); err != nil {
		return fmt.Errorf("heap profile %s: %w", path, err)
	}
	return nil
}

// peakMemory returns the process's peak resident set (VmHWM, Linux) and
// the Go runtime's total mapped memory, in MiB.
func peakMemory() (rss, goMem float64) {
	if f, err := os.Open("/proc/self/status"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
				kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
				rss = kb / 1024
			}
		}
	}
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() == metrics.KindUint64 {
		goMem = float64(s[0].Value.Uint64()) / (1 << 20)
	}
	return rss, goMem
}
