package web_test

import (
	"math"
	"os"
	"regexp"
	"strconv"
	"testing"
)

// luminance is WCAG 2's relative luminance of a #rrggbb colour.
func luminance(hex string) float64 {
	ch := func(s string) float64 {
		v, _ := strconv.ParseUint(s, 16, 8)
		c := float64(v) / 255
		if c <= 0.03928 {
			return c / 12.92
		}
		return math.Pow((c+0.055)/1.055, 2.4)
	}
	return 0.2126*ch(hex[1:3]) + 0.7152*ch(hex[3:5]) + 0.0722*ch(hex[5:7])
}

func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// TestContrast keeps every text colour of the stylesheet at WCAG AA (4.5:1)
// against the background it is drawn on.
func TestContrast(t *testing.T) {
	css, err := os.ReadFile("static/vigie.css")
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	for _, m := range regexp.MustCompile(`--([a-z-]+):\s*(#[0-9a-fA-F]{6})`).FindAllStringSubmatch(string(css), -1) {
		vars[m[1]] = m[2]
	}
	pairs := [][2]string{
		{"ink", "bg"}, {"muted", "bg"}, {"muted", "soft"}, {"link", "bg"}, {"ink", "soft"},
		{"good-ink", "good-bg"}, {"fair-ink", "fair-bg"}, {"poor-ink", "poor-bg"}, {"none-ink", "none-bg"},
	}
	for _, p := range pairs {
		fg, bg := vars[p[0]], vars[p[1]]
		if fg == "" || bg == "" {
			t.Errorf("--%s or --%s is not a #rrggbb colour in vigie.css", p[0], p[1])
			continue
		}
		if c := contrast(fg, bg); c < 4.5 {
			t.Errorf("--%s on --%s: contrast %.2f, want at least 4.5", p[0], p[1], c)
		}
	}
	// White text on the header and buttons.
	if c := contrast("#ffffff", vars["accent"]); c < 4.5 {
		t.Errorf("white on --accent: %.2f", c)
	}
}
