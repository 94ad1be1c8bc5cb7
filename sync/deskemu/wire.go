package deskemu

import (
	"strconv"
	"time"
)

// The emulator answers in the shapes of Zoho's definition, awkward ones
// included, so the client is tested against them:
//
//   - times are ISO-8601 strings in searches (as the definition's search
//     examples) and epoch milliseconds elsewhere (as its other examples:
//     "modifiedTime": 1466514974000);
//   - counts are strings ("threadCount": "7");
//   - /organizations sends isDefault as a string ("false");
//   - unset fields are null, and answers carry fields Tandem does not read
//     (layoutId, sentiment, source, isSpam, isDeleted as "false", …), as
//     Desk adds fields over time;
//   - list items are thinner than single records: a ticket in GET /tickets
//     has no modifiedTime, isOverDue or isEscalated; a contact in
//     GET /contacts no modifiedTime, title, description or cf.

// isoTime encodes as Desk's ISO time with milliseconds, or null when zero.
type isoTime time.Time

// MarshalJSON implements json.Marshaler.
func (t isoTime) MarshalJSON() ([]byte, error) {
	tt := time.Time(t)
	if tt.IsZero() {
		return []byte("null"), nil
	}
	b := make([]byte, 0, 26)
	b = append(b, '"')
	b = tt.UTC().AppendFormat(b, timeLayout)
	return append(b, '"'), nil
}

// msTime encodes as epoch milliseconds (a JSON number), or null when zero.
type msTime time.Time

// MarshalJSON implements json.Marshaler.
func (t msTime) MarshalJSON() ([]byte, error) {
	tt := time.Time(t)
	if tt.IsZero() {
		return []byte("null"), nil
	}
	return strconv.AppendInt(nil, tt.UnixMilli(), 10), nil
}

// timeLayout is Desk's time format: ISO-8601 UTC with milliseconds.
const timeLayout = "2006-01-02T15:04:05.000Z"

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

type errorItem struct {
	FieldName    string `json:"fieldName"`
	ErrorType    string `json:"errorType"`
	ErrorMessage string `json:"errorMessage,omitempty"`
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
	IsDefault    string `json:"isDefault"` // a string, as the definition's examples send it
	IsAdminInOrg bool   `json:"isAdminInOrg"`
	Edition      string `json:"edition"`
	CurrencyCode string `json:"currencyCode"`
	TimeZone     string `json:"timeZone"`
}

type agentJSON struct {
	ID         string  `json:"id"`
	ZUID       string  `json:"zuid"`
	FirstName  string  `json:"firstName"`
	LastName   string  `json:"lastName"`
	Name       string  `json:"name"`
	EmailID    string  `json:"emailId"`
	RoleID     string  `json:"roleId"`
	ProfileID  string  `json:"profileId"`
	Status     string  `json:"status"`
	PhotoURL   *string `json:"photoURL"`
	IsZiaAgent bool    `json:"isZiaAgent"`
}

type departmentJSON struct {
	ID                   string `json:"id"`
	Name                 string `json:"name"`
	IsEnabled            bool   `json:"isEnabled"`
	IsDefault            bool   `json:"isDefault"`
	ChatStatus           string `json:"chatStatus"`
	HasLogo              bool   `json:"hasLogo"`
	NameInCustomerPortal string `json:"nameInCustomerPortal"`
}

type allowedJSON struct {
	Value      string `json:"value"`
	StatusType string `json:"statusType,omitempty"`
}

type fieldJSON struct {
	ID            string        `json:"id"`
	APIName       string        `json:"apiName"`
	DisplayLabel  string        `json:"displayLabel"`
	Name          string        `json:"name"`
	I18NLabel     string        `json:"i18NLabel"`
	Type          string        `json:"type"`
	IsMandatory   bool          `json:"isMandatory"`
	IsCustomField bool          `json:"isCustomField"`
	IsEncrypted   bool          `json:"isEncryptedField"`
	MaxLength     *int          `json:"maxLength"`
	AllowedValues []allowedJSON `json:"allowedValues,omitempty"`
}

type replyAddressJSON struct {
	ID                  string `json:"id"`
	Address             string `json:"address"`
	DisplayName         string `json:"displayName"`
	DepartmentID        string `json:"departmentId"`
	IsActive            bool   `json:"isActive"`
	IsVerified          bool   `json:"isVerified"`
	IsSMTPEnabled       bool   `json:"isSmtpEnabled"`
	ServiceProviderType string `json:"serviceProviderType"`
	IsDepartmentDefault bool   `json:"isDepartmentDefault"`
}

type ratingJSON struct {
	ID        string  `json:"id"`
	Rating    string  `json:"rating"`
	Feedback  nstr    `json:"feedback"`
	TicketID  string  `json:"ticketId"`
	ContactID nstr    `json:"contactId"`
	RatedTime isoTime `json:"ratedTime"`
}

