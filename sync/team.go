package sync

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/sync/desk"
)

// A team on one help desk (issue 12): several desktops create the same
// person at about the same time, and Desk's search index lags writes, so
// looking before creating cannot rule out a duplicate. Instead every
// desktop resolves duplicates the same way whenever it sees them: the Desk
// contacts with one normalised email are one person; the oldest
// (createdTime, then the smallest id) survives, the others are merged into
// it with Desk's own mergeContacts, and every desktop re-links its record
// to the survivor. Each step is idempotent, so desktops doing it at the
// same time, or again after a crash, end in the same state; the survivor
// is always the oldest record seen, so repeated merges move toward one
// record and never back. Accounts need none of this: Desk refuses a
// second account with the same name (createAccount), and Tandem links the
// existing one.

// olderRecord orders Desk records: the older first (a zero createdTime
// counts as newest), then the smaller id (ids are numbers as text).
func olderRecord(a, b *app.RemoteRecord) int {
	switch {
	case a.Created.IsZero() != b.Created.IsZero():
		if a.Created.IsZero() {
			return 1
		}
		return -1
	case !a.Created.Equal(b.Created):
		return a.Created.Compare(b.Created)
	}
	if c := cmp.Compare(len(a.DeskID), len(b.DeskID)); c != 0 {
		return c
	}
	return cmp.Compare(a.DeskID, b.DeskID)
}

// dedupe resolves the duplicates among the fresh contacts of a pull and
// those already stored, and returns the fresh records still to reconcile
// (merged-away records and re-linked survivors are left out: they were
// handled here).
func (ps *pass) dedupe(ctx context.Context, fresh []app.RemoteRecord) ([]app.RemoteRecord, error) {
	byKey := map[string][]app.RemoteRecord{}
	for _, r := range fresh {
		if r.MatchKey != "" {
			byKey[r.MatchKey] = append(byKey[r.MatchKey], r)
		}
	}
	done := map[string]bool{} // Desk ids handled here
	for _, key := range slices.Sorted(func(yield func(string) bool) {
		for k := range byKey {
			if !yield(k) {
				return
			}
		}
	}) {
		cands := map[string]app.RemoteRecord{}
		stored, err := ps.s.store.FindRemoteByKey(ctx, ps.p.OrgID, app.KindContact, key)
		if err != nil {
			return nil, err
		}
		for _, r := range stored {
			cands[r.DeskID] = r
		}
		inFresh := map[string]bool{}
		for _, r := range byKey[key] {
			cands[r.DeskID] = r
			inFresh[r.DeskID] = true
		}
		if len(cands) < 2 {
			continue
		}
		handled, err := ps.resolve(ctx, key, cands, inFresh)
		if err != nil {
			return nil, err
		}
		for _, id := range handled {
			done[id] = true
		}
	}
	if len(done) == 0 {
		return fresh, nil
	}
	out := fresh[:0:0]
	for _, r := range fresh {
		if !done[r.DeskID] {
			out = append(out, r)
		}
	}
	return out, nil
}

// dedupeCreated looks for twins of the contacts this pass created: another
// desktop may have created the same person a moment ago (the newest
// contacts list shows it at once; the search does not yet).
func (ps *pass) dedupeCreated(ctx context.Context) error {
	if len(ps.created) == 0 {
		return nil
	}
	keys := ps.created
	ps.created = nil
	cs, err := ps.cl.ListContacts(ctx, desk.ListOptions{Limit: desk.MaxLimit, SortBy: "-createdTime"})
	if err != nil && app.ErrorCode(err) != app.ENOTFOUND {
		return err
	}
	ps.newest = append([]desk.Contact{}, cs...)
	for _, key := range slices.Sorted(func(yield func(string) bool) {
		for k := range keys {
			if !yield(k) {
				return
			}
		}
	}) {
		cands := map[string]app.RemoteRecord{}
		stored, err := ps.s.store.FindRemoteByKey(ctx, ps.p.OrgID, app.KindContact, key)
		if err != nil {
			return err
		}
		for _, r := range stored {
			cands[r.DeskID] = r
		}
		inFresh := map[string]bool{}
		for _, c := range cs {
			if app.NormalizeEmail(c.Email) != key {
				continue
			}
			if _, ok := cands[c.ID]; ok {
				continue
			}
			full, err := ps.cl.GetContact(ctx, c.ID)
			if app.ErrorCode(err) == app.ENOTFOUND {
				continue
			}
			if err != nil {
				return err
			}
			cands[c.ID] = contactRemote(ps.p.OrgID, full)
			inFresh[c.ID] = true
		}
		if len(cands) < 2 {
			continue
		}
		if _, err := ps.resolve(ctx, key, cands, inFresh); err != nil {
			return err
		}
	}
	return nil
}

