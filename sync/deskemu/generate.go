package deskemu

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tandem-crm/tandem/sync/desk"
)

var (
	westernFirst = []string{"Alice", "Oliver", "Emma", "Liam", "Sophie", "Lucas", "Mia", "Noah", "Chloé", "Mateo", "Zoë", "Finn", "Hannah", "Jonas", "Grace", "Samuel", "Léa", "Aaron", "Nora", "Élodie"}
	westernLast  = []string{"Smith", "Müller", "Dubois", "García", "O'Brien", "Johnson", "Rossi", "Novak", "Andersson", "Kowalski", "Brown", "van der Berg", "Martin", "Silva", "Nguyen", "Schmidt", "Taylor", "Lefèvre"}
	// Japanese names: family name first in Japanese order; stored as
	// lastName / firstName like Desk does, with a romanized email.
	jpFamily = []struct{ kanji, romaji string }{
		{"山田", "yamada"}, {"佐藤", "sato"}, {"鈴木", "suzuki"}, {"高橋", "takahashi"}, {"田中", "tanaka"},
		{"伊藤", "ito"}, {"渡辺", "watanabe"}, {"中村", "nakamura"}, {"小林", "kobayashi"}, {"加藤", "kato"},
	}
	jpGiven = []struct{ kanji, romaji string }{
		{"太郎", "taro"}, {"花子", "hanako"}, {"一郎", "ichiro"}, {"美咲", "misaki"}, {"健", "ken"},
		{"さくら", "sakura"}, {"翔", "sho"}, {"陽子", "yoko"}, {"大輔", "daisuke"}, {"結衣", "yui"},
	}
	westernCo1 = []string{"Northwind", "Blue Harbor", "Acorn", "Silverline", "Redwood", "Polar", "Brightside", "Keystone", "Meridian", "Oakridge", "Lumen", "Harbor & Finch"}
	westernCo2 = []string{"Traders", "Logistics", "Analytics", "Foods", "Robotics", "Consulting", "Outfitters", "Labs", "GmbH", "S.A.", "Ltd.", "Inc."}
	jpCo1      = []string{"山田", "東京", "大阪", "さくら", "富士", "青葉", "北斗", "日の出"}
	jpCo2      = []string{"製作所", "商事", "物産", "工業", "電機", "食品"}
	industries = []string{"Manufacturing", "Retail", "Software", "Logistics", "Healthcare", "Education", "Finance"}
	cities     = []struct{ city, country string }{{"Berlin", "Germany"}, {"Lyon", "France"}, {"Austin", "USA"}, {"東京", "Japan"}, {"大阪", "Japan"}, {"Toronto", "Canada"}, {"Madrid", "Spain"}}
	subjects   = []string{
		"Cannot log in after password reset", "Invoice %d shows the wrong amount", "Shipment delayed — order #%d",
		"Feature request: export to CSV", "App crashes when opening settings", "Refund for duplicate charge",
		"ログインできません", "請求書の金額が違います (No.%d)", "Need help configuring SSO", "Printer driver error 0x%04x",
		"Question about the annual plan", "Damaged item received", "API returns 500 on /orders", "Change of billing address",
	}
	replies = []string{
		"<p>Thanks for reaching out! We're looking into it and will get back to you shortly.</p>",
		"<p>Could you send us a screenshot of the error?</p><p>Best regards,<br>Support</p>",
		"<p>We have issued the refund. It should appear within <b>5–7 business days</b>.</p>",
		"<p>お問い合わせありがとうございます。確認いたします。</p>",
		"<div>This should now be fixed. Please let us know if the problem persists.</div>",
	}
	customerMsgs = []string{
		"<p>Hello,</p><p>%s. This started yesterday.</p><p>Regards</p>",
		"<div dir=\"ltr\">Hi team,<br><br>%s<br><br>Thanks!</div>",
		"<p>%s</p><blockquote>On Monday you wrote:<br>previous message</blockquote>",
		"<p>いつもお世話になっております。%s</p>",
	}
	// hostile bodies exercise the UI's HTML sanitizer.
	hostile = []string{
		"<p>Please help</p><script>alert('pwned')</script>",
		"<p>See attached</p><img src=http://evil.example/pixel.gif onerror=\"alert(document.cookie)\">",
		"<div><b>unclosed <i>tags <p>everywhere <table><tr><td>cell",
		"<a href=\"javascript:alert(1)\">click here</a> <iframe src=\"http://evil.example/frame\"></iframe>",
		"<style>body{display:none}</style><p onmouseover=\"steal()\">hover me</p>",
		"<svg><script>alert(1)</script></svg><form action=\"http://evil.example\"><input name=pw></form>",
	}
	comments = []string{
		"Customer is on the Gold plan, please prioritise.",
		"Checked the logs: timeout on the payment gateway.",
		"Escalating to engineering.",
		"請求チームに確認中です。",
		"Duplicate of an earlier ticket; merged notes here.",
	}
	feedbacks = []string{"Quick and helpful, thank you!", "Took too long.", "", "とても丁寧な対応でした。", "Problem solved on the first reply."}
)

