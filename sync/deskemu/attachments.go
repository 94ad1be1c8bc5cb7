package deskemu

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"path"
	"strings"

	"github.com/tandem-crm/tandem/sync/desk"
)

// uploadLimit is the largest file the emulator accepts: the contract's
// (guessed) per-attachment limit.
const uploadLimit = desk.MaxUploadBytes

// fileAnswer is a handler's answer that is a file's bytes, not JSON.
type fileAnswer struct {
	ctype string
	data  []byte
}

// checkMultipart refuses an upload body that is not multipart/form-data
// with exactly the operation's file fields, each once.
func checkMultipart(op *desk.Op, ctype string, body []byte) []desk.Violation {
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return []desk.Violation{{Field: "/", Type: "invalid", Message: "the body must be multipart/form-data"}}
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	seen := map[string]int{}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return []desk.Violation{{Field: "/", Type: "invalid", Message: "the multipart body cannot be read"}}
		}
		name := p.FormName()
		if !containsStr(op.Multipart, name) {
			return []desk.Violation{{Field: name, Type: "invalid", Message: "undeclared form field"}}
		}
		if p.FileName() == "" {
			return []desk.Violation{{Field: name, Type: "invalid", Message: "the field must be a file"}}
		}
		seen[name]++
	}
	for _, f := range op.Multipart {
		if seen[f] != 1 {
			return []desk.Violation{{Field: f, Type: "missing", Message: "exactly one file is required"}}
		}
	}
	return nil
}

func containsStr(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// uploadFile is POST /uploads: a temporary attachment, kept until a reply
// or comment attaches it.
func (s *Server) uploadFile(c *caller, r *http.Request, body []byte) (int, any, *apiError) {
	_, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	p, err := mr.NextPart()
	if err != nil {
		return 0, nil, fieldErr("file", "missing", "file is required")
	}
	data, err := io.ReadAll(io.LimitReader(p, uploadLimit+1))
	if err != nil {
		return 0, nil, fieldErr("file", "invalid", "the file cannot be read")
	}
	if len(data) > uploadLimit {
		return 0, nil, fieldErr("file", "invalid", fmt.Sprintf("the file is larger than %d bytes", uploadLimit))
	}
	if len(data) == 0 {
		return 0, nil, fieldErr("file", "invalid", "the file is empty")
	}
	name := path.Base(strings.ReplaceAll(p.FileName(), "\\", "/"))
	if c.portal.uploads == nil {
		c.portal.uploads = map[string]*File{}
	}
	f := &File{ID: c.portal.newID(), Name: name, Size: int64(len(data)), Data: data}
	c.portal.uploads[f.ID] = f
	now := s.clock.now()
	return http.StatusOK, map[string]any{
		"id": f.ID, "name": f.Name, "size": fmt.Sprint(f.Size), "creatorId": c.agent.ID,
		"createdTime": isoTime(now), "previewurl": nil,
		"href": c.base + "/api/v1/uploads/" + f.ID + "/contents", "isPublic": false,
	}, nil
}

// takeUploads resolves a reply's attachmentIds: each must be an upload not
// yet attached (an id used twice, or unknown, is refused).
// Call with s.mu held.
func (p *portal) takeUploads(ids []string) ([]File, *apiError) {
	var out []File
	seen := map[string]bool{}
	for _, id := range ids {
		f, ok := p.uploads[id]
		if !ok || seen[id] {
			return nil, fieldErr("attachmentIds", "invalid", "not an uploaded file: "+id)
		}
		seen[id] = true
		out = append(out, *f)
	}
	for _, id := range ids {
		delete(p.uploads, id)
	}
	return out, nil
}

// PendingUploads is how many uploaded files no reply has attached yet.
func (s *Server) PendingUploads(orgID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.portalLocked(orgID); p != nil {
		return len(p.uploads)
	}
	return 0
}

// SentReply is an agent's reply as the emulator holds it: its text and
// files (with their bytes).
type SentReply struct {
	ID, Content string
	Files       []File
}

// SentReplies lists the agents' replies on a ticket, oldest first.
func (s *Server) SentReplies(orgID, ticketID string) []SentReply {
	var out []SentReply
	_ = s.withTicket(orgID, ticketID, func(_ *portal, t *ticket) error {
		for _, th := range t.threads {
			if th.Direction == "out" {
				out = append(out, SentReply{ID: th.ID, Content: th.Content, Files: append([]File(nil), th.Files...)})
			}
		}
		return nil
	})
	return out
}

// SentComments lists the comments agents added to a ticket through the
// API or the emulator, oldest first, with the files attached to each.
func (s *Server) SentComments(orgID, ticketID string) []SentReply {
	var out []SentReply
	_ = s.withTicket(orgID, ticketID, func(_ *portal, t *ticket) error {
		for _, cm := range t.comments {
			out = append(out, SentReply{ID: cm.ID, Content: cm.Content, Files: append([]File(nil), cm.Files...)})
		}
		return nil
	})
	return out
}

// threadAttachment serves a thread attachment's bytes.
func (s *Server) threadAttachment(c *caller, r *http.Request, _ []byte) (int, any, *apiError) {
	t, ok := c.portal.ticketsBy[r.PathValue("ticketId")]
	if !ok {
		return 0, nil, notFound("ticket")
	}
	for _, th := range t.threads {
		if th.ID == r.PathValue("threadId") {
			return fileContent(th.Files, r.PathValue("attachmentId"))
		}
	}
	return 0, nil, notFound("attachment")
}

// commentAttachment answers a comment file's bytes (the path its href
// names, as TicketComment.json's examples show).
func (s *Server) commentAttachment(c *caller, r *http.Request, _ []byte) (int, any, *apiError) {
	t, ok := c.portal.ticketsBy[r.PathValue("ticketId")]
	if !ok {
		return 0, nil, notFound("ticket")
	}
	for _, cm := range t.comments {
		if cm.ID == r.PathValue("commentId") {
			return fileContent(cm.Files, r.PathValue("attachmentId"))
		}
	}
	return 0, nil, notFound("attachment")
}

func fileContent(files []File, id string) (int, any, *apiError) {
	for _, f := range files {
		if f.ID == id {
			ct := mime.TypeByExtension(path.Ext(f.Name))
			if ct == "" {
				ct = "application/octet-stream"
			}
			return http.StatusOK, fileAnswer{ctype: ct, data: bytes.Clone(f.Data)}, nil
		}
	}
	return 0, nil, notFound("attachment")
}
