package transfer

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/tandem-crm/tandem/app"
)

// Field is a Tandem field a file column can be mapped to. The tables below
// are the one place a field is described: a new field (say a reading of a
// name) is one row here plus its line in the builder of its kind.
type Field struct {
	Key   string // stable, used in mapping files: "last_name"
	Label string // English; also the translation key the window uses
	// Multiline fields may hold line breaks; in any other field a line
	// break means a quote mark went astray, so the row is refused.
	Multiline bool
	// Guesses are header names that mean this field, in any case, width
	// or spacing: English, Japanese, and Bigin's and Zoho CRM's exports.
	Guesses []string
}

// Keys every kind shares.
const (
	KeySkip     = ""         // the column is not imported
	KeyAddNotes = "add_note" // appended to the notes as "Header: value"
)

// addNotes is the field that keeps a column Tandem has no field for.
var addNotes = Field{Key: KeyAddNotes, Label: "Add to notes", Multiline: true, Guesses: []string{
	"address", "street", "mailingstreet", "mailingcity", "mailingstate", "mailingzip", "mailingcountry",
	"otherstreet", "department", "secondaryemail", "otheremails", "otherphones", "homephone", "otherphone", "fax",
	"住所", "所在地", "郵便番号", "都道府県", "部署", "部署名", "ファックス", "fax番号",
}}

// ContactFields are the fields of a contact import, in the order offered.
var ContactFields = []Field{
	{Key: "full_name", Label: "Full name (split into last and first)", Guesses: []string{
		"name", "fullname", "contactname", "displayname", "氏名", "名前", "お名前", "フルネーム", "担当者", "担当者名", "担当者氏名", "連絡先名"}},
	{Key: "last_name", Label: "Last name", Guesses: []string{"lastname", "surname", "familyname", "姓", "苗字", "名字", "氏", "せい"}},
	{Key: "first_name", Label: "First name", Guesses: []string{"firstname", "givenname", "forename", "名", "めい", "下の名前"}},
	{Key: "email", Label: "Email", Guesses: []string{
		"email", "emailaddress", "mail", "mailaddress", "primaryemail", "workemail", "businessemail",
		"メール", "メールアドレス", "eメール", "eメールアドレス", "電子メール", "電子メールアドレス", "mailアドレス"}},
	{Key: "phone", Label: "Phone", Guesses: []string{
		"phone", "telephone", "tel", "phonenumber", "workphone", "businessphone", "officephone",
		"電話", "電話番号", "tel番号", "固定電話", "会社電話", "会社電話番号", "勤務先電話"}},
	{Key: "mobile", Label: "Mobile", Guesses: []string{
		"mobile", "mobilephone", "cell", "cellphone", "mobilenumber", "携帯", "携帯電話", "携帯番号", "携帯電話番号", "スマートフォン", "スマホ"}},
	{Key: "title", Label: "Job title", Guesses: []string{"title", "jobtitle", "position", "designation", "role", "役職", "役職名", "肩書", "肩書き", "職位", "職種"}},
	{Key: "company", Label: "Company", Guesses: []string{
		"company", "companyname", "organization", "organisation", "organizationname", "account", "accountname",
		"会社", "会社名", "企業名", "勤務先", "勤務先名", "所属", "所属会社", "法人名", "取引先", "取引先名", "社名"}},
	{Key: "notes", Label: "Notes", Multiline: true, Guesses: []string{
		"notes", "note", "description", "memo", "comments", "comment", "remarks", "備考", "メモ", "説明", "詳細情報", "コメント", "特記事項"}},
	addNotes,
}

// CompanyFields are the fields of a company import.
var CompanyFields = []Field{
	{Key: "name", Label: "Company name", Guesses: []string{
		"name", "company", "companyname", "account", "accountname", "organization", "organisation",
		"会社", "会社名", "企業名", "取引先", "取引先名", "社名", "法人名", "名称"}},
	{Key: "email", Label: "Email", Guesses: []string{"email", "emailaddress", "mail", "メール", "メールアドレス", "eメール", "代表メール"}},
	{Key: "website", Label: "Website", Guesses: []string{"website", "web", "url", "homepage", "site", "ウェブサイト", "webサイト", "ホームページ", "hp", "サイト"}},
	{Key: "phone", Label: "Phone", Guesses: []string{"phone", "telephone", "tel", "phonenumber", "電話", "電話番号", "代表電話", "代表電話番号", "tel番号"}},
	{Key: "industry", Label: "Industry", Guesses: []string{"industry", "sector", "業種", "業界", "事業内容"}},
	{Key: "city", Label: "City", Guesses: []string{"city", "town", "billingcity", "shippingcity", "市区町村", "市町村", "都市", "市"}},
	{Key: "country", Label: "Country", Guesses: []string{"country", "billingcountry", "shippingcountry", "国", "国名"}},
	{Key: "notes", Label: "Notes", Multiline: true, Guesses: []string{"notes", "note", "description", "memo", "comments", "remarks", "備考", "メモ", "説明", "詳細情報"}},
	{Key: KeyAddNotes, Label: addNotes.Label, Multiline: true, Guesses: append([]string{"billingstreet", "shippingstreet", "billingstate", "billingcode"}, addNotes.Guesses...)},
}

