package deskemu

import (
	"bytes"
	"strconv"
	"time"
)

// timeLayout is Desk's time format: ISO-8601 UTC with milliseconds.
const timeLayout = "2006-01-02T15:04:05.000Z"

// etime is a time that encodes like Desk: ISO with ms in UTC, null if zero.
type etime time.Time

// MarshalJSON implements json.Marshaler.
func (t etime) MarshalJSON() ([]byte, error) {
	tt := time.Time(t)
	if tt.IsZero() {
		return []byte("null"), nil
	}
	b := make([]byte, 0, 26)
	b = append(b, '"')
	b = tt.UTC().AppendFormat(b, timeLayout)
	return append(b, '"'), nil
}

// nstr is a string that encodes as null when empty, as Desk does for
// unset fields.
type nstr string

// MarshalJSON implements json.Marshaler.
func (s nstr) MarshalJSON() ([]byte, error) {
	if s == "" {
		return []byte("null"), nil
	}
	return []byte(strconv.Quote(string(s))), nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (s *nstr) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*s = ""
		return nil
	}
	v, err := strconv.Unquote(string(b))
	if err != nil {
		return err
	}
	*s = nstr(v)
	return nil
}

type errorItem struct {
	FieldName    string `json:"fieldName"`
	ErrorType    string `json:"errorType"`
	ErrorMessage string `json:"errorMessage"`
}

type errorBody struct {
	ErrorCode string      `json:"errorCode"`
	Message   string      `json:"message"`
	Errors    []errorItem `json:"errors,omitempty"`
}

type orgJSON struct {
	ID           string `json:"id"`
	CompanyName  string `json:"companyName"`
	PortalName   string `json:"portalName"`
	PortalURL    string `json:"portalURL"`
	IsDefault    bool   `json:"isDefault"`
	IsAdminInOrg bool   `json:"isAdminInOrg"`
	Edition      string `json:"edition"`
}

