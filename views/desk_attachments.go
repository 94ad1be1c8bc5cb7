package views

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"fyne.io/fyne/v2/lang"

	"github.com/tandem-crm/tandem/app"
)

// attachment is one file of a thread or comment, as Desk lists it
// (Thread.json attachmentsJson: id, name, size, href, previewurl).
type attachment struct {
	ID   string
	Name string
	Size int64 // bytes; 0 when Desk did not say
	// ref names it for a download; act, when set, offers Open and Save as.
	ref app.AttachmentRef
	act *ticketPane
}

// attachments reads a thread's or comment's attachments from Desk's JSON
// (never their content). Desk sends size as a number or a string.
func attachments(raw json.RawMessage) []attachment {
	if len(raw) == 0 || !strings.Contains(string(raw), `"attachments"`) {
		return nil
	}
	var v struct {
		Attachments []struct {
			ID   json.Number `json:"id"`
			Name string      `json:"name"`
			Size json.Number `json:"size"`
		} `json:"attachments"`
	}
	if json.Unmarshal(raw, &v) != nil {
		return nil
	}
	var out []attachment
	for _, a := range v.Attachments {
		name := nameText(a.Name)
		if name == "" {
			continue
		}
		n, _ := a.Size.Int64()
		out = append(out, attachment{ID: a.ID.String(), Name: name, Size: max(n, 0)})
	}
	return out
}

// fileType is what kind of file a name says it is, for people: the
// extension in capitals ("PDF"), or "File".
func fileType(name string) string {
	i := strings.LastIndexByte(name, '.')
	if i < 0 || i == len(name)-1 || len(name)-i > 9 {
		return lang.L("File")
	}
	return strings.ToUpper(name[i+1:])
}

// fileSize is a size in bytes for people (1 KB = 1024 bytes).
func fileSize(n int64) string {
	switch {
	case n <= 0:
		return lang.L("size unknown")
	case n < 1<<10:
		return lang.L("{{.N}} bytes", map[string]any{"N": n})
	case n < 1<<20:
		return fmt.Sprintf("%d KB", (n+1<<9)>>10) // units read the same in Japanese
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

// lockSVG is a padlock, the mark of what only agents see.

// statFile is a file's size.
func statFile(path string) (int64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}
