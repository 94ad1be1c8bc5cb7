package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/instance"
)

// One Tandem per data folder (app/instance). The window holds the folder
// for as long as it runs, in the tray too. Headless commands sort into:
//
//   - reads (list, export, desk status, desk conflicts, backup) run beside
//     anything: SQLite's WAL gives them a consistent snapshot;
//   - CRM writes (add, import, sample, seed, desk retry/restore/dismiss)
//     also run beside: SQLite serialises writers (busy timeout), and
//     afterwards the window is told to reload so it shows them;
//   - what must not run twice goes through the running window: `desk
//     sync` asks it for a pass (never two sync services on one database),
//     `restore` asks it to set its database aside and restart on the
//     backup; `desk configure` and `desk deactivate` change what the
//     window's sync service does and are refused while it runs (the
//     window's Settings › Zoho Desk does them);
//   - without a window, these take the folder themselves, waiting for
//     another headless holder to finish.

// access is what a command needs of the folder.
type access int

const (
	beside    access = iota // reads and CRM writes
	exclusive               // holds the folder; through the window when one runs
)

// folderGuard is what guardFolder decided for a command.
type folderGuard struct {
	handled bool // the command was carried out (through the window, or by guardFolder)
	lock    *instance.Lock
	dataDir string
	tell    bool // tell a running window that the data changed
}

// commandAccess classifies a headless command; op is the request a
// running window takes instead ("" when it takes none).
func commandAccess(args []string) (a access, op string, writes bool) {
	sub := ""
	if len(args) > 1 {
		sub = args[1]
	}
	switch args[0] {
	case "contacts", "companies":
		return beside, "", sub != "list" && sub != "export"
	case "desk":
		switch sub {
		case "status", "conflicts":
			return beside, "", false
		case "sync":
			return exclusive, "sync", true
		case "configure", "deactivate":
			return exclusive, "", true
		}
		return beside, "", true
	case "backup", "help", "-h", "--help":
		return beside, "", false
	case "restore":
		return exclusive, "restore", true
	}
	return beside, "", true
}

// guardFolder does what the folder's instance rules say before a headless
// command runs: nothing, take the folder, or carry the command out through
// the running window (handled).
func guardFolder(ctx context.Context, dataDir string, args []string, stdout io.Writer) (*folderGuard, error) {
	out := func(s string) { fmt.Fprintln(stdout, s) }
	switch args[0] {
	case "backup":
		return &folderGuard{handled: true}, backupCmd(ctx, dataDir, args[1:], out)
	case "restore":
		return &folderGuard{handled: true}, restoreCmd(ctx, dataDir, args[1:], out)
	}
	acc, op, writes := commandAccess(args)
	g := &folderGuard{dataDir: dataDir, tell: writes}
	if acc == beside {
		return g, nil
	}
	lock, err := instance.Acquire(dataDir, versionString())
	var held *instance.HeldError
	switch {
	case err == nil:
		g.lock, g.tell = lock, false
		return g, nil
	case !errors.As(err, &held):
		return nil, err
	case held.Info.Addr == "":
		// Another headless command holds the folder: wait for it.
		wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
		lock, err := instance.AcquireWait(wctx, dataDir, versionString())
		if err != nil {
			return nil, app.Errorf(app.EUNAVAILABLE, "%s Try again when it has finished.", held.Error())
		}
		g.lock, g.tell = lock, false
		return g, nil
	case op == "":
		return nil, app.Errorf(app.ECONFLICT, "%s Use the window's Settings › Zoho Desk, or quit Tandem from its tray menu first.", held.Error())
	}
	resp, err := instance.Call(ctx, dataDir, op, args[1:]...)
	if err != nil {
		return nil, err
	}
	if !resp.OK {
		return nil, &app.Error{Code: resp.Code, Message: resp.Message}
	}
	out(resp.Message)
	return &folderGuard{handled: true}, nil
}

// done releases the folder, or tells a running window to reload what a
// command beside it wrote.
func (g *folderGuard) done(ctx context.Context) {
	if g.lock != nil {
		g.lock.Release()
	}
	if !g.tell {
		return
	}
	cctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if _, err := instance.Call(cctx, g.dataDir, "changed"); err != nil && app.ErrorCode(err) != app.EUNAVAILABLE {
		slog.Debug("tell the window", "err", err)
	}
}
