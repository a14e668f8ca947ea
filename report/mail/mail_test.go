package mail_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/eiglink/vigie/config"
	"github.com/eiglink/vigie/report/mail"
	"github.com/eiglink/vigie/report/mail/mailpittest"
	"github.com/eiglink/vigie/store"
	"github.com/eiglink/vigie/store/memstore"
	"github.com/eiglink/vigie/store/sqlite/sqlitetest"
)

var at = time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC)

func message(to string) mail.Message {
	return mail.Message{
		To:      to,
		Subject: "Vigie — semaine 48 de 2026 : score moyen 60,8/100",
		Text:    []byte("Score moyen : 60,8/100\nÉvolution : −1,3\n"),
		HTML:    []byte(`<!DOCTYPE html><html lang="fr"><body style="color:#1f2328;"><p>Score moyen : <strong>60,8</strong>/100</p></body></html>`),
		Date:    at,
		ID:      mail.MessageID("2026-W48", "", to),
	}
}

func sender(t *testing.T, port int, security string, o mail.Options) *mail.Sender {
	t.Helper()
	s, err := mail.NewSender(config.SMTP{Host: "127.0.0.1", Port: port, Security: security, From: "vigie@example.org"}, o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSendMultipart(t *testing.T) {
	mp := mailpittest.Start(t)
	s := sender(t, mp.SMTPPort, "none", mail.Options{})
	if err := s.Send(context.Background(), message("coachs@example.org")); err != nil {
		t.Fatal(err)
	}
	got := mp.Messages()
	if len(got) != 1 {
		t.Fatalf("%d messages", len(got))
	}
	m := got[0]
	if len(m.To) != 1 || m.To[0].Address != "coachs@example.org" || m.From.Address != "vigie@example.org" {
		t.Errorf("addresses: %+v from %+v", m.To, m.From)
	}
	if m.Subject != "Vigie — semaine 48 de 2026 : score moyen 60,8/100" {
		t.Errorf("subject %q", m.Subject)
	}
	if !strings.Contains(m.Text, "Évolution : −1,3") || !strings.Contains(m.HTML, "<strong>60,8</strong>") {
		t.Errorf("parts: text %q html %q", m.Text, m.HTML)
	}
	if !strings.HasPrefix(m.MessageID, "vigie.2026-W48.programme.") {
		t.Errorf("message id %q", m.MessageID)
	}
	raw := mp.Raw(m.ID)
	for _, want := range []string{"multipart/alternative", "text/plain; charset=UTF-8", "text/html; charset=UTF-8", "Auto-Submitted: auto-generated"} {
		if !strings.Contains(raw, want) {
			t.Errorf("raw message lacks %q", want)
		}
	}
	if strings.Index(raw, "text/plain") > strings.Index(raw, "text/html") {
		t.Error("HTML part is not the last (preferred) alternative")
	}
}

func jobs(week, scope string, to ...string) []mail.Job {
	var out []mail.Job
	for _, r := range to {
		out = append(out, mail.Job{Week: week, Scope: scope, Message: message(r)})
	}
	return out
}

func TestDeliverOnce(t *testing.T) {
	ctx := context.Background()
	mp := mailpittest.Start(t)
	db := filepath.Join(t.TempDir(), "vigie.db")
	first := sqlitetest.SQLite(t, db)
	s := sender(t, mp.SMTPPort, "none", mail.Options{})
	js := jobs("2026-W48", "", "a@example.org", "b@example.org")
	out, err := mail.Deliver(ctx, first, s, js, at, nil)
	if err != nil || len(out.Sent) != 2 {
		t.Fatalf("first run: %+v %v", out, err)
	}
	// Again after a restart, as a second `--send` would.
	first.Close()
	st := sqlitetest.SQLite(t, db)
	out, err = mail.Deliver(ctx, st, s, js, at, nil)
	if err != nil || len(out.Sent) != 0 || len(out.Skipped) != 2 {
		t.Fatalf("second run: %+v %v", out, err)
	}
	if n := len(mp.Messages()); n != 2 {
		t.Errorf("mailpit received %d messages, want 2", n)
	}
	// One mail per recipient and week: a défi's part of the same week to
	// the same mailbox (however spelled) is not sent; another week is.
	out, err = mail.Deliver(ctx, st, s, jobs("2026-W48", "alpha", "A@Example.org"), at, nil)
	if err != nil || len(out.Sent) != 0 || len(out.Skipped) != 1 {
		t.Errorf("défi part, same week: %+v %v", out, err)
	}
	out, err = mail.Deliver(ctx, st, s, jobs("2026-W49", "alpha", "a@example.org"), at, nil)
	if err != nil || len(out.Sent) != 1 {
		t.Errorf("next week: %+v %v", out, err)
	}
}

// TestDeliverRace: processes delivering the same report at the same
// instant (two handles on one database, several senders each) send each
// recipient one mail between them.
func TestDeliverRace(t *testing.T) {
	ctx := context.Background()
	mp := mailpittest.Start(t)
	db := filepath.Join(t.TempDir(), "vigie.db")
	handles := []store.Store{sqlitetest.SQLite(t, db), sqlitetest.SQLite(t, db)}
	js := jobs("2026-W48", "", "a@example.org", "b@example.org", "c@example.org")
	const senders = 6
	outs := make([]mail.Outcome, senders)
	errs := make([]error, senders)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range senders {
		wg.Go(func() {
			s := sender(t, mp.SMTPPort, "none", mail.Options{})
			<-start
			outs[i], errs[i] = mail.Deliver(ctx, handles[i%2], s, js, at, nil)
		})
	}
	close(start)
	wg.Wait()
	sent := map[string]int{}
	for i := range senders {
		if errs[i] != nil {
			t.Errorf("sender %d: %v", i, errs[i])
		}
		for _, r := range outs[i].Sent {
			sent[r]++
		}
	}
	got := map[string]int{}
	for _, m := range mp.Messages() {
		for _, to := range m.To {
			got[to.Address]++
		}
	}
	for _, j := range js {
		if sent[j.Message.To] != 1 || got[j.Message.To] != 1 {
			t.Errorf("%s: reported sent %d times, received %d times; want once", j.Message.To, sent[j.Message.To], got[j.Message.To])
		}
	}
}

func TestRefusedRecipient(t *testing.T) {
	ctx := context.Background()
	mp := mailpittest.Start(t, "--smtp-allowed-recipients", `@example\.org$`)
	st := memstore.New()
	var logs bytes.Buffer
	s := sender(t, mp.SMTPPort, "none", mail.Options{Backoff: time.Millisecond, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	out, err := mail.Deliver(ctx, st, s, jobs("2026-W48", "", "ok@example.org", "nobody@refused.test"), at, nil)
	if err == nil {
		t.Fatal("no error for a refused recipient")
	}
	if !strings.Contains(err.Error(), "nobody@refused.test") || !mail.IsRefused(err) {
		t.Errorf("error %q (refused: %v)", err, mail.IsRefused(err))
	}
	if strings.Contains(logs.String(), "trying again") {
		t.Errorf("a permanent refusal was retried: %s", logs.String())
	}
	if len(out.Sent) != 1 || out.Sent[0] != "ok@example.org" || len(out.Failed) != 1 {
		t.Errorf("outcome %+v", out)
	}
	if sent, _ := st.Sent(ctx, "2026-W48", "", "nobody@refused.test"); sent {
		t.Error("refused recipient recorded as sent")
	}
	if sent, _ := st.Sent(ctx, "2026-W48", "", "ok@example.org"); !sent {
		t.Error("accepted recipient not recorded")
	}
	if n := len(mp.Messages()); n != 1 {
		t.Errorf("%d messages received", n)
	}
}

func TestUnreachableServer(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	port := mailpittest.FreePort(t)
	var logs bytes.Buffer
	s := sender(t, port, "none", mail.Options{Attempts: 3, Backoff: time.Millisecond, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	_, err := mail.Deliver(ctx, st, s, jobs("2026-W48", "", "a@example.org"), at, nil)
	if err == nil {
		t.Fatal("no error for an unreachable server")
	}
	addr := net.JoinHostPort("127.0.0.1", itoa(port))
	if !strings.Contains(err.Error(), addr) || !strings.Contains(err.Error(), "attempt 3 of 3") || !strings.Contains(err.Error(), "a@example.org") {
		t.Errorf("error %q", err)
	}
	if n := strings.Count(logs.String(), "trying again"); n != 2 {
		t.Errorf("%d retries logged, want 2", n)
	}
	if sent, _ := st.Sent(ctx, "2026-W48", "", "a@example.org"); sent {
		t.Error("recorded as sent")
	}
}

func itoa(n int) string { return big.NewInt(int64(n)).String() }

// TestStartTLSAuth sends through STARTTLS with a login, as a production
// relay asks: a wrong password is refused (and not echoed), the right one
// delivers.
func TestStartTLSAuth(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, dir)
	hash, err := bcrypt.GenerateFromPassword([]byte("s3cret-pw"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	auth := filepath.Join(dir, "auth")
	if err := os.WriteFile(auth, []byte("vigie:"+string(hash)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mp := mailpittest.Start(t, "--smtp-tls-cert", certFile, "--smtp-tls-key", keyFile, "--smtp-require-starttls", "--smtp-auth-file", auth)
	cfg := config.SMTP{Host: "127.0.0.1", Port: mp.SMTPPort, Security: "starttls", From: "vigie@example.org", Username: "vigie", Password: "wrong-pw"}
	o := mail.Options{Attempts: 1, TLSConfig: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}}
	s, err := mail.NewSender(cfg, o)
	if err != nil {
		t.Fatal(err)
	}
	err = s.Send(context.Background(), message("a@example.org"))
	if err == nil || strings.Contains(err.Error(), "wrong-pw") {
		t.Fatalf("wrong password: %v", err)
	}
	cfg.Password = "s3cret-pw"
	s, _ = mail.NewSender(cfg, o)
	if err := s.Send(context.Background(), message("a@example.org")); err != nil {
		t.Fatal(err)
	}
	if got := mp.Messages(); len(got) != 1 || got[0].To[0].Address != "a@example.org" {
		t.Errorf("received %+v", got)
	}
	// Plain text to a server that requires STARTTLS is refused.
	cfg.Security = "none"
	s, _ = mail.NewSender(cfg, o)
	if err := s.Send(context.Background(), message("b@example.org")); err == nil {
		t.Error("sent without TLS to a server requiring it")
	}
}

func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func TestWriteEML(t *testing.T) {
	var b bytes.Buffer
	if err := mail.WriteEML(&b, "vigie@example.org", message("a@example.org")); err != nil {
		t.Fatal(err)
	}
	eml := b.String()
	for _, re := range []string{`(?m)^To: <a@example\.org>`, `(?m)^From: <vigie@example\.org>`, `multipart/alternative`, `(?m)^Subject:\s+=\?UTF-8\?`, `(?m)^User-Agent: vigie\r?$`} {
		if !regexp.MustCompile(re).MatchString(eml) {
			t.Errorf("eml lacks %s:\n%s", re, eml)
		}
	}
	if err := mail.WriteEML(&b, "vigie@example.org", message("not an address")); err == nil || !strings.Contains(err.Error(), "not an address") {
		t.Errorf("bad recipient: %v", err)
	}
}

func TestNewSenderRefusesBadSecurity(t *testing.T) {
	_, err := mail.NewSender(config.SMTP{Host: "h", From: "f@example.org", Security: "ssl"}, mail.Options{})
	if err == nil || !strings.Contains(err.Error(), "smtp.security") {
		t.Errorf("%v", err)
	}
}
