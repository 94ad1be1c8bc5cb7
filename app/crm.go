package app

import (
	"context"
	"strings"
	"time"
)

// Contact is a person the business deals with.
type Contact struct {
	ID          int64
	FirstName   string
	LastName    string // required
	Email       string
	Phone       string
	Mobile      string
	Title       string
	CompanyID   int64  // 0 when the contact has no company
	CompanyName string // filled in by reads; ignored by writes
	Notes       string
	Custom      map[string]string // custom fields, stored as JSON
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Rev         int64 // incremented by every update

	// FirstNameReading and LastNameReading are how the names are read
	// (名の読み, 姓の読み: furigana, in kana), for sorting and search.
	FirstNameReading, LastNameReading string
}

// DisplayName returns the name a person would read: Western order for Latin
// names, family name first for Japanese ones.
func (c *Contact) DisplayName() string { return PersonName(c.FirstName, c.LastName) }

// Reading returns how the name is read, family name first ("やまだ たろう"),
// or "" when no reading was given.
func (c *Contact) Reading() string {
	return strings.TrimSpace(strings.TrimSpace(c.LastNameReading) + " " + strings.TrimSpace(c.FirstNameReading))
}

// Company is an organisation contacts belong to.
type Company struct {
	ID        int64
	Name      string // required
	Email     string
	Website   string
	Phone     string
	Industry  string
	City      string
	Country   string
	Notes     string
	Custom    map[string]string
	CreatedAt time.Time
	UpdatedAt time.Time
	Rev       int64

	// NameReading is how the name is read (会社名の読み, in kana), for
	// sorting and search.
	NameReading string
}

// Pipeline is a named sales or work process with ordered stages.
type Pipeline struct {
	ID       int64
	Name     string
	Position int
	Stages   []Stage // ordered by Position
}

// Stage is one column of a pipeline.
type Stage struct {
	ID         int64
	PipelineID int64
	Name       string
	Position   int
	Records    int // number of records in the stage, filled in by reads
}

// Record is a deal or job moving through a pipeline's stages.
type Record struct {
	ID          int64
	PipelineID  int64
	StageID     int64
	StageName   string // filled in by reads
	Name        string // required
	Amount      int64  // in the currency's minor unit (yen, cents)
	Currency    string // ISO 4217, e.g. "JPY", "USD"
	ClosingDate string // YYYY-MM-DD or ""
	CompanyID   int64
	CompanyName string // filled in by reads
	Contacts    []RecordContact
	Notes       string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Rev         int64
}

// PrimaryContact returns the record's primary contact, or nil.
func (r *Record) PrimaryContact() *RecordContact {
	for i := range r.Contacts {
		if r.Contacts[i].Primary {
			return &r.Contacts[i]
		}
	}
	return nil
}

// RecordContact links a contact to a pipeline record.
type RecordContact struct {
	ContactID int64
	Name      string // filled in by reads
	Email     string // filled in by reads
	Primary   bool
}

// Sort orders for lists.
const (
	SortByName    = "name"
	SortByUpdated = "updated" // most recently updated first
)

// ContactFilter selects contacts. Query is a search-as-you-type prefix query
// over name, email, phone and company.
type ContactFilter struct {
	Query     string
	CompanyID int64
	Email     string // exact, normalised match
	Sort      string // SortByName (default) or SortByUpdated
	Offset    int
	Limit     int // 0 means a default page of 50
}

// CompanyFilter selects companies.
type CompanyFilter struct {
	Query  string
	Name   string // exact, normalised match
	Sort   string
	Offset int
	Limit  int
}

// RecordFilter selects pipeline records.
type RecordFilter struct {
	PipelineID int64
	StageID    int64
	CompanyID  int64
	ContactID  int64
	Query      string
	Offset     int
	Limit      int
}

// IndexEntry is one row of a list's index: its label (あ, か, …, A–Z,
// or # for names with no reading), where its first record is in the list
// sorted by name, and how many records it has.
type IndexEntry struct {
	Label  string
	Offset int
	Count  int
}

// RecordGroup is how many records of one stage in one currency a filter
// selects, and the sum of their amounts (in the currency's minor unit).
type RecordGroup struct {
	StageID  int64
	Currency string
	Count    int
	Amount   int64
}

