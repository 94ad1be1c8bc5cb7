package desk

// The contract: every Zoho Desk operation Tandem calls, as data.
//
// Each Op row is written from Zoho's published OpenAPI definition of Desk
// API v1 (the public repository zoho/zohodesk-oas, folder v1.0/; Spec names
// the file, ID the operationId). Where the definition is silent or disagrees
// with Zoho's documentation pages, the row says so in Note and marks the
// fact's Source, and the README's "Assumptions about Zoho Desk" has a row
// for it.
//
// Both sides read this table: the client builds its requests from it (path,
// the base of `from`, page sizes) and the emulator in sync/deskemu routes
// and refuses requests with it (undeclared parameters, values outside an
// enum, missing required parameters, numbers out of range, undeclared body
// fields), and checks its own answers against Response. So the two cannot
// drift apart: a change to Desk's behaviour is one edit here.
//
// To add an operation: add a row (copy a similar one), a client method that
// calls c.op(ID), and an emulator handler registered under the same ID; the
// emulator's tests fail until every row has a handler and vice versa.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Source says how sure a contract fact is.
type Source string

// Sources of contract facts.
const (
	Confirmed Source = "confirmed" // stated by Zoho's OpenAPI definition
	Inferred  Source = "inferred"  // read from Zoho's documentation pages or the definition's examples
	Guess     Source = "guess"     // nothing found: our choice, kept safe
)

// Kind is a set of JSON value kinds a field may take.
type Kind uint8

// JSON value kinds.
const (
	KString Kind = 1 << iota
	KNumber
	KBool
	KObject
	KArray
	KNull
)

// Common kind sets, named after what the definition says a field is.
const (
	// KID: ids are typed ["string", "null", "integer"].
	KID = KString | KNumber | KNull
	// KTime: times are ISO strings in the schemas, but the examples send
	// epoch milliseconds (e.g. "modifiedTime": 1466514974000).
	KTime = KString | KNumber | KNull
	// KFlag: booleans are ["boolean", "null"], and examples send "false".
	KFlag = KBool | KString | KNull
	// KCount: counts are ["string", "null", "integer"] ("threadCount": "7").
	KCount = KString | KNumber | KNull
	// KText is a string or null.
	KText = KString | KNull
	// KObj is an object or null.
	KObj = KObject | KNull
	// KList is an array or null.
	KList = KArray | KNull
)

// Param is a query parameter an operation declares.
type Param struct {
	Name     string
	Required bool
	// Enum lists the allowed values; with List, the allowed items of a
	// comma-separated list.
	Enum []string
	List bool
	// Desc allows a "-" before an Enum value (descending sort order).
	Desc bool
	// Int: an integer in [Min, Max] (Max 0: no upper bound).
	Int      bool
	Min, Max int
	// Bool: "true" or "false".
	Bool bool
	// TimeRange: "from,to", two ISO-8601 UTC times with milliseconds.
	TimeRange bool
	// Millis: epoch milliseconds.
	Millis bool
	// Pattern, when set, must match the whole value.
	Pattern string
	Source  Source // Confirmed when empty
	Note    string
}

// Field is a request body field an operation accepts, or a response field
// Tandem reads. Name is a dotted path; "[]" steps into an array's items:
// "data[].contact.account.id".
type Field struct {
	Name     string
	Kinds    Kind
	Required bool // a response must carry it (a request must send it)
	Enum     []string
	// Pattern, when set, must match the whole of a string value; with
	// Items, each item of a comma-separated list. MaxLen caps a string's
	// length (0: no cap).
	Pattern string
	Items   bool
	MaxLen  int
	Source  Source // Confirmed when empty
	Note    string
}

// Op is one operation of Desk API v1.
type Op struct {
	ID     string // Zoho's operationId
	Spec   string // file in zoho/zohodesk-oas v1.0/
	Method string
	Path   string // below /api/v1, with {name} for path parameters
	// NoOrg: the call takes no orgId header (only /organizations).
	NoOrg bool
	Query []Param
	// AtLeastOne names query parameters of which a request must send one
	// (a search needs a criterion).
	AtLeastOne []string
	// Body lists the request body fields Desk accepts; others are refused.
	// An object field with declared sub-fields ("contact.email") only
	// accepts those; one without (e.g. "cf") accepts any keys.
	Body []Field
	// OneOf groups body fields of which one must be sent.
	OneOf [][]string
	// List: the answer is {"data": [...]}, or 204 No Content when empty.
	List bool
	// Array: the answer is a bare JSON array (getTemplates'
	// templateListResponse); Response names its items "data[]…" as for a
	// List.
	Array bool
	// Multipart names the file fields of a multipart/form-data body (an
	// upload); such a body is not JSON and Body is empty.
	Multipart []string
	// File: the answer is a file's bytes, not JSON.
	File bool
	// Response lists the fields Tandem reads and their JSON kinds.
	Response []Field
	// Credits an API call costs (Zoho: "depends on the complexity of the
	// action"; the per-call table is not published: a guess, 1 each).
	Credits int
	Source  Source // of the operation as a whole; Confirmed when empty
	Note    string
}

// Operation IDs Tandem calls (Zoho's operationIds, except where noted).
const (
	OpGetOrganizations        = "getOrganizations"
	OpGetMyInfo               = "getMyInfo"
	OpGetAgents               = "getAgents"
	OpGetMyProfilePermissions = "getMyProfilePermissions"
	OpGetDepartments          = "getDepartments"
	OpGetFields               = "getFields"
	OpGetReplyMailAddresses   = "getReplyMailAddresses"
	OpGetCustomerHappiness    = "getCustomerHappiness"
	OpGetContacts             = "getContacts"
	OpGetContact              = "getContact"
	OpCreateContact           = "createContact"
	OpUpdateContact           = "updateContact"
	OpMergeContacts           = "mergeContacts"
	OpTrashContacts           = "deleteContact"
	OpSearchContacts          = "searchContacts"
	OpGetAccounts             = "getAccounts"
	OpGetAccount              = "getAccount"
	OpCreateAccount           = "createAccount"
	OpUpdateAccount           = "updateAccount"
	OpSearchAccounts          = "searchAccounts"
	OpGetTickets              = "getTickets"
	OpGetTicket               = "getTicket"
	OpCreateTicket            = "createTicket"
	OpUpdateTicket            = "updateTicket"
	OpSearchTickets           = "searchTickets"
	OpGetThreads              = "getThreads"
	OpGetThread               = "getThread"
	OpSendReply               = "sendReply"
	OpGetTicketComments       = "getTicketComments"
	OpCreateTicketComment     = "createTicketComment"
	OpUploadFile              = "uploadFile"
	// OpGetThreadAttachmentContent is not an operationId: the definition
	// declares no download; the path is the one attachments' href names.
	OpGetThreadAttachmentContent = "getThreadAttachmentContent"
	// OpGetCommentAttachmentContent, likewise: the path a comment
	// attachment's href names in TicketComment.json's examples.
	OpGetCommentAttachmentContent = "getCommentAttachmentContent"
	OpGetTemplates                = "getTemplates"
	OpGetTemplate                 = "getTemplate"
	OpApplyTemplate               = "applyTemplate"
)

// TemplatesMaxFrom is the largest `from` getTemplates accepts (and its
// largest limit): Tandem reads at most the first TemplatesMaxFrom+999.
const TemplatesMaxFrom = 1000

// Paging facts shared by several rows.
const (
	// MaxLimit is the largest page Tandem asks for (lists and searches).
	MaxLimit = 100
	// SearchMaxFrom is the largest `from` a search accepts: a search
	// reaches its first 1000 hits only, so a window holding more must be
	// split.
	SearchMaxFrom = 999
	// SearchWindow is how many hits one search window can reach.
	SearchWindow = SearchMaxFrom + 1
)

