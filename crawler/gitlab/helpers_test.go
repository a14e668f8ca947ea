package gitlab

import (
	"encoding/json"
	"testing"

	"github.com/eiglink/vigie/crawler"
)

func TestForgeSPDX(t *testing.T) {
	tests := []struct {
		key     string
		hasFile bool
		want    string
	}{
		{"mit", true, "MIT"},
		{"apache-2.0", true, "Apache-2.0"},
		{"gpl-3.0", true, "GPL-3.0"},
		{"lgpl-3.0", true, "LGPL-3.0"},
		{"agpl-3.0", true, "AGPL-3.0"},
		{"mpl-2.0", true, "MPL-2.0"},
		{"bsd-3-clause", true, "BSD-3-Clause"},
		{"bsd-2-clause", true, "BSD-2-Clause"},
		{"eupl-1.2", true, "EUPL-1.2"},
		{"epl-2.0", true, "EPL-2.0"},
		{"cc0-1.0", true, "CC0-1.0"},
		{"unlicense", true, "Unlicense"},
		{"cecill-2.1", true, "CECILL-2.1"},
		{"odbl-1.0", true, "ODbL-1.0"},
		{"MIT", true, "MIT"}, // an instance answering upper case
		{"other", true, "NOASSERTION"},
		{"some-future-key", true, "NOASSERTION"},
		{"", true, "NOASSERTION"}, // license_url without a licence object
		{"", false, ""},
		{"no-license", false, ""},
	}
	for _, tc := range tests {
		if got := forgeSPDX(tc.key, tc.hasFile); got != tc.want {
			t.Errorf("forgeSPDX(%q, %v) = %q, want %q", tc.key, tc.hasFile, got, tc.want)
		}
	}
}

func TestBlobPath(t *testing.T) {
	tests := []struct {
		link, web, branch, want string
	}{
		{"https://gitlab.com/g/p/-/blob/main/README.md", "https://gitlab.com/g/p", "main", "README.md"},
		{"https://git.example.org/gitlab/g/s/p/-/blob/master/LICENSE", "https://git.example.org/gitlab/g/s/p", "master", "LICENSE"},
		// A branch with a slash is cut off whole.
		{"https://gitlab.com/g/p/-/blob/release/2.x/README.rst", "https://gitlab.com/g/p", "release/2.x", "README.rst"},
		// Older instances have no /-/.
		{"https://gitlab.com/g/p/blob/main/README", "https://gitlab.com/g/p", "main", "README"},
		// Escaped characters in the file name.
		{"https://gitlab.com/g/p/-/blob/main/LISEZ%20MOI.md", "https://gitlab.com/g/p", "main", "LISEZ MOI.md"},
		// The link's host differs from web_url's (an instance behind
		// another name).
		{"http://internal:8080/g/p/-/blob/main/README.md", "https://gitlab.example.org/g/p", "main", "README.md"},
		{"http://internal:8080/g/p/blob/main/README.md", "https://gitlab.example.org/g/p", "main", "README.md"},
		{"", "https://gitlab.com/g/p", "main", ""},
		{"https://gitlab.com/g/p", "https://gitlab.com/g/p", "main", ""},
	}
	for _, tc := range tests {
		if got := blobPath(tc.link, tc.web, tc.branch); got != tc.want {
			t.Errorf("blobPath(%q, %q, %q) = %q, want %q", tc.link, tc.web, tc.branch, got, tc.want)
		}
	}
}

func TestReadmeOf(t *testing.T) {
	str := func(s string) json.RawMessage { b, _ := json.Marshal(s); return b }
	tests := []struct {
		readmeURL json.RawMessage
		want      string
		hasURL    bool
	}{
		{str("https://gitlab.com/g/p/-/blob/main/README.md"), "README.md", true},
		{json.RawMessage("null"), "", false}, // no README at the root: the listing agrees
		{nil, "", false},                     // an instance without readme_url
		// A link of another shape names no file: the listing tells.
		{str("https://gitlab.com/g/p"), "", false},
	}
	for _, tc := range tests {
		p := &project{WebURL: "https://gitlab.com/g/p", ReadmeURL: tc.readmeURL}
		if got, has := readmeOf(p, "main"); got != tc.want || has != tc.hasURL {
			t.Errorf("readmeOf(%s) = %q, %v; want %q, %v", tc.readmeURL, got, has, tc.want, tc.hasURL)
		}
	}
}

func TestPipelineStatus(t *testing.T) {
	tests := []struct {
		in     string
		want   string
		result bool
	}{
		{"success", crawler.StatusSuccess, true},
		{"failed", crawler.StatusFailure, true},
		{"running", crawler.StatusRunning, true},
		{"pending", crawler.StatusRunning, true},
		{"created", crawler.StatusRunning, true},
		{"waiting_for_resource", crawler.StatusRunning, true},
		{"preparing", crawler.StatusRunning, true},
		{"scheduled", crawler.StatusRunning, true},
		{"canceled", crawler.StatusFailure, true},
		{"canceling", crawler.StatusFailure, true},
		{"skipped", crawler.StatusUnknown, false},
		{"manual", crawler.StatusUnknown, false},
		{"something-new", crawler.StatusUnknown, false},
	}
	for _, tc := range tests {
		got, ok := pipelineStatus(tc.in)
		if got != tc.want || ok != tc.result {
			t.Errorf("pipelineStatus(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.result)
		}
	}
}

func TestNewRejectsBadURL(t *testing.T) {
	for _, u := range []string{"", "gitlab.com", "ftp://gitlab.com"} {
		if _, err := New(Options{Name: "x", WebURL: u}); err == nil {
			t.Errorf("New(%q): no error", u)
		}
	}
	f, err := New(Options{Name: "x", WebURL: "https://git.example.org/gitlab/", APIURL: "https://git.example.org/gitlab/api/v4"})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.client.BaseURL().String(); got != "https://git.example.org/gitlab/api/v4/" {
		t.Errorf("API base %q", got)
	}
}

func TestValidUTF8Prefix(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"abc", "abc"},
		{"caf\xc3", "caf"}, // "café" cut inside the é
		{"\xe2\x82", ""},   // "€" cut after two of its three bytes
		{"déjà vu", "déjà vu"},
	} {
		if got := validUTF8Prefix([]byte(tc.in)); got != tc.want {
			t.Errorf("validUTF8Prefix(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
