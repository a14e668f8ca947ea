package report

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/eiglink/vigie/config"
	"github.com/eiglink/vigie/report/mail"
	"github.com/eiglink/vigie/store"
)

// ErrBadWeek is returned (wrapped) by Run for a malformed or future --week:
// a usage error.
var ErrBadWeek = errors.New("bad week")

// ErrNoRecipient is returned (wrapped) when sending is asked but the
// configuration names nobody to send to: a configuration error.
var ErrNoRecipient = errors.New("nobody to send the report to")

// RunOptions are `vigie report`'s flags and collaborators.
type RunOptions struct {
	// Week is --week ("2026-W48"); "" means the last complete week.
	Week string
	// Out is --out, the directory the report is written into ("" the
	// current directory).
	Out string
	// Send mails the report: the whole programme's to report.recipients,
	// and with report.send_to_defi_contacts each défi's part to its
	// contacts; at most once per recipient and week (see Jobs).
	Send bool
	// DryRun composes the mails and writes each as an .eml file into Out
	// instead of sending (nothing is recorded as sent).
	DryRun bool
	// Now is the generation time (the caller reads the clock).
	Now    time.Time
	Logger *slog.Logger
	// Mailer sends the mails (nil: a mail.Sender over cfg.SMTP).
	Mailer mail.Deliverer
}

// RunResult says what Run did.
type RunResult struct {
	Week     string
	HTMLPath string
	JSONPath string
	EMLPaths []string     // with DryRun
	Mail     mail.Outcome // with Send
}

// Run is `vigie report`: it builds the week's report from the stored
// history, writes YYYY-Www.html and YYYY-Www.json into Out, archives both in
// the store (for /reports/), then mails it when asked.
func Run(ctx context.Context, st store.Store, cfg *config.Config, o RunOptions) (*RunResult, error) {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	opts := OptionsFrom(cfg)
	week := LastCompleteWeek(o.Now, opts.loc())
	if o.Week != "" {
		w, err := ParseWeek(o.Week)
		if err != nil {
			return nil, fmt.Errorf("--week: %w: %w", ErrBadWeek, err)
		}
		week = w
	}
	d, err := Build(ctx, st, week, o.Now, opts)
	if errors.Is(err, ErrFutureWeek) {
		return nil, fmt.Errorf("--week: %w: %w", ErrBadWeek, err)
	}
	if err != nil {
		return nil, err
	}
	page, err := RenderHTML(d, "")
	if err != nil {
		return nil, err
	}
	data, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("report %s: encode JSON: %w", d.Week, err)
	}
	data = append(data, '\n')
	out := o.Out
	if out == "" {
		out = "."
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, fmt.Errorf("--out %s: %w", out, err)
	}
	res := &RunResult{
		Week:     d.Week,
		HTMLPath: filepath.Join(out, d.Week+".html"),
		JSONPath: filepath.Join(out, d.Week+".json"),
	}
	if err := writeFile(res.HTMLPath, bytesWriter(page)); err != nil {
		return nil, err
	}
	if err := writeFile(res.JSONPath, bytesWriter(data)); err != nil {
		return nil, err
	}
	if err := st.SaveReport(ctx, store.Report{Week: d.Week, GeneratedAt: d.GeneratedAt, HTML: page, JSON: data}); err != nil {
		return nil, fmt.Errorf("report %s: archive: %w", d.Week, err)
	}
	log.InfoContext(ctx, "report written", "week", d.Week, "html", res.HTMLPath, "json", res.JSONPath,
		"repos", len(d.Repos), "changes", len(d.Changes))
	if !o.Send && !o.DryRun {
		return res, nil
	}

	jobs, err := Jobs(d, cfg, o.Now)
	if err != nil {
		return res, err
	}
	if o.DryRun {
		for _, j := range jobs {
			p := filepath.Join(out, emlName(j))
			err := writeFile(p, func(w io.Writer) error { return mail.WriteEML(w, cfg.SMTP.From, j.Message) })
			if err != nil {
				return res, fmt.Errorf("report %s: %w", d.Week, err)
			}
			res.EMLPaths = append(res.EMLPaths, p)
			log.InfoContext(ctx, "mail written, not sent (dry run)", "week", d.Week, "scope", j.Scope, "to", j.Message.To, "file", p)
		}
		return res, nil
	}
	m := o.Mailer
	if m == nil {
		s, err := mail.NewSender(cfg.SMTP, mail.Options{Logger: log})
		if err != nil {
			return res, fmt.Errorf("%s: %w", cfgFile(cfg), err)
		}
		m = s
	}
	res.Mail, err = mail.Deliver(ctx, st, m, jobs, o.Now, log)
	return res, err
}