// resolve makes one Desk contact of cands (one email key): it merges the
// others into the oldest on Desk (those not merged already) and re-links
// this desktop's record. It returns the Desk ids it handled.
func (ps *pass) resolve(ctx context.Context, key string, cands map[string]app.RemoteRecord, inFresh map[string]bool) ([]string, error) {
	s, org := ps.s, ps.p.OrgID
	all := make([]app.RemoteRecord, 0, len(cands))
	for _, r := range cands {
		all = append(all, r)
	}
	slices.SortFunc(all, func(a, b app.RemoteRecord) int { return olderRecord(&a, &b) })
	// The survivor must still be on Desk (a copy stored long ago may have
	// been deleted or merged since): read the stored-only ones again.
	var surv *app.RemoteRecord
	var losers []string // every other candidate (merged now or before)
	var live []string   // those still on Desk: merged now
	for i := range all {
		r := &all[i]
		exists := inFresh[r.DeskID]
		if !exists {
			c, err := ps.cl.GetContact(ctx, r.DeskID)
			switch {
			case app.ErrorCode(err) == app.ENOTFOUND:
			case err != nil:
				return nil, err
			case app.NormalizeEmail(c.Email) != key:
				// Its email changed on Desk since: not a twin any more.
				continue
			default:
				exists = true
				*r = contactRemote(org, c)
			}
		}
		switch {
		case surv == nil && exists:
			surv = r
		case surv == nil:
			losers = append(losers, r.DeskID) // gone before the survivor: forget it
		default:
			losers = append(losers, r.DeskID)
			if exists {
				live = append(live, r.DeskID)
			}
		}
	}
	if surv == nil || len(losers) == 0 {
		return nil, nil
	}
	sr := *surv
	if len(live) > 0 {
		if err := s.hookErr("merge-before"); err != nil {
			return nil, err
		}
		c, err := ps.cl.MergeContacts(ctx, sr.DeskID, live)
		if err != nil && !isTransient(err) && !desk.MaybeApplied(err) {
			// One was merged by another desktop a moment ago (a lagging
			// search still lists it): merge those still there.
			still := live[:0:0]
			for _, id := range live {
				if _, gerr := ps.cl.GetContact(ctx, id); gerr == nil {
					still = append(still, id)
				} else if app.ErrorCode(gerr) != app.ENOTFOUND {
					return nil, gerr
				}
			}
			live = still
			if len(live) > 0 {
				c, err = ps.cl.MergeContacts(ctx, sr.DeskID, live)
			} else {
				c, err = ps.cl.GetContact(ctx, sr.DeskID)
			}
		}
		if err != nil {
			if isTransient(err) || desk.MaybeApplied(err) {
				return nil, err
			}
			// Desk refused (one was merged or deleted meanwhile): the next
			// pull sees the result and tries again.
			s.log.Warn("merging duplicate contacts failed", "survivor", sr.DeskID, "err", err)
			return nil, nil
		}
		if err := s.hookErr("merge-after"); err != nil {
			return nil, err
		}
		sr = contactRemote(org, c)
		ps.counts.Merged += len(live)
	}
	a, handled, err := ps.relink(ctx, &sr, losers, len(live) > 0)
	if err != nil {
		return nil, err
	}
	if err := ps.apply(ctx, []app.DeskApply{a}); err != nil {
		return nil, err
	}
	if !handled {
		return losers, nil // the pull reconciles the survivor (the next one its merged copy)
	}
	return append(losers, sr.DeskID), nil
}

