package sync_test

import (
	"context"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/sync/desk"
	"github.com/tandem-crm/tandem/sync/deskemu"
)

// accountEnv is a two-way portal whose first pass is done, with helpers to
// read a contact's company on both sides.
type accountEnv struct {
	*env
	t   *testing.T
	ctx context.Context
}

// deskAccount is the Desk account of a CRM contact's Desk twin.
func (a accountEnv) deskAccount(contactID int64) string {
	a.t.Helper()
	l, err := a.db.FindLink(a.ctx, a.org, app.KindContact, contactID)
	if err != nil {
		a.t.Fatalf("contact %d is not linked: %v", contactID, err)
	}
	d, err := a.client().GetContact(a.ctx, l.DeskID)
	if err != nil {
		a.t.Fatal(err)
	}
	return d.AccountID
}

// accountOf is the Desk account linked to a CRM company ("" for none).
func (a accountEnv) accountOf(companyID int64) string {
	a.t.Helper()
	if companyID == 0 {
		return ""
	}
	l, err := a.db.FindLink(a.ctx, a.org, app.KindCompany, companyID)
	if err != nil {
		a.t.Fatalf("company %d is not linked: %v", companyID, err)
	}
	return l.DeskID
}

func (a accountEnv) contact(id int64) *app.Contact {
	a.t.Helper()
	c, err := a.db.FindContact(a.ctx, id)
	if err != nil {
		a.t.Fatal(err)
	}
	return c
}

