package scan

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/eiglink/vigie/config"
	"github.com/eiglink/vigie/crawler/httpx"
)

// A check's client fails at once on a quota that refills in an hour
// (httpx's default MaxWait would hold the request until then).
func TestCheckHTTPDoesNotWaitAnHour(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-RateLimit-Limit", "60")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10))
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte(`{"message":"API rate limit exceeded for 127.0.0.1."}`))
	}))
	defer srv.Close()
	f := config.Forge{Name: "github", Type: "github", APIURL: srv.URL}
	start := time.Now()
	_, err := CheckHTTP(time.Minute, nil)(f).Get(srv.URL + "/repos/o/r")
	var rl *httpx.RateLimitError
	if !errors.As(err, &rl) {
		t.Fatalf("err = %v, want a RateLimitError", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("failed after %v", d)
	}
}
