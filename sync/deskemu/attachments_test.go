package deskemu

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/tandem-crm/tandem/sync/desk"
)

// upload posts a multipart body with the given (field, file name, bytes)
// parts.
func (e *tenv) upload(t *testing.T, parts ...[3]string) (int, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		var w io.Writer
		if p[1] == "" {
			w, _ = mw.CreateFormField(p[0])
		} else {
			w, _ = mw.CreateFormFile(p[0], p[1])
		}
		_, _ = w.Write([]byte(p[2]))
	}
	_ = mw.Close()
	req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/uploads", &buf)
	req.Header.Set("Authorization", "Zoho-oauthtoken "+e.tok)
	req.Header.Set("orgId", e.org)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// TestAttachments: an upload is refused unless it is exactly one file in
// the field "file" within the size limit; a reply attaches known uploads
// only, each once; the thread lists the file and serves its bytes.
func TestAttachments(t *testing.T) {
	e := newTEnv(t)
	p := e.s.portals[0]
	var tk *ticket
	for _, x := range p.tickets {
		if x.DepartmentID == e.dep && len(x.threads) > 0 {
			tk = x
			break
		}
	}
	for _, bad := range []struct {
		name  string
		parts [][3]string
	}{
		{"no file", nil},
		{"another field", [][3]string{{"attachment", "a.txt", "x"}}},
		{"an extra form field", [][3]string{{"file", "a.txt", "x"}, {"name", "", "y"}}},
		{"two files", [][3]string{{"file", "a.txt", "x"}, {"file", "b.txt", "y"}}},
		{"too large", [][3]string{{"file", "big.bin", strings.Repeat("z", uploadLimit+1)}}},
	} {
		if st, b := e.upload(t, bad.parts...); st == 200 {
			t.Errorf("%s: accepted: %s", bad.name, b)
		}
	}
	st, b := e.upload(t, [3]string{"file", `..\..\report "1".pdf`, "%PDF-1.4 hello"})
	if st != 200 {
		t.Fatalf("upload: %d %s", st, b)
	}
	op := desk.OpByID(desk.OpUploadFile)
	if vs := op.CheckResponse(b); len(vs) > 0 {
		t.Errorf("upload answer: %v", vs)
	}
	var up struct{ ID, Name string }
	_ = json.Unmarshal(b, &up)
	from := p.departmentMail(e.dep)
	reply := func(ids ...string) (int, []byte) {
		st, b, _ := e.do(t, "POST", "/api/v1/tickets/"+tk.ID+"/sendReply", map[string]any{"channel": "EMAIL", "fromEmailAddress": from,
			"to": "a@example.com", "content": "see attached", "contentType": "plainText", "attachmentIds": ids})
		return st, b
	}
	if st, b := reply("999999"); st != 422 {
		t.Errorf("unknown upload id: %d %s", st, b)
	}
	if st, b := reply(up.ID, up.ID); st != 422 {
		t.Errorf("the same upload twice: %d %s", st, b)
	}
	st, b = reply(up.ID)
	if st != 200 {
		t.Fatalf("reply: %d %s", st, b)
	}
	var th struct {
		ID          string
		Attachments []struct{ ID, Name, Size string }
	}
	_ = json.Unmarshal(b, &th)
	if len(th.Attachments) != 1 || th.Attachments[0].Name != `report "1".pdf` || th.Attachments[0].Size != "14" {
		t.Fatalf("thread attachments: %+v", th.Attachments)
	}
	if st, b := reply(up.ID); st != 422 {
		t.Errorf("an upload attached twice: %d %s", st, b)
	}
	st, got, hdr := e.do(t, "GET", "/api/v1/tickets/"+tk.ID+"/threads/"+th.ID+"/attachments/"+th.Attachments[0].ID+"/content", nil)
	if st != 200 || string(got) != "%PDF-1.4 hello" || hdr.Get("Content-Type") != "application/pdf" {
		t.Errorf("content: %d %q %s", st, got, hdr.Get("Content-Type"))
	}
	if st, _, _ := e.do(t, "GET", "/api/v1/tickets/"+tk.ID+"/threads/"+th.ID+"/attachments/1/content?download=true", nil); st != 422 {
		t.Errorf("an undeclared parameter: %d", st)
	}
	if st, _, _ := e.do(t, "GET", "/api/v1/tickets/"+tk.ID+"/threads/"+th.ID+"/attachments/1/content", nil); st != 404 {
		t.Errorf("an unknown attachment: %d", st)
	}
	// A customer's file is served with the bytes the emulator made for it.
	id, err := e.s.CustomerReplyWithFiles(e.org, tk.ID, "here", File{Name: "log.txt", Size: 10})
	if err != nil {
		t.Fatal(err)
	}
	var fid string
	for _, x := range tk.threads {
		if x.ID == id {
			fid = x.Files[0].ID
		}
	}
	if st, got, _ := e.do(t, "GET", "/api/v1/tickets/"+tk.ID+"/threads/"+id+"/attachments/"+fid+"/content", nil); st != 200 || string(got) != "log.txt\nlo" {
		t.Errorf("generated content: %d %q", st, got)
	}
}

