package desk

import "testing"

// TestDecodeTemplates: getTemplates' answer is the definition's bare array;
// the envelope of Desk's other lists and an empty answer (204) are read
// too, should Desk send them.
func TestDecodeTemplates(t *testing.T) {
	list, err := decodeTemplates(fixture(t, "templates.json"))
	if err != nil || len(list) != 2 || list[0].ID != "4000000007111" || list[0].Folder.Name != "Agent Notifications" ||
		list[1].Name != "Notify contact when a comment is edited" || list[0].ContentType != "richtext" {
		t.Fatalf("templates %+v %v", list, err)
	}
	wrapped, err := decodeTemplates([]byte(`{"data":[{"templateId":4000000007111,"templateName":"x"}]}`))
	if err != nil || len(wrapped) != 1 || wrapped[0].ID != "4000000007111" {
		t.Fatalf("in an envelope: %+v %v", wrapped, err)
	}
	if none, err := decodeTemplates(nil); err != nil || none != nil {
		t.Fatalf("empty: %+v %v", none, err)
	}
	r := decodeFixture[RenderedTemplate](t, "template_render.json")
	if r.Subject != "My support Template" || len(r.Attachments) != 1 || r.Attachments[0].Name != "ricktwo.jpeg" {
		t.Fatalf("rendered %+v", r)
	}
}