// timeRE is the definition's pattern for times (yyyy-MM-ddThh:mm:ss.SSSZ).
const timeRE = `((19|20)\d\d)[-/.](0?[1-9]|1[012])[-/.](0?[1-9]|[12][0-9]|3[01])T([01]?[0-9]|2[0-3]):[0-5]?[0-9]:[0-5]?[0-9]([/.]\d{0,3})?Z`

var (
	searchFrom  = Param{Name: "from", Int: true, Min: 0, Max: SearchMaxFrom, Source: Inferred, Note: "0-based (Search.json: \"starts from 0\"); 999 at most: Zoho's search reaches its first 1000 hits"}
	searchLimit = Param{Name: "limit", Int: true, Min: 1, Max: MaxLimit, Source: Inferred, Note: "Search.json: minimum 1, default 10; no maximum in the definition, 100 per Zoho's documentation"}
	timeRange   = func(name string) Param { return Param{Name: name, TimeRange: true} }
	text        = func(name string) Param { return Param{Name: name} }
	idParam     = func(name string) Param { return Param{Name: name, Pattern: `[0-9]+`} }
	flag        = func(name string) Param { return Param{Name: name, Bool: true} }
)

// Response fields of the records Tandem reads, shared by several rows.
var (
	contactFields = []Field{
		{Name: "id", Kinds: KID, Required: true}, {Name: "firstName", Kinds: KText}, {Name: "lastName", Kinds: KText},
		{Name: "email", Kinds: KText}, {Name: "secondaryEmail", Kinds: KText}, {Name: "phone", Kinds: KText},
		{Name: "mobile", Kinds: KText}, {Name: "title", Kinds: KText}, {Name: "accountId", Kinds: KID},
		{Name: "description", Kinds: KText}, {Name: "type", Kinds: KText}, {Name: "ownerId", Kinds: KID},
		{Name: "cf", Kinds: KObj}, {Name: "createdTime", Kinds: KTime}, {Name: "modifiedTime", Kinds: KTime},
		{Name: "webUrl", Kinds: KText},
	}
	accountFields = []Field{
		{Name: "id", Kinds: KID, Required: true}, {Name: "accountName", Kinds: KText}, {Name: "email", Kinds: KText},
		{Name: "website", Kinds: KText}, {Name: "phone", Kinds: KText}, {Name: "fax", Kinds: KText},
		{Name: "industry", Kinds: KText}, {Name: "description", Kinds: KText}, {Name: "street", Kinds: KText},
		{Name: "city", Kinds: KText}, {Name: "state", Kinds: KText}, {Name: "country", Kinds: KText},
		{Name: "code", Kinds: KText}, {Name: "cf", Kinds: KObj}, {Name: "createdTime", Kinds: KTime},
		{Name: "modifiedTime", Kinds: KTime}, {Name: "webUrl", Kinds: KText},
	}
	// ticketFields: a ticket in getTicket, createTicket, updateTicket and
	// searchTickets answers (ticketResponse, searchTicketResponseFields).
	ticketFields = []Field{
		{Name: "id", Kinds: KID, Required: true}, {Name: "ticketNumber", Kinds: KID}, {Name: "subject", Kinds: KText},
		{Name: "status", Kinds: KText}, {Name: "statusType", Kinds: KText, Enum: []string{"Open", "Closed", "On Hold"}},
		{Name: "priority", Kinds: KText}, {Name: "channel", Kinds: KText}, {Name: "email", Kinds: KText},
		{Name: "phone", Kinds: KText}, {Name: "contactId", Kinds: KID}, {Name: "accountId", Kinds: KID},
		{Name: "departmentId", Kinds: KID}, {Name: "assigneeId", Kinds: KID}, {Name: "dueDate", Kinds: KTime},
		{Name: "isOverDue", Kinds: KFlag}, {Name: "isEscalated", Kinds: KFlag}, {Name: "createdTime", Kinds: KTime},
		{Name: "modifiedTime", Kinds: KTime}, {Name: "closedTime", Kinds: KTime}, {Name: "threadCount", Kinds: KCount},
		{Name: "commentCount", Kinds: KCount}, {Name: "customerResponseTime", Kinds: KTime}, {Name: "webUrl", Kinds: KText},
		{Name: "cf", Kinds: KObj},
		{Name: "contact", Kinds: KObj}, {Name: "contact.id", Kinds: KID}, {Name: "contact.firstName", Kinds: KText},
		{Name: "contact.lastName", Kinds: KText}, {Name: "contact.email", Kinds: KText}, {Name: "contact.phone", Kinds: KText},
		{Name: "contact.account", Kinds: KObj}, {Name: "contact.account.id", Kinds: KID},
		{Name: "contact.account.accountName", Kinds: KText},
	}
	threadFields = []Field{
		{Name: "id", Kinds: KID, Required: true}, {Name: "channel", Kinds: KText}, {Name: "direction", Kinds: KText, Enum: []string{"in", "out"}},
		{Name: "fromEmailAddress", Kinds: KText}, {Name: "to", Kinds: KText}, {Name: "cc", Kinds: KText},
		{Name: "bcc", Kinds: KText}, {Name: "summary", Kinds: KText}, {Name: "createdTime", Kinds: KTime},
		{Name: "author", Kinds: KObj}, {Name: "author.id", Kinds: KID}, {Name: "author.name", Kinds: KText},
		{Name: "author.email", Kinds: KText}, {Name: "author.type", Kinds: KText}, {Name: "hasAttach", Kinds: KFlag},
		{Name: "attachmentCount", Kinds: KCount}, {Name: "visibility", Kinds: KText}, {Name: "isForward", Kinds: KFlag},
		{Name: "attachments", Kinds: KList, Note: "Thread.json attachmentsJson items: id, name, size, href, previewurl"},
	}
	commentFields = []Field{
		{Name: "id", Kinds: KID, Required: true}, {Name: "content", Kinds: KText}, {Name: "contentType", Kinds: KText},
		{Name: "isPublic", Kinds: KFlag}, {Name: "commenterId", Kinds: KID}, {Name: "commenter", Kinds: KObj},
		{Name: "commenter.name", Kinds: KText}, {Name: "commenter.type", Kinds: KText | KArray, Note: "the examples send [\"AGENT\"]"}, {Name: "commenter.firstName", Kinds: KText},
		{Name: "commenter.lastName", Kinds: KText}, {Name: "commentedTime", Kinds: KTime}, {Name: "modifiedTime", Kinds: KTime},
		{Name: "attachments", Kinds: KList, Note: "TicketComment.json attachmentResponse items: id, name, size, href, previewurl"},
	}
	// The body fields createContact and updateContact accept (contactjson).
	contactBody = []Field{
		{Name: "lastName", Kinds: KText}, {Name: "firstName", Kinds: KText}, {Name: "email", Kinds: KText},
		{Name: "secondaryEmail", Kinds: KText}, {Name: "phone", Kinds: KText}, {Name: "mobile", Kinds: KText},
		{Name: "accountId", Kinds: KID}, {Name: "ownerId", Kinds: KID}, {Name: "type", Kinds: KText},
		{Name: "title", Kinds: KText}, {Name: "description", Kinds: KText}, {Name: "street", Kinds: KText},
		{Name: "city", Kinds: KText}, {Name: "state", Kinds: KText}, {Name: "country", Kinds: KText},
		{Name: "zip", Kinds: KText | KNumber | KNull}, {Name: "facebook", Kinds: KText}, {Name: "twitter", Kinds: KText},
		{Name: "cf", Kinds: KObj}, {Name: "customFields", Kinds: KObj},
	}
	// The body fields createAccount and updateAccount accept (accountjson).
	accountBody = []Field{
		{Name: "accountName", Kinds: KText}, {Name: "email", Kinds: KText}, {Name: "website", Kinds: KText},
		{Name: "phone", Kinds: KText}, {Name: "fax", Kinds: KText}, {Name: "industry", Kinds: KText},
		{Name: "description", Kinds: KText}, {Name: "street", Kinds: KText}, {Name: "city", Kinds: KText},
		{Name: "state", Kinds: KText}, {Name: "country", Kinds: KText}, {Name: "code", Kinds: KText},
		{Name: "annualrevenue", Kinds: KText}, {Name: "ownerId", Kinds: KID}, {Name: "cf", Kinds: KObj},
		{Name: "customFields", Kinds: KObj},
	}
)

