// Command tandem is the Tandem desktop CRM. Without arguments it opens the
// window; with a sub-command it works headless, for scripting and tests:
//
//	tandem [--data-dir DIR]                    open the app
//	tandem contacts list|add|import|export     contacts as text or CSV
//	tandem companies list|add|import|export    companies as text or CSV
//	tandem sample                              load the demo data
//	tandem seed -contacts N -companies M -records K   large data for benchmarks
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"

	_ "github.com/tandem-crm/tandem/cmd/tandem/internal/localeenv" // before Fyne reads the locale
)

// appID identifies the app to the OS (preferences, notifications, keyring).
const appID = "com.tandemcrm.tandem"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// defaultDataDir is the user's data folder for Tandem: XDG_DATA_HOME (or
// ~/.local/share) on Linux, the OS's application-data folder elsewhere.
func defaultDataDir() string {
	if runtime.GOOS == "linux" || runtime.GOOS == "freebsd" {
		if d := os.Getenv("XDG_DATA_HOME"); d != "" {
			return filepath.Join(d, "tandem")
		}
		if h, err := os.UserHomeDir(); err == nil {
			return filepath.Join(h, ".local", "share", "tandem")
		}
	}
	if d, err := os.UserConfigDir(); err == nil {
		return filepath.Join(d, "Tandem")
	}
	return "tandem-data"
}

func dbPath(dataDir string) (string, error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return "", fmt.Errorf("cannot create the data folder %s: %w", dataDir, err)
	}
	return filepath.Join(dataDir, "tandem.db"), nil
}
