package migrations

import (
	"errors"
	"testing"
	"testing/fstest"

	"github.com/eiglink/vigie/store"
)

func TestLoad(t *testing.T) {
	sql := &fstest.MapFile{Data: []byte("CREATE TABLE t (x int);")}
	tests := []struct {
		name     string
		files    fstest.MapFS
		versions []int
		wantErr  bool
	}{
		{"in order", fstest.MapFS{"m/0002_b.sql": sql, "m/0001_a.sql": sql, "m/README": sql}, []int{1, 2}, false},
		{"gap", fstest.MapFS{"m/0001_a.sql": sql, "m/0003_c.sql": sql}, nil, true},
		{"repeat", fstest.MapFS{"m/0001_a.sql": sql, "m/001_b.sql": sql}, nil, true},
		{"not starting at 1", fstest.MapFS{"m/0002_a.sql": sql}, nil, true},
		{"no version", fstest.MapFS{"m/init.sql": sql}, nil, true},
		{"bad version", fstest.MapFS{"m/x1_init.sql": sql}, nil, true},
		{"empty", fstest.MapFS{"m/README": sql}, nil, true},
		{"missing dir", fstest.MapFS{}, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ms, err := Load(tc.files, "m")
			if (err != nil) != tc.wantErr {
				t.Fatalf("Load error = %v, want error %v", err, tc.wantErr)
			}
			var got []int
			for _, m := range ms {
				got = append(got, m.Version)
				if m.SQL == "" || m.Name == "" {
					t.Errorf("migration %d: empty name or SQL", m.Version)
				}
			}
			if len(got) != len(tc.versions) {
				t.Fatalf("versions = %v, want %v", got, tc.versions)
			}
			for i := range got {
				if got[i] != tc.versions[i] {
					t.Errorf("versions = %v, want %v", got, tc.versions)
				}
			}
		})
	}
}

func TestPending(t *testing.T) {
	known := []Migration{{Version: 1, Name: "a"}, {Version: 2, Name: "b"}, {Version: 3, Name: "c"}}
	tests := []struct {
		current int
		want    []int
		newer   bool
	}{
		{0, []int{1, 2, 3}, false},
		{2, []int{3}, false},
		{3, nil, false},
		{4, nil, true},
	}
	for _, tc := range tests {
		got, err := Pending(known, tc.current)
		if tc.newer != errors.Is(err, store.ErrSchemaNewer) || (!tc.newer && err != nil) {
			t.Errorf("Pending(%d) error = %v, want newer %v", tc.current, err, tc.newer)
		}
		var versions []int
		for _, m := range got {
			versions = append(versions, m.Version)
		}
		if len(versions) != len(tc.want) {
			t.Errorf("Pending(%d) = %v, want %v", tc.current, versions, tc.want)
			continue
		}
		for i := range versions {
			if versions[i] != tc.want[i] {
				t.Errorf("Pending(%d) = %v, want %v", tc.current, versions, tc.want)
			}
		}
	}
}
