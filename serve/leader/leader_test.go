package leader_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/eiglink/vigie/serve/leader"
	"github.com/eiglink/vigie/store/postgres/pgtest"
)

// candidate is one elector campaigning, with the changes it reported.
type candidate struct {
	el      *leader.Postgres
	cancel  context.CancelFunc
	done    chan struct{}
	mu      sync.Mutex
	changes []bool
}

func campaign(t *testing.T, dsn string) *candidate {
	t.Helper()
	el, err := leader.NewPostgres(dsn, 200*time.Millisecond, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := &candidate{el: el, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(c.done)
		el.Campaign(ctx, func(l bool) {
			c.mu.Lock()
			c.changes = append(c.changes, l)
			c.mu.Unlock()
		})
	}()
	t.Cleanup(c.stop)
	return c
}

func (c *candidate) stop() {
	c.cancel()
	<-c.done
}

func (c *candidate) leads() bool { return c.el.IsLeader(context.Background()) == nil }

func (c *candidate) history() []bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]bool(nil), c.changes...)
}

// leaders waits until exactly one of cs leads and returns it.
func leaders(t *testing.T, cs []*candidate) *candidate {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		var lead []*candidate
		for _, c := range cs {
			if c.leads() {
				lead = append(lead, c)
			}
		}
		if len(lead) > 1 {
			t.Fatalf("%d candidates lead at once", len(lead))
		}
		if len(lead) == 1 {
			return lead[0]
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("no candidate leads")
	return nil
}

func TestOneLeaderAndTakeover(t *testing.T) {
	dsn := pgtest.SchemaDSN(t)
	cs := []*candidate{campaign(t, dsn), campaign(t, dsn), campaign(t, dsn)}
	first := leaders(t, cs)
	// Stay a while: still exactly one, the same.
	for range 10 {
		time.Sleep(50 * time.Millisecond)
		if leaders(t, cs) != first {
			t.Fatal("leadership moved without cause")
		}
	}
	// The leader resigns (a clean shutdown): another takes over.
	first.stop()
	if h := first.history(); len(h) != 2 || !h[0] || h[1] {
		t.Errorf("the resigned leader reported %v, want [true false]", h)
	}
	if err := first.el.IsLeader(context.Background()); !errors.Is(err, leader.ErrNotLeader) {
		t.Errorf("IsLeader after resigning: %v", err)
	}
	rest := []*candidate{cs[0], cs[1], cs[2]}
	rest = deleteCandidate(rest, first)
	second := leaders(t, rest)

	// The second leader's session is killed from the server's side (as
	// when the database restarts or the network drops it): it notices,
	// and the third takes over.
	terminate(t, dsn)
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		h := second.history()
		if len(h) >= 2 && !h[1] {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if h := second.history(); len(h) < 2 || !h[0] || h[1] {
		t.Fatalf("the leader whose session died reported %v, want [true false ...]", h)
	}
	leaders(t, rest)
}

func deleteCandidate(cs []*candidate, c *candidate) []*candidate {
	var out []*candidate
	for _, x := range cs {
		if x != c {
			out = append(out, x)
		}
	}
	return out
}

// terminate ends the server session holding an advisory lock.
func terminate(t *testing.T, dsn string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
		AND objid = (hashtextextended('vigie schedule leader in ' || current_schema(), 0) & 4294967295)::oid`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("terminated %d sessions holding the lock, want 1", n)
	}
}

func TestUnreachableDatabaseFollows(t *testing.T) {
	el, err := leader.NewPostgres("postgres://vigie@127.0.0.1:1/vigie?connect_timeout=1", 100*time.Millisecond, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	var got []bool
	el.Campaign(ctx, func(l bool) { got = append(got, l) })
	if len(got) != 0 || el.IsLeader(context.Background()) == nil {
		t.Errorf("an elector without its database led: %v", got)
	}
}

func TestBadDSN(t *testing.T) {
	_, err := leader.NewPostgres("postgres://u:s3cret@host:notaport/db", 0, nil)
	if err == nil {
		t.Fatal("a bad DSN was accepted")
	}
	if s := err.Error(); len(s) == 0 || strings.Contains(s, "s3cret") {
		t.Errorf("error %q", s)
	}
}