// TestContactCompanySync: a contact's company is Desk's accountId, both ways.
func TestContactCompanySync(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{emu: deskemu.Options{Seed: 11, Contacts: 6, Accounts: 3, Tickets: 4}, mode: app.SyncTwoWay})
	a := accountEnv{env: e, t: t, ctx: ctx}
	mustSync(t, e)

	// The first pass brings Desk's contacts in with their companies.
	cs, err := e.db.ListContacts(ctx, app.ContactFilter{Limit: 100})
	if err != nil || len(cs) != 6 {
		t.Fatalf("contacts: %d %v", len(cs), err)
	}
	withCompany := 0
	for _, c := range cs {
		if got, want := a.accountOf(c.CompanyID), a.deskAccount(c.ID); got != want {
			t.Errorf("contact %s: CRM company's account %q, Desk account %q", c.Email, got, want)
		}
		if c.CompanyID != 0 {
			withCompany++
		}
	}
	if withCompany == 0 {
		t.Fatal("no generated contact has a company: the test proves nothing")
	}
	companies, _ := e.db.ListCompanies(ctx, app.CompanyFilter{Limit: 100})

	// A new company and a new contact in it reach Desk in one pass, the
	// contact in the new account.
	initech := &app.Company{Name: "Initech"}
	if err := e.db.CreateCompany(ctx, initech); err != nil {
		t.Fatal(err)
	}
	peter := &app.Contact{FirstName: "Peter", LastName: "Gibbons", Email: "peter@initech.example", CompanyID: initech.ID}
	if err := e.db.CreateContact(ctx, peter); err != nil {
		t.Fatal(err)
	}
	mustSync(t, e)
	if got, want := a.deskAccount(peter.ID), a.accountOf(initech.ID); got == "" || got != want {
		t.Fatalf("Peter's Desk account %q, Initech's %q", got, want)
	}

	// Moving a contact in the CRM moves it on Desk.
	p := a.contact(peter.ID)
	p.CompanyID = companies[0].ID
	if err := e.db.UpdateContact(ctx, p); err != nil {
		t.Fatal(err)
	}
	mustSync(t, e)
	if got, want := a.deskAccount(peter.ID), a.accountOf(companies[0].ID); got != want {
		t.Errorf("after the CRM move: Desk account %q, want %q", got, want)
	}

	// Moving it on Desk moves it in the CRM; clearing it clears it.
	l, _ := e.db.FindLink(ctx, e.org, app.KindContact, peter.ID)
	if err := e.emu.EditContact(e.org, l.DeskID, map[string]any{"accountId": a.accountOf(initech.ID)}); err != nil {
		t.Fatal(err)
	}
	mustSync(t, e)
	if got := a.contact(peter.ID).CompanyID; got != initech.ID {
		t.Errorf("after the Desk move: CRM company %d, want Initech %d", got, initech.ID)
	}
	if err := e.emu.EditContact(e.org, l.DeskID, map[string]any{"accountId": nil}); err != nil {
		t.Fatal(err)
	}
	mustSync(t, e)
	if got := a.contact(peter.ID).CompanyID; got != 0 {
		t.Errorf("after Desk cleared the account: CRM company %d", got)
	}

	// Both change it between two passes: the CRM's change reaches Desk
	// last (one clock, Desk's: issue 12) and wins, and the conflict names
	// the companies.
	p = a.contact(peter.ID)
	p.CompanyID = companies[1].ID
	if err := e.db.UpdateContact(ctx, p); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	if err := e.emu.EditContact(e.org, l.DeskID, map[string]any{"accountId": a.accountOf(initech.ID)}); err != nil {
		t.Fatal(err)
	}
	mustSync(t, e)
	if got := a.contact(peter.ID).CompanyID; got != companies[1].ID {
		t.Errorf("after the conflict: CRM company %d, want %d", got, companies[1].ID)
	}
	conflicts, err := e.svc.Conflicts(ctx)
	if err != nil || len(conflicts) != 1 {
		t.Fatalf("conflicts: %+v %v", conflicts, err)
	}
	cf := conflicts[0]
	if cf.CRMField != app.CRMFieldCompany || cf.DeskText != "Initech" || cf.CRMText != companies[1].Name || cf.Winner != app.WinnerCRM {
		t.Errorf("conflict: %+v", cf)
	}
	// Restoring it puts Desk's company (Initech) into the CRM, and Desk
	// follows; then the CRM's company is set again for what follows.
	if err := e.svc.RestoreConflict(ctx, cf.ID); err != nil {
		t.Fatal(err)
	}
	mustSync(t, e)
	if got := a.contact(peter.ID).CompanyID; got != initech.ID {
		t.Errorf("after restore: CRM company %d, want %d", got, initech.ID)
	}
	if got, want := a.deskAccount(peter.ID), a.accountOf(initech.ID); got != want {
		t.Errorf("after restore: Desk account %q, want %q", got, want)
	}
	p = a.contact(peter.ID)
	p.CompanyID = companies[1].ID
	if err := e.db.UpdateContact(ctx, p); err != nil {
		t.Fatal(err)
	}
	mustSync(t, e)
	if got, want := a.deskAccount(peter.ID), a.accountOf(companies[1].ID); got != want {
		t.Errorf("moved back: Desk account %q, want %q", got, want)
	}

	// Deleting a company in the CRM does not take its contacts out of
	// the account on Desk (deletes do not cascade), even when they are
	// edited later.
	acct := a.accountOf(companies[1].ID)
	if err := e.db.DeleteCompany(ctx, companies[1].ID); err != nil {
		t.Fatal(err)
	}
	mustSync(t, e)
	p = a.contact(peter.ID)
	if p.CompanyID != 0 {
		t.Fatalf("the contact kept a deleted company: %d", p.CompanyID)
	}
	p.Title = "Engineer"
	if err := e.db.UpdateContact(ctx, p); err != nil {
		t.Fatal(err)
	}
	mustSync(t, e)
	d, _ := e.client().GetContact(ctx, l.DeskID)
	if d.Title != "Engineer" || d.AccountID != acct {
		t.Errorf("Desk after the company was deleted and the contact edited: title %q account %q (want %q)", d.Title, d.AccountID, acct)
	}
	if st, _ := e.svc.Status(ctx); len(st.RecordErrors) != 0 {
		t.Errorf("record errors: %+v", st.RecordErrors)
	}
}

