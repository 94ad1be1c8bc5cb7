package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/store"
)

// readsDamaged reports the commands that open a damaged database (read-only):
// export, to say how many rows it cannot read, and the db commands.
func readsDamaged(args []string) bool {
	switch {
	case len(args) >= 2 && (args[0] == "contacts" || args[0] == "companies" || args[0] == "records") && args[1] == "export":
		return true
	case len(args) >= 1 && args[0] == "db":
		return true
	}
	return false
}

// printError prints err once, for people: its message, and for a damaged
// database what is lost and what to do; the cause only when it is a bug.
func printError(w io.Writer, err error) {
	fmt.Fprintln(w, "tandem:", app.ErrorMessage(err))
	var d *app.Damage
	if errors.As(err, &d) {
		for _, t := range d.Tables {
			if app.ErrorMessage(err) != app.MsgDamaged {
				break // the message already says what is lost
			}
			if t.Unreadable > 0 {
				fmt.Fprintf(w, "  %s: %d of %d rows cannot be read.\n", t.Table, t.Unreadable, t.Readable+t.Unreadable)
			}
		}
		fmt.Fprintln(w, "  To copy what can be read into a new file (the damaged one is kept): tandem db salvage")
		return
	}
	if app.ErrorCode(err) == app.EINTERNAL {
		fmt.Fprintln(w, "  detail:", err)
	}
}

// checkBeforeExport runs the full integrity check before an export of
// table: an export taken from a damaged file would silently miss rows, so
// it is refused with how many rows of table cannot be read.
func (c *cli) checkBeforeExport(table string) error {
	d, err := c.db.CheckIntegrity(c.ctx)
	if err != nil {
		return err
	}
	if d == nil {
		return nil
	}
	l := d.Loss(table)
	return &app.Error{Code: app.EDAMAGED, Err: d, Message: fmt.Sprintf(
		"Nothing was exported: the database file is damaged and %d of %d %s cannot be read, so the export would be missing them. Tandem has stopped saving changes to the file.",
		l.Unreadable, l.Readable+l.Unreadable, table)}
}

// dbCommand runs `tandem db check` and `tandem db salvage`.
func (c *cli) dbCommand(args []string) error {
	if len(args) != 1 {
		return errUsage
	}
	switch args[0] {
	case "check":
		d, err := c.db.CheckIntegrity(c.ctx)
		if err != nil {
			return err
		}
		if d != nil {
			return app.DamagedError(d)
		}
		fmt.Fprintln(c.out, "the database file is sound:", c.db.Path())
		return nil
	case "salvage":
		d, err := c.db.CheckIntegrity(c.ctx)
		if err != nil {
			return err
		}
		if d == nil {
			fmt.Fprintln(c.out, "the database file is sound; nothing to salvage:", c.db.Path())
			return nil
		}
		rep, err := store.SalvageInPlace(c.ctx, c.db)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.out, "salvaged %d rows into %s; %d rows could not be read\n", rep.Copied(), rep.Path, rep.Lost())
		for _, t := range rep.Tables {
			if t.Unreadable > 0 {
				fmt.Fprintf(c.out, "  %s: %d copied, %d lost\n", t.Table, t.Readable, t.Unreadable)
			}
		}
		fmt.Fprintln(c.out, "the damaged file is kept as", rep.Damaged)
		return nil
	}
	return errUsage
}
