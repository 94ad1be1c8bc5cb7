package store

import (
	"context"
	"encoding/json"
	"path/filepath"
)

// FilesDir is the folder beside the database file for files Tandem keeps:
// downloaded attachments and files queued to send.
func (db *DB) FilesDir() string {
	return filepath.Join(filepath.Dir(db.path), "files")
}

// SetOutboxPayload replaces an outbox item's payload.
func (db *DB) SetOutboxPayload(ctx context.Context, id int64, payload json.RawMessage) error {
	return db.setOutbox(ctx, "set outbox payload", id, "payload = ?", string(payload))
}
