package sync

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	gosync "sync"
	"time"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/sync/desk"
)

// detailBatch caps the conversations one pass fetches, so a burst of
// changes cannot hold a pass for long; the rest follow in the next pass.
const detailBatch = 500

// firstSyncBatch is how many tickets a first pass writes per transaction.
// 1000 measured best: 100 (a page) took 15.4 s for BenchmarkFirstSync, 1000
// 11.5 s; 2000 was no faster but left a WAL large enough to slow the polls
// after it (PollNoChange50k 9.5-10 ms against 6.7-6.9 ms).
const firstSyncBatch = 1000

// pullTickets refreshes the ticket cache. A portal's first pass lists
// every ticket, department by department, by creation time (GET /tickets;
// its items carry no modifiedTime, so they are stored without one) and
// starts the cursor at the time the listing began. Later passes ask
// /tickets/search for the tickets modified since the cursor, less the
// overlap that covers the lag of Desk's search index, de-duplicating by id
// and stamp, then fetch the conversations of the tickets that changed.
// Conversations of the first pass are fetched when a ticket is opened
// (Ticket with refresh) or when it next changes.
func (ps *pass) pullTickets(ctx context.Context) error {
	s, org := ps.s, ps.p.OrgID
	cs, err := s.store.Cursor(ctx, org, cursorTickets)
	if err != nil {
		return fmt.Errorf("sync: tickets: %w", err)
	}
	cursor := parseCursor(cs)
	ps.changes.First = cursor.IsZero()
	if cursor.IsZero() {
		return ps.firstTickets(ctx)
	}
	lo, hi := ps.window(cursor)
	seen, next := s.seen(org, cursorTickets, cs), map[string]string{}
	newest, err := scanChanges(ctx, ps.cl, lo, hi, ps.cl.SearchTickets,
		func(t desk.Ticket) time.Time { return t.ModifiedTime.Time }, func(t desk.Ticket) time.Time { return t.CreatedTime.Time },
		func(t desk.Ticket) string { return t.ID },
		func(page []desk.Ticket) error {
			if len(page) == 0 {
				return nil
			}
			tks := make([]app.Ticket, len(page))
			keys := make([]string, len(page))
			var ids []string
			for i := range page {
				keys[i] = ticketStampKey(&page[i])
				if seen[page[i].ID] != keys[i] {
					tks[i] = ticketFromDesk(org, page[i])
					ids = append(ids, page[i].ID)
				}
			}
			stamps, err := s.store.TicketStamps(ctx, org, ids)
			if err != nil {
				return err
			}
			var fresh []app.Ticket
			for i, t := range page {
				tk := tks[i]
				if seen[t.ID] == keys[i] {
					next[t.ID] = keys[i]
					continue
				}
				st, known := stamps[t.ID]
				if known && st.Modified.Equal(tk.ModifiedTime) && st.ThreadCount == tk.ThreadCount &&
					st.CommentCount == tk.CommentCount && st.IsOverdue == tk.IsOverdue && st.IsEscalated == tk.IsEscalated {
					next[t.ID] = keys[i]
					continue
				}
				tk.DetailWanted = !known || !st.Modified.Equal(tk.ModifiedTime) ||
					st.ThreadCount != tk.ThreadCount || st.CommentCount != tk.CommentCount
				switch {
				case !known:
					ps.changes.NewTickets = append(ps.changes.NewTickets, tk)
				default:
					// A ticket stored by a first sync's list has no
					// modifiedTime and unknown flags: what it shows now is
					// no news.
					listed := st.Modified.IsZero()
					ps.changes.Changed = append(ps.changes.Changed, app.TicketChange{Before: st, After: tk,
						BecameOverdue:   !listed && tk.IsOverdue && !st.IsOverdue,
						BecameEscalated: !listed && tk.IsEscalated && !st.IsEscalated})
				}
				fresh = append(fresh, tk)
			}
			if len(fresh) == 0 {
				return nil
			}
			if err := s.store.UpsertTickets(ctx, fresh); err != nil {
				return err
			}
			ps.counts.Tickets += len(fresh)
			return nil
		})
	if err != nil {
		return fmt.Errorf("sync: tickets: %w", err)
	}
	if err := s.hookErr("tickets-stored"); err != nil {
		return err
	}
	if newest.Before(cursor) {
		newest = cursor
	}
	if err := s.store.SetCursor(ctx, org, cursorTickets, formatCursor(newest)); err != nil {
		return fmt.Errorf("sync: tickets: %w", err)
	}
	s.remember(org, cursorTickets, formatCursor(newest), next)
	ids, err := s.store.TicketsNeedingDetail(ctx, org, detailBatch)
	if err != nil {
		return fmt.Errorf("sync: tickets: %w", err)
	}
	if err := ps.fetchConversations(ctx, ids); err != nil {
		return fmt.Errorf("sync: tickets: %w", err)
	}
	// Tickets a first pass (or a burst of changes) wrote in big batches
	// are indexed for search here, a batch a pass: the first pass itself
	// is not slowed by it.
	if n, err := s.store.IndexTickets(ctx, org, indexBatch); err != nil {
		return fmt.Errorf("sync: tickets: %w", err)
	} else if n == indexBatch {
		s.backlog.Store(true) // more left: Run indexes them between passes
	}
	ps.progress("tickets")
	return nil
}