func deepNesting(n int) string {
	return strings.Repeat("<div>", n) + "deeply nested" + strings.Repeat("</div>", n/2) // half unclosed
}

func (s *Server) pick(list []string) string { return list[s.rnd.IntN(len(list))] }

func (s *Server) generate() {
	mk := func(first, last, email string) *user {
		u := &user{ID: fmt.Sprintf("5%09d", len(s.users)+1), FirstName: first, LastName: last, Email: email}
		s.users = append(s.users, u)
		return u
	}
	alice := mk("Alice", "Moreau", "alice@acme-support.example")
	kenji := mk("Kenji", "Sato", "kenji@acme-support.example")
	carol := mk("Carol", "Diaz", "carol@acme-support.example")
	hanako := mk("花子", "鈴木", "hanako@initech.example")

	o := s.opts
	p1 := s.newPortal("700123456", "1892000", "Acme Support", "acmesupport", "Enterprise",
		[][2]string{{"Open", "Open"}, {"In Progress", "Open"}, {"On Hold", "On Hold"}, {"Escalated", "Open"}, {"Closed", "Closed"}})
	p1.addAgent(alice, "admin")
	p1.addAgent(kenji, "agent")
	p1.addAgent(carol, "readonly")
	s.fill(p1, o.Contacts, o.Accounts, o.Tickets)

	p2 := s.newPortal("700654321", "2231000", "Globex Help", "globexhelp", "Professional",
		[][2]string{{"Open", "Open"}, {"Pending", "On Hold"}, {"Resolved", "Closed"}, {"Closed", "Closed"}})
	p2.addAgent(alice, "admin")
	p2.addAgent(kenji, "readonly")
	s.fill(p2, max(o.Contacts/5, 3), max(o.Accounts/5, 2), max(o.Tickets/5, 5))

	p3 := s.newPortal("700999888", "3310000", "Initech Service Desk", "initech", "Standard",
		[][2]string{{"Open", "Open"}, {"On Hold", "On Hold"}, {"Closed", "Closed"}})
	p3.addAgent(hanako, "admin")
	s.fill(p3, max(o.Contacts/5, 3), max(o.Accounts/5, 2), max(o.Tickets/5, 5))

	// Demo tokens that never expire, so a long demo keeps working.
	for _, u := range s.users {
		name := strings.SplitN(u.Email, "@", 2)[0]
		s.access["1000.demo-"+name+".access"] = tokenInfo{user: u}
		s.refresh["1000.demo-"+name+".refresh"] = u
	}
}