// data prefixes fields with "data[]." for a list answer.
func data(fs []Field, extra ...Field) []Field {
	out := make([]Field, 0, len(fs)+len(extra))
	for _, f := range fs {
		f.Name = "data[]." + f.Name
		out = append(out, f)
	}
	return append(out, extra...)
}

// Contract lists every operation Tandem calls.
var Contract = []Op{
	{
		ID: OpGetOrganizations, Spec: "Organization.json", Method: "GET", Path: "/organizations", NoOrg: true, List: true,
		Response: data([]Field{
			{Name: "id", Kinds: KID, Required: true}, {Name: "companyName", Kinds: KText}, {Name: "portalName", Kinds: KText},
			{Name: "portalURL", Kinds: KText}, {Name: "isDefault", Kinds: KFlag, Note: "the examples send \"false\""},
			{Name: "isAdminInOrg", Kinds: KFlag}, {Name: "edition", Kinds: KText},
		}),
		Note: "the only call without the orgId header",
	},
	{
		ID: OpGetMyInfo, Spec: "Agent.json", Method: "GET", Path: "/myinfo",
		Response: []Field{
			{Name: "id", Kinds: KID, Required: true}, {Name: "zuid", Kinds: KID}, {Name: "firstName", Kinds: KText},
			{Name: "lastName", Kinds: KText}, {Name: "name", Kinds: KText}, {Name: "emailId", Kinds: KText},
			{Name: "profileId", Kinds: KID}, {Name: "roleId", Kinds: KID}, {Name: "status", Kinds: KText},
		},
	},
	{
		ID: OpGetAgents, Spec: "Agent.json", Method: "GET", Path: "/agents", List: true,
		Query: []Param{
			{Name: "from", Int: true, Min: 0},
			{Name: "limit", Int: true, Min: 10, Max: 200, Note: "Agent.json: default 10, minimum 10, maximum 200"},
			{Name: "status", Enum: []string{"ACTIVE", "DISABLED"}},
			{Name: "include", List: true, Enum: []string{"profile", "role"}},
			text("searchStr"), {Name: "rolePermissionType", Enum: []string{"AgentPublic", "AgentPersonal", "AgentTeamPersonal", "Admin", "Custom", "Light"}},
			text("roleIds"), text("profileIds"), text("departmentIds"), flag("isConfirmed"),
		},
		Response: data([]Field{
			{Name: "id", Kinds: KID, Required: true}, {Name: "zuid", Kinds: KID, Note: "mentions carry the zuid"},
			{Name: "firstName", Kinds: KText}, {Name: "lastName", Kinds: KText}, {Name: "name", Kinds: KText},
			{Name: "emailId", Kinds: KText},
		}),
	},
	{
		ID: OpGetMyProfilePermissions, Spec: "Profile.json", Method: "GET", Path: "/myProfilePermissions",
		Response: []Field{
			{Name: "permissions", Kinds: KObject, Required: true},
			{Name: "permissions.tickets", Kinds: KObj}, {Name: "permissions.tickets.view", Kinds: KFlag},
			{Name: "permissions.tickets.create", Kinds: KFlag}, {Name: "permissions.tickets.edit", Kinds: KFlag},
			{Name: "permissions.tickets.mailSend", Kinds: KFlag, Note: "the right to answer by email"},
			{Name: "permissions.contacts", Kinds: KObj}, {Name: "permissions.contacts.create", Kinds: KFlag},
			{Name: "permissions.contacts.edit", Kinds: KFlag}, {Name: "permissions.accounts", Kinds: KObj},
			{Name: "permissions.accounts.create", Kinds: KFlag}, {Name: "permissions.accounts.edit", Kinds: KFlag},
		},
		Note: "needs no profile id: the permissions of the signed-in agent's profile",
	},
	{
		ID: OpGetDepartments, Spec: "Department.json", Method: "GET", Path: "/departments", List: true,
		Query: []Param{
			{Name: "from", Int: true, Min: 0},
			{Name: "limit", Int: true, Min: 0, Max: 200, Note: "Department.json: maximum 200"},
			flag("isEnabled"), text("searchStr"),
			{Name: "chatStatus", Enum: []string{"AVAILABLE", "DISABLED", "NOT_CREATED", "${UNAVAILABLE}"}},
		},
		Response: data([]Field{
			{Name: "id", Kinds: KID, Required: true}, {Name: "name", Kinds: KText}, {Name: "isEnabled", Kinds: KFlag},
			{Name: "isDefault", Kinds: KFlag},
		}),
	},
	{
		ID: OpGetFields, Spec: "Field.json", Method: "GET", Path: "/organizationFields", List: true,
		Query: []Param{
			{Name: "module", Required: true, Enum: []string{"tickets", "contacts", "accounts", "tasks", "calls", "events", "contracts", "products"}},
			idParam("departmentId"),
		},
		Response: data([]Field{
			{Name: "id", Kinds: KID}, {Name: "apiName", Kinds: KText, Required: true}, {Name: "displayLabel", Kinds: KText},
			{Name: "type", Kinds: KText}, {Name: "isMandatory", Kinds: KFlag}, {Name: "isCustomField", Kinds: KFlag},
			{Name: "maxLength", Kinds: KCount},
			{Name: "allowedValues", Kinds: KList, Note: "picklists: objects, not strings"},
			{Name: "allowedValues[].value", Kinds: KText},
			{Name: "allowedValues[].statusType", Kinds: KText, Note: "the tickets module's status field only"},
		}),
	},
	{
		ID: OpGetReplyMailAddresses, Spec: "MailReplyAddress.json", Method: "GET", Path: "/mailReplyAddress", List: true,
		Query: []Param{
			{Name: "departmentId", Required: true, Pattern: `allDepartment|[0-9]+`, Note: "a department id, or allDepartment for every department's"},
			{Name: "from", Int: true, Min: 1, Note: "minimum 1, default 1"},
			{Name: "limit", Int: true, Min: 1, Max: MaxLimit, Note: "minimum 1, maximum 100, default 50"},
			flag("isActive"),
		},
		Response: data([]Field{
			{Name: "id", Kinds: KID}, {Name: "address", Kinds: KText, Required: true}, {Name: "displayName", Kinds: KText},
			{Name: "departmentId", Kinds: KID}, {Name: "isActive", Kinds: KFlag}, {Name: "isVerified", Kinds: KFlag},
			{Name: "isDepartmentDefault", Kinds: KFlag, Note: "the department's default From address"},
		}),
		Note: "fromAddressDetails requires isActive and isVerified; sendReply's fromEmailAddress is one of these " +
			"(\"a from address configured in your help desk portal\"): Tandem offers the active, verified ones of the ticket's department",
	},
	{
		ID: OpGetCustomerHappiness, Spec: "CustomerHappiness.json", Method: "GET", Path: "/customerHappiness", List: true,
		Query: []Param{
			{Name: "department", Required: true, Pattern: `allDepartment|[0-9]+`, Note: "a department id or allDepartment"},
			{Name: "from", Int: true, Min: 0, Source: Guess, Note: "the base of from is not documented"},
			{Name: "limit", Int: true, Min: 1, Max: MaxLimit, Source: Guess},
			{Name: "sortBy", Enum: []string{"ratedTime"}, Desc: true, Note: "oldest first unless sorted"},
			{Name: "startTime", Millis: true}, {Name: "endTime", Millis: true},
			{Name: "rating", Enum: []string{"good", "ok", "bad"}},
			idParam("agentId"), idParam("contactId"), idParam("accountId"), idParam("ticketId"),
			{Name: "duration", Enum: []string{"TODAY", "THIS_WEEK", "LAST_WEEK", "THIS_MONTH", "LAST_MONTH", "LAST_7_DAYS", "YESTERDAY", "LAST_1_HOUR", "CUSTOM_IN_DATE", "LAST_100_RATINGS", "LAST24HOURS", "LAST_30_DAYS"}},
			{Name: "include", List: true, Enum: []string{"contacts", "tickets", "agents"}},
		},
		Response: data([]Field{
			{Name: "id", Kinds: KID, Required: true},
			{Name: "rating", Kinds: KText, Enum: []string{"GOOD", "OK", "BAD"}},
			{Name: "feedback", Kinds: KText}, {Name: "ratedTime", Kinds: KTime},
			{Name: "ticketId", Kinds: KID, Source: Guess}, {Name: "contactId", Kinds: KID, Source: Guess},
		}),
		Source: Inferred,
		Note:   "the stored CustomerHappiness.json holds only getCustomerHappinessLinkHolder; this row follows Zoho's documentation page \"List all customerHappiness\" (department mandatory, sortBy ratedTime, rating good/ok/bad); the item shape is a guess",
	},
	{
		ID: OpGetContacts, Spec: "Contact.json", Method: "GET", Path: "/contacts", List: true,
		Query: []Param{
			{Name: "include", List: true, Enum: []string{"accounts"}}, idParam("viewId"),
			{Name: "from", Int: true, Min: 0, Source: Inferred},
			{Name: "limit", Int: true, Min: 1, Max: MaxLimit, Source: Inferred},
			{Name: "sortBy", Enum: []string{"firstName", "lastName", "phone", "email", "account", "createdTime", "modifiedTime"}, Desc: true},
		},
		Response: data([]Field{
			{Name: "id", Kinds: KID, Required: true}, {Name: "firstName", Kinds: KText}, {Name: "lastName", Kinds: KText},
			{Name: "email", Kinds: KText}, {Name: "accountId", Kinds: KID}, {Name: "createdTime", Kinds: KTime},
		}),
		Note: "list items carry no modifiedTime, title, description or cf: Tandem uses this list only to find contacts it created (newest created first), then reads the one it wants with getContact",
	},
	{
		ID: OpGetContact, Spec: "Contact.json", Method: "GET", Path: "/contacts/{contactId}",
		Query:    []Param{{Name: "include", List: true, Enum: []string{"accounts", "owner"}}},
		Response: contactFields,
	},
	{
		ID: OpCreateContact, Spec: "Contact.json", Method: "POST", Path: "/contacts",
		Body: withRequired(contactBody, "lastName"), Response: contactFields,
	},
	{
		ID: OpUpdateContact, Spec: "Contact.json", Method: "PATCH", Path: "/contacts/{contactId}",
		Body: contactBody, Response: contactFields,
	},
	{
		ID: OpMergeContacts, Spec: "Contact.json", Method: "POST", Path: "/contacts/{contactId}/merge",
		Body: []Field{
			{Name: "ids", Kinds: KList, Required: true, Note: "contactMergeRequest: long_array, required"},
			{Name: "source", Kinds: KObj, Note: "sourceValues: per field, the id of the contact whose value the merged contact takes"},
		},
		Response: contactFields,
		Source:   Inferred,
		Note: "Contact.json mergeContacts (Desk.contacts.UPDATE; 200 contactResponse; 404, 422, 403). The definition does not say which " +
			"contact survives: Tandem takes the path's contact as the one kept and lists every merged contact in ids (the path's one too, " +
			"as the example lists two); fields not named in source keep the kept contact's value. Tandem sends no source",
	},
	{
		ID: OpTrashContacts, Spec: "Contact.json", Method: "POST", Path: "/contacts/moveToTrash",
		Body: []Field{{Name: "contactIds", Kinds: KList, Required: true, Note: "deleteContactsRequest: contactIds, required"}},
		Note: "Contact.json deleteContact (\"Delete Contacts\": moves them to the Recycle Bin; Desk.contacts.DELETE; 204, 404, 422, 403, 500). " +
			"Tandem sends it only when the user asks to delete a record in Zoho Desk too",
	},
	{
		ID: OpSearchContacts, Spec: "Search.json", Method: "GET", Path: "/contacts/search", List: true,
		Query: []Param{
			text("lastName"), text("firstName"), text("fullName"), text("accountName"), text("_all"), idParam("id"),
			timeRange("createdTimeRange"), timeRange("modifiedTimeRange"), searchFrom, searchLimit,
			{Name: "sortBy", Enum: []string{"relevance", "modifiedTime", "createdTime", "lastName", "firstName"}, Desc: true},
		},
		AtLeastOne: []string{"lastName", "firstName", "fullName", "accountName", "_all", "id", "createdTimeRange", "modifiedTimeRange"},
		Response:   data(contactFields, Field{Name: "count", Kinds: KCount}),
		Note:       "no email parameter in the definition (Zoho's documentation page lists one): Tandem searches an email with _all and compares the hits itself",
	},
	{
		ID: OpGetAccounts, Spec: "Account.json", Method: "GET", Path: "/accounts", List: true,
		Query: []Param{
			{Name: "from", Int: true, Min: 1, Note: "1-based: minimum 1, default 1"},
			{Name: "limit", Int: true, Min: 1, Max: 99, Note: "Account.json: maximum 99"},
			{Name: "sortBy", Enum: []string{"website", "email", "phone", "accountName", "createdTime", "modifiedTime"}, Desc: true},
		},
		Response: data([]Field{
			{Name: "id", Kinds: KID, Required: true}, {Name: "accountName", Kinds: KText}, {Name: "createdTime", Kinds: KTime},
		}),
	},
	{
		ID: OpGetAccount, Spec: "Account.json", Method: "GET", Path: "/accounts/{accountId}",
		Query:    []Param{{Name: "include", List: true, Enum: []string{"owner"}}},
		Response: accountFields,
	},
	{
		ID: OpCreateAccount, Spec: "Account.json", Method: "POST", Path: "/accounts",
		Body: withRequired(accountBody, "accountName"), Response: accountFields,
	},
	{
		ID: OpUpdateAccount, Spec: "Account.json", Method: "PATCH", Path: "/accounts/{accountId}",
		Body: accountBody, Response: accountFields,
	},
	{
		ID: OpSearchAccounts, Spec: "Search.json", Method: "GET", Path: "/accounts/search", List: true,
		Query: []Param{
			text("accountName"), text("_all"), idParam("id"), timeRange("createdTimeRange"), timeRange("modifiedTimeRange"),
			searchFrom, searchLimit,
			{Name: "sortBy", Enum: []string{"relevance", "modifiedTime", "createdTime", "accountName"}, Desc: true},
		},
		AtLeastOne: []string{"accountName", "_all", "id", "createdTimeRange", "modifiedTimeRange"},
		Response:   data(accountFields, Field{Name: "count", Kinds: KCount}),
	},
	{
		ID: OpGetTickets, Spec: "Ticket.json", Method: "GET", Path: "/tickets", List: true,
		Query: []Param{
			{Name: "include", List: true, Enum: []string{"contacts", "products", "departments", "team", "assignee"}},
			{Name: "departmentId", Required: true, Pattern: `[0-9]+`, Note: "the operation refers to a shared parameter marked required; Zoho's getting-started example lists tickets without it: Tandem always sends it"},
			{Name: "from", Int: true, Min: 0, Source: Inferred, Note: "0-based"},
			{Name: "limit", Int: true, Min: 1, Max: MaxLimit, Source: Inferred, Note: "no range in the definition; 1-100 per Zoho's documentation"},
			{Name: "sortBy", Enum: []string{"dueDate", "createdTime", "recentThread"}, Desc: true, Note: "no modifiedTime; the \"-\" prefix for descending is documented on the sibling operations"},
			{Name: "dueDate", Enum: []string{"overdue", "tomorrow", "currentWeek", "currentMonth", "today"}},
			{Name: "receivedInDays", Enum: []string{"15", "30", "90"}},
			{Name: "closedTime", Enum: []string{"today", "yesterday", "currentWeek", "currentMonth", "last3days", "last7days", "last15days", "last30days"}},
			text("channel"), text("assignee"), text("teamIds"), text("status"),
		},
		Response: data([]Field{
			{Name: "id", Kinds: KID, Required: true}, {Name: "ticketNumber", Kinds: KID}, {Name: "subject", Kinds: KText},
			{Name: "status", Kinds: KText}, {Name: "statusType", Kinds: KText, Enum: []string{"Open", "Closed", "On Hold"}},
			{Name: "priority", Kinds: KText}, {Name: "channel", Kinds: KText}, {Name: "email", Kinds: KText},
			{Name: "phone", Kinds: KText}, {Name: "contactId", Kinds: KID}, {Name: "accountId", Kinds: KID},
			{Name: "departmentId", Kinds: KID}, {Name: "assigneeId", Kinds: KID}, {Name: "dueDate", Kinds: KTime},
			{Name: "createdTime", Kinds: KTime}, {Name: "closedTime", Kinds: KTime}, {Name: "threadCount", Kinds: KCount},
			{Name: "commentCount", Kinds: KCount}, {Name: "customerResponseTime", Kinds: KTime}, {Name: "webUrl", Kinds: KText},
			{Name: "contact", Kinds: KObj, Source: Inferred, Note: "include=contacts; the list schema names no contact, the archived list's has this shape"},
			{Name: "contact.id", Kinds: KID}, {Name: "contact.firstName", Kinds: KText}, {Name: "contact.lastName", Kinds: KText},
			{Name: "contact.email", Kinds: KText}, {Name: "contact.account", Kinds: KObj}, {Name: "contact.account.id", Kinds: KID},
		}),
		Note: "list items carry no modifiedTime, isOverDue or isEscalated: Tandem pages this list only on a portal's first sync (by createdTime) and to find a ticket it created (newest created first)",
	},
	{
		ID: OpGetTicket, Spec: "Ticket.json", Method: "GET", Path: "/tickets/{ticketId}",
		Query:    []Param{{Name: "include", List: true, Enum: []string{"contacts", "products", "departments", "team", "assignee", "contract", "isRead", "skills"}}},
		Response: append(slices.Clone(ticketFields), Field{Name: "description", Kinds: KText}),
	},
	{
		ID: OpCreateTicket, Spec: "Ticket.json", Method: "POST", Path: "/tickets",
		Body: []Field{
			{Name: "subject", Kinds: KText, Required: true}, {Name: "departmentId", Kinds: KID, Required: true},
			{Name: "status", Kinds: KText, Required: true, Note: "required by the definition; Tandem sends the portal's first open status"},
			{Name: "contactId", Kinds: KID}, {Name: "contact", Kinds: KObj},
			{Name: "contact.lastName", Kinds: KText}, {Name: "contact.email", Kinds: KText},
			{Name: "description", Kinds: KText}, {Name: "priority", Kinds: KText}, {Name: "channel", Kinds: KText},
			{Name: "email", Kinds: KText}, {Name: "phone", Kinds: KText}, {Name: "dueDate", Kinds: KText},
			{Name: "assigneeId", Kinds: KID}, {Name: "productId", Kinds: KID}, {Name: "language", Kinds: KText},
			{Name: "classification", Kinds: KText}, {Name: "category", Kinds: KText}, {Name: "subCategory", Kinds: KText},
			{Name: "cf", Kinds: KObj}, {Name: "customFields", Kinds: KObj},
		},
		OneOf:    [][]string{{"contactId", "contact"}},
		Response: ticketFields,
		Note:     "the contact object takes lastName and email only (maxProperties 2)",
	},
	{
		ID: OpUpdateTicket, Spec: "Ticket.json", Method: "PATCH", Path: "/tickets/{ticketId}",
		Body: []Field{
			{Name: "subject", Kinds: KText}, {Name: "status", Kinds: KText}, {Name: "priority", Kinds: KText},
			{Name: "description", Kinds: KText}, {Name: "channel", Kinds: KText}, {Name: "email", Kinds: KText},
			{Name: "phone", Kinds: KText}, {Name: "dueDate", Kinds: KText}, {Name: "assigneeId", Kinds: KID},
			{Name: "contactId", Kinds: KID}, {Name: "productId", Kinds: KID}, {Name: "language", Kinds: KText},
			{Name: "classification", Kinds: KText}, {Name: "category", Kinds: KText}, {Name: "subCategory", Kinds: KText},
			{Name: "resolution", Kinds: KText}, {Name: "cf", Kinds: KObj}, {Name: "customFields", Kinds: KObj},
		},
		Response: ticketFields,
	},
	{
		ID: OpSearchTickets, Spec: "Search.json", Method: "GET", Path: "/tickets/search", List: true,
		Query: []Param{
			idParam("ticketNumber"), text("accountName"), text("subject"), idParam("departmentId"), text("channel"),
			timeRange("customerResponseTimeRange"), text("description"), text("productName"), text("_all"),
			searchLimit, searchFrom, timeRange("dueDateRange"),
			{Name: "sortBy", Enum: []string{"relevance", "modifiedTime", "createdTime", "customerResponseTime"}, Desc: true},
			idParam("id"), text("tag"), idParam("productId"), idParam("contactId"), text("contactName"),
			timeRange("createdTimeRange"), text("priority"), idParam("assigneeId"), idParam("accountId"),
			timeRange("modifiedTimeRange"), text("category"), text("status"),
		},
		AtLeastOne: []string{"ticketNumber", "accountName", "subject", "departmentId", "channel", "customerResponseTimeRange",
			"description", "productName", "_all", "dueDateRange", "id", "tag", "productId", "contactId", "contactName",
			"createdTimeRange", "priority", "assigneeId", "accountId", "modifiedTimeRange", "category", "status"},
		Response: data(ticketFields, Field{Name: "count", Kinds: KCount}),
		Note:     "hits carry modifiedTime, isOverDue, isEscalated and the contact with its account; Desk's search index lags writes by seconds",
	},
	{
		ID: OpGetThreads, Spec: "Thread.json", Method: "GET", Path: "/tickets/{ticketId}/threads", List: true,
		Query: []Param{
			{Name: "from", Int: true, Min: 0, Source: Inferred},
			{Name: "limit", Int: true, Min: 1, Max: 200, Source: Guess, Note: "no range in the definition"},
			{Name: "sortBy", Enum: []string{"sendDateTime"}, Desc: true, Note: "newest first unless sorted"},
		},
		Response: data(threadFields),
	},
	{
		ID: OpGetThread, Spec: "Thread.json", Method: "GET", Path: "/tickets/{ticketId}/threads/{threadId}",
		Query:    []Param{{Name: "include", List: true, Enum: []string{"plainText"}, Source: Guess}},
		Response: append(slices.Clone(threadFields), Field{Name: "content", Kinds: KText}, Field{Name: "contentType", Kinds: KText}),
		Source:   Inferred,
		Note:     "Zoho documents \"Get a thread\"; the stored Thread.json has no row for it: the answer is taken to be emailThreadResponseJson",
	},
	{
		ID: OpSendReply, Spec: "Thread.json", Method: "POST", Path: "/tickets/{ticketId}/sendReply",
		Query: []Param{idParam("parentConversationId")},
		Body: []Field{
			{Name: "channel", Kinds: KText, Required: true, Enum: []string{"FACEBOOK", "TWITTER", "EMAIL", "FORUMS", "PHONE", "WEB", "FEEDBACK", "FEEDBACK_WIDGET", "TWITTER_DM", "ONLINE_CHAT", "OFFLINE_CHAT", "CUSTOMERPORTAL"}},
			{Name: "content", Kinds: KText, Required: true},
			{Name: "fromEmailAddress", Kinds: KText, Required: true, Source: Guess,
				Note: "\"a from address configured in the portal\"; the definition does not say of which department: the emulator takes only an active, verified From address of the ticket's department (the safer reading)"},
			{Name: "to", Kinds: KText}, {Name: "contentType", Kinds: KText, Enum: []string{"html", "plainText", "text/html"}},
			{Name: "isForward", Kinds: KFlag}, {Name: "ticketStatus", Kinds: KText}, {Name: "attachmentIds", Kinds: KList},
			{Name: "cc", Kinds: KText, Pattern: bareAddress, Items: true, MaxLen: 13000, Source: Inferred,
				Note: "commonSendReplyJson (allOf of emailThreadSendReply): its pattern is one bare address; a comma-joined list is inferred from maxLength 13000, as to's"},
			{Name: "bcc", Kinds: KText, Pattern: bareAddress, Items: true, MaxLen: 13000, Source: Inferred, Note: "as cc"},
		},
		Response: append(slices.Clone(threadFields), Field{Name: "content", Kinds: KText}, Field{Name: "contentType", Kinds: KText}),
		Note:     "emailThreadSendReply is allOf commonSendReplyJson (channel, content, contentType, cc, bcc, …) and the email fields (to, fromEmailAddress, ticketStatus, attachmentIds, isForward); cc and bcc's pattern is one bare address: Tandem sends a comma-joined list of bare addresses (inferred from maxLength 13000, as to's)",
	},
	{
		ID: OpGetTicketComments, Spec: "TicketComment.json", Method: "GET", Path: "/tickets/{ticketId}/comments", List: true,
		Query: []Param{
			{Name: "include", List: true, Enum: []string{"mentions"}},
			{Name: "from", Int: true, Min: 0, Source: Inferred},
			{Name: "limit", Int: true, Min: 1, Max: 100, Note: "TicketComment.json: minimum 1, maximum 100, default 50"},
			{Name: "sortBy", Enum: []string{"commentedTime"}, Desc: true, Note: "ascending (oldest first) by default"},
		},
		Response: data(commentFields,
			Field{Name: "data[].mention", Kinds: KList, Note: "include=mentions"},
			Field{Name: "data[].mention[].id", Kinds: KID}, Field{Name: "data[].mention[].zuid", Kinds: KID},
			Field{Name: "data[].mention[].type", Kinds: KText | KArray, Note: "the examples send [\"AGENT\"]"}, Field{Name: "data[].mention[].firstName", Kinds: KText},
			Field{Name: "data[].mention[].lastName", Kinds: KText}, Field{Name: "data[].mention[].name", Kinds: KText},
		),
		Note: "mentions in content are zsu[@user:<zuid>]zsu",
	},
	{
		ID: OpCreateTicketComment, Spec: "TicketComment.json", Method: "POST", Path: "/tickets/{ticketId}/comments",
		Query: []Param{idParam("parentConversationId")},
		Body: []Field{
			{Name: "content", Kinds: KText, Required: true},
			{Name: "attachmentIds", Kinds: KList, Required: true, Note: "upload ids (Upload.json), as sendReply's; required here (an older reading of the definition: the stored addCommentPayload requires only content); Tandem sends [] when there is no file"},
			{Name: "isPublic", Kinds: KFlag}, {Name: "contentType", Kinds: KText, Enum: []string{"plainText", "html"}},
		},
		Response: commentFields,
	},
	{
		ID: OpUploadFile, Spec: "Upload.json", Method: "POST", Path: "/uploads",
		Multipart: []string{"file"},
		Response: []Field{
			{Name: "id", Kinds: KID, Required: true}, {Name: "name", Kinds: KText}, {Name: "size", Kinds: KCount},
			{Name: "href", Kinds: KText}, {Name: "previewurl", Kinds: KText}, {Name: "createdTime", Kinds: KTime},
		},
		Note: "uploadFileRequest: multipart/form-data with one binary field \"file\" (required, nothing else); " +
			"the answer's id goes in sendReply's or createTicketComment's attachmentIds. No size limit in the definition: " +
			"MaxUploadBytes is a guess",
	},
	{
		ID: OpGetThreadAttachmentContent, Spec: "Thread.json", Method: "GET",
		Path: "/tickets/{ticketId}/threads/{threadId}/attachments/{attachmentId}/content",
		File: true, Source: Inferred,
		Note: "the definition declares only DELETE on /tickets/{ticketId}/threads/{threadId}/attachments/{attachmentId}; " +
			"a thread's attachmentsJson href (\"API endpoint URL to access the uploaded file\") is this path + /content, " +
			"as Zoho's documentation examples show. Tandem builds the path from ids (never follows href to another host)",
	},
	{
		ID: OpGetCommentAttachmentContent, Spec: "TicketComment.json", Method: "GET",
		Path: "/tickets/{ticketId}/comments/{commentId}/attachments/{attachmentId}/content",
		File: true, Source: Inferred,
		Note: "the definition declares no download of a comment's file; commentResponse.attachments[].href " +
			"is this path in every example (getCommentResponse, listOfComments). Tandem builds it from ids, as for threads",
	},
	{
		ID: OpGetTemplates, Spec: "EmailTemplates.json", Method: "GET", Path: "/templates", Array: true,
		Query: []Param{
			{Name: "departmentId", Required: true, Pattern: `[0-9]+`},
			{Name: "searchStr", Pattern: `(?s).{1,100}`, Note: "1 to 100 characters; a trailing * searches by prefix, *…* within"},
			{Name: "module", Enum: []string{"tickets", "tasks", "contacts", "accounts", "products", "solutions", "calls", "events"}},
			{Name: "limit", Int: true, Min: 1, Max: 1000, Note: "minimum 1, maximum 1000, default 1000"},
			{Name: "from", Int: true, Min: 1, Max: TemplatesMaxFrom, Note: "minimum 1, maximum 1000, default 1"},
			idParam("folderId"),
		},
		Response: data(templateFields),
		Note: "templateListResponse is a bare array of templateResponse (not {\"data\": …}); no 204 is declared. " +
			"Scopes Desk.settings.READ or Desk.templates.READ",
	},
	{
		ID: OpGetTemplate, Spec: "EmailTemplates.json", Method: "GET", Path: "/templates/{emailTemplateId}",
		Response: append(slices.Clone(templateFields), Field{Name: "attachments", Kinds: KList}),
		Note:     "templateAttachmentResponse: templateResponse plus attachments; no error answer is declared (an unknown id: 404, a guess)",
	},
	{
		ID: OpApplyTemplate, Spec: "EmailTemplates.json", Method: "POST", Path: "/templates/{emailTemplateId}/render",
		Query: []Param{{Name: "entityId", Required: true, Pattern: `[0-9]{1,100}`, Note: "the contact, ticket or account the placeholders are filled from"}},
		Body:  []Field{{Name: "source", Kinds: KString, Enum: []string{"TICKET_REPLY", "SLA", "AUTOMATION_ALERTS", "NOTIFICATIONS"}}},
		Response: []Field{
			{Name: "subject", Kinds: KText, Required: true}, {Name: "body", Kinds: KText, Required: true},
			{Name: "attachments", Kinds: KList, Required: true},
		},
		Note: "applyTemplateResponse: the subject and HTML body with the placeholders filled on Desk's side, and the attachments. " +
			"Scope Desk.settings.READ only. An attachment is attachmentResponse: id, name and size, no href; the definition declares " +
			"no download of a template's file (cloneTemplateAttachments copies them to uploads, needs Desk.templates.CREATE, and no " +
			"download of an upload is declared either), so the composer names them and does not add them",
	},
}

