// Package fakesmtp is a small SMTP server for tests that behaves badly on
// purpose: it accepts messages like any server (250 after DATA), then is
// slow to answer QUIT, refuses it, or drops the connection. The ordinary
// path is tested against a real server (mailpit); this one holds the cases
// a real server only shows on a bad day.
package fakesmtp

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"
)

// Behaviour says how the server misbehaves; the zero value is a polite
// server.
type Behaviour struct {
	// QuitDelay is how long the server waits before answering QUIT.
	QuitDelay time.Duration
	// QuitDrop closes the connection (after QuitDelay) instead of
	// answering QUIT.
	QuitDrop bool
	// QuitCode answers QUIT (default 221).
	QuitCode int
	// RsetCode answers RSET, which clients send after each message
	// (default 250).
	RsetCode int
	// DataCode answers the end of DATA (default 250: accepted).
	DataCode int
	// GreetCode is the greeting's code (default 220; 421: the server is
	// busy and closes the connection).
	GreetCode int
	// MailCode answers MAIL FROM (default 250).
	MailCode int
	// RejectRcpt is an address RCPT TO refuses (550).
	RejectRcpt string
	// DropAt closes the connection, unanswered, on this command ("EHLO",
	// "MAIL", "RCPT", "DATA"), or "DOT": once the message is read, before
	// answering it.
	DropAt string
}

// Message is one message the server accepted.
type Message struct {
	From string
	To   []string
	Data string
}

// Server is a running fake SMTP server on a loopback port.
type Server struct {
	Host string
	Port int
	b    Behaviour
	ln   net.Listener

	mu   sync.Mutex
	msgs []Message
	wg   sync.WaitGroup
}

// Start runs a server until the test ends.
func Start(t testing.TB, b Behaviour) *Server {
	t.Helper()
	if b.QuitCode == 0 {
		b.QuitCode = 221
	}
	if b.RsetCode == 0 {
		b.RsetCode = 250
	}
	if b.DataCode == 0 {
		b.DataCode = 250
	}
	if b.GreetCode == 0 {
		b.GreetCode = 220
	}
	if b.MailCode == 0 {
		b.MailCode = 250
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, b: b, ln: ln}
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(func() {
		ln.Close()
		s.wg.Wait()
	})
	return s
}

// Messages returns the messages accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Count is how many accepted messages were addressed to rcpt.
func (s *Server) Count(rcpt string) int {
	n := 0
	for _, m := range s.Messages() {
		for _, to := range m.To {
			if strings.EqualFold(to, rcpt) {
				n++
			}
		}
	}
	return n
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer c.Close()
			// A test's connection never lives long: bound it so a client
			// that went away never holds the server's shutdown.
			_ = c.SetDeadline(time.Now().Add(time.Minute))
			s.session(c)
		}()
	}
}

func (s *Server) session(c net.Conn) {
	r := textproto.NewReader(bufio.NewReader(c))
	w := bufio.NewWriter(c)
	say := func(format string, args ...any) {
		fmt.Fprintf(w, format+"\r\n", args...)
		_ = w.Flush()
	}
	say("%d fakesmtp ready", s.b.GreetCode)
	if s.b.GreetCode != 220 {
		return
	}
	var cur Message
	for {
		line, err := r.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		verb = strings.ToUpper(verb)
		if verb == s.b.DropAt || verb == "HELO" && s.b.DropAt == "EHLO" {
			return
		}
		switch verb {
		case "EHLO", "HELO":
			say("250-fakesmtp\r\n250-8BITMIME\r\n250 SMTPUTF8")
		case "MAIL":
			cur = Message{From: addr(arg)}
			say("%d 2.1.0 mail", s.b.MailCode)
		case "RCPT":
			if a := addr(arg); s.b.RejectRcpt != "" && strings.EqualFold(a, s.b.RejectRcpt) {
				say("550 5.1.1 no such user")
			} else {
				cur.To = append(cur.To, a)
				say("250 2.1.5 ok")
			}
		case "DATA":
			if len(cur.To) == 0 {
				say("554 5.5.1 no valid recipients")
				continue
			}
			say("354 go ahead")
			b, err := io.ReadAll(r.DotReader())
			if err != nil || s.b.DropAt == "DOT" {
				return
			}
			cur.Data = string(b)
			if s.b.DataCode/100 == 2 {
				s.mu.Lock()
				s.msgs = append(s.msgs, cur)
				s.mu.Unlock()
			}
			say("%d queued", s.b.DataCode)
		case "RSET":
			cur = Message{}
			say("%d reset", s.b.RsetCode)
		case "NOOP":
			say("250 ok")
		case "QUIT":
			time.Sleep(s.b.QuitDelay)
			if s.b.QuitDrop {
				return
			}
			say("%d bye", s.b.QuitCode)
			return
		default:
			say("502 5.5.2 not implemented")
		}
	}
}

// addr takes the address out of "FROM:<a@b> SIZE=1" or "TO:<a@b>".
func addr(arg string) string {
	if i := strings.IndexByte(arg, '<'); i >= 0 {
		if j := strings.IndexByte(arg[i:], '>'); j > 0 {
			return arg[i+1 : i+j]
		}
	}
	_, a, _ := strings.Cut(arg, ":")
	return strings.TrimSpace(a)
}