func (s *Server) newPortal(orgID, prefix, company, portalName, edition string, statuses [][2]string) *portal {
	p := &portal{
		org: org{ID: orgID, CompanyName: company, PortalName: portalName,
			PortalURL: "https://desk.example.invalid/support/" + portalName, Edition: edition},
		prefix:      prefix,
		profiles:    map[string]profile{},
		roleProfile: map[string]string{},
		statuses:    map[string]string{},
		contactsBy:  map[string]*contact{},
		accountsBy:  map[string]*account{},
		ticketsBy:   map[string]*ticket{},
		ticketSeq:   100,
	}
	_ = s.rnd.Uint64() // was a ZSC key; drawn still, so the generated data stays the same
	for _, st := range statuses {
		p.statuses[st[0]] = st[1]
		p.statusOrder = append(p.statusOrder, st[0])
	}
	perms := func(create, edit, mail, del bool) map[string]bool {
		return map[string]bool{desk.PermView: true, desk.PermCreate: create, desk.PermEdit: edit, desk.PermMailSend: mail,
			"delete": del, "closeTicket": edit, "mergeTickets": edit}
	}
	for _, pr := range []struct {
		key, name, typ string
		perm           map[string]bool
	}{
		{"admin", "Administrator", "System", perms(true, true, true, true)},
		{"agent", "Support Agent", "System", perms(true, true, true, false)},
		{"readonly", "Read Only", "Custom", perms(false, false, false, false)},
	} {
		id := p.newID()
		p.roleProfile[pr.key] = id
		p.profiles[id] = profile{ID: id, Name: pr.name, Type: pr.typ, Default: pr.key != "readonly",
			Permissions: map[string]map[string]bool{desk.PermModuleTickets: pr.perm, desk.PermModuleContacts: pr.perm, desk.PermModuleAccounts: pr.perm}}
	}
	for i, d := range []struct {
		name    string
		enabled bool
	}{{"Support", true}, {"Billing", true}, {"Sales", false}} {
		dep := department{ID: p.newID(), Name: d.name, Enabled: d.enabled, Default: i == 0}
		p.departments = append(p.departments, dep)
		local := strings.ToLower(d.name)
		// Each department has its support address; Support also an
		// inactive old one, which replies must not use.
		if i == 0 {
			p.addresses = append(p.addresses, replyAddress{ID: p.newID(), Address: "old-help@" + portalName + ".example",
				DisplayName: company, DepartmentID: dep.ID, Active: false, Verified: true})
			local = "support"
		}
		p.addresses = append(p.addresses, replyAddress{ID: p.newID(), Address: local + "@" + portalName + ".example",
			DisplayName: senderName(company, d.name, i == 0), DepartmentID: dep.ID, Active: true, Verified: true})
	}
	p.addSamples(company, portalName)
	p.fields = portalFields(p)
	s.portals = append(s.portals, p)
	s.byOrg[orgID] = p
	return p
}

// senderName is a department's From name as a customer reads it: the
// company's name for its main department (the demo companies are named
// like help desks already: "Acme Support", not "Acme Support Support"),
// "Acme Support – Billing" for the others.
func senderName(company, department string, main bool) string {
	if main {
		return company
	}
	return company + " – " + department
}

func (p *portal) addAgent(u *user, role string) {
	pr := p.profiles[p.roleProfile[role]]
	p.agents = append(p.agents, &agent{ID: p.newID(), User: u, ProfileID: pr.ID, RoleID: p.prefix + "000000999", Admin: role == "admin"})
}

