package desk

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
)

// Template is one of Desk's email templates (EmailTemplates.json
// templateResponse), as GET /templates lists them per department.
type Template struct {
	ID           string `json:"templateId"`
	Name         string `json:"templateName"`
	Subject      string `json:"subject"`
	Body         string `json:"body"`
	ContentType  string `json:"contentType"` // plaintext or richtext
	DepartmentID string `json:"departmentId"`
	RecordType   string `json:"recordType"`
	Category     string `json:"category"`
	FolderID     string `json:"folderId"`
	Folder       struct {
		Name string `json:"folderName"`
	} `json:"folder"`
}

// RenderedTemplate is a template filled in for one record by Desk
// (applyTemplateResponse): the subject and the HTML body.
type RenderedTemplate struct {
	Subject     string       `json:"subject"`
	Body        string       `json:"body"`
	Attachments []Attachment `json:"attachments"`
}

// Templates lists a department's templates for tickets, every page
// (getTemplates counts `from` from 1 and accepts at most 1000: Tandem
// reads the first 1999, more than any portal keeps).
func (c *Client) Templates(ctx context.Context, departmentID string) ([]Template, error) {
	op := OpByID(OpGetTemplates)
	limit := op.Param("limit").Max
	var out []Template
	for from := op.FromBase(); from <= TemplatesMaxFrom; from += limit {
		q := url.Values{}
		q.Set("departmentId", departmentID)
		q.Set("module", "tickets")
		q.Set("from", strconv.Itoa(from))
		q.Set("limit", strconv.Itoa(limit))
		var raw json.RawMessage
		if _, err := c.do(ctx, op, nil, q, nil, &raw); err != nil {
			return nil, err
		}
		page, err := decodeTemplates(raw)
		if err != nil {
			return nil, fmt.Errorf("desk: %s: %w", op.ID, toAppError(err))
		}
		out = append(out, page...)
		if len(page) < limit {
			break
		}
	}
	return out, nil
}

// decodeTemplates reads getTemplates' answer: the definition's bare array,
// or the {"data": […]} envelope of Desk's other lists, should Desk send
// that; nothing (204) is an empty list.
func decodeTemplates(raw []byte) ([]Template, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, nil
	}
	var list []Template
	if raw[0] == '{' {
		var p page[Template]
		err := decodeJSON(raw, &p)
		return p.Data, err
	}
	err := decodeJSON(raw, &list)
	return list, err
}

// Template returns one template (ENOTFOUND when Desk has none by that id).
func (c *Client) Template(ctx context.Context, id string) (Template, error) {
	return get[Template](ctx, c, OpGetTemplate, nil, nil, id)
}

// RenderTemplate asks Desk to fill a template's placeholders for a ticket,
// as for a reply (source TICKET_REPLY).
func (c *Client) RenderTemplate(ctx context.Context, templateID, ticketID string) (RenderedTemplate, error) {
	q := url.Values{}
	q.Set("entityId", ticketID)
	return get[RenderedTemplate](ctx, c, OpApplyTemplate, q, map[string]string{"source": "TICKET_REPLY"}, templateID)
}
