package checks

import (
	"reflect"
	"testing"
)

func TestSpans(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []Span
	}{
		{"plain", []Span{{Text: "plain"}}},
		{"lance `npm ci && npm test`.", []Span{{Text: "lance "}, {Text: "npm ci && npm test", Code: true}, {Text: "."}}},
		{"`a` et `b`", []Span{{Text: "a", Code: true}, {Text: " et "}, {Text: "b", Code: true}}},
		{"un bloc de code (```) ; lancez `make`", []Span{{Text: "un bloc de code (```) ; lancez "}, {Text: "make", Code: true}}},
		{"unclosed `quote", []Span{{Text: "unclosed `quote"}}},
		{"empty `` pair", []Span{{Text: "empty `` pair"}}},
		{"", nil},
	} {
		if got := Spans(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Spans(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}
