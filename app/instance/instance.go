// Package instance keeps one Tandem per data folder. The process that owns
// a folder (the window, or a headless command that writes) holds an OS file
// lock on <folder>/tandem.lock for as long as it runs; the OS releases it
// when the process ends, however it ends, so a crash never leaves the folder
// locked. The window also answers requests on a loopback TCP port: a
// second start asks it to show its window, a headless command tells it the
// data changed or asks it to sync or restore. The port and a random token
// are in <folder>/tandem.instance (readable by the user only); a request
// without the token is refused, so another user of the computer cannot
// drive someone's Tandem.
//
// TCP on 127.0.0.1 rather than a Unix socket: it works the same on
// Windows, macOS and Linux and has no path-length limit.
package instance

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/tandem-crm/tandem/app"
)

// File names inside the data folder.
const (
	LockFile = "tandem.lock"
	InfoFile = "tandem.instance"
)

// Info describes the process that holds a folder.
type Info struct {
	PID     int       `json:"pid"`
	Addr    string    `json:"addr,omitempty"` // loopback address of its request port; "" for a headless holder
	Token   string    `json:"token,omitempty"`
	Version string    `json:"version,omitempty"`
	Started time.Time `json:"started"`
}

// HeldError says that another process holds the folder.
type HeldError struct {
	Dir  string
	Info Info // PID 0 when the holder has not written its info yet
}

func (e *HeldError) Error() string {
	if e.Info.PID == 0 {
		return fmt.Sprintf("Another Tandem has the data folder %s open.", e.Dir)
	}
	return fmt.Sprintf("Tandem (process %d) has the data folder %s open.", e.Info.PID, e.Dir)
}

// Lock is a held data folder.
type Lock struct {
	dir  string
	f    *os.File
	ln   net.Listener
	info Info
}

// Acquire takes the folder's lock without waiting. When another process
// holds it, the error is a *HeldError naming that process.
func Acquire(dir, version string) (*Lock, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("instance: %w", &app.Error{Code: app.EINVALID, Message: fmt.Sprintf("Cannot create the data folder %s.", dir), Err: err})
	}
	f, err := os.OpenFile(filepath.Join(dir, LockFile), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("instance: %w", &app.Error{Code: app.EINVALID, Message: fmt.Sprintf("Cannot open %s.", filepath.Join(dir, LockFile)), Err: err})
	}
	ok, err := tryLock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("instance: lock: %w", err)
	}
	if !ok {
		f.Close()
		info, _ := readInfo(dir)
		return nil, &HeldError{Dir: dir, Info: info}
	}
	l := &Lock{dir: dir, f: f, info: Info{PID: os.Getpid(), Version: version, Started: time.Now().UTC()}}
	if err := l.writeInfo(); err != nil {
		l.Release()
		return nil, err
	}
	return l, nil
}

// AcquireWait is Acquire that waits, checking every 100 ms, until ctx ends.
func AcquireWait(ctx context.Context, dir, version string) (*Lock, error) {
	for {
		l, err := Acquire(dir, version)
		var held *HeldError
		if !errors.As(err, &held) {
			return l, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Info returns what the lock's holder (this process) published.
func (l *Lock) Info() Info { return l.info }

// Release stops answering requests and releases the folder.
func (l *Lock) Release() error {
	if l.f == nil {
		return nil
	}
	if l.ln != nil {
		l.ln.Close()
	}
	os.Remove(filepath.Join(l.dir, InfoFile))
	err := unlock(l.f)
	l.f.Close()
	l.f = nil
	return err
}

// Request is what another process asks the holder.
type Request struct {
	Token string   `json:"token"`
	Op    string   `json:"op"` // e.g. "show", "changed", "sync", "restore"
	Args  []string `json:"args,omitempty"`
}

// Response is the holder's answer.
type Response struct {
	OK      bool   `json:"ok"`
	Message string `json:"message,omitempty"` // for people: what happened, or why not
	Code    string `json:"code,omitempty"`    // an app error code when !OK
}

// Handler answers one request; ctx ends when the holder stops serving.
type Handler func(ctx context.Context, op string, args []string) Response

// Serve answers requests on a loopback port until ctx ends or Release;
// it returns once the port is open and the info file names it.
func (l *Lock) Serve(ctx context.Context, h Handler) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("instance: listen: %w", err)
	}
	tok := make([]byte, 16)
	if _, err := rand.Read(tok); err != nil {
		ln.Close()
		return fmt.Errorf("instance: token: %w", err)
	}
	l.ln = ln
	l.info.Addr, l.info.Token = ln.Addr().String(), hex.EncodeToString(tok)
	if err := l.writeInfo(); err != nil {
		ln.Close()
		return err
	}
	go func() {
		<-ctx.Done()
		ln.Close()
	}()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go l.answer(ctx, c, h)
		}
	}()
	return nil
}

func (l *Lock) answer(ctx context.Context, c net.Conn, h Handler) {
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	var req Request
	if err := json.NewDecoder(bufio.NewReader(c)).Decode(&req); err != nil {
		return
	}
	var resp Response
	if subtle.ConstantTimeCompare([]byte(req.Token), []byte(l.info.Token)) != 1 {
		resp = Response{Code: app.EFORBIDDEN, Message: "Refused: wrong token."}
	} else {
		resp = h(ctx, req.Op, req.Args)
	}
	c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	_ = json.NewEncoder(c).Encode(resp)
}

// Call sends a request to the process holding dir and returns its answer.
// It fails with EUNAVAILABLE when no process answers for the folder.
func Call(ctx context.Context, dir, op string, args ...string) (Response, error) {
	info, err := readInfo(dir)
	if err != nil || info.Addr == "" {
		return Response{}, fmt.Errorf("instance: call: %w", &app.Error{Code: app.EUNAVAILABLE,
			Message: "No Tandem window answers for this data folder.", Err: err})
	}
	var d net.Dialer
	dctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	c, err := d.DialContext(dctx, "tcp", info.Addr)
	cancel()
	if err != nil {
		return Response{}, fmt.Errorf("instance: call: %w", &app.Error{Code: app.EUNAVAILABLE,
			Message: fmt.Sprintf("Tandem (process %d) does not answer.", info.PID), Err: err})
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Now()) })
	defer stop()
	if err := json.NewEncoder(c).Encode(Request{Token: info.Token, Op: op, Args: args}); err != nil {
		return Response{}, fmt.Errorf("instance: call: %w", err)
	}
	var resp Response
	if err := json.NewDecoder(c).Decode(&resp); err != nil {
		if ctx.Err() != nil {
			return Response{}, ctx.Err()
		}
		return Response{}, fmt.Errorf("instance: call: %w", &app.Error{Code: app.EUNAVAILABLE,
			Message: fmt.Sprintf("Tandem (process %d) did not answer.", info.PID), Err: err})
	}
	return resp, nil
}

func (l *Lock) writeInfo() error {
	b, err := json.Marshal(l.info)
	if err != nil {
		return err
	}
	path := filepath.Join(l.dir, InfoFile)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("instance: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("instance: %w", err)
	}
	return nil
}

func readInfo(dir string) (Info, error) {
	var info Info
	b, err := os.ReadFile(filepath.Join(dir, InfoFile))
	if err != nil {
		return info, err
	}
	err = json.Unmarshal(b, &info)
	return info, err
}