// RecordFields are the fields of a pipeline-record import. The pipeline
// is chosen for the whole import; a stage is matched by name within it.
var RecordFields = []Field{
	{Key: "name", Label: "Record name", Guesses: []string{"name", "dealname", "recordname", "opportunityname", "商談名", "案件名", "名称", "件名", "取引名"}},
	{Key: "stage", Label: "Stage", Guesses: []string{"stage", "status", "phase", "ステージ", "段階", "フェーズ", "進捗", "ステータス"}},
	{Key: "amount", Label: "Amount", Guesses: []string{"amount", "value", "dealvalue", "dealamount", "金額", "売上", "売上金額", "見込み金額", "受注金額"}},
	{Key: "currency", Label: "Currency", Guesses: []string{"currency", "通貨"}},
	{Key: "closing_date", Label: "Closing date", Guesses: []string{
		"closingdate", "closedate", "expectedclosedate", "duedate", "完了予定日", "クローズ予定日", "締結予定日", "受注予定日", "完了日"}},
	{Key: "company", Label: "Company", Guesses: []string{"company", "companyname", "account", "accountname", "会社", "会社名", "取引先", "取引先名", "企業名"}},
	{Key: "contact_email", Label: "Contact's email", Guesses: []string{
		"contactemail", "email", "emailaddress", "メール", "メールアドレス", "担当者メール", "連絡先メール"}},
	{Key: "notes", Label: "Notes", Multiline: true, Guesses: []string{"notes", "note", "description", "memo", "備考", "メモ", "説明", "詳細情報"}},
	{Key: KeyAddNotes, Label: addNotes.Label, Multiline: true, Guesses: []string{"contactname", "連絡先名", "担当者", "subpipeline", "probability", "確度"}},
}

// Kinds of import, as app's record kinds.
const (
	KindContact = app.KindContact
	KindCompany = app.KindCompany
	KindRecord  = app.KindRecord
)

// FieldsOf returns the field table of kind.
func FieldsOf(kind string) []Field {
	switch kind {
	case KindCompany:
		return CompanyFields
	case KindRecord:
		return RecordFields
	}
	return ContactFields
}

// fieldOf returns the field with key in kind's table.
func fieldOf(kind, key string) (Field, bool) {
	for _, f := range FieldsOf(kind) {
		if f.Key == key {
			return f, true
		}
	}
	return Field{}, false
}

// normHeader folds a header for matching: NFKC (full-width to half-width,
// so "Ｅメール" is "Eメール"), lower case, and no spaces, underscores,
// hyphens, dots, middle dots or brackets; a trailing "(必須)" or "*" marker
// is dropped.
func normHeader(h string) string {
	h = norm.NFKC.String(strings.TrimSpace(strings.ReplaceAll(h, "\ufeff", "")))
	h = strings.ToLower(h)
	for _, m := range []string{"(必須)", "(任意)", "*", "※"} {
		h = strings.ReplaceAll(h, m, "")
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || strings.ContainsRune("_-.・:：()[]「」【】/", r) {
			return -1
		}
		return r
	}, h)
}

// Guess maps each header column to a field of kind: an exact match of the
// folded header against the table's guesses. A field goes to the first
// column that names it; later ones, and unknown columns, are skipped (a
// person can pick "Add to notes" for them). A full-name column is not used
// when separate last and first name columns exist.
func Guess(kind string, header []string) []string {
	fields := FieldsOf(kind)
	out := make([]string, len(header))
	taken := map[string]bool{}
	for i, h := range header {
		n := normHeader(h)
		if n == "" || n == "id" || n == "recordid" {
			continue
		}
		for _, f := range fields {
			if (f.Key == KeyAddNotes || !taken[f.Key]) && contains(f.Guesses, n) {
				out[i] = f.Key
				taken[f.Key] = true
				break
			}
		}
	}
	if kind == KindContact && taken["full_name"] && taken["last_name"] {
		for i, k := range out {
			if k == "full_name" {
				out[i] = KeySkip
			}
		}
	}
	return out
}

func contains(guesses []string, n string) bool {
	for _, g := range guesses {
		if normHeader(g) == n {
			return true
		}
	}
	return false
}