// templateFields are a templateResponse's fields Tandem reads.
var templateFields = []Field{
	{Name: "templateId", Kinds: KID, Required: true}, {Name: "templateName", Kinds: KText, Required: true},
	{Name: "subject", Kinds: KText}, {Name: "body", Kinds: KText}, {Name: "departmentId", Kinds: KID},
	{Name: "recordType", Kinds: KText, Enum: []string{"tickets", "tasks", "contacts", "accounts", "products", "solutions", "calls", "events"}},
	{Name: "category", Kinds: KText, Enum: []string{"CUSTOM_TEMPLATE", "DEFAULT_TEMPLATE"}},
	{Name: "contentType", Kinds: KText, Enum: []string{"plaintext", "richtext"}},
	{Name: "folderId", Kinds: KID}, {Name: "folder", Kinds: KObj}, {Name: "folder.folderName", Kinds: KText},
}

// bareAddress is commonSendReplyJson's pattern for cc and bcc (Thread.json):
// one address, no display name.
const bareAddress = `[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+`

func withRequired(fs []Field, names ...string) []Field {
	out := slices.Clone(fs)
	for i := range out {
		if slices.Contains(names, out[i].Name) {
			out[i].Required = true
		}
	}
	return out
}

var opsByID = func() map[string]*Op {
	m := make(map[string]*Op, len(Contract))
	for i := range Contract {
		op := &Contract[i]
		if _, dup := m[op.ID]; dup {
			panic("desk: contract: duplicate operation " + op.ID)
		}
		m[op.ID] = op
	}
	return m
}()

