package web

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"text/template"
	"unicode/utf8"

	"github.com/eiglink/vigie/store"
)

// badgeColours follow shields.io's palette, so the badge sits well beside
// the others of a README.
var badgeColours = map[string]string{
	"good": "#4c1",
	"fair": "#dfb317",
	"poor": "#e05d44",
	"none": "#9f9f9f",
}

// The badge's text only ever holds vigie's own words and digits (never a
// repository's data), so text/template is safe here; xmlEscape still guards
// the values.
var badgeTmpl = template.Must(template.New("badge").Funcs(template.FuncMap{"x": xmlEscape}).Parse(
	`<svg xmlns="http://www.w3.org/2000/svg" width="{{.W}}" height="20" role="img" aria-label="{{x .Label}} : {{x .Message}}">` +
		`<title>{{x .Label}} : {{x .Message}}</title>` +
		`<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>` +
		`<clipPath id="r"><rect width="{{.W}}" height="20" rx="3" fill="#fff"/></clipPath>` +
		`<g clip-path="url(#r)"><rect width="{{.LW}}" height="20" fill="#555"/><rect x="{{.LW}}" width="{{.MW}}" height="20" fill="{{.Colour}}"/><rect width="{{.W}}" height="20" fill="url(#s)"/></g>` +
		`<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">` +
		`<text x="{{.LX}}" y="15" fill="#010101" fill-opacity=".3">{{x .Label}}</text><text x="{{.LX}}" y="14">{{x .Label}}</text>` +
		`<text x="{{.MX}}" y="15" fill="#010101" fill-opacity=".3">{{x .Message}}</text><text x="{{.MX}}" y="14">{{x .Message}}</text>` +
		`</g></svg>`))

var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;")

func xmlEscape(s string) string { return xmlEscaper.Replace(s) }

// textWidth estimates Verdana 11px text width: digits and most letters are
// about 7px; narrow letters less.
func textWidth(s string) int {
	w := 0
	for _, r := range s {
		switch {
		case strings.ContainsRune("ilj.:,;!|' ", r):
			w += 4
		case strings.ContainsRune("mwMW", r):
			w += 10
		default:
			w += 7
		}
	}
	if w == 0 {
		w = 7 * utf8.RuneCountInString(s)
	}
	return w
}

// renderBadge draws a shields-style badge.
func renderBadge(label, message, colour string) []byte {
	lw, mw := textWidth(label)+10, textWidth(message)+10
	var buf bytes.Buffer
	_ = badgeTmpl.Execute(&buf, map[string]any{
		"Label": label, "Message": message, "Colour": colour,
		"LW": lw, "MW": mw, "W": lw + mw,
		"LX": float64(lw) / 2, "MX": float64(lw) + float64(mw)/2,
	})
	return buf.Bytes()
}

// badge serves /badge/HOST/PATH.svg: the overall score of the last good
// result, as the repository's page shows it. A repository vigie does not
// follow gets a grey badge saying so, with 200 as badge services answer: an
// image proxy shows it rather than a broken image.
func (s *Server) badge(w http.ResponseWriter, r *http.Request) {
	raw := r.PathValue("repo")
	send := func(status int, message, colour string) {
		w.Header().Set("Content-Type", "image/svg+xml")
		// Forges' image proxies (camo) cache badges; keep it short so a
		// new score shows within minutes.
		w.Header().Set("Cache-Control", "public, max-age=300")
		w.WriteHeader(status)
		_, _ = w.Write(renderBadge("vigie", message, colour))
	}
	id, ok := parseRepo(strings.TrimSuffix(raw, ".svg"))
	if !ok || !strings.HasSuffix(raw, ".svg") {
		send(http.StatusBadRequest, "adresse invalide", badgeColours["none"])
		return
	}
	sn, _, err := s.lookup(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		send(http.StatusOK, "dépôt non suivi", badgeColours["none"])
		return
	}
	if err != nil {
		s.log.ErrorContext(r.Context(), "web: badge", "repo", id, "err", err)
		send(http.StatusInternalServerError, "indisponible", badgeColours["none"])
		return
	}
	v, err := s.view(r.Context(), sn)
	if err != nil {
		s.log.ErrorContext(r.Context(), "web: badge", "repo", id, "err", err)
		send(http.StatusInternalServerError, "indisponible", badgeColours["none"])
		return
	}
	sc := v.Score()
	if sc == nil {
		send(http.StatusOK, "erreur", badgeColours["none"])
		return
	}
	send(http.StatusOK, fmt.Sprintf("%d/100", *sc), badgeColours[band(*sc)])
}
