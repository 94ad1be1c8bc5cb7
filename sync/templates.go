package sync

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/sync/desk"
)

// The composer's lists (From addresses, reply templates) are read from
// Desk each time a composer asks and kept in the settings table, so a
// composer opened offline still offers the last known ones. Rendering a
// template needs Desk: it is never queued.

// listKey is the settings key of a department's last list of kind.
func listKey(kind, orgID, departmentID string) string {
	return "desk." + kind + "." + orgID + "." + departmentID
}

// remembered returns fetch's list and keeps it under key; when Desk cannot
// be reached it returns the list kept last (the fetch's error when none
// was ever kept).
func remembered[T any](ctx context.Context, st app.DeskStore, key string, fetch func(context.Context) ([]T, error)) ([]T, error) {
	list, err := fetch(ctx)
	if err == nil {
		b, merr := json.Marshal(list)
		if merr != nil {
			return nil, merr
		}
		if serr := st.SetSetting(ctx, key, string(b)); serr != nil {
			return nil, serr
		}
		return list, nil
	}
	if !isTransient(err) {
		return nil, err
	}
	v, ok, serr := st.Setting(ctx, key)
	if serr != nil {
		return nil, serr
	}
	if !ok {
		return nil, err
	}
	var kept []T
	if jerr := json.Unmarshal([]byte(v), &kept); jerr != nil {
		return nil, err // a damaged copy is as good as none
	}
	return kept, nil
}

// ticketDepartment is the active portal and the department of one of its
// cached tickets (its first department when the ticket names none).
func (s *Service) ticketDepartment(ctx context.Context, ticketID string) (*app.Portal, string, error) {
	p, err := s.ActivePortal(ctx)
	if err != nil {
		return nil, "", err
	}
	td, err := s.store.FindTicket(ctx, p.OrgID, ticketID)
	if err != nil {
		return nil, "", err
	}
	if dep := td.Ticket.DepartmentID; dep != "" {
		return p, dep, nil
	}
	cl, err := s.client(ctx, p)
	if err != nil {
		return nil, "", err
	}
	ds, err := s.departments(ctx, p, cl)
	if err != nil {
		return nil, "", err
	}
	if len(ds) == 0 {
		return nil, "", app.Errorf(app.ENOTFOUND, "The Zoho Desk portal has no department.")
	}
	return p, ds[0].ID, nil
}

// ReplyAddresses lists the active, verified From addresses of the ticket's
// department, the department's default first.
func (s *Service) ReplyAddresses(ctx context.Context, ticketID string) ([]app.ReplyAddress, error) {
	p, dep, err := s.ticketDepartment(ctx, ticketID)
	if err != nil {
		return nil, fmt.Errorf("sync: reply addresses: %w", err)
	}
	cl, err := s.client(ctx, p)
	if err != nil && !isTransient(err) {
		return nil, fmt.Errorf("sync: reply addresses: %w", err)
	}
	list, err := s.departmentAddresses(ctx, p, cl, dep)
	if err != nil {
		return nil, fmt.Errorf("sync: reply addresses: %w", err)
	}
	return list, nil
}

// departmentAddresses is a department's usable From addresses (the
// default first) from Desk, or as last read when Desk cannot be reached
// (cl nil: not signed in).
func (s *Service) departmentAddresses(ctx context.Context, p *app.Portal, cl *desk.Client, dep string) ([]app.ReplyAddress, error) {
	return remembered(ctx, s.store, listKey("from", p.OrgID, dep), func(ctx context.Context) ([]app.ReplyAddress, error) {
		if cl == nil {
			return nil, app.Errorf(app.EUNAUTHORIZED, "Sign in to Zoho Desk again.")
		}
		as, err := cl.MailReplyAddresses(ctx, dep)
		if err != nil {
			return nil, err
		}
		return usableAddresses(as), nil
	})
}

// usableAddresses keeps the addresses replies may go from, the default
// first.
func usableAddresses(as []desk.MailReplyAddress) []app.ReplyAddress {
	out := []app.ReplyAddress{}
	for _, a := range as {
		if !a.Usable() || !app.ValidEmail(a.Address) {
			continue
		}
		ra := app.ReplyAddress{Address: a.Address, Name: a.DisplayName, Default: a.IsDepartmentDefault}
		if ra.Default {
			out = append([]app.ReplyAddress{ra}, out...)
		} else {
			out = append(out, ra)
		}
	}
	return out
}

// ReplyTemplates lists the reply templates of the ticket's department.
func (s *Service) ReplyTemplates(ctx context.Context, ticketID string) ([]app.ReplyTemplate, error) {
	p, dep, err := s.ticketDepartment(ctx, ticketID)
	if err != nil {
		return nil, fmt.Errorf("sync: reply templates: %w", err)
	}
	list, err := remembered(ctx, s.store, listKey("templates", p.OrgID, dep), func(ctx context.Context) ([]app.ReplyTemplate, error) {
		cl, err := s.client(ctx, p)
		if err != nil {
			return nil, err
		}
		ts, err := cl.Templates(ctx, dep)
		if err != nil {
			return nil, err
		}
		out := []app.ReplyTemplate{}
		for _, t := range ts {
			out = append(out, app.ReplyTemplate{ID: t.ID, Name: t.Name, Folder: t.Folder.Name})
		}
		return out, nil
	})
	if err != nil {
		return nil, fmt.Errorf("sync: reply templates: %w", err)
	}
	return list, nil
}

// RenderTemplate has Desk fill a template in for a ticket.
func (s *Service) RenderTemplate(ctx context.Context, ticketID, templateID string) (app.RenderedTemplate, error) {
	p, err := s.ActivePortal(ctx)
	if err != nil {
		return app.RenderedTemplate{}, fmt.Errorf("sync: render template: %w", err)
	}
	cl, err := s.client(ctx, p)
	if err == nil {
		var r desk.RenderedTemplate
		if r, err = cl.RenderTemplate(ctx, templateID, ticketID); err == nil {
			out := app.RenderedTemplate{Subject: r.Subject, Body: r.Body, HTML: true}
			for _, a := range r.Attachments {
				out.Attachments = append(out.Attachments, a.Name)
			}
			return out, nil
		}
	}
	if app.ErrorCode(err) == app.EUNAVAILABLE {
		err = &app.Error{Code: app.EUNAVAILABLE, Message: "Templates are filled in by Zoho Desk: connect to it, then try again.", Err: err}
	}
	return app.RenderedTemplate{}, fmt.Errorf("sync: render template: %w", err)
}
