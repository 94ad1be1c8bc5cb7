package store

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/tandem-crm/tandem/app"
)

// fullDisk mounts a small tmpfs (root only; skipped elsewhere) and returns
// its folder and a function that fills it completely.
func fullDisk(t *testing.T) (string, func()) {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small file system here (needs root): %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", "-l", dir).Run() })
	fill := func() {
		f, err := os.Create(filepath.Join(dir, "filler"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		buf := make([]byte, 4096)
		for {
			if _, err := f.Write(buf); err != nil {
				if !errors.Is(err, syscall.ENOSPC) {
					t.Fatal(err)
				}
				return
			}
		}
	}
	return dir, fill
}

// TestDiskFullOnOpen is the finding: on a completely full disk, opening
// the database (which must create its -shm file) said "a disk or network
// error".
func TestDiskFullOnOpen(t *testing.T) {
	dir, fill := fullDisk(t)
	ctx := context.Background()
	path := filepath.Join(dir, "tandem.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	c := app.Contact{LastName: "Full"}
	if err := db.CreateContact(ctx, &c); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	fill()
	_, err = Open(ctx, path)
	if got := app.ErrorMessage(err); got != msgFull {
		t.Fatalf("open on a full disk: %q (%v)", got, err)
	}
}

// TestDiskFullOnWrite: a write that cannot grow the file says the disk is
// full.
func TestDiskFullOnWrite(t *testing.T) {
	dir, fill := fullDisk(t)
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(dir, "tandem.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fill()
	var last error
	for i := 0; i < 200 && last == nil; i++ {
		c := app.Contact{LastName: "Full", Notes: string(make([]byte, 8000))}
		last = db.CreateContact(ctx, &c)
	}
	if got := app.ErrorMessage(last); got != msgFull {
		t.Fatalf("write on a full disk: %q (%v)", got, last)
	}
}