// Cost returns the API credits one call of the operation costs (Credits,
// 1 when unset).
func (op *Op) Cost() int {
	if op.Credits > 0 {
		return op.Credits
	}
	return 1
}

// OpByID returns the contract row of an operation; it panics for an
// unknown id (a programming error).
func OpByID(id string) *Op {
	op, ok := opsByID[id]
	if !ok {
		panic("desk: contract: no operation " + id)
	}
	return op
}

// Param returns the operation's parameter name, or nil.
func (op *Op) Param(name string) *Param {
	for i := range op.Query {
		if op.Query[i].Name == name {
			return &op.Query[i]
		}
	}
	return nil
}

// FromBase is the index of the first item for the operation's `from`
// parameter: 0 or 1.
func (op *Op) FromBase() int {
	if p := op.Param("from"); p != nil {
		return p.Min
	}
	return 0
}

// MaxPage is the largest limit Tandem asks of the operation: MaxLimit, or
// less where the operation caps it lower.
func (op *Op) MaxPage() int {
	if p := op.Param("limit"); p != nil && p.Max > 0 && p.Max < MaxLimit {
		return p.Max
	}
	return MaxLimit
}

// Expand fills the operation's path parameters, in order.
func (op *Op) Expand(args ...string) string {
	path := op.Path
	for _, a := range args {
		i := strings.IndexByte(path, '{')
		j := strings.IndexByte(path, '}')
		if i < 0 || j < i {
			panic("desk: contract: too many path arguments for " + op.ID)
		}
		path = path[:i] + url.PathEscape(a) + path[j+1:]
	}
	if strings.IndexByte(path, '{') >= 0 {
		panic("desk: contract: missing path arguments for " + op.ID)
	}
	return path
}

