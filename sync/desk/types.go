package desk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// TimeLayout is Desk's time format: ISO-8601 UTC with milliseconds.
const TimeLayout = "2006-01-02T15:04:05.000Z"

// Time is a Desk timestamp. It decodes ISO-8601 (with or without
// milliseconds, any offset) and epoch milliseconds (a JSON number or a
// numeric string: the definition's examples send both), and treats null,
// "" and a missing field as the zero time; it encodes in TimeLayout, or null
// when zero.
type Time struct{ time.Time }

// NewTime returns t in UTC as a Time.
func NewTime(t time.Time) Time { return Time{t.UTC()} }

// UnmarshalJSON implements json.Unmarshaler.
func (t *Time) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) || bytes.Equal(b, []byte(`""`)) {
		t.Time = time.Time{}
		return nil
	}
	s := string(b)
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		s = string(b[1 : len(b)-1])
	} else if len(b) == 0 || (b[0] != '-' && (b[0] < '0' || b[0] > '9')) {
		return fmt.Errorf("desk: time %s is not a string or a number", truncate(b, 40))
	}
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		t.Time = time.UnixMilli(ms).UTC()
		return nil
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("desk: time %q: %w", truncate([]byte(s), 40), err)
	}
	t.Time = v.UTC()
	return nil
}

// MarshalJSON implements json.Marshaler.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + t.UTC().Format(TimeLayout) + `"`), nil
}

// String returns the time in TimeLayout, or "" when zero.
func (t Time) String() string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(TimeLayout)
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}

// Organization is a Desk portal the signed-in user belongs to.
type Organization struct {
	ID           string `json:"id"`
	CompanyName  string `json:"companyName"`
	PortalName   string `json:"portalName"`
	PortalURL    string `json:"portalURL"`
	IsDefault    bool   `json:"isDefault"`
	IsAdminInOrg bool   `json:"isAdminInOrg"`
	Edition      string `json:"edition"`
}

