// Package mail sends vigie's weekly report: one multipart message (plain
// text and HTML) per recipient through the configured SMTP server, retried
// with backoff on transient failures, and recorded in the store once the
// server has accepted it, so a recipient gets a week's report at most once
// even when sending runs again.
package mail

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/eiglink/vigie/config"
	"github.com/eiglink/vigie/store"
)

// Message is one mail to one recipient.
type Message struct {
	To      string
	Subject string
	Text    []byte // the text/plain part
	HTML    []byte // the text/html part (styles inline, nothing external)
	Date    time.Time
	// ID is the Message-ID's left part ("" none): the same report to the
	// same recipient keeps the same ID, so clients can fold a duplicate.
	ID string
}

// MessageID returns a stable Message-ID left part for a week, scope and
// recipient.
func MessageID(week, scope, recipient string) string {
	h := sha256.Sum256([]byte(strings.ToLower(recipient)))
	if scope == "" {
		scope = "programme"
	}
	return "vigie." + week + "." + scope + "." + hex.EncodeToString(h[:6])
}

// Options tune a Sender.
type Options struct {
	Logger *slog.Logger
	// Attempts is how many times a transient failure is tried (default 3).
	Attempts int
	// Backoff is the wait after the first failure, doubled after each
	// (default 2s).
	Backoff time.Duration
	// Timeout bounds each connection (default 30s).
	Timeout time.Duration
	// TLSConfig overrides the TLS settings (nil: system roots, server name
	// from the configured host).
	TLSConfig *tls.Config
	// QuitWait bounds the wait for the server's answer to QUIT once it has
	// accepted the message (default 5s): the mail is sent by then, and a
	// server slow to say goodbye must not hold the next recipients.
	QuitWait time.Duration
}

// Sender sends messages through the configured SMTP server.
type Sender struct {
	cfg config.SMTP
	o   Options
}

// NewSender checks cfg and returns a Sender. It does not connect.
func NewSender(cfg config.SMTP, o Options) (*Sender, error) {
	switch cfg.Security {
	case "", "none", "starttls", "tls":
	default:
		return nil, fmt.Errorf("smtp.security %q: want none, starttls or tls", cfg.Security)
	}
	if cfg.Host == "" {
		return nil, errors.New("smtp.host is empty")
	}
	if cfg.From == "" {
		return nil, errors.New("smtp.from is empty")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Attempts <= 0 {
		o.Attempts = 3
	}
	if o.Backoff <= 0 {
		o.Backoff = 2 * time.Second
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.QuitWait <= 0 {
		o.QuitWait = 5 * time.Second
	}
	return &Sender{cfg: cfg, o: o}, nil
}

// Addr is the server's host:port, for messages.
func (s *Sender) Addr() string {
	return net.JoinHostPort(s.cfg.Host, strconv.Itoa(s.port()))
}

func (s *Sender) port() int {
	if s.cfg.Port != 0 {
		return s.cfg.Port
	}
	if s.cfg.Security == "tls" {
		return 465
	}
	return 587
}

func (s *Sender) client() (*gomail.Client, error) {
	opts := []gomail.Option{
		gomail.WithPort(s.port()),
		gomail.WithTimeout(s.o.Timeout),
	}
	switch s.cfg.Security {
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case "tls":
		opts = append(opts, gomail.WithSSL())
	default: // starttls
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.o.TLSConfig != nil {
		opts = append(opts, gomail.WithTLSConfig(s.o.TLSConfig))
	}
	if s.cfg.Username != "" {
		opts = append(opts,
			gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.cfg.Username),
			gomail.WithPassword(s.cfg.Password))
	}
	return gomail.NewClient(s.cfg.Host, opts...)
}

// Compose builds the MIME message: multipart/alternative, text then HTML.
func Compose(from string, m Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.SetUserAgent("vigie")
	if err := msg.From(from); err != nil {
		return nil, fmt.Errorf("smtp.from %q: %w", from, err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("recipient %q: %w", m.To, err)
	}
	msg.Subject(m.Subject)
	if !m.Date.IsZero() {
		msg.SetDateWithValue(m.Date)
	} else {
		msg.SetDate()
	}
	if m.ID != "" {
		domain := "vigie"
		if i := strings.LastIndex(from, "@"); i >= 0 {
			domain = strings.Trim(from[i+1:], "> ")
		}
		msg.SetMessageIDWithValue(m.ID + "@" + domain)
	}
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, string(m.Text))
	msg.AddAlternativeString(gomail.TypeTextHTML, string(m.HTML))
	return msg, nil
}

// WriteEML writes m as an .eml file's content, as it would be sent.
func WriteEML(w io.Writer, from string, m Message) error {
	msg, err := Compose(from, m)
	if err != nil {
		return err
	}
	if _, err := msg.WriteTo(w); err != nil {
		return fmt.Errorf("write message to %s: %w", m.To, err)
	}
	return nil
}

// From is the configured sender address.
func (s *Sender) From() string { return s.cfg.From }

// Send delivers m, trying again with backoff when the failure is transient
// (connection refused or reset, 4xx answers). A permanent refusal (5xx, a
// refused recipient) returns at once. It returns nil once the server has
// accepted the message: it answered 250 to the end of its DATA. What fails
// after that (RSET, a QUIT slow to answer or refused, the connection
// dropped) is logged, and the mail counts as sent: the server has it, and
// sending it again would deliver it twice.
func (s *Sender) Send(ctx context.Context, m Message) error {
	msg, err := Compose(s.cfg.From, m)
	if err != nil {
		return err
	}
	wait := s.o.Backoff
	for attempt := 1; ; attempt++ {
		c, err := s.client()
		if err != nil {
			return fmt.Errorf("mail to %s via %s: %w", m.To, s.Addr(), err)
		}
		err = s.sendOnce(ctx, c, msg)
		if err == nil {
			return nil
		}
		if msg.IsDelivered() {
			s.o.Logger.WarnContext(ctx, "mail accepted by the server, which then failed; counted as sent", "to", m.To, "server", s.Addr(), "err", err)
			return nil
		}
		err = fmt.Errorf("mail to %s via %s (attempt %d of %d): %w", m.To, s.Addr(), attempt, s.o.Attempts, err)
		if !transient(err) || attempt >= s.o.Attempts || ctx.Err() != nil {
			return err
		}
		s.o.Logger.WarnContext(ctx, "mail not sent, trying again", "to", m.To, "server", s.Addr(), "in", wait.String(), "err", err)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return errors.Join(err, ctx.Err())
		case <-t.C:
		}
		wait *= 2
	}
}

// sendOnce is go-mail's DialAndSend with a bounded goodbye: once the
// message is accepted, the server gets QuitWait to answer QUIT; past it the
// answer is not waited for (the connection's own deadline, Timeout, ends
// the exchange in the background).
func (s *Sender) sendOnce(ctx context.Context, c *gomail.Client, msg *gomail.Msg) error {
	sc, err := c.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return fmt.Errorf("dial: %w", err)
	}
	sendErr := c.SendWithSMTPClient(sc, msg)
	if sendErr != nil {
		sendErr = fmt.Errorf("send: %w", sendErr)
	}
	quit := make(chan error, 1)
	go func() { quit <- c.CloseWithSMTPClient(sc) }()
	t := time.NewTimer(s.o.QuitWait)
	defer t.Stop()
	var quitErr error
	select {
	case quitErr = <-quit:
	case <-t.C:
		quitErr = fmt.Errorf("no answer to QUIT within %v", s.o.QuitWait)
	case <-ctx.Done():
		quitErr = ctx.Err()
	}
	if quitErr != nil {
		quitErr = fmt.Errorf("close: %w", quitErr)
	}
	return errors.Join(sendErr, quitErr)
}