// indexBatch is how many tickets a pass indexes for search at most.
const indexBatch = 10_000

// fetchConversations downloads the conversations of tickets, several at
// once (as the client's concurrency allows); they are stored one by one.
func (ps *pass) fetchConversations(ctx context.Context, ids []string) error {
	conc := max(1, ps.cl.Concurrency())
	for len(ids) > 0 {
		batch := ids[:min(conc, len(ids))]
		ids = ids[len(batch):]
		errs := make([]error, len(batch))
		chs := make([]app.Changes, len(batch))
		cnts := make([]app.SyncCounts, len(batch))
		var wg gosync.WaitGroup
		for i, id := range batch {
			wg.Add(1)
			go func() {
				defer wg.Done()
				chs[i].First = ps.changes.First
				errs[i] = ps.s.fetchConversation(ctx, ps.p, ps.cl, id, false, &chs[i], &cnts[i])
			}()
		}
		wg.Wait()
		for i := range batch {
			if errs[i] != nil {
				if app.ErrorCode(errs[i]) == app.ENOTFOUND {
					continue
				}
				return errs[i]
			}
			ps.changes.NewThreads = append(ps.changes.NewThreads, chs[i].NewThreads...)
			ps.changes.NewComments = append(ps.changes.NewComments, chs[i].NewComments...)
			ps.counts.Threads += cnts[i].Threads
			ps.counts.Comments += cnts[i].Comments
		}
	}
	return nil
}

