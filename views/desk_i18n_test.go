package views

import (
	"os"
	"regexp"
	"testing"
)

// TestDeskTranslationKeys checks the keys the Desk screens look up with
// lang.X (own IDs, not covered by the lang.L scan) and that desk.en.json
// and desk.ja.json have the same keys.
func TestDeskTranslationKeys(t *testing.T) {
	en, ja := readJSON(t, "desk.en.json"), readJSON(t, "desk.ja.json")
	re := regexp.MustCompile(`lang\.X\("([^"]+)"`)
	for _, f := range []string{"desk_tickets.go", "desk_ticketpane.go", "desk_wizard.go", "desk_status.go", "desk_common.go"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			if en[m[1]] == nil || ja[m[1]] == nil {
				t.Errorf("%s: key %q missing", f, m[1])
			}
		}
	}
	for k := range en {
		if ja[k] == nil {
			t.Errorf("desk.ja.json lacks %q", k)
		}
	}
	if len(en) != len(ja) {
		t.Errorf("desk.en.json has %d keys, desk.ja.json %d", len(en), len(ja))
	}
}
