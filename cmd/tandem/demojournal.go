package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"

	"github.com/tandem-crm/tandem/sync/deskemu"
)

// The demo help desk runs in this process and starts from the same
// generated data at every start. A real Desk keeps what Tandem (or anyone)
// changed on it, so the demo desk keeps a journal beside the database: every
// API request that changed it, replayed in order at the next start. The
// emulator's ids are sequential, so a replay gives every record the id it
// had, and what Tandem linked and cached stays true across restarts.
//
// The journal holds request bodies (the same customer data as the
// database) and the email of the demo user who sent each, never a token.

// demoJournalName is the journal's file name in the data folder.
const demoJournalName = "demo-desk.jsonl"

// demoJournalFormat changes whenever the demo desk's generated data or
// ids would: a journal of another format is set aside, not replayed.
const demoJournalFormat = 1

// demoJournalLimit stops the journal growing without end (the demo then
// forgets later changes, as it always did).
const demoJournalLimit = 64 << 20

// journalEntry is one request that changed the demo desk.
type journalEntry struct {
	Format int    `json:"format,omitempty"` // only on the first line
	Method string `json:"m,omitempty"`
	Path   string `json:"p,omitempty"`
	Query  string `json:"q,omitempty"`
	OrgID  string `json:"org,omitempty"`
	As     string `json:"as,omitempty"` // the demo user's email
	Type   string `json:"ct,omitempty"` // Content-Type
	Body   []byte `json:"b,omitempty"`
}

// demoJournal records the demo desk's changes in a file.
type demoJournal struct {
	emu  *deskemu.Server
	next http.Handler

	mu   sync.Mutex
	f    *os.File
	size int64
}

// openDemoJournal replays path's journal into emu (after its generated
// data and seedDemoDesk), then records new changes there. A missing file
// starts a new journal; an unreadable or foreign one is moved aside. It
// returns the handler to serve emu with.
func openDemoJournal(emu *deskemu.Server, path string) (*demoJournal, error) {
	j := &demoJournal{emu: emu, next: emu}
	n, err := j.replay(path)
	if err != nil {
		aside := path + ".old"
		slog.Warn("demo help desk: journal not replayed; starting a new one", "err", err, "kept", aside)
		if rerr := os.Rename(path, aside); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
			return nil, rerr
		}
	} else if n > 0 {
		slog.Info("demo help desk: changes replayed", "requests", n)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("demo help desk journal: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	j.f, j.size = f, st.Size()
	if j.size == 0 {
		j.append(journalEntry{Format: demoJournalFormat})
	}
	return j, nil
}

// replay serves every recorded request to the emulator again and says how
// many there were. A last line cut short by a crash is skipped.
func (j *demoJournal) replay(path string) (int, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r := bufio.NewReader(f)
	n, first := 0, true
	tokens := map[string]string{}
	for {
		line, err := r.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			return n, nil // a line without its newline was cut short: skipped
		}
		if err != nil {
			return n, err
		}
		var e journalEntry
		if err := json.Unmarshal(line, &e); err != nil {
			return n, fmt.Errorf("line %d: %w", n+2, err)
		}
		if first {
			if e.Format != demoJournalFormat {
				return 0, fmt.Errorf("journal format %d, this version writes %d", e.Format, demoJournalFormat)
			}
			first = false
			continue
		}
		tok, ok := tokens[e.As]
		if !ok {
			if tok, _, err = j.emu.IssueToken(e.As); err != nil {
				return n, err
			}
			tokens[e.As] = tok
		}
		target := e.Path
		if e.Query != "" {
			target += "?" + e.Query
		}
		req, err := http.NewRequest(e.Method, target, bytes.NewReader(e.Body))
		if err != nil {
			return n, err
		}
		req.Header.Set("Authorization", "Zoho-oauthtoken "+tok)
		if e.OrgID != "" {
			req.Header.Set("orgId", e.OrgID)
		}
		if e.Type != "" {
			req.Header.Set("Content-Type", e.Type)
		}
		w := &statusWriter{h: http.Header{}}
		j.emu.ServeHTTP(w, req)
		if w.status/100 != 2 {
			// What Desk accepted once it accepts again; if not, the
			// replay has gone wrong and the rest would land on other ids.
			return n, fmt.Errorf("replaying %s %s: HTTP %d", e.Method, e.Path, w.status)
		}
		n++
	}
}

// ServeHTTP passes r to the emulator and records it when it changed the
// help desk: an API request other than GET that Desk accepted.
func (j *demoJournal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet || r.Method == http.MethodHead || !strings.HasPrefix(r.URL.Path, "/api/v1/") {
		j.next.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, demoJournalLimit+1))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if len(body) > demoJournalLimit { // too big to keep: served, not recorded
		r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), r.Body))
		j.next.ServeHTTP(w, r)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	as := j.emu.TokenUser(r.Header.Get("Authorization"))
	sw := &statusWriter{ResponseWriter: w}
	j.next.ServeHTTP(sw, r)
	if sw.status/100 == 2 && as != "" {
		j.append(journalEntry{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
			OrgID: r.Header.Get("orgId"), As: as, Type: r.Header.Get("Content-Type"), Body: body})
	}
}

// append writes one line; past the size limit it stops recording.
func (j *demoJournal) append(e journalEntry) {
	b, err := json.Marshal(e)
	if err != nil {
		return
	}
	b = append(b, '\n')
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return
	}
	if j.size+int64(len(b)) > demoJournalLimit {
		slog.Warn("demo help desk: journal full; later changes are forgotten at quit", "limit", demoJournalLimit)
		j.f.Close()
		j.f = nil
		return
	}
	if _, err := j.f.Write(b); err != nil {
		slog.Warn("demo help desk: journal", "err", err)
		return
	}
	j.size += int64(len(b))
}

// Close closes the journal file.
func (j *demoJournal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return nil
	}
	err := j.f.Close()
	j.f = nil
	return err
}

// statusWriter notes the status of an answer; with no ResponseWriter
// behind it (a replay) the answer goes nowhere.
type statusWriter struct {
	http.ResponseWriter
	h      http.Header
	status int
}

func (w *statusWriter) Header() http.Header {
	if w.ResponseWriter == nil {
		return w.h
	}
	return w.ResponseWriter.Header()
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	if w.ResponseWriter != nil {
		w.ResponseWriter.WriteHeader(code)
	}
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if w.ResponseWriter == nil {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
