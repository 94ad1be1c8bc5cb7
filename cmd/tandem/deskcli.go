package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	gosync "sync"
	"time"

	"github.com/tandem-crm/tandem/app"
	tsync "github.com/tandem-crm/tandem/sync"
	"github.com/tandem-crm/tandem/sync/desk"
)

// desk runs the headless help-desk commands.
func (c *cli) desk(args []string) error {
	if len(args) == 0 {
		return errUsage
	}
	// A portal on the demo help desk needs the demo running, whatever --desk says.
	demo := false
	if p, err := c.db.ActivePortal(c.ctx); err == nil {
		demo = p.DataCentre == desk.DemoID
	}
	w, err := newDesk(c.ctx, c.deskTarget, demo, filepath.Join(filepath.Dir(c.db.Path()), demoJournalName), c.db, c.crm, newDetector(c.db, false))
	if err != nil {
		return err
	}
	defer w.Close()
	switch args[0] {
	case "configure":
		return c.deskConfigure(w, args[1:])
	case "mapping":
		return c.deskMapping(w)
	case "sync":
		if _, err := w.svc.ActivePortal(c.ctx); app.ErrorCode(err) == app.ENOTFOUND {
			return app.Errorf(app.ENOTFOUND, "No Zoho Desk portal is connected: connect one in the window (Settings › Zoho Desk) or with `tandem desk configure`.")
		}
		msg, err := syncPass(c.ctx, w.svc)
		if err != nil {
			return err
		}
		fmt.Fprintln(c.out, msg)
		return nil
	case "status":
		st, err := w.svc.Status(c.ctx)
		if err != nil {
			return err
		}
		items, err := w.svc.Outbox(c.ctx)
		if err != nil && app.ErrorCode(err) != app.ENOTFOUND {
			return err
		}
		printStatus(c, st, items)
		return nil
	case "conflicts":
		cs, err := w.svc.Conflicts(c.ctx)
		if err != nil {
			return err
		}
		if len(cs) == 0 {
			fmt.Fprintln(c.out, "no conflicts")
		}
		for _, k := range cs {
			kept, lost := "Tandem", "Zoho Desk"
			if k.Winner == app.WinnerDesk {
				kept, lost = lost, kept
			}
			fmt.Fprintf(c.out, "#%d  %s %q  %s: kept %q (%s), other %q (%s)  %s\n", k.ID, k.Kind, k.RecordName, k.CRMField,
				winnerText(&k), kept, k.LoserText(), lost, k.At.Local().Format("2006-01-02 15:04"))
		}
		return nil
	case "restore", "dismiss", "retry":
		if len(args) != 2 {
			return errUsage
		}
		id, err := strconv.ParseInt(strings.TrimPrefix(args[1], "#"), 10, 64)
		if err != nil || id <= 0 {
			return app.Errorf(app.EINVALID, "%q is not a number from `desk conflicts` or `desk status`.", args[1])
		}
		switch args[0] {
		case "restore":
			err = w.svc.RestoreConflict(c.ctx, id)
		case "dismiss":
			err = w.svc.DismissConflict(c.ctx, id)
		default:
			err = w.svc.RetryOutbox(c.ctx, id)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(c.out, "done; the next sync pass sends it\n")
		return nil
	case "deactivate":
		if err := w.svc.Deactivate(c.ctx); err != nil {
			return err
		}
		fmt.Fprintln(c.out, "deactivated; the tickets stay in Zoho Desk")
		return nil
	}
	return errUsage
}

func printStatus(c *cli, st *app.SyncStatus, outbox []app.OutboxItem) {
	if st.Portal == nil {
		fmt.Fprintln(c.out, "no Zoho Desk portal is connected")
		return
	}
	last := "never"
	if !st.LastSuccess.IsZero() {
		last = st.LastSuccess.Local().Format("2006-01-02 15:04:05")
	}
	fmt.Fprintf(c.out, "portal:          %s (org %s), mode %s%s\n", st.Portal.Name, st.Portal.OrgID, st.Portal.Mode, demoNote(st.Portal))
	fmt.Fprintf(c.out, "state:           %s\n", st.State)
	fmt.Fprintf(c.out, "last success:    %s\n", last)
	if st.LastError != "" {
		fmt.Fprintf(c.out, "last error:      %s\n", st.LastError)
	}
	fmt.Fprintf(c.out, "pending outbox:  %d (failed %d)\n", st.PendingOutbox, st.FailedOutbox)
	fmt.Fprintf(c.out, "conflicts:       %d (desk conflicts)\n", st.Conflicts)
	// What the window's Needs your attention lists: conflicts, failed
	// actions, record errors, merges, deleted here and changed there.
	fmt.Fprintf(c.out, "needs attention: %d (conflicts, failed actions, record errors, merges)\n", st.Problems)
	fmt.Fprintf(c.out, "cached tickets:  %d\n", st.CachedTickets)
	for _, it := range outbox {
		if it.State == app.OutboxFailed {
			fmt.Fprintf(c.out, "  failed #%d %s: %s (desk retry %d)\n", it.ID, it.Kind, it.LastError, it.ID)
		}
	}
	fmt.Fprintf(c.out, "record errors:   %d\n", len(st.RecordErrors))
	for _, e := range st.RecordErrors {
		fmt.Fprintf(c.out, "  %s\n", strings.TrimSpace(fmt.Sprintf("%s %d: %s", e.Kind, e.CRMID, e.Message)))
	}
}

func winnerText(k *app.Conflict) string {
	if k.Winner == app.WinnerDesk {
		return k.DeskText
	}
	return k.CRMText
}

// syncPass runs one sync pass and says what it did; the headless `desk
// sync` and the window (when that command is sent to it) both use it.
func syncPass(ctx context.Context, svc *tsync.Service) (string, error) {
	start := time.Now()
	var mu gosync.Mutex
	var last app.SyncEvent
	unsub := svc.Subscribe(func(e app.SyncEvent) {
		if e.Kind == app.EventFinished || e.Kind == app.EventOffline || e.Kind == app.EventNeedsSignIn {
			mu.Lock()
			last = e
			mu.Unlock()
		}
	})
	err := svc.SyncOnce(ctx)
	unsub()
	if err != nil {
		return "", err
	}
	mu.Lock()
	k := last.Counts
	mu.Unlock()
	return fmt.Sprintf("sync pass done in %.2fs: contacts pulled %d pushed %d, companies pulled %d pushed %d, tickets %d, threads %d, comments %d, outbox sent %d, conflicts %d, errors %d, requests %d",
		time.Since(start).Seconds(), k.ContactsPulled, k.ContactsPushed, k.CompaniesPulled, k.CompaniesPushed,
		k.Tickets, k.Threads, k.Comments, k.OutboxSent, k.Conflicts, k.Errors, k.Requests), nil
}

// deskConfigure connects a portal without the window and says exactly what
// was refused: no client id, a wrong client, a wrong or revoked refresh
// token, no access to the portal, a mapping naming unknown fields.
func (c *cli) deskConfigure(w *deskWiring, args []string) error {
	fs := flag.NewFlagSet("desk configure", flag.ContinueOnError)
	fs.SetOutput(c.errw)
	org := fs.String("org", "", "portal (organisation) id; default: the account's default portal")
	mode := fs.String("mode", string(app.SyncTwoWay), "two_way, one_way or none")
	admin := fs.String("admin-email", "", "another user's portal: its administrator's email ($"+envRefreshToken+" is then the administrator's grant)")
	mapping := fs.String("mapping", "", "field mapping file (JSON, as `tandem desk mapping` prints it); default: Tandem's")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if !app.SyncMode(*mode).Valid() {
		return app.Errorf(app.EINVALID, "-mode must be two_way, one_way or none.")
	}
	h, err := w.svc.HelpDesk(c.ctx)
	if err != nil {
		return err
	}
	if h.Target != desk.DemoID && h.Target != "custom" && h.ClientID == "" {
		return app.Errorf(app.EINVALID, "Refused: this Tandem has no Zoho OAuth client id. Set $%s (and $%s if your client has a secret), or enter one in the window's Settings › Zoho Desk.", envClientID, envClientSecret)
	}
	cp := tsync.ConfigureParams{OrgID: *org, Mode: app.SyncMode(*mode), RefreshToken: os.Getenv(envRefreshToken), AdminEmail: *admin}
	if cp.RefreshToken == "" && cp.OrgID == "" {
		return app.Errorf(app.EINVALID, "Refused: no Zoho refresh token. Set $%s (the administrator's, with -admin-email), or give -org for a portal whose token is in the keyring.", envRefreshToken)
	}
	if *mapping != "" {
		ms, err := readMappingFile(*mapping)
		if err != nil {
			return err
		}
		cp.Mappings = ms
	}
	p, err := w.svc.Configure(c.ctx, cp)
	if err != nil {
		return configureRefusal(err)
	}
	fmt.Fprintf(c.out, "connected portal %q (org %s) as %s, mode %s%s\n", p.Name, p.OrgID, p.AgentEmail, p.Mode, demoNote(p))
	return nil
}

// demoNote marks a portal of the demo help desk in headless output.
func demoNote(p *app.Portal) string {
	if p.DataCentre == desk.DemoID {
		return " — the demo help desk (sample tickets, not Zoho Desk)"
	}
	return ""
}

// configureRefusal names what Zoho or Tandem refused, with every field a
// mapping named wrongly.
func configureRefusal(err error) error {
	msg := app.ErrorMessage(err)
	var ve *app.ValidationError
	if errors.As(err, &ve) && len(ve.Fields) > 0 {
		parts := make([]string, len(ve.Fields))
		for i, f := range ve.Fields {
			parts[i] = f.Field + ": " + f.Message
		}
		msg = "the field mapping: " + strings.Join(parts, "; ")
	} else if app.ErrorCode(err) == app.EUNAUTHORIZED && msg == "Sign in to Zoho Desk again." {
		msg = "Zoho refused the refresh token (wrong, revoked, or of another client). Get a new one and try again."
	} else if app.ErrorCode(err) == app.EFORBIDDEN || app.ErrorCode(err) == app.ENOTFOUND {
		msg = "no access to that portal: " + msg
	}
	return &app.Error{Code: app.ErrorCode(err), Message: "Refused: " + msg, Err: err}
}

// mappingJSON is one row of a mapping file: what Settings › Zoho Desk ›
// Field mapping saves for a portal.
type mappingJSON struct {
	Kind      string `json:"kind"`
	CRMField  string `json:"crmField"`
	DeskField string `json:"deskField"`
	Type      string `json:"type"`
}

// readMappingFile reads a mapping file; unknown keys are refused by name.
func readMappingFile(path string) ([]app.FieldMapping, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, app.Errorf(app.EINVALID, "Refused: the mapping file cannot be read: %v", err)
	}
	var raw []map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, app.Errorf(app.EINVALID, "Refused: the mapping file is not a JSON list of mappings: %v", err)
	}
	known := map[string]bool{"kind": true, "crmField": true, "deskField": true, "type": true}
	var unknown []string
	for i, r := range raw {
		for k := range r {
			if !known[k] {
				unknown = append(unknown, fmt.Sprintf("[%d].%s", i, k))
			}
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return nil, app.Errorf(app.EINVALID, "Refused: the mapping file has keys Tandem does not know: %s (each mapping has kind, crmField, deskField and type).", strings.Join(unknown, ", "))
	}
	var rows []mappingJSON
	if err := json.Unmarshal(b, &rows); err != nil {
		return nil, app.Errorf(app.EINVALID, "Refused: the mapping file: %v", err)
	}
	ms := make([]app.FieldMapping, len(rows))
	for i, r := range rows {
		ms[i] = app.FieldMapping{Kind: r.Kind, CRMField: r.CRMField, DeskField: r.DeskField, Type: r.Type}
	}
	return ms, nil
}

// deskMapping prints the active portal's field mapping as a mapping file.
func (c *cli) deskMapping(w *deskWiring) error {
	p, err := w.svc.ActivePortal(c.ctx)
	if err != nil {
		return err
	}
	ms, err := c.db.FieldMappings(c.ctx, p.OrgID)
	if err != nil {
		return err
	}
	rows := make([]mappingJSON, len(ms))
	for i, m := range ms {
		rows[i] = mappingJSON{Kind: m.Kind, CRMField: m.CRMField, DeskField: m.DeskField, Type: m.Type}
	}
	b, err := json.MarshalIndent(rows, "", "  ")
	if err != nil {
		return err
	}
	fmt.Fprintln(c.out, string(b))
	return nil
}