// firstTickets lists a portal's tickets on its first pass: every
// department's, oldest created first, several pages at once. The cursor
// starts where the listing started (Desk's clock), so the next pass's
// search catches what changed meanwhile.
func (ps *pass) firstTickets(ctx context.Context) error {
	s, org := ps.s, ps.p.OrgID
	start := ps.cl.ServerNow()
	n, err := s.store.CountTickets(ctx, org)
	if err != nil {
		return fmt.Errorf("sync: tickets: %w", err)
	}
	// Into an empty cache: no stamps to look up, and tickets are written in
	// bigger transactions (the cursor is only set at the end, so a failed
	// pass starts over either way).
	empty := n == 0
	if empty {
		end, err := s.store.BeginBulkLoad(ctx)
		if err != nil {
			return fmt.Errorf("sync: tickets: %w", err)
		}
		defer end()
	}
	deps, err := ps.cl.Departments(ctx)
	if err != nil {
		return fmt.Errorf("sync: tickets: %w", err)
	}
	var pending []app.Ticket
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		if err := s.store.UpsertTickets(ctx, pending); err != nil {
			return err
		}
		ps.counts.Tickets += len(pending)
		pending = pending[:0]
		ps.progress("tickets")
		return nil
	}
	conc := max(1, ps.cl.Concurrency())
	for _, d := range deps {
		err := pageAll(ctx, conc, func(t desk.Ticket) string { return t.ID }, func(ctx context.Context, from int) ([]desk.Ticket, error) {
			return ps.cl.ListTickets(ctx, d.ID, desk.ListOptions{From: from, Limit: desk.MaxLimit, SortBy: "createdTime"})
		}, func(page []desk.Ticket) error {
			for _, t := range page {
				pending = append(pending, ticketFromDesk(org, t))
			}
			if !empty || len(pending) >= firstSyncBatch {
				return flush()
			}
			return nil
		})
		switch app.ErrorCode(err) {
		case "":
		case app.EFORBIDDEN, app.ENOTFOUND, app.EINVALID:
			// A department the agent may not list (or a disabled one):
			// its tickets are not the agent's to see.
			s.log.Warn("listing a department's tickets failed", "org", org, "department", d.ID, "err", err)
		default:
			return fmt.Errorf("sync: tickets: %w", err)
		}
	}
	if err := flush(); err != nil {
		return fmt.Errorf("sync: tickets: %w", err)
	}
	if err := s.hookErr("tickets-stored"); err != nil {
		return err
	}
	if err := s.store.SetCursor(ctx, org, cursorTickets, formatCursor(start)); err != nil {
		return fmt.Errorf("sync: tickets: %w", err)
	}
	// Not indexed for search here (a first sync would take ~0.4 ms more a
	// ticket): Run indexes them between passes, SyncOnce's next passes a
	// batch each.
	s.backlog.Store(true)
	ps.progress("tickets")
	return nil
}

// pageAll walks a list page by page, fetching the first page alone and then
// conc pages at once, and hands the pages to fn in order; it stops after
// the first short page. While fn stores a batch of full pages, the next
// batch is already being fetched (the same requests as one after the
// other: a batch follows only a batch of full pages). The pages overlap by
// an item (from 0, 99, 198, … with limit 100): when a page does not start
// with the item the page before ended with (a record was deleted or added
// meanwhile, shifting the list), the walk reads again from the page before,
// so no record is skipped; fn may see a record twice then.
func pageAll[T any](ctx context.Context, conc int, id func(T) string, fetch func(ctx context.Context, from int) ([]T, error), fn func([]T) error) error {
	step := pageStep(desk.MaxLimit)
	type batch struct {
		froms  []int
		pages  [][]T
		err    error
		cancel context.CancelFunc
		done   chan struct{}
	}
	start := func(from, n int) *batch {
		bctx, cancel := context.WithCancel(ctx)
		b := &batch{froms: make([]int, n), cancel: cancel, done: make(chan struct{})}
		for i := range b.froms {
			b.froms[i] = from + i*step
		}
		go func() {
			defer close(b.done)
			b.pages, b.err = fetchAll(bctx, conc, b.froms, fetch)
		}()
		return b
	}
	drop := func(b *batch) {
		if b != nil {
			b.cancel()
			<-b.done
		}
	}
	cur := start(0, 1)
	prev, rereads := "", 0
	for {
		<-cur.done
		cur.cancel()
		if cur.err != nil {
			return cur.err
		}
		last := cur.froms[len(cur.froms)-1]
		full := true
		for _, pg := range cur.pages {
			full = full && len(pg) == desk.MaxLimit
		}
		var next *batch
		if full {
			next = start(last+step, conc)
		}
		reread := -1
		for i, pg := range cur.pages {
			if cur.froms[i] > 0 && prev != "" && (len(pg) == 0 || id(pg[0]) != prev) && rereads < 3 {
				// The list moved under the walk: read again from the
				// page before this one.
				reread, prev = max(0, cur.froms[i]-step), ""
				rereads++
				break
			}
			rereads = 0
			items := pg
			if cur.froms[i] > 0 && len(items) > 0 && id(items[0]) == prev {
				items = items[1:] // the overlap
			}
			if err := fn(items); err != nil {
				drop(next)
				return err
			}
			if len(pg) < desk.MaxLimit {
				drop(next)
				return nil
			}
			prev = id(pg[len(pg)-1])
		}
		if reread >= 0 {
			drop(next)
			next = start(reread, conc)
		}
		cur = next
	}
}