// TestCommentAttachments: createTicketComment takes uploads in
// attachmentIds like sendReply (unknown or reused ids refused), and the
// comment lists them (TicketComment.json attachmentResponse), in its answer
// and in the list of comments.
func TestCommentAttachments(t *testing.T) {
	e := newTEnv(t)
	p := e.s.portals[0]
	var tk *ticket
	for _, x := range p.tickets {
		if x.DepartmentID == e.dep {
			tk = x
			break
		}
	}
	st, b := e.upload(t, [3]string{"file", "notes.txt", "call notes"})
	if st != 200 {
		t.Fatalf("upload: %d %s", st, b)
	}
	var up struct{ ID string }
	_ = json.Unmarshal(b, &up)
	comment := func(ids ...string) (int, []byte) {
		st, b, _ := e.do(t, "POST", "/api/v1/tickets/"+tk.ID+"/comments", map[string]any{"content": "see file", "contentType": "plainText",
			"isPublic": false, "attachmentIds": append([]string{}, ids...)})
		return st, b
	}
	if st, b := comment("999999"); st != 422 {
		t.Errorf("unknown upload id: %d %s", st, b)
	}
	st, b = comment(up.ID)
	if st != 200 {
		t.Fatalf("comment: %d %s", st, b)
	}
	if vs := desk.OpByID(desk.OpCreateTicketComment).CheckResponse(b); len(vs) > 0 {
		t.Errorf("comment answer: %v", vs)
	}
	var cm struct {
		ID          string
		Attachments []struct{ ID, Name, Size, Href string }
	}
	_ = json.Unmarshal(b, &cm)
	if len(cm.Attachments) != 1 || cm.Attachments[0].Name != "notes.txt" || cm.Attachments[0].Size != "10" ||
		!strings.Contains(cm.Attachments[0].Href, "/tickets/"+tk.ID+"/comments/"+cm.ID+"/attachments/") {
		t.Fatalf("comment attachments: %+v", cm.Attachments)
	}
	if st, b := comment(up.ID); st != 422 {
		t.Errorf("an upload attached twice: %d %s", st, b)
	}
	var list struct {
		Data []struct {
			ID          string
			Attachments []struct{ Name string }
		}
	}
	_ = json.Unmarshal(e.get(t, "/api/v1/tickets/"+tk.ID+"/comments"), &list)
	found := false
	for _, c := range list.Data {
		found = found || c.ID == cm.ID && len(c.Attachments) == 1 && c.Attachments[0].Name == "notes.txt"
	}
	if !found {
		t.Errorf("the list of comments does not show the file: %+v", list.Data)
	}
	// The file's bytes, at the path its href names; another id or
	// another comment's path finds nothing.
	base := "/api/v1/tickets/" + tk.ID + "/comments/" + cm.ID + "/attachments/"
	if st, b, _ := e.do(t, "GET", base+cm.Attachments[0].ID+"/content", nil); st != 200 || string(b) != "call notes" {
		t.Errorf("comment file content: %d %q", st, b)
	}
	if st, _, _ := e.do(t, "GET", base+"123456789/content", nil); st != 404 {
		t.Errorf("an unknown comment file: %d", st)
	}
	if st, _, _ := e.do(t, "GET", "/api/v1/tickets/"+tk.ID+"/threads/"+cm.ID+"/attachments/"+cm.Attachments[0].ID+"/content", nil); st != 404 {
		t.Errorf("a comment's file through a thread's path: %d", st)
	}
}