// ContactService reads and writes contacts.
type ContactService interface {
	// FindContact returns ENOTFOUND when there is no such contact.
	FindContact(ctx context.Context, id int64) (*Contact, error)
	ListContacts(ctx context.Context, f ContactFilter) ([]Contact, error)
	CountContacts(ctx context.Context, f ContactFilter) (int, error)
	// IndexContacts returns the index of the contacts f selects, sorted by
	// name: the rows (あ か さ … A–Z #) that have contacts, in list order.
	IndexContacts(ctx context.Context, f ContactFilter) ([]IndexEntry, error)
	// CreateContact validates (EINVALID with *ValidationError) and sets ID, times and Rev.
	CreateContact(ctx context.Context, c *Contact) error
	// UpdateContact returns ENOTFOUND, EINVALID, or ECONFLICT when c.Rev is stale.
	UpdateContact(ctx context.Context, c *Contact) error
	DeleteContact(ctx context.Context, id int64) error
	// MergeContacts moves keep-worthy data and links from dropID into keepID
	// (empty fields of keep are filled from drop), then deletes dropID.
	MergeContacts(ctx context.Context, keepID, dropID int64) error
	// ImportContacts inserts many contacts in batched transactions; every row
	// is validated first and the invalid ones are reported, not inserted.
	ImportContacts(ctx context.Context, cs []Contact) (ImportResult, error)
}

// CompanyService reads and writes companies.
type CompanyService interface {
	FindCompany(ctx context.Context, id int64) (*Company, error)
	ListCompanies(ctx context.Context, f CompanyFilter) ([]Company, error)
	CountCompanies(ctx context.Context, f CompanyFilter) (int, error)
	// IndexCompanies is IndexContacts for companies.
	IndexCompanies(ctx context.Context, f CompanyFilter) ([]IndexEntry, error)
	CreateCompany(ctx context.Context, c *Company) error
	UpdateCompany(ctx context.Context, c *Company) error
	// DeleteCompany detaches its contacts and records (they are kept).
	DeleteCompany(ctx context.Context, id int64) error
	ImportCompanies(ctx context.Context, cs []Company) (ImportResult, error)
}

// PipelineService reads and writes pipelines, stages and records.
type PipelineService interface {
	ListPipelines(ctx context.Context) ([]Pipeline, error) // with stages and counts
	FindPipeline(ctx context.Context, id int64) (*Pipeline, error)
	CreatePipeline(ctx context.Context, p *Pipeline) error // creates p.Stages too
	RenamePipeline(ctx context.Context, id int64, name string) error
	DeletePipeline(ctx context.Context, id int64) error // ECONFLICT when it has records

	CreateStage(ctx context.Context, s *Stage) error // appended at the end
	RenameStage(ctx context.Context, id int64, name string) error
	// MoveStage moves a stage to position pos (0-based) within its pipeline.
	MoveStage(ctx context.Context, id int64, pos int) error
	DeleteStage(ctx context.Context, id int64) error // ECONFLICT when not empty

	FindRecord(ctx context.Context, id int64) (*Record, error)
	ListRecords(ctx context.Context, f RecordFilter) ([]Record, error)
	// SummarizeRecords counts and totals the records f selects (Offset and
	// Limit aside), per stage and currency: a board's columns and totals
	// without loading every record.
	SummarizeRecords(ctx context.Context, f RecordFilter) ([]RecordGroup, error)
	CreateRecord(ctx context.Context, r *Record) error
	UpdateRecord(ctx context.Context, r *Record) error
	// MoveRecord puts a record in another stage of the same pipeline.
	MoveRecord(ctx context.Context, id, stageID int64) error
	DeleteRecord(ctx context.Context, id int64) error
	ImportRecords(ctx context.Context, rs []Record) (ImportResult, error)
}

// ImportResult reports a bulk import: how many rows went in and why the rest did not.
type ImportResult struct {
	Inserted int
	Errors   []RowError
}

// RowError says why one input row was rejected. Row is 1-based as a person
// counts the data rows of a file (the header is not counted).
type RowError struct {
	Row     int
	Field   string
	Message string
	// Args fill the {{.Name}} placeholders of Message, which doubles as
	// its translation key (nil when it has none).
	Args map[string]any
}

// CRM bundles the services the CRM screens use.
type CRM struct {
	Contacts  ContactService
	Companies CompanyService
	Pipelines PipelineService
	// Imports and Export bring data in and out of the window; nil leaves
	// Import… and Export… out.
	Imports ImportService
	Export  ExportService
}
