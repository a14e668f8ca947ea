package config

import (
	"regexp"
	"strings"
)

// tokenPrefixes start the tokens GitHub and GitLab issue: personal (classic
// and fine-grained), OAuth, user-to-server, server-to-server and refresh
// tokens on GitHub; personal, OAuth application secrets, pipeline trigger,
// deploy, runner, CI job and feed tokens on GitLab.
var tokenPrefixes = []string{
	"ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_",
	"glpat-", "gloas-", "glptt-", "gldt-", "glrt-", "glcbt-", "glft-", "glsoat-",
}

// secretRun is a run of 16 or more characters of the token alphabets
// (hexadecimal, base64, base64url) without the underscores that separate
// the words of a variable name.
var secretRun = regexp.MustCompile(`[A-Za-z0-9+/=-]{16,}`)

// looksLikeSecret reports whether a value given where a variable's name is
// expected looks like the secret itself: a known token prefix, or a long
// run mixing letters and digits as random tokens do (GITHUB_TOKEN_2 is a
// name; 3f9a0c...e1 is not).
func looksLikeSecret(v string) bool {
	for _, p := range tokenPrefixes {
		if strings.HasPrefix(strings.ToLower(v), p) {
			return true
		}
	}
	for _, run := range secretRun.FindAllString(v, -1) {
		letters := strings.IndexFunc(run, func(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }) >= 0
		digits := strings.IndexFunc(run, func(r rune) bool { return r >= '0' && r <= '9' }) >= 0
		if letters && digits {
			return true
		}
	}
	return false
}

// envKey checks a key naming an environment variable (token_env,
// token_envs, smtp.*_env). A value that is no variable name may be the
// secret pasted in its place: the message never quotes it.
func (v *validator) envKey(key, name string) bool {
	switch {
	case looksLikeSecret(name):
		v.fail(key, "this looks like a token, not the name of an environment variable: put the token in a variable (e.g. GITHUB_TOKEN) and give its name here; the value is not repeated here, and if it was a real token, consider it exposed and revoke it")
		return false
	case !envName.MatchString(name):
		v.fail(key, "not an environment variable name (letters, digits and underscores, not starting with a digit); the value is not repeated here in case it is a secret")
		return false
	}
	return true
}