// relink moves this desktop's record from merged-away Desk contacts to the
// survivor sr. Nothing typed is lost: a mapped value of the record that
// Desk's merge did not keep is recorded as a conflict (Needs your
// attention offers it back), and a local edit not sent yet is merged as
// usual (it is pushed to the survivor).
// It reports whether sr itself was handled (else the pull reconciles it).
func (ps *pass) relink(ctx context.Context, sr *app.RemoteRecord, losers []string, byUs bool) (app.DeskApply, bool, error) {
	s, org, kind := ps.s, ps.p.OrgID, app.KindContact
	ms := mappingsFor(ps.ms, kind)
	var links []*app.Link
	var target *app.Link
	if l, err := s.store.FindLinkByDesk(ctx, org, kind, sr.DeskID); err == nil {
		target = l
	} else if app.ErrorCode(err) != app.ENOTFOUND {
		return app.DeskApply{}, false, err
	}
	for _, id := range losers {
		l, err := s.store.FindLinkByDesk(ctx, org, kind, id)
		if app.ErrorCode(err) == app.ENOTFOUND {
			continue
		}
		if err != nil {
			return app.DeskApply{}, false, err
		}
		links = append(links, l)
	}
	slices.SortFunc(links, func(a, b *app.Link) int { return cmp.Compare(a.CRMID, b.CRMID) })
	note := &app.MergeNote{OrgID: org, Kind: kind, SurvivorID: sr.DeskID, Losers: losers, ByUs: byUs, RecordName: strings.Trim(remoteName(sr), "“”")}
	base := app.DeskApply{Remote: sr, Forget: losers, Merge: note, ClearErrors: true}
	if target == nil && len(links) == 0 {
		// Nothing of ours is linked to them. One deleted here makes the
		// survivor deleted here too (a merge never brings a deleted person
		// back); else the survivor is reconciled like any changed record.
		if !byUs {
			base.Merge = nil
		}
		for _, id := range losers {
			t, err := s.store.FindTombstone(ctx, org, kind, id)
			if app.ErrorCode(err) == app.ENOTFOUND {
				continue
			}
			if err != nil {
				return app.DeskApply{}, false, err
			}
			if _, err := s.store.FindTombstone(ctx, org, kind, sr.DeskID); app.ErrorCode(err) == app.ENOTFOUND {
				if err := s.store.SaveTombstone(ctx, &app.Tombstone{OrgID: org, Kind: kind, DeskID: sr.DeskID, CRMID: t.CRMID,
					Name: t.Name, DeskModified: sr.Modified}); err != nil {
					return app.DeskApply{}, false, err
				}
			} else if err != nil {
				return app.DeskApply{}, false, err
			}
			return base, true, nil
		}
		return base, false, nil
	}
	if target == nil {
		target, links = links[0], links[1:]
	}
	rec, err := ps.findRecord(ctx, kind, target.CRMID)
	if app.ErrorCode(err) == app.ENOTFOUND {
		return base, true, nil // deleted here meanwhile: dropOrphans handles it
	}
	if err != nil {
		return app.DeskApply{}, false, err
	}
	// Other records of ours linked to merged-away contacts are the same
	// person too: fold them into the target (their differing values are
	// kept as conflicts below).
	dsk := remoteValues(sr, ms)
	var conflicts []app.Conflict
	for _, l := range links {
		if l.CRMID == target.CRMID {
			continue
		}
		other, err := ps.findRecord(ctx, kind, l.CRMID)
		if app.ErrorCode(err) == app.ENOTFOUND {
			continue
		}
		if err != nil {
			return app.DeskApply{}, false, err
		}
		ov := ps.values(ctx, other, ms)
		for _, m := range ms {
			if v := ov[m.DeskField]; v != "" && v != dsk[m.DeskField] {
				conflicts = append(conflicts, app.Conflict{DeskField: m.DeskField, CRMField: m.CRMField, CRMValue: v,
					DeskValue: dsk[m.DeskField], Winner: app.WinnerDesk, DeskTime: sr.Modified})
			}
		}
		if err := s.crm.Contacts.MergeContacts(ctx, target.CRMID, l.CRMID); err != nil {
			return app.DeskApply{}, false, err
		}
		if rec, err = ps.findRecord(ctx, kind, target.CRMID); err != nil {
			return app.DeskApply{}, false, err
		}
	}
	crm := ps.values(ctx, rec, ms)
	if target.DeskID != sr.DeskID {
		// The values this record agreed with its old Desk contact and that
		// the survivor does not have were typed on this desktop (or pulled
		// from the merged contact): kept as conflicts, Desk's merge winning.
		for _, m := range ms {
			b, hasB := target.Agreed[m.DeskField]
			c, d := crm[m.DeskField], dsk[m.DeskField]
			if hasB && c == b && c != d && c != "" {
				conflicts = append(conflicts, app.Conflict{DeskField: m.DeskField, CRMField: m.CRMField, CRMValue: c,
					DeskValue: d, Winner: app.WinnerDesk, DeskTime: sr.Modified})
			}
		}
	}
	l := *target
	l.DeskID, l.DeskModified = sr.DeskID, time.Time{}
	a, ok := ps.reconcile(ctx, ms, rec, &l, sr)
	if !ok {
		a = app.DeskApply{Link: &app.Link{OrgID: org, Kind: kind, CRMID: rec.id(), DeskID: sr.DeskID, Agreed: target.Agreed,
			CRMRev: target.CRMRev, DeskModified: sr.Modified}}
	}
	for _, c := range conflicts {
		c.OrgID, c.Kind, c.CRMID, c.DeskID, c.RecordName = org, kind, rec.id(), sr.DeskID, rec.name()
		a.Conflicts = append(a.Conflicts, c)
	}
	note.RecordName = rec.name()
	a.Remote, a.Forget, a.Merge, a.ClearErrors = sr, losers, note, true
	return a, true, nil
}

