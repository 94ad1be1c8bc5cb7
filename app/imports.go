package app

import (
	"context"
	"time"
)

// OnDuplicate says what an import does with a row that matches an existing
// record: a contact with the same normalised email, a company with the same
// normalised name, a pipeline record with the same name in the same pipeline.
type OnDuplicate string

// The duplicate policies of an import.
const (
	DupSkip   OnDuplicate = "skip"   // leave the existing record alone
	DupUpdate OnDuplicate = "update" // fill the existing record with the row's non-empty values
	DupCreate OnDuplicate = "create" // create another record anyway
)

// Valid reports whether d is one of the policies.
func (d OnDuplicate) Valid() bool { return d == DupSkip || d == DupUpdate || d == DupCreate }

// ImportAction is what an import did with one row.
type ImportAction string

// The outcomes of one imported row.
const (
	ActionCreated ImportAction = "created"
	ActionUpdated ImportAction = "updated"
	ActionSkipped ImportAction = "skipped" // a duplicate left alone
	ActionRefused ImportAction = "refused" // invalid: nothing written
)

// ImportRow is one row of an import: its number as a person counts the
// data rows of the file (the header is not counted) and its value.
type ImportRow[T any] struct {
	Row   int
	Value T
	// Given names the fields the row has a value for (Go field names:
	// "StageID", "Amount", "Currency"...). An update changes only those;
	// nil means every non-empty field.
	Given []string
}

// RowOutcome is what became of one ImportRow. ID is the record created or
// updated (or the duplicate skipped); Errors say why a row was refused.
type RowOutcome struct {
	Row    int
	Action ImportAction
	ID     int64
	Errors []RowError
}

// ImportBatch is one import the store remembers, so it can be undone until
// the next import starts.
type ImportBatch struct {
	ID          int64
	Kind        string // KindContact, KindCompany or KindRecord
	Source      string // the file's name, as shown to the person
	OnDuplicate OnDuplicate
	StartedAt   time.Time
	FinishedAt  time.Time // zero while running or when cancelled before finishing
	Created     int
	Updated     int
	Skipped     int
	Refused     int
	Undone      bool
}

// UndoResult reports an undone import. Kept counts the records the import
// created or updated that were changed since (by a person or a sync) and
// were therefore left as they are, so no later edit is lost.
type UndoResult struct {
	Removed  int
	Restored int
	Kept     int
}

// ImportService writes imports in batched transactions and remembers each
// import as a batch, so the last one can be undone.
type ImportService interface {
	// StartImport records a new batch (setting ID and StartedAt); from then
	// on no earlier import can be undone.
	StartImport(ctx context.Context, b *ImportBatch) error
	// ImportContactRows writes one batch of rows in one transaction under
	// the duplicate policy and returns one outcome per row, in order.
	// Invalid rows are refused (their outcome says why), never written.
	ImportContactRows(ctx context.Context, batchID int64, dup OnDuplicate, rows []ImportRow[Contact]) ([]RowOutcome, error)
	ImportCompanyRows(ctx context.Context, batchID int64, dup OnDuplicate, rows []ImportRow[Company]) ([]RowOutcome, error)
	ImportRecordRows(ctx context.Context, batchID int64, dup OnDuplicate, rows []ImportRow[Record]) ([]RowOutcome, error)
	// FinishImport stores the batch's counts and end time.
	FinishImport(ctx context.Context, b *ImportBatch) error
	// LastImport returns the import that can be undone, or ENOTFOUND.
	LastImport(ctx context.Context) (*ImportBatch, error)
	// UndoImport removes what batch id created and restores what it
	// updated, in one transaction. ECONFLICT when it is not the last
	// import or was undone already.
	UndoImport(ctx context.Context, id int64) (UndoResult, error)
}

// ExportService streams records for an export in the order of the lists
// (by name), from one consistent snapshot, calling fn for each; an error
// from fn stops the export and is returned. Offset and Limit of the
// filter are ignored: every selected record is written.
type ExportService interface {
	EachContact(ctx context.Context, f ContactFilter, fn func(*Contact) error) error
	EachCompany(ctx context.Context, f CompanyFilter, fn func(*Company) error) error
	EachRecord(ctx context.Context, f RecordFilter, fn func(*Record) error) error
}
