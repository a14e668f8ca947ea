package github

import "testing"

func TestGraphQLURL(t *testing.T) {
	for _, tc := range []struct{ api, want string }{
		{"https://api.github.com", "https://api.github.com/graphql"},
		{"https://api.github.com/", "https://api.github.com/graphql"},
		{"https://ghe.example.org/api/v3", "https://ghe.example.org/api/graphql"},
		{"https://ghe.example.org/api/v3/", "https://ghe.example.org/api/graphql"},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080/graphql"},
	} {
		if got := graphQLURL(tc.api); got != tc.want {
			t.Errorf("graphQLURL(%q) = %q, want %q", tc.api, got, tc.want)
		}
	}
}

func TestForgeSPDX(t *testing.T) {
	for _, tc := range []struct{ spdx, key, want string }{
		{"MIT", "mit", "MIT"},
		{"NOASSERTION", "other", "NOASSERTION"},
		{"", "other", "NOASSERTION"},
		{"", "", ""},
		{"AGPL-3.0", "agpl-3.0", "AGPL-3.0"},
	} {
		if got := forgeSPDX(tc.spdx, tc.key); got != tc.want {
			t.Errorf("forgeSPDX(%q, %q) = %q, want %q", tc.spdx, tc.key, got, tc.want)
		}
	}
}

func TestNewRejectsBadAPIURL(t *testing.T) {
	if _, err := New(Options{Name: "gh", APIURL: "not a url"}); err == nil {
		t.Error("a bad API URL was accepted")
	}
}