// Violation is one way a request breaks the contract, named as Desk's error
// JSON names it: a field (the parameter, or the body field as a JSON
// pointer) and an errorType (invalid, missing).
type Violation struct {
	Field   string
	Type    string // "invalid" or "missing"
	Message string
}

// Error implements error.
func (v Violation) Error() string { return v.Field + ": " + v.Type + ": " + v.Message }

var (
	timeRangeRE = regexp.MustCompile(`^` + timeRE + `,` + timeRE + `$`)
	patternREs  = map[string]*regexp.Regexp{}
)

func patternRE(p string) *regexp.Regexp {
	if re, ok := patternREs[p]; ok {
		return re
	}
	return regexp.MustCompile(`^(?:` + p + `)$`)
}

func init() {
	for _, op := range Contract {
		for _, p := range op.Query {
			if p.Pattern != "" {
				patternREs[p.Pattern] = regexp.MustCompile(`^(?:` + p.Pattern + `)$`)
			}
		}
		for _, f := range op.Body {
			if f.Pattern != "" {
				patternREs[f.Pattern] = regexp.MustCompile(`^(?:` + f.Pattern + `)$`)
			}
		}
	}
}

// CheckQuery returns how a request's query breaks the contract: a
// parameter the operation does not declare, one sent twice, a value outside
// its enum, a missing required one, a number out of range, a malformed time.
func (op *Op) CheckQuery(q url.Values) []Violation {
	var vs []Violation
	names := make([]string, 0, len(q))
	for k := range q {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		if k == "orgId" && !op.NoOrg {
			// Common.json declares orgId a query parameter of every
			// operation; Zoho's documentation sends it as a header,
			// which Tandem does. Both are accepted.
			continue
		}
		p := op.Param(k)
		if p == nil {
			vs = append(vs, Violation{k, "invalid", fmt.Sprintf("%s is not a parameter of %s", k, op.ID)})
			continue
		}
		if len(q[k]) > 1 {
			vs = append(vs, Violation{k, "invalid", k + " is given more than once"})
			continue
		}
		if msg := p.check(q.Get(k)); msg != "" {
			vs = append(vs, Violation{k, "invalid", msg})
		}
	}
	for _, p := range op.Query {
		if p.Required && q.Get(p.Name) == "" {
			vs = append(vs, Violation{p.Name, "missing", p.Name + " is required"})
		}
	}
	if len(op.AtLeastOne) > 0 && !slices.ContainsFunc(op.AtLeastOne, func(n string) bool { return q.Get(n) != "" }) {
		vs = append(vs, Violation{op.AtLeastOne[0], "missing", "give at least one of " + strings.Join(op.AtLeastOne, ", ")})
	}
	return vs
}