func cfgFile(cfg *config.Config) string {
	if cfg.File == "" {
		return "configuration"
	}
	return cfg.File
}

// Jobs lists the mails of a report: the whole programme to each of
// report.recipients, and with report.send_to_defi_contacts each défi's part
// to each of its contacts. Each address gets one mail (docs/reference.md: at most
// once per recipient and week): a contact who is also among the recipients
// gets the whole programme only, and so does the contact of several défis.
func Jobs(d *Data, cfg *config.Config, now time.Time) ([]mail.Job, error) {
	var jobs []mail.Job
	add := func(scope string, to []string) error {
		if len(to) == 0 {
			return nil
		}
		html, err := RenderHTML(d, scope)
		if err != nil {
			return err
		}
		text, err := RenderText(d, scope)
		if err != nil {
			return err
		}
		subject, err := Subject(d, scope)
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, r := range to {
			r = strings.TrimSpace(r)
			if r == "" || seen[strings.ToLower(r)] {
				continue
			}
			seen[strings.ToLower(r)] = true
			jobs = append(jobs, mail.Job{Week: d.Week, Scope: scope, Message: mail.Message{
				To: r, Subject: subject, Text: text, HTML: html, Date: now,
				ID: mail.MessageID(d.Week, scope, r),
			}})
		}
		return nil
	}
	whole := append([]string(nil), cfg.Report.Recipients...)
	parts := map[string][]string{}
	if cfg.Report.SendToDefiContacts {
		taken := map[string]bool{}
		for _, r := range whole {
			taken[strings.ToLower(strings.TrimSpace(r))] = true
		}
		defis := map[string]map[string]bool{} // address -> défis it follows
		for _, df := range d.Defis {
			for _, c := range contactsOf(cfg, df.Slug) {
				k := strings.ToLower(strings.TrimSpace(c))
				if defis[k] == nil {
					defis[k] = map[string]bool{}
				}
				defis[k][df.Slug] = true
			}
		}
		for _, df := range d.Defis {
			for _, c := range contactsOf(cfg, df.Slug) {
				k := strings.ToLower(strings.TrimSpace(c))
				switch {
				case k == "" || taken[k]:
				case len(defis[k]) > 1:
					whole = append(whole, c)
					taken[k] = true
				default:
					parts[df.Slug] = append(parts[df.Slug], c)
				}
			}
		}
	}
	if err := add("", whole); err != nil {
		return nil, err
	}
	for _, df := range d.Defis {
		if err := add(df.Slug, parts[df.Slug]); err != nil {
			return nil, err
		}
	}
	if len(jobs) == 0 {
		return nil, fmt.Errorf("%s: report.recipients: %w (and no défi contact with report.send_to_defi_contacts)", cfgFile(cfg), ErrNoRecipient)
	}
	return jobs, nil
}

func contactsOf(cfg *config.Config, slug string) []string {
	for _, d := range cfg.Defis {
		if d.Slug == slug {
			return d.Contacts
		}
	}
	return nil
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9@._+-]+`)

func emlName(j mail.Job) string {
	scope := j.Scope
	if scope == "" {
		scope = "programme"
	}
	return j.Week + "." + unsafeName.ReplaceAllString(scope, "_") + "." + unsafeName.ReplaceAllString(j.Message.To, "_") + ".eml"
}

func bytesWriter(b []byte) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	}
}

// writeFile writes a file of --out without following links: the content
// goes to a new file of a random name in the same directory (created
// exclusively, so nothing planted there — a link to a file elsewhere — is
// opened), then takes the final name by rename, which replaces whatever
// entry had it (a link included) rather than writing through it.
func writeFile(path string, write func(io.Writer) error) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	err = write(f)
	if err == nil {
		err = f.Chmod(0o644) // a report is for sharing: as os.WriteFile would
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
