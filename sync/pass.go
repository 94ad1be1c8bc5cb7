package sync

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/sync/desk"
)

// pass is one sync pass over the active portal.
type pass struct {
	s       *Service
	p       *app.Portal
	cl      *desk.Client
	ms      []app.FieldMapping
	counts  app.SyncCounts
	changes app.Changes
	start   int64 // client requests before the pass
	// newest caches the newest created Desk contacts of this pass (see
	// contactTwin); nil until read, and again after Desk may have created
	// a contact (a ticket for an email).
	newest []desk.Contact
	// created holds the email keys of the contacts this pass created on
	// Desk (their twins are looked for after the drain: dedupeCreated).
	created map[string]bool
}

// errAborted wraps a Hook's error, so a simulated crash is told apart.
var errAborted = errors.New("sync: pass aborted")

// SyncOnce runs one pass over the active portal: outbox, contacts and
// accounts, CRM pushes, tickets. Without an active portal it does nothing.
// An unreachable Desk returns EUNAVAILABLE (queued actions stay queued), a
// refused sign-in EUNAUTHORIZED; per-record failures do not fail the pass
// (they are kept as app.SyncError).
func (s *Service) SyncOnce(ctx context.Context) error {
	s.passMu.Lock()
	defer s.passMu.Unlock()
	p, err := s.store.ActivePortal(ctx)
	if app.ErrorCode(err) == app.ENOTFOUND {
		s.mu.Lock()
		s.state = app.StateNotConnected
		s.mu.Unlock()
		return nil
	}
	if err != nil {
		return fmt.Errorf("sync: pass: %w", err)
	}
	s.publish(app.SyncEvent{Kind: app.EventStarted, OrgID: p.OrgID})
	ps := &pass{s: s, p: p}
	err = ps.run(ctx)
	if ps.cl != nil {
		ps.counts.Requests = ps.cl.Stats().Requests - ps.start
	}
	now := s.opts.Now()
	switch code := app.ErrorCode(err); {
	case err == nil:
		if rerr := s.store.RecordPassResult(ctx, p.OrgID, now, ""); rerr != nil {
			return fmt.Errorf("sync: pass: %w", rerr)
		}
		s.publish(app.SyncEvent{Kind: app.EventFinished, OrgID: p.OrgID, Counts: ps.counts, Message: "Synced with Zoho Desk."})
		return nil
	case errors.Is(err, errAborted) || ctx.Err() != nil:
		return err
	case code == app.EUNAUTHORIZED:
		s.forgetClient(p.OrgID)
		_ = s.store.RecordPassResult(ctx, p.OrgID, now, app.ErrorMessage(err))
		s.publish(app.SyncEvent{Kind: app.EventNeedsSignIn, OrgID: p.OrgID, Counts: ps.counts, Message: app.ErrorMessage(err)})
	case code == app.EUNAVAILABLE:
		_ = s.store.RecordPassResult(ctx, p.OrgID, now, app.ErrorMessage(err))
		s.publish(app.SyncEvent{Kind: app.EventOffline, OrgID: p.OrgID, Counts: ps.counts, Message: app.ErrorMessage(err)})
	default:
		// Not logged here: the caller reports what SyncOnce returns (the
		// loop logs it; a command prints it), so it is said once.
		_ = s.store.RecordPassResult(ctx, p.OrgID, now, app.ErrorMessage(err))
		s.publish(app.SyncEvent{Kind: app.EventFinished, OrgID: p.OrgID, Counts: ps.counts, Message: app.ErrorMessage(err)})
	}
	return err
}

