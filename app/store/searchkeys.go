package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
)

// Search keys (migration 0018): contacts_fts numbers each contact's row by
// the contact's search_key, a number that grows in the list's order
// (sort_name, id), so the first page of a search by name is the first
// matches in rowid order and FTS5 stops after them. The triggers key a
// contact written one at a time; this file keys what they cannot: the rows
// a bulk write left without a key, and every row when two neighbours have
// no room left between their keys.

// noRoomMsg is the message of the triggers' RAISE when a contact's
// neighbours have no room left between their keys.
const noRoomMsg = "tandem: no room for a search key"

// Key spacing: keys written in bulk step keyStep apart where there is
// room (renumbering numbers every contact keyStep apart; keySpan bounds
// the keys of 2^30 contacts); a key beyond ±keyLimit is renumbered first,
// so no sum overflows. The triggers in 0018 use the same numbers.
const (
	keySpan  = int64(1) << 62
	keyStep  = int64(1) << 32
	keyLimit = keySpan + keySpan/2
	// keyTieStep is the most a key written between two others steps past
	// the one before: new contacts that tie with old ones (the same name)
	// all go after them, into one gap, 2^16 of them before they halve it.
	keyTieStep = int64(1) << 16
)

// isNoRoom reports whether err is the triggers' refusal for want of room.
func isNoRoom(err error) bool {
	return err != nil && strings.Contains(err.Error(), noRoomMsg)
}

// keyed runs one statement of tx that writes contacts (fn); when the
// triggers refuse it for want of room between two keys, the statement had
// no effect: every key is renumbered in tx and fn runs again, once.
func keyed(ctx context.Context, tx *sql.Tx, fn func() error) error {
	err := fn()
	if !isNoRoom(err) {
		return err
	}
	if err := renumberContacts(ctx, tx); err != nil {
		return fmt.Errorf("renumber the search keys: %w", err)
	}
	return fn()
}

// renumberContacts gives every contact a new key, keyStep apart in the
// list's order, and indexes every contact again in key order. It is
// needed only when keys written one at a time have used up the room
// between two neighbours (2^16 contacts tying after one, or 16 written
// each just before the last between the same two), and it is slow: 9 s
// at 100k contacts (BenchmarkRenumberContacts100k).
func renumberContacts(ctx context.Context, tx *sql.Tx) error {
	if err := unkeyAll(ctx, tx); err != nil {
		return err
	}
	return keyNewContacts(ctx, tx)
}

// sortPos is a contact's place in the list: its sort_name as SQLite
// stores it (TEXT as string, a BLOB as []byte) and its id.
type sortPos struct {
	name any
	id   int64
}

// before reports whether a sorts before b as SQLite's ORDER BY sort_name,
// id does: TEXT before BLOB, each compared byte by byte (BINARY).
func (a sortPos) before(b sortPos) bool {
	an, ab := sortBytes(a.name)
	bn, bb := sortBytes(b.name)
	if ab != bb {
		return !ab
	}
	if c := bytes.Compare(an, bn); c != 0 {
		return c < 0
	}
	return a.id < b.id
}

func sortBytes(v any) (b []byte, blob bool) {
	switch v := v.(type) {
	case []byte:
		return v, true
	case string:
		return []byte(v), false
	}
	return []byte(fmt.Sprint(v)), false
}

// keyNewContacts keys every contact that has no key (written while
// search_suspended was set, or unkeyed by a renumbering) between its keyed
// neighbours, and indexes them in key order. The new rows are read in the
// list's order, keyChunk at a time (memory stays flat for an import of a
// million rows); each run of new rows between two keyed neighbours costs
// one seek of contacts_keyed, so the work grows with the new rows, not
// with the table. When a run does not fit between its neighbours, every
// key is renumbered instead.
func keyNewContacts(ctx context.Context, tx *sql.Tx) error {
	var unkeyed int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM contacts WHERE search_key IS NULL").Scan(&unkeyed); err != nil || unkeyed == 0 {
		return err
	}
	// A run's neighbours: the keyed contact before its first row, and the
	// one after (with its place, to find where the run ends).
	around, err := tx.PrepareContext(ctx, `SELECT
		(SELECT search_key FROM contacts INDEXED BY contacts_keyed
		 WHERE search_key IS NOT NULL AND (sort_name, id) < (?1, ?2) ORDER BY sort_name DESC, id DESC LIMIT 1),
		n.search_key, n.sort_name, n.id
		FROM (SELECT 1) LEFT JOIN (SELECT search_key, sort_name, id FROM contacts INDEXED BY contacts_keyed
		 WHERE search_key IS NOT NULL AND (sort_name, id) > (?1, ?2) ORDER BY sort_name, id LIMIT 1) AS n`)
	if err != nil {
		return err
	}
	defer around.Close()
	var after *sortPos
	for {
		news, err := unkeyedContacts(ctx, tx, unkeyed, after)
		if err != nil || len(news) == 0 {
			return err
		}
		keys := make([]int64, len(news))
		for i := 0; i < len(news); {
			var lo, hi, upperID sql.NullInt64
			var upper sortPos
			if err := around.QueryRowContext(ctx, news[i].name, news[i].id).Scan(&lo, &hi, &upper.name, &upperID); err != nil {
				return err
			}
			upper.id = upperID.Int64
			j := i + 1
			for j < len(news) && (!hi.Valid || news[j].before(upper)) {
				j++
			}
			if !spread(keys[i:j], lo, hi) {
				// No room between two neighbours: number everything again
				// (with no key left, all rows are one run, which fits).
				return renumberContacts(ctx, tx)
			}
			i = j
		}
		if err := setKeys(ctx, tx, news, keys); err != nil {
			return err
		}
		after = &news[len(news)-1]
	}
}

