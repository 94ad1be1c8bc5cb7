package desk

import "strings"

// Mentions inside comment content look like zsu[@user:<agentId>]zsu
// ("likely" in desk-api.md). The emulator writes them with EncodeMention.
const (
	mentionOpen  = "zsu[@user:"
	mentionClose = "]zsu"
)

// EncodeMention returns the markup that mentions agentID in a comment.
func EncodeMention(agentID string) string { return mentionOpen + agentID + mentionClose }

// HasMentions reports whether content carries mention markup.
func HasMentions(content string) bool { return strings.Contains(content, mentionOpen) }

// DecodeMentions returns the agent ids mentioned in content, in order and
// without duplicates, and content with each mention replaced by "@" and the
// agent's name (name may be nil or return ""; then the id is used).
func DecodeMentions(content string, name func(agentID string) string) (ids []string, text string) {
	if !strings.Contains(content, mentionOpen) {
		return nil, content
	}
	var b strings.Builder
	seen := map[string]bool{}
	rest := content
	for {
		i := strings.Index(rest, mentionOpen)
		if i < 0 {
			break
		}
		j := strings.Index(rest[i+len(mentionOpen):], mentionClose)
		if j < 0 {
			break
		}
		raw := rest[i+len(mentionOpen) : i+len(mentionOpen)+j]
		// Some clients append "_Name" after the id; keep the id part.
		id := raw
		if k := strings.IndexByte(raw, '_'); k >= 0 {
			id = raw[:k]
		}
		b.WriteString(rest[:i])
		label := ""
		if name != nil {
			label = name(id)
		}
		if label == "" && id != raw {
			label = raw[len(id)+1:]
		}
		if label == "" {
			label = id
		}
		b.WriteString("@" + label)
		if id != "" && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
		rest = rest[i+len(mentionOpen)+j+len(mentionClose):]
	}
	b.WriteString(rest)
	return ids, b.String()
}
