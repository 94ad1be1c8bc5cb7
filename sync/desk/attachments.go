package desk

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/textproto"
	"strings"
)

// MaxUploadBytes is the largest file Tandem uploads (and downloads) per
// attachment. Upload.json declares no limit; Zoho's help pages speak of
// 20 MB per attachment for ticket replies: a guess, kept as the safe side.
const MaxUploadBytes = 20 << 20

// FileTooLargeError is a file over the size Tandem sends or fetches.
type FileTooLargeError struct {
	Name string
	Size int64 // 0 when unknown (a download cut off at Max)
	Max  int64
}

func (e *FileTooLargeError) Error() string {
	return fmt.Sprintf("desk: file %q too large (%d bytes, at most %d)", e.Name, e.Size, e.Max)
}

// Message is the reason for people.
func (e *FileTooLargeError) Message() string {
	return fmt.Sprintf("The file is larger than Zoho Desk accepts (%d MB at most).", e.Max>>20)
}

// Upload is what uploadFile answers: the temporary attachment's id goes in
// a reply's or comment's attachmentIds.
type Upload struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Size Count  `json:"size"`
	Href string `json:"href"`
}

// UploadFile uploads one file as a temporary attachment (POST /uploads,
// multipart field "file"). It is not idempotent: the caller records the
// id so a retry does not upload again.
func (c *Client) UploadFile(ctx context.Context, name string, data []byte) (Upload, error) {
	if len(data) > MaxUploadBytes {
		return Upload{}, fmt.Errorf("desk: %s: %w", OpUploadFile, toAppError(&FileTooLargeError{Name: name, Size: int64(len(data)), Max: MaxUploadBytes}))
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename="%s"`, quoteName(name)))
	h.Set("Content-Type", "application/octet-stream")
	part, err := mw.CreatePart(h)
	if err != nil {
		return Upload{}, fmt.Errorf("desk: %s: %w", OpUploadFile, err)
	}
	if _, err := part.Write(data); err != nil {
		return Upload{}, fmt.Errorf("desk: %s: %w", OpUploadFile, err)
	}
	if err := mw.Close(); err != nil {
		return Upload{}, fmt.Errorf("desk: %s: %w", OpUploadFile, err)
	}
	return get[Upload](ctx, c, OpUploadFile, nil, &multipartBody{data: buf.Bytes(), ctype: mw.FormDataContentType()})
}

// quoteName makes a file name safe inside a quoted header parameter.
func quoteName(s string) string {
	return strings.NewReplacer("\\", "\\\\", `"`, "\\\"", "\r", "", "\n", "").Replace(s)
}

// ThreadAttachment fetches a thread attachment's bytes (at most max) and
// the content type Desk gives them.
func (c *Client) ThreadAttachment(ctx context.Context, ticketID, threadID, attachmentID string, max int64) ([]byte, string, error) {
	return c.fileContent(ctx, OpGetThreadAttachmentContent, []string{ticketID, threadID, attachmentID}, max)
}

// CommentAttachment fetches a comment attachment's bytes (at most max)
// and their content type.
func (c *Client) CommentAttachment(ctx context.Context, ticketID, commentID, attachmentID string, max int64) ([]byte, string, error) {
	return c.fileContent(ctx, OpGetCommentAttachmentContent, []string{ticketID, commentID, attachmentID}, max)
}

func (c *Client) fileContent(ctx context.Context, op string, ids []string, max int64) ([]byte, string, error) {
	if max <= 0 || max > MaxUploadBytes {
		max = MaxUploadBytes
	}
	sink := &fileSink{max: max}
	decoded, err := c.do(ctx, OpByID(op), ids, nil, nil, sink)
	if err != nil {
		return nil, "", err
	}
	if !decoded {
		return nil, "", fmt.Errorf("desk: %s: no content", op)
	}
	return sink.data, sink.ctype, nil
}
