package sync

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/sync/desk"
)

// DefaultMappings returns the mappings a new portal starts with: the
// standard contact and account fields both sides have.
func DefaultMappings() []app.FieldMapping {
	c, a := app.KindContact, app.KindCompany
	return []app.FieldMapping{
		{Kind: c, CRMField: "FirstName", DeskField: "firstName", Type: app.FieldText},
		{Kind: c, CRMField: "LastName", DeskField: "lastName", Type: app.FieldText},
		{Kind: c, CRMField: "Email", DeskField: "email", Type: app.FieldEmail},
		{Kind: c, CRMField: "Phone", DeskField: "phone", Type: app.FieldPhone},
		{Kind: c, CRMField: "Mobile", DeskField: "mobile", Type: app.FieldPhone},
		{Kind: c, CRMField: "Title", DeskField: "title", Type: app.FieldText},
		{Kind: c, CRMField: app.CRMFieldCompany, DeskField: "accountId", Type: app.FieldAccount},
		{Kind: a, CRMField: "Name", DeskField: "accountName", Type: app.FieldText},
		{Kind: a, CRMField: "Email", DeskField: "email", Type: app.FieldEmail},
		{Kind: a, CRMField: "Website", DeskField: "website", Type: app.FieldURL},
		{Kind: a, CRMField: "Phone", DeskField: "phone", Type: app.FieldPhone},
		{Kind: a, CRMField: "Industry", DeskField: "industry", Type: app.FieldText},
		{Kind: a, CRMField: "City", DeskField: "city", Type: app.FieldText},
		{Kind: a, CRMField: "Country", DeskField: "country", Type: app.FieldText},
	}
}

// CRMFields returns the CRM fields of kind that can be mapped (custom
// fields are mapped as app.CRMCustomPrefix + key).
func CRMFields(kind string) []app.CRMField {
	t := func(name, label, typ string) app.CRMField {
		return app.CRMField{Kind: kind, Name: name, Label: label, Type: typ}
	}
	switch kind {
	case app.KindContact:
		return []app.CRMField{t("FirstName", "First name", app.FieldText), t("LastName", "Last name", app.FieldText),
			t("LastNameReading", "Last name reading", app.FieldText), t("FirstNameReading", "First name reading", app.FieldText),
			t("Email", "Email", app.FieldEmail), t("Phone", "Phone", app.FieldPhone), t("Mobile", "Mobile", app.FieldPhone),
			t("Title", "Title", app.FieldText), t("Notes", "Notes", app.FieldText), t(app.CRMFieldCompany, "Company", app.FieldAccount)}
	case app.KindCompany:
		return []app.CRMField{t("Name", "Name", app.FieldText), t("NameReading", "Name reading", app.FieldText),
			t("Email", "Email", app.FieldEmail),
			t("Website", "Website", app.FieldURL), t("Phone", "Phone", app.FieldPhone), t("Industry", "Industry", app.FieldText),
			t("City", "City", app.FieldText), t("Country", "Country", app.FieldText), t("Notes", "Notes", app.FieldText)}
	}
	return nil
}

// requiredDeskField is the field Desk refuses to create a record without.
func requiredDeskField(kind string) string {
	if kind == app.KindCompany {
		return "accountName"
	}
	return "lastName"
}

// standardDeskFields lists Desk's built-in fields per kind with our types,
// used when the portal's field metadata cannot be read.
func standardDeskFields(kind string) []app.DeskField {
	f := func(api, label, typ string, req bool) app.DeskField {
		return app.DeskField{Kind: kind, APIName: api, Label: label, Type: typ, Required: req}
	}
	if kind == app.KindCompany {
		return []app.DeskField{f("accountName", "Account Name", app.FieldText, true), f("email", "Email", app.FieldEmail, false),
			f("website", "Website", app.FieldURL, false), f("phone", "Phone", app.FieldPhone, false), f("fax", "Fax", app.FieldPhone, false),
			f("industry", "Industry", app.FieldText, false), f("description", "Description", app.FieldText, false),
			f("street", "Street", app.FieldText, false), f("city", "City", app.FieldText, false), f("state", "State", app.FieldText, false),
			f("country", "Country", app.FieldText, false), f("code", "Code", app.FieldText, false)}
	}
	return []app.DeskField{f("firstName", "First Name", app.FieldText, false), f("lastName", "Last Name", app.FieldText, true),
		f("email", "Email", app.FieldEmail, false), f("secondaryEmail", "Secondary Email", app.FieldEmail, false),
		f("phone", "Phone", app.FieldPhone, false), f("mobile", "Mobile", app.FieldPhone, false), f("title", "Title", app.FieldText, false),
		f("accountId", "Account Name", app.FieldAccount, false), f("description", "Description", app.FieldText, false),
		f("type", "Type", app.FieldText, false)}
}

