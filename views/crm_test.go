package views

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/store"
)

// newTestCRM returns the real SQLite store in a temporary directory: the main
// flows are tested against it. (fakeCRM remains for call counting.)
func newTestCRM(t *testing.T) app.CRM {
	t.Helper()
	db := newTestDB(t)
	return app.CRM{Contacts: db, Companies: db, Pipelines: db}
}

// newTestDB opens a fresh store in a temporary directory.
func newTestDB(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
