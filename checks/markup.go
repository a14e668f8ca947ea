package checks

import "strings"

// Span is a piece of a reason or remediation: plain text, or code (a file
// name, a command) that readers show as code.
type Span struct {
	Text string
	Code bool
}

// Spans splits a reason or remediation into text and code: the checks
// write code between single backquotes (`npm test`). A run of two or more
// backquotes is text (a remediation may name Markdown's ``` fence), and so
// is a backquote left unclosed.
func Spans(s string) []Span {
	var out []Span
	var text strings.Builder
	flush := func() {
		if text.Len() > 0 {
			out = append(out, Span{Text: text.String()})
			text.Reset()
		}
	}
	for i := 0; i < len(s); {
		if s[i] != '`' {
			j := strings.IndexByte(s[i:], '`')
			if j < 0 {
				j = len(s) - i
			}
			text.WriteString(s[i : i+j])
			i += j
			continue
		}
		run := i
		for run < len(s) && s[run] == '`' {
			run++
		}
		if run-i > 1 {
			text.WriteString(s[i:run])
			i = run
			continue
		}
		// A single backquote: code up to the next single one.
		end := -1
		for k := i + 1; k < len(s); k++ {
			if s[k] == '`' {
				if (k+1 < len(s) && s[k+1] == '`') || s[k-1] == '`' {
					break
				}
				end = k
				break
			}
		}
		if end <= i+1 {
			text.WriteByte('`')
			i++
			continue
		}
		flush()
		out = append(out, Span{Text: s[i+1 : end], Code: true})
		i = end + 1
	}
	flush()
	return out
}
