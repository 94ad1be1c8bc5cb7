package app

// ReplyAddress is a From address a reply on a ticket may go from: an
// active, verified address of the ticket's Zoho Desk department.
type ReplyAddress struct {
	Address string
	Name    string // the display name Desk shows ("Acme Support")
	// Default marks the department's default From address.
	Default bool
}

// ReplyTemplate is one of Desk's email templates a reply may start from
// (Desk fills its placeholders when it is used).
type ReplyTemplate struct {
	ID, Name string
	Folder   string // the template folder's name ("" when none)
}

// RenderedTemplate is a template filled in by Desk for one ticket.
type RenderedTemplate struct {
	Subject string
	Body    string // HTML when HTML is set, else plain text
	HTML    bool
	// Attachments names the files the template carries in Desk. Desk's
	// definition lists them (id, name, size) but declares no download of
	// their content, so a composer cannot add them and says so.
	Attachments []string
}
