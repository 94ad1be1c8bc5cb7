package sync

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/filecache"
	"github.com/tandem-crm/tandem/sync/desk"
)

// stagedFile is a file a queued reply carries: a copy in the data
// folder's outbox staging (the user may move or delete the original), and
// once uploaded, Desk's upload id, recorded before the reply is sent so a
// retry after a crash does not upload it again.
type stagedFile struct {
	Path     string `json:"path"`
	Name     string `json:"name"`
	Size     int64  `json:"size"`
	UploadID string `json:"uploadId,omitempty"`
}

// filesDir is where Tandem keeps files: Options.FilesDir, else the folder
// the store names (beside the database file).
func (s *Service) filesDir() string {
	if s.opts.FilesDir != "" {
		return s.opts.FilesDir
	}
	if fd, ok := s.store.(interface{ FilesDir() string }); ok {
		return fd.FilesDir()
	}
	return ""
}

// fileCache is the cache of downloaded attachments.
func (s *Service) fileCache() *filecache.Cache {
	s.cacheOnce.Do(func() {
		if dir := s.filesDir(); dir != "" {
			s.cache = filecache.New(filepath.Join(dir, "cache"), s.opts.CacheBytes)
		}
	})
	return s.cache
}

// CheckAttachment says why a file cannot be attached (app.CheckAttachment).
func CheckAttachment(path string) error { return app.CheckAttachment(path) }

// stage copies the files into a new folder of the outbox staging.
func (s *Service) stage(paths []string) ([]stagedFile, string, error) {
	if len(paths) == 0 {
		return nil, "", nil
	}
	for _, p := range paths {
		if err := CheckAttachment(p); err != nil {
			return nil, "", err
		}
	}
	root := s.filesDir()
	if root == "" {
		return nil, "", app.Errorf(app.EINTERNAL, "Tandem has no folder to keep attachments in.")
	}
	var rnd [8]byte
	_, _ = rand.Read(rnd[:])
	dir := filepath.Join(root, "outbox", hex.EncodeToString(rnd[:]))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, "", fmt.Errorf("sync: stage files: %w", err)
	}
	var out []stagedFile
	for i, p := range paths {
		name := filecache.SafeName(filepath.Base(p))
		dst := filepath.Join(dir, fmt.Sprintf("%d-%s", i, name))
		n, err := copyFile(p, dst)
		if err != nil {
			_ = os.RemoveAll(dir)
			return nil, "", app.Errorf(app.EINVALID, "%s cannot be read.", filepath.Base(p))
		}
		if n > desk.MaxUploadBytes {
			_ = os.RemoveAll(dir)
			return nil, "", CheckAttachment(dst)
		}
		out = append(out, stagedFile{Path: dst, Name: name, Size: n})
	}
	return out, dir, nil
}

func copyFile(src, dst string) (int64, error) {
	in, err := os.Open(src)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(out, io.LimitReader(in, desk.MaxUploadBytes+1))
	if err == nil {
		err = out.Sync() // the copy is what a queued reply sends: on disk before it is queued
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return n, err
}

// uploadStaged uploads the files of a reply or comment (files, the slice
// of pl that holds them) not uploaded yet, recording each id in the outbox
// item at once (pl is stored again), and returns all the ids.
func (ps *pass) uploadStaged(ctx context.Context, it *app.OutboxItem, pl any, files []stagedFile) ([]string, error) {
	var ids []string
	for i := range files {
		f := &files[i]
		if f.UploadID == "" {
			data, err := os.ReadFile(f.Path)
			if err != nil {
				return nil, app.Errorf(app.EINVALID, "The attached file %s is gone from Tandem's folder.", f.Name)
			}
			up, err := ps.cl.UploadFile(ctx, f.Name, data)
			if err != nil {
				return nil, err
			}
			f.UploadID = up.ID
			b, err := json.Marshal(pl)
			if err != nil {
				return nil, fmt.Errorf("sync: outbox: %w", err)
			}
			if err := ps.s.store.SetOutboxPayload(ctx, it.ID, b); err != nil {
				return nil, fmt.Errorf("sync: outbox: %w", err)
			}
			it.Payload = b
			if err := ps.s.hookErr("outbox-after-upload"); err != nil {
				return nil, err
			}
		}
		ids = append(ids, f.UploadID)
	}
	return ids, nil
}

// unstage removes a sent (or dismissed) reply's staged files.
func unstage(it *app.OutboxItem) {
	var pl replyPayload
	if json.Unmarshal(it.Payload, &pl) != nil {
		return
	}
	for _, f := range pl.Files {
		_ = os.Remove(f.Path)
		_ = os.Remove(filepath.Dir(f.Path)) // the item's folder, once empty
	}
}

// CachedAttachment is the downloaded copy of an attachment, if any.
func (s *Service) CachedAttachment(ref app.AttachmentRef) (string, bool) {
	c := s.fileCache()
	if c == nil {
		return "", false
	}
	return c.Get(cacheKey(ref))
}

func cacheKey(ref app.AttachmentRef) string {
	if ref.CommentID != "" {
		return ref.TicketID + "/comment-" + ref.CommentID + "/" + ref.ID
	}
	return ref.TicketID + "/" + ref.ThreadID + "/" + ref.ID
}

// FetchAttachment returns the cached copy of an attachment, downloading
// it first when needed (only when asked: nothing is fetched ahead).
func (s *Service) FetchAttachment(ctx context.Context, ref app.AttachmentRef) (string, error) {
	if p, ok := s.CachedAttachment(ref); ok {
		return p, nil
	}
	c := s.fileCache()
	if c == nil {
		return "", app.Errorf(app.EINTERNAL, "Tandem has no folder to keep attachments in.")
	}
	if ref.Size > desk.MaxUploadBytes {
		return "", app.Errorf(app.EINVALID, "This file is too large to download in Tandem (%d MB at most). Open the ticket in Zoho Desk.", desk.MaxUploadBytes>>20)
	}
	p, err := s.ActivePortal(ctx)
	if err != nil {
		return "", err
	}
	cl, err := s.client(ctx, p)
	if err != nil {
		return "", err
	}
	var data []byte
	if ref.CommentID != "" {
		data, _, err = cl.CommentAttachment(ctx, ref.TicketID, ref.CommentID, ref.ID, desk.MaxUploadBytes)
	} else {
		data, _, err = cl.ThreadAttachment(ctx, ref.TicketID, ref.ThreadID, ref.ID, desk.MaxUploadBytes)
	}
	switch app.ErrorCode(err) {
	case "":
	case app.EUNAVAILABLE:
		return "", app.Errorf(app.EUNAVAILABLE, "Zoho Desk cannot be reached, and this file was not downloaded before. Try again when you are online.")
	case app.ENOTFOUND:
		return "", app.Errorf(app.ENOTFOUND, "Zoho Desk no longer has this file.")
	default:
		return "", err
	}
	path, err := c.Put(cacheKey(ref), ref.Name, data)
	if err != nil {
		return "", app.Errorf(app.EINVALID, "This file does not fit in Tandem's download folder.")
	}
	return path, nil
}