// Agent is a Desk agent; MyInfo returns the signed-in one.
type Agent struct {
	ID string `json:"id"`
	// ZUID is the agent's Zoho user id: mentions in comments carry it.
	ZUID      string `json:"zuid"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	Name      string `json:"name"`
	EmailID   string `json:"emailId"`
	RoleID    string `json:"roleId"`
	ProfileID string `json:"profileId"`
	Status    string `json:"status"`
}

// ProfilePermissions is the answer of GET /myProfilePermissions: the
// signed-in agent's profile's permissions, module → action → allowed, e.g.
// {"tickets": {"view": true, "create": true, "mailSend": true, …}}.
type ProfilePermissions struct {
	Permissions map[string]map[string]bool `json:"permissions"`
}

// Department is a Desk department.
type Department struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	IsEnabled bool   `json:"isEnabled"`
	IsDefault bool   `json:"isDefault"`
}

// Contact is a Desk contact.
type Contact struct {
	ID             string         `json:"id"`
	FirstName      string         `json:"firstName"`
	LastName       string         `json:"lastName"`
	Email          string         `json:"email"`
	SecondaryEmail string         `json:"secondaryEmail"`
	Phone          string         `json:"phone"`
	Mobile         string         `json:"mobile"`
	Title          string         `json:"title"`
	AccountID      string         `json:"accountId"`
	Description    string         `json:"description"`
	Type           string         `json:"type"`
	OwnerID        string         `json:"ownerId"`
	CF             map[string]any `json:"cf"`
	CreatedTime    Time           `json:"createdTime"`
	ModifiedTime   Time           `json:"modifiedTime"`
	WebURL         string         `json:"webUrl"`
}

// Account is a Desk account (a company).
type Account struct {
	ID           string         `json:"id"`
	AccountName  string         `json:"accountName"`
	Email        string         `json:"email"`
	Website      string         `json:"website"`
	Phone        string         `json:"phone"`
	Fax          string         `json:"fax"`
	Industry     string         `json:"industry"`
	Description  string         `json:"description"`
	Street       string         `json:"street"`
	City         string         `json:"city"`
	State        string         `json:"state"`
	Country      string         `json:"country"`
	Code         string         `json:"code"`
	CF           map[string]any `json:"cf"`
	CreatedTime  Time           `json:"createdTime"`
	ModifiedTime Time           `json:"modifiedTime"`
	WebURL       string         `json:"webUrl"`
}

// Fields is a partial update or a create body: Desk field API names to
// values. A nil value clears the field.
type Fields map[string]any

// FieldMeta describes one field of a module (organizationFields).
type FieldMeta struct {
	ID            string         `json:"id"`
	APIName       string         `json:"apiName"`
	DisplayLabel  string         `json:"displayLabel"`
	Type          string         `json:"type"`
	IsMandatory   bool           `json:"isMandatory"`
	IsCustomField bool           `json:"isCustomField"`
	MaxLength     Count          `json:"maxLength"`
	AllowedValues []AllowedValue `json:"allowedValues"`
}

// AllowedValue is one value of a picklist field. Desk sends objects
// ({"value": "Open", "statusType": "Open"}; statusType on the tickets
// module's status field only); a plain string is read as its value.
type AllowedValue struct {
	Value      string `json:"value"`
	StatusType string `json:"statusType,omitempty"`
}

// UnmarshalJSON implements json.Unmarshaler.
func (a *AllowedValue) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		*a = AllowedValue{}
		return json.Unmarshal(b, &a.Value)
	}
	type plain AllowedValue
	var p plain
	if err := decodeJSON(b, &p); err != nil {
		return err
	}
	*a = AllowedValue(p)
	return nil
}

// Values returns the allowed values' names.
func (f FieldMeta) Values() []string {
	if f.AllowedValues == nil {
		return nil
	}
	out := make([]string, 0, len(f.AllowedValues))
	for _, v := range f.AllowedValues {
		if v.Value != "" {
			out = append(out, v.Value)
		}
	}
	return out
}

// Status types a ticket status belongs to.
const (
	StatusTypeOpen   = "Open"
	StatusTypeOnHold = "On Hold"
	StatusTypeClosed = "Closed"
)

// TicketContact is the contact embedded in a ticket (include=contacts, and
// every search hit). It names its account as an object, not an accountId.
type TicketContact struct {
	ID        string      `json:"id"`
	FirstName string      `json:"firstName"`
	LastName  string      `json:"lastName"`
	Email     string      `json:"email"`
	Phone     string      `json:"phone"`
	Mobile    string      `json:"mobile"`
	Account   *AccountRef `json:"account"`
}

// AccountRef is an account embedded in another record.
type AccountRef struct {
	ID          string `json:"id"`
	AccountName string `json:"accountName"`
	Website     string `json:"website"`
}

// AccountID returns the id of the contact's account, "" for none.
func (c *TicketContact) AccountID() string {
	if c == nil || c.Account == nil {
		return ""
	}
	return c.Account.ID
}

// Ticket is a Desk ticket. Description is only set by GetTicket.
type Ticket struct {
	ID                   string         `json:"id"`
	TicketNumber         string         `json:"ticketNumber"`
	Subject              string         `json:"subject"`
	Description          string         `json:"description"`
	Status               string         `json:"status"`
	StatusType           string         `json:"statusType"`
	Priority             string         `json:"priority"`
	Channel              string         `json:"channel"`
	Email                string         `json:"email"`
	Phone                string         `json:"phone"`
	ContactID            string         `json:"contactId"`
	AccountID            string         `json:"accountId"`
	DepartmentID         string         `json:"departmentId"`
	AssigneeID           string         `json:"assigneeId"`
	DueDate              Time           `json:"dueDate"`
	IsOverDue            bool           `json:"isOverDue"`
	IsEscalated          bool           `json:"isEscalated"`
	CreatedTime          Time           `json:"createdTime"`
	ModifiedTime         Time           `json:"modifiedTime"`
	ClosedTime           Time           `json:"closedTime"`
	ThreadCount          Count          `json:"threadCount"`
	CommentCount         Count          `json:"commentCount"`
	CustomerResponseTime Time           `json:"customerResponseTime"`
	WebURL               string         `json:"webUrl"`
	CF                   map[string]any `json:"cf"`
	Contact              *TicketContact `json:"contact,omitempty"`
}

// Count is a number Desk may send as a string ("3") or a number (3).
type Count int

// UnmarshalJSON implements json.Unmarshaler.
func (c *Count) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*c = 0
		return nil
	}
	if len(b) >= 2 && b[0] == '"' {
		b = b[1 : len(b)-1]
		if len(b) == 0 {
			*c = 0
			return nil
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(strings.TrimSpace(string(b)), 64)
		if ferr != nil {
			return fmt.Errorf("desk: count %s: %w", truncate(b, 20), err)
		}
		n = int64(f)
	}
	*c = Count(n)
	return nil
}

// MarshalJSON implements json.Marshaler; Desk sends counts as strings.
func (c Count) MarshalJSON() ([]byte, error) {
	return []byte(fmt.Sprintf(`"%d"`, int(c))), nil
}

// NewTicket is the body of CreateTicket. Set ContactID, or Contact for a
// contact Desk should find or create by email. Status is required by the
// definition: the client fills in the portal's first open status when it
// is empty.
type NewTicket struct {
	Subject      string         `json:"subject"`
	DepartmentID string         `json:"departmentId"`
	Status       string         `json:"status"`
	ContactID    string         `json:"contactId,omitempty"`
	Contact      *NewContactRef `json:"contact,omitempty"`
	Description  string         `json:"description,omitempty"`
	Priority     string         `json:"priority,omitempty"`
	Channel      string         `json:"channel,omitempty"`
	Email        string         `json:"email,omitempty"`
	Phone        string         `json:"phone,omitempty"`
	CF           map[string]any `json:"cf,omitempty"`
}

// NewContactRef names the contact of a new ticket by email. The
// definition allows these two fields only (maxProperties 2).
type NewContactRef struct {
	LastName string `json:"lastName"`
	Email    string `json:"email"`
}

// Author is who wrote a thread.
type Author struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Email    string `json:"email"`
	Type     string `json:"type"`
	PhotoURL string `json:"photoURL"`
}

// Thread directions.
const (
	DirectionIn  = "in"
	DirectionOut = "out"
)

// Thread is one message of a ticket's conversation. Content and ContentType
// are only set by GetThread.
type Thread struct {
	ID               string  `json:"id"`
	Channel          string  `json:"channel"`
	Direction        string  `json:"direction"`
	FromEmailAddress string  `json:"fromEmailAddress"`
	To               string  `json:"to"`
	CC               string  `json:"cc"`
	BCC              string  `json:"bcc"`
	Summary          string  `json:"summary"`
	CreatedTime      Time    `json:"createdTime"`
	Author           *Author `json:"author"`
	HasAttach        bool    `json:"hasAttach"`
	AttachmentCount  Count   `json:"attachmentCount"`
	Visibility       string  `json:"visibility"`
	IsForward        bool    `json:"isForward"`
	Content          string  `json:"content"`
	ContentType      string  `json:"contentType"`
	// Attachments are the thread's files (Thread.json attachmentsJson);
	// their content is fetched only when a person opens one.
	Attachments []Attachment `json:"attachments"`
}

// Attachment is a file of a thread (Thread.json attachmentsJson: id,
// name, size, href, previewurl; size as a number or a string).
type Attachment struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Size       Count  `json:"size"`
	Href       string `json:"href"`
	PreviewURL string `json:"previewurl"`
}

// Content types for replies and comments.
const (
	ContentHTML  = "html"
	ContentPlain = "plainText"
)

// Reply is the body of SendReply: a reply, a reply all (the customer in
// To, the other recipients in CC) or a forward
// (IsForward, To any address). FromEmailAddress must be one of the portal's
// support addresses.
type Reply struct {
	Channel          string `json:"channel"`
	FromEmailAddress string `json:"fromEmailAddress"`
	To               string `json:"to"`
	// CC and BCC are comma-joined bare addresses (commonSendReplyJson's
	// pattern takes no display name).
	CC          string `json:"cc,omitempty"`
	BCC         string `json:"bcc,omitempty"`
	Content     string `json:"content"`
	ContentType string `json:"contentType"`
	IsForward   bool   `json:"isForward,omitempty"`
	// TicketStatus sets the ticket's status with the reply
	// (emailThreadSendReply's ticketStatus).
	TicketStatus string `json:"ticketStatus,omitempty"`
	// AttachmentIDs are uploads (UploadFile) the reply carries.
	AttachmentIDs []string `json:"attachmentIds,omitempty"`
}

// Commenter is who wrote a comment.
type Commenter struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	Email     string `json:"email"`
	Type      string `json:"type"`
}

// Comment is a ticket comment. Mentions and Text are filled in by the
// client from Content and Mention (see DecodeMentions); they are not Desk
// fields.
type Comment struct {
	ID            string     `json:"id"`
	Content       string     `json:"content"`
	ContentType   string     `json:"contentType"`
	IsPublic      bool       `json:"isPublic"`
	CommenterID   string     `json:"commenterId"`
	Commenter     *Commenter `json:"commenter"`
	CommentedTime Time       `json:"commentedTime"`
	ModifiedTime  Time       `json:"modifiedTime"`
	// Mention lists who the content mentions (include=mentions).
	Mention []Mention `json:"mention,omitempty"`
	// Attachments are the comment's files (TicketComment.json
	// attachmentResponse: id, name, size, href, previewurl).
	Attachments []Attachment `json:"attachments,omitempty"`

	Mentions []string `json:"-"` // Desk agent ids of the agents mentioned in Content
	Text     string   `json:"-"` // Content with mentions made readable
}

// Mention is one mention of a comment (include=mentions): the agent's Desk
// id and Zoho user id, and its name.
type Mention struct {
	ID        string `json:"id"`
	ZUID      string `json:"zuid"`
	Type      string `json:"type"`
	Name      string `json:"name"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
}