// deskFieldsFromMeta converts Desk's organizationFields answer.
func deskFieldsFromMeta(kind string, ms []desk.FieldMeta) []app.DeskField {
	out := make([]app.DeskField, 0, len(ms))
	for _, m := range ms {
		api := m.APIName
		if m.IsCustomField || strings.HasPrefix(api, "cf_") {
			api = app.DeskCustomPrefix + api
		}
		typ := deskType(m.Type)
		if kind == app.KindContact && api == "accountId" {
			typ = app.FieldAccount // a lookup of the contact's account
		}
		out = append(out, app.DeskField{Kind: kind, APIName: api, Label: m.DisplayLabel, Type: typ,
			Required: m.IsMandatory, Custom: m.IsCustomField, MaxLength: int(m.MaxLength), AllowedValues: m.Values()})
	}
	return out
}

// deskType maps Desk's field types to ours.
func deskType(t string) string {
	switch strings.ToLower(t) {
	case "email":
		return app.FieldEmail
	case "phone":
		return app.FieldPhone
	case "url", "website":
		return app.FieldURL
	case "number", "decimal", "currency", "percent", "integer", "long", "double":
		return app.FieldNumber
	case "boolean", "checkbox":
		return app.FieldBoolean
	case "date":
		return app.FieldDate
	}
	return app.FieldText
}

// compatible reports whether a CRM field of type crm can hold values of a
// Desk field of type dsk. Text holds anything; the rest must agree.
func compatible(crm, dsk string) bool {
	if crm == app.FieldAccount || dsk == app.FieldAccount {
		return crm == dsk // only a contact's company holds a Desk account
	}
	if crm == dsk || crm == app.FieldText {
		return true
	}
	if dsk == app.FieldText {
		return crm != app.FieldNumber && crm != app.FieldBoolean && crm != app.FieldDate
	}
	return false
}

// ValidateMappings checks a mapping set against Desk's fields: known CRM
// and Desk fields, compatible types, no field mapped twice, and each kind's
// required Desk field mapped. fields may be nil (Desk's standard fields are
// assumed). It returns an EINVALID *app.Error with a *app.ValidationError.
func ValidateMappings(ms []app.FieldMapping, fields []app.DeskField) error {
	var fe []app.FieldError
	add := func(field, msg string) { fe = append(fe, app.FieldError{Field: field, Message: msg}) }
	if fields == nil {
		fields = append(standardDeskFields(app.KindContact), standardDeskFields(app.KindCompany)...)
	}
	seenCRM, seenDesk := map[string]bool{}, map[string]bool{}
	mapped := map[string]bool{}
	for i, m := range ms {
		where := fmt.Sprintf("Mappings[%d]", i)
		if m.Kind != app.KindContact && m.Kind != app.KindCompany {
			add(where, "Choose contacts or accounts")
			continue
		}
		crmType := ""
		if strings.HasPrefix(m.CRMField, app.CRMCustomPrefix) && len(m.CRMField) > len(app.CRMCustomPrefix) {
			crmType = app.FieldText
		}
		for _, f := range CRMFields(m.Kind) {
			if f.Name == m.CRMField {
				crmType = f.Type
			}
		}
		if crmType == "" {
			add(where, "Unknown CRM field "+m.CRMField)
			continue
		}
		var df *app.DeskField
		for j := range fields {
			if fields[j].Kind == m.Kind && fields[j].APIName == m.DeskField {
				df = &fields[j]
			}
		}
		if df == nil && strings.HasPrefix(m.DeskField, app.DeskCustomPrefix+"cf_") {
			df = &app.DeskField{Kind: m.Kind, APIName: m.DeskField, Type: m.Type}
		}
		if df == nil {
			add(where, "Unknown Desk field "+m.DeskField)
			continue
		}
		if !compatible(crmType, df.Type) {
			add(where, fmt.Sprintf("%s (%s) cannot hold %s values", m.CRMField, crmType, df.Type))
		}
		if seenCRM[m.Kind+m.CRMField] || seenDesk[m.Kind+m.DeskField] {
			add(where, "A field is mapped twice")
		}
		seenCRM[m.Kind+m.CRMField], seenDesk[m.Kind+m.DeskField] = true, true
		mapped[m.Kind+"/"+m.DeskField] = true
	}
	for _, f := range fields {
		if f.Required && !mapped[f.Kind+"/"+f.APIName] && (f.APIName == requiredDeskField(f.Kind) || !f.Custom) {
			add("Mappings", fmt.Sprintf("Desk requires %s; map a CRM field to it", f.Label))
		}
	}
	if len(fe) == 0 {
		return nil
	}
	return &app.Error{Code: app.EINVALID, Message: "Please correct the field mapping.", Err: &app.ValidationError{Fields: fe}}
}