// fetchConversation downloads a ticket's threads and comments, with the
// content of threads not stored before (all missing content when full),
// and stores them. New threads and comments are added to ch when not nil.
func (s *Service) fetchConversation(ctx context.Context, p *app.Portal, cl *desk.Client, ticketID string, full bool, ch *app.Changes, counts *app.SyncCounts) error {
	org := p.OrgID
	old, err := s.store.FindTicket(ctx, org, ticketID)
	if err != nil {
		return err
	}
	have := map[string]app.Thread{}
	for _, t := range old.Threads {
		have[t.ID] = t
	}
	haveCm := map[string]bool{}
	for _, c := range old.Comments {
		haveCm[c.ID] = true
	}
	var ths []app.Thread
	for th, err := range cl.AllThreads(ctx, ticketID) {
		if err != nil {
			return err
		}
		t := threadFromDesk(org, ticketID, th)
		if h, ok := have[t.ID]; ok && h.Content != "" {
			t.Content, t.ContentType = h.Content, h.ContentType
		} else if !ok || full {
			d, err := cl.GetThread(ctx, ticketID, th.ID)
			if err != nil {
				return err
			}
			t.Content, t.ContentType = d.Content, d.ContentType
		}
		if _, ok := have[t.ID]; !ok && ch != nil && !ch.First {
			ch.NewThreads = append(ch.NewThreads, t)
		}
		ths = append(ths, t)
	}
	var cms []app.Comment
	if !full && old.Ticket.CommentCount == len(old.Comments) {
		// The list's comment count matches what is stored: no comment was
		// added or removed, so the poll skips the call (opening the ticket
		// fetches everything).
		cms = old.Comments
	} else {
		for cm, err := range cl.AllComments(ctx, ticketID) {
			if err != nil {
				return err
			}
			c := commentFromDesk(org, ticketID, cm)
			if !haveCm[c.ID] && ch != nil && !ch.First {
				ch.NewComments = append(ch.NewComments, c)
			}
			cms = append(cms, c)
		}
	}
	// An answer with fewer messages than Desk counts for the ticket is a
	// partial one (a list that lags a reply just sent): what the cache
	// already has stays, so nothing shown disappears.
	ths = mergeByID(old.Threads, ths, func(t app.Thread) string { return t.ID }, old.Ticket.ThreadCount)
	cms = mergeByID(old.Comments, cms, func(c app.Comment) string { return c.ID }, old.Ticket.CommentCount)
	slices.SortFunc(ths, func(a, b app.Thread) int { return a.CreatedTime.Compare(b.CreatedTime) })
	slices.SortFunc(cms, func(a, b app.Comment) int { return a.CommentedTime.Compare(b.CommentedTime) })
	store := s.store.StoreConversation
	if ch != nil {
		// A pass's: indexed for search with the pass's other tickets
		// (pullTickets' IndexTickets), in one burst.
		store = s.store.StoreConversationUnindexed
	}
	if err := store(ctx, org, ticketID, old.Ticket.ModifiedTime, ths, cms); err != nil {
		return err
	}
	if counts != nil {
		counts.Threads += len(ths)
		counts.Comments += len(cms)
	}
	return nil
}

// mergeByID returns fetched, plus the cached items it lacks when it has
// fewer than want (Desk's count for the ticket): a complete answer replaces
// the cache (an item deleted on Desk goes), a partial one only adds to it.
func mergeByID[T any](cached, fetched []T, id func(T) string, want int) []T {
	if len(fetched) >= want {
		return fetched
	}
	got := make(map[string]bool, len(fetched))
	for _, f := range fetched {
		got[id(f)] = true
	}
	for _, c := range cached {
		if !got[id(c)] {
			fetched = append(fetched, c)
		}
	}
	return fetched
}

