package web

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/eiglink/vigie/checks"
	"github.com/eiglink/vigie/store"
)

// apiRepos answers docs/reference.md's result objects of the latest snapshot, one
// per followed repository, in configuration order. A repository whose
// newest crawl failed appears with that error (its last good scores are on
// its page and in the metrics, unless it is missing or not public).
func (s *Server) apiRepos(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	latest, err := s.st.Latest(ctx)
	if err != nil {
		s.log.ErrorContext(ctx, "web: api", "err", err)
		writeJSON(w, http.StatusInternalServerError, apiError{"store unavailable"})
		return
	}
	byID := map[string]checks.Result{}
	for _, sn := range latest {
		if _, ok := s.followed.Defi(sn.Result.Repo); ok {
			byID[sn.Result.Repo] = sn.Result
		}
	}
	views, err := s.followedViews(ctx)
	if err != nil {
		s.log.ErrorContext(ctx, "web: api", "err", err)
		writeJSON(w, http.StatusInternalServerError, apiError{"store unavailable"})
		return
	}
	out := make([]checks.Result, 0, len(byID))
	for _, v := range views {
		if res, ok := byID[v.ID]; ok {
			out = append(out, res)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

type apiError struct {
	Error string `json:"error"`
}

func (s *Server) apiRepo(w http.ResponseWriter, r *http.Request) {
	id, ok := parseRepo(r.PathValue("repo"))
	if !ok {
		writeJSON(w, http.StatusBadRequest, apiError{"malformed repository path: want /api/repos/HOST/OWNER/NAME"})
		return
	}
	sn, _, err := s.lookup(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		writeJSON(w, http.StatusNotFound, apiError{"repository not followed: " + id})
		return
	}
	if err != nil {
		s.log.ErrorContext(r.Context(), "web: api", "err", err)
		writeJSON(w, http.StatusInternalServerError, apiError{"store unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, sn.Result)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
