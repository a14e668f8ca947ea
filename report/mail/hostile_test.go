package mail_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/eiglink/vigie/internal/fakesmtp"
	"github.com/eiglink/vigie/report/mail"
	"github.com/eiglink/vigie/store/memstore"
)

// A server that has accepted a message (250 after DATA) has it, whatever
// happens next: the mail is recorded as sent and never sent again, over
// repeated runs. A server that did not accept it gets it again.
func TestAcceptedThenFailing(t *testing.T) {
	tests := []struct {
		name     string
		b        fakesmtp.Behaviour
		accepted bool // the server keeps the message
		slowest  time.Duration
	}{
		{"slow QUIT", fakesmtp.Behaviour{QuitDelay: 3 * time.Second}, true, 2 * time.Second},
		{"QUIT dropped", fakesmtp.Behaviour{QuitDrop: true}, true, 0},
		{"QUIT slow then dropped", fakesmtp.Behaviour{QuitDelay: 100 * time.Millisecond, QuitDrop: true}, true, 0},
		{"QUIT refused", fakesmtp.Behaviour{QuitCode: 421}, true, 0},
		{"RSET refused after the message", fakesmtp.Behaviour{RsetCode: 451}, true, 0},
		{"DATA deferred", fakesmtp.Behaviour{DataCode: 451}, false, 0},
	}
	recipients := []string{"a@example.org", "b@example.org"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			srv := fakesmtp.Start(t, tt.b)
			st := memstore.New()
			var logs bytes.Buffer
			s := sender(t, srv.Port, "none", mail.Options{
				Attempts: 3, Backoff: time.Millisecond, QuitWait: 200 * time.Millisecond, Timeout: 5 * time.Second,
				Logger: slog.New(slog.NewTextHandler(&logs, nil)),
			})
			js := jobs("2026-W48", "", recipients...)
			for run := range 3 {
				start := time.Now()
				out, err := mail.Deliver(ctx, st, s, js, at, nil)
				took := time.Since(start)
				switch {
				case tt.accepted && run == 0:
					if err != nil || len(out.Sent) != 2 {
						t.Fatalf("run %d: %+v %v", run, out, err)
					}
					if tt.slowest > 0 && took > tt.slowest {
						t.Errorf("run %d took %v: the slow QUIT held it", run, took)
					}
				case tt.accepted:
					if err != nil || len(out.Skipped) != 2 {
						t.Fatalf("run %d: %+v %v", run, out, err)
					}
				default:
					if err == nil || len(out.Failed) != 2 {
						t.Fatalf("run %d: %+v %v, want both failed", run, out, err)
					}
				}
			}
			for _, r := range recipients {
				want := 0
				if tt.accepted {
					want = 1
				}
				if n := srv.Count(r); n != want {
					t.Errorf("%s received %d copies, want %d", r, n, want)
				}
				if sent, _ := st.Sent(ctx, "2026-W48", "", r); sent != tt.accepted {
					t.Errorf("%s recorded as sent: %v, want %v", r, sent, tt.accepted)
				}
			}
			if tt.accepted && !strings.Contains(logs.String(), "counted as sent") {
				t.Error("the failure after acceptance was not logged")
			}
		})
	}
}