func (ps *pass) run(ctx context.Context) error {
	s := ps.s
	cl, err := s.client(ctx, ps.p)
	if err != nil {
		return err
	}
	ps.cl = cl
	ps.start = cl.Stats().Requests
	if ps.p.Mode.Pushes() || ps.p.Mode.Pulls() {
		if ps.ms, err = s.store.FieldMappings(ctx, ps.p.OrgID); err != nil {
			return fmt.Errorf("sync: pass: %w", err)
		}
	}
	ps.changes = app.Changes{OrgID: ps.p.OrgID, AgentID: ps.p.AgentID}

	if err := ps.drainOutbox(ctx, ps.p.Mode.Pushes()); err != nil {
		return err
	}
	// Accounts first: contacts refer to them.
	if err := ps.pull(ctx, app.KindCompany); err != nil {
		return err
	}
	if ps.p.Mode.Pushes() {
		if err := ps.pull(ctx, app.KindContact); err != nil {
			return err
		}
		if err := ps.pushCRM(ctx); err != nil {
			return err
		}
		if err := ps.drainOutbox(ctx, false); err != nil {
			return err
		}
		if err := ps.dedupeCreated(ctx); err != nil {
			return fmt.Errorf("sync: duplicates: %w", err)
		}
		if err := ps.recheckAccounts(ctx); err != nil {
			return err
		}
	}
	if err := ps.pullTickets(ctx); err != nil {
		return err
	}
	if s.opts.Detector != nil {
		// Ratings only matter to signals. A failure here is logged, not
		// fatal: the tickets and records of this pass are already stored.
		if err := ps.pullRatings(ctx); err != nil {
			s.log.Warn("ratings pull failed", "err", err)
		}
	}
	if d := s.opts.Detector; d != nil {
		if err := d.Detect(ctx, ps.changes); err != nil {
			s.log.Warn("signal detection failed", "err", err)
		}
	}
	return nil
}

func (ps *pass) progress(phase string) {
	ps.s.publish(app.SyncEvent{Kind: app.EventProgress, OrgID: ps.p.OrgID, Phase: phase, Counts: ps.counts})
}

// Cursor names.
const (
	cursorContacts = "contacts"
	cursorAccounts = "accounts"
	cursorTickets  = "tickets"
	// CRM side: the change and deletion numbers handled (app.DeskStore.CRMMarks).
	cursorCRMChanges   = "crm_changes"
	cursorCRMDeletions = "crm_deletions"
)

// pushCRM drops the links of deleted CRM records and pushes the new or
// changed ones, looking only at what changed since the last pass that got
// through (everything on a portal's first pass).
func (ps *pass) pushCRM(ctx context.Context) error {
	s, org := ps.s, ps.p.OrgID
	after := [2]int64{-1, -1} // unset: look at everything
	for i, name := range []string{cursorCRMChanges, cursorCRMDeletions} {
		v, err := s.store.Cursor(ctx, org, name)
		if err != nil {
			return fmt.Errorf("sync: push: %w", err)
		}
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
			after[i] = n
		}
	}
	changes, deletions, err := s.store.CRMMarks(ctx, org)
	if err != nil {
		return fmt.Errorf("sync: push: %w", err)
	}
	if err := ps.dropOrphans(ctx, after[1]); err != nil {
		return err
	}
	for _, kind := range []string{app.KindCompany, app.KindContact} {
		if err := ps.push(ctx, kind, after[0]); err != nil {
			return err
		}
	}
	if err := s.store.SetCursor(ctx, org, cursorCRMChanges, strconv.FormatInt(changes, 10)); err != nil {
		return fmt.Errorf("sync: push: %w", err)
	}
	if err := s.store.SetCursor(ctx, org, cursorCRMDeletions, strconv.FormatInt(deletions, 10)); err != nil {
		return fmt.Errorf("sync: push: %w", err)
	}
	if deletions > after[1] {
		if _, err := s.store.PruneDeletions(ctx, cursorCRMDeletions); err != nil {
			return fmt.Errorf("sync: push: %w", err)
		}
	}
	return nil
}

// window returns the modification times a pull asks Desk for: from the
// cursor less the overlap (which covers records modified in the cursor's
// millisecond and the lag of Desk's search index) or, on a first sync,
// from the start; to a day past Desk's clock.
func (ps *pass) window(cursor time.Time) (lo, hi time.Time) {
	lo = searchEpoch
	if !cursor.IsZero() {
		lo = cursor.Add(-ps.s.opts.Overlap)
	}
	return lo, ps.cl.ServerNow().Add(searchHorizon).Truncate(time.Millisecond)
}