// check returns why value is not valid for p, or "".
func (p *Param) check(v string) string {
	switch {
	case p.Int:
		n, err := strconv.Atoi(v)
		if err != nil {
			return p.Name + " must be a whole number"
		}
		if n < p.Min || (p.Max > 0 && n > p.Max) {
			if p.Max > 0 {
				return fmt.Sprintf("%s must be between %d and %d", p.Name, p.Min, p.Max)
			}
			return fmt.Sprintf("%s must be at least %d", p.Name, p.Min)
		}
	case p.Bool:
		if v != "true" && v != "false" {
			return p.Name + " must be true or false"
		}
	case p.Millis:
		if _, err := strconv.ParseInt(v, 10, 64); err != nil {
			return p.Name + " must be a time in epoch milliseconds"
		}
	case p.TimeRange:
		if !timeRangeRE.MatchString(v) {
			return p.Name + " must be two times yyyy-MM-ddThh:mm:ss.SSSZ separated by a comma"
		}
	case len(p.Enum) > 0:
		items := []string{v}
		if p.List {
			items = strings.Split(v, ",")
		}
		for _, it := range items {
			if p.Desc {
				it = strings.TrimPrefix(it, "-")
			}
			if !slices.Contains(p.Enum, it) {
				return fmt.Sprintf("%s must be one of %s", p.Name, strings.Join(p.Enum, ", "))
			}
		}
	}
	if p.Pattern != "" && !patternRE(p.Pattern).MatchString(v) {
		return p.Name + " is not in the expected format"
	}
	return ""
}

