package codec

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/eiglink/vigie/checks"
	"github.com/eiglink/vigie/store"
)

func TestBound(t *testing.T) {
	mid := time.Date(2026, 11, 23, 9, 0, 0, 5, time.FixedZone("CET", 3600))
	tests := []struct {
		name string
		in   time.Time
		want time.Time
	}{
		{"zero", time.Time{}, MinTime},
		{"before year 1", time.Time{}.Add(-time.Hour), MinTime},
		{"in range, other zone", mid, mid.UTC()},
		{"far future", time.Unix(1<<40, 0), MaxTime},
	}
	for _, tc := range tests {
		got := Bound(tc.in)
		if !got.Equal(tc.want) || got.Location() != time.UTC {
			t.Errorf("%s: Bound(%v) = %v, want %v in UTC", tc.name, tc.in, got, tc.want)
		}
	}
}

func TestEncodeDecode(t *testing.T) {
	score := 7
	at := time.Date(2026, 11, 23, 9, 0, 0, 123456789, time.FixedZone("CET", 3600))
	in := store.Snapshot{Result: checks.Result{
		Repo: "github.com/o/r", Defi: "d", Forge: "github", CrawledAt: at, Score: &score,
		Checks: []checks.Check{{Name: "readme", Details: map[string]any{"bytes": 12, "file": "README.md"}}},
	}}
	row, err := Encode(in)
	if err != nil {
		t.Fatal(err)
	}
	if row.Facts != nil || row.Repo != "github.com/o/r" || row.CrawledAt.Location() != time.UTC || *row.Score != 7 {
		t.Errorf("Encode = %+v", row)
	}
	for _, facts := range [][]byte{nil, []byte("null")} {
		out, err := DecodeSnapshot(row.Result, facts)
		if err != nil {
			t.Fatal(err)
		}
		if out.Facts != nil {
			t.Errorf("facts %q decoded to %+v, want nil", facts, out.Facts)
		}
		want := in.Result
		want.CrawledAt = at.UTC()
		w, _ := json.Marshal(want)
		g, _ := json.Marshal(out.Result)
		if !bytes.Equal(g, w) {
			t.Errorf("round trip:\n got %s\nwant %s", g, w)
		}
	}
	if _, err := DecodeSnapshot([]byte("{"), nil); err == nil {
		t.Error("DecodeSnapshot accepted broken JSON")
	}
	if _, err := DecodeSnapshot(row.Result, []byte(`{"stars":"many"}`)); err == nil {
		t.Error("DecodeSnapshot accepted facts of the wrong shape")
	}
}
