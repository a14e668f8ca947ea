package config

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/eiglink/vigie/crawler"
)

// baseURL validates a forge's web or API base URL and normalises it: lower
// case host, no trailing slash, no query.
func baseURL(s string) (*url.URL, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("missing: give the forge's URL, e.g. https://gitlab.example.org")
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an http(s) URL with a host", s)
	}
	if u.User != nil {
		return nil, fmt.Errorf("%q holds credentials: put the token in the variable named by token_env instead", redactUser(u))
	}
	u.Host = strings.ToLower(u.Host)
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath, u.RawQuery, u.Fragment = "", "", ""
	return u, nil
}

func redactUser(u *url.URL) string {
	c := *u
	c.User = url.User("***")
	return c.String()
}

// Suffixes of web URLs that point inside a repository (a file, a branch, its
// issues...) rather than at it; GitLab puts all of them behind "/-/".
var githubInside = map[string]bool{
	"tree": true, "blob": true, "commits": true, "commit": true, "issues": true, "pulls": true,
	"pull": true, "wiki": true, "actions": true, "releases": true, "tags": true, "branches": true,
	"security": true, "pulse": true, "graphs": true, "settings": true, "projects": true,
	"discussions": true, "network": true, "raw": true, "blame": true, "compare": true, "milestones": true, "labels": true,
}

// gitlabWildcard are the routes GitLab still serves inside a project
// without "/-/" (links from before GitLab 12, like /group/name/tree/master):
// GitLab reserves these names, so no subgroup or project below a group is
// called so (PROJECT_WILDCARD_ROUTES in GitLab's lib/gitlab/path_regex.rb).
var gitlabWildcard = map[string]bool{
	"badges": true, "blame": true, "blob": true, "builds": true, "commits": true, "create": true,
	"create_dir": true, "edit": true, "files": true, "find_file": true, "new": true, "preview": true,
	"raw": true, "refs": true, "tree": true, "update": true, "upload": true, "wikis": true,
}

// splitURL parses a repository or organisation URL as users paste them:
// with or without scheme, with ".git", a trailing slash, "/tree/main/...",
// or in the SSH form git@host:owner/name.git.
// NotConfiguredError is a repository URL on a host that no configured forge
// serves: vigie calls configured forges only.
type NotConfiguredError struct {
	URL, Host  string
	Configured string // the configured forges, as a list for people
}

func (e *NotConfiguredError) Error() string {
	return fmt.Sprintf("%q: host %s is not a configured forge (configured: %s)", e.URL, e.Host, e.Configured)
}

func splitURL(raw string) (*url.URL, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return nil, fmt.Errorf("empty URL")
	}
	if strings.HasPrefix(s, "git@") && strings.Contains(s, ":") && !strings.Contains(s, "://") {
		host, p, _ := strings.Cut(strings.TrimPrefix(s, "git@"), ":")
		s = "https://" + host + "/" + p
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("%q is not a URL: %v", raw, err)
	}
	switch u.Scheme {
	case "http", "https", "ssh", "git":
	default:
		return nil, fmt.Errorf("%q: scheme %q is not a repository URL (use https://)", raw, u.Scheme)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("%q has no host", raw)
	}
	if u.User != nil && u.User.Username() != "git" {
		return nil, fmt.Errorf("%q holds credentials: never put a token in a URL", redactUser(u))
	}
	u.Host = strings.ToLower(u.Host)
	if u.Scheme == "ssh" || u.Scheme == "git" {
		u.Scheme = "https"
		if h, p, ok := strings.Cut(u.Host, ":"); ok && p == "22" {
			u.Host = h
		}
	}
	u.User = nil
	return u, nil
}

