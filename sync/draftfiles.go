package sync

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/filecache"
)

// draftRecord is a draft as kept in the settings: the draft, whose Files
// are Tandem's copies, and the file each copy was made from, so saving
// the same draft again (as the composer does while a person types) does
// not copy a file again.
type draftRecord struct {
	app.ReplyDraft
	Sources []string `json:"sources,omitempty"`
}

func (s *Service) storedDraft(ctx context.Context, key string) (draftRecord, error) {
	var d draftRecord
	v, ok, err := s.store.Setting(ctx, key)
	if err != nil || !ok || v == "" {
		return d, err
	}
	if err := json.Unmarshal([]byte(v), &d); err != nil {
		return draftRecord{}, nil // an unreadable draft is dropped
	}
	if len(d.Sources) != len(d.Files) {
		d.Sources = slices.Clone(d.Files)
	}
	return d, nil
}

// draftDir is the folder of a draft's file copies, beside the staged
// files of queued replies (outbox/), named after the draft's key.
func (s *Service) draftDir(key string) string {
	root := s.filesDir()
	if root == "" {
		return ""
	}
	h := sha256.Sum256([]byte(key))
	return filepath.Join(root, "outbox", "draft-"+hex.EncodeToString(h[:8]))
}

// keepDraftFiles returns the draft to store: each of d.Files that is
// already a copy of this draft, or the source of one, keeps that copy;
// any other file is copied into the draft's folder (its own subfolder, so
// the copy keeps the file's name). A file that cannot be copied is left
// out, and the error says which.
func (s *Service) keepDraftFiles(key string, prev draftRecord, d app.ReplyDraft) (draftRecord, error) {
	out := draftRecord{ReplyDraft: d}
	out.Files = nil
	if len(d.Files) == 0 {
		return out, nil
	}
	dir := s.draftDir(key)
	if dir == "" {
		return out, app.Errorf(app.EINTERNAL, "Tandem has no folder to keep attachments in.")
	}
	var ferr error
	for _, path := range d.Files {
		copyPath, source := "", path
		for i, f := range prev.Files {
			if path == f || path == prev.Sources[i] {
				copyPath, source = f, prev.Sources[i]
			}
		}
		if copyPath != "" {
			if _, err := os.Stat(copyPath); err != nil {
				copyPath = "" // the copy is gone: make it again from the file given
				source = path
			}
		}
		if copyPath == "" {
			c, err := copyDraftFile(dir, path)
			if err != nil {
				ferr = err
				continue
			}
			copyPath = c
		}
		if !slices.Contains(out.Files, copyPath) {
			out.Files = append(out.Files, copyPath)
			out.Sources = append(out.Sources, source)
		}
	}
	return out, ferr
}

func copyDraftFile(dir, path string) (string, error) {
	if err := CheckAttachment(path); err != nil {
		return "", err
	}
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	sub := filepath.Join(dir, hex.EncodeToString(rnd[:]))
	if err := os.MkdirAll(sub, 0o700); err != nil {
		return "", app.Errorf(app.EINTERNAL, "Tandem cannot keep a copy of %s.", filepath.Base(path))
	}
	dst := filepath.Join(sub, filecache.SafeName(filepath.Base(path)))
	if _, err := copyFile(path, dst); err != nil {
		_ = os.RemoveAll(sub)
		return "", app.Errorf(app.EINVALID, "%s cannot be read.", filepath.Base(path))
	}
	return dst, nil
}

// dropDraftFiles removes the copies in the draft's folder that the stored
// draft no longer names (a file removed, the draft sent or emptied).
func (s *Service) dropDraftFiles(key string, d draftRecord) {
	dir := s.draftDir(key)
	if dir == "" {
		return
	}
	if len(d.Files) == 0 {
		_ = os.RemoveAll(dir)
		return
	}
	subs, _ := os.ReadDir(dir)
	for _, e := range subs {
		sub := filepath.Join(dir, e.Name())
		used := slices.ContainsFunc(d.Files, func(f string) bool { return strings.HasPrefix(f, sub+string(filepath.Separator)) })
		if !used {
			_ = os.RemoveAll(sub)
		}
	}
}
