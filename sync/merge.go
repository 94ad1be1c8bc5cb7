package sync

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/tandem-crm/tandem/app"
)

// mergeResult is the outcome of a field-by-field three-way merge.
type mergeResult struct {
	agreed     map[string]string // the link's new base (fields still to push keep the old one)
	toCRM      map[string]string // values to write into the CRM record
	toDesk     map[string]string // values to send to Desk
	pushAgreed map[string]string // the base once the push succeeded
	conflicts  []app.Conflict
}

// merge reconciles the CRM's and Desk's values of one record against the
// last agreed values (base; nil for a record being linked for the first
// time). Two-way: a field changed on one side only takes that side's value;
// changed on both, the later change wins and the loser is kept as a
// conflict; with no base an empty side takes the other's value. One-way:
// the CRM's changed values are pushed and Desk's never reach the CRM.
//
// "Later" is read on one clock that every desktop shares, Desk's: a Desk
// change is at its modifiedTime (deskTime), and a Tandem change at the time
// Desk accepts its push. A Tandem change still to push reaches Desk after
// every change Desk holds now, so it is the later one and wins; the Desk
// value is kept as the conflict, with Desk's time, and the time Desk
// accepts the push is added to the conflict when it does. Desktop clocks
// are never compared with each other or with Desk's.
func merge(mode app.SyncMode, ms []app.FieldMapping, base, crm, dsk map[string]string, deskTime time.Time) mergeResult {
	r := mergeResult{agreed: map[string]string{}, toCRM: map[string]string{}, toDesk: map[string]string{}}
	keep := func(f string, b string, hasB bool) {
		if hasB {
			r.agreed[f] = b
		}
	}
	for _, m := range ms {
		f := m.DeskField
		b, hasB := base[f]
		c, d := crm[f], dsk[f]
		switch {
		case c == d:
			r.agreed[f] = c
		case mode != app.SyncTwoWay:
			switch {
			case hasB && c == b: // only Desk changed: ignored in one-way
				r.agreed[f] = b
			case !hasB && c == "": // nothing to push yet
				r.agreed[f] = ""
			default:
				r.toDesk[f] = c
				keep(f, b, hasB)
			}
		case hasB && c == b:
			r.agreed[f], r.toCRM[f] = d, d
		case hasB && d == b:
			r.toDesk[f] = c
			keep(f, b, hasB)
		case !hasB && c == "":
			r.agreed[f], r.toCRM[f] = d, d
		case !hasB && d == "":
			r.toDesk[f] = c
		default:
			cf := app.Conflict{DeskField: f, CRMField: m.CRMField, CRMValue: c, DeskValue: d, DeskTime: deskTime, Winner: app.WinnerCRM}
			r.toDesk[f] = c
			keep(f, b, hasB)
			r.conflicts = append(r.conflicts, cf)
		}
	}
	r.pushAgreed = maps.Clone(r.agreed)
	maps.Copy(r.pushAgreed, r.toDesk)
	return r
}

// pushPayload is the outbox payload of a contact or account push.
type pushPayload struct {
	DeskID string            `json:"deskId,omitempty"` // "" creates
	Fields map[string]string `json:"fields"`           // canonical values by Desk field
	Types  map[string]string `json:"types"`            // field types by Desk field
	Agreed map[string]string `json:"agreed"`           // the link's base after success
	CRMRev int64             `json:"crmRev"`
	// CRMCreated is the CRM record's creation time (unix ms; 0 in items
	// queued by older versions): SQLite may give a deleted record's id to
	// a new one, and a push must never reach the newcomer's link.
	CRMCreated int64  `json:"crmCreated,omitempty"`
	Key        string `json:"key,omitempty"` // match key (email, name) for look-ups
}

// pushItem builds the outbox item of a push. Its idempotency key is
// derived from the record, its revision and the values, so the same push
// enqueued twice (a pass repeated after a crash) is stored once.
func pushItem(org, kind string, rec record, deskID string, ms []app.FieldMapping, fields, agreed map[string]string) (*app.OutboxItem, error) {
	types := map[string]string{}
	for _, m := range ms {
		if _, ok := fields[m.DeskField]; ok {
			types[m.DeskField] = m.Type
		}
	}
	key := ""
	if kind == app.KindContact {
		key = app.NormalizeEmail(rec.contact.Email)
	} else {
		key = rec.company.Name
	}
	pl := pushPayload{DeskID: deskID, Fields: fields, Types: types, Agreed: agreed, CRMRev: rec.rev(), Key: key}
	if t := rec.created(); !t.IsZero() {
		pl.CRMCreated = t.UnixMilli()
	}
	b, err := json.Marshal(pl)
	if err != nil {
		return nil, fmt.Errorf("sync: push payload: %w", err)
	}
	h := sha256.New()
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		fmt.Fprintf(h, "%s=%s\x00", k, fields[k])
	}
	outKind := app.OutboxPushContact
	if kind == app.KindCompany {
		outKind = app.OutboxPushCompany
	}
	return &app.OutboxItem{
		OrgID:          org,
		Kind:           outKind,
		IdempotencyKey: fmt.Sprintf("%s:%s:%d.%d:%d:%s:%s", outKind, org, rec.id(), pl.CRMCreated, rec.rev(), deskID, hex.EncodeToString(h.Sum(nil))[:16]),
		CRMKind:        kind,
		CRMID:          rec.id(),
		Payload:        b,
		State:          app.OutboxPending,
	}, nil
}
