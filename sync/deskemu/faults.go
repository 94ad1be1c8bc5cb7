package deskemu

import (
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/tandem-crm/tandem/sync/desk"
)

// FaultKind is what a fault does to a request.
type FaultKind string

// Fault kinds.
const (
	FaultStatus    FaultKind = "status"    // answer Status (429, 500, 503…) with Desk's error JSON
	FaultLatency   FaultKind = "latency"   // wait Latency, then serve normally
	FaultDrop      FaultKind = "drop"      // hijack the connection and close it without an answer
	FaultMalformed FaultKind = "malformed" // answer 200 with a truncated JSON body
	FaultHuge      FaultKind = "huge"      // answer 200 with a body larger than the client's limit
)

// Fault injects a failure into matching requests.
type Fault struct {
	Kind FaultKind `json:"kind"`
	// Method matches the request method; "" matches any.
	Method string `json:"method,omitempty"`
	// Path is a path.Match pattern for the request path, e.g.
	// "/api/v1/tickets" or "/api/v1/tickets/*"; "" matches every API and
	// OAuth path (never /_emu/).
	Path string `json:"path,omitempty"`
	// Status for FaultStatus (default 500).
	Status int `json:"status,omitempty"`
	// Code, when set, is the errorCode of FaultStatus's answer (e.g.
	// THRESHOLD_EXCEEDED); by default one fitting Status.
	Code string `json:"code,omitempty"`
	// RetryAfter is sent as the Retry-After header when set (seconds or
	// an HTTP date).
	RetryAfter string `json:"retryAfter,omitempty"`
	// Latency for FaultLatency.
	Latency time.Duration `json:"latency,omitempty"`
	// Times limits how many requests the fault hits; 0 means until cleared.
	Times int `json:"times,omitempty"`
	// AfterApply applies the request first and then drops the connection
	// without an answer: a write Desk made whose answer was lost (a POST
	// in flight when Tandem was killed).
	AfterApply bool `json:"afterApply,omitempty"`
	// Rate, when between 0 and 1, hits that share of matching requests,
	// chosen by the server's seeded random source.
	Rate float64 `json:"rate,omitempty"`
}

type faultState struct {
	id   int
	f    Fault
	hits int
}

// AddFault installs f and returns its id for RemoveFault.
func (s *Server) AddFault(f Fault) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faultSeq++
	s.faults = append(s.faults, &faultState{id: s.faultSeq, f: f})
	return s.faultSeq
}

// RemoveFault removes one fault.
func (s *Server) RemoveFault(id int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.id == id {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
			return
		}
	}
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	s.faults = nil
	s.mu.Unlock()
}

func (s *Server) matchFault(r *http.Request) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := 0; i < len(s.faults); i++ {
		fs := s.faults[i]
		f := fs.f
		if f.Method != "" && !strings.EqualFold(f.Method, r.Method) {
			continue
		}
		if f.Path != "" {
			if ok, _ := path.Match(f.Path, r.URL.Path); !ok {
				continue
			}
		}
		if f.Rate > 0 && f.Rate < 1 && s.rnd.Float64() >= f.Rate {
			continue
		}
		fs.hits++
		if f.Times > 0 && fs.hits >= f.Times {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
		}
		return &f
	}
	return nil
}

// applyFault acts out f; it reports whether the request is finished.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, f *Fault) bool {
	switch f.Kind {
	case FaultLatency:
		t := time.NewTimer(f.Latency)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return true
		}
		return false
	case FaultDrop:
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			_ = conn.Close()
			return true
		}
		panic(http.ErrAbortHandler) // HTTP/2: abort the stream instead
	case FaultMalformed:
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"data":[{"id":"1","subject":"trunc`))
		return true
	case FaultHuge:
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		w.WriteHeader(http.StatusOK)
		chunk := []byte(strings.Repeat(" ", 1<<16))
		_, _ = w.Write([]byte(`{"data":[`))
		for i := 0; i < (17<<20)/len(chunk); i++ {
			if _, err := w.Write(chunk); err != nil {
				return true
			}
		}
		_, _ = w.Write([]byte(`]}`))
		return true
	default:
		st := f.Status
		if st == 0 {
			st = http.StatusInternalServerError
		}
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		code := desk.CodeInternalError
		switch {
		case st == http.StatusTooManyRequests:
			code = desk.CodeTooManyRequests
		case st == http.StatusServiceUnavailable:
			code = desk.CodeServiceUnavailable
		case st < 500:
			code = "FAULT_" + strconv.Itoa(st)
		}
		if f.Code != "" {
			code = f.Code
		}
		writeErr(w, st, code, "Injected fault: "+http.StatusText(st))
		return true
	}
}