// agreedName names a deleted record by the values its link agreed: a
// contact's name and email, a company's name.
func agreedName(l app.Link) string {
	v := l.Agreed
	if l.Kind == app.KindCompany {
		return v["accountName"]
	}
	name := app.PersonName(v["firstName"], v["lastName"])
	if e := v["email"]; e != "" {
		name = strings.TrimSpace(name + " <" + e + ">")
	}
	return name
}

// deletedHere reports whether the Desk record rr belongs to a record
// deleted in Tandem; a change since the delete is marked for the user
// ("deleted here, changed in Zoho Desk").
func (ps *pass) deletedHere(ctx context.Context, rr *app.RemoteRecord) (bool, error) {
	t, err := ps.s.store.FindTombstone(ctx, ps.p.OrgID, rr.Kind, rr.DeskID)
	if app.ErrorCode(err) == app.ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	news, err := ps.s.store.TombstoneChanged(ctx, ps.p.OrgID, rr.Kind, rr.DeskID, rr.Modified)
	if err != nil {
		return false, err
	}
	if news {
		name := "“" + t.Name + "”"
		if t.Name == "" {
			name = remoteName(rr)
		}
		ps.s.publish(app.SyncEvent{Kind: app.EventConflict, OrgID: ps.p.OrgID, Counts: ps.counts,
			Message: fmt.Sprintf("%s was deleted in Tandem and changed in Zoho Desk since: restore it or keep it deleted.", name)})
	}
	return true, nil
}

// problemsChanged tells the screens that a card of Needs your attention
// was handled (the status line's count follows).
func (s *Service) problemsChanged(ctx context.Context) {
	if p, err := s.store.ActivePortal(ctx); err == nil {
		s.publish(app.SyncEvent{Kind: app.EventConflict, OrgID: p.OrgID})
	}
}

// Merges lists the active portal's resolved duplicates not dismissed.
func (s *Service) Merges(ctx context.Context) ([]app.MergeNote, error) {
	p, err := s.ActivePortal(ctx)
	if err != nil {
		return nil, err
	}
	ms, err := s.store.Merges(ctx, p.OrgID, false)
	if err != nil {
		return nil, fmt.Errorf("sync: merges: %w", err)
	}
	return ms, nil
}

// DismissMerge hides a merge note.
func (s *Service) DismissMerge(ctx context.Context, id int64) error {
	if err := s.store.DismissMerge(ctx, id); err != nil {
		return fmt.Errorf("sync: dismiss merge: %w", err)
	}
	s.problemsChanged(ctx)
	return nil
}

// DeletedChanged lists the records deleted in Tandem and changed in Zoho
// Desk since.
func (s *Service) DeletedChanged(ctx context.Context) ([]app.Tombstone, error) {
	p, err := s.ActivePortal(ctx)
	if err != nil {
		return nil, err
	}
	ts, err := s.store.Tombstones(ctx, p.OrgID)
	if err != nil {
		return nil, fmt.Errorf("sync: deleted records: %w", err)
	}
	return ts, nil
}

