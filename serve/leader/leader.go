// Package leader decides which of several `vigie serve` processes sharing
// one database runs the schedule (crawls and weekly report): exactly one at
// a time, and another soon after it dies.
//
// With Postgres the leader is the process holding a session advisory lock
// on a connection of its own: the lock lives as long as the session, so a
// leader killed outright (SIGKILL, a lost machine) frees it as soon as
// Postgres sees the connection close, and a follower polling for the lock
// takes over. The leader pings its connection to notice losing it (the
// database restarted, the network cut): leadership ends with the
// connection, never later than the next ping. With SQLite there is one
// process, always the leader (Single).
//
// An Elector is a gocron v2 Elector (IsLeader), so the scheduler asks it
// before every run.
package leader

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrNotLeader is IsLeader's answer in a process that does not lead.
var ErrNotLeader = errors.New("not the leader: another replica runs the schedule")

// Elector says whether this process leads, and campaigns to.
type Elector interface {
	// IsLeader returns nil when this process leads (gocron.Elector).
	IsLeader(ctx context.Context) error
	// Campaign tries to lead until ctx ends, calling changed on every
	// gain (true) and loss (false) of leadership, one call at a time;
	// it returns once ctx is done and leadership given up.
	Campaign(ctx context.Context, changed func(leader bool))
}

// Single is the elector of a process alone on its database: it leads.
type Single struct{}

// IsLeader is always nil.
func (Single) IsLeader(context.Context) error { return nil }

// Campaign reports leadership at once, and gives it up when ctx ends.
func (Single) Campaign(ctx context.Context, changed func(bool)) {
	changed(true)
	<-ctx.Done()
	changed(false)
}

// DefaultInterval is how often a follower asks for the lock and a leader
// pings its connection: a takeover after a leader's death takes about
// this long once Postgres has noticed it.
const DefaultInterval = 2 * time.Second

// Postgres elects over a session advisory lock of the database; the lock
// is named after the connection's schema, so programmes kept in separate
// schemas of one database elect separately.
type Postgres struct {
	cfg      *pgx.ConnConfig
	interval time.Duration
	log      *slog.Logger

	leader atomic.Bool
	mu     sync.Mutex // guards conn: a pgx.Conn is not for concurrent use
	conn   *pgx.Conn
}

// lockKey names the lock; the same expression in every replica.
const lockKey = `hashtextextended('vigie schedule leader in ' || current_schema(), 0)`

// NewPostgres prepares an elector on the database at dsn (as the store
// takes it). interval 0 means DefaultInterval. It connects only when
// campaigning.
func NewPostgres(dsn string, interval time.Duration, log *slog.Logger) (*Postgres, error) {
	// pgxpool's parser takes the store's DSN whole (pool settings
	// included) and hands back the one connection's part.
	pc, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, errors.New("leader election: invalid postgres dsn")
	}
	if interval <= 0 {
		interval = DefaultInterval
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg := pc.ConnConfig.Copy()
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["application_name"] = "vigie leader election"
	return &Postgres{cfg: cfg, interval: interval, log: log}, nil
}

// IsLeader returns nil when this process holds the lock and its
// connection answers now: a job starts only on a live leadership.
func (p *Postgres) IsLeader(ctx context.Context) error {
	if !p.leader.Load() {
		return ErrNotLeader
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conn == nil {
		return ErrNotLeader
	}
	if err := p.ping(ctx); err != nil {
		return fmt.Errorf("%w (its connection failed: %v)", ErrNotLeader, err)
	}
	return nil
}

// ping checks the held connection, within the interval. Called with mu.
func (p *Postgres) ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, p.interval)
	defer cancel()
	return p.conn.Ping(ctx)
}

// Campaign polls for the lock while following and pings while leading,
// every interval, until ctx ends; then it releases the lock and closes
// its connection.
func (p *Postgres) Campaign(ctx context.Context, changed func(bool)) {
	t := time.NewTicker(p.interval)
	defer t.Stop()
	for {
		p.step(ctx, changed)
		select {
		case <-ctx.Done():
			p.resign(changed)
			return
		case <-t.C:
		}
	}
}

// step makes one move: connect, ask for the lock, or check it is held.
func (p *Postgres) step(ctx context.Context, changed func(bool)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conn == nil {
		cctx, cancel := context.WithTimeout(ctx, max(p.interval, 5*time.Second))
		conn, err := pgx.ConnectConfig(cctx, p.cfg)
		cancel()
		if err != nil {
			if ctx.Err() == nil {
				p.log.Warn("leader election: cannot reach the database, following", "err", err)
			}
			return
		}
		p.conn = conn
	}
	if p.leader.Load() {
		if err := p.ping(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			p.log.Warn("leader election: the connection holding the lock failed, leadership lost", "err", err)
			p.drop()
			p.leader.Store(false)
			changed(false)
		}
		return
	}
	qctx, cancel := context.WithTimeout(ctx, p.interval)
	defer cancel()
	var got bool
	if err := p.conn.QueryRow(qctx, `SELECT pg_try_advisory_lock(`+lockKey+`)`).Scan(&got); err != nil {
		if ctx.Err() == nil {
			p.log.Warn("leader election: asking for the lock", "err", err)
		}
		p.drop()
		return
	}
	if got {
		p.log.Info("leader election: this process now runs the schedule")
		p.leader.Store(true)
		changed(true)
	}
}

// drop closes the connection (and so frees the lock, if held). Called
// with mu.
func (p *Postgres) drop() {
	if p.conn == nil {
		return
	}
	cctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = p.conn.Close(cctx)
	p.conn = nil
}

// resign gives up leadership: closing the session releases its lock, so a
// follower takes over at its next poll.
func (p *Postgres) resign(changed func(bool)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	was := p.leader.Swap(false)
	p.drop()
	if was {
		p.log.Info("leader election: leadership given up")
		changed(false)
	}
}
