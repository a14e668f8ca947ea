package crawler

import (
	"bytes"
	"encoding/json"
	"strings"
)

// visibilityFields are the fields by which the forges say a repository is
// not public: GitHub's and Gitea's "private", Gitea's "internal", GitHub's
// and GitLab's "visibility".
type visibilityFields struct {
	Private    *bool   `json:"private"`
	Internal   *bool   `json:"internal"`
	Visibility *string `json:"visibility"`
}

func (v visibilityFields) public() bool {
	return (v.Private == nil || !*v.Private) && (v.Internal == nil || !*v.Internal) &&
		(v.Visibility == nil || strings.EqualFold(*v.Visibility, VisibilityPublic))
}

// PublicAnswer reports whether a forge's answer may be kept beyond the
// crawl (the ETag cache lives in the store): not when it is a JSON object,
// or a list of them, describing a repository that is not public. A token
// reads its owner's private repositories; the crawlers stop at the
// repository's own answer, which is the one this keeps out. Other answers
// (file texts, commits...) are kept.
func PublicAnswer(body []byte) bool {
	b := bytes.TrimLeft(body, " \t\r\n")
	if len(b) == 0 || !bytes.Contains(b, []byte(`"private"`)) && !bytes.Contains(b, []byte(`"internal"`)) && !bytes.Contains(b, []byte(`"visibility"`)) {
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
		return v.public()
	case '[':
		var list []visibilityFields
		if json.Unmarshal(b, &list) != nil {
			return true
		}
		for _, v := range list {
			if !v.public() {
				return false
			}
		}
	}
	return true
}
