package app

import (
	"fmt"
	"strings"
	"time"
)

// MsgDamaged is what people are told when the database file is damaged,
// in the window and by every headless command alike.
const MsgDamaged = "Tandem's database file is damaged: part of it cannot be read. Tandem has stopped saving changes to it, so nothing more is lost. Restore the latest backup, or salvage what can still be read into a new file."

// Damage is what an integrity check found wrong with the database file.
type Damage struct {
	Path     string      // the damaged file
	Problems []string    // SQLite's first findings, for the log and the details
	Tables   []TableLoss // per table, how many rows can and cannot be read
	At       time.Time   // when the damage was found
}

// TableLoss counts a table's rows: Readable were read; Unreadable are
// known (from the table's indexes) but could not be read. A row that no
// index knows cannot be counted, so Unreadable is a floor.
type TableLoss struct {
	Table      string
	Readable   int
	Unreadable int
}

// Loss returns the table's counts, or a zero TableLoss with Table set.
func (d *Damage) Loss(table string) TableLoss {
	for _, t := range d.Tables {
		if t.Table == table {
			return t
		}
	}
	return TableLoss{Table: table}
}

// Error makes *Damage an error, for logs: what is lost and what SQLite
// found (the message for people is MsgDamaged).
func (d *Damage) Error() string {
	var b strings.Builder
	b.WriteString("database file damaged")
	for _, t := range d.Tables {
		if t.Unreadable > 0 {
			fmt.Fprintf(&b, "; %s: %d of %d rows cannot be read", t.Table, t.Unreadable, t.Readable+t.Unreadable)
		}
	}
	if len(d.Problems) > 0 {
		b.WriteString("; SQLite: " + strings.Join(d.Problems, "; "))
	}
	return b.String()
}

// DamagedError returns the EDAMAGED *Error for d.
func DamagedError(d *Damage) *Error { return &Error{Code: EDAMAGED, Message: MsgDamaged, Err: d} }

// SalvageReport is what salvaging a damaged database did.
type SalvageReport struct {
	Path    string      // the new database, now in the damaged one's place
	Damaged string      // where the damaged file was kept
	Tables  []TableLoss // per table: rows copied (Readable) and lost (Unreadable)
}

// Copied and Lost add up the tables' rows.
func (r *SalvageReport) Copied() (n int) {
	for _, t := range r.Tables {
		n += t.Readable
	}
	return n
}

// Lost: see Copied.
func (r *SalvageReport) Lost() (n int) {
	for _, t := range r.Tables {
		n += t.Unreadable
	}
	return n
}