// forgeFor finds the configured forge whose web URL the given URL is under;
// the longest matching base wins (a GitLab mounted at /gitlab beside another
// service on the same host).
func (c *Config) forgeFor(u *url.URL) (*Forge, string) {
	var best *Forge
	var rest string
	for i := range c.Forges {
		f := &c.Forges[i]
		fu, _ := url.Parse(f.URL)
		if !sameHost(fu.Host, u.Host) {
			continue
		}
		p := strings.TrimRight(u.Path, "/")
		if fu.Path != "" && p != fu.Path && !strings.HasPrefix(p, fu.Path+"/") {
			continue
		}
		if best == nil || len(f.URL) > len(best.URL) {
			best, rest = f, strings.Trim(strings.TrimPrefix(p, fu.Path), "/")
		}
	}
	return best, rest
}

// sameHost compares hosts, treating www.github.com as github.com.
func sameHost(a, b string) bool {
	return strings.TrimPrefix(a, "www.") == strings.TrimPrefix(b, "www.")
}

func (c *Config) forgeList() string {
	var names []string
	for _, f := range c.Forges {
		names = append(names, f.Name+" ("+f.URL+")")
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// Resolve turns a repository URL into a normalised reference on one of the
// configured forges. The error says what is wrong in the user's terms: no
// such forge (naming the configured ones), an organisation instead of a
// repository, no path.
func (c *Config) Resolve(raw string) (crawler.Ref, error) {
	u, err := splitURL(raw)
	if err != nil {
		return crawler.Ref{}, err
	}
	f, rest := c.forgeFor(u)
	if f == nil {
		if !strings.ContainsAny(u.Host, ".:") && u.Host != "localhost" && !strings.Contains(raw, "://") {
			// "not-a-url" became https://not-a-url: no forge is named so.
			return crawler.Ref{}, fmt.Errorf("%q is not a URL: give a repository's address, such as https://github.com/owner/name", raw)
		}
		return crawler.Ref{}, &NotConfiguredError{URL: raw, Host: u.Host, Configured: c.forgeList()}
	}
	segs := strings.Split(rest, "/")
	if rest == "" {
		segs = nil
	}
	switch f.Type {
	case "github":
		for i, s := range segs {
			if i >= 2 && githubInside[s] {
				segs = segs[:i]
				break
			}
		}
		if len(segs) > 2 {
			segs = segs[:2]
		}
	case "gitlab":
		for i, s := range segs {
			if s == "-" || i >= 2 && gitlabWildcard[s] {
				segs = segs[:i]
				break
			}
		}
	case "gitea":
		// No subgroups on Gitea and Forgejo: owner/name, then the
		// repository's pages (/src/branch/main/..., /issues, /actions...).
		if len(segs) > 2 {
			segs = segs[:2]
		}
	}
	if len(segs) > 0 {
		last := len(segs) - 1
		segs[last] = strings.TrimSuffix(segs[last], ".git")
	}
	for _, s := range segs {
		if s == "" || s == "." || s == ".." {
			return crawler.Ref{}, fmt.Errorf("%q: malformed repository path %q", raw, rest)
		}
		if strings.IndexFunc(s, notPathChar) >= 0 {
			return crawler.Ref{}, fmt.Errorf("%s: malformed repository path: a forge allows only letters, digits, '.', '_' and '-' in an owner, group or name", clip(strconv.Quote(raw)))
		}
	}
	if len(segs) < 2 {
		if len(segs) == 1 {
			return crawler.Ref{}, fmt.Errorf("%q is an organisation or group, not a repository: list it under orgs", raw)
		}
		return crawler.Ref{}, fmt.Errorf("%q names no repository (expected %s/OWNER/NAME)", raw, f.URL)
	}
	if err := checkLengths(f.Type, segs); err != nil {
		return crawler.Ref{}, fmt.Errorf("%s: %w", clip(raw), err)
	}
	p := strings.Join(segs, "/")
	return f.Ref(p), nil
}

// notPathChar reports a character no forge allows in a path segment:
// GitHub's owners and names, GitLab's group and project paths, Gitea's and
// Forgejo's owners and names are ASCII letters, digits, '.', '_' and '-'.
// Any other (a '?' or '#' decoded from %3F or %23, a space, a control
// character) would change the API URL built from the path, or name nothing
// under an id, and a cache key, of its own.
func notPathChar(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-')
}

// ErrPathTooLong is wrapped by Resolve's error for a path no forge could
// hold: an owner or name longer than the forge allows, or a GitLab path
// nested deeper than its subgroups may go.
var ErrPathTooLong = errors.New("longer than the forge allows")

// The forges' own bounds on repository paths: GitHub's owner (user or
// organisation login) is at most 39 characters and a repository name at most
// 100; every GitLab path segment at most 255, and a group has at most 20
// ancestors (21 groups, then the project: 22 segments); Gitea and Forgejo allow 40 for an owner, 100 for a name. A URL
// beyond them names nothing, and is refused before it reaches a page, a
// cache or a forge.
const (
	maxGitHubOwner = 39
	maxGitHubName  = 100
	maxGitLabSeg   = 255
	maxGitLabDepth = 22
	maxGiteaOwner  = 40
	maxGiteaName   = 100
)

func checkLengths(forgeType string, segs []string) error {
	owner, name := len(segs[0]), len(segs[len(segs)-1])
	switch forgeType {
	case "github":
		if owner > maxGitHubOwner {
			return fmt.Errorf("owner is %d characters, %w (GitHub: %d)", owner, ErrPathTooLong, maxGitHubOwner)
		}
		if name > maxGitHubName {
			return fmt.Errorf("repository name is %d characters, %w (GitHub: %d)", name, ErrPathTooLong, maxGitHubName)
		}
	case "gitea":
		if owner > maxGiteaOwner {
			return fmt.Errorf("owner is %d characters, %w (Gitea: %d)", owner, ErrPathTooLong, maxGiteaOwner)
		}
		if name > maxGiteaName {
			return fmt.Errorf("repository name is %d characters, %w (Gitea: %d)", name, ErrPathTooLong, maxGiteaName)
		}
	default: // gitlab
		if len(segs) > maxGitLabDepth {
			return fmt.Errorf("path has %d segments, %w (GitLab: %d)", len(segs), ErrPathTooLong, maxGitLabDepth)
		}
		for _, s := range segs {
			if len(s) > maxGitLabSeg {
				return fmt.Errorf("a path segment is %d characters, %w (GitLab: %d)", len(s), ErrPathTooLong, maxGitLabSeg)
			}
		}
	}
	return nil
}

// clip quotes s for an error message, cut to a readable length: an
// over-long URL is named, not repeated.
func clip(s string) string {
	const max = 120
	if len(s) <= max {
		return strconv.Quote(s)
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + fmt.Sprintf("… (%d bytes)", len(s))
}

// CanonicalID is the key under which a repository is the same whatever the
// letter case it was typed in: GitHub, GitLab and Gitea resolve owner and
// name without regard to case (the host is lower-cased already), so
// github.com/Etalab/Vigie and github.com/etalab/vigie are one repository.
func CanonicalID(ref crawler.Ref) string {
	return strings.ToLower(ref.ID())
}

// ResolveOrg turns an organisation or user (GitHub, Gitea) or group
// (GitLab, subgroups allowed) URL into an Org.
func (c *Config) ResolveOrg(raw string) (Org, error) {
	u, err := splitURL(raw)
	if err != nil {
		return Org{}, err
	}
	f, rest := c.forgeFor(u)
	if f == nil {
		return Org{}, fmt.Errorf("%q: host %s is not a configured forge (configured: %s)", raw, u.Host, c.forgeList())
	}
	if rest == "" {
		return Org{}, fmt.Errorf("%q names no organisation or group", raw)
	}
	if f.Type == "gitlab" {
		if i := strings.Index(rest, "/-/"); i >= 0 {
			rest = rest[:i]
		}
	} else if org, ok := strings.CutPrefix(rest, "org/"); ok && f.Type == "gitea" {
		// https://gitea.example.org/org/NAME/teams and friends
		rest, _, _ = strings.Cut(org, "/")
	} else if name, _, ok := strings.Cut(rest, "/-/"); ok && f.Type == "gitea" {
		// https://codeberg.org/NAME/-/projects
		rest = name
	} else if org, ok := strings.CutPrefix(rest, "orgs/"); ok {
		// https://github.com/orgs/NAME/repositories and friends
		rest, _, _ = strings.Cut(org, "/")
	} else if strings.Contains(rest, "/") {
		return Org{}, fmt.Errorf("%q is a repository, not an organisation: list it under repos", raw)
	}
	rest = strings.TrimPrefix(rest, "groups/")
	return Org{Forge: f.Name, Host: f.Host, Path: rest, URL: f.URL + "/" + rest}, nil
}

// OrgDefi returns the défi whose organisations hold repo (an id,
// host/path), the first in the configuration, exclude patterns applied;
// ok is false when no organisation holds it. Crawl, check, import and the
// readers all answer "which défi follows this repository?" through it.
func (c *Config) OrgDefi(repo string) (slug string, ok bool) {
	for _, d := range c.Defis {
		for _, o := range d.Orgs {
			f := c.ForgeByName(o.Forge)
			if f == nil {
				continue
			}
			// The forge builds the ids (with its base path when served
			// below one); a GitHub organisation has no subgroups.
			p := strings.Trim(o.Path, "/")
			rest, in := strings.CutPrefix(repo, f.Ref(p).ID()+"/")
			if !in || rest == "" || (f.Type != "gitlab" && strings.Contains(rest, "/")) {
				continue
			}
			if Excluded(d.Exclude, p+"/"+rest) {
				continue
			}
			return d.Slug, true
		}
	}
	return "", false
}

// Ref names the repository at path (owner/name) on this forge.
func (f *Forge) Ref(path string) crawler.Ref {
	base := ""
	if u, err := url.Parse(f.URL); err == nil {
		base = u.Path
	}
	return crawler.Ref{Forge: f.Name, Type: f.Type, Host: f.Host, Base: base, Path: path, URL: f.URL + "/" + path}
}

// ForgeByName returns the configured forge with that name, or nil.
func (c *Config) ForgeByName(name string) *Forge {
	for i := range c.Forges {
		if c.Forges[i].Name == name {
			return &c.Forges[i]
		}
	}
	return nil
}

// Repos lists every repository named in the configuration, in order.
func (c *Config) Repos() []crawler.Ref {
	var refs []crawler.Ref
	for _, d := range c.Defis {
		refs = append(refs, d.Repos...)
	}
	return refs
}

// Default is the configuration `vigie check` uses without --config: the
// public github.com and gitlab.com with tokens from GITHUB_TOKEN and
// GITLAB_TOKEN. It panics where Builtin fails (a GITHUB_TOKEN_FILE that
// cannot be read): tests pass their own env.
func Default(env Env) *Config {
	cfg, err := Builtin(env)
	if err != nil {
		panic(err)
	}
	return cfg
}

// Builtin is Default with the error of a token file that cannot be read
// (GITHUB_TOKEN_FILE, GITLAB_TOKEN_FILE).
func Builtin(env Env) (*Config, error) {
	data := []byte(`forges:
  - {name: github, type: github, url: https://github.com, token_env: GITHUB_TOKEN}
  - {name: gitlab, type: gitlab, url: https://gitlab.com, token_env: GITLAB_TOKEN}
defis:
  - {slug: adhoc, name: ad hoc, repos: [https://github.com/x/y]}
`)
	cfg, err := Parse("(built-in)", data, env)
	if err != nil {
		return nil, err // the literal is valid: only a token file can fail
	}
	cfg.Defis = nil
	cfg.File = ""
	return cfg, nil
}