func parseCursor(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

func formatCursor(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// pull fetches the Desk contacts or accounts changed since the cursor,
// stores their remote copies and, in two-way mode, reconciles them with the CRM.
func (ps *pass) pull(ctx context.Context, kind string) error {
	s, org := ps.s, ps.p.OrgID
	name := cursorContacts
	if kind == app.KindCompany {
		name = cursorAccounts
	}
	cs, err := s.store.Cursor(ctx, org, name)
	if err != nil {
		return fmt.Errorf("sync: pull %s: %w", kind, err)
	}
	cursor := parseCursor(cs)
	lo, hi := ps.window(cursor)
	scanPages := func(fn func([]app.RemoteRecord) error) (time.Time, error) {
		if kind == app.KindContact {
			return scanChanges(ctx, ps.cl, lo, hi, ps.cl.SearchContacts,
				func(c desk.Contact) time.Time { return c.ModifiedTime.Time }, func(c desk.Contact) time.Time { return c.CreatedTime.Time },
				func(c desk.Contact) string { return c.ID },
				func(pg []desk.Contact) error {
					rs := make([]app.RemoteRecord, len(pg))
					for i, c := range pg {
						rs[i] = contactRemote(org, c)
					}
					return fn(rs)
				})
		}
		return scanChanges(ctx, ps.cl, lo, hi, ps.cl.SearchAccounts,
			func(a desk.Account) time.Time { return a.ModifiedTime.Time }, func(a desk.Account) time.Time { return a.CreatedTime.Time },
			func(a desk.Account) string { return a.ID },
			func(pg []desk.Account) error {
				rs := make([]app.RemoteRecord, len(pg))
				for i, a := range pg {
					rs[i] = accountRemote(org, a)
				}
				return fn(rs)
			})
	}
	ms := mappingsFor(ps.ms, kind)
	seen, next := s.seen(org, name, cs), map[string]string{}
	newest, err := scanPages(func(page []app.RemoteRecord) error {
		if len(page) == 0 {
			return nil
		}
		keys := make([]string, len(page))
		var ids []string
		for i := range page {
			keys[i] = remoteStampKey(&page[i], ms)
			if seen[page[i].DeskID] != keys[i] {
				ids = append(ids, page[i].DeskID)
			}
		}
		stamps, err := s.store.RemoteStamps(ctx, org, kind, ids)
		if err != nil {
			return err
		}
		var fresh []app.RemoteRecord
		for i, r := range page {
			if seen[r.DeskID] == keys[i] {
				next[r.DeskID] = keys[i]
				continue
			}
			if m, ok := stamps[r.DeskID]; ok && !r.Modified.After(m) {
				done, err := ps.seenAlready(ctx, kind, &r, m)
				if err != nil {
					return err
				}
				if done {
					next[r.DeskID] = keys[i]
					continue
				}
			}
			// Fresh records are remembered once a later pass finds them
			// stored (a reconciliation may fail and be retried).
			fresh = append(fresh, r)
		}
		if kind == app.KindContact && ps.p.Mode.Pushes() && len(fresh) > 0 {
			// Duplicates first: a twin is never linked, created or
			// reported as "already linked" (see team.go).
			if fresh, err = ps.dedupe(ctx, fresh); err != nil {
				return err
			}
		}
		if len(fresh) == 0 {
			return nil
		}
		// Reconciled records store their remote copy with the
		// reconciliation; the rest are stored after, so a crash in
		// between leaves them to be pulled again.
		if ps.p.Mode.Pushes() {
			if err := ps.reconcileRemote(ctx, kind, fresh); err != nil {
				return err
			}
		}
		if err := s.hook("pull-stored"); err != nil {
			return fmt.Errorf("%w: %w", errAborted, err)
		}
		if err := s.store.UpsertRemote(ctx, fresh); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sync: pull %s: %w", kind, err)
	}
	if newest.Before(cursor) {
		newest = cursor
	}
	if err := s.store.SetCursor(ctx, org, name, formatCursor(newest)); err != nil {
		return fmt.Errorf("sync: pull %s: %w", kind, err)
	}
	s.remember(org, name, formatCursor(newest), next)
	ps.progress(kind + "s")
	return nil
}

// seenAlready reports whether a pulled record whose modification time is
// not after its stored stamp m holds nothing new. Desk's times have
// millisecond precision, so an edit made in the same millisecond as the
// copy we hold (often our own push's answer) keeps the time: with an equal
// time the mapped values are compared with the stored copy's.
func (ps *pass) seenAlready(ctx context.Context, kind string, r *app.RemoteRecord, m time.Time) (bool, error) {
	if r.Modified.Before(m) {
		return true, nil
	}
	stored, err := ps.s.store.FindRemote(ctx, ps.p.OrgID, kind, r.DeskID)
	if app.ErrorCode(err) == app.ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	ms := mappingsFor(ps.ms, kind)
	return stored.Modified.Equal(r.Modified) && sameMap(remoteValues(stored, ms), remoteValues(r, ms)), nil
}

// pageKnown looks up in three queries which of a page's records are
// linked or tombstoned and which emails CRM contacts have, so a first sync
// does not ask three empty questions per record (issue 17).
func (ps *pass) pageKnown(ctx context.Context, kind string, rs []app.RemoteRecord) (*app.DeskPageKnown, error) {
	ids := make([]string, 0, len(rs))
	var keys []string
	for i := range rs {
		ids = append(ids, rs[i].DeskID)
		if rs[i].MatchKey != "" {
			keys = append(keys, app.NormalizeEmail(rs[i].MatchKey))
		}
	}
	return ps.s.store.DeskPageKnown(ctx, ps.p.OrgID, kind, ids, keys)
}

// linkByDesk is FindLinkByDesk, skipped for a record the page's lookup
// found no link for.
func (ps *pass) linkByDesk(ctx context.Context, known *app.DeskPageKnown, kind, deskID string) (*app.Link, error) {
	if !known.Linked[deskID] {
		return nil, app.Errorf(app.ENOTFOUND, "Link not found.")
	}
	return ps.s.store.FindLinkByDesk(ctx, ps.p.OrgID, kind, deskID)
}

// reconcileRemote handles Desk records that changed: linked ones are
// merged with their CRM record; unlinked ones are matched (email, name) or,
// in two-way mode, created in the CRM.
func (ps *pass) reconcileRemote(ctx context.Context, kind string, rs []app.RemoteRecord) error {
	s, org := ps.s, ps.p.OrgID
	ms := mappingsFor(ps.ms, kind)
	known, err := ps.pageKnown(ctx, kind, rs)
	if err != nil {
		return err
	}
	var batch []app.DeskApply
	for i := range rs {
		rr := &rs[i]
		l, err := ps.linkByDesk(ctx, known, kind, rr.DeskID)
		switch app.ErrorCode(err) {
		case "":
			if _, err := s.store.FindLink(ctx, org, kind, l.CRMID); app.ErrorCode(err) == app.ENOTFOUND {
				// The CRM record was deleted (its id may even be reused):
				// drop the link, remembering the delete, so this change
				// asks the user rather than bringing the record back.
				if err := s.store.SaveTombstone(ctx, &app.Tombstone{OrgID: org, Kind: kind, DeskID: l.DeskID, CRMID: l.CRMID,
					Name: agreedName(*l), DeskModified: l.DeskModified}); err != nil {
					return err
				}
				if err := s.store.DeleteLink(ctx, org, kind, l.CRMID); err != nil {
					return err
				}
				known.Tombstoned[rr.DeskID], known.Linked[rr.DeskID] = true, false
				if ps.p.Mode.Pulls() {
					if _, err := ps.deletedHere(ctx, rr); err != nil {
						return err
					}
				}
				continue
			} else if err != nil {
				return err
			}
			if rr.Modified.Before(l.DeskModified) {
				continue // an older copy
			}
			rec, err := ps.findRecord(ctx, kind, l.CRMID)
			if app.ErrorCode(err) == app.ENOTFOUND {
				continue // deleted in the CRM: dropOrphans handles it
			}
			if err != nil {
				return err
			}
			if a, ok := ps.reconcile(ctx, ms, rec, l, rr); ok {
				a.Remote = rr
				batch = append(batch, a)
			}
			continue
		case app.ENOTFOUND:
		default:
			return err
		}
		if !ps.p.Mode.Pulls() {
			continue // one-way: Desk-only records stay on Desk; CRM pushes match them later
		}
		rec, found, err := ps.matchCRM(ctx, kind, rr, known)
		if err != nil {
			return err
		}
		if !found && known.Tombstoned[rr.DeskID] {
			// Deleted here: a change in Desk never brings it back
			// silently; the user is asked (Needs your attention).
			if stop, err := ps.deletedHere(ctx, rr); err != nil {
				return err
			} else if stop {
				continue
			}
		}
		if found {
			if _, err := s.store.FindLink(ctx, org, kind, rec.id()); err == nil {
				ps.recordError(ctx, app.SyncError{Kind: kind, DeskID: rr.DeskID,
					Message: fmt.Sprintf("%s is already linked to another Desk record with the same %s.", rec.name(), matchWhat(kind))})
				continue
			} else if app.ErrorCode(err) != app.ENOTFOUND {
				return err
			}
			if a, ok := ps.reconcile(ctx, ms, rec, nil, rr); ok {
				a.Remote = rr
				batch = append(batch, a)
			}
			continue
		}
		if a, ok := ps.createFromDesk(ctx, kind, ms, rr); ok {
			a.Remote = rr
			batch = append(batch, a)
		}
	}
	return ps.apply(ctx, batch)
}

func matchWhat(kind string) string {
	if kind == app.KindCompany {
		return "name"
	}
	return "email"
}

// findRecord loads a CRM contact or company.
func (ps *pass) findRecord(ctx context.Context, kind string, id int64) (record, error) {
	if kind == app.KindContact {
		c, err := ps.s.crm.Contacts.FindContact(ctx, id)
		if err != nil {
			return record{}, err
		}
		return record{kind: kind, contact: c}, nil
	}
	c, err := ps.s.crm.Companies.FindCompany(ctx, id)
	if err != nil {
		return record{}, err
	}
	return record{kind: kind, company: c}, nil
}

// matchCRM finds the CRM record a new Desk record matches: a contact by
// normalised email, a company by normalised name. Records already linked
// are passed over.
func (ps *pass) matchCRM(ctx context.Context, kind string, rr *app.RemoteRecord, known *app.DeskPageKnown) (record, bool, error) {
	if rr.MatchKey == "" {
		return record{}, false, nil
	}
	if known.CRMKeys != nil && !known.CRMKeys[app.NormalizeEmail(rr.MatchKey)] {
		return record{}, false, nil // no CRM contact has the email
	}
	if kind == app.KindContact {
		cs, err := ps.s.crm.Contacts.ListContacts(ctx, app.ContactFilter{Email: rr.MatchKey, Limit: 10})
		if err != nil || len(cs) == 0 {
			return record{}, false, err
		}
		for i := range cs {
			if _, err := ps.s.store.FindLink(ctx, ps.p.OrgID, kind, cs[i].ID); app.ErrorCode(err) == app.ENOTFOUND {
				return record{kind: kind, contact: &cs[i]}, true, nil
			}
		}
		return record{kind: kind, contact: &cs[0]}, true, nil
	}
	cs, err := ps.s.crm.Companies.ListCompanies(ctx, app.CompanyFilter{Name: rr.Values["accountName"], Limit: 10})
	if err != nil || len(cs) == 0 {
		return record{}, false, err
	}
	for i := range cs {
		if _, err := ps.s.store.FindLink(ctx, ps.p.OrgID, kind, cs[i].ID); app.ErrorCode(err) == app.ENOTFOUND {
			return record{kind: kind, company: &cs[i]}, true, nil
		}
	}
	return record{kind: kind, company: &cs[0]}, true, nil
}

// createFromDesk builds a new CRM record from a Desk record (two-way).
func (ps *pass) createFromDesk(ctx context.Context, kind string, ms []app.FieldMapping, rr *app.RemoteRecord) (app.DeskApply, bool) {
	rec := record{kind: kind}
	if kind == app.KindContact {
		rec.contact = &app.Contact{}
	} else {
		rec.company = &app.Company{}
	}
	vals := remoteValues(rr, ms)
	for _, m := range ms {
		if !ps.set(ctx, rec, m, vals[m.DeskField]) {
			delete(vals, m.DeskField) // an account without a company: held
		}
	}
	if err := ps.validate(rec); err != nil {
		ps.recordError(ctx, app.SyncError{Kind: kind, DeskID: rr.DeskID, Message: "Cannot copy " + remoteName(rr) + " into Tandem: " + validationText(err)})
		return app.DeskApply{}, false
	}
	a := app.DeskApply{
		Link:        &app.Link{OrgID: ps.p.OrgID, Kind: kind, DeskID: rr.DeskID, Agreed: vals, DeskModified: rr.Modified},
		ClearErrors: true,
	}
	if kind == app.KindContact {
		a.Contact = rec.contact
		ps.counts.ContactsPulled++
	} else {
		a.Company = rec.company
		ps.counts.CompaniesPulled++
		ps.companyLinked()
	}
	return a, true
}

func (ps *pass) validate(rec record) error {
	if rec.contact != nil {
		rec.contact.Normalize()
		return rec.contact.Validate()
	}
	rec.company.Normalize()
	return rec.company.Validate()
}

func validationText(err error) string {
	var ve *app.ValidationError
	if errors.As(err, &ve) {
		return ve.Error()
	}
	return app.ErrorMessage(err)
}

// reconcile merges a CRM record with a Desk record (rr may be nil when
// Desk's copy is unknown: then the link's agreed values stand for it). l is
// nil for a new match. It returns the changes to write, or false when there
// is nothing to do or the record cannot be synced (a SyncError is kept).
func (ps *pass) reconcile(ctx context.Context, ms []app.FieldMapping, rec record, l *app.Link, rr *app.RemoteRecord) (app.DeskApply, bool) {
	org, kind := ps.p.OrgID, rec.kind
	var base map[string]string
	deskID := ""
	var deskMod time.Time
	if l != nil {
		base, deskID, deskMod = l.Agreed, l.DeskID, l.DeskModified
	}
	var dsk map[string]string
	if rr != nil {
		dsk, deskID = remoteValues(rr, ms), rr.DeskID
		if rr.Modified.After(deskMod) {
			deskMod = rr.Modified
		}
	} else {
		dsk = map[string]string{}
		for _, m := range ms {
			dsk[m.DeskField] = base[m.DeskField]
		}
	}
	crm := ps.values(ctx, rec, ms)
	all := ms
	ms, held := ps.holdAccounts(ctx, ms, base, crm, dsk)
	mr := merge(ps.p.Mode, ms, base, crm, dsk, deskMod)
	keepHeld(&mr, base, held)

	newLink := &app.Link{OrgID: org, Kind: kind, CRMID: rec.id(), DeskID: deskID, Agreed: mr.agreed, CRMRev: rec.rev(), DeskModified: deskMod}
	if l == nil && kind == app.KindCompany {
		ps.companyLinked()
	}
	a := app.DeskApply{Link: newLink, ClearErrors: true}
	if len(mr.toCRM) > 0 {
		for _, m := range ms {
			if v, ok := mr.toCRM[m.DeskField]; ok {
				ps.set(ctx, rec, m, v) // accounts without a company were held
			}
		}
		if err := ps.validate(rec); err != nil {
			ps.recordError(ctx, app.SyncError{Kind: kind, CRMID: rec.id(), DeskID: deskID, CRMRev: rec.rev(),
				Message: "Desk's values are not valid in Tandem: " + validationText(err)})
			return app.DeskApply{}, false
		}
		if kind == app.KindContact {
			a.Contact = rec.contact
			ps.counts.ContactsPulled++
		} else {
			a.Company = rec.company
			ps.counts.CompaniesPulled++
		}
	}
	if len(mr.toDesk) > 0 {
		if req := requiredDeskField(kind); hasKey(mr.toDesk, req) && mr.toDesk[req] == "" {
			ps.recordError(ctx, app.SyncError{Kind: kind, CRMID: rec.id(), DeskID: deskID, CRMRev: rec.rev(),
				Message: fmt.Sprintf("Zoho Desk requires %s; fill it in to sync this record.", req)})
			return app.DeskApply{}, false
		}
		it, err := pushItem(org, kind, rec, deskID, all, mr.toDesk, mr.pushAgreed)
		if err != nil {
			ps.s.log.Error("building a push failed", "err", err)
			return app.DeskApply{}, false
		}
		a.Push = it
	}
	for _, c := range mr.conflicts {
		c.OrgID, c.Kind, c.CRMID, c.DeskID, c.RecordName = org, kind, rec.id(), deskID, rec.name()
		a.Conflicts = append(a.Conflicts, c)
	}
	if l != nil && len(mr.toCRM) == 0 && len(mr.toDesk) == 0 && len(a.Conflicts) == 0 &&
		l.CRMRev == rec.rev() && l.DeskModified.Equal(deskMod) && sameMap(l.Agreed, mr.agreed) {
		return app.DeskApply{}, false
	}
	return a, true
}

func hasKey(m map[string]string, k string) bool { _, ok := m[k]; return ok }

func sameMap(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// apply writes a batch of reconciliations; items that fail (a CRM edit
// raced us: ECONFLICT) are retried by the next pass.
func (ps *pass) apply(ctx context.Context, batch []app.DeskApply) error {
	if len(batch) == 0 {
		return nil
	}
	errs, err := ps.s.store.ApplyFromDesk(ctx, batch)
	if err != nil {
		return fmt.Errorf("sync: apply: %w", err)
	}
	for i, e := range errs {
		a := batch[i]
		if e != nil {
			if code := app.ErrorCode(e); code != app.ECONFLICT && code != app.ENOTFOUND {
				se := app.SyncError{Message: app.ErrorMessage(e)}
				if l := a.Link; l != nil {
					se.Kind, se.CRMID, se.DeskID, se.CRMRev = l.Kind, l.CRMID, l.DeskID, l.CRMRev
				} else if a.Push != nil {
					se.Kind, se.CRMID = a.Push.CRMKind, a.Push.CRMID
				}
				ps.recordError(ctx, se)
			}
			continue
		}
		if n := len(a.Conflicts); n > 0 {
			ps.counts.Conflicts += n
			ps.s.publish(app.SyncEvent{Kind: app.EventConflict, OrgID: ps.p.OrgID, Counts: ps.counts,
				Message: fmt.Sprintf("%s was changed on both sides; the change that reached Zoho Desk last was kept.", a.Conflicts[0].RecordName)})
		}
	}
	return ps.s.hookErr("applied")
}

func (s *Service) hookErr(point string) error {
	if err := s.hook(point); err != nil {
		return fmt.Errorf("%w: %w", errAborted, err)
	}
	return nil
}

// recordError keeps a per-record error for the UI; the pass goes on.
func (ps *pass) recordError(ctx context.Context, e app.SyncError) {
	e.OrgID = ps.p.OrgID
	e.At = ps.s.opts.Now()
	ps.counts.Errors++
	if err := ps.s.store.SetSyncError(ctx, e); err != nil {
		ps.s.log.Warn("storing a sync error failed", "err", err)
	}
	ps.s.publish(app.SyncEvent{Kind: app.EventRecordError, OrgID: ps.p.OrgID, Counts: ps.counts, Message: e.Message})
}

// push sends CRM records that are new or changed since they were last
// reconciled: linked ones are merged, unlinked ones matched on Desk (by
// email or name) or created there.
func (ps *pass) push(ctx context.Context, kind string, after int64) error {
	s, org := ps.s, ps.p.OrgID
	ms := mappingsFor(ps.ms, kind)
	if len(ms) == 0 {
		return nil
	}
	const chunk = 500
	seen := map[int64]bool{}
	for {
		var recs []record
		if kind == app.KindContact {
			cs, err := s.store.ContactsToPush(ctx, org, after, chunk)
			if err != nil {
				return fmt.Errorf("sync: push: %w", err)
			}
			for i := range cs {
				recs = append(recs, record{kind: kind, contact: &cs[i]})
			}
		} else {
			cs, err := s.store.CompaniesToPush(ctx, org, after, chunk)
			if err != nil {
				return fmt.Errorf("sync: push: %w", err)
			}
			for i := range cs {
				recs = append(recs, record{kind: kind, company: &cs[i]})
			}
		}
		var batch []app.DeskApply
		progress := false
		for _, rec := range recs {
			if seen[rec.id()] {
				continue
			}
			seen[rec.id()] = true
			progress = true
			a, ok, err := ps.pushOne(ctx, ms, rec)
			if err != nil {
				return err
			}
			if ok {
				batch = append(batch, a)
			}
		}
		if err := ps.apply(ctx, batch); err != nil {
			return err
		}
		if len(recs) < chunk || !progress {
			return nil
		}
	}
}

func (ps *pass) pushOne(ctx context.Context, ms []app.FieldMapping, rec record) (app.DeskApply, bool, error) {
	s, org, kind := ps.s, ps.p.OrgID, rec.kind
	l, err := s.store.FindLink(ctx, org, kind, rec.id())
	switch app.ErrorCode(err) {
	case "":
		rr, err := s.store.FindRemote(ctx, org, kind, l.DeskID)
		if app.ErrorCode(err) == app.ENOTFOUND {
			rr = nil
		} else if err != nil {
			return app.DeskApply{}, false, err
		}
		a, ok := ps.reconcile(ctx, ms, rec, l, rr)
		return a, ok, nil
	case app.ENOTFOUND:
	default:
		return app.DeskApply{}, false, err
	}
	// Unlinked: match an unlinked Desk record first.
	key := app.NormalizeEmail(rec.get(app.FieldMapping{CRMField: "Email", Type: app.FieldEmail}))
	if kind == app.KindCompany {
		key = app.NormalizeName(rec.company.Name)
	}
	if key != "" {
		rs, err := s.store.FindRemoteByKey(ctx, org, kind, key)
		if err != nil {
			return app.DeskApply{}, false, err
		}
		for i := range rs {
			_, err := s.store.FindLinkByDesk(ctx, org, kind, rs[i].DeskID)
			if app.ErrorCode(err) == app.ENOTFOUND {
				a, ok := ps.reconcile(ctx, ms, rec, nil, &rs[i])
				return a, ok, nil
			} else if err != nil {
				return app.DeskApply{}, false, err
			}
		}
		if len(rs) > 0 {
			ps.recordError(ctx, app.SyncError{Kind: kind, CRMID: rec.id(), CRMRev: rec.rev(),
				Message: fmt.Sprintf("Another Tandem record with the same %s is already linked to the Desk record.", matchWhat(kind))})
			return app.DeskApply{}, false, nil
		}
	}
	// Create on Desk.
	vals := withoutUnknown(ps.values(ctx, rec, ms))
	if vals[requiredDeskField(kind)] == "" {
		ps.recordError(ctx, app.SyncError{Kind: kind, CRMID: rec.id(), CRMRev: rec.rev(),
			Message: fmt.Sprintf("Zoho Desk requires %s; map and fill it in to sync this record.", requiredDeskField(kind))})
		return app.DeskApply{}, false, nil
	}
	create := map[string]string{}
	for k, v := range vals {
		if v != "" {
			create[k] = v
		}
	}
	it, err := pushItem(org, kind, rec, "", ms, create, vals)
	if err != nil {
		return app.DeskApply{}, false, err
	}
	// No link yet: the outbox item carries the record; the link is written
	// when Desk answers.
	return app.DeskApply{Push: it, ClearErrors: true}, true, nil
}

// dropOrphans removes links whose CRM record was deleted. Deletes do not
// cascade: the Desk record stays.
func (ps *pass) dropOrphans(ctx context.Context, after int64) error {
	ls, err := ps.s.store.OrphanLinks(ctx, ps.p.OrgID, after)
	if err != nil {
		return fmt.Errorf("sync: orphans: %w", err)
	}
	for _, l := range ls {
		if err := ps.s.store.SaveTombstone(ctx, &app.Tombstone{OrgID: l.OrgID, Kind: l.Kind, DeskID: l.DeskID, CRMID: l.CRMID,
			Name: agreedName(l), DeskModified: l.DeskModified}); err != nil {
			return fmt.Errorf("sync: orphans: %w", err)
		}
		if err := ps.s.store.DeleteLink(ctx, l.OrgID, l.Kind, l.CRMID); err != nil {
			return fmt.Errorf("sync: orphans: %w", err)
		}
		ps.s.publish(app.SyncEvent{Kind: app.EventLinkDropped, OrgID: ps.p.OrgID,
			Message: fmt.Sprintf("A %s deleted in Tandem was unlinked from Desk record %s (kept in Desk).", l.Kind, l.DeskID)})
	}
	return nil
}

// remoteName names a Desk record in a message: its name, and a contact's
// email, quoted; "it" when it has neither.
func remoteName(rr *app.RemoteRecord) string {
	v := rr.Values
	name := v["accountName"]
	if rr.Kind == app.KindContact {
		name = app.PersonName(v["firstName"], v["lastName"])
		if e := v["email"]; e != "" {
			name = strings.TrimSpace(name + " <" + e + ">")
		}
	}
	if name == "" {
		return "it"
	}
	return "“" + name + "”"
}
