package views

import (
	"testing"

	"github.com/tandem-crm/tandem/app"
)

// newTestCRM returns the services the main flows are tested against.
func newTestCRM(t *testing.T) app.CRM {
	t.Helper()
	return newFake().crm()
}