type agentJSON struct {
	ID        string `json:"id"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	Name      string `json:"name"`
	EmailID   string `json:"emailId"`
	RoleID    string `json:"roleId"`
	ProfileID string `json:"profileId"`
	Status    string `json:"status"`
}

type profileJSON struct {
	ID          string                     `json:"id"`
	Name        string                     `json:"name"`
	Type        string                     `json:"type"`
	IsDefault   bool                       `json:"isDefault"`
	Permissions map[string]map[string]bool `json:"permissions"`
}

type departmentJSON struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	IsEnabled bool   `json:"isEnabled"`
}

type contact struct {
	ID             string         `json:"id"`
	FirstName      nstr           `json:"firstName"`
	LastName       string         `json:"lastName"`
	Email          nstr           `json:"email"`
	SecondaryEmail nstr           `json:"secondaryEmail"`
	Phone          nstr           `json:"phone"`
	Mobile         nstr           `json:"mobile"`
	Title          nstr           `json:"title"`
	AccountID      nstr           `json:"accountId"`
	Description    nstr           `json:"description"`
	Type           nstr           `json:"type"`
	OwnerID        nstr           `json:"ownerId"`
	CF             map[string]any `json:"cf"`
	CreatedTime    etime          `json:"createdTime"`
	ModifiedTime   etime          `json:"modifiedTime"`
	WebURL         string         `json:"webUrl"`
}

type account struct {
	ID           string         `json:"id"`
	AccountName  string         `json:"accountName"`
	Email        nstr           `json:"email"`
	Website      nstr           `json:"website"`
	Phone        nstr           `json:"phone"`
	Fax          nstr           `json:"fax"`
	Industry     nstr           `json:"industry"`
	Description  nstr           `json:"description"`
	Street       nstr           `json:"street"`
	City         nstr           `json:"city"`
	State        nstr           `json:"state"`
	Country      nstr           `json:"country"`
	Code         nstr           `json:"code"`
	CF           map[string]any `json:"cf"`
	CreatedTime  etime          `json:"createdTime"`
	ModifiedTime etime          `json:"modifiedTime"`
	WebURL       string         `json:"webUrl"`
}

type fieldJSON struct {
	ID            string   `json:"id"`
	APIName       string   `json:"apiName"`
	DisplayLabel  string   `json:"displayLabel"`
	Type          string   `json:"type"`
	IsMandatory   bool     `json:"isMandatory"`
	IsCustomField bool     `json:"isCustomField"`
	MaxLength     int      `json:"maxLength"`
	AllowedValues []string `json:"allowedValues"`
}

type contactRef struct {
	ID        string `json:"id"`
	FirstName nstr   `json:"firstName"`
	LastName  string `json:"lastName"`
	Email     nstr   `json:"email"`
	Phone     nstr   `json:"phone"`
	AccountID nstr   `json:"accountId"`
}

// ticketJSON is a ticket as lists show it.
type ticketJSON struct {
	ID                   string         `json:"id"`
	TicketNumber         string         `json:"ticketNumber"`
	Subject              string         `json:"subject"`
	Status               string         `json:"status"`
	StatusType           string         `json:"statusType"`
	Priority             nstr           `json:"priority"`
	Channel              string         `json:"channel"`
	Email                nstr           `json:"email"`
	Phone                nstr           `json:"phone"`
	ContactID            nstr           `json:"contactId"`
	AccountID            nstr           `json:"accountId"`
	DepartmentID         string         `json:"departmentId"`
	AssigneeID           nstr           `json:"assigneeId"`
	DueDate              etime          `json:"dueDate"`
	IsOverDue            bool           `json:"isOverDue"`
	IsEscalated          bool           `json:"isEscalated"`
	CreatedTime          etime          `json:"createdTime"`
	ModifiedTime         etime          `json:"modifiedTime"`
	ClosedTime           etime          `json:"closedTime"`
	ThreadCount          string         `json:"threadCount"`
	CommentCount         string         `json:"commentCount"`
	CustomerResponseTime etime          `json:"customerResponseTime"`
	WebURL               string         `json:"webUrl"`
	CF                   map[string]any `json:"cf"`
	Contact              *contactRef    `json:"contact,omitempty"`
}

// ticketDetailJSON is a ticket as GET /tickets/{id} shows it.
type ticketDetailJSON struct {
	ticketJSON
	Description nstr `json:"description"`
}

type authorJSON struct {
	ID       nstr   `json:"id"`
	Name     string `json:"name"`
	Email    nstr   `json:"email"`
	Type     string `json:"type"`
	PhotoURL nstr   `json:"photoURL"`
}

type threadJSON struct {
	ID               string     `json:"id"`
	Channel          string     `json:"channel"`
	Direction        string     `json:"direction"`
	FromEmailAddress string     `json:"fromEmailAddress"`
	To               nstr       `json:"to"`
	CC               nstr       `json:"cc"`
	BCC              nstr       `json:"bcc"`
	Summary          string     `json:"summary"`
	CreatedTime      etime      `json:"createdTime"`
	Author           authorJSON `json:"author"`
	HasAttach        bool       `json:"hasAttach"`
	AttachmentCount  string     `json:"attachmentCount"`
	Visibility       string     `json:"visibility"`
	IsForward        bool       `json:"isForward"`
}

type threadDetailJSON struct {
	threadJSON
	Content     string `json:"content"`
	ContentType string `json:"contentType"`
}

type commenterJSON struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	FirstName nstr   `json:"firstName"`
	LastName  string `json:"lastName"`
	Email     string `json:"email"`
	Type      string `json:"type"`
}

type commentJSON struct {
	ID            string        `json:"id"`
	Content       string        `json:"content"`
	ContentType   string        `json:"contentType"`
	IsPublic      bool          `json:"isPublic"`
	CommenterID   string        `json:"commenterId"`
	Commenter     commenterJSON `json:"commenter"`
	CommentedTime etime         `json:"commentedTime"`
	ModifiedTime  etime         `json:"modifiedTime"`
}

type ratingJSON struct {
	ID          string `json:"id"`
	Rating      string `json:"rating"`
	Feedback    nstr   `json:"feedback"`
	TicketID    string `json:"ticketId"`
	ContactID   nstr   `json:"contactId"`
	CreatedTime etime  `json:"createdTime"`
}

type tokenJSON struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
	APIDomain    string `json:"api_domain"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
}