// ticketFromDesk converts a Desk ticket.
func ticketFromDesk(org string, t desk.Ticket) app.Ticket {
	raw, _ := json.Marshal(t)
	tk := app.Ticket{
		OrgID: org, ID: t.ID, Number: t.TicketNumber, Subject: t.Subject, Description: t.Description,
		Status: t.Status, StatusType: t.StatusType, Priority: t.Priority, Channel: t.Channel, Email: t.Email, Phone: t.Phone,
		ContactID: t.ContactID, AccountID: t.AccountID, DepartmentID: t.DepartmentID, AssigneeID: t.AssigneeID,
		DueDate: t.DueDate.Time, IsOverdue: t.IsOverDue, IsEscalated: t.IsEscalated,
		CreatedTime: t.CreatedTime.Time, ModifiedTime: t.ModifiedTime.Time, ClosedTime: t.ClosedTime.Time,
		ThreadCount: int(t.ThreadCount), CommentCount: int(t.CommentCount), WebURL: t.WebURL, Raw: raw,
	}
	if c := t.Contact; c != nil {
		tk.ContactName = app.PersonName(c.FirstName, c.LastName)
		tk.ContactEmail = c.Email
		if tk.ContactID == "" {
			tk.ContactID = c.ID
		}
		if tk.AccountID == "" {
			tk.AccountID = c.AccountID()
		}
	}
	if tk.ContactEmail == "" {
		tk.ContactEmail = t.Email
	}
	return tk
}

func threadFromDesk(org, ticketID string, th desk.Thread) app.Thread {
	raw, _ := json.Marshal(th)
	t := app.Thread{OrgID: org, TicketID: ticketID, ID: th.ID, Channel: th.Channel, Direction: th.Direction,
		From: th.FromEmailAddress, To: th.To, CC: th.CC, Summary: th.Summary, Content: th.Content, ContentType: th.ContentType,
		IsForward: th.IsForward, CreatedTime: th.CreatedTime.Time, Raw: raw}
	if a := th.Author; a != nil {
		t.AuthorName, t.AuthorEmail, t.AuthorType, t.AuthorID = a.Name, a.Email, a.Type, a.ID
	}
	return t
}

func commentFromDesk(org, ticketID string, cm desk.Comment) app.Comment {
	raw, _ := json.Marshal(cm)
	c := app.Comment{OrgID: org, TicketID: ticketID, ID: cm.ID, Content: cm.Content, Text: cm.Text, Mentions: cm.Mentions,
		ContentType: cm.ContentType, IsPublic: cm.IsPublic, CommenterID: cm.CommenterID,
		CommentedTime: cm.CommentedTime.Time, ModifiedTime: cm.ModifiedTime.Time, Raw: raw}
	if c.Text == "" && c.Mentions == nil {
		c.Mentions, c.Text = desk.DecodeMentions(cm.Content, nil)
	}
	if cm.Commenter != nil {
		c.CommenterName = cm.Commenter.Name
		if c.CommenterName == "" {
			c.CommenterName = strings.TrimSpace(cm.Commenter.FirstName + " " + cm.Commenter.LastName)
		}
	}
	return c
}

// departments returns a portal's departments, cached in memory.
func (s *Service) departments(ctx context.Context, p *app.Portal, cl *desk.Client) ([]app.Department, error) {
	s.mu.Lock()
	ds, ok := s.deptment[p.OrgID]
	s.mu.Unlock()
	if ok {
		return ds, nil
	}
	list, err := cl.Departments(ctx)
	if err != nil {
		return nil, err
	}
	for _, d := range list {
		if d.IsEnabled || len(list) == 1 {
			ds = append(ds, app.Department{ID: d.ID, Name: d.Name})
		}
	}
	if len(ds) == 0 {
		for _, d := range list {
			ds = append(ds, app.Department{ID: d.ID, Name: d.Name})
		}
	}
	s.mu.Lock()
	s.deptment[p.OrgID] = ds
	s.mu.Unlock()
	return ds, nil
}