// keyChunk is how many new contacts keyNewContacts keys at a time, and
// setChunk how many keys one UPDATE writes. Both bound the memory of an
// import's end: temporary storage is in memory, and a statement keeps a
// copy of each page it changes until it ends (5,000 scattered rows a
// statement took an import of 1M rows to 162 MB at its peak).
const (
	keyChunk = 5000
	setChunk = 500
)

// keyContacts keys and indexes the contacts a bulk write left unkeyed, in
// its own transaction.
func (db *DB) keyContacts(ctx context.Context) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error { return keyNewContacts(ctx, tx) })
}

// unkeyedContacts returns up to keyChunk contacts without a search key
// after *after (all from the start when nil), in the list's order; of all
// unkeyed ones in the table. Few are found by their index and sorted; many
// are found walking the list's order.
func unkeyedContacts(ctx context.Context, tx *sql.Tx, all int, after *sortPos) ([]sortPos, error) {
	q := "SELECT sort_name, id FROM contacts INDEXED BY contacts_search_key WHERE search_key IS NULL ORDER BY sort_name, id"
	var args []any
	if all > keyChunk {
		q = "SELECT sort_name, id FROM contacts INDEXED BY contacts_sort_name WHERE search_key IS NULL"
		if after != nil {
			q += " AND (sort_name, id) > (?, ?)"
			args = append(args, after.name, after.id)
		}
		q += " ORDER BY sort_name, id LIMIT " + fmt.Sprint(keyChunk)
	} else if after != nil {
		return nil, nil // one chunk held them all
	}
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []sortPos
	for rows.Next() {
		var p sortPos
		if err := rows.Scan(&p.name, &p.id); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// unkeyAll takes every contact's key and empties the index, for
// keyNewContacts to number every contact again. The index is dropped and
// made again from its own definition: a DELETE of every row reads every
// row's text back to remove its terms (6 of the 8 s of emptying and
// refilling it at 100k contacts).
func unkeyAll(ctx context.Context, tx *sql.Tx) error {
	var def string
	if err := tx.QueryRowContext(ctx, "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'contacts_fts'").Scan(&def); err != nil {
		return err
	}
	for _, q := range []string{
		"DROP TABLE contacts_fts",
		def,
		"UPDATE contacts SET search_key = NULL WHERE search_key IS NOT NULL",
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// spread fills keys with len(keys) increasing keys strictly between lo and
// hi (either may be absent): keyStep apart past the ends, at most
// keyTieStep apart between two keys; false when they do not fit.
func spread(keys []int64, lo, hi sql.NullInt64) bool {
	n := int64(len(keys))
	var from, step int64
	switch {
	case !lo.Valid && !hi.Valid:
		from, step = 0, min(keyStep, keySpan/(n+1))
	case !hi.Valid:
		if lo.Int64 > keyLimit-keyStep*(n+1) {
			return false
		}
		from, step = lo.Int64, keyStep
	case !lo.Valid:
		if hi.Int64 < -keyLimit+keyStep*(n+1) {
			return false
		}
		from, step = hi.Int64-keyStep*(n+1), keyStep
	default:
		if hi.Int64 < lo.Int64 {
			return false // never, while the keys keep the list's order
		}
		// At most keyTieStep apart, as the triggers do: new contacts that
		// tie with old ones all go after them, into the same gap, batch
		// after batch; spread over the whole gap, each batch would divide
		// what is left by its size.
		from, step = lo.Int64, min(keyTieStep, (hi.Int64-lo.Int64)/(n+1))
	}
	if step < 1 {
		return false
	}
	for i := range keys {
		keys[i] = from + step*int64(i+1)
	}
	return true
}

// setKeys writes keys[i] as the key of contact news[i].id and indexes
// those contacts in key order.
func setKeys(ctx context.Context, tx *sql.Tx, news []sortPos, keys []int64) error {
	ids := make([]int64, len(news))
	for start := 0; start < len(news); start += setChunk {
		end := min(len(news), start+setChunk)
		pairs := make([][2]int64, 0, end-start)
		for i := start; i < end; i++ {
			pairs = append(pairs, [2]int64{news[i].id, keys[i]})
			ids[i] = news[i].id
		}
		js, err := json.Marshal(pairs)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE contacts SET search_key = j.value ->> 1
			FROM json_each(?) AS j WHERE contacts.id = j.value ->> 0`, string(js)); err != nil {
			return err
		}
	}
	js, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, reindexContactsSQL, string(js))
	return err
}