// transient tells a failure worth retrying: the server said 4xx, or the
// connection failed before it said anything.
func transient(err error) bool {
	var se *gomail.SendError
	if errors.As(err, &se) {
		return se.IsTemp()
	}
	return true
}

// IsRefused reports whether err is a permanent refusal by the server
// (a 5xx answer), such as a refused recipient.
func IsRefused(err error) bool {
	var se *gomail.SendError
	return errors.As(err, &se) && !se.IsTemp()
}

// Deliverer sends one message; *Sender is one.
type Deliverer interface {
	Send(ctx context.Context, m Message) error
}

// Job is one report to one recipient.
type Job struct {
	Week    string // "2026-W48"
	Scope   string // "" the whole programme, else a défi slug
	Message Message
}

// Outcome says what Deliver did.
type Outcome struct {
	Sent    []string // recipients the server accepted now
	Skipped []string // recipients that had it already
	Failed  []string // recipients not reached (see the error)
}

// Deliver sends every job whose mail it can claim in the store, and
// records each one the server accepts (store.MarkSent) right after it did.
// The claim comes before the send (store.ClaimSend: an insert under a
// unique key, not a check then a send), so two processes delivering the
// same report at the same instant send each mail once. A mail the server
// refuses or cannot take has its claim released, for a later run. A
// failure does not stop the others; the error names every recipient not
// reached.
func Deliver(ctx context.Context, st store.Store, d Deliverer, jobs []Job, now time.Time, log *slog.Logger) (Outcome, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var out Outcome
	var errs []error
	for _, j := range jobs {
		to := j.Message.To
		claimed, err := st.ClaimSend(ctx, j.Week, j.Scope, to, now)
		if err != nil {
			return out, fmt.Errorf("report %s: claiming the mail to %s: %w", j.Week, to, err)
		}
		if !claimed {
			log.InfoContext(ctx, "report already sent (or being sent)", "week", j.Week, "scope", j.Scope, "to", to)
			out.Skipped = append(out.Skipped, to)
			continue
		}
		if err := d.Send(ctx, j.Message); err != nil {
			log.ErrorContext(ctx, "report not sent", "week", j.Week, "scope", j.Scope, "to", to, "err", err)
			out.Failed = append(out.Failed, to)
			errs = append(errs, fmt.Errorf("report %s: %w", j.Week, err))
			// Released even when ctx is done: the mail was not sent.
			if rerr := st.ReleaseSend(context.WithoutCancel(ctx), j.Week, to); rerr != nil {
				errs = append(errs, fmt.Errorf("report %s: releasing the claim on the mail to %s (claimable again in %s): %w",
					j.Week, to, store.ClaimTimeout, rerr))
			}
			if ctx.Err() != nil {
				break
			}
			continue
		}
		if err := st.MarkSent(context.WithoutCancel(ctx), j.Week, j.Scope, to, now); err != nil {
			// Accepted but not recorded: the claim still stands, so it is
			// not sent again before store.ClaimTimeout.
			return out, fmt.Errorf("report %s: sent to %s but not recorded as sent: %w", j.Week, to, err)
		}
		log.InfoContext(ctx, "report sent", "week", j.Week, "scope", j.Scope, "to", to)
		out.Sent = append(out.Sent, to)
	}
	if len(errs) > 0 {
		return out, fmt.Errorf("%d of %d mails not sent (%s): %w", len(out.Failed), len(jobs), strings.Join(out.Failed, ", "), errors.Join(errs...))
	}
	return out, nil
}
