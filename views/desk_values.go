package views

import "fyne.io/fyne/v2/lang"

// Zoho Desk's own values — ticket statuses, priorities, channels — are
// translated where they are the values a new Desk portal comes with, and
// shown as Desk sends them otherwise (a portal's own statuses are names
// its administrator chose). Which values are Desk's defaults is an
// assumption (README, "Assumptions about Zoho Desk"). The keys are our
// own ("status.open"): "Open" is also a button's verb elsewhere.

// StatusName is a Desk ticket status as people read it, for notification
// text (safe from any goroutine).
func StatusName(s string) string { return statusName(s) }

// PriorityLabel is a Desk ticket priority as people read it.
func PriorityLabel(p string) string { return priorityLabel(p) }

// statusName is a ticket status as people read it.
func statusName(s string) string {
	switch s {
	case "Open":
		return lang.X("status.open", "Open")
	case "In Progress":
		return lang.X("status.inprogress", "In Progress")
	case "On Hold":
		return lang.X("status.onhold", "On Hold")
	case "Escalated":
		return lang.X("status.escalated", "Escalated")
	case "Closed":
		return lang.X("status.closed", "Closed")
	}
	return s
}

// priorityLabel is a ticket priority as people read it.
func priorityLabel(p string) string {
	switch p {
	case "High":
		return lang.X("priority.high", "High")
	case "Medium":
		return lang.X("priority.medium", "Medium")
	case "Low":
		return lang.X("priority.low", "Low")
	case "Urgent":
		return lang.X("priority.urgent", "Urgent")
	}
	return p
}

// priorityName is "Priority: High" for a ticket's meta line.
func priorityName(p string) string {
	return lang.L("Priority: {{.P}}", map[string]any{"P": priorityLabel(p)})
}

// channelName is the channel a ticket came in by.
func channelName(c string) string {
	switch c {
	case "Email", "EMAIL":
		return lang.X("channel.email", "Email")
	case "Phone", "PHONE":
		return lang.X("channel.phone", "Phone")
	case "Web", "WEB":
		return lang.X("channel.web", "Web")
	case "Chat", "CHAT":
		return lang.X("channel.chat", "Chat")
	case "Forums", "FORUMS":
		return lang.X("channel.forums", "Forums")
	case "Twitter", "TWITTER":
		return lang.X("channel.twitter", "Twitter")
	case "Facebook", "FACEBOOK":
		return lang.X("channel.facebook", "Facebook")
	case "Feedback Widget", "FEEDBACK_WIDGET":
		return lang.X("channel.feedback", "Feedback Widget")
	case "Customer Portal", "CUSTOMER_PORTAL":
		return lang.X("channel.portal", "Customer Portal")
	}
	return c
}
