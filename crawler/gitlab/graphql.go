package gitlab

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	gl "gitlab.com/gitlab-org/api/client-go"
)

// GitLab's GraphQL API answers, for up to 50 projects a call, what REST
// needs one call per project for: the opened merge request count, the
// latest release and the languages. The rest (licence verdict, files,
// pipelines of the default branch, commits) stays on REST: GraphQL has no
// licence field and its tree and pipelines need the branch known first.

// graphQLBatch is GitLab's limit on projects(fullPaths:).
const graphQLBatch = 50

const projectsQuery = `query vigieProjects($paths: [String!], $n: Int) {
  projects(fullPaths: $paths, first: $n) {
    nodes {
      fullPath
      mergeRequests(state: opened) { count }
      releases(first: 1, sort: RELEASED_AT_DESC) { nodes { tagName name releasedAt createdAt } }
      languages { name share }
    }
  }
}`

// gqlProject is one project of the answer. Nil connections mean the
// feature is off or hidden from us.
type gqlProject struct {
	FullPath      string `json:"fullPath"`
	MergeRequests *struct {
		Count int `json:"count"`
	} `json:"mergeRequests"`
	Releases *struct {
		Nodes []struct {
			TagName    string     `json:"tagName"`
			Name       string     `json:"name"`
			ReleasedAt *time.Time `json:"releasedAt"`
			CreatedAt  *time.Time `json:"createdAt"`
		} `json:"nodes"`
	} `json:"releases"`
	Languages []struct {
		Name  string  `json:"name"`
		Share float64 `json:"share"`
	} `json:"languages"`
}

type gqlResponse struct {
	Data *struct {
		Projects *struct {
			Nodes []gqlProject `json:"nodes"`
		} `json:"projects"`
	} `json:"data"`
	Errors []struct {
		Message string `json:"message"`
	} `json:"errors"`
}

// errGraphQLUnusable marks an answer that will not change on retry: no
// GraphQL endpoint (404), or a schema without the fields asked (an older
// instance).
var errGraphQLUnusable = errors.New("GraphQL API unusable")

// graphQLProjects asks the project-level facts of paths in batches. It
// returns what it got by lower-case full path; a failed batch leaves its
// projects out (REST then asks for them).
func (f *Forge) graphQLProjects(ctx context.Context, paths []string) map[string]*gqlProject {
	out := map[string]*gqlProject{}
	if f.graphQLOff.Load() || len(paths) == 0 {
		return out
	}
	c := call{f: f, cl: f.clients[0]}
	for start := 0; start < len(paths); start += graphQLBatch {
		batch := paths[start:min(start+graphQLBatch, len(paths))]
		nodes, err := f.graphQLBatch(ctx, c, batch)
		if err != nil {
			if errors.Is(err, errGraphQLUnusable) {
				f.graphQLOff.Store(true)
				f.log.Info("GitLab GraphQL API not usable, using REST only", "err", err)
				return out
			}
			f.log.Warn("GraphQL batch failed, using REST for it", "err", err)
			continue
		}
		for i := range nodes {
			out[strings.ToLower(nodes[i].FullPath)] = &nodes[i]
		}
	}
	return out
}

func (f *Forge) graphQLBatch(ctx context.Context, c call, paths []string) ([]gqlProject, error) {
	// The endpoint is INSTANCE_ROOT/api/graphql, beside /api/v4 (with the
	// instance's path prefix, which the client's own GraphQL helper drops).
	u := c.cl.BaseURL()
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.Path = strings.TrimSuffix(u.Path, "/v4") + "/graphql"
	u.RawPath = ""
	body := gl.GraphQLQuery{Query: projectsQuery, Variables: map[string]any{"paths": paths, "n": len(paths)}}
	req, err := c.cl.NewRequestToURL(http.MethodPost, u, body, []gl.RequestOptionFunc{gl.WithContext(ctx)})
	if err != nil {
		return nil, fmt.Errorf("gitlab: POST %s: %w", u.Redacted(), err)
	}
	var resp gqlResponse
	r, err := c.cl.Do(req, &resp)
	if err != nil {
		st := statusOf(r)
		if errors.Is(err, gl.ErrNotFound) || st == http.StatusNotFound || st == http.StatusMethodNotAllowed || st == http.StatusBadRequest {
			return nil, fmt.Errorf("gitlab: POST %s: %d: %w", u.Redacted(), st, errGraphQLUnusable)
		}
		return nil, fmt.Errorf("gitlab: POST %s: %w", u.Redacted(), err)
	}
	if len(resp.Errors) > 0 {
		msgs := make([]string, len(resp.Errors))
		for i, e := range resp.Errors {
			msgs[i] = e.Message
		}
		all := strings.Join(msgs, "; ")
		// A schema error will come back on every call; anything else
		// (a timeout, a complexity limit) may not.
		if strings.Contains(all, "doesn't exist") || strings.Contains(all, "Unknown argument") || strings.Contains(all, "isn't supported") || strings.Contains(all, "Unknown type") {
			return nil, fmt.Errorf("gitlab: POST %s: %s: %w", u.Redacted(), all, errGraphQLUnusable)
		}
		return nil, fmt.Errorf("gitlab: POST %s: %s", u.Redacted(), all)
	}
	if resp.Data == nil || resp.Data.Projects == nil {
		return nil, fmt.Errorf("gitlab: POST %s: no projects in the answer: %w", u.Redacted(), errGraphQLUnusable)
	}
	return resp.Data.Projects.Nodes, nil
}