func portalFields(p *portal) map[string][]field {
	f := func(api, label, typ string, mandatory, custom bool, maxLen int, allowed ...string) field {
		return field{ID: p.newID(), APIName: api, Label: label, Type: typ, Mandatory: mandatory, Custom: custom, MaxLength: maxLen, Allowed: allowed}
	}
	return map[string][]field{
		"contacts": {
			f("firstName", "First Name", "Text", false, false, 100),
			f("lastName", "Last Name", "Text", true, false, 80),
			f("email", "Email", "Email", false, false, 100),
			f("secondaryEmail", "Secondary Email", "Email", false, false, 100),
			f("phone", "Phone", "Phone", false, false, 50),
			f("mobile", "Mobile", "Phone", false, false, 50),
			f("title", "Title", "Text", false, false, 100),
			f("accountId", "Account Name", "LookUp", false, false, 0),
			f("description", "Description", "Textarea", false, false, 5000),
			f("type", "Type", "Picklist", false, false, 120, "Customer", "Partner", "Prospect"),
			f("cf_customer_tier", "Customer Tier", "Picklist", false, true, 120, "Gold", "Silver", "Bronze"),
			f("cf_crm_reference", "CRM Reference", "Text", false, true, 255),
		},
		"accounts": {
			f("accountName", "Account Name", "Text", true, false, 200),
			f("email", "Email", "Email", false, false, 100),
			f("website", "Website", "URL", false, false, 120),
			f("phone", "Phone", "Phone", false, false, 50),
			f("fax", "Fax", "Phone", false, false, 50),
			f("industry", "Industry", "Picklist", false, false, 120, industries...),
			f("description", "Description", "Textarea", false, false, 5000),
			f("street", "Street", "Text", false, false, 250),
			f("city", "City", "Text", false, false, 100),
			f("state", "State", "Text", false, false, 100),
			f("country", "Country", "Text", false, false, 100),
			f("code", "Zip Code", "Text", false, false, 30),
			f("cf_segment", "Segment", "Picklist", false, true, 120, "SMB", "Mid-market", "Enterprise"),
		},
		"tickets": {
			f("subject", "Subject", "Text", true, false, 255),
			f("departmentId", "Department", "LookUp", true, false, 0),
			f("contactId", "Contact Name", "LookUp", true, false, 0),
			f("status", "Status", "Picklist", false, false, 120, p.statusOrder...),
			f("priority", "Priority", "Picklist", false, false, 120, "High", "Medium", "Low"),
			f("channel", "Channel", "Picklist", false, false, 120, "Email", "Phone", "Web", "Chat"),
			f("email", "Email", "Email", false, false, 100),
			f("phone", "Phone", "Phone", false, false, 50),
			f("dueDate", "Due Date", "DateTime", false, false, 0),
			f("description", "Description", "Textarea", false, false, 65535),
			f("cf_product", "Product", "Text", false, true, 255),
		},
	}
}

// notAfter keeps a generated time in the past of the emulator's clock
// (a minute before now at the latest), so edits made now are the newest.
func notAfter(t, now time.Time) time.Time {
	if limit := now.Add(-time.Minute); t.After(limit) {
		return limit
	}
	return t
}

