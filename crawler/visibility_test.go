package crawler

import (
	"strings"
	"testing"
	"time"
)

func TestPublicAnswer(t *testing.T) {
	for _, tc := range []struct {
		body string
		want bool
	}{
		{`{"full_name":"o/r","private":false,"visibility":"public"}`, true},
		{`{"full_name":"o/r","private":true,"visibility":"private"}`, false},
		{`{"full_name":"o/r","private":true,"visibility":"internal"}`, false},
		{`{"path_with_namespace":"g/p","visibility":"internal"}`, false},
		{`{"path_with_namespace":"g/p","visibility":"Public"}`, true},
		{`{"full_name":"o/r","private":false,"internal":true}`, false}, // Gitea
		{` [{"visibility":"public"},{"visibility":"private"}]`, false}, // a listing that says more than asked
		{`[{"visibility":"public"},{"private":false}]`, true},
		{`[{"sha":"abc","commit":{"message":"private: true"}}]`, true}, // not a repository
		{`# README`, true}, // a file's text
		{``, true},
		{`{"private":"yes"}`, true}, // not the forges' shape
		// A repository's answer that does not say (a proxy, an old
		// server) is not public, as the crawlers read it...
		{`{"full_name":"o/r","description":"secret"}`, false},
		{`{"path_with_namespace":"g/p","description":"secret"}`, false},
		{`[{"full_name":"o/r","private":false},{"full_name":"o/s"}]`, false},
		{`{"full_name":"o/r","private":null,"visibility":null}`, false},
		// ...unless it answered a request without credentials.
		{`anonymous {"path_with_namespace":"g/p","description":"public"}`, true},
		{`anonymous [{"full_name":"o/r"}]`, true},
		{`anonymous {"full_name":"o/r","private":true}`, false},
	} {
		body, anonymous := strings.CutPrefix(tc.body, "anonymous ")
		if got := PublicAnswerFor(anonymous)([]byte(body)); got != tc.want {
			t.Errorf("PublicAnswerFor(%v)(%s) = %v, want %v", anonymous, body, got, tc.want)
		}
		if !anonymous {
			if got := PublicAnswer([]byte(body)); got != tc.want {
				t.Errorf("PublicAnswer(%s) = %v, want %v", body, got, tc.want)
			}
		}
	}
}

func TestNotPublic(t *testing.T) {
	now := time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)
	ref := Ref{Host: "github.com", Path: "o/r", URL: "https://github.com/o/r"}
	for _, v := range []string{"private", "internal", "", "public"} {
		f := NotPublic(ref, now, v)
		if f.Public() || !f.Withheld() || f.Error == "" || f.NotFound {
			t.Errorf("NotPublic(%q) = %+v", v, f)
		}
	}
	if f := (Facts{Visibility: VisibilityPublic}); !f.Public() || f.Withheld() {
		t.Error("public facts")
	}
	if f := (Facts{}); f.Public() || f.Withheld() {
		t.Error("facts without a visibility are neither public nor withheld")
	}
	nf := NotFoundFacts(ref, now)
	if !nf.NotFound || nf.Withheld() || nf.Error != "https://github.com/o/r: repository not found (it does not exist, or it is not public)" {
		t.Errorf("NotFoundFacts = %+v", nf)
	}
}

// BenchmarkPublicAnswer measures what the ETag cache's filter costs per
// kept answer: a repository (GitHub REST, about 4 KB), a listing of 100 of
// them (about 420 KB), and 100 commits (which name no visibility field).
func BenchmarkPublicAnswer(b *testing.B) {
	repo := []byte(`{"id":1,"name":"r","full_name":"o/r","private":false,"visibility":"public","description":"` +
		strings.Repeat("d", 4000) + `","topics":["a","b"],"license":{"key":"mit","spdx_id":"MIT"},"owner":{"login":"o","type":"Organization"}}`)
	list := append([]byte("["), repo...)
	for range 99 {
		list = append(append(list, ','), repo...)
	}
	list = append(list, ']')
	commits := []byte("[")
	for i := range 100 {
		if i > 0 {
			commits = append(commits, ',')
		}
		commits = append(commits, `{"sha":"0123456789abcdef0123456789abcdef01234567","commit":{"author":{"name":"A","email":"a@example.org","date":"2026-11-01T08:00:00Z"},"message":"`+strings.Repeat("m", 300)+`"}}`...)
	}
	commits = append(commits, ']')
	for _, c := range []struct {
		name string
		body []byte
	}{{"repository", repo}, {"listing100", list}, {"commits100", commits}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.body)))
			for b.Loop() {
				if !PublicAnswer(c.body) {
					b.Fatal("public answer refused")
				}
			}
		})
	}
}
