package gitea

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/eiglink/vigie/crawler"
)

// ci reads how the head commit's CI went into fa.CI.
//
// The combined commit status comes first: Woodpecker, Drone, Jenkins and
// Gitea/Forgejo Actions all post statuses on the commit they ran for
// (Actions for push and pull-request runs). Its state maps as GitHub's
// does: failure and error fail, pending runs, success and warning pass;
// nothing posted (state "" or total_count 0) is no status.
//
// Gitea and Forgejo Actions post no status for a scheduled run (nor for
// a manual one): a repository whose only workflow runs on a schedule has an
// empty combined status. When the files hold Actions workflows and nothing
// was posted, the newest run on the default branch stands in, from
// /actions/runs (Gitea 1.24 and later) or /actions/tasks (Gitea 1.22-1.23
// and Forgejo): a scheduled-only workflow then shows its latest scheduled
// run's result, whichever commit it ran on. An instance without either
// route (older, or Actions disabled) leaves the status "none".
func (f *Forge) ci(ctx context.Context, s *state, fa *crawler.Facts) {
	fa.CI.Status = crawler.StatusNone
	var cs struct {
		State      string `json:"state"`
		TotalCount int    `json:"total_count"`
		Statuses   []struct {
			Status    string    `json:"status"`
			TargetURL string    `json:"target_url"`
			CreatedAt time.Time `json:"created_at"`
			UpdatedAt time.Time `json:"updated_at"`
		} `json:"statuses"`
	}
	_, err := f.getJSON(ctx, s.path()+"/commits/"+url.PathEscape(s.headSHA)+"/status", url.Values{"limit": {strconv.Itoa(pageSize)}}, &cs)
	switch {
	case statusOf(err) == http.StatusNotFound:
		// Nothing posted on the commit, in a stand-in's words (Gitea
		// itself answers an empty status).
	case err != nil:
		f.log.Warn("combined status", "repo", s.owner+"/"+s.name, "err", err)
		fa.CI.Status = crawler.StatusUnknown
		return
	}
	if cs.State != "" && (cs.TotalCount > 0 || len(cs.Statuses) > 0) {
		switch cs.State {
		case "failure", "error":
			fa.CI.Status = crawler.StatusFailure
		case "pending":
			fa.CI.Status = crawler.StatusRunning
		case "success", "warning":
			fa.CI.Status = crawler.StatusSuccess
		default:
			fa.CI.Status = crawler.StatusUnknown
		}
		for _, st := range cs.Statuses {
			at := st.UpdatedAt
			if at.IsZero() {
				at = st.CreatedAt
			}
			if at.After(fa.CI.RunAt) || at.Equal(fa.CI.RunAt) && st.TargetURL < fa.CI.RunURL {
				fa.CI.RunAt, fa.CI.RunURL = at.UTC(), f.runURL(st.TargetURL)
			}
		}
		return
	}
	if !slices.Contains(fa.CI.Systems, crawler.CIGiteaActions) || (s.repo.HasActions != nil && !*s.repo.HasActions) {
		return
	}
	if run, ok := f.latestRun(ctx, s); ok {
		fa.CI.Status, fa.CI.RunAt, fa.CI.RunURL = run.status, run.at, run.url
	}
}

// actionRun decodes an entry of /actions/runs (ActionWorkflowRun: status
// and conclusion) and of /actions/tasks (ActionTask: one status word).
type actionRun struct {
	Status       string    `json:"status"`
	Conclusion   string    `json:"conclusion"`
	HeadBranch   string    `json:"head_branch"`
	RunNumber    int64     `json:"run_number"`
	Event        string    `json:"event"`
	HTMLURL      string    `json:"html_url"`
	URL          string    `json:"url"`
	StartedAt    time.Time `json:"started_at"`
	CompletedAt  time.Time `json:"completed_at"`
	RunStartedAt time.Time `json:"run_started_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	CreatedAt    time.Time `json:"created_at"`
}

type runVerdict struct {
	status string
	at     time.Time
	url    string
}

// verdict maps a run to docs/reference.md's words; ok is false for a run that
// reached no verdict (skipped, blocked waiting for approval).
func (r actionRun) verdict() (string, bool) {
	word := r.Status
	if r.Status == "completed" {
		word = r.Conclusion
	}
	switch word {
	case "success":
		return crawler.StatusSuccess, true
	case "failure", "cancelled", "timed_out", "startup_failure":
		return crawler.StatusFailure, true
	case "running", "waiting", "queued", "in_progress", "pending":
		return crawler.StatusRunning, true
	}
	return crawler.StatusUnknown, false
}

// latestRun returns the newest Actions run of the default branch that
// reached a verdict, among the newest page.
func (f *Forge) latestRun(ctx context.Context, s *state) (runVerdict, bool) {
	var list struct {
		Runs []actionRun `json:"workflow_runs"`
	}
	for {
		mode := f.actions.Load()
		rel, q := "", url.Values{"limit": {strconv.Itoa(pageSize)}}
		switch mode {
		case actionsUnknown, actionsRuns:
			rel = s.path() + "/actions/runs"
			q.Set("branch", s.repo.DefaultBranch)
		default:
			rel = s.path() + "/actions/tasks"
		}
		_, err := f.getJSON(ctx, rel, q, &list)
		if st := statusOf(err); st == http.StatusNotFound || st == http.StatusMethodNotAllowed {
			// The route does not exist here: an older instance, or this
			// repository's Actions unit is off (a repository without runs
			// answers an empty list). /actions/tasks exists wherever
			// /actions/runs does, so the crawl goes on with it; a 404 there
			// is this repository's answer only.
			if mode == actionsTasks {
				return runVerdict{}, false
			}
			f.actions.CompareAndSwap(mode, actionsTasks)
			continue
		}
		if err != nil {
			f.log.Warn("actions runs", "repo", s.owner+"/"+s.name, "err", err)
			return runVerdict{status: crawler.StatusUnknown}, true
		}
		f.actions.CompareAndSwap(actionsUnknown, actionsRuns)
		break
	}
	// Newest first, as Gitea lists them; the branch is checked here too,
	// since /actions/tasks filters nothing. A task is one job of a run:
	// the jobs of the newest run with a verdict are read together (one
	// failed job fails the run, one still going keeps it running).
	var out runVerdict
	run := int64(-1)
	for _, r := range list.Runs {
		if r.HeadBranch != "" && r.HeadBranch != s.repo.DefaultBranch {
			continue
		}
		if run >= 0 && r.RunNumber != run {
			break
		}
		st, ok := r.verdict()
		if !ok {
			continue
		}
		if run < 0 {
			run = r.RunNumber
			out.status = st
			link := r.HTMLURL
			if link == "" {
				link = r.URL // an ActionTask's url is its run's page
			}
			out.url = f.runURL(link)
		}
		switch {
		case st == crawler.StatusFailure:
			out.status = st
		case st == crawler.StatusRunning && out.status != crawler.StatusFailure:
			out.status = st
		}
		for _, t := range []time.Time{r.CompletedAt, r.StartedAt, r.RunStartedAt, r.UpdatedAt, r.CreatedAt} {
			// Gitea writes an unset time as the zero time or as the Unix
			// epoch.
			if t.Year() > 1970 {
				if t.After(out.at) {
					out.at = t.UTC()
				}
				break
			}
		}
		if r.RunNumber == 0 {
			break // runs without numbers cannot be grouped: the newest alone
		}
	}
	if run >= 0 {
		return out, true
	}
	return runVerdict{}, false
}