// mappingsFor returns the mappings of one kind.
func mappingsFor(ms []app.FieldMapping, kind string) []app.FieldMapping {
	var out []app.FieldMapping
	for _, m := range ms {
		if m.Kind == kind {
			out = append(out, m)
		}
	}
	return out
}

// canonical puts a value in the one string form both sides are compared
// in, so formatting differences never look like edits.
func canonical(typ, s string) string {
	s = strings.TrimSpace(s)
	switch typ {
	case app.FieldNumber:
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return strconv.FormatFloat(f, 'f', -1, 64)
		}
	case app.FieldBoolean:
		if b, err := strconv.ParseBool(s); err == nil {
			return strconv.FormatBool(b)
		}
	case app.FieldDate:
		if len(s) >= 10 && app.ValidDate(s[:10]) {
			return s[:10]
		}
	}
	return s
}

// anyString turns a JSON value into a string.
func anyString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// deskValue turns a canonical value into what Desk expects for typ; the
// empty string clears the field (nil).
func deskValue(typ, s string) any {
	if s == "" {
		return nil
	}
	switch typ {
	case app.FieldNumber:
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f
		}
	case app.FieldBoolean:
		if b, err := strconv.ParseBool(s); err == nil {
			return b
		}
	}
	return s
}

// contactRemote turns a Desk contact into its remote copy: every field as
// a string, custom fields as cf.<name>.
func contactRemote(org string, c desk.Contact) app.RemoteRecord {
	v := map[string]string{
		"firstName": c.FirstName, "lastName": c.LastName, "email": c.Email, "secondaryEmail": c.SecondaryEmail,
		"phone": c.Phone, "mobile": c.Mobile, "title": c.Title, "accountId": c.AccountID,
		"description": c.Description, "type": c.Type,
	}
	for k, x := range c.CF {
		v[app.DeskCustomPrefix+k] = anyString(x)
	}
	return app.RemoteRecord{OrgID: org, Kind: app.KindContact, DeskID: c.ID, MatchKey: app.NormalizeEmail(c.Email),
		Modified: c.ModifiedTime.Time, Created: c.CreatedTime.Time, Values: v}
}

// accountRemote turns a Desk account into its remote copy.
func accountRemote(org string, a desk.Account) app.RemoteRecord {
	v := map[string]string{
		"accountName": a.AccountName, "email": a.Email, "website": a.Website, "phone": a.Phone, "fax": a.Fax,
		"industry": a.Industry, "description": a.Description, "street": a.Street, "city": a.City,
		"state": a.State, "country": a.Country, "code": a.Code,
	}
	for k, x := range a.CF {
		v[app.DeskCustomPrefix+k] = anyString(x)
	}
	return app.RemoteRecord{OrgID: org, Kind: app.KindCompany, DeskID: a.ID, MatchKey: app.NormalizeName(a.AccountName),
		Modified: a.ModifiedTime.Time, Created: a.CreatedTime.Time, Values: v}
}

