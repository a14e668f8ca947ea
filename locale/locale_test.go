package locale

import (
	"testing"
	"time"
)

func TestOf(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Lang
	}{
		{"", French}, {"fr", French}, {"fr-FR", French}, {"de", French}, {"english", French},
		{"en", English}, {"EN", English}, {"en-GB", English}, {"en_US", English},
	} {
		if got := Of(tt.in); got != tt.want {
			t.Errorf("Of(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWords(t *testing.T) {
	tx := Text{FR: "Activité", EN: "Activity"}
	for _, tt := range []struct {
		l                 Lang
		text, pick, month string
	}{
		{French, "Activité", "oui", "août"},
		{English, "Activity", "yes", "August"},
		{Lang(""), "Activité", "oui", "août"},
	} {
		if got := tx.In(tt.l); got != tt.text {
			t.Errorf("%q: In = %q, want %q", tt.l, got, tt.text)
		}
		if got := tt.l.Pick("oui", "yes"); got != tt.pick {
			t.Errorf("%q: Pick = %q, want %q", tt.l, got, tt.pick)
		}
		if got := tt.l.Month(time.August); got != tt.month {
			t.Errorf("%q: Month = %q, want %q", tt.l, got, tt.month)
		}
	}
	if French.Month(time.January) != "janvier" || French.Month(time.December) != "décembre" {
		t.Error("French months out of order")
	}
}
