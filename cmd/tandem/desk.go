package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/notify"
	"github.com/tandem-crm/tandem/app/secrets"
	tsync "github.com/tandem-crm/tandem/sync"
	"github.com/tandem-crm/tandem/sync/desk"
	"github.com/tandem-crm/tandem/sync/deskemu"
	"github.com/tandem-crm/tandem/sync/signals"
	"github.com/tandem-crm/tandem/views"
)

// zohoClientID is the Zoho OAuth client id this build signs in with,
// set by whoever distributes Tandem:
//
//	go build -ldflags "-X main.zohoClientID=1000.XXXX" ./cmd/tandem
//
// (the Makefile's ZOHO_CLIENT_ID, README "Connecting the real Zoho Desk").
// Empty: the window says so and takes an organisation's own client id.
var zohoClientID string

// buildVars carries build settings in one -X flag, for builds whose
// -ldflags cannot hold spaces (GOFLAGS, which `fyne package` reads):
//
//	GOFLAGS=-ldflags=-X=main.buildVars=version=0.1.0,zohoClientID=1000.XXXX
var buildVars string

func init() {
	for _, kv := range strings.Split(buildVars, ",") {
		k, v, _ := strings.Cut(kv, "=")
		switch {
		case v == "":
		case k == "version":
			version = v
		case k == "zohoClientID":
			zohoClientID = v
		}
	}
}

// Environment variables for a real Zoho Desk, for scripts: an OAuth client
// (instead of the build's or Settings' one) and credentials for `desk
// configure`.
const (
	envClientID     = "TANDEM_ZOHO_CLIENT_ID"
	envClientSecret = "TANDEM_ZOHO_CLIENT_SECRET"
	envRefreshToken = "TANDEM_ZOHO_REFRESH_TOKEN" // for `desk configure`
)

// demoAddr is where the in-process demo help desk listens: a free loopback
// port, another at every start. A demo portal keeps no address (its data
// centre is desk.DemoID), so nothing depends on the port; a headless
// command beside a window on the demo goes through the window (lifecycle.go).
const demoAddr = "127.0.0.1:0"

// deskTarget says which help desk the app talks to: "demo" (the emulator,
// in-process on loopback), a Zoho region id ("us", "eu", "jp", …) or a base
// URL. The default is the demo unless Tandem has a Zoho OAuth client (built
// in or from the environment), then the locale's data centre; the window's
// Connect page can change it either way.
func defaultDeskTarget() string {
	if zohoClient().ClientID != "" {
		return localeDataCentre()
	}
	return "demo"
}

// localeDataCentre is the Zoho data centre the system locale suggests.
func localeDataCentre() string {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := os.Getenv(k); v != "" && v != "C" && v != "POSIX" && !strings.HasPrefix(v, "C.") {
			return desk.DataCentreForLocale(v)
		}
	}
	return "us"
}

// zohoClient is Tandem's Zoho OAuth client: the environment's (scripts),
// else the build's. A secret only ever comes from the environment; the
// window keeps an organisation's in the keyring.
func zohoClient() tsync.OAuthClient {
	if id := os.Getenv(envClientID); id != "" {
		return tsync.OAuthClient{ClientID: id, ClientSecret: os.Getenv(envClientSecret)}
	}
	return tsync.OAuthClient{ClientID: zohoClientID}
}

// newDetector returns the signals detector on db; with popups it shows
// native notifications, otherwise (headless) it only fills the feed.
func newDetector(db app.SignalStore, popups bool) *signals.Detector {
	if popups {
		return newDetectorWith(db, newNotifier())
	}
	return newDetectorWith(db, nil)
}

// newDetectorWith returns the signals detector on db showing
// notifications through n (nil: none).
func newDetectorWith(db app.SignalStore, n *notify.Desktop) *signals.Detector {
	var notifier app.Notifier
	if n != nil {
		notifier = n
	}
	// In the window, notifications speak the UI's language; headless
	// commands never load the translations, so Translate keeps English.
	words := signals.Words{Text: views.Translate, Status: views.StatusName, Priority: views.PriorityLabel}
	det, err := signals.New(signals.Options{Store: db, Notifier: notifier, Words: words})
	if err != nil {
		panic(err) // only when db is nil: a wiring bug
	}
	return det
}

