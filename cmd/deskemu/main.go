// Command deskemu runs the Zoho Desk emulator on a loopback address with
// generated data, for demos and development. It prints the base URL, the
// OAuth client, the demo users' tokens, the portals and their administrators.
//
// Point Tandem at it with the "custom data centre" base URL it prints.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/tandem-crm/tandem/sync/deskemu"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "deskemu:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("deskemu", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8765", "loopback address to listen on")
	seed := fs.Uint64("seed", 1, "seed of the generated data")
	contacts := fs.Int("contacts", 60, "contacts in the main portal")
	accounts := fs.Int("accounts", 15, "accounts in the main portal")
	tickets := fs.Int("tickets", 150, "tickets in the main portal")
	clientID := fs.String("client-id", "", "OAuth client id (default 1000.TANDEMEMULATOR)")
	clientSecret := fs.String("client-secret", "", "OAuth client secret (default emulator-secret)")
	searchLag := fs.Duration("search-lag", 3*time.Second, "how long a write takes to reach the search index (Desk: seconds)")
	latency := fs.Duration("latency", 0, "delay added to every API answer (a round trip to Zoho)")
	concurrency := fs.Int("concurrency", 0, "concurrent API calls a portal serves before answering 429 (0: the edition's cap, -1: none)")
	credits := fs.Int("daily-credits", 0, "API credits a portal may spend per day before answering THRESHOLD_EXCEEDED (0: no limit)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	emu := deskemu.New(deskemu.Options{
		Seed: *seed, Contacts: *contacts, Accounts: *accounts, Tickets: *tickets,
		ClientID: *clientID, ClientSecret: *clientSecret,
		SearchLag: *searchLag, Latency: *latency, Concurrency: *concurrency, DailyCredits: *credits,
	})
	run, err := emu.Start(*addr)
	if err != nil {
		return err
	}
	defer run.Close()
	printInfo(out, run.URL, emu.Info())

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	fmt.Fprintln(out, "stopping")
	return nil
}

func printInfo(out io.Writer, base string, in deskemu.Info) {
	fmt.Fprintf(out, "Zoho Desk emulator\n\n")
	fmt.Fprintf(out, "Base URL (accounts and Desk API): %s\n", base)
	fmt.Fprintf(out, "API root:                         %s/api/v1/\n", base)
	fmt.Fprintf(out, "OAuth client id:                  %s\n", in.ClientID)
	fmt.Fprintf(out, "OAuth client secret:              %s\n", in.ClientSecret)
	fmt.Fprintf(out, "Control API:                      %s/_emu/info\n\n", base)
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "USER\tNAME\tACCESS TOKEN (never expires)\tREFRESH TOKEN")
	for _, u := range in.Users {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Email, u.Name, u.AccessToken, u.RefreshToken)
	}
	tw.Flush()
	fmt.Fprintln(out)
	for _, p := range in.Portals {
		fmt.Fprintf(out, "Portal %q  orgId=%s  admin=%s\n", p.Name, p.OrgID, p.AdminEmail)
		fmt.Fprintf(out, "  %d contacts, %d accounts, %d tickets; statuses: %s; support address: %s\n",
			p.Contacts, p.Accounts, p.Tickets, strings.Join(p.Statuses, ", "), p.SupportMail)
		for _, a := range p.Agents {
			fmt.Fprintf(out, "  agent %-30s id=%s profile=%s\n", a.Email, a.AgentID, a.Profile)
		}
	}
	fmt.Fprintf(out, "\nOne-click sign-in: open %s/oauth/v2/auth?...&login_hint=<user email>; it redirects back at once.\n", base)
	dep := ""
	if len(in.Portals[0].Departments) > 0 {
		dep = in.Portals[0].Departments[0]
	}
	fmt.Fprintf(out, "Example: curl -H 'Authorization: Zoho-oauthtoken %s' -H 'orgId: %s' '%s/api/v1/tickets?departmentId=%s&limit=5&sortBy=-createdTime'\n",
		in.Users[0].AccessToken, in.Portals[0].OrgID, base, dep)
	fmt.Fprintln(out, "Requests outside Zoho's definition (sync/desk/contract.go) are refused with 422, as Desk does.")
}
