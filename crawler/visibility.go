package crawler

import (
	"bytes"
	"encoding/json"
	"strings"
)

// visibilityFields are the fields by which the forges say a repository is
// not public: GitHub's and Gitea's "private", Gitea's "internal", GitHub's
// and GitLab's "visibility"; and those that name a repository (GitHub's
// and Gitea's "full_name", GitLab's "path_with_namespace").
type visibilityFields struct {
	Private           *bool   `json:"private"`
	Internal          *bool   `json:"internal"`
	Visibility        *string `json:"visibility"`
	FullName          *string `json:"full_name"`
	PathWithNamespace *string `json:"path_with_namespace"`
}

// public reads the fields as the crawlers do: a repository is public when
// its answer says so. One that names none of them is not, unless it
// answered a request without credentials (anonymous): a forge answers
// those about public repositories only, and GitLab leaves the visibility
// out of them.
func (v visibilityFields) public(anonymous bool) bool {
	if v.Private == nil && v.Internal == nil && v.Visibility == nil {
		return anonymous || v.FullName == nil && v.PathWithNamespace == nil
	}
	return (v.Private == nil || !*v.Private) && (v.Internal == nil || !*v.Internal) &&
		(v.Visibility == nil || strings.EqualFold(*v.Visibility, VisibilityPublic))
}

// PublicAnswer reports whether a forge's answer to a request with a token
// may be kept beyond the crawl (the ETag cache lives in the store): not
// when it is a JSON object, or a list of them, describing a repository
// that is not public, or that does not say (the crawlers take such a
// repository for a private one). A token reads its owner's private
// repositories; the crawlers stop at the repository's own answer, which
// is the one this keeps out. Other answers (file texts, commits...) are
// kept.
func PublicAnswer(body []byte) bool { return publicAnswer(body, false) }

// PublicAnswerFor is PublicAnswer for a transport that sends a token, and
// for one that does not (anonymous), where an answer that does not say the
// visibility is a public repository's.
func PublicAnswerFor(anonymous bool) func(body []byte) bool {
	return func(body []byte) bool { return publicAnswer(body, anonymous) }
}

func publicAnswer(body []byte, anonymous bool) bool {
	b := bytes.TrimLeft(body, " \t\r\n")
	if len(b) == 0 || !bytes.Contains(b, []byte(`"private"`)) && !bytes.Contains(b, []byte(`"internal"`)) && !bytes.Contains(b, []byte(`"visibility"`)) &&
		(anonymous || !bytes.Contains(b, []byte(`"full_name"`)) && !bytes.Contains(b, []byte(`"path_with_namespace"`))) {
		// Most answers (commits, trees, file texts) name none of the
		// fields: no need to decode them.
		return true
	}
	switch b[0] {
	case '{':
		var v visibilityFields
		if json.Unmarshal(b, &v) != nil {
			return true
		}
		return v.public(anonymous)
	case '[':
		var list []visibilityFields
		if json.Unmarshal(b, &list) != nil {
			return true
		}
		for _, v := range list {
			if !v.public(anonymous) {
				return false
			}
		}
	}
	return true
}