// contactListJSON is a contact in GET /contacts (listViewObject).
type contactListJSON struct {
	ID             string  `json:"id"`
	FirstName      nstr    `json:"firstName"`
	LastName       string  `json:"lastName"`
	Email          nstr    `json:"email"`
	SecondaryEmail nstr    `json:"secondaryEmail"`
	Phone          nstr    `json:"phone"`
	Mobile         nstr    `json:"mobile"`
	AccountID      nstr    `json:"accountId"`
	OwnerID        nstr    `json:"ownerId"`
	Type           nstr    `json:"type"`
	PhotoURL       *string `json:"photoURL"`
	IsAnonymous    bool    `json:"isAnonymous"`
	IsEndUser      bool    `json:"isEndUser"`
	IsSpam         bool    `json:"isSpam"`
	WebURL         string  `json:"webUrl"`
	CreatedTime    msTime  `json:"createdTime"`
}

// contactJSON is a whole contact: getContact, create and update answers
// (times as epoch ms) and search hits (times as ISO strings, see T).
type contactJSON[T any] struct {
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
	CustomFields   map[string]any `json:"customFields"`
	IsEndUser      bool           `json:"isEndUser"`
	IsSpam         bool           `json:"isSpam"`
	LayoutID       nstr           `json:"layoutId"`
	ZohoCRMContact *struct{}      `json:"zohoCRMContact"`
	CreatedTime    T              `json:"createdTime"`
	ModifiedTime   T              `json:"modifiedTime"`
	WebURL         string         `json:"webUrl"`
}

type accountListJSON struct {
	ID          string `json:"id"`
	AccountName string `json:"accountName"`
	Email       nstr   `json:"email"`
	Website     nstr   `json:"website"`
	Phone       nstr   `json:"phone"`
	WebURL      string `json:"webUrl"`
	CreatedTime msTime `json:"createdTime"`
}

type accountJSON[T any] struct {
	ID            string         `json:"id"`
	AccountName   string         `json:"accountName"`
	Email         nstr           `json:"email"`
	Website       nstr           `json:"website"`
	Phone         nstr           `json:"phone"`
	Fax           nstr           `json:"fax"`
	Industry      nstr           `json:"industry"`
	Description   nstr           `json:"description"`
	Street        nstr           `json:"street"`
	City          nstr           `json:"city"`
	State         nstr           `json:"state"`
	Country       nstr           `json:"country"`
	Code          nstr           `json:"code"`
	AnnualRevenue nstr           `json:"annualrevenue"`
	CF            map[string]any `json:"cf"`
	CustomFields  map[string]any `json:"customFields"`
	LayoutID      nstr           `json:"layoutId"`
	CreatedTime   T              `json:"createdTime"`
	ModifiedTime  T              `json:"modifiedTime"`
	WebURL        string         `json:"webUrl"`
}

type accountRefJSON struct {
	ID          string `json:"id"`
	AccountName string `json:"accountName"`
	Website     nstr   `json:"website"`
}

// ticketContactJSON is the contact embedded in a ticket.
type ticketContactJSON struct {
	ID        string          `json:"id"`
	FirstName nstr            `json:"firstName"`
	LastName  string          `json:"lastName"`
	Email     nstr            `json:"email"`
	Phone     nstr            `json:"phone"`
	Mobile    nstr            `json:"mobile"`
	Type      nstr            `json:"type"`
	IsSpam    bool            `json:"isSpam"`
	Account   *accountRefJSON `json:"account"`
}

type sourceJSON struct {
	AppName     *string `json:"appName"`
	ExtID       *string `json:"extId"`
	Type        string  `json:"type"`
	Permalink   *string `json:"permalink"`
	AppPhotoURL *string `json:"appPhotoURL"`
}

// ticketListJSON is a ticket in GET /tickets (listviewJson): no
// modifiedTime, isOverDue or isEscalated.
type ticketListJSON struct {
	ID                   string             `json:"id"`
	TicketNumber         string             `json:"ticketNumber"`
	Subject              string             `json:"subject"`
	Status               string             `json:"status"`
	StatusType           string             `json:"statusType"`
	Priority             nstr               `json:"priority"`
	Channel              string             `json:"channel"`
	Language             string             `json:"language"`
	Email                nstr               `json:"email"`
	Phone                nstr               `json:"phone"`
	ContactID            nstr               `json:"contactId"`
	AccountID            nstr               `json:"accountId"`
	DepartmentID         string             `json:"departmentId"`
	AssigneeID           nstr               `json:"assigneeId"`
	TeamID               *string            `json:"teamId"`
	ProductID            *string            `json:"productId"`
	DueDate              msTime             `json:"dueDate"`
	ResponseDueDate      msTime             `json:"responseDueDate"`
	OnholdTime           msTime             `json:"onholdTime"`
	CreatedTime          msTime             `json:"createdTime"`
	ClosedTime           msTime             `json:"closedTime"`
	CustomerResponseTime msTime             `json:"customerResponseTime"`
	ThreadCount          string             `json:"threadCount"`
	CommentCount         string             `json:"commentCount"`
	Sentiment            *string            `json:"sentiment"`
	LastThread           *lastThreadJSON    `json:"lastThread"`
	IsSpam               bool               `json:"isSpam"`
	IsArchived           bool               `json:"isArchived"`
	ChannelCode          *string            `json:"channelCode"`
	WebURL               string             `json:"webUrl"`
	Contact              *ticketContactJSON `json:"contact,omitempty"`
}

