package app

import (
	"context"
	"encoding/json"
	"time"
)

// This file holds the help-desk integration's domain: portals, field
// mappings, links between CRM records and Desk records, the ticket cache,
// the outbox of actions waiting to be sent, conflicts and per-record sync
// errors. The types are independent of Desk's wire JSON (sync/desk owns
// that); the sync service (sync) translates between them.

// SyncMode is how a portal's contacts and accounts follow the CRM.
type SyncMode string

// Sync modes (DESIGN §2).
const (
	// SyncTwoWay: a record created or updated on either side (mapped fields
	// only) appears on the other.
	SyncTwoWay SyncMode = "two_way"
	// SyncOneWay: CRM records are pushed to Desk; Desk edits never change the CRM.
	SyncOneWay SyncMode = "one_way"
	// SyncNone: nothing is pushed or pulled; tickets are still associated
	// with records by contact email and company name.
	SyncNone SyncMode = "none"
)

// Valid reports whether m is one of the three modes.
func (m SyncMode) Valid() bool { return m == SyncTwoWay || m == SyncOneWay || m == SyncNone }

// Pushes reports whether CRM changes are sent to Desk in this mode.
func (m SyncMode) Pushes() bool { return m == SyncTwoWay || m == SyncOneWay }

// Pulls reports whether Desk changes are applied to the CRM in this mode.
func (m SyncMode) Pulls() bool { return m == SyncTwoWay }

// Kinds of CRM records the integration links or associates tickets with.
const (
	KindContact = "contact"
	KindCompany = "company"
	KindRecord  = "record" // a pipeline record (tickets only, never synced)
)

