package views

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"strings"
)

// recordTickets is the Details / Tickets pair of tabs on a record's page.
// The Tickets tab is built when first shown, and closed (its background
// work cancelled) when the page shows another record.
type recordTickets struct {
	tab *TicketsTab
}

// wrap returns body alone when no help desk is wired, otherwise Details and
// Tickets tabs for the record kind/id. With ticketID set, the Tickets tab
// opens at once on that ticket (a signal was selected).
func (rt *recordTickets) wrap(u *ui, body fyne.CanvasObject, kind string, id int64, ticketID string) fyne.CanvasObject {
	rt.close()
	if u.integ == nil {
		return body
	}
	holder := container.NewStack()
	tabs := container.NewAppTabs(
		container.NewTabItemWithIcon(lang.L("Details"), theme.DocumentIcon(), body),
		container.NewTabItemWithIcon(lang.L("Tickets"), theme.MailComposeIcon(), holder),
	)
	build := func() {
		if rt.tab != nil {
			return
		}
		d := newDeskUI(u.ctx, u.win, u.integ, u.crm, u.openURL, u.run.post)
		d.host = u
		rt.tab = newTicketsTab(d, kind, id)
		holder.Objects = []fyne.CanvasObject{rt.tab}
		holder.Refresh()
	}
	tabs.OnSelected = func(ti *container.TabItem) {
		if ti.Content == holder {
			build()
		}
	}
	if ticketID != "" {
		tabs.SelectIndex(1)
		build()
		// "ticket#message" opens the ticket at a message (a search hit).
		tid, msg, _ := strings.Cut(ticketID, "#")
		rt.tab.openTicketAt(tid, msg)
	}
	return tabs
}

// close stops the current Tickets tab, if any.
func (rt *recordTickets) close() {
	if rt.tab != nil {
		rt.tab.Close()
		rt.tab = nil
	}
}
