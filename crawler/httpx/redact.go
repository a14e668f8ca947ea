package httpx

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
)

// Redacted replaces a secret wherever vigie writes text it did not compose:
// errors quoting a forge's answer, log lines, results.
const Redacted = "REDACTED"

// minSecret is the shortest value redacted. Shorter strings cannot be told
// from ordinary text (replacing "a" would garble every message), and no
// forge issues tokens that short: GitHub's and GitLab's are 20 characters
// and more.
const minSecret = 8

// Redactor removes known secrets (the forges' tokens, and any other value
// the caller adds) from text. The transport applies the forge's own to every
// body, error and log line it produces; scan applies one holding every
// configured secret where errors become results and log lines, since the
// client libraries (go-github, GitLab's client-go) quote answer bodies,
// which a forge or a proxy in front of it may have filled with the
// request's credentials. The zero value and nil redact nothing.
type Redactor struct {
	secrets [][]byte
}

// NewRedactor returns a Redactor of the given secrets; empty and too short
// values are ignored.
func NewRedactor(secrets ...string) *Redactor {
	r := &Redactor{}
	seen := map[string]bool{}
	for _, s := range secrets {
		s = strings.TrimSpace(s)
		if len(s) < minSecret || seen[s] {
			continue
		}
		seen[s] = true
		r.secrets = append(r.secrets, []byte(s))
	}
	return r
}

// String returns s without any of the secrets.
func (r *Redactor) String(s string) string {
	if r == nil {
		return s
	}
	for _, sec := range r.secrets {
		if strings.Contains(s, string(sec)) {
			s = strings.ReplaceAll(s, string(sec), Redacted)
		}
	}
	return s
}

// Bytes returns b without any of the secrets (b itself when it holds none).
func (r *Redactor) Bytes(b []byte) []byte {
	if r == nil {
		return b
	}
	for _, sec := range r.secrets {
		if bytes.Contains(b, sec) {
			b = bytes.ReplaceAll(b, sec, []byte(Redacted))
		}
	}
	return b
}

// Error returns err with its text redacted, keeping the cause for
// errors.Is and errors.As; nil for nil.
func (r *Redactor) Error(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	red := r.String(msg)
	if red == msg {
		return err
	}
	return &requestError{msg: red, err: err}
}

// Handler wraps h so that every log record it writes has the secrets
// redacted from its message and attributes (groups and errors included).
func (r *Redactor) Handler(h slog.Handler) slog.Handler {
	if r == nil || len(r.secrets) == 0 {
		return h
	}
	return &redactHandler{h: h, r: r}
}

type redactHandler struct {
	h slog.Handler
	r *Redactor
}

func (h *redactHandler) Enabled(ctx context.Context, l slog.Level) bool { return h.h.Enabled(ctx, l) }

func (h *redactHandler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, h.r.String(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.h.Handle(ctx, out)
}

func (h *redactHandler) WithAttrs(as []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(as))
	for i, a := range as {
		red[i] = h.attr(a)
	}
	return &redactHandler{h: h.h.WithAttrs(red), r: h.r}
}

func (h *redactHandler) WithGroup(name string) slog.Handler {
	return &redactHandler{h: h.h.WithGroup(name), r: h.r}
}

// attr redacts one attribute: strings, errors and anything else printed
// through fmt (a URL, a Stringer) become redacted strings.
func (h *redactHandler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.r.String(v.String()))
	case slog.KindGroup:
		g := v.Group()
		red := make([]any, len(g))
		for i, x := range g {
			red[i] = h.attr(x)
		}
		return slog.Group(a.Key, red...)
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, h.r.String(err.Error()))
		}
		s := v.String()
		if red := h.r.String(s); red != s {
			return slog.String(a.Key, red)
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}
