package crawler

import (
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
	} {
		if got := PublicAnswer([]byte(tc.body)); got != tc.want {
			t.Errorf("PublicAnswer(%s) = %v, want %v", tc.body, got, tc.want)
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
