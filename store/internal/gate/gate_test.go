package gate

import (
	"errors"
	"testing"
	"time"

	"github.com/eiglink/vigie/store"
)

func TestGate(t *testing.T) {
	var g Gate
	if err := g.Enter(); err != nil {
		t.Fatalf("Enter on an open gate: %v", err)
	}
	closed := make(chan bool)
	go func() { closed <- g.Close() }()
	// Close must wait for the call in flight. (If it did not, it would
	// very likely return within this wait and fail the test; it can never
	// fail a correct Gate.)
	select {
	case <-closed:
		t.Fatal("Close returned with a call in flight")
	case <-time.After(20 * time.Millisecond):
	}
	g.Leave()
	if first := <-closed; !first {
		t.Error("first Close reported the gate already closed")
	}
	if err := g.Enter(); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Enter after Close: %v, want ErrClosed", err)
	}
	if g.Close() {
		t.Error("second Close reported it closed the gate")
	}
}
