// Package statuswriter remembers the status an http.Handler answered, for
// the access log (web) and the fake forges' counts (fakeforge).
package statuswriter

import "net/http"

// Writer wraps a ResponseWriter and keeps the first status written: the
// one given to WriteHeader, or 200 when the handler writes a body first.
// Status is 0 while nothing is written.
type Writer struct {
	http.ResponseWriter
	Status int
}

func (w *Writer) WriteHeader(code int) {
	if w.Status == 0 {
		w.Status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *Writer) Write(b []byte) (int, error) {
	if w.Status == 0 {
		w.Status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap gives http.ResponseController the wrapped writer.
func (w *Writer) Unwrap() http.ResponseWriter { return w.ResponseWriter }
