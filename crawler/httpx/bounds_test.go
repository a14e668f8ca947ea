package httpx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"testing"
)

// endless streams n bytes of generated JSON-looking filler, never holding
// more than one small chunk: a forge answering a gigabyte.
type endless struct{ n int64 }

func (e endless) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	chunk := bytes.Repeat([]byte("0123456789abcdef"), 4096) // 64 KiB
	for sent := int64(0); sent < e.n; sent += int64(len(chunk)) {
		if _, err := w.Write(chunk[:min(int64(len(chunk)), e.n-sent)]); err != nil {
			return // the client hung up at its bound
		}
	}
}

func TestBodyBounds(t *testing.T) {
	const gig = 1 << 30
	tests := []struct {
		name      string
		size      int64
		text      bool
		wantErr   string
		wantLen   int64
		truncated bool
	}{
		{name: "small answer", size: 1000, wantLen: 1000},
		{name: "answer at the bound", size: 64 << 10, wantLen: 64 << 10},
		{name: "gigabyte answer", size: gig, wantErr: "exceeds 64 KiB"},
		{name: "small text", size: 1000, text: true, wantLen: 1000},
		{name: "gigabyte text", size: gig, text: true, wantLen: 16 << 10, truncated: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(endless{tc.size})
			defer srv.Close()
			tr, _ := newTestTransport(t, srv, Options{MaxBody: 64 << 10, MaxText: 16 << 10, Tokens: []string{"ghp_0123456789abcdefghij"}})
			ctx := context.Background()
			if tc.text {
				ctx = WithText(ctx)
			}
			req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/repos/o/r/contents/README.md", nil)
			resp, err := tr.Client().Do(req)
			if tc.wantErr != "" {
				if err == nil {
					resp.Body.Close()
					t.Fatalf("got %d, want an error", resp.StatusCode)
				}
				var tl *BodyTooLargeError
				if !errors.As(err, &tl) || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "/repos/o/r/contents/README.md") {
					t.Fatalf("error %q: want a BodyTooLargeError naming the URL and %q", err, tc.wantErr)
				}
				if n := tr.Stats().Requests; n != 1 {
					t.Errorf("%d attempts: an answer too large must not be asked again", n)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if int64(len(b)) != tc.wantLen {
				t.Errorf("read %d bytes, want %d", len(b), tc.wantLen)
			}
			if got := resp.Header.Get(TruncatedHeader) == "true"; got != tc.truncated {
				t.Errorf("truncated header %v, want %v", got, tc.truncated)
			}
		})
	}
}

// TestGigabyteBodyMemory reads a streamed gigabyte through the default
// bounds and checks the bytes allocated stay within a generous multiple of
// the bound: a functional bound (the body is not read whole), not a
// performance measure (see BenchmarkGigabyteBody).
func TestGigabyteBodyMemory(t *testing.T) {
	srv := httptest.NewServer(endless{1 << 30})
	defer srv.Close()
	tr, _ := newTestTransport(t, srv, Options{})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := tr.Client().Get(srv.URL + "/graphql")
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "exceeds 16 MiB") {
		t.Fatalf("error %v: want the 16 MiB bound", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 256<<20 {
		t.Errorf("allocated %d MiB reading a refused gigabyte: the body was not bounded", alloc>>20)
	}
}

// BenchmarkGigabyteBody measures what a forge streaming a gigabyte costs
// the transport: figures in docs/benchmarks.md.
func BenchmarkGigabyteBody(b *testing.B) {
	srv := httptest.NewServer(endless{1 << 30})
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	tr := NewTransport(Options{Forge: "bench", AllowedHosts: []string{u.Host}, MaxRetries: -1, Logger: slog.New(slog.DiscardHandler)})
	c := tr.Client()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Get(srv.URL + "/graphql"); err == nil {
			b.Fatal("a gigabyte answer was accepted")
		}
	}
}

// recordingServer records the credentials and paths it receives.
type recordingServer struct {
	scripted
	paths []string
}

func (r *recordingServer) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.paths = append(r.paths, req.URL.String())
	r.mu.Unlock()
	r.scripted.ServeHTTP(w, req)
}

