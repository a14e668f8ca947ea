package github

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	gh "github.com/google/go-github/v60/github"
)

// A file over 1 MB comes from the contents API with an empty content and
// encoding "none"; its text is then asked with the raw media type rather
// than the repository failing.
func TestFileTextOverOneMegabyte(t *testing.T) {
	big := strings.Repeat("ligne de documentation\n", 50000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/repos/o/r/contents/docs/READ ME.md" {
			http.NotFound(w, r)
			return
		}
		if !strings.Contains(r.Header.Get("Accept"), "raw") {
			t.Errorf("Accept = %q, want the raw media type", r.Header.Get("Accept"))
		}
		w.Write([]byte(big))
	}))
	defer srv.Close()
	c := gh.NewClient(srv.Client())
	c.BaseURL, _ = url.Parse(srv.URL + "/")
	ctx := context.Background()

	fc := &gh.RepositoryContent{Path: gh.String("docs/READ ME.md"), Size: gh.Int(len(big)), Encoding: gh.String("none"), Content: gh.String("")}
	got, err := fileText(ctx, c, "o", "r", fc)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != big[:min(len(big), maxRawText)] {
		t.Errorf("got %d bytes, want the file's first %d", len(got), min(len(big), maxRawText))
	}

	small := &gh.RepositoryContent{Path: gh.String("README.md"), Encoding: gh.String("base64"), Content: gh.String("IyBP\ndXRpbA==\n")}
	if got, err := fileText(ctx, c, "o", "r", small); err != nil || string(got) != "# Outil" {
		t.Errorf("base64 content = %q, %v", got, err)
	}
}