// CheckBody returns how a JSON request body breaks the contract: not a JSON
// object, an undeclared field, a field of the wrong JSON kind, a value
// outside an enum, a missing required field.
func (op *Op) CheckBody(body []byte) []Violation {
	if len(op.Body) == 0 {
		if len(bytes.TrimSpace(body)) == 0 {
			return nil
		}
		return []Violation{{"/", "invalid", op.ID + " takes no body"}}
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil || m == nil {
		return []Violation{{"/", "invalid", "the body is not a JSON object"}}
	}
	var vs []Violation
	vs = op.checkObject(m, "", vs)
	for _, f := range op.Body {
		if f.Required && !strings.Contains(f.Name, ".") {
			if v, ok := m[f.Name]; !ok || v == nil || v == "" {
				vs = append(vs, Violation{"/" + f.Name, "missing", f.Name + " is required"})
			}
		}
	}
	for _, group := range op.OneOf {
		if !slices.ContainsFunc(group, func(n string) bool { v, ok := m[n]; return ok && v != nil }) {
			vs = append(vs, Violation{"/" + group[0], "missing", "give one of " + strings.Join(group, ", ")})
		}
	}
	return vs
}

func (op *Op) checkObject(m map[string]any, prefix string, vs []Violation) []Violation {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		name := prefix + k
		f := op.bodyField(name)
		if f == nil {
			vs = append(vs, Violation{"/" + strings.ReplaceAll(name, ".", "/"), "invalid", name + " is not a field of " + op.ID})
			continue
		}
		v := m[k]
		if !f.Kinds.has(v) {
			vs = append(vs, Violation{"/" + strings.ReplaceAll(name, ".", "/"), "invalid", name + " has the wrong type"})
			continue
		}
		if s, ok := v.(string); ok && len(f.Enum) > 0 && !slices.Contains(f.Enum, s) {
			vs = append(vs, Violation{"/" + strings.ReplaceAll(name, ".", "/"), "invalid", name + " must be one of " + strings.Join(f.Enum, ", ")})
			continue
		}
		if s, ok := v.(string); ok {
			if msg := f.checkString(s); msg != "" {
				vs = append(vs, Violation{"/" + strings.ReplaceAll(name, ".", "/"), "invalid", name + " " + msg})
				continue
			}
		}
		if sub, ok := v.(map[string]any); ok && op.hasSubFields(name) {
			vs = op.checkObject(sub, name+".", vs)
		}
	}
	return vs
}

// checkString returns what is wrong with a string value of f ("" when
// nothing): longer than MaxLen, or not matching Pattern.
func (f *Field) checkString(s string) string {
	if f.MaxLen > 0 && len(s) > f.MaxLen {
		return fmt.Sprintf("is longer than %d characters", f.MaxLen)
	}
	if f.Pattern == "" || s == "" {
		return ""
	}
	items := []string{s}
	if f.Items {
		items = strings.Split(s, ",")
	}
	for _, it := range items {
		if it = strings.TrimSpace(it); !patternRE(f.Pattern).MatchString(it) {
			return "does not match the definition's pattern: " + it
		}
	}
	return ""
}

func (op *Op) bodyField(name string) *Field {
	for i := range op.Body {
		if op.Body[i].Name == name {
			return &op.Body[i]
		}
	}
	return nil
}

func (op *Op) hasSubFields(name string) bool {
	return slices.ContainsFunc(op.Body, func(f Field) bool { return strings.HasPrefix(f.Name, name+".") })
}

// has reports whether v (decoded with UseNumber) is of one of the kinds.
func (k Kind) has(v any) bool {
	switch v.(type) {
	case nil:
		return k&KNull != 0
	case string:
		return k&KString != 0
	case json.Number, float64:
		return k&KNumber != 0
	case bool:
		return k&KBool != 0
	case map[string]any:
		return k&KObject != 0
	case []any:
		return k&KArray != 0
	}
	return false
}

// CheckResponse returns how an answer breaks the contract: a response
// field Tandem reads that is of another JSON kind than the operation's row
// allows, outside its enum, or missing where required. An empty body (204)
// is valid for a list operation.
func (op *Op) CheckResponse(body []byte) []Violation {
	if len(bytes.TrimSpace(body)) == 0 {
		if op.List || op.Array {
			return nil
		}
		return []Violation{{"/", "missing", op.ID + " answered no body"}}
	}
	var root any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&root); err != nil {
		return []Violation{{"/", "invalid", "the answer is not JSON"}}
	}
	if items, ok := root.([]any); ok && op.Array {
		root = map[string]any{"data": items} // Response names the items data[]…
	} else if op.Array {
		return []Violation{{"/", "invalid", "the answer is not a JSON array"}}
	}
	if _, ok := root.(map[string]any); !ok {
		return []Violation{{"/", "invalid", "the answer is not a JSON object"}}
	}
	var vs []Violation
	for _, f := range op.Response {
		vs = checkPath(root, strings.Split(f.Name, "."), f, f.Name, vs)
	}
	return vs
}

func checkPath(v any, steps []string, f Field, path string, vs []Violation) []Violation {
	if len(steps) == 0 {
		if !f.Kinds.has(v) {
			return append(vs, Violation{path, "invalid", fmt.Sprintf("%s is %s", path, kindName(v))})
		}
		if s, ok := v.(string); ok && len(f.Enum) > 0 && !slices.Contains(f.Enum, s) {
			return append(vs, Violation{path, "invalid", fmt.Sprintf("%s is %q, not one of %s", path, s, strings.Join(f.Enum, ", "))})
		}
		return vs
	}
	step, array := strings.CutSuffix(steps[0], "[]")
	m, ok := v.(map[string]any)
	if !ok {
		return vs // the parent's own row checks its kind; null parents hold nothing
	}
	child, present := m[step]
	if !present {
		if f.Required && len(steps) == 1 {
			return append(vs, Violation{path, "missing", path + " is missing"})
		}
		return vs
	}
	if !array {
		return checkPath(child, steps[1:], f, path, vs)
	}
	items, ok := child.([]any)
	if !ok {
		return vs
	}
	for _, it := range items {
		vs = checkPath(it, steps[1:], f, path, vs)
	}
	return vs
}

func kindName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number, float64:
		return "a number"
	case bool:
		return "a boolean"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	}
	return fmt.Sprintf("%T", v)
}

// FormatTimeRange formats a modifiedTimeRange (or another *TimeRange)
// value: two UTC times with milliseconds.
func FormatTimeRange(from, to time.Time) string {
	return from.UTC().Format(TimeLayout) + "," + to.UTC().Format(TimeLayout)
}

// MatchOp returns the operation whose method and path template match a
// request path below /api/v1, and the path parameters by name.
func MatchOp(method, path string) (*Op, map[string]string) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	var best *Op
	var bestVars map[string]string
	for i := range Contract {
		op := &Contract[i]
		if op.Method != method {
			continue
		}
		tpl := strings.Split(strings.Trim(op.Path, "/"), "/")
		if len(tpl) != len(segs) {
			continue
		}
		vars := map[string]string{}
		ok := true
		literal := 0
		for j, t := range tpl {
			if strings.HasPrefix(t, "{") {
				vars[strings.Trim(t, "{}")] = segs[j]
				continue
			}
			if t != segs[j] {
				ok = false
				break
			}
			literal++
		}
		if !ok {
			continue
		}
		// A literal segment beats a variable: /contacts/search, not /contacts/{contactId}.
		if best == nil || literal > countLiteral(best.Path) {
			best, bestVars = op, vars
		}
	}
	return best, bestVars
}

func countLiteral(path string) int {
	n := 0
	for _, s := range strings.Split(strings.Trim(path, "/"), "/") {
		if !strings.HasPrefix(s, "{") {
			n++
		}
	}
	return n
}