func TestRedirects(t *testing.T) {
	const token = "glpat-RedirectSecret12345"
	// The plain-http listener a downgrade would reach: it records whatever
	// arrives.
	clear := &recordingServer{scripted: scripted{steps: []step{{code: 200, body: "{}"}}}}
	clearSrv := httptest.NewServer(clear)
	defer clearSrv.Close()
	clearHost := strings.TrimPrefix(clearSrv.URL, "http://")
	// Another allowed host, over TLS: a cross-host redirect reaches it
	// without credentials.
	other := &recordingServer{scripted: scripted{steps: []step{{code: 200, body: "{}"}}}}
	otherSrv := httptest.NewTLSServer(other)
	defer otherSrv.Close()
	otherHost := strings.TrimPrefix(otherSrv.URL, "https://")

	forge := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/downgrade":
			http.Redirect(w, r, clearSrv.URL+"/api/v4/projects/1?private_token="+r.Header.Get("PRIVATE-TOKEN"), http.StatusFound)
		case "/elsewhere":
			http.Redirect(w, r, otherSrv.URL+"/api/v4/projects/2", http.StatusMovedPermanently)
		case "/same":
			http.Redirect(w, r, "/api/v4/projects/3", http.StatusMovedPermanently)
		default:
			w.Write([]byte(`{"seen":"` + r.Header.Get("PRIVATE-TOKEN") + `"}`))
		}
	}))
	defer forge.Close()
	forgeHost := strings.TrimPrefix(forge.URL, "https://")

	tr := NewTransport(Options{Forge: "gitlab", Kind: KindGitLab, Tokens: []string{token},
		AllowedHosts: []string{forgeHost, clearHost, otherHost}, MaxRetries: -1,
		Base: forge.Client().Transport, Logger: slog.New(slog.DiscardHandler)})
	clients := map[string]*http.Client{
		"transport's client": tr.Client(),
		// A client with Go's default redirect policy: the transport
		// refuses on its own.
		"plain client": {Transport: tr},
	}
	for name, c := range clients {
		t.Run(name, func(t *testing.T) {
			_, err := c.Get(forge.URL + "/downgrade")
			if err == nil || !strings.Contains(err.Error(), "leaves https for http") || !strings.Contains(err.Error(), clearHost) {
				t.Errorf("downgrade: error %v, want a refusal naming the http URL", err)
			}
			// http.Client quotes the Location it was given (here with the
			// token the forge echoed: scan redacts that); the transport's
			// own message does not.
			if ue := (*url.Error)(nil); errors.As(err, &ue) && strings.Contains(ue.Err.Error(), token) {
				t.Errorf("downgrade: the transport's error quotes the token: %v", ue.Err)
			}
			if clear.count() != 0 {
				t.Errorf("the http listener received %d requests: %v", clear.count(), clear.paths)
			}

			resp, err := c.Get(forge.URL + "/elsewhere")
			if err != nil {
				t.Fatalf("cross-host redirect: %v", err)
			}
			resp.Body.Close()
			other.mu.Lock()
			for _, a := range other.auth {
				if a != "" {
					t.Errorf("the other host received credentials %q", a)
				}
			}
			other.mu.Unlock()

			resp, err = c.Get(forge.URL + "/same")
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			// The same host keeps its token (redacted from the echo).
			if !strings.Contains(string(b), Redacted) || strings.Contains(string(b), token) {
				t.Errorf("same-host redirect: body %s: want the token sent and its echo redacted", b)
			}
		})
	}
}

func TestEchoedTokenRedacted(t *testing.T) {
	const token = "ghp_EchoedSecret0123456789"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"message":"Bad credentials: %s","documentation_url":"https://docs.github.com?t=%s"}`, r.Header.Get("Authorization"), r.URL.Query().Get("access_token"))
	}))
	defer srv.Close()
	var logs bytes.Buffer
	tr, _ := newTestTransport(t, srv, Options{Tokens: []string{token}, Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	resp, err := tr.Client().Get(srv.URL + "/repos/o/r?access_token=" + token)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(b), token) || !strings.Contains(string(b), "Bearer "+Redacted) {
		t.Errorf("body handed to the caller: %s", b)
	}
}

func TestRedactor(t *testing.T) {
	const tok = "glpat-AAAAbbbbCCCCdddd1234"
	r := NewRedactor(tok, "short", "")
	tests := []struct{ in, want string }{
		{"401 PRIVATE-TOKEN " + tok + " refused", "401 PRIVATE-TOKEN REDACTED refused"},
		{"nothing here", "nothing here"},
		{"short stays", "short stays"},
		{tok + tok, "REDACTEDREDACTED"},
	}
	for _, tc := range tests {
		if got := r.String(tc.in); got != tc.want {
			t.Errorf("String(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	cause := context.DeadlineExceeded
	err := r.Error(fmt.Errorf("GET x?token=%s: %w", tok, cause))
	if strings.Contains(err.Error(), tok) || !errors.Is(err, cause) {
		t.Errorf("Error: %v (keeps the cause: %v)", err, errors.Is(err, cause))
	}
	var logs bytes.Buffer
	log := slog.New(r.Handler(slog.NewJSONHandler(&logs, nil))).With("k", tok)
	log.Info("msg "+tok, "err", errors.New("e "+tok), slog.Group("g", "v", tok), "url", &url.URL{Scheme: "https", Host: "h", RawQuery: "t=" + tok})
	if strings.Contains(logs.String(), tok) || strings.Count(logs.String(), Redacted) != 5 {
		t.Errorf("log line: %s", logs.String())
	}
	var nilR *Redactor
	if nilR.String("x") != "x" {
		t.Error("a nil Redactor changes text")
	}
}
