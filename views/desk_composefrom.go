package views

import (
	"context"
	"regexp"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/richtext"
)

// The composer's From row and its Template… button: the sender is one of
// the From addresses of the ticket's Desk department, and a reply may
// start from one of the department's Desk templates, which Desk fills in
// for the ticket.

// senderRow is the composer's From: the address the reply goes from as a
// label, or a choice when the department has more than one.
type senderRow struct {
	label *widget.Label // the sender, when there is nothing to choose
	pick  *keySelect    // the choice (nil until the addresses are known)
	addrs []app.ReplyAddress
	row   *fyne.Container
	// want is the sender a restored draft chose, taken once the
	// addresses are known; onChange tells the draft of a new choice.
	want     string
	def      string // the address chosen before any draft or person
	onChange func()
}

// newSenderRow shows support (the conversation's address) at once, then
// the department's addresses as Desk lists them (the last known list
// offline); with none known the sender stays Tandem's choice.
func (p *ticketPane) newSenderRow(f *composeForm, support string) *senderRow {
	from := lang.L("the help desk's support address")
	if support != "" {
		from = support
	}
	s := &senderRow{label: widget.NewLabel(from)}
	s.label.Importance = widget.LowImportance
	f.from = s.label
	s.row = container.NewStack(s.label)
	id := p.ticketID
	p.d.run.Go(func(ctx context.Context) func() {
		as, err := p.d.integ.ReplyAddresses(ctx, id)
		return func() {
			if err != nil {
				logError("reply addresses", err)
				return
			}
			s.show(as, support)
		}
	})
	return s
}

// show offers addrs, the conversation's address chosen when it is one of
// them, else the department's default.
func (s *senderRow) show(addrs []app.ReplyAddress, support string) {
	if len(addrs) == 0 {
		return
	}
	s.addrs = addrs
	chosen := 0
	for i, a := range addrs {
		if strings.EqualFold(a.Address, support) {
			chosen = i
			break
		}
	}
	s.def = addrs[chosen].Address
	if i := s.index(s.want); i >= 0 {
		chosen = i
	}
	s.label.SetText(addrs[chosen].Address)
	if len(addrs) == 1 {
		return
	}
	opts := make([]string, len(addrs))
	for i, a := range addrs {
		opts[i] = a.Address
		if a.Name != "" {
			opts[i] = a.Name + " <" + a.Address + ">"
		}
	}
	s.pick = newKeySelect(opts, func(string) {
		if i := s.pick.SelectedIndex(); i >= 0 {
			s.label.SetText(s.addrs[i].Address)
		}
		if s.onChange != nil {
			s.onChange()
		}
	})
	s.pick.SetSelectedIndex(chosen)
	s.row.Objects = []fyne.CanvasObject{s.pick}
	s.row.Refresh()
}

// index is where addr is among the department's addresses, -1 when not.
func (s *senderRow) index(addr string) int {
	if addr == "" {
		return -1
	}
	for i, a := range s.addrs {
		if strings.EqualFold(a.Address, addr) {
			return i
		}
	}
	return -1
}

// prefer chooses addr (a restored draft's sender) now or, when the
// addresses are not known yet, once they are; an address no longer among
// them leaves the default.
func (s *senderRow) prefer(addr string) {
	if s == nil || addr == "" {
		return
	}
	s.want = addr
	if i := s.index(addr); i >= 0 && s.pick != nil {
		s.pick.SetSelectedIndex(i)
	}
}

// choice is the sender a draft keeps: one the person (or the draft)
// picked, not the default, which may differ the next time.
func (s *senderRow) choice() string {
	if s == nil {
		return ""
	}
	if s.pick == nil {
		return s.want // the addresses are not known yet
	}
	if c := s.chosen(); !strings.EqualFold(c, s.def) {
		return c
	}
	return ""
}

// chosen is the sender to send from; "" leaves it to Tandem (the
// department's addresses are not known).
func (s *senderRow) chosen() string {
	if s == nil || len(s.addrs) == 0 {
		return ""
	}
	if s.pick != nil {
		if i := s.pick.SelectedIndex(); i >= 0 {
			return s.addrs[i].Address
		}
	}
	return s.label.Text
}

// templateTools are the composer's Template… button and its undo,
// "Restore what I wrote" (or Ctrl+Z before the new message is edited),
// which brings back the message as it was before a template replaced it.
type templateTools struct {
	button  *widget.Button
	restore *widget.Button
	row     *fyne.Container
	// The picker, while open.
	dlg   dialog.Dialog
	list  *widget.List
	items []app.ReplyTemplate
	// before is the message as it was before the template came in, after
	// the message the template made (Ctrl+Z undoes it until it is edited).
	before, after string
}

