package checks

import (
	"testing"

	"github.com/eiglink/vigie/internal/reftest"
)

// TestReferenceNamesEveryCheck: every check that runs and every item of
// the publication checklist is in docs/reference.md.
func TestReferenceNamesEveryCheck(t *testing.T) {
	reftest.Want(t, "check", Names())
	reftest.Want(t, "checklist item", ChecklistIDs)
}
