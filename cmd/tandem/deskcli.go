package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/tandem-crm/tandem/app"
	tsync "github.com/tandem-crm/tandem/sync"
)

// desk runs the headless help-desk commands.
func (c *cli) desk(args []string) error {
	if len(args) == 0 {
		return errUsage
	}
	w, err := newDesk(c.ctx, c.deskTarget, c.db, c.crm, newDetector(c.db, false))
	if err != nil {
		return err
	}
	defer w.Close()
	switch args[0] {
	case "configure":
		fs := flag.NewFlagSet("desk configure", flag.ContinueOnError)
		org := fs.String("org", "", "portal (organisation) id; default: the account's default portal")
		mode := fs.String("mode", string(app.SyncTwoWay), "two_way, one_way or none")
		admin := fs.String("admin-email", "", "another user's portal: its administrator's email (ZSC key from $"+envZSCKey+")")
		if err := fs.Parse(args[1:]); err != nil {
			return errUsage
		}
		if !app.SyncMode(*mode).Valid() {
			return app.Errorf(app.EINVALID, "-mode must be two_way, one_way or none.")
		}
		cp := tsync.ConfigureParams{OrgID: *org, Mode: app.SyncMode(*mode), RefreshToken: os.Getenv(envRefreshToken)}
		if *admin != "" {
			cp.AdminEmail, cp.ZSCKey = *admin, os.Getenv(envZSCKey)
			if cp.ZSCKey == "" {
				return app.Errorf(app.EINVALID, "Set $%s to the portal's ZSC key.", envZSCKey)
			}
		}
		p, err := w.svc.Configure(c.ctx, cp)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.out, "connected portal %q (org %s) as %s, mode %s\n", p.Name, p.OrgID, p.AgentEmail, p.Mode)
		return nil
	case "sync":
		start := time.Now()
		var last app.SyncEvent
		unsub := w.svc.Subscribe(func(e app.SyncEvent) {
			if e.Kind == app.EventFinished || e.Kind == app.EventOffline || e.Kind == app.EventNeedsSignIn {
				last = e
			}
		})
		err := w.svc.SyncOnce(c.ctx)
		unsub()
		if err != nil {
			return err
		}
		k := last.Counts
		fmt.Fprintf(c.out, "sync pass done in %.2fs: contacts pulled %d pushed %d, companies pulled %d pushed %d, tickets %d, threads %d, comments %d, outbox sent %d, conflicts %d, errors %d, requests %d\n",
			time.Since(start).Seconds(), k.ContactsPulled, k.ContactsPushed, k.CompaniesPulled, k.CompaniesPushed,
			k.Tickets, k.Threads, k.Comments, k.OutboxSent, k.Conflicts, k.Errors, k.Requests)
		return nil
	case "status":
		st, err := w.svc.Status(c.ctx)
		if err != nil {
			return err
		}
		printStatus(c, st)
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

func printStatus(c *cli, st *app.SyncStatus) {
	if st.Portal == nil {
		fmt.Fprintln(c.out, "no Zoho Desk portal is connected")
		return
	}
	last := "never"
	if !st.LastSuccess.IsZero() {
		last = st.LastSuccess.Local().Format("2006-01-02 15:04:05")
	}
	fmt.Fprintf(c.out, "portal:          %s (org %s), mode %s\n", st.Portal.Name, st.Portal.OrgID, st.Portal.Mode)
	fmt.Fprintf(c.out, "state:           %s\n", st.State)
	fmt.Fprintf(c.out, "last success:    %s\n", last)
	if st.LastError != "" {
		fmt.Fprintf(c.out, "last error:      %s\n", st.LastError)
	}
	fmt.Fprintf(c.out, "pending outbox:  %d (failed %d)\n", st.PendingOutbox, st.FailedOutbox)
	fmt.Fprintf(c.out, "conflicts:       %d\n", st.Conflicts)
	fmt.Fprintf(c.out, "cached tickets:  %d\n", st.CachedTickets)
	fmt.Fprintf(c.out, "record errors:   %d\n", len(st.RecordErrors))
	for _, e := range st.RecordErrors {
		fmt.Fprintf(c.out, "  %s\n", strings.TrimSpace(fmt.Sprintf("%s %d: %s", e.Kind, e.CRMID, e.Message)))
	}
}