// NewComment is the body of AddComment. AttachmentIDs is required by the
// definition; the client sends [] when empty.
type NewComment struct {
	Content       string   `json:"content"`
	ContentType   string   `json:"contentType"`
	IsPublic      bool     `json:"isPublic"`
	AttachmentIDs []string `json:"attachmentIds"`
}

// Ratings Desk's customer happiness answers carry.
const (
	RatingGood = "GOOD"
	RatingOK   = "OK"
	RatingBad  = "BAD"
)

// Rating is one customer happiness rating. The item's shape is a guess
// (see the contract row of getCustomerHappiness): the ticket and contact
// are read from ticketId/contactId or from embedded ticket/contact objects.
type Rating struct {
	ID        string `json:"id"`
	Rating    string `json:"rating"`
	Feedback  string `json:"feedback"`
	TicketID  string `json:"ticketId"`
	ContactID string `json:"contactId"`
	RatedTime Time   `json:"ratedTime"`
	Ticket    *struct {
		ID string `json:"id"`
	} `json:"ticket,omitempty"`
	Contact *struct {
		ID string `json:"id"`
	} `json:"contact,omitempty"`
}

// TicketRef returns the rated ticket's id.
func (r Rating) TicketRef() string {
	if r.TicketID == "" && r.Ticket != nil {
		return r.Ticket.ID
	}
	return r.TicketID
}

// ContactRef returns the rating contact's id.
func (r Rating) ContactRef() string {
	if r.ContactID == "" && r.Contact != nil {
		return r.Contact.ID
	}
	return r.ContactID
}