// KeepDeleted keeps a record deleted although Desk changed it.
func (s *Service) KeepDeleted(ctx context.Context, id int64) error {
	if err := s.store.KeepDeleted(ctx, id); err != nil {
		return fmt.Errorf("sync: keep deleted: %w", err)
	}
	s.problemsChanged(ctx)
	return nil
}

// RestoreDeleted brings a record deleted in Tandem back from Zoho Desk's
// copy (the one the last pull stored), linked again.
func (s *Service) RestoreDeleted(ctx context.Context, id int64) error {
	s.passMu.Lock()
	defer s.passMu.Unlock()
	t, err := s.store.FindTombstoneByID(ctx, id)
	if err != nil {
		return fmt.Errorf("sync: restore deleted: %w", err)
	}
	p, err := s.store.ActivePortal(ctx)
	if err != nil {
		return fmt.Errorf("sync: restore deleted: %w", err)
	}
	rr, err := s.store.FindRemote(ctx, p.OrgID, t.Kind, t.DeskID)
	if err != nil {
		return fmt.Errorf("sync: restore deleted: %w", err)
	}
	ms, err := s.store.FieldMappings(ctx, p.OrgID)
	if err != nil {
		return fmt.Errorf("sync: restore deleted: %w", err)
	}
	ps := &pass{s: s, p: p, ms: ms}
	a, ok := ps.createFromDesk(ctx, t.Kind, mappingsFor(ms, t.Kind), rr)
	if !ok {
		return fmt.Errorf("sync: restore deleted: %w", app.Errorf(app.EINVALID, "Zoho Desk's copy cannot be saved in Tandem; see the sync errors."))
	}
	a.Remote = rr
	errs, err := s.store.ApplyFromDesk(ctx, []app.DeskApply{a})
	if err == nil && errs[0] != nil {
		err = errs[0]
	}
	if err != nil {
		return fmt.Errorf("sync: restore deleted: %w", err)
	}
	if err := s.store.DeleteTombstone(ctx, id); err != nil {
		return fmt.Errorf("sync: restore deleted: %w", err)
	}
	s.SyncNow()
	return nil
}

// trashPayload is the outbox payload of a Desk delete.
type trashPayload struct {
	DeskID string `json:"deskId"`
	Name   string `json:"name,omitempty"`
}

// LinkedOnDesk reports whether a CRM contact is linked on the active
// portal (pushing modes: No sync links nothing to delete).
func (s *Service) LinkedOnDesk(ctx context.Context, kind string, crmID int64) (bool, error) {
	if kind != app.KindContact {
		return false, nil
	}
	p, err := s.store.ActivePortal(ctx)
	if app.ErrorCode(err) == app.ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("sync: linked: %w", err)
	}
	if !p.Mode.Pushes() {
		return false, nil
	}
	_, err = s.store.FindLink(ctx, p.OrgID, kind, crmID)
	if app.ErrorCode(err) == app.ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("sync: linked: %w", err)
	}
	return true, nil
}

// DeleteOnDesk queues the delete (Recycle Bin) of a CRM contact's Desk
// contact, for everyone on the team; the caller then deletes the record in
// Tandem. Other desktops keep their copy until they delete it: Desk's API
// has no feed of deleted contacts.
func (s *Service) DeleteOnDesk(ctx context.Context, kind string, crmID int64) error {
	if kind != app.KindContact {
		return fmt.Errorf("sync: delete on desk: %w", app.Errorf(app.EINVALID, "Only contacts can be deleted in Zoho Desk from Tandem."))
	}
	p, err := s.store.ActivePortal(ctx)
	if err != nil {
		return fmt.Errorf("sync: delete on desk: %w", err)
	}
	l, err := s.store.FindLink(ctx, p.OrgID, kind, crmID)
	if err != nil {
		return fmt.Errorf("sync: delete on desk: %w", err)
	}
	if _, err := s.enqueue(ctx, p, app.OutboxTrashContact, "", "", 0, trashPayload{DeskID: l.DeskID, Name: agreedName(*l)}); err != nil {
		return err
	}
	return nil
}
