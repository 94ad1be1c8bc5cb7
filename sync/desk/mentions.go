package desk

import "strings"

// Mentions inside comment content are zsu[@user:<zuid>]zsu, with the Zoho
// user id (ZUID) of the agent, not its Desk agent id (TicketComment.json,
// createTicketComment: "To include an @mention, follow this format:
// zsu[@user:{zuid}]zsu"). The emulator writes them with EncodeMention.
const (
	mentionOpen  = "zsu[@user:"
	mentionClose = "]zsu"
)

// EncodeMention returns the markup that mentions the agent with Zoho user
// id zuid in a comment.
func EncodeMention(zuid string) string { return mentionOpen + zuid + mentionClose }

// HasMentions reports whether content carries mention markup.
func HasMentions(content string) bool { return strings.Contains(content, mentionOpen) }

// DecodeMentions returns the Zoho user ids mentioned in content, in order
// and without duplicates, and content with each mention replaced by "@"
// and the agent's name (name may be nil or return ""; then the id is used).
func DecodeMentions(content string, name func(zuid string) string) (zuids []string, text string) {
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
			zuids = append(zuids, id)
		}
		rest = rest[i+len(mentionOpen)+j+len(mentionClose):]
	}
	b.WriteString(rest)
	return zuids, b.String()
}
