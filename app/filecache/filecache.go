// Package filecache keeps downloaded attachments in the data folder: on
// disk, so they open offline after a restart, under a size cap with the
// least recently used files evicted first. Names never come from Desk as
// paths: a file lives at <dir>/<hash of its key>/<SafeName(name)>.
package filecache

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// DefaultCap is the cache's size cap (200 MB).
const DefaultCap = 200 << 20

// Cache is a folder of downloaded files. Safe for concurrent use.
type Cache struct {
	dir string
	cap int64
	now func() time.Time
	mu  sync.Mutex
}

// New returns the cache in dir holding at most capBytes (DefaultCap when 0).
func New(dir string, capBytes int64) *Cache {
	if capBytes <= 0 {
		capBytes = DefaultCap
	}
	return &Cache{dir: dir, cap: capBytes, now: time.Now}
}

func (c *Cache) slot(key string) string {
	h := sha256.Sum256([]byte(key))
	return filepath.Join(c.dir, hex.EncodeToString(h[:16]))
}

// Get returns the cached file of key, marking it as just used.
func (c *Cache) Get(key string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	slot := c.slot(key)
	ents, err := os.ReadDir(slot)
	if err != nil {
		return "", false
	}
	for _, e := range ents {
		if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".part-") {
			now := c.now()
			_ = os.Chtimes(slot, now, now)
			return filepath.Join(slot, e.Name()), true
		}
	}
	return "", false
}

// Put stores data as key's file named name (made safe), evicting the
// least recently used other files while the cache is over its cap. A
// file larger than the cap is refused.
func (c *Cache) Put(key, name string, data []byte) (string, error) {
	if int64(len(data)) > c.cap {
		return "", fmt.Errorf("filecache: %d bytes is more than the cache holds (%d)", len(data), c.cap)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	slot := c.slot(key)
	_ = os.RemoveAll(slot)
	if err := os.MkdirAll(slot, 0o700); err != nil {
		return "", fmt.Errorf("filecache: %w", err)
	}
	tmp, err := os.CreateTemp(slot, ".part-*")
	if err != nil {
		return "", fmt.Errorf("filecache: %w", err)
	}
	_, werr := tmp.Write(data)
	if err := tmp.Close(); werr == nil {
		werr = err
	}
	p := filepath.Join(slot, SafeName(name))
	if werr == nil {
		werr = os.Rename(tmp.Name(), p)
	}
	if werr != nil {
		_ = os.RemoveAll(slot)
		return "", fmt.Errorf("filecache: %w", werr)
	}
	now := c.now()
	_ = os.Chtimes(slot, now, now)
	c.evict(slot)
	return p, nil
}

// evict removes the least recently used slots other than keep until the
// cache fits its cap.
func (c *Cache) evict(keep string) {
	type slotInfo struct {
		path string
		used time.Time
		size int64
	}
	ents, err := os.ReadDir(c.dir)
	if err != nil {
		return
	}
	var slots []slotInfo
	var total int64
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		p := filepath.Join(c.dir, e.Name())
		info, err := e.Info()
		if err != nil {
			continue
		}
		var size int64
		files, _ := os.ReadDir(p)
		for _, f := range files {
			if fi, err := f.Info(); err == nil {
				size += fi.Size()
			}
		}
		total += size
		slots = append(slots, slotInfo{p, info.ModTime(), size})
	}
	slices.SortFunc(slots, func(a, b slotInfo) int { return a.used.Compare(b.used) })
	for _, s := range slots {
		if total <= c.cap {
			return
		}
		if s.path == keep {
			continue
		}
		if os.RemoveAll(s.path) == nil {
			total -= s.size
		}
	}
}

// Size is the bytes the cache holds.
func (c *Cache) Size() int64 {
	var total int64
	_ = filepath.WalkDir(c.dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				total += fi.Size()
			}
		}
		return nil
	})
	return total
}

// SafeName makes a file name from Desk (or anyone) safe to create in a
// folder of ours: no folders, no control or bidi characters, no leading
// dot, no names Windows reserves, at most 100 bytes (keeping the
// extension); "file" when nothing is left.
func SafeName(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	var b strings.Builder
	for _, r := range name {
		switch {
		case r == utf8.RuneError, unicode.IsControl(r), unicode.Is(unicode.Bidi_Control, r),
			r >= 0x200b && r <= 0x200f, strings.ContainsRune(`<>:"|?*`, r):
			b.WriteRune('_')
		default:
			b.WriteRune(r)
		}
	}
	name = strings.Trim(b.String(), " .")
	base := strings.ToUpper(strings.SplitN(name, ".", 2)[0])
	switch base {
	case "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "LPT1", "LPT2", "LPT3":
		name = "_" + name
	}
	if len(name) > 100 {
		ext := filepath.Ext(name)
		if len(ext) > 12 {
			ext = ""
		}
		cut := 100 - len(ext)
		for cut > 0 && !utf8.RuneStart(name[cut]) {
			cut--
		}
		name = name[:cut] + ext
	}
	if name == "" {
		return "file"
	}
	return name
}
