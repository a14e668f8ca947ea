package gitea

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// The client is a thin layer over net/http rather than
// code.gitea.io/sdk/gitea: the SDK asks /version when it is built and
// refuses a version string it cannot parse (Forgejo's "11.0.3+gitea-1.22.0")
// unless the check is turned off, gates endpoints on that version, decodes
// into its own structs (no room for Forgejo's shapes of the same routes,
// nor for telling an absent field from an empty one, which is how the
// licence verdict of Gitea 1.23 is told from older versions), and hides the
// headers vigie pages on (X-HasMore, X-Total-Count). The dozen GET routes
// vigie needs fit in this file; the shared transport (crawler/httpx) under
// the *http.Client does retries, pacing, ETags and counting as for the
// other forges.

// apiError is an answer other than 2xx.
type apiError struct {
	Method, URL string
	Status      int
	Message     string
}

func (e *apiError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	return fmt.Sprintf("%s %s: %d %s", e.Method, e.URL, e.Status, msg)
}

// statusOf returns the HTTP status of a failed call, 0 for another error.
func statusOf(err error) int {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.Status
	}
	return 0
}

// maxBody bounds what is read of one answer: a licence or README larger
// than this is cut (the README text is cut further in the facts).
const maxBody = 4 << 20

// escapePath escapes each segment of a slash-separated path.
func escapePath(p string) string {
	segs := strings.Split(strings.Trim(p, "/"), "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// get sends GET api+rel?q and returns the response (its body read into
// body). A non-2xx answer is an *apiError carrying Gitea's message.
func (f *Forge) get(ctx context.Context, rel string, q url.Values) (*http.Response, []byte, error) {
	u := f.api + "/" + strings.TrimPrefix(rel, "/")
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("GET %s: %w", u, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := f.hc.Do(req)
	if err != nil {
		return nil, nil, err // url.Error already names method and URL
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return resp, nil, fmt.Errorf("GET %s: reading body: %w", u, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		ae := &apiError{Method: http.MethodGet, URL: u, Status: resp.StatusCode}
		var m struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(body, &m) == nil {
			ae.Message = m.Message
		}
		return resp, body, ae
	}
	return resp, body, nil
}

// getJSON is get decoding the answer into v.
func (f *Forge) getJSON(ctx context.Context, rel string, q url.Values, v any) (*http.Response, error) {
	resp, body, err := f.get(ctx, rel, q)
	if err != nil {
		return resp, err
	}
	if err := json.Unmarshal(body, v); err != nil {
		return resp, fmt.Errorf("GET %s: decoding: %w", resp.Request.URL.Redacted(), err)
	}
	return resp, nil
}

// hasMore tells from a page's headers whether another page follows: Gitea
// says X-HasMore on some lists and a Link rel="next" on all; without
// either (a proxy that drops headers) a page that was not empty may have a
// successor. Pages are never assumed full at the size asked: an instance
// whose MAX_RESPONSE_ITEMS is below it answers shorter pages, and pages on
// by its size.
func hasMore(resp *http.Response, n int) bool {
	if v := resp.Header.Get("X-HasMore"); v != "" {
		b, err := strconv.ParseBool(v)
		return err == nil && b
	}
	link := resp.Header.Get("Link")
	if link != "" || resp.Header.Get("X-Total-Count") != "" {
		return strings.Contains(link, `rel="next"`)
	}
	return n > 0
}
