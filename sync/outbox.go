package sync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/sync/desk"
)

// Payloads of the ticket actions in the outbox.
type (
	createTicketPayload struct {
		Subject       string `json:"subject"`
		Description   string `json:"description,omitempty"`
		DepartmentID  string `json:"departmentId,omitempty"`
		Priority      string `json:"priority,omitempty"`
		ContactDeskID string `json:"contactDeskId,omitempty"`
		Email         string `json:"email"`
		FirstName     string `json:"firstName,omitempty"`
		LastName      string `json:"lastName"`
	}
	replyPayload struct {
		To          string `json:"to"`
		CC          string `json:"cc,omitempty"`
		BCC         string `json:"bcc,omitempty"`
		Content     string `json:"content"`
		ContentType string `json:"contentType"`
		IsForward   bool   `json:"isForward,omitempty"`
		Status      string `json:"ticketStatus,omitempty"`
		// Files are attachments staged in the data folder (see stagedFile).
		Files []stagedFile `json:"files,omitempty"`
		// From is the sender the person chose ("": replyFrom decides
		// when the reply is sent).
		From string `json:"from,omitempty"`
	}
	commentPayload struct {
		Content  string `json:"content"`
		IsPublic bool   `json:"isPublic"`
		// Files are staged like a reply's (the same "files" key, so
		// unstage removes them alike).
		Files []stagedFile `json:"files,omitempty"`
	}
	statusPayload struct {
		Status string `json:"status"`
	}
)

// recipients is the reply's to.
func (pl replyPayload) recipients() string {
	return strings.Join(splitAddrs(pl.To), ",")
}

// oldRecipients is the to an item queued before Tandem sent cc put
// everyone in: a crash's lookup accepts it too.
func (pl replyPayload) oldRecipients() string {
	return strings.Join(splitAddrs(pl.To+","+pl.CC), ",")
}

// bareList joins the bare addresses of a list: sendReply's cc and bcc take
// no display name (Thread.json, commonSendReplyJson).
func bareList(s string) string {
	var out []string
	for _, a := range splitAddrs(s) {
		if lt, gt := strings.LastIndex(a, "<"), strings.LastIndex(a, ">"); lt >= 0 && gt > lt {
			a = strings.TrimSpace(a[lt+1 : gt])
		}
		out = append(out, a)
	}
	return strings.Join(out, ",")
}

// lookupSkew is how much earlier than our "sending" mark (on Desk's clock,
// as estimated from its Date headers, to the second) a Desk creation time
// may be and still be taken for ours.
const lookupSkew = 2 * time.Minute