// TestContactCompanyHeldUntilLinked: while a new company cannot reach Desk,
// its new contact goes without an account; once the company is linked, a
// later pass puts the contact in it.
func TestContactCompanyHeldUntilLinked(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{emu: deskemu.Options{Seed: 12, Contacts: 2, Accounts: 1, Tickets: 2}, mode: app.SyncTwoWay})
	a := accountEnv{env: e, t: t, ctx: ctx}
	mustSync(t, e)
	fault := e.emu.AddFault(deskemu.Fault{Kind: deskemu.FaultStatus, Method: "POST", Path: "/api/v1/accounts", Status: 503})
	hooli := &app.Company{Name: "Hooli"}
	if err := e.db.CreateCompany(ctx, hooli); err != nil {
		t.Fatal(err)
	}
	gavin := &app.Contact{FirstName: "Gavin", LastName: "Belson", Email: "gavin@hooli.example", CompanyID: hooli.ID}
	if err := e.db.CreateContact(ctx, gavin); err != nil {
		t.Fatal(err)
	}
	_ = e.syncOnce(ctx) // the company push stays queued
	if _, err := e.db.FindLink(ctx, e.org, app.KindCompany, hooli.ID); err == nil {
		t.Fatal("the company was linked through a failing Desk")
	}
	if _, err := e.db.FindLink(ctx, e.org, app.KindContact, gavin.ID); err == nil {
		if got := a.deskAccount(gavin.ID); got != "" {
			t.Fatalf("Gavin's Desk account %q before Hooli exists on Desk", got)
		}
	}
	e.emu.RemoveFault(fault)
	mustSync(t, e)
	if got, want := a.deskAccount(gavin.ID), a.accountOf(hooli.ID); got == "" || got != want {
		t.Errorf("Gavin's Desk account %q, Hooli's %q", got, want)
	}
	if got := a.contact(gavin.ID).CompanyID; got != hooli.ID {
		t.Errorf("Gavin's CRM company changed to %d", got)
	}
	// The Desk account list has Hooli once.
	n := 0
	for acc, err := range e.client().AllAccounts(ctx, desk.ListOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		if acc.AccountName == "Hooli" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("Hooli is on Desk %d times", n)
	}
}

// TestContactCompanyOneWay: one-way, the CRM's company is pushed even when
// the Desk contact sits in an account Tandem does not have.
func TestContactCompanyOneWay(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{emu: deskemu.Options{Seed: 13, Contacts: 4, Accounts: 2, Tickets: 2}, mode: app.SyncOneWay})
	a := accountEnv{env: e, t: t, ctx: ctx}
	mustSync(t, e)
	var dc desk.Contact
	for c, err := range e.client().AllContacts(ctx, desk.ListOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		if c.AccountID != "" && c.Email != "" {
			dc = c
			break
		}
	}
	if dc.ID == "" {
		t.Fatal("no generated Desk contact with an account and an email")
	}
	globex := &app.Company{Name: "Globex"}
	if err := e.db.CreateCompany(ctx, globex); err != nil {
		t.Fatal(err)
	}
	hank := &app.Contact{FirstName: dc.FirstName, LastName: dc.LastName, Email: dc.Email, CompanyID: globex.ID}
	if err := e.db.CreateContact(ctx, hank); err != nil {
		t.Fatal(err)
	}
	mustSync(t, e)
	if got, want := a.deskAccount(hank.ID), a.accountOf(globex.ID); got == "" || got != want {
		t.Errorf("Desk account %q, Globex's %q (was %q)", got, want, dc.AccountID)
	}
	// Desk moving it back does not change the CRM (one-way).
	if err := e.emu.EditContact(e.org, dc.ID, map[string]any{"accountId": dc.AccountID}); err != nil {
		t.Fatal(err)
	}
	mustSync(t, e)
	if got := a.contact(hank.ID).CompanyID; got != globex.ID {
		t.Errorf("one-way: the CRM company changed to %d", got)
	}
}
