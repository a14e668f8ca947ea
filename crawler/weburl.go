package crawler

import (
	"net/url"
	"path"
	"strings"
)

// NewFileURL is the forge's "create this file" page for the repository at
// ref: its web editor opened on branch with the file name, and content
// when not "", filled in. It is "" when the forge type has no such page
// vigie knows, or when branch is "" (an empty repository has no branch to
// add to). The forms, from each forge's web editor:
//
//	GitHub         https://github.com/OWNER/NAME/new/BRANCH?filename=PATH&value=CONTENT
//	GitLab         https://gitlab.com/GROUP/NAME/-/new/BRANCH?file_name=PATH&content=CONTENT
//	Gitea, Forgejo https://HOST/OWNER/NAME/_new/BRANCH/DIR/?filename=BASE&value=CONTENT
//
// The visitor lands on the editor with nothing committed: the forge asks
// them to sign in and, without write access, offers a fork.
func NewFileURL(ref Ref, branch, file, content string) string {
	if branch == "" || file == "" || ref.URL == "" {
		return ""
	}
	base := strings.TrimSuffix(ref.URL, "/")
	q := url.Values{}
	switch ref.Type {
	case "github":
		q.Set("filename", file)
		if content != "" {
			q.Set("value", content)
		}
		return base + "/new/" + escapeSegments(branch) + "?" + q.Encode()
	case "gitlab":
		q.Set("file_name", file)
		if content != "" {
			q.Set("content", content)
		}
		return base + "/-/new/" + escapeSegments(branch) + "?" + q.Encode()
	case "gitea":
		dir, name := path.Split(file)
		q.Set("filename", name)
		if content != "" {
			q.Set("value", content)
		}
		return base + "/_new/" + escapeSegments(branch) + "/" + escapeSegments(dir) + "?" + q.Encode()
	}
	return ""
}

// escapeSegments escapes each segment of a slash-separated path (a branch
// may hold slashes: feature/x).
func escapeSegments(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}
