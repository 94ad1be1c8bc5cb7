package sync

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/tandem-crm/tandem/app"
)

// A contact's company is mapped as app.FieldAccount: in the CRM the
// contact's CompanyID, on Desk its accountId. Both sides are compared as a
// Desk account id, the CRM's being that of its company's link. When the two
// cannot be compared or applied yet — the CRM company is not linked to an
// account (its push is still queued), or Desk's account has no CRM company
// — the field is held: left out of the merge, its agreed value kept, and
// looked at again once the company is linked (see recheckAccounts).

// unknownAccount is the CRM value of a company that has no Desk account yet.
const unknownAccount = "\x00unlinked"

// accountOf returns the Desk account of a CRM company: "" for none,
// unknownAccount when the company is not linked.
func (ps *pass) accountOf(ctx context.Context, companyID int64) string {
	if companyID == 0 {
		return ""
	}
	l, err := ps.s.store.FindLink(ctx, ps.p.OrgID, app.KindCompany, companyID)
	if err != nil {
		return unknownAccount
	}
	return l.DeskID
}

// companyOf returns the CRM company linked to a Desk account (0 for no
// account); false when the account has none.
func (ps *pass) companyOf(ctx context.Context, deskID string) (int64, bool) {
	if deskID == "" {
		return 0, true
	}
	l, err := ps.s.store.FindLinkByDesk(ctx, ps.p.OrgID, app.KindCompany, deskID)
	if err != nil {
		return 0, false
	}
	return l.CRMID, true
}

// values returns a record's canonical values by Desk field, a contact's
// company as its Desk account.
func (ps *pass) values(ctx context.Context, rec record, ms []app.FieldMapping) map[string]string {
	out := rec.values(ms)
	for _, m := range ms {
		if m.Type == app.FieldAccount && rec.contact != nil {
			out[m.DeskField] = ps.accountOf(ctx, rec.contact.CompanyID)
		}
	}
	return out
}

// set writes a canonical value into a record; a Desk account becomes the
// CRM company linked to it. It reports false (writing nothing) for an
// account without a CRM company.
func (ps *pass) set(ctx context.Context, rec record, m app.FieldMapping, v string) bool {
	if m.Type != app.FieldAccount {
		rec.set(m, v)
		return true
	}
	if rec.contact == nil {
		return false
	}
	id, ok := ps.companyOf(ctx, v)
	if ok {
		rec.contact.CompanyID = id
	}
	return ok
}

// holdAccounts takes out of a merge the account fields whose sides cannot
// be compared or applied now: the CRM company has no account yet, Desk's
// account has no CRM company (two-way), or the CRM company was deleted
// (the agreed account lost its company: deletes do not cascade to Desk's
// contacts). It returns the mappings to merge on and the fields held.
func (ps *pass) holdAccounts(ctx context.Context, ms []app.FieldMapping, base, crm, dsk map[string]string) ([]app.FieldMapping, []string) {
	var held []string
	for _, m := range ms {
		if m.Type != app.FieldAccount {
			continue
		}
		f := m.DeskField
		c, d := crm[f], dsk[f]
		b, hasB := base[f]
		hold := c == unknownAccount
		if !hold && d != c && ps.p.Mode == app.SyncTwoWay { // one-way never writes Desk's account into the CRM
			_, ok := ps.companyOf(ctx, d)
			hold = !ok
		}
		if !hold && c == "" && hasB && b != "" && d == b {
			_, ok := ps.companyOf(ctx, b)
			hold = !ok
		}
		if hold {
			held = append(held, f)
		}
	}
	if len(held) == 0 {
		return ms, nil
	}
	out := slices.DeleteFunc(slices.Clone(ms), func(m app.FieldMapping) bool { return slices.Contains(held, m.DeskField) })
	return out, held
}

// keepHeld puts the agreed values of held fields back into a merge
// result, marked held (app.HeldMark) so that they are looked at again.
func keepHeld(mr *mergeResult, base map[string]string, held []string) {
	for _, f := range held {
		if b, ok := base[f]; ok {
			mr.agreed[f] = b
			mr.pushAgreed[f] = b
		}
		mr.agreed[app.HeldMark+f] = "1"
		mr.pushAgreed[app.HeldMark+f] = "1"
	}
}

// withoutUnknown drops the values of unlinked companies (a create sends
// what is known; the rest follows once the company is linked).
func withoutUnknown(vals map[string]string) map[string]string {
	out := maps.Clone(vals)
	maps.DeleteFunc(out, func(_, v string) bool { return v == unknownAccount })
	return out
}

// companyLinked notes that a company was linked: contacts whose company
// was held may be comparable now. The note stays until a recheck got
// through, so a pass that fails before it leaves the recheck to the next.
func (ps *pass) companyLinked() {
	ps.s.mu.Lock()
	defer ps.s.mu.Unlock()
	if ps.s.accountsChecked == nil {
		ps.s.accountsChecked = map[string]bool{}
	}
	ps.s.accountsChecked[ps.p.OrgID] = false
}

// recheckAccounts runs after companies were linked, and on a service's
// first pass (which may follow a crash that skipped it): contacts whose
// company was held and can now be compared are pushed again, in this same
// pass.
func (ps *pass) recheckAccounts(ctx context.Context) error {
	i := slices.IndexFunc(ps.ms, func(m app.FieldMapping) bool { return m.Kind == app.KindContact && m.Type == app.FieldAccount })
	if i < 0 {
		return nil
	}
	s, org := ps.s, ps.p.OrgID
	s.mu.Lock()
	checked := s.accountsChecked[org]
	s.mu.Unlock()
	if checked {
		return nil
	}
	n, err := s.store.RecheckHeldAccounts(ctx, org, ps.ms[i].DeskField, ps.p.Mode == app.SyncTwoWay)
	if err != nil {
		return fmt.Errorf("sync: accounts: %w", err)
	}
	s.mu.Lock()
	if s.accountsChecked == nil {
		s.accountsChecked = map[string]bool{}
	}
	s.accountsChecked[org] = true
	s.mu.Unlock()
	if n == 0 {
		return nil
	}
	if err := ps.pushCRM(ctx); err != nil {
		return err
	}
	return ps.drainOutbox(ctx, false)
}