func (p *ticketPane) newTemplateTools(f *composeForm) *templateTools {
	tt := &templateTools{}
	tt.button = widget.NewButtonWithIcon(lang.L("Template…"), theme.DocumentIcon(), func() { p.pickTemplate(f, tt) })
	tt.restore = widget.NewButtonWithIcon(lang.L("Restore what I wrote"), theme.ContentUndoIcon(), func() {
		f.body.SetText(tt.before)
		tt.restore.Disable()
	})
	f.body.undo = func() bool {
		if tt.restore.Disabled() || f.body.Text != tt.after {
			return false // Fyne's own history undoes the typing since
		}
		tt.restore.OnTapped()
		return true
	}
	tt.restore.Importance = widget.LowImportance
	// Disabled rather than hidden until a template comes in: the row keeps
	// its size, so the form need not be laid out again.
	tt.restore.Disable()
	tt.row = container.NewHBox(tt.button, tt.restore)
	return tt
}

// pickTemplate lists the department's templates (the last known list
// offline) and fills the chosen one in.
func (p *ticketPane) pickTemplate(f *composeForm, tt *templateTools) {
	tt.button.Disable()
	id := p.ticketID
	p.d.run.Go(func(ctx context.Context) func() {
		ts, err := p.d.integ.ReplyTemplates(ctx, id)
		return func() {
			tt.button.Enable()
			switch {
			case app.ErrorCode(err) == app.EUNAVAILABLE:
				setWrapped(f.message, lang.L("Templates need a connection to Zoho Desk, which fills them in. Try again when you are online."))
			case err != nil:
				logError("reply templates", err)
				setWrapped(f.message, errorText(err))
			case len(ts) == 0:
				setWrapped(f.message, lang.L("This department has no templates in Zoho Desk."))
			default:
				setWrapped(f.message, "")
				p.showTemplatePicker(f, tt, ts)
			}
		}
	})
}

func (p *ticketPane) showTemplatePicker(f *composeForm, tt *templateTools, ts []app.ReplyTemplate) {
	tt.items = ts
	tt.list = widget.NewList(func() int { return len(tt.items) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			name := nameText(tt.items[i].Name)
			if tt.items[i].Folder != "" {
				name += " · " + nameText(tt.items[i].Folder)
			}
			o.(*widget.Label).SetText(name)
		})
	tt.list.OnSelected = func(i widget.ListItemID) {
		tt.dlg.Hide()
		p.useTemplate(f, tt, tt.items[i])
	}
	tt.dlg = dialog.NewCustom(lang.L("Start from a template"), lang.L("Cancel"), tt.list, p.d.win)
	tt.dlg.Resize(fyne.NewSize(420, 360))
	tt.dlg.Show()
}

// useTemplate has Desk fill the template in for the ticket and puts it in
// the message, keeping what was there for "Restore what I wrote". Desk's
// subject is left out: a reply keeps the ticket's subject.
func (p *ticketPane) useTemplate(f *composeForm, tt *templateTools, t app.ReplyTemplate) {
	tt.button.Disable()
	id := p.ticketID
	p.d.run.Go(func(ctx context.Context) func() {
		r, err := p.d.integ.RenderTemplate(ctx, id, t.ID)
		return func() {
			tt.button.Enable()
			switch {
			case app.ErrorCode(err) == app.EUNAVAILABLE:
				setWrapped(f.message, lang.L("Templates need a connection to Zoho Desk, which fills them in. Try again when you are online."))
				return
			case err != nil:
				logError("render template", err)
				setWrapped(f.message, errorText(err))
				return
			}
			setWrapped(f.message, "")
			f.tell(templateFilesNote(r.Attachments), widget.WarningImportance)
			tt.before = f.body.Text
			tt.after = templateText(r)
			f.body.SetText(tt.after)
			tt.restore.Enable()
			p.d.win.Canvas().Focus(f.body)
		}
	})
}

// templateFilesNote says which of the template's files the reply does not
// carry, and why ("" when it carries none): Desk lists a template's files
// but offers no way to download them.
func templateFilesNote(names []string) string {
	if len(names) == 0 {
		return ""
	}
	shown := make([]string, len(names))
	for i, n := range names {
		shown[i] = nameText(n)
	}
	return lang.N("The template's {{.Count}} attachments were not added ({{.Names}}): Zoho Desk does not let other apps download a template's files. Attach them with \"Attach files…\" if the reply needs them.",
		len(names), map[string]any{"Count": len(names), "Names": strings.Join(shown, ", ")})
}

// paragraphBreak is two line breaks in a row, which a template uses
// between paragraphs.
var paragraphBreak = regexp.MustCompile(`(?i)<br\s*/?>\s*(?:&nbsp;\s*)?<br\s*/?>`)

// templateText is a rendered template as the composer's plain text, its
// paragraphs a blank line apart.
func templateText(r app.RenderedTemplate) string {
	if !r.HTML {
		return strings.TrimSpace(r.Body)
	}
	var paras []string
	for _, part := range paragraphBreak.Split(r.Body, -1) {
		d := richtext.Parse(part)
		if t := strings.TrimSpace(d.Text()); t != "" {
			paras = append(paras, t)
		}
	}
	return strings.Join(paras, "\n\n")
}
