package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"time"

	"github.com/eiglink/vigie/internal/fakeforge"
	"github.com/eiglink/vigie/internal/fakeforge/fakegithub"
	"github.com/eiglink/vigie/internal/fakeforge/fakegitlab"
)

// fake is one fake forge as the benchmark drives it: in this process, or in
// a child process so that the memory measured is the crawl's alone.
type fake interface {
	URL() string
	// Counts returns the middleware's counters and the GraphQL points the
	// forge charged so far.
	Counts() (fakeforge.Counts, int, error)
	ResetCounts() error
}

// localFake is a fake forge served from this process.
type localFake struct {
	f      *fakeforge.Faults
	srv    *httptest.Server
	points func() int
}

func (l *localFake) URL() string { return l.srv.URL }
func (l *localFake) Counts() (fakeforge.Counts, int, error) {
	return l.f.Counts(), l.points(), nil
}
func (l *localFake) ResetCounts() error { l.f.ResetCounts(); return nil }

// startFakes serves the dataset's two forges (GitHub first), behind the
// fault middleware: latency always, failures and a rate-limit window when
// faulty.
func startFakes(cfg config, d dataset, faulty bool) []*localFake {
	var ghOpts []fakegithub.GitHubOption
	if cfg.GitHubREST {
		ghOpts = append(ghOpts, fakegithub.WithGitHubRateLimit(1<<30, 5000))
	}
	gh := fakegithub.NewGitHub(d.ghRepos, ghOpts...)
	gl := fakegitlab.NewGitLab(d.glRepos)
	gl.SetGraphQL(!cfg.GitLabREST)
	var glHandler http.Handler = gl
	if !cfg.GitLabLimit {
		glHandler = withoutRateLimitHeaders(gl)
	}
	var out []*localFake
	for _, spec := range []struct {
		h      http.Handler
		style  string
		after  int
		points func() int
	}{
		{gh, fakeforge.LimitGitHub, 10, gh.GraphQLPoints},
		{glHandler, fakeforge.Limit429, 300, func() int { return 0 }},
	} {
		fo := fakeforge.FaultOptions{Latency: cfg.Latency, Route: route, Seed: cfg.Seed}
		if faulty {
			fo.FailRate = 0.1
			fo.RateLimitAfter = spec.after
			fo.RateLimitFor = 2 * time.Second
			fo.RateLimitStyle = spec.style
		}
		f := fakeforge.WithFaults(spec.h, fo)
		out = append(out, &localFake{f: f, srv: httptest.NewServer(f), points: spec.points})
	}
	return out
}

// fakesAddr is what a child process serving fakes announces on its first
// line of output.
type fakesAddr struct {
	GitHub  string `json:"github"`
	GitLab  string `json:"gitlab"`
	Control string `json:"control"`
}

// countsReply is the control endpoint's answer.
type countsReply struct {
	Counts fakeforge.Counts `json:"counts"`
	Points int              `json:"points"`
}

// serveFakes is the child process: it serves the fakes and a control
// endpoint (counts, reset) until its standard input closes.
func serveFakes(cfg config, faulty bool, now time.Time, in io.Reader, out io.Writer) error {
	d, err := newDataset(cfg, now)
	if err != nil {
		return err
	}
	fakes := startFakes(cfg, d, faulty)
	d = dataset{} // the fakes keep their own copies
	byName := map[string]*localFake{"github": fakes[0], "gitlab": fakes[1]}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /counts/{forge}", func(w http.ResponseWriter, r *http.Request) {
		f := byName[r.PathValue("forge")]
		if f == nil {
			http.NotFound(w, r)
			return
		}
		c, p, _ := f.Counts()
		json.NewEncoder(w).Encode(countsReply{Counts: c, Points: p})
	})
	mux.HandleFunc("POST /reset/{forge}", func(w http.ResponseWriter, r *http.Request) {
		f := byName[r.PathValue("forge")]
		if f == nil {
			http.NotFound(w, r)
			return
		}
		f.ResetCounts()
	})
	ctl := httptest.NewServer(mux)
	defer ctl.Close()
	for _, f := range fakes {
		defer f.srv.Close()
	}
	if err := json.NewEncoder(out).Encode(fakesAddr{GitHub: fakes[0].URL(), GitLab: fakes[1].URL(), Control: ctl.URL}); err != nil {
		return fmt.Errorf("announcing the fakes: %w", err)
	}
	_, err = io.Copy(io.Discard, in)
	return err
}

// childEnv is set in the environment of the child process.
const childEnv = "VIGIE_BENCH_CHILD"

// remoteFake is a fake forge served by a child process.
type remoteFake struct {
	name, url, control string
	client             *http.Client
}

func (r *remoteFake) URL() string { return r.url }

func (r *remoteFake) Counts() (fakeforge.Counts, int, error) {
	resp, err := r.client.Get(r.control + "/counts/" + r.name)
	if err != nil {
		return fakeforge.Counts{}, 0, fmt.Errorf("fake %s counts: %w", r.name, err)
	}
	defer resp.Body.Close()
	var c countsReply
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil {
		return fakeforge.Counts{}, 0, fmt.Errorf("fake %s counts: %w", r.name, err)
	}
	return c.Counts, c.Points, nil
}

func (r *remoteFake) ResetCounts() error {
	resp, err := r.client.Post(r.control+"/reset/"+r.name, "", nil)
	if err != nil {
		return fmt.Errorf("fake %s reset: %w", r.name, err)
	}
	resp.Body.Close()
	return nil
}

// spawnFakes starts a child process serving the fakes and returns them and
// a function that stops it.
func spawnFakes(ctx context.Context, cfg config, faulty bool, now time.Time) ([]fake, func(), error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, nil, fmt.Errorf("finding the benchmark's executable: %w", err)
	}
	args := []string{"-serve-fakes", "-n", strconv.Itoa(cfg.N), "-latency", cfg.Latency.String(),
		"-seed", strconv.FormatUint(cfg.Seed, 10), "-real", cfg.Real, "-now", now.Format(time.RFC3339),
		"-gitlab-limit=" + strconv.FormatBool(cfg.GitLabLimit), "-github-rest=" + strconv.FormatBool(cfg.GitHubREST), "-gitlab-rest=" + strconv.FormatBool(cfg.GitLabREST),
		"-faulty=" + strconv.FormatBool(faulty)}
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Stderr = os.Stderr
	// Tells a test binary (see TestMain) to act as the command.
	cmd.Env = append(os.Environ(), childEnv+"=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, fmt.Errorf("starting the fake forges: %w", err)
	}
	stop := func() {
		stdin.Close()
		cmd.Wait()
	}
	line, err := bufio.NewReader(stdout).ReadBytes('\n')
	var a fakesAddr
	if err == nil {
		err = json.Unmarshal(line, &a)
	}
	if err == nil && (a.GitHub == "" || a.GitLab == "" || a.Control == "") {
		err = errors.New("incomplete announcement")
	}
	if err != nil {
		stop()
		return nil, nil, fmt.Errorf("the fake forges' process did not start: %w", err)
	}
	c := &http.Client{Timeout: 30 * time.Second}
	return []fake{
		&remoteFake{name: "github", url: a.GitHub, control: a.Control, client: c},
		&remoteFake{name: "gitlab", url: a.GitLab, control: a.Control, client: c},
	}, stop, nil
}