// drainOutbox sends the portal's pending items in order. An item left
// "sending" by a crash (or by an answer that never came) is first looked
// up on Desk, so it is applied exactly once. Desk being unreachable stops
// the drain (EUNAVAILABLE): the rest stays queued.
//
// With deferUpdates, updates of Desk contacts and accounts are left for a
// later drain: they were decided against the Desk copy of an earlier pass,
// and sending them before this pass's pull would overwrite Desk edits made
// since. The pull reconciles such records again (which drops the queued
// update for a fresh one); the others are sent by the drain after it.
func (ps *pass) drainOutbox(ctx context.Context, deferUpdates bool) error {
	s, org := ps.s, ps.p.OrgID
	items, err := s.store.Outbox(ctx, org, app.OutboxSending, app.OutboxPending)
	if err != nil {
		return fmt.Errorf("sync: outbox: %w", err)
	}
	// Oldest first, whatever the state.
	sortOutbox(items)
	for i := range items {
		it := &items[i]
		if deferUpdates && isUpdatePush(it) {
			continue
		}
		if it.State == app.OutboxSending {
			res, found, err := ps.lookup(ctx, it)
			if err != nil {
				if isTransient(err) {
					return fmt.Errorf("sync: outbox: %w", err)
				}
				if err := s.store.MarkFailed(ctx, it.ID, app.ErrorMessage(err)); err != nil {
					return fmt.Errorf("sync: outbox: %w", err)
				}
				continue
			}
			if found {
				if err := ps.complete(ctx, it, res); err != nil {
					return err
				}
				continue
			}
		}
		if gone, err := ps.pushTargetGone(ctx, it); err != nil {
			return err
		} else if gone {
			// Never sent, and its CRM record was deleted: drop it.
			if err := s.store.CompleteOutbox(ctx, it.ID, app.OutboxResult{}); err != nil {
				return fmt.Errorf("sync: outbox: %w", err)
			}
			continue
		}
		// The mark is on Desk's clock (the client's estimate from Desk's
		// Date headers), as are the creation times the look-up compares
		// it with: a desktop clock that is off cannot hide our own create.
		if err := s.store.MarkSending(ctx, it.ID, ps.cl.ServerNow()); err != nil {
			return fmt.Errorf("sync: outbox: %w", err)
		}
		if err := s.hookErr("outbox-before-send"); err != nil {
			return err
		}
		res, err := ps.send(ctx, it)
		if herr := s.hookErr("outbox-after-send"); herr != nil {
			return herr // a crash between Desk's answer and our record of it
		}
		if err != nil {
			switch {
			case errors.Is(err, errAborted):
				return err // killed mid-send: left "sending", looked up first next time
			case desk.MaybeApplied(err):
				// Leave it "sending": the next drain looks it up first.
				if ctx.Err() != nil {
					return err
				}
				return fmt.Errorf("sync: outbox: %w", err)
			case isTransient(err):
				if merr := s.store.MarkPending(ctx, it.ID, app.ErrorMessage(err)); merr != nil {
					return fmt.Errorf("sync: outbox: %w", merr)
				}
				return fmt.Errorf("sync: outbox: %w", err)
			default:
				if merr := s.store.MarkFailed(ctx, it.ID, app.ErrorMessage(err)); merr != nil {
					return fmt.Errorf("sync: outbox: %w", merr)
				}
				if it.CRMKind != "" && (it.Kind == app.OutboxPushContact || it.Kind == app.OutboxPushCompany) {
					var pl pushPayload
					_ = json.Unmarshal(it.Payload, &pl)
					ps.recordError(ctx, app.SyncError{Kind: it.CRMKind, CRMID: it.CRMID, DeskID: pl.DeskID, CRMRev: pl.CRMRev,
						Message: app.ErrorMessage(err)})
				}
				s.publish(app.SyncEvent{Kind: app.EventOutbox, OrgID: org, Message: app.ErrorMessage(err)})
				continue
			}
		}
		if err := ps.complete(ctx, it, res); err != nil {
			return err
		}
	}
	return nil
}

// pushTargetGone reports whether a push's CRM record was deleted since it
// was queued (an id reused by a newer record counts as deleted).
func (ps *pass) pushTargetGone(ctx context.Context, it *app.OutboxItem) (bool, error) {
	if it.Kind != app.OutboxPushContact && it.Kind != app.OutboxPushCompany {
		return false, nil
	}
	var pl pushPayload
	if err := json.Unmarshal(it.Payload, &pl); err != nil {
		return false, nil // send reports it
	}
	return ps.crmGone(ctx, it.CRMKind, it.CRMID, &pl)
}

func (ps *pass) crmGone(ctx context.Context, kind string, id int64, pl *pushPayload) (bool, error) {
	rec, err := ps.findRecord(ctx, kind, id)
	switch {
	case app.ErrorCode(err) == app.ENOTFOUND:
		return true, nil
	case err != nil:
		return false, fmt.Errorf("sync: outbox: %w", err)
	}
	return pl.CRMCreated != 0 && rec.created().UnixMilli() != pl.CRMCreated, nil
}

// isUpdatePush reports a push to an existing Desk contact or account.
func isUpdatePush(it *app.OutboxItem) bool {
	if it.Kind != app.OutboxPushContact && it.Kind != app.OutboxPushCompany {
		return false
	}
	var pl pushPayload
	return json.Unmarshal(it.Payload, &pl) == nil && pl.DeskID != ""
}

func sortOutbox(items []app.OutboxItem) {
	for i := 1; i < len(items); i++ {
		for j := i; j > 0 && items[j].ID < items[j-1].ID; j-- {
			items[j], items[j-1] = items[j-1], items[j]
		}
	}
}