type lastThreadJSON struct {
	Channel   string `json:"channel"`
	IsDraft   bool   `json:"isDraft"`
	IsForward bool   `json:"isForward"`
	Direction string `json:"direction"`
}

// ticketJSON is a whole ticket: getTicket, create and update answers
// (times as epoch ms) and search hits (ISO strings, see T).
type ticketJSON[T any] struct {
	ID                   string             `json:"id"`
	TicketNumber         string             `json:"ticketNumber"`
	Subject              string             `json:"subject"`
	Description          nstr               `json:"description"`
	Status               string             `json:"status"`
	StatusType           string             `json:"statusType"`
	Priority             nstr               `json:"priority"`
	Channel              string             `json:"channel"`
	Language             string             `json:"language"`
	Email                nstr               `json:"email"`
	Phone                nstr               `json:"phone"`
	ContactID            nstr               `json:"contactId"`
	AccountID            nstr               `json:"accountId"`
	DepartmentID         string             `json:"departmentId"`
	AssigneeID           nstr               `json:"assigneeId"`
	DueDate              T                  `json:"dueDate"`
	IsOverDue            bool               `json:"isOverDue"`
	IsEscalated          bool               `json:"isEscalated"`
	IsDeleted            string             `json:"isDeleted"` // a string, as the definition's example sends it
	IsSpam               bool               `json:"isSpam"`
	CreatedTime          T                  `json:"createdTime"`
	ModifiedTime         T                  `json:"modifiedTime"`
	ClosedTime           T                  `json:"closedTime"`
	OnholdTime           T                  `json:"onholdTime"`
	CustomerResponseTime T                  `json:"customerResponseTime"`
	ThreadCount          string             `json:"threadCount"`
	CommentCount         string             `json:"commentCount"`
	TaskCount            string             `json:"taskCount"`
	AttachmentCount      string             `json:"attachmentCount"`
	Source               sourceJSON         `json:"source"`
	SharedDepartments    []struct{}         `json:"sharedDepartments"`
	Sentiment            *string            `json:"sentiment"`
	LayoutID             nstr               `json:"layoutId"`
	WebURL               string             `json:"webUrl"`
	CF                   map[string]any     `json:"cf"`
	Contact              *ticketContactJSON `json:"contact,omitempty"`
}

type authorJSON struct {
	ID        nstr    `json:"id"`
	Name      string  `json:"name"`
	FirstName nstr    `json:"firstName"`
	LastName  nstr    `json:"lastName"`
	Email     nstr    `json:"email"`
	Type      string  `json:"type"`
	PhotoURL  *string `json:"photoURL"`
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
	CreatedTime      isoTime    `json:"createdTime"`
	Author           authorJSON `json:"author"`
	HasAttach        bool       `json:"hasAttach"`
	AttachmentCount  string     `json:"attachmentCount"`
	Visibility       string     `json:"visibility"`
	IsForward        bool       `json:"isForward"`
	Status           string     `json:"status"`
	CanReply         bool       `json:"canReply"`
	RespondedIn      *string    `json:"respondedIn"`
	Attachments      []fileJSON `json:"attachments"`
	Content          *string    `json:"content,omitempty"`
	ContentType      string     `json:"contentType,omitempty"`
}

type commenterJSON struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	FirstName nstr     `json:"firstName"`
	LastName  string   `json:"lastName"`
	Email     string   `json:"email"`
	Type      []string `json:"type"` // the examples send ["AGENT"]
	RoleName  string   `json:"roleName"`
	PhotoURL  *string  `json:"photoURL"`
}

type mentionJSON struct {
	ID        string   `json:"id"`
	ZUID      string   `json:"zuid"`
	Type      []string `json:"type"` // the examples send ["AGENT"]
	FirstName string   `json:"firstName"`
	LastName  string   `json:"lastName"`
	Email     string   `json:"email"`
	OffSet    string   `json:"offSet"`
	Length    string   `json:"length"`
	PhotoURL  *string  `json:"photoURL"`
}

type commentJSON struct {
	ID             string         `json:"id"`
	Content        string         `json:"content"`
	ContentType    string         `json:"contentType"`
	EncodedContent *string        `json:"encodedContent"`
	IsPublic       bool           `json:"isPublic"`
	CommenterID    string         `json:"commenterId"`
	Commenter      commenterJSON  `json:"commenter"`
	CommentedTime  msTime         `json:"commentedTime"`
	ModifiedTime   msTime         `json:"modifiedTime"`
	Attachments    []fileJSON     `json:"attachments"`
	Mention        *[]mentionJSON `json:"mention,omitempty"`
}

type tokenJSON struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
	APIDomain    string `json:"api_domain"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
}

// fileJSON is Thread.json's attachmentsJson (size as a string, as the
// examples send counts).
type fileJSON struct {
	ID         string  `json:"id"`
	Name       string  `json:"name"`
	Size       string  `json:"size"`
	Href       string  `json:"href"`
	PreviewURL *string `json:"previewurl"`
}
