package crawler

import (
	"errors"
	"fmt"
	"testing"
)

func TestPager(t *testing.T) {
	page := func(from, n int) []string {
		var out []string
		for i := range n {
			out = append(out, fmt.Sprintf("o/r%d", from+i))
		}
		return out
	}
	type call struct {
		cursor string
		paths  []string
		more   bool
	}
	tests := []struct {
		name    string
		total   int // -1: not said
		calls   []call
		wantCut int // index of the call that is cut; -1 none
	}{
		{"honest three pages", -1, []call{{"", page(0, 100), true}, {"a", page(100, 100), true}, {"b", page(200, 5), false}}, -1},
		{"repeated cursor", -1, []call{{"", page(0, 100), true}, {"a", page(100, 100), true}, {"a", page(100, 100), true}}, 2},
		{"same page again under a new cursor", -1, []call{{"", page(0, 100), true}, {"a", page(0, 100), true}}, 1},
		{"beyond the total", 150, []call{{"", page(0, 100), true}, {"a", page(100, 100), true}, {"b", page(200, 100), true}, {"c", page(300, 100), true}}, 3},
		{"total exact", 200, []call{{"", page(0, 100), true}, {"a", page(100, 100), false}}, -1},
		{"last page empty", -1, []call{{"", page(0, 100), true}, {"a", nil, false}}, -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var p Pager
			if tc.total >= 0 {
				p.Total(tc.total, 100)
			}
			for i, c := range tc.calls {
				err := p.Next(c.cursor, c.paths, c.more)
				if i == tc.wantCut {
					if !errors.Is(err, ErrListingCut) {
						t.Fatalf("call %d: %v, want ErrListingCut", i, err)
					}
					return
				}
				if err != nil {
					t.Fatalf("call %d: %v", i, err)
				}
			}
			if tc.wantCut >= 0 {
				t.Error("never cut")
			}
		})
	}
	// Fresh pages forever: the absolute bound stops them.
	var p Pager
	for i := 0; ; i++ {
		if err := p.Next(fmt.Sprint(i), page(i*100, 100), true); err != nil {
			if !errors.Is(err, ErrListingCut) || i+1 != MaxListPages {
				t.Errorf("stopped at page %d: %v", i+1, err)
			}
			break
		}
	}
}
