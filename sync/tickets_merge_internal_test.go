package sync

import (
	"testing"

	"github.com/tandem-crm/tandem/app"
)

// TestMergeConversation: a thread list that lags (a reply Tandem just
// sent, not yet listed by Desk) never removes what the cache shows; a
// complete one replaces it.
func TestMergeConversation(t *testing.T) {
	id := func(t app.Thread) string { return t.ID }
	cached := []app.Thread{{ID: "1"}, {ID: "2"}, {ID: "3"}}
	for _, tc := range []struct {
		name    string
		fetched []app.Thread
		want    int
		ids     string
	}{
		{"partial answer keeps the cached reply", []app.Thread{{ID: "1", Summary: "new"}, {ID: "2"}}, 3, "1,2,3"},
		{"complete answer: a thread deleted on Desk goes", []app.Thread{{ID: "1"}, {ID: "2"}}, 2, "1,2"},
		{"a new thread and a lagging one", []app.Thread{{ID: "1"}, {ID: "2"}, {ID: "4"}}, 4, "1,2,4,3"},
		{"empty answer", nil, 3, "1,2,3"},
	} {
		got := mergeByID(cached, tc.fetched, id, tc.want)
		s := ""
		for i, g := range got {
			if i > 0 {
				s += ","
			}
			s += g.ID
		}
		if s != tc.ids {
			t.Errorf("%s: %s, want %s", tc.name, s, tc.ids)
		}
		if len(tc.fetched) > 0 && tc.fetched[0].Summary == "new" && got[0].Summary != "new" {
			t.Errorf("%s: the fetched version does not win", tc.name)
		}
	}
}