// Portal is a Zoho Desk portal (an organisation) connected to Tandem. Its
// secrets (OAuth refresh token, ZSC key) are never part of it: they live in
// the SecretStore under the keys PortalSecretKey returns.
type Portal struct {
	OrgID      string   // Desk's organisation id
	Name       string   // company or portal name, for people
	PortalURL  string   // the portal's web address, for "open in Desk"
	DataCentre string   // Zoho region id ("us", "eu", …) or "custom"
	BaseURL    string   // Desk API base URL (set for "custom": the emulator)
	Mode       SyncMode //
	Active     bool     // at most one portal is active at a time

	AccountEmail     string // the signed-in Zoho account
	AgentID          string
	AgentName        string
	AgentEmail       string
	IsAdmin          bool   // an administrator of the portal (isAdminInOrg): may do everything
	CanCreateTickets bool   // "may create tickets": tickets.create of Desk's GET /myProfilePermissions
	CanReply         bool   // "may reply by email" (reply, reply all, forward): tickets.mailSend
	CanEditTickets   bool   // may change a ticket's priority and assignee: tickets.edit
	ReadOnlyReason   string // why the agent may not create or reply, for people
	SupportEmail     string // the portal's support address replies are sent from

	// ViaAdmin is set when the portal was configured as another user's
	// administrator email and ZSC key ("Configure another user's portal").
	ViaAdmin   bool
	AdminEmail string

	// Edition is the portal's Zoho edition ("Standard", "Professional"…,
	// "" when unknown): its plan caps the API calls served at once.
	// Concurrency is the requests Tandem sends at once, as chosen in
	// Settings (0: automatic).
	Edition     string
	Concurrency int

	LastSuccess time.Time // end of the last pass that finished without error
	LastError   string    // the last pass's error for people, "" after a success
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Secret names under which a portal's credentials live in the SecretStore.
const (
	SecretRefreshToken = "refresh_token"
	// SecretAccessToken is the current access token with its expiry
	// (JSON), kept until it expires: Zoho allows only a few access tokens
	// per refresh token in ten minutes.
	SecretAccessToken = "access_token"
	SecretZSCKey      = "zsc_key" // no longer written; deleted on deactivate
)

// SecretStore keys of the Zoho OAuth client an organisation entered in
// Settings › Zoho Desk (the client id is not secret, but it lives beside
// the secret it comes with).
const (
	SecretZohoClientID     = "zoho/client_id"
	SecretZohoClientSecret = "zoho/client_secret"
)

// DemoHelpDesk is the HelpDesk target of the demo help desk.
const DemoHelpDesk = "demo"

// HelpDesk is what the Connect page offers: which help desk the next
// sign-in goes to and with which OAuth client.
type HelpDesk struct {
	Target string // DemoHelpDesk, a Zoho data centre id, or "custom"
	// DefaultDataCentre is the data centre the system locale suggests.
	DefaultDataCentre string
	DataCentres       []DataCentreChoice
	DemoAvailable     bool   // a demo help desk runs in this process
	CustomURL         string // Target "custom": the address Tandem was started with
	// ClientID is the Zoho OAuth client Tandem signs in with ("" when this
	// build has none and none was entered); FromSettings when entered.
	ClientID     string
	FromSettings bool
	// RedirectURI is what an organisation registers for its own client.
	RedirectURI string
}

// DataCentreChoice is a Zoho data centre offered on the Connect page.
type DataCentreChoice struct {
	ID   string
	Name string // English; the screens translate it
}

// PortalSecretKey returns the SecretStore key of a portal's secret
// (SecretRefreshToken or SecretZSCKey).
func PortalSecretKey(orgID, name string) string { return "desk/" + orgID + "/" + name }

// Field value types a mapping converts between.
const (
	FieldText    = "text"
	FieldEmail   = "email"
	FieldPhone   = "phone"
	FieldURL     = "url"
	FieldNumber  = "number"
	FieldBoolean = "boolean"
	FieldDate    = "date" // YYYY-MM-DD
	// FieldAccount is a contact's company: in the CRM the contact's
	// company, on Desk the contact's accountId. Values are compared as the
	// Desk account id of the company's link.
	FieldAccount = "account"
)

// CRMFieldCompany is the contact field mapped as FieldAccount.
const CRMFieldCompany = "Company"

// HeldMark prefixes a Link.Agreed key marking a field whose two sides could
// not be compared at the last reconciliation (a company not linked yet); the
// field is looked at again once they can.
const HeldMark = "held:"

// CRMCustomPrefix marks a CRM custom field in FieldMapping.CRMField, e.g.
// "custom:segment" is Contact.Custom["segment"].
const CRMCustomPrefix = "custom:"

// DeskCustomPrefix marks a Desk custom field in FieldMapping.DeskField, e.g.
// "cf.cf_segment" is the Desk record's cf["cf_segment"].
const DeskCustomPrefix = "cf."

// FieldMapping pairs a CRM field with a Desk field for one kind of record.
type FieldMapping struct {
	Kind      string // KindContact or KindCompany
	CRMField  string // a Contact/Company field name ("LastName") or CRMCustomPrefix+key
	DeskField string // a Desk API name ("lastName") or DeskCustomPrefix+apiName
	Type      string // one of the Field* types
}

// DeskField describes a field of a Desk module, for the mapping step of the
// wizard.
type DeskField struct {
	Kind          string // KindContact or KindCompany
	APIName       string // as FieldMapping.DeskField expects it
	Label         string
	Type          string // one of the Field* types
	Required      bool   // Desk refuses a record without it
	Custom        bool
	MaxLength     int
	AllowedValues []string
}

// CRMField describes a mappable CRM field.
type CRMField struct {
	Kind  string
	Name  string // as FieldMapping.CRMField expects it
	Label string
	Type  string
}

// Link ties a CRM record to a Desk record in one portal. Agreed holds the
// mapped field values both sides last agreed on (keyed by Desk field), the
// base of the field-by-field three-way merge.
type Link struct {
	OrgID        string
	Kind         string // KindContact or KindCompany
	CRMID        int64
	DeskID       string
	Agreed       map[string]string
	CRMRev       int64     // the CRM record's Rev when last reconciled
	DeskModified time.Time // Desk's modifiedTime when last reconciled
	LinkedAt     time.Time
	UpdatedAt    time.Time
}

// RemoteRecord is the last copy of a Desk contact or account that sync
// pulled: its mapped values, the key used for matching (normalised email of
// a contact, normalised name of an account) and its modification time.
type RemoteRecord struct {
	OrgID    string
	Kind     string // KindContact or KindCompany
	DeskID   string
	MatchKey string
	Modified time.Time
	// Created is Desk's createdTime (zero when unknown): of two Desk
	// records that are one person, the older survives.
	Created time.Time
	Values  map[string]string // every field Desk sent, canonical strings
}

// Tombstone states.
const (
	TombDeleted = "deleted" // deleted in Tandem, unchanged in Desk since
	TombChanged = "changed" // deleted in Tandem, changed in Zoho Desk since: ask
	TombKept    = "kept"    // the user chose to keep it deleted
)

// Tombstone remembers a linked record deleted in Tandem, so a later change
// in Zoho Desk does not bring it back silently.
// DeskPageKnown is what a page of pulled Desk records has in the store:
// the Desk ids with a link, those with a tombstone and the match keys held
// by a CRM record (nil when not looked up: companies match by name).
type DeskPageKnown struct {
	Linked, Tombstoned, CRMKeys map[string]bool
}

type Tombstone struct {
	ID           int64
	OrgID        string
	Kind         string
	DeskID       string
	CRMID        int64
	Name         string
	State        string
	DeletedAt    time.Time
	DeskModified time.Time // Desk's modifiedTime the state covers
	ChangedAt    time.Time // Desk's modifiedTime of the change since the delete
}

// MergeNote records duplicates on Desk resolved into one survivor.
type MergeNote struct {
	ID         int64
	OrgID      string
	Kind       string
	SurvivorID string
	Losers     []string
	CRMID      int64
	RecordName string
	ByUs       bool // this desktop merged them on Desk (else: found merged)
	At         time.Time
	Dismissed  bool
}

// Ticket is a cached Desk ticket.
type Ticket struct {
	OrgID        string
	ID           string
	Number       string
	Subject      string
	Description  string // HTML; filled in when the ticket was opened
	Status       string
	StatusType   string // "Open", "On Hold" or "Closed"
	Priority     string
	Channel      string
	Email        string
	Phone        string
	ContactID    string
	ContactName  string
	ContactEmail string // the ticket contact's email (from include=contacts)
	AccountID    string
	DepartmentID string
	AssigneeID   string
	DueDate      time.Time
	IsOverdue    bool
	IsEscalated  bool
	CreatedTime  time.Time
	ModifiedTime time.Time
	ClosedTime   time.Time
	ThreadCount  int
	CommentCount int
	WebURL       string
	// DetailSynced is the ModifiedTime at which threads and comments were
	// last fetched; zero when they never were.
	DetailSynced time.Time
	// DetailWanted marks a ticket whose conversation must be fetched by the
	// next pass (it changed after the portal's first sync).
	DetailWanted bool
	Raw          json.RawMessage // Desk's JSON as received
}

// Closed reports whether the ticket's status is of the closed type.
func (t *Ticket) Closed() bool { return t.StatusType == "Closed" }

// Thread is one message of a ticket's conversation.
type Thread struct {
	OrgID       string
	TicketID    string
	ID          string
	Channel     string
	Direction   string // "in" or "out"
	From        string
	To          string
	CC          string
	Summary     string
	Content     string // empty until fetched
	ContentType string
	AuthorName  string
	AuthorEmail string
	AuthorType  string // "AGENT", "END_USER"
	AuthorID    string
	IsForward   bool
	CreatedTime time.Time
	Raw         json.RawMessage
}

// Comment is a private or public note on a ticket.
type Comment struct {
	OrgID         string
	TicketID      string
	ID            string
	Content       string   // Desk's content, with mention markup
	Text          string   // Content with mentions made readable
	Mentions      []string // mentioned agent ids
	ContentType   string
	IsPublic      bool
	CommenterID   string
	CommenterName string
	CommentedTime time.Time
	ModifiedTime  time.Time
	Raw           json.RawMessage
}

// Rating is a customer happiness rating of a ticket.
type Rating struct {
	OrgID       string
	ID          string
	TicketID    string
	ContactID   string
	Rating      string // "GOOD", "OKAY", "BAD"
	Feedback    string
	CreatedTime time.Time
}

// TicketDetail is a ticket with its conversation, for the ticket pane.
type TicketDetail struct {
	Ticket   Ticket
	Threads  []Thread  // oldest first
	Comments []Comment // oldest first
	// Pending are the actions on this ticket not yet confirmed by Desk.
	Pending []OutboxItem
	// Stale is true when the conversation could not be refreshed (offline)
	// and what is shown is the cached copy.
	Stale bool
}

// TicketFilter selects a record's tickets.
type TicketFilter struct {
	Status string // "" all, "open" (Open and On Hold), "closed"
	Offset int
	Limit  int // 0 means 50
}

// TicketList is a page of a record's tickets, newest first, with counts
// over all of them.
type TicketList struct {
	// Hits are the messages a search found, by ticket id (views only).
	Hits     map[string]TicketHit
	Tickets  []Ticket
	Open     int // Open and On Hold
	Resolved int // Closed
	// PendingCreates are ticket creations from this record still in the
	// outbox (shown as pending at the top of the list).
	PendingCreates []OutboxItem
}

// Outbox action kinds.
const (
	OutboxCreateTicket = "create_ticket"
	OutboxReply        = "reply"
	OutboxReplyAll     = "reply_all"
	OutboxForward      = "forward"
	OutboxComment      = "comment"
	OutboxStatus       = "status"
	// OutboxTicketUpdate changes a ticket's priority or assignee
	// (payload: TicketUpdate).
	OutboxTicketUpdate = "ticket_update"
	OutboxPushContact  = "push_contact"
	OutboxPushCompany  = "push_company"
	// OutboxTrashContact moves a Desk contact to Desk's Recycle Bin: the
	// user deleted its Tandem record and asked to delete it in Desk too.
	OutboxTrashContact = "trash_contact"
)

// Outbox states. An item is written pending; it is marked sending before
// the request goes out, so after a crash a sending item is looked up on Desk
// before it is sent again; done and failed are final.
const (
	OutboxPending = "pending"
	OutboxSending = "sending"
	OutboxDone    = "done"
	OutboxFailed  = "failed"
)

// OutboxItem is one write to Desk, persisted before it is sent and applied
// exactly once.
type OutboxItem struct {
	ID             int64
	OrgID          string
	Kind           string // one of the Outbox* kinds
	IdempotencyKey string // unique; enqueueing the same key twice is a no-op
	TicketID       string // the ticket acted on ("" for creates and pushes)
	CRMKind        string // the CRM record it comes from, if any
	CRMID          int64
	Payload        json.RawMessage // kind-specific, see the sync package
	State          string
	Attempts       int
	LastError      string // for people
	ResultID       string // Desk id of what it created (ticket, thread, comment, record)
	CreatedAt      time.Time
	UpdatedAt      time.Time
	SentAt         time.Time // when it was last marked sending
}

// Conflict is a field both sides changed between two passes: the later
// change won, and the other value is kept here so the user can restore it.
type Conflict struct {
	ID         int64
	OrgID      string
	Kind       string // KindContact or KindCompany
	CRMID      int64
	DeskID     string
	DeskField  string
	CRMField   string
	CRMValue   string
	DeskValue  string
	Winner     string // "crm" or "desk"
	At         time.Time
	Resolved   bool // restored or dismissed
	RecordName string
	// CRMTime and DeskTime are both sides' times on Desk's clock: Desk's
	// modifiedTime of its change, and when Desk accepted Tandem's push
	// (zero while not sent, or when Tandem's value lost).
	CRMTime, DeskTime time.Time
	// CRMText and DeskText are the values as people read them (filled in
	// by Integration.Conflicts): a company's name for an account id.
	CRMText, DeskText string
}

// LoserText is the losing value as people read it.
func (c *Conflict) LoserText() string {
	if c.Winner == WinnerCRM {
		return c.DeskText
	}
	return c.CRMText
}

// Conflict winners.
const (
	WinnerCRM  = "crm"
	WinnerDesk = "desk"
)

// LoserValue returns the value that lost.
func (c *Conflict) LoserValue() string {
	if c.Winner == WinnerCRM {
		return c.DeskValue
	}
	return c.CRMValue
}

// SyncError is why one record could not be synced. It stays until the
// record syncs; the pass goes on with the others.
type SyncError struct {
	OrgID   string
	Kind    string // KindContact or KindCompany
	CRMID   int64  // 0 when the record exists only on Desk
	DeskID  string
	CRMRev  int64 // the CRM revision that failed; a newer one is retried
	Message string
	At      time.Time
}

// Sync states for the status line.
const (
	StateIdle         = "idle"
	StateSyncing      = "syncing"
	StateOffline      = "offline"
	StateNeedsSignIn  = "needs_sign_in"
	StateNotConnected = "not_connected"
)

// SyncStatus is what the status line and `tandem desk status` show.
type SyncStatus struct {
	Portal        *Portal // the active portal, nil when none
	State         string  // one of the State* values
	LastSuccess   time.Time
	LastError     string
	PendingOutbox int
	FailedOutbox  int
	Conflicts     int // unresolved
	RecordErrors  []SyncError
	CachedTickets int
	// Merges: duplicate Desk contacts made one, not dismissed;
	// DeletedChanged: records deleted here and changed in Desk since.
	Merges, DeletedChanged int
	// Problems is what Manage asks the user to look at (one per card of
	// Needs your attention): conflicts, failed actions, record errors (a
	// failed push counted once), merges and deleted-here-changed-there.
	Problems int
}

// Sync event kinds.
const (
	EventStarted     = "started"
	EventProgress    = "progress"
	EventFinished    = "finished"
	EventOffline     = "offline"
	EventNeedsSignIn = "needs_sign_in"
	EventConflict    = "conflict"
	EventRecordError = "record_error"
	EventLinkDropped = "link_dropped" // a linked CRM record was deleted
	EventOutbox      = "outbox"       // an outbox item changed state
	EventPortal      = "portal"       // a portal was activated, changed or deactivated
)

// SyncCounts counts what a pass did.
type SyncCounts struct {
	ContactsPulled  int
	ContactsPushed  int
	CompaniesPulled int
	CompaniesPushed int
	Tickets         int // tickets new or changed
	Threads         int
	Comments        int
	OutboxSent      int
	Conflicts       int
	Errors          int
	Merged          int   // duplicate Desk contacts merged into their survivor
	Requests        int64 // HTTP requests to Desk
}

// SyncEvent is published by the sync service for the UI; it carries no
// data beyond counts: screens re-read what they show from the store.
type SyncEvent struct {
	Kind    string // one of the Event* kinds
	OrgID   string
	Phase   string // "contacts", "companies", "tickets", "outbox" during progress
	Counts  SyncCounts
	Message string // for people
	At      time.Time
}

// DeskStore is the storage the sync service needs. Every method returns an
// *Error (EUNAVAILABLE when the database is busy, ENOTFOUND where noted).
type DeskStore interface {
	// ListPortals returns every portal ever configured, active first.
	ListPortals(ctx context.Context) ([]Portal, error)
	// FindPortal returns ENOTFOUND when orgID was never configured.
	FindPortal(ctx context.Context, orgID string) (*Portal, error)
	// ActivePortal returns the active portal, or ENOTFOUND.
	ActivePortal(ctx context.Context) (*Portal, error)
	// SavePortal inserts or updates a portal's settings. Saving one as
	// Active deactivates every other portal.
	SavePortal(ctx context.Context, p *Portal) error
	// SetPortalActive activates (deactivating the others) or deactivates a portal.
	SetPortalActive(ctx context.Context, orgID string, active bool) error
	// RecordPassResult stores the outcome of a pass: at is set as LastSuccess
	// when errMsg is "", otherwise errMsg becomes LastError.
	RecordPassResult(ctx context.Context, orgID string, at time.Time, errMsg string) error

	// FieldMappings returns a portal's mappings in the order they were saved.
	FieldMappings(ctx context.Context, orgID string) ([]FieldMapping, error)
	// SetFieldMappings replaces a portal's mappings.
	SetFieldMappings(ctx context.Context, orgID string, ms []FieldMapping) error

	// Cursor returns a named sync cursor, "" when unset.
	Cursor(ctx context.Context, orgID, name string) (string, error)
	// SetCursor stores a named sync cursor.
	SetCursor(ctx context.Context, orgID, name, value string) error
	// RecheckLinks makes every linked record of a portal look changed to
	// the next push (after its mapping or mode changed): it clears the
	// links' CRM revisions and sets the cursor named pushCursor to "".
	RecheckLinks(ctx context.Context, orgID, pushCursor string) error
	// RecheckHeldAccounts makes linked contacts whose company field
	// (deskField, e.g. "accountId") was never agreed or is held (HeldMark)
	// look changed to the next push, when both sides can now be compared:
	// the CRM company (if any) is linked, and so is Desk's account (if any)
	// when deskLinked (two-way: it may be written into the CRM). It
	// returns how many.
	RecheckHeldAccounts(ctx context.Context, orgID, deskField string, deskLinked bool) (int, error)

	// UpsertRemote stores the latest copies of Desk records.
	UpsertRemote(ctx context.Context, rs []RemoteRecord) error
	// FindRemote returns ENOTFOUND when the Desk record was never pulled.
	FindRemote(ctx context.Context, orgID, kind, deskID string) (*RemoteRecord, error)
	// RemoteStamps returns, for the given Desk records that were pulled
	// before, the modification time up to which each was taken in: the
	// stored copy's, or its link's when older (a push's answer may carry
	// Desk edits not reconciled yet). Pulls skip records whose time has not
	// moved.
	RemoteStamps(ctx context.Context, orgID, kind string, deskIDs []string) (map[string]time.Time, error)
	// FindRemoteByKey returns the Desk records with the given match key.
	FindRemoteByKey(ctx context.Context, orgID, kind, key string) ([]RemoteRecord, error)

	// A team on one portal (issue 12). Merges lists the duplicates on Desk
	// resolved into one record; DismissMerge hides one.
	Merges(ctx context.Context, orgID string, withDismissed bool) ([]MergeNote, error)
	DismissMerge(ctx context.Context, id int64) error
	// SaveTombstone remembers a linked record deleted in Tandem.
	SaveTombstone(ctx context.Context, t *Tombstone) error
	// FindTombstone (by Desk record) and FindTombstoneByID return
	// ENOTFOUND when there is none.
	FindTombstone(ctx context.Context, orgID, kind, deskID string) (*Tombstone, error)
	FindTombstoneByID(ctx context.Context, id int64) (*Tombstone, error)
	// TombstoneChanged marks a deleted record changed in Zoho Desk at
	// modified; it reports whether that is news.
	TombstoneChanged(ctx context.Context, orgID, kind, deskID string, modified time.Time) (bool, error)
	// Tombstones returns the records deleted here and changed in Desk.
	Tombstones(ctx context.Context, orgID string) ([]Tombstone, error)
	// KeepDeleted and DeleteTombstone record the user's answer.
	KeepDeleted(ctx context.Context, id int64) error
	DeleteTombstone(ctx context.Context, id int64) error
	// SetConflictCRMTime fills in when Desk accepted the push that won a
	// record's open conflicts.
	SetConflictCRMTime(ctx context.Context, orgID, kind string, crmID int64, at time.Time) error

	// FindLink returns the link of a CRM record, or ENOTFOUND.
	FindLink(ctx context.Context, orgID, kind string, crmID int64) (*Link, error)
	// FindLinkByDesk returns the link of a Desk record, or ENOTFOUND.
	FindLinkByDesk(ctx context.Context, orgID, kind, deskID string) (*Link, error)
	// DeskPageKnown answers in three queries, for a page of pulled Desk
	// records, what reconciling them looks up record by record: which are
	// linked, which have a tombstone and (contacts) which match keys a CRM
	// contact has. Sync skips the lookups it proves empty (issue 17).
	DeskPageKnown(ctx context.Context, orgID, kind string, deskIDs, keys []string) (*DeskPageKnown, error)
	// SaveLink inserts or replaces the link of (OrgID, Kind, CRMID); it
	// returns ECONFLICT when DeskID is linked to another CRM record.
	SaveLink(ctx context.Context, l *Link) error
	// DeleteLink removes the link of a CRM record and the record's queued
	// updates of its Desk record; a missing link is no error.
	DeleteLink(ctx context.Context, orgID, kind string, crmID int64) error
	// OrphanLinks returns links whose CRM record no longer exists: all of
	// them with after < 0, else those of records deleted after that
	// deletion number (see CRMMarks).
	OrphanLinks(ctx context.Context, orgID string, after int64) ([]Link, error)
	// ContactsToPush returns up to limit contacts that have no link or
	// changed since their link's CRMRev, skipping those with a push in the
	// outbox and those whose current revision already failed (a SyncError).
	// With after >= 0 it looks only at contacts changed after that change
	// number (see CRMMarks), so its cost follows the changes; with after < 0
	// at all of them.
	ContactsToPush(ctx context.Context, orgID string, after int64, limit int) ([]Contact, error)
	// CompaniesToPush is ContactsToPush for companies.
	CompaniesToPush(ctx context.Context, orgID string, after int64, limit int) ([]Company, error)
	// SupportAddressSeen returns the help desk's own address as the cached
	// conversations of a portal show it (see SupportAddress), preferring
	// tickets of departmentID; "" when none shows one.
	SupportAddressSeen(ctx context.Context, orgID, departmentID string) (string, error)
	// PruneDeletions forgets the CRM deletion marks that every portal's
	// cursor named deletionsCursor has passed; portals without that cursor
	// look at every link anyway. It returns how many were removed.
	PruneDeletions(ctx context.Context, deletionsCursor string) (int64, error)
	// CRMMarks returns how far a portal's push cursors may move once a
	// pass handled every CRM change made so far: the latest change number
	// (held back before records whose push is still queued) and the latest
	// deletion number. Call it before ContactsToPush and OrphanLinks.
	CRMMarks(ctx context.Context, orgID string) (changes, deletions int64, err error)

	// ApplyFromDesk writes, each in one transaction: the CRM record changed
	// or created from Desk (if any), its link, its conflicts, and an outbox
	// push (if any). Saving a link to a Desk record drops the record's
	// queued updates (pending or sending): the reconciliation that wrote it
	// supersedes them. A stale CRM revision fails that item with ECONFLICT.
	// It returns one error per item (nil for success).
	ApplyFromDesk(ctx context.Context, items []DeskApply) ([]error, error)

	// Conflicts returns conflicts, newest first; resolved ones only when asked.
	Conflicts(ctx context.Context, orgID string, withResolved bool) ([]Conflict, error)
	// FindConflict returns ENOTFOUND when there is no such conflict.
	FindConflict(ctx context.Context, id int64) (*Conflict, error)
	// ResolveConflict marks a conflict resolved.
	ResolveConflict(ctx context.Context, id int64) error

	// SetSyncError records (replaces) a per-record error.
	SetSyncError(ctx context.Context, e SyncError) error
	// ClearSyncError removes the errors of a CRM record (crmID) or, when
	// crmID is 0, of a Desk record.
	ClearSyncError(ctx context.Context, orgID, kind string, crmID int64, deskID string) error
	// SyncErrors returns a portal's per-record errors, newest first, but the
	// dismissed ones (they still keep their revision from being pushed again).
	SyncErrors(ctx context.Context, orgID string) ([]SyncError, error)

	// TicketStamps returns, for the given ids that are cached, the stored
	// modification time and counts — what a pass needs to skip unchanged tickets.
	TicketStamps(ctx context.Context, orgID string, ids []string) (map[string]TicketStamp, error)
	// BeginBulkLoad prepares the store for many big writes (a first pass
	// into an empty cache) until end is called.
	BeginBulkLoad(ctx context.Context) (end func(), err error)
	// UpsertTickets stores tickets (keeping description and DetailSynced
	// unless the new value is set).
	UpsertTickets(ctx context.Context, ts []Ticket) error
	// TicketsNeedingDetail returns up to limit ids of tickets marked
	// DetailWanted (changed since their conversation was last fetched).
	TicketsNeedingDetail(ctx context.Context, orgID string, limit int) ([]string, error)
	// StoreConversation replaces what is known of a ticket's threads and
	// comments (threads keep fetched content), sets its DetailSynced and
	// clears DetailWanted.
	StoreConversation(ctx context.Context, orgID, ticketID string, synced time.Time, ths []Thread, cms []Comment) error
	// StoreConversationUnindexed is StoreConversation for a pass: the
	// search indexing of what is new is left to the next IndexTickets.
	StoreConversationUnindexed(ctx context.Context, orgID, ticketID string, synced time.Time, ths []Thread, cms []Comment) error
	// SetThreadContent stores the content of a thread.
	SetThreadContent(ctx context.Context, orgID, ticketID, threadID, content, contentType string) error
	// FindTicket returns a cached ticket with its conversation, or ENOTFOUND.
	FindTicket(ctx context.Context, orgID, ticketID string) (*TicketDetail, error)
	// SearchTickets finds cached tickets by the words of their subject,
	// description, threads and comments (at most limit, newest first).
	SearchTickets(ctx context.Context, orgID, query string, limit int) ([]TicketHit, error)
	// LocateTicketHit returns the message of a ticket a search for query
	// opens at (the Kind and MessageID of a TicketHit).
	LocateTicketHit(ctx context.Context, orgID, ticketID, query string) (kind, messageID string, err error)
	// IndexTickets indexes for search up to limit tickets written in big
	// batches since they were last indexed, and returns how many.
	IndexTickets(ctx context.Context, orgID string, limit int) (int, error)
	// Setting and SetSetting read and write a local setting ("" deletes
	// nothing: it stores the empty value).
	Setting(ctx context.Context, key string) (string, bool, error)
	SetSetting(ctx context.Context, key, value string) error
	// TicketTarget returns a cached ticket with its CRM record, or ENOTFOUND.
	TicketTarget(ctx context.Context, orgID, ticketID string) (SignalTicket, error)
	// TicketsForRecord lists the tickets associated with a CRM record (see
	// the Integration interface for the rules).
	TicketsForRecord(ctx context.Context, orgID string, mode SyncMode, kind string, id int64, f TicketFilter) (*TicketList, error)
	// SetTicketOrigin remembers that a ticket was created from a CRM record.
	SetTicketOrigin(ctx context.Context, orgID, ticketID, kind string, id int64) error
	// CountTickets returns how many tickets of a portal are cached.
	CountTickets(ctx context.Context, orgID string) (int, error)

	// Enqueue stores an outbox item (State pending) and sets its ID; an item
	// with the same IdempotencyKey already stored is returned instead.
	Enqueue(ctx context.Context, it *OutboxItem) error
	// Outbox returns a portal's items in the given states, oldest first.
	Outbox(ctx context.Context, orgID string, states ...string) ([]OutboxItem, error)
	// MarkSending sets an item sending, bumps Attempts and sets SentAt.
	MarkSending(ctx context.Context, id int64, at time.Time) error
	// MarkPending puts an item back to pending with an error message.
	MarkPending(ctx context.Context, id int64, msg string) error
	// SetOutboxPayload replaces an item's payload (what a send has done so
	// far, such as the ids of uploaded files).
	SetOutboxPayload(ctx context.Context, id int64, payload json.RawMessage) error
	// MarkFailed makes an item failed for good, with an error for people.
	MarkFailed(ctx context.Context, id int64, msg string) error
	// CompleteOutbox marks an item done and, in the same transaction, stores
	// what its success produced.
	CompleteOutbox(ctx context.Context, id int64, r OutboxResult) error
	// RetryOutbox puts a failed item back to pending.
	RetryOutbox(ctx context.Context, id int64) error
	// DismissOutbox ends a failed item without sending it (state done,
	// its last error kept); ENOTFOUND when it is not failed.
	DismissOutbox(ctx context.Context, id int64) error
	// DismissSyncError hides a record's error from SyncErrors until
	// SetSyncError records another revision or message for it.
	DismissSyncError(ctx context.Context, orgID, kind string, crmID int64, deskID string) error
}

// TicketStamp is what a pass compares to decide whether a ticket changed.
type TicketStamp struct {
	Modified     time.Time
	ThreadCount  int
	CommentCount int
	DetailSynced time.Time
	IsOverdue    bool
	IsEscalated  bool
}

// DeskApply is one record's reconciliation, written atomically by
// DeskStore.ApplyFromDesk.
type DeskApply struct {
	// Contact or Company, when set, is created (ID 0) or updated (its Rev
	// must be current) from Desk values. The link's CRMID and CRMRev are
	// set from the result.
	Contact *Contact
	Company *Company
	// Link is saved (after the record, so a new record's id is filled in).
	Link *Link
	// Conflicts are recorded (CRMID filled in like the link's).
	Conflicts []Conflict
	// Push, when set, is enqueued (CRMID filled in like the link's).
	Push *OutboxItem
	// ClearErrors removes the record's SyncErrors.
	ClearErrors bool
	// Remote, when set, is stored as the Desk record's latest copy in the
	// same transaction, so a crash never leaves a pulled change stored but
	// not reconciled.
	Remote *RemoteRecord
	// Forget lists Desk records merged into Remote (the survivor, which
	// must be set): their remote copies and links are deleted (but the
	// Link's record's, which moves to the survivor) in the same transaction.
	Forget []string
	// Merge, when set, is recorded (CRMID filled in like the link's).
	Merge *MergeNote
}

// OutboxResult is what a successful outbox item leaves behind, stored with
// its completion.
type OutboxResult struct {
	ResultID string
	Link     *Link         // a pushed record's new agreed state
	Remote   *RemoteRecord // Desk's answer to a push
	Ticket   *Ticket       // a created or changed ticket
	Thread   *Thread       // a sent reply
	Comment  *Comment      // an added comment
	// Tombstone: the push created a Desk record for a CRM record deleted
	// meanwhile (deleted here; Desk keeps it).
	Tombstone *Tombstone
	// Origin links a created ticket to the CRM record it was created from.
	OriginKind string
	OriginID   int64
}

// Integration is what the screens use: the Zoho Desk wizard, the Tickets
// tab and ticket pane, conflicts and the status line. Every method may be
// called from any goroutine but does I/O: never call it on the UI goroutine.
// Errors are *Error values: EUNAUTHORIZED (sign in again), EFORBIDDEN (the
// Desk profile does not allow it), EUNAVAILABLE (Desk cannot be reached —
// queued actions still succeed), EINVALID (with a message for people),
// ENOTFOUND.
type Integration interface {
	// HelpDesk says which help desk the next sign-in goes to and with which
	// OAuth client; SetHelpDesk changes the target (DemoHelpDesk or a data
	// centre id); SetZohoClient keeps an organisation's own client id (and
	// secret, when its client has one) in the keyring ("" removes it).
	HelpDesk(ctx context.Context) (HelpDesk, error)
	SetHelpDesk(ctx context.Context, target string) error
	SetZohoClient(ctx context.Context, clientID, clientSecret string) error
	// Wizard step 1: BeginSignIn starts Zoho's OAuth sign-in and returns the
	// consent page URL to open in the browser (the emulator approves at
	// once). loginHint may be "".
	BeginSignIn(ctx context.Context, loginHint string) (authURL string, err error)
	// CompleteSignIn waits for the browser to come back and returns the
	// signed-in account's email.
	CompleteSignIn(ctx context.Context) (accountEmail string, err error)
	// Wizard step 2: ListAccountPortals lists the portals the signed-in
	// account belongs to.
	ListAccountPortals(ctx context.Context) ([]PortalChoice, error)
	// VerifyAdmin checks another user's portal after its administrator
	// authorized Tandem (BeginSignIn with their email as the login hint,
	// CompleteSignIn): the grant's user (/myinfo) must be adminEmail, and
	// the portal (orgID, or their default when "") one they administer.
	// EFORBIDDEN for someone else's grant or portal, EUNAUTHORIZED for a
	// grant Zoho no longer honours.
	VerifyAdmin(ctx context.Context, adminEmail, orgID string) (PortalChoice, error)
	// Wizard step 4: DeskFields returns the Desk fields of a kind, with
	// required ones marked; CRMFields the mappable CRM fields;
	// DefaultMappings sensible defaults. ValidateMappings checks types and
	// required Desk fields (EINVALID with a *ValidationError).
	DeskFields(ctx context.Context, orgID, kind string) ([]DeskField, error)
	CRMFields(kind string) []CRMField
	DefaultMappings() []FieldMapping
	ValidateMappings(ms []FieldMapping, fields []DeskField) error
	// Wizard step 5: Activate connects the chosen portal with a mode and
	// mappings, stores its secrets in the keyring, and starts a first sync
	// (progress comes as events). Activating a portal that was connected
	// before brings its links and tickets back without duplicates.
	Activate(ctx context.Context, req ActivateRequest) (*Portal, error)
	// PortalPermissions reads what the signed-in agent may do in a portal:
	// the one chosen in the wizard (before Activate) or the active one.
	PortalPermissions(ctx context.Context, orgID string) (AgentPermissions, error)
	// Concurrency says how many requests Tandem sends the active portal at
	// once and what may be chosen; SetConcurrency chooses (0: automatic;
	// EINVALID above the plan's cap). It takes effect at once.
	Concurrency(ctx context.Context) (ConcurrencyInfo, error)
	SetConcurrency(ctx context.Context, n int) error
	// UpdateSettings changes the active portal's mode and mappings (Manage).
	UpdateSettings(ctx context.Context, mode SyncMode, ms []FieldMapping) error
	// Deactivate stops sync, removes the portal's secrets from the keyring
	// and hides its tickets; its data stays for a later Activate.
	Deactivate(ctx context.Context) error

	// ListPortals returns every configured portal; ActivePortal the active
	// one (ENOTFOUND when none).
	ListPortals(ctx context.Context) ([]Portal, error)
	ActivePortal(ctx context.Context) (*Portal, error)
	// FieldMappings returns the active portal's mappings.
	FieldMappings(ctx context.Context) ([]FieldMapping, error)
	// PortalMappings returns the mappings kept for a portal, active or
	// not: connecting a portal again starts from them.
	PortalMappings(ctx context.Context, orgID string) ([]FieldMapping, error)

	// TicketsForRecord lists a record's tickets from the cache, newest
	// first, with open and resolved counts. A contact's tickets are those of
	// its linked Desk contact, or (when unlinked) those whose contact has
	// the same email; a company's those of its linked account, or of an
	// account with the same name; a pipeline record's those created from it
	// plus its contacts' tickets. ENOTFOUND when no portal is active.
	TicketsForRecord(ctx context.Context, kind string, id int64, f TicketFilter) (*TicketList, error)
	// Ticket returns a ticket with its conversation from the cache; with
	// refresh (the pane was opened) it first fetches what is missing or
	// changed from Desk, falling back to the cache (Stale) when offline.
	Ticket(ctx context.Context, ticketID string, refresh bool) (*TicketDetail, error)
	// Statuses returns the portal's ticket statuses; Departments its
	// departments (cached after the first call).
	Statuses(ctx context.Context) ([]string, error)
	Departments(ctx context.Context) ([]Department, error)

	// Actions: each is stored in the outbox and sent by the sync service;
	// offline they stay pending. They return the queued item. EFORBIDDEN
	// when the agent may not create or reply.
	CreateTicket(ctx context.Context, req NewTicketRequest) (*OutboxItem, error)
	Reply(ctx context.Context, ticketID string, req ReplyRequest) (*OutboxItem, error)
	ReplyAll(ctx context.Context, ticketID string, req ReplyRequest) (*OutboxItem, error)
	Forward(ctx context.Context, ticketID string, req ReplyRequest) (*OutboxItem, error)
	Comment(ctx context.Context, ticketID string, content string, public bool) (*OutboxItem, error)
	// CommentWithFiles is Comment with files attached (paths, checked
	// like a reply's and copied before it returns).
	CommentWithFiles(ctx context.Context, ticketID string, content string, public bool, paths []string) (*OutboxItem, error)
	// CachedAttachment is the downloaded copy of an attachment, if any
	// (no network). FetchAttachment downloads it into the cache first when
	// needed: EUNAVAILABLE offline, EINVALID when it is too large,
	// ENOTFOUND when Desk no longer has it.
	CachedAttachment(ref AttachmentRef) (string, bool)
	FetchAttachment(ctx context.Context, ref AttachmentRef) (string, error)
	ChangeStatus(ctx context.Context, ticketID, status string) (*OutboxItem, error)
	// UpdateTicket queues a change of a ticket's priority or assignee
	// (EFORBIDDEN when the agent may not edit tickets, EINVALID when u
	// changes nothing).
	UpdateTicket(ctx context.Context, ticketID string, u TicketUpdate) (*OutboxItem, error)
	// SearchTickets finds the active portal's cached tickets by what they
	// say, each with the message that matched.
	SearchTickets(ctx context.Context, query string, limit int) ([]TicketHit, error)
	// LocateTicketHit returns the message of one of the active portal's
	// tickets a search for query opens at (the Kind and MessageID of a
	// TicketHit).
	LocateTicketHit(ctx context.Context, ticketID, query string) (kind, messageID string, err error)
	// Draft returns the reply a person began on a ticket (kind: reply,
	// reply all, forward or comment) and did not send; SaveDraft keeps one
	// (an empty draft clears it). Drafts are local: never sent to Desk.
	Draft(ctx context.Context, ticketID, kind string) (ReplyDraft, error)
	SaveDraft(ctx context.Context, ticketID, kind string, d ReplyDraft) error
	// ReplyAddresses lists the From addresses a reply on a ticket may go
	// from (the active, verified ones of its department), as Desk lists
	// them or, offline, as last listed (EUNAVAILABLE when never listed).
	// ReplyTemplates lists the department's reply templates the same way.
	// RenderTemplate has Desk fill a template in for the ticket: it needs
	// Desk (EUNAVAILABLE offline; nothing is queued), ENOTFOUND when the
	// template is gone.
	ReplyAddresses(ctx context.Context, ticketID string) ([]ReplyAddress, error)
	ReplyTemplates(ctx context.Context, ticketID string) ([]ReplyTemplate, error)
	RenderTemplate(ctx context.Context, ticketID, templateID string) (RenderedTemplate, error)
	// TicketTarget names the CRM record a cached ticket opens on
	// (RecordKind "" when none; ENOTFOUND).
	TicketTarget(ctx context.Context, ticketID string) (SignalTicket, error)
	// Agents returns the portal's agents, for the assignee drop-down.
	Agents(ctx context.Context) ([]Agent, error)
	// Outbox lists the active portal's pending, sending and failed items;
	// RetryOutbox sends a failed one again.
	Outbox(ctx context.Context) ([]OutboxItem, error)
	RetryOutbox(ctx context.Context, id int64) error
	// DismissOutbox gives a failed action up: it is no longer listed nor
	// sent (a failed push is sent again after the record changes).
	DismissOutbox(ctx context.Context, id int64) error
	// DismissSyncError hides a record's sync error until it fails again
	// for another change (crmID, or deskID when crmID is 0).
	DismissSyncError(ctx context.Context, kind string, crmID int64, deskID string) error

	// Conflicts lists unresolved conflicts; RestoreConflict writes the
	// losing value back into the CRM record (it then syncs like an edit);
	// DismissConflict hides one.
	Conflicts(ctx context.Context) ([]Conflict, error)
	RestoreConflict(ctx context.Context, id int64) error
	DismissConflict(ctx context.Context, id int64) error
	// Merges lists the duplicate Desk contacts resolved into one (merged
	// by this desktop or found merged); DismissMerge hides one.
	Merges(ctx context.Context) ([]MergeNote, error)
	DismissMerge(ctx context.Context, id int64) error
	// DeletedChanged lists records deleted in Tandem and changed in Zoho
	// Desk since; RestoreDeleted brings one back from Desk's copy,
	// KeepDeleted keeps it deleted (a later change in Desk asks again).
	DeletedChanged(ctx context.Context) ([]Tombstone, error)
	// LinkedOnDesk reports whether a CRM contact is linked to a Desk
	// contact of the active portal (two-way or one-way), so deleting it
	// may offer to delete it in Zoho Desk too; DeleteOnDesk queues that
	// (call it before deleting the record in Tandem). Companies: false.
	LinkedOnDesk(ctx context.Context, kind string, crmID int64) (bool, error)
	DeleteOnDesk(ctx context.Context, kind string, crmID int64) error
	RestoreDeleted(ctx context.Context, id int64) error
	KeepDeleted(ctx context.Context, id int64) error

	// Status returns the sync status; SyncNow asks for a pass soon.
	Status(ctx context.Context) (*SyncStatus, error)
	SyncNow()
	// Subscribe registers fn for sync events and returns a function that
	// removes it. fn runs on the sync goroutine: it must return quickly
	// (hand the event to the UI with fyne.Do, never block).
	Subscribe(fn func(SyncEvent)) (unsubscribe func())
}

// AgentPermissions is what the signed-in agent's Zoho Desk profile allows
// in a portal: the wizard reads it before the sync step, to offer only the
// sync options whose requests would succeed.
type AgentPermissions struct {
	IsAdmin          bool
	CanCreateTickets bool
	CanReply         bool
	CanEditTickets   bool
	// CanViewContacts: Desk contacts and accounts may be read (two-way
	// sync pulls them). CanWriteContacts: they may be created and edited
	// (every sync option but No sync pushes them).
	CanViewContacts  bool
	CanWriteContacts bool
	ProfileName      string
	// Reason explains, for people, why the agent may not create tickets
	// or reply ("" when they may).
	Reason string
}

// SyncModes returns the sync options these permissions let succeed:
// two-way needs reading and writing contacts and accounts, one-way
// writing them; No sync is always possible.
func (p AgentPermissions) SyncModes() []SyncMode {
	var out []SyncMode
	if p.IsAdmin || p.CanViewContacts && p.CanWriteContacts {
		out = append(out, SyncTwoWay)
	}
	if p.IsAdmin || p.CanWriteContacts {
		out = append(out, SyncOneWay)
	}
	return append(out, SyncNone)
}

// PortalChoice is a portal offered in the wizard.
type PortalChoice struct {
	OrgID      string
	Name       string
	PortalURL  string
	IsAdmin    bool
	IsDefault  bool
	Edition    string
	ViaAdmin   bool
	AdminEmail string
}

// ActivateRequest is the wizard's final step.
type ActivateRequest struct {
	OrgID    string
	Mode     SyncMode
	Mappings []FieldMapping // ignored for SyncNone; DefaultMappings when nil
}

// ConcurrencyInfo is Settings › Zoho Desk's "Requests at once". Zoho caps
// the API calls a portal serves at once by edition (Free 5, Express and
// Standard 10, Professional 15, Enterprise 25), shared by everyone and
// every app using the portal.
type ConcurrencyInfo struct {
	Setting   int    // the user's choice, 0 for automatic
	Automatic int    // what automatic means for this portal
	Cap       int    // the most that may be chosen (the plan's cap)
	Edition   string // "" when not known (Cap is then the highest plan's)
	InUse     int    // what the sync sends at once now
}

// Department is a Desk department tickets are filed under.
type Department struct {
	ID   string
	Name string
}

// NewTicketRequest is the `+ Ticket` form.
type NewTicketRequest struct {
	CRMKind      string // the record the form was opened on
	CRMID        int64
	ContactID    int64 // the CRM contact the ticket is for (must have a valid email)
	Subject      string
	Description  string
	DepartmentID string // "" for the portal's first department
	Priority     string
}

// Validate checks the form.
func (r *NewTicketRequest) Validate() error {
	var v ValidationError
	if r.Subject == "" {
		v.add("Subject", MsgRequired)
	}
	checkLen(&v, "Subject", r.Subject)
	if r.ContactID == 0 {
		v.add("Contact", MsgRequired)
	}
	if len(r.Description) > MaxNotesLen {
		v.add("Description", MsgTooLong)
	}
	sortFields(&v)
	return v.result()
}

// AttachmentRef names a thread's attachment.
type AttachmentRef struct {
	TicketID, ThreadID, ID string
	// CommentID is set, instead of ThreadID, for a comment's file.
	CommentID string
	Name      string
	Size      int64 // as Desk listed it; 0 unknown
}

// ReplyRequest is a reply, reply all or forward. For a reply and reply all
// To and CC are filled in from the ticket when empty; a forward needs To.
type ReplyRequest struct {
	To      string // comma-separated addresses
	CC      string
	BCC     string
	Content string // plain text or HTML
	HTML    bool
	// Status, when set, is the ticket's status after the reply
	// (sendReply's ticketStatus): "Send and set to On Hold".
	Status string
	// Files are paths of files to attach: copied into the data folder
	// when the reply is queued, uploaded when it is sent.
	Files []string
	// From is the chosen sender (one of ReplyAddresses); "" lets Tandem
	// choose (the conversation's support address).
	From string
}

// Detector receives what each pass found, for signals (DESIGN §6). The
// sync service calls it after the pass's data is stored; it must not block
// for long. First is true on a portal's first pass (record a baseline,
// notify nothing).
type Detector interface {
	Detect(ctx context.Context, c Changes) error
}

// Changes is what one pass pulled that signals may care about.
type Changes struct {
	OrgID       string
	AgentID     string // the signed-in agent, to skip own writes and find mentions
	First       bool
	NewTickets  []Ticket
	Changed     []TicketChange // tickets seen before whose stamp changed
	NewThreads  []Thread
	NewComments []Comment
	NewRatings  []Rating
}

// TicketChange is a ticket before and after a pass.
type TicketChange struct {
	Before TicketStamp
	After  Ticket
	// Flags that turned true in this pass.
	BecameOverdue   bool
	BecameEscalated bool
}

// TicketUpdate is a change of a ticket's details queued in the outbox: a
// nil field is left as it is.
type TicketUpdate struct {
	Priority   *string `json:"priority,omitempty"`
	AssigneeID *string `json:"assigneeId,omitempty"` // "" unassigns
	// AssigneeName is shown while the change waits to be sent.
	AssigneeName string `json:"assigneeName,omitempty"`
}

// Agent is a help-desk agent of a portal.
type Agent struct {
	ID, Name, Email string
}

// TicketHit is a ticket found by a search over what tickets say, with the
// message that matched: Kind "ticket" (the subject), "request" (the
// description), "thread" or "comment" with MessageID. A search leaves Kind
// "" and gives the Query: LocateTicketHit finds the message when the
// ticket is opened.
type TicketHit struct {
	Ticket    SignalTicket // the ticket's list columns; the record via TicketTarget
	Kind      string
	MessageID string
	Query     string
}

// ReplyDraft is an unsent reply kept while its dialog is closed and across
// restarts.
type ReplyDraft struct {
	To      string `json:"to,omitempty"`
	CC      string `json:"cc,omitempty"`
	BCC     string `json:"bcc,omitempty"`
	Content string `json:"content,omitempty"`
	// From is the sender chosen among the department's addresses; "" for
	// the composer's default.
	From string `json:"from,omitempty"`
	// Files are the attached files. SaveDraft keeps a copy of each in
	// Tandem's folder; Draft returns the paths of those copies, so the
	// draft keeps its files when the originals move or go.
	Files []string `json:"files,omitempty"`
}

// Empty reports whether the draft holds nothing worth keeping.
func (d ReplyDraft) Empty() bool { return d.Content == "" && len(d.Files) == 0 }