// isTransient reports an error after which the same request may succeed
// later: Desk unreachable or throttling, or the sign-in to renew.
func isTransient(err error) bool {
	switch app.ErrorCode(err) {
	case app.EUNAVAILABLE, app.EUNAUTHORIZED:
		return true
	}
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// complete records an item's success with what it produced.
func (ps *pass) complete(ctx context.Context, it *app.OutboxItem, res app.OutboxResult) error {
	if err := ps.s.store.CompleteOutbox(ctx, it.ID, res); err != nil {
		return fmt.Errorf("sync: outbox: %w", err)
	}
	unstage(it)
	ps.counts.OutboxSent++
	if res.Remote != nil && it.CRMKind != "" && !res.Remote.Modified.IsZero() {
		// The time Desk accepted the push: the Tandem side's time of the
		// conflicts it won (one clock, Desk's).
		if err := ps.s.store.SetConflictCRMTime(ctx, ps.p.OrgID, it.CRMKind, it.CRMID, res.Remote.Modified); err != nil {
			return fmt.Errorf("sync: outbox: %w", err)
		}
	}
	switch it.Kind {
	case app.OutboxPushContact:
		ps.counts.ContactsPushed++
		var pl pushPayload
		if json.Unmarshal(it.Payload, &pl) == nil && pl.DeskID == "" && pl.Key != "" {
			if ps.created == nil {
				ps.created = map[string]bool{}
			}
			ps.created[pl.Key] = true
		}
	case app.OutboxPushCompany:
		ps.counts.CompaniesPushed++
	}
	ps.s.publish(app.SyncEvent{Kind: app.EventOutbox, OrgID: ps.p.OrgID, Counts: ps.counts})
	return nil
}

// send performs one outbox item against Desk.
func (ps *pass) send(ctx context.Context, it *app.OutboxItem) (app.OutboxResult, error) {
	cl := ps.cl
	switch it.Kind {
	case app.OutboxPushContact, app.OutboxPushCompany:
		return ps.sendPush(ctx, it)
	case app.OutboxTrashContact:
		var pl trashPayload
		if err := json.Unmarshal(it.Payload, &pl); err != nil {
			return app.OutboxResult{}, badPayload(err)
		}
		err := cl.TrashContacts(ctx, []string{pl.DeskID})
		if err != nil && (app.ErrorCode(err) == app.EINVALID || app.ErrorCode(err) == app.ENOTFOUND) {
			err = nil // gone already (merged, or deleted by someone else)
		}
		return app.OutboxResult{ResultID: pl.DeskID}, err
	case app.OutboxCreateTicket:
		var pl createTicketPayload
		if err := json.Unmarshal(it.Payload, &pl); err != nil {
			return app.OutboxResult{}, badPayload(err)
		}
		nt := desk.NewTicket{Subject: pl.Subject, DepartmentID: pl.DepartmentID, Description: pl.Description, Priority: pl.Priority, Email: pl.Email}
		if nt.DepartmentID == "" {
			ds, err := ps.s.departments(ctx, ps.p, cl)
			if err != nil {
				return app.OutboxResult{}, err
			}
			if len(ds) > 0 {
				nt.DepartmentID = ds[0].ID
			}
		}
		if pl.ContactDeskID != "" {
			nt.ContactID = pl.ContactDeskID
		} else {
			// The definition takes lastName and email only: Desk finds the
			// contact by email or creates it; a first name follows with the
			// contact's sync (a new match takes the side that has a value).
			nt.Contact = &desk.NewContactRef{Email: pl.Email, LastName: pl.LastName}
		}
		sts, err := ps.s.ticketStatuses(ctx, ps.p, cl)
		if err != nil && isTransient(err) {
			return app.OutboxResult{}, err
		}
		nt.Status = desk.FirstOpenStatus(sts) // required by the definition
		if nt.Contact != nil {
			ps.newest = nil // Desk may create the contact: read the list again
		}
		t, err := cl.CreateTicket(ctx, nt)
		if err != nil {
			return app.OutboxResult{}, err
		}
		tk := ticketFromDesk(ps.p.OrgID, t)
		return app.OutboxResult{ResultID: t.ID, Ticket: &tk, OriginKind: it.CRMKind, OriginID: it.CRMID}, nil
	case app.OutboxReply, app.OutboxReplyAll, app.OutboxForward:
		var pl replyPayload
		if err := json.Unmarshal(it.Payload, &pl); err != nil {
			return app.OutboxResult{}, badPayload(err)
		}
		from := pl.From
		if from == "" {
			var err error
			if from, err = ps.replyFrom(ctx, it.TicketID); err != nil {
				return app.OutboxResult{}, err
			}
		}
		ids, err := ps.uploadStaged(ctx, it, &pl, pl.Files)
		if err != nil {
			return app.OutboxResult{}, err
		}
		th, err := cl.SendReply(ctx, it.TicketID, desk.Reply{Channel: "EMAIL", FromEmailAddress: from, To: pl.recipients(),
			CC: bareList(pl.CC), BCC: bareList(pl.BCC), Content: pl.Content, ContentType: pl.ContentType, IsForward: pl.IsForward, TicketStatus: pl.Status, AttachmentIDs: ids})
		if err != nil {
			return app.OutboxResult{}, err
		}
		t := threadFromDesk(ps.p.OrgID, it.TicketID, th)
		return app.OutboxResult{ResultID: th.ID, Thread: &t}, nil
	case app.OutboxComment:
		var pl commentPayload
		if err := json.Unmarshal(it.Payload, &pl); err != nil {
			return app.OutboxResult{}, badPayload(err)
		}
		ids, err := ps.uploadStaged(ctx, it, &pl, pl.Files)
		if err != nil {
			return app.OutboxResult{}, err
		}
		cm, err := cl.AddComment(ctx, it.TicketID, desk.NewComment{Content: pl.Content, ContentType: desk.ContentPlain, IsPublic: pl.IsPublic, AttachmentIDs: ids})
		if err != nil {
			return app.OutboxResult{}, err
		}
		c := commentFromDesk(ps.p.OrgID, it.TicketID, cm)
		return app.OutboxResult{ResultID: cm.ID, Comment: &c}, nil
	case app.OutboxStatus:
		var pl statusPayload
		if err := json.Unmarshal(it.Payload, &pl); err != nil {
			return app.OutboxResult{}, badPayload(err)
		}
		t, err := cl.SetTicketStatus(ctx, it.TicketID, pl.Status)
		if err != nil {
			return app.OutboxResult{}, err
		}
		tk := ticketFromDesk(ps.p.OrgID, t)
		tk.DetailWanted = true
		return app.OutboxResult{ResultID: t.ID, Ticket: &tk}, nil
	case app.OutboxTicketUpdate:
		var pl app.TicketUpdate
		if err := json.Unmarshal(it.Payload, &pl); err != nil {
			return app.OutboxResult{}, badPayload(err)
		}
		f := desk.Fields{}
		if pl.Priority != nil {
			f["priority"] = *pl.Priority
		}
		if pl.AssigneeID != nil {
			if *pl.AssigneeID == "" {
				f["assigneeId"] = nil
			} else {
				f["assigneeId"] = *pl.AssigneeID
			}
		}
		t, err := cl.UpdateTicket(ctx, it.TicketID, f)
		if err != nil {
			return app.OutboxResult{}, err
		}
		tk := ticketFromDesk(ps.p.OrgID, t)
		return app.OutboxResult{ResultID: t.ID, Ticket: &tk}, nil
	}
	return app.OutboxResult{}, fmt.Errorf("sync: outbox: %w", app.Errorf(app.EINTERNAL, "Unknown outbox action %q.", it.Kind))
}

func badPayload(err error) error {
	return &app.Error{Code: app.EINTERNAL, Message: "A queued action could not be read.", Err: err}
}

// sendPush creates or updates a Desk contact or account.
func (ps *pass) sendPush(ctx context.Context, it *app.OutboxItem) (app.OutboxResult, error) {
	var pl pushPayload
	if err := json.Unmarshal(it.Payload, &pl); err != nil {
		return app.OutboxResult{}, badPayload(err)
	}
	body := pushBody(it, &pl)
	var rr app.RemoteRecord
	if it.CRMKind == app.KindContact {
		var c desk.Contact
		var err error
		if pl.DeskID == "" {
			var twin *desk.Contact
			if twin, err = ps.contactTwin(ctx, pl.Key); err != nil {
				return app.OutboxResult{}, err
			}
			if herr := ps.s.hookErr("outbox-before-create"); herr != nil {
				return app.OutboxResult{}, herr
			}
			if twin != nil {
				// Desk made the contact a moment ago (a ticket for its
				// email, or another desktop of the team): the search the
				// pull reads does not show it yet. Link it rather than
				// create a second one; the values ours overwrites are kept
				// as conflicts.
				if err = ps.noteOverwrites(ctx, it, &pl, twin.ID, nil); err == nil {
					c, err = ps.cl.UpdateContact(ctx, twin.ID, body)
				}
			} else {
				c, err = ps.cl.CreateContact(ctx, body)
			}
		} else {
			// Another desktop (or Desk) may have changed a field we push
			// since our last pull (Desk's search index lags, so the pull
			// may not have shown it): the value overwritten is kept as a
			// conflict, ours winning (it reaches Desk later).
			var base map[string]string
			if l, lerr := ps.s.store.FindLink(ctx, ps.p.OrgID, it.CRMKind, it.CRMID); lerr == nil && l.DeskID == pl.DeskID {
				base = l.Agreed
			}
			if base != nil {
				err = ps.noteOverwrites(ctx, it, &pl, pl.DeskID, base)
			}
			if err == nil {
				c, err = ps.cl.UpdateContact(ctx, pl.DeskID, body)
			}
		}
		if err != nil {
			return app.OutboxResult{}, err
		}
		rr = contactRemote(ps.p.OrgID, c)
	} else {
		var a desk.Account
		var err error
		if pl.DeskID == "" {
			a, err = ps.cl.CreateAccount(ctx, body)
			if desk.IsDuplicate(err, "accountName") || app.ErrorCode(err) == app.ECONFLICT {
				// Desk refuses a second account with the same name: link the existing one.
				if res, found, lerr := ps.lookup(ctx, it); lerr == nil && found {
					return res, nil
				}
			}
		} else {
			a, err = ps.cl.UpdateAccount(ctx, pl.DeskID, body)
		}
		if err != nil {
			return app.OutboxResult{}, err
		}
		rr = accountRemote(ps.p.OrgID, a)
	}
	return ps.pushResult(ctx, it, &pl, &rr)
}

// pushBody is the Desk body of a push.
func pushBody(it *app.OutboxItem, pl *pushPayload) desk.Fields {
	ms := make([]app.FieldMapping, 0, len(pl.Types))
	for f, t := range pl.Types {
		ms = append(ms, app.FieldMapping{Kind: it.CRMKind, DeskField: f, Type: t})
	}
	return deskFields(ms, pl.Fields)
}

// contactTwin returns an unlinked Desk contact with the email key among
// the newest created ones, or nil. Desk's search index lags writes, so a
// contact Desk created seconds ago (for a ticket sent with the contact's
// email) is not among the pull's changes yet; the contacts list shows it
// at once. The list is read once per pass, and again after a ticket was
// created for an email.
func (ps *pass) contactTwin(ctx context.Context, key string) (*desk.Contact, error) {
	if key == "" {
		return nil, nil
	}
	if ps.newest == nil {
		cs, err := ps.cl.ListContacts(ctx, desk.ListOptions{Limit: desk.MaxLimit, SortBy: "-createdTime"})
		if err != nil && app.ErrorCode(err) != app.ENOTFOUND {
			return nil, err
		}
		ps.newest = append([]desk.Contact{}, cs...)
	}
	for i := range ps.newest {
		c := &ps.newest[i]
		if app.NormalizeEmail(c.Email) != key {
			continue
		}
		if _, err := ps.s.store.FindLinkByDesk(ctx, ps.p.OrgID, app.KindContact, c.ID); app.ErrorCode(err) == app.ENOTFOUND {
			return c, nil
		} else if err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// pushResult builds the link a successful push leaves: the pushed fields
// join the agreed values.
func (ps *pass) pushResult(ctx context.Context, it *app.OutboxItem, pl *pushPayload, rr *app.RemoteRecord) (app.OutboxResult, error) {
	if gone, err := ps.crmGone(ctx, it.CRMKind, it.CRMID, pl); err != nil {
		return app.OutboxResult{}, err
	} else if gone {
		// The CRM record was deleted meanwhile: no link (deletes do not
		// cascade; Desk's record stays as it is). A create made the Desk
		// record for it: remembered as deleted here, so no pull brings it
		// back (and a change in Desk asks the user).
		res := app.OutboxResult{ResultID: rr.DeskID, Remote: rr}
		if pl.DeskID == "" {
			res.Tombstone = &app.Tombstone{OrgID: ps.p.OrgID, Kind: it.CRMKind, DeskID: rr.DeskID, CRMID: it.CRMID,
				Name: agreedName(app.Link{Kind: it.CRMKind, Agreed: pl.Agreed}), DeskModified: rr.Modified}
		}
		return res, nil
	}
	l, err := ps.s.store.FindLink(ctx, ps.p.OrgID, it.CRMKind, it.CRMID)
	switch code := app.ErrorCode(err); {
	case pl.DeskID != "" && (code == app.ENOTFOUND || (code == "" && l.DeskID != rr.DeskID)):
		// An update sent for a link dropped since (the CRM record was
		// deleted): the next pull takes Desk's record in as it is.
		return app.OutboxResult{ResultID: rr.DeskID}, nil
	case code == "":
		if l.DeskID != rr.DeskID {
			l = &app.Link{OrgID: ps.p.OrgID, Kind: it.CRMKind, CRMID: it.CRMID, DeskID: rr.DeskID, CRMRev: pl.CRMRev}
		}
	case code == app.ENOTFOUND:
		l = &app.Link{OrgID: ps.p.OrgID, Kind: it.CRMKind, CRMID: it.CRMID, DeskID: rr.DeskID, CRMRev: pl.CRMRev}
	default:
		return app.OutboxResult{}, err
	}
	if it.CRMKind == app.KindCompany && l.LinkedAt.IsZero() {
		ps.companyLinked()
	}
	if l.Agreed == nil {
		l.Agreed = map[string]string{}
	}
	for k, v := range pl.Agreed {
		if _, pushed := pl.Fields[k]; pushed || pl.DeskID == "" {
			l.Agreed[k] = v
		} else if _, ok := l.Agreed[k]; !ok {
			l.Agreed[k] = v
		}
	}
	// Desk's answer is the whole record: when a field we did not push
	// differs from the agreed value, someone edited it on Desk since our
	// last pull. Its time then is not taken as seen, so the next pull
	// reconciles the record instead of skipping it.
	if rr.Modified.After(l.DeskModified) && !ps.unreconciled(it.CRMKind, pl, l.Agreed, rr) {
		l.DeskModified = rr.Modified
	}
	if pl.CRMRev > l.CRMRev {
		l.CRMRev = pl.CRMRev
	}
	return app.OutboxResult{ResultID: rr.DeskID, Link: l, Remote: rr}, nil
}

// unreconciled reports whether Desk's copy rr differs from the agreed
// values in a mapped field the push did not set.
func (ps *pass) unreconciled(kind string, pl *pushPayload, agreed map[string]string, rr *app.RemoteRecord) bool {
	ms := mappingsFor(ps.ms, kind)
	vals := remoteValues(rr, ms)
	for _, m := range ms {
		if _, pushed := pl.Fields[m.DeskField]; pushed {
			continue
		}
		if m.Type == app.FieldAccount && !hasKey(agreed, m.DeskField) {
			continue // held until the company is linked
		}
		if vals[m.DeskField] != agreed[m.DeskField] {
			return true
		}
	}
	return false
}

// lookup finds out whether an item whose answer was lost was applied on
// Desk, and with what result.
func (ps *pass) lookup(ctx context.Context, it *app.OutboxItem) (app.OutboxResult, bool, error) {
	cl, org := ps.cl, ps.p.OrgID
	since := it.SentAt.Add(-lookupSkew)
	switch it.Kind {
	case app.OutboxPushContact, app.OutboxPushCompany:
		var pl pushPayload
		if err := json.Unmarshal(it.Payload, &pl); err != nil {
			return app.OutboxResult{}, false, badPayload(err)
		}
		if pl.DeskID != "" {
			return app.OutboxResult{}, false, nil // an update: sending it again is harmless
		}
		if it.CRMKind == app.KindContact {
			// The newest created contacts, from the list (Desk's search
			// index lags writes: a contact created a moment ago may not be
			// found by a search yet).
			cs, err := cl.ListContacts(ctx, desk.ListOptions{Limit: desk.MaxLimit, SortBy: "-createdTime"})
			if err != nil && app.ErrorCode(err) != app.ENOTFOUND {
				return app.OutboxResult{}, false, err
			}
			name := app.PersonName(pl.Fields["firstName"], pl.Fields["lastName"])
			for _, c := range cs {
				if c.CreatedTime.Before(since) {
					break
				}
				if pl.Key != "" && app.NormalizeEmail(c.Email) != pl.Key {
					continue
				}
				if pl.Key == "" && app.PersonName(c.FirstName, c.LastName) != name {
					continue
				}
				if l, err := ps.s.store.FindLinkByDesk(ctx, org, app.KindContact, c.ID); app.ErrorCode(err) == app.ENOTFOUND || (err == nil && l.CRMID == it.CRMID) {
					// Send the fields again: the contact may be one Desk
					// made for a ticket to the email, not ours (PATCH sets
					// absolute values, so for ours it changes nothing).
					if err := ps.noteOverwrites(ctx, it, &pl, c.ID, nil); err != nil {
						return app.OutboxResult{}, false, err
					}
					full, err := cl.UpdateContact(ctx, c.ID, pushBody(it, &pl))
					if err != nil {
						return app.OutboxResult{}, false, err
					}
					rr := contactRemote(org, full)
					res, err := ps.pushResult(ctx, it, &pl, &rr)
					return res, err == nil, err
				}
			}
			return app.OutboxResult{}, false, nil
		}
		// The newest created accounts first (no search lag); an older one
		// with the name (Desk refused a duplicate name) by a search.
		as, err := cl.ListAccounts(ctx, desk.ListOptions{SortBy: "-createdTime"})
		if err != nil && app.ErrorCode(err) != app.ENOTFOUND {
			return app.OutboxResult{}, false, err
		}
		found, err := ps.linkableAccount(ctx, it, as, pl.Key)
		if err != nil || found != nil {
			return ps.accountResult(ctx, it, &pl, found, err)
		}
		as, err = cl.FindAccountsByName(ctx, pl.Key)
		if err != nil && app.ErrorCode(err) != app.ENOTFOUND {
			return app.OutboxResult{}, false, err
		}
		found, err = ps.linkableAccount(ctx, it, as, pl.Key)
		return ps.accountResult(ctx, it, &pl, found, err)
	case app.OutboxCreateTicket:
		var pl createTicketPayload
		if err := json.Unmarshal(it.Payload, &pl); err != nil {
			return app.OutboxResult{}, false, badPayload(err)
		}
		dep := pl.DepartmentID
		if dep == "" {
			ds, err := ps.s.departments(ctx, ps.p, cl)
			if err != nil {
				return app.OutboxResult{}, false, err
			}
			if len(ds) > 0 {
				dep = ds[0].ID
			}
		}
		ts, err := cl.ListTickets(ctx, dep, desk.ListOptions{Limit: desk.MaxLimit, SortBy: "-createdTime"})
		if err != nil && app.ErrorCode(err) != app.ENOTFOUND {
			return app.OutboxResult{}, false, err
		}
		for _, t := range ts {
			if t.CreatedTime.Before(since) {
				break
			}
			email := t.Email
			if t.Contact != nil && t.Contact.Email != "" {
				email = t.Contact.Email
			}
			if t.Subject == pl.Subject && (t.ContactID == pl.ContactDeskID || app.NormalizeEmail(email) == app.NormalizeEmail(pl.Email)) {
				tk := ticketFromDesk(org, t)
				return app.OutboxResult{ResultID: t.ID, Ticket: &tk, OriginKind: it.CRMKind, OriginID: it.CRMID}, true, nil
			}
		}
		return app.OutboxResult{}, false, nil
	case app.OutboxReply, app.OutboxReplyAll, app.OutboxForward:
		var pl replyPayload
		if err := json.Unmarshal(it.Payload, &pl); err != nil {
			return app.OutboxResult{}, false, badPayload(err)
		}
		for th, err := range cl.AllThreads(ctx, it.TicketID) {
			if err != nil {
				return app.OutboxResult{}, false, err
			}
			if th.Direction != desk.DirectionOut || th.CreatedTime.Before(since) || th.IsForward != pl.IsForward || (th.To != pl.recipients() && th.To != pl.oldRecipients()) {
				continue
			}
			full, err := cl.GetThread(ctx, it.TicketID, th.ID)
			if err != nil {
				return app.OutboxResult{}, false, err
			}
			if full.Content == pl.Content {
				t := threadFromDesk(org, it.TicketID, full)
				return app.OutboxResult{ResultID: th.ID, Thread: &t}, true, nil
			}
		}
		return app.OutboxResult{}, false, nil
	case app.OutboxComment:
		var pl commentPayload
		if err := json.Unmarshal(it.Payload, &pl); err != nil {
			return app.OutboxResult{}, false, badPayload(err)
		}
		for cm, err := range cl.AllComments(ctx, it.TicketID) {
			if err != nil {
				return app.OutboxResult{}, false, err
			}
			if cm.Content == pl.Content && !cm.CommentedTime.Before(since) {
				c := commentFromDesk(org, it.TicketID, cm)
				return app.OutboxResult{ResultID: cm.ID, Comment: &c}, true, nil
			}
		}
		return app.OutboxResult{}, false, nil
	}
	// Status changes are idempotent: send again.
	return app.OutboxResult{}, false, nil
}

// replyFrom is the support address a reply on ticketID is sent from when
// the person chose none (Desk requires one, of the ticket's department):
// the one its conversation shows, from the cache or else from Desk's
// thread list; else the department's default From address as Desk lists
// it (GET /mailReplyAddress, kept for offline composers); else the one
// other conversations of the portal show (its department's first); else
// the portal's default. The first found becomes the portal's default,
// which reply all leaves out of the copies.
func (ps *pass) replyFrom(ctx context.Context, ticketID string) (string, error) {
	s, p := ps.s, ps.p
	td, err := s.store.FindTicket(ctx, p.OrgID, ticketID)
	if err != nil {
		return "", err
	}
	from := app.SupportAddress(td.Threads)
	if from == "" {
		var ths []app.Thread
		for th, err := range ps.cl.AllThreads(ctx, ticketID) {
			if err != nil {
				return "", err
			}
			ths = append(ths, threadFromDesk(p.OrgID, ticketID, th))
		}
		slices.SortFunc(ths, func(a, b app.Thread) int { return a.CreatedTime.Compare(b.CreatedTime) })
		from = app.SupportAddress(ths)
	}
	if from == "" {
		// The department's own addresses (GET /mailReplyAddress needs a
		// department): Desk takes no other department's.
		dep := td.Ticket.DepartmentID
		if dep == "" {
			ds, err := s.departments(ctx, p, ps.cl)
			if err != nil && isTransient(err) {
				return "", err
			}
			if len(ds) > 0 {
				dep = ds[0].ID
			}
		}
		if dep != "" {
			as, err := s.departmentAddresses(ctx, p, ps.cl, dep)
			if err != nil && isTransient(err) {
				return "", err
			}
			if len(as) > 0 {
				from = as[0].Address
			}
		}
	}
	if from == "" {
		if from, err = s.store.SupportAddressSeen(ctx, p.OrgID, td.Ticket.DepartmentID); err != nil {
			return "", err
		}
	}
	if from == "" {
		from = p.SupportEmail
	}
	if from == "" {
		return "", app.Errorf(app.EINVALID, "Tandem cannot tell which support address of Zoho Desk to reply from: no message of this help desk shows one yet. Reply once from Zoho Desk, then try again.")
	}
	if p.SupportEmail == "" {
		p.SupportEmail = from
		if err := s.store.SavePortal(ctx, p); err != nil {
			return "", err
		}
	}
	return from, nil
}

// linkableAccount returns the account of as named key that is not linked
// to another CRM company, or nil.
func (ps *pass) linkableAccount(ctx context.Context, it *app.OutboxItem, as []desk.Account, key string) (*desk.Account, error) {
	for i := range as {
		a := &as[i]
		if app.NormalizeName(a.AccountName) != app.NormalizeName(key) {
			continue
		}
		l, err := ps.s.store.FindLinkByDesk(ctx, ps.p.OrgID, app.KindCompany, a.ID)
		if app.ErrorCode(err) == app.ENOTFOUND || (err == nil && l.CRMID == it.CRMID) {
			return a, nil
		}
		if err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// accountResult completes a push lookup that found account a (nil: none):
// the whole account is read, as the list's items are partial.
func (ps *pass) accountResult(ctx context.Context, it *app.OutboxItem, pl *pushPayload, a *desk.Account, err error) (app.OutboxResult, bool, error) {
	if err != nil || a == nil {
		return app.OutboxResult{}, false, err
	}
	full, err := ps.cl.GetAccount(ctx, a.ID)
	if err != nil {
		return app.OutboxResult{}, false, err
	}
	rr := accountRemote(ps.p.OrgID, full)
	res, err := ps.pushResult(ctx, it, pl, &rr)
	return res, err == nil, err
}

// noteOverwrites records, before a create is sent as an update of an
// unlinked Desk contact with the same email (a twin another desktop or a
// ticket made a moment ago), the twin's values the update overwrites: they
// are conflicts this desktop's change won (it reaches Desk later), kept
// for the user to restore.
//
// With base (an update of a linked contact), a Desk value counts only when
// it moved from the agreed one.
func (ps *pass) noteOverwrites(ctx context.Context, it *app.OutboxItem, pl *pushPayload, deskID string, base map[string]string) error {
	twin, err := ps.cl.GetContact(ctx, deskID)
	if err != nil {
		return err
	}
	rr := contactRemote(ps.p.OrgID, twin)
	var cs []app.Conflict
	rec, err := ps.findRecord(ctx, it.CRMKind, it.CRMID)
	if err != nil {
		return nil // gone: pushResult handles it
	}
	for _, m := range mappingsFor(ps.ms, it.CRMKind) {
		v, ok := pl.Fields[m.DeskField]
		d := rr.Values[m.DeskField]
		if !ok || d == v || m.Type == app.FieldAccount {
			continue
		}
		if base == nil && d == "" {
			continue
		}
		if b, hasB := base[m.DeskField]; base != nil && (!hasB || b == d) {
			continue
		}
		cs = append(cs, app.Conflict{OrgID: ps.p.OrgID, Kind: it.CRMKind, CRMID: it.CRMID, DeskID: deskID, DeskField: m.DeskField,
			CRMField: m.CRMField, CRMValue: v, DeskValue: d, Winner: app.WinnerCRM, DeskTime: rr.Modified, RecordName: rec.name()})
	}
	if len(cs) == 0 {
		return nil
	}
	// Stored once (the same conflict found by the reconciliation that
	// queued this push is not stored again); not counted again either.
	if _, err := ps.s.store.ApplyFromDesk(ctx, []app.DeskApply{{Conflicts: cs}}); err != nil {
		return err
	}
	return nil
}
