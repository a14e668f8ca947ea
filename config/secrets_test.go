package config

import (
	"strings"
	"testing"
	"time"
)

func TestTokenInPlaceOfVariable(t *testing.T) {
	tokens := []string{
		"ghp_16C7e42F292c6912E7710c838347Ae178B4a",
		"gho_16C7e42F292c6912E7710c838347Ae178B4a",
		"ghu_16C7e42F292c6912E7710c838347Ae178B4a",
		"ghs_16C7e42F292c6912E7710c838347Ae178B4a",
		"ghr_1B4a2e77838347a7E420ce178F2E7c6912E169246c34E1ccbF66C46812d16D5B1A9Dc86A1498",
		"github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV",
		"glpat-xxxxXXXX1234yyyyZZZZ",
		"gloas-0123456789abcdef0123456789abcdef",
		"glptt-0123456789abcdef0123456789abcdef01234567",
		"3f9a0c4be8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3", // a 40-character hexadecimal token
		"dGhpcyBpcyBhIHNlY3JldCB0b2tlbjEyMw==",     // base64
		"Zm9vYmFy-MTIzNDU2Nzg5MGFiY2RlZg",          // base64url
		"my token",                                 // no variable name either
		"1GITHUB",
	}
	names := []string{"GITHUB_TOKEN", "GITHUB_TOKEN_2", "FRAMAGIT_TOKEN_FOR_THE_EIG_PROGRAMME_2024", "gh", "_X1"}
	cases := []struct{ key, yaml string }{
		{"forges[0].token_env", "    token_env: %q\n"},
		{"forges[0].token_envs[0]", "    token_envs: [%q]\n"},
		{"smtp.username_env", "smtp: {username_env: %q}\n"},
		{"smtp.password_env", "smtp: {password_env: %q}\n"},
	}
	for _, c := range cases {
		mk := func(v string) string {
			line := strings.ReplaceAll(c.yaml, "%q", `"`+v+`"`)
			if strings.HasPrefix(c.key, "smtp") {
				return base + line
			}
			return strings.Replace(base, "    token_env: GH\n", line, 1)
		}
		for _, tok := range tokens {
			_, err := Parse("vigie.yml", []byte(mk(tok)), nil)
			if err == nil {
				t.Errorf("%s = %s: accepted", c.key, tok)
				continue
			}
			msg := err.Error()
			if !strings.Contains(msg, "vigie.yml:") || !strings.Contains(msg, c.key) {
				t.Errorf("%s = %s: error %q does not name the file and key", c.key, tok, msg)
			}
			for _, part := range strings.Fields(tok) {
				if len(part) > 5 && strings.Contains(msg, part) {
					t.Errorf("%s: error quotes the value: %q", c.key, msg)
				}
			}
		}
		for _, name := range names {
			if _, err := Parse("vigie.yml", []byte(mk(name)), nil); err != nil {
				t.Errorf("%s = %s: refused: %v", c.key, name, err)
			}
		}
	}
}

func TestTimeouts(t *testing.T) {
	cfg, err := Parse("vigie.yml", []byte(base), nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTP.CrawlTimeout != DefaultCrawlTimeout || cfg.HTTP.CheckTimeout != DefaultCheckTimeout {
		t.Errorf("defaults: %+v", cfg.HTTP)
	}
	cfg, err = Parse("vigie.yml", []byte(base+"http:\n  crawl_timeout: 90m\n  check_timeout: 45s\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTP.CrawlTimeout != 90*time.Minute || cfg.HTTP.CheckTimeout != 45*time.Second {
		t.Errorf("configured: %+v", cfg.HTTP)
	}
	for _, bad := range []string{"crawl_timeout: 10", "check_timeout: -1s", "check_timeout: soon"} {
		_, err := Parse("vigie.yml", []byte(base+"http:\n  "+bad+"\n"), nil)
		key := "http." + strings.Split(bad, ":")[0]
		if err == nil || !strings.Contains(err.Error(), key) || !strings.Contains(err.Error(), "vigie.yml:") {
			t.Errorf("%s: error %v, want one naming %s", bad, err, key)
		}
	}
}