// newSecrets is the OS keyring; tests use an in-memory store instead.
var newSecrets = func() app.SecretStore { return secrets.New(appID) }

// deskWiring is the sync service with what it was built on.
type deskWiring struct {
	svc     *tsync.Service
	secrets app.SecretStore
	emu     *deskemu.Server  // the demo help desk, or nil
	running *deskemu.Running // its listener
	journal *demoJournal     // what changed the demo desk, or nil
}

// Close stops the demo help desk, if any.
func (d *deskWiring) Close() {
	if d.running != nil {
		d.running.Close()
	}
	if d.journal != nil {
		d.journal.Close()
	}
}

// newDesk builds the sync service for target on the store. With demo
// (the window: the Connect page offers it whatever the target), the demo
// help desk runs in this process on a free loopback port, keeping its
// changes in the journal file journal ("": it forgets them at quit).
func newDesk(ctx context.Context, target string, demo bool, journal string, store app.DeskStore, crm app.CRM, det app.Detector) (*deskWiring, error) {
	w := &deskWiring{secrets: newSecrets()}
	opts := tsync.Options{Store: store, CRM: crm, Secrets: w.secrets, Detector: det, OAuth: zohoClient(),
		DefaultDataCentre: localeDataCentre()}
	if demo || target == "demo" {
		w.emu = deskemu.New(deskemu.Options{Seed: 1})
		seedDemoDesk(w.emu)
		var h http.Handler = w.emu
		if journal != "" {
			j, err := openDemoJournal(w.emu, journal)
			if err != nil {
				slog.Warn("demo help desk: changes will not be kept", "err", err)
			} else {
				w.journal, h = j, j
			}
		}
		r, err := w.emu.StartHandler(demoAddr, h)
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("demo help desk: %w", err)
		}
		w.running = r
		info := w.emu.Info()
		opts.DemoURL, opts.DemoOAuth = r.URL, tsync.OAuthClient{ClientID: info.ClientID, ClientSecret: info.ClientSecret}
	}
	switch {
	case target == "demo":
		opts.DataCentre = desk.DemoID
	case strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://"):
		if _, err := url.Parse(target); err != nil {
			w.Close()
			return nil, fmt.Errorf("--desk %q is not a URL: %w", target, err)
		}
		opts.BaseURL = strings.TrimRight(target, "/")
	default:
		if _, ok := desk.LookupDataCentre(target); !ok {
			w.Close()
			return nil, fmt.Errorf("--desk %q: use demo, a Zoho region (us, eu, uk, in, au, jp, cn, ca, sa) or a URL", target)
		}
		opts.DataCentre = target
	}
	svc, err := tsync.New(opts)
	if err != nil {
		w.Close()
		return nil, err
	}
	w.svc = svc
	if w.emu != nil {
		w.adoptDemoToken(ctx, store)
	}
	return w, nil
}

// demoSignIn is the demo help desk's one-click sign-in: instead of a
// browser, Tandem itself follows the demo desk's consent page, which
// approves at once and redirects to the sign-in's loopback address. It
// reports whether authURL belonged to the demo desk.
func (d *deskWiring) demoSignIn(ctx context.Context, authURL string) bool {
	if d.running == nil || !strings.HasPrefix(authURL, d.running.URL+"/") {
		return false
	}
	go func() {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, authURL, nil)
		if err != nil {
			slog.Error("demo sign-in", "err", err)
			return
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			slog.Error("demo sign-in", "err", err)
			return
		}
		resp.Body.Close()
	}()
	return true
}

// adoptDemoToken hands the demo help desk the refresh token the keyring
// kept for the active demo portal: the emulator forgets its tokens when the
// app quits, a real Desk does not.
func (d *deskWiring) adoptDemoToken(ctx context.Context, store app.DeskStore) {
	p, err := store.ActivePortal(ctx)
	if err != nil || (p.DataCentre != desk.DemoID && p.DataCentre != "custom") {
		return
	}
	tok, err := d.secrets.GetSecret(ctx, app.PortalSecretKey(p.OrgID, app.SecretRefreshToken))
	if err != nil {
		slog.Info("demo help desk: no stored sign-in", "err", err)
		return
	}
	if err := d.emu.AdoptRefreshToken(tok, p.AccountEmail); err != nil {
		slog.Warn("demo help desk: keep sign-in", "err", err)
	}
}