// contactField returns a pointer to a contact's string field, or nil for
// custom fields (handled through Custom).
func contactField(c *app.Contact, name string) *string {
	switch name {
	case "FirstName":
		return &c.FirstName
	case "LastName":
		return &c.LastName
	case "FirstNameReading":
		return &c.FirstNameReading
	case "LastNameReading":
		return &c.LastNameReading
	case "Email":
		return &c.Email
	case "Phone":
		return &c.Phone
	case "Mobile":
		return &c.Mobile
	case "Title":
		return &c.Title
	case "Notes":
		return &c.Notes
	}
	return nil
}

func companyField(c *app.Company, name string) *string {
	switch name {
	case "Name":
		return &c.Name
	case "NameReading":
		return &c.NameReading
	case "Email":
		return &c.Email
	case "Website":
		return &c.Website
	case "Phone":
		return &c.Phone
	case "Industry":
		return &c.Industry
	case "City":
		return &c.City
	case "Country":
		return &c.Country
	case "Notes":
		return &c.Notes
	}
	return nil
}

// record abstracts a contact or a company for the mapping code.
type record struct {
	kind    string
	contact *app.Contact
	company *app.Company
}

func (r record) id() int64 {
	if r.contact != nil {
		return r.contact.ID
	}
	return r.company.ID
}

func (r record) rev() int64 {
	if r.contact != nil {
		return r.contact.Rev
	}
	return r.company.Rev
}

// created is when the CRM record was created: with its id, it tells the
// record apart from a later one that reused a deleted record's id.
func (r record) created() time.Time {
	if r.contact != nil {
		return r.contact.CreatedAt
	}
	return r.company.CreatedAt
}

func (r record) name() string {
	if r.contact != nil {
		return r.contact.DisplayName()
	}
	return r.company.Name
}

func (r record) custom() *map[string]string {
	if r.contact != nil {
		return &r.contact.Custom
	}
	return &r.company.Custom
}

func (r record) field(name string) *string {
	if r.contact != nil {
		return contactField(r.contact, name)
	}
	return companyField(r.company, name)
}

// get returns the canonical value of a mapped CRM field.
func (r record) get(m app.FieldMapping) string {
	if key, ok := strings.CutPrefix(m.CRMField, app.CRMCustomPrefix); ok {
		return canonical(m.Type, (*r.custom())[key])
	}
	if p := r.field(m.CRMField); p != nil {
		return canonical(m.Type, *p)
	}
	return ""
}

// set writes a canonical value into a mapped CRM field.
func (r record) set(m app.FieldMapping, v string) {
	if key, ok := strings.CutPrefix(m.CRMField, app.CRMCustomPrefix); ok {
		cm := r.custom()
		if *cm == nil {
			*cm = map[string]string{}
		}
		if v == "" {
			delete(*cm, key)
		} else {
			(*cm)[key] = v
		}
		return
	}
	if p := r.field(m.CRMField); p != nil {
		*p = v
	}
}

// values returns the canonical values of every mapped field, keyed by Desk field.
func (r record) values(ms []app.FieldMapping) map[string]string {
	out := make(map[string]string, len(ms))
	for _, m := range ms {
		out[m.DeskField] = r.get(m)
	}
	return out
}

// remoteValues returns a Desk record's mapped values, canonical, keyed by Desk field.
func remoteValues(rr *app.RemoteRecord, ms []app.FieldMapping) map[string]string {
	out := make(map[string]string, len(ms))
	for _, m := range ms {
		out[m.DeskField] = canonical(m.Type, rr.Values[m.DeskField])
	}
	return out
}

// deskFields builds a Desk create/update body from canonical values.
func deskFields(ms []app.FieldMapping, vals map[string]string) desk.Fields {
	f := desk.Fields{}
	var cf map[string]any
	for _, m := range ms {
		v, ok := vals[m.DeskField]
		if !ok {
			continue
		}
		if name, ok := strings.CutPrefix(m.DeskField, app.DeskCustomPrefix); ok {
			if cf == nil {
				cf = map[string]any{}
			}
			cf[name] = deskValue(m.Type, v)
			continue
		}
		f[m.DeskField] = deskValue(m.Type, v)
	}
	if cf != nil {
		f["cf"] = cf
	}
	return f
}