// fill generates accounts, contacts and tickets with threads, comments
// and ratings, deterministically from the server's seed.
func (s *Server) fill(p *portal, nContacts, nAccounts, nTickets int) {
	now := s.clock.now()
	start := now.Add(-60 * 24 * time.Hour)
	at := func() time.Time {
		return start.Add(time.Duration(s.rnd.Int64N(int64(58 * 24 * time.Hour)))).Truncate(time.Millisecond)
	}
	seen := map[string]bool{}
	for i := 0; i < nAccounts; i++ {
		var name string
		if s.rnd.IntN(4) == 0 {
			name = "株式会社" + s.pick(jpCo1) + s.pick(jpCo2)
		} else {
			name = s.pick(westernCo1) + " " + s.pick(westernCo2)
		}
		for n := 2; seen[strings.ToLower(name)]; n++ {
			name = fmt.Sprintf("%s %d", strings.TrimRight(strings.TrimRightFunc(name, func(r rune) bool { return r >= '0' && r <= '9' }), " "), n)
		}
		seen[strings.ToLower(name)] = true
		c := cities[s.rnd.IntN(len(cities))]
		t := at()
		domain := fmt.Sprintf("company%d.example", i+1)
		a := &account{ID: p.newID(), AccountName: name, Email: "info@" + domain, Website: "https://www." + domain,
			Phone: fmt.Sprintf("+1 555 %04d", s.rnd.IntN(10000)), Industry: s.pick(industries), City: c.city, Country: c.country,
			CF: map[string]any{"cf_segment": []string{"SMB", "Mid-market", "Enterprise"}[s.rnd.IntN(3)]}, Created: t,
			Modified: notAfter(t.Add(time.Duration(s.rnd.IntN(72))*time.Hour), now)}
		a.WebURL = p.org.PortalURL + "/agent/accounts/" + a.ID
		p.accounts = append(p.accounts, a)
		p.accountsBy[a.ID] = a
		p.accountMod.insert(a)
	}
	for i := 0; i < nContacts; i++ {
		ct := &contact{ID: p.newID(), CF: map[string]any{"cf_customer_tier": nil, "cf_crm_reference": nil}}
		var local string
		if s.rnd.IntN(10) < 3 {
			f, g := jpFamily[s.rnd.IntN(len(jpFamily))], jpGiven[s.rnd.IntN(len(jpGiven))]
			ct.LastName, ct.FirstName = f.kanji, g.kanji
			local = g.romaji + "." + f.romaji
		} else {
			ct.FirstName, ct.LastName = s.pick(westernFirst), s.pick(westernLast)
			local = strings.ToLower(strings.NewReplacer(" ", "", "'", "", "é", "e", "è", "e", "ë", "e", "ü", "u").Replace(ct.FirstName + "." + ct.LastName))
		}
		switch r := s.rnd.IntN(20); {
		case r == 0: // no email: "+ Ticket" must not be offered
		case r == 1:
			ct.Email = strings.ToUpper(fmt.Sprintf("%s%d@Example.COM", local, i)) // normalisation case
		default:
			ct.Email = fmt.Sprintf("%s%d@example.com", local, i)
		}
		if s.rnd.IntN(10) < 7 && len(p.accounts) > 0 {
			ct.AccountID = p.accounts[s.rnd.IntN(len(p.accounts))].ID
		}
		ct.Phone = fmt.Sprintf("+81 3 %04d %04d", s.rnd.IntN(10000), s.rnd.IntN(10000))
		ct.Type = "Customer"
		if s.rnd.IntN(3) == 0 {
			ct.CF["cf_customer_tier"] = []string{"Gold", "Silver", "Bronze"}[s.rnd.IntN(3)]
		}
		t := at()
		ct.Created, ct.Modified = t, notAfter(t.Add(time.Duration(s.rnd.IntN(72))*time.Hour), now)
		ct.WebURL = p.org.PortalURL + "/agent/contacts/" + ct.ID
		p.contacts = append(p.contacts, ct)
		p.contactsBy[ct.ID] = ct
		p.contactMod.insert(ct)
	}
	// store in creation order (the lists' default order needs no sort)
	slices.SortStableFunc(p.accounts, func(a, b *account) int { return a.Created.Compare(b.Created) })
	slices.SortStableFunc(p.contacts, func(a, b *contact) int { return a.Created.Compare(b.Created) })
	if len(p.contacts) == 0 {
		return
	}
	var agents []*agent
	for _, a := range p.agents {
		if a.Admin || p.profiles[a.ProfileID].Permissions[desk.PermModuleTickets][desk.PermMailSend] {
			agents = append(agents, a)
		}
	}
	var all []*ticket
	for i := 0; i < nTickets; i++ {
		ct := p.contacts[s.rnd.IntN(len(p.contacts))]
		created := at()
		p.ticketSeq++
		subj := s.pick(subjects)
		if strings.Contains(subj, "%") {
			subj = fmt.Sprintf(subj, 1000+s.rnd.IntN(9000))
		}
		var desc string
		switch r := s.rnd.IntN(10); {
		case r == 0:
			desc = s.pick(hostile)
		case r == 1 && i%7 == 0:
			desc = deepNesting(300)
		default:
			desc = fmt.Sprintf(s.pick(customerMsgs), subj)
		}
		t := &ticket{
			ID: p.newID(), Number: fmt.Sprint(p.ticketSeq), Subject: subj, Channel: []string{"Email", "Web", "Phone"}[s.rnd.IntN(3)],
			Priority: []string{"High", "Medium", "Low", ""}[s.rnd.IntN(4)], Email: ct.Email, Phone: ct.Phone,
			ContactID: ct.ID, AccountID: ct.AccountID, DepartmentID: p.departments[s.rnd.IntN(2)].ID,
			Escalated: s.rnd.IntN(20) == 0, Created: created, CF: map[string]any{"cf_product": nil}, Description: desc,
		}
		t.WebURL = p.org.PortalURL + "/agent/tickets/" + t.ID
		if len(agents) > 0 && s.rnd.IntN(4) > 0 {
			t.AssigneeID = agents[s.rnd.IntN(len(agents))].ID
		}
		support := p.departmentMail(t.DepartmentID)
		// conversation
		ts := created
		custName := strings.TrimSpace(ct.FirstName + " " + ct.LastName)
		nThreads := 1 + s.rnd.IntN(4)
		for j := 0; j < nThreads; j++ {
			th := &thread{ID: p.newID(), Channel: "EMAIL", ContentType: "html", Visibility: "public"}
			if j > 0 {
				ts = notAfter(ts.Add(time.Duration(1+s.rnd.IntN(48*60))*time.Minute), now)
			}
			th.Created = ts
			if j%2 == 0 {
				th.Content = desc
				if j > 0 {
					th.Content = fmt.Sprintf(s.pick(customerMsgs), "Any update on this?")
				}
				th.Direction, th.From, th.To = "in", ct.Email, support
				th.Author = author{Name: custName, Email: ct.Email, Type: "END_USER"}
				if s.rnd.IntN(8) == 0 {
					th.CC = "colleague@" + strings.SplitN(ct.Email+"@example.com", "@", 3)[1]
				}
			} else {
				a := agents[s.rnd.IntN(len(agents))]
				th.Content = s.pick(replies)
				th.Direction, th.From, th.To = "out", support, ct.Email
				th.Author = author{ID: a.ID, Name: a.User.name(), Email: a.User.Email, Type: "AGENT"}
			}
			if ct.Email == "" {
				th.From = support
			}
			th.Summary = summarize(th.Content)
			t.threads = append(t.threads, th)
		}
		for j := s.rnd.IntN(3); j > 0 && len(agents) > 0; j-- {
			ts = notAfter(ts.Add(time.Duration(1+s.rnd.IntN(600))*time.Minute), now)
			a := agents[s.rnd.IntN(len(agents))]
			content := s.pick(comments)
			if s.rnd.IntN(3) == 0 {
				other := p.agents[s.rnd.IntN(len(p.agents))]
				content = encodeMention(other.User.ID) + " " + content
			}
			t.comments = append(t.comments, &comment{ID: p.newID(), Content: content, ContentType: "plainText", Commenter: a, Commented: ts})
		}
		st := p.statusOrder[s.rnd.IntN(len(p.statusOrder))]
		t.Status, t.StatusType = st, p.statusType(st)
		if t.StatusType == "Closed" {
			ts = notAfter(ts.Add(time.Duration(1+s.rnd.IntN(600))*time.Minute), now)
			t.Closed = ts
			if s.rnd.IntN(2) == 0 {
				p.ratings = append(p.ratings, &rating{ID: p.newID(), Rating: []string{desk.RatingGood, desk.RatingGood, desk.RatingOK, desk.RatingBad}[s.rnd.IntN(4)],
					Feedback: s.pick(feedbacks), TicketID: t.ID, ContactID: ct.ID, DepartmentID: t.DepartmentID, Rated: notAfter(ts.Add(time.Hour), now)})
			}
		}
		if s.rnd.IntN(2) == 0 {
			// due dates around now: some overdue
			t.Due = now.Add(time.Duration(s.rnd.IntN(10*24)-5*24) * time.Hour).Truncate(time.Minute)
		}
		if t.threads[0].Direction == "in" {
			t.CustomerResponse = t.threads[len(t.threads)-1].Created
		}
		if ts.After(now) {
			ts = now.Add(-time.Minute)
		}
		t.Modified = ts
		all = append(all, t)
	}
	// store in creation order, index by modification
	slices.SortStableFunc(all, func(a, b *ticket) int { return a.Created.Compare(b.Created) })
	for _, t := range all {
		p.addTicket(t)
	}
	slices.SortStableFunc(p.ratings, func(a, b *rating) int { return a.Rated.Compare(b.Rated) })
}
