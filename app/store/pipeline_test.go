package store

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tandem-crm/tandem/app"
)

func stageNames(p *app.Pipeline) []string {
	var out []string
	for _, s := range p.Stages {
		out = append(out, s.Name)
	}
	return out
}

func TestPipelinesAndStages(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	p := app.Pipeline{Name: "Sales", Stages: []app.Stage{{Name: "Lead"}, {Name: "Qualified"}, {Name: "Won"}}}
	if err := db.CreatePipeline(ctx, &p); err != nil {
		t.Fatal(err)
	}
	q := app.Pipeline{Name: "採用"}
	if err := db.CreatePipeline(ctx, &q); err != nil {
		t.Fatal(err)
	}
	if p.ID == 0 || p.Stages[2].ID == 0 || p.Stages[2].Position != 2 || q.Position != p.Position+1 {
		t.Fatalf("created = %+v %+v", p, q)
	}
	wantCode(t, db.CreatePipeline(ctx, &app.Pipeline{Name: " "}), app.EINVALID)
	wantCode(t, db.CreatePipeline(ctx, &app.Pipeline{Name: "x", Stages: []app.Stage{{Name: ""}}}), app.EINVALID)

	s := app.Stage{PipelineID: p.ID, Name: "Lost"}
	if err := db.CreateStage(ctx, &s); err != nil || s.Position != 3 {
		t.Fatalf("CreateStage = %+v, %v", s, err)
	}
	wantCode(t, db.CreateStage(ctx, &app.Stage{PipelineID: 999, Name: "x"}), app.ENOTFOUND)
	if err := db.RenameStage(ctx, s.ID, "Lost 😢"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, db.RenameStage(ctx, 999, "x"), app.ENOTFOUND)
	wantCode(t, db.RenameStage(ctx, s.ID, ""), app.EINVALID)
	if err := db.RenamePipeline(ctx, p.ID, "Sales 2026"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, db.RenamePipeline(ctx, 999, "x"), app.ENOTFOUND)

	// MoveStage renumbers; positions past the ends are clamped.
	for _, tc := range []struct {
		id   int64
		pos  int
		want []string
	}{
		{s.ID, 0, []string{"Lost 😢", "Lead", "Qualified", "Won"}},
		{s.ID, 2, []string{"Lead", "Qualified", "Lost 😢", "Won"}},
		{p.Stages[0].ID, 99, []string{"Qualified", "Lost 😢", "Won", "Lead"}},
		{p.Stages[0].ID, -5, []string{"Lead", "Qualified", "Lost 😢", "Won"}},
	} {
		if err := db.MoveStage(ctx, tc.id, tc.pos); err != nil {
			t.Fatal(err)
		}
		got, err := db.FindPipeline(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(stageNames(got), tc.want) {
			t.Errorf("after MoveStage(%d) = %v, want %v", tc.pos, stageNames(got), tc.want)
		}
		for i, st := range got.Stages {
			if st.Position != i {
				t.Errorf("stage %s position %d, want %d", st.Name, st.Position, i)
			}
		}
	}
	wantCode(t, db.MoveStage(ctx, 999, 0), app.ENOTFOUND)

	// Records and counts.
	won := p.Stages[2].ID
	for _, name := range []string{"A", "B"} {
		r := app.Record{StageID: won, Name: name, Currency: "jpy", Amount: 100}
		if err := db.CreateRecord(ctx, &r); err != nil {
			t.Fatal(err)
		}
	}
	ps, err := db.ListPipelines(ctx)
	if err != nil || len(ps) != 2 || ps[0].Name != "Sales 2026" || ps[1].Name != "採用" {
		t.Fatalf("ListPipelines = %+v, %v", ps, err)
	}
	for _, st := range ps[0].Stages {
		want := 0
		if st.ID == won {
			want = 2
		}
		if st.Records != want {
			t.Errorf("stage %s records = %d, want %d", st.Name, st.Records, want)
		}
	}

	// A stage or pipeline with records cannot be deleted.
	err = db.DeleteStage(ctx, won)
	wantCode(t, err, app.ECONFLICT)
	if !strings.Contains(app.ErrorMessage(err), "2 records") {
		t.Errorf("message = %q", app.ErrorMessage(err))
	}
	wantCode(t, db.DeletePipeline(ctx, p.ID), app.ECONFLICT)
	if err := db.DeleteStage(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	got, _ := db.FindPipeline(ctx, p.ID)
	if !slices.Equal(stageNames(got), []string{"Lead", "Qualified", "Won"}) || got.Stages[2].Position != 2 {
		t.Errorf("after DeleteStage = %+v", got.Stages)
	}
	wantCode(t, db.DeleteStage(ctx, s.ID), app.ENOTFOUND)

	if err := db.DeletePipeline(ctx, q.ID); err != nil {
		t.Fatal(err)
	}
	_, err = db.FindPipeline(ctx, q.ID)
	wantCode(t, err, app.ENOTFOUND)
	wantCode(t, db.DeletePipeline(ctx, q.ID), app.ENOTFOUND)
}

func TestRecords(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	co := mustCompany(t, db, "株式会社山田商事", "")
	taro := mustContact(t, db, "太郎", "山田", "taro@example.jp", co.ID)
	zoe := mustContact(t, db, "Zoë", "Yates", "zoe@example.com", 0)
	p := app.Pipeline{Name: "Sales", Stages: []app.Stage{{Name: "Lead"}, {Name: "Won"}}}
	other := app.Pipeline{Name: "Other", Stages: []app.Stage{{Name: "Elsewhere"}}}
	for _, x := range []*app.Pipeline{&p, &other} {
		if err := db.CreatePipeline(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	lead, won, elsewhere := p.Stages[0].ID, p.Stages[1].ID, other.Stages[0].ID

	r := app.Record{StageID: lead, Name: " Renewal 🎉 ", Amount: 1_200_000, Currency: "JPY", ClosingDate: "2026-03-31",
		CompanyID: co.ID, Notes: "メモ", Contacts: []app.RecordContact{{ContactID: zoe.ID}, {ContactID: taro.ID, Primary: true}}}
	if err := db.CreateRecord(ctx, &r); err != nil {
		t.Fatal(err)
	}
	if r.PipelineID != p.ID || r.StageName != "Lead" || r.CompanyName != "株式会社山田商事" || r.Name != "Renewal 🎉" || r.Rev != 1 {
		t.Errorf("created = %+v", r)
	}
	if pc := r.PrimaryContact(); pc == nil || pc.Name != "山田 太郎" || pc.Email != "taro@example.jp" || len(r.Contacts) != 2 || r.Contacts[1].Name != "Zoë Yates" {
		t.Errorf("contacts = %+v", r.Contacts)
	}

	// Validation, at the app's rules and the store's.
	var ve *app.ValidationError
	for _, tc := range []struct {
		r     app.Record
		field string
	}{
		{app.Record{StageID: lead, Name: "", Currency: "JPY"}, "Name"},
		{app.Record{StageID: lead, Name: "x", Currency: "JP"}, "Currency"},
		{app.Record{StageID: lead, Name: "x", Currency: "JPY", ClosingDate: "2026-02-30"}, "ClosingDate"},
		{app.Record{StageID: 9999, Name: "x", Currency: "JPY"}, "Stage"},
		{app.Record{PipelineID: other.ID, StageID: lead, Name: "x", Currency: "JPY"}, "Stage"},
		{app.Record{StageID: lead, Name: "x", Currency: "JPY", CompanyID: 999}, "CompanyID"},
		{app.Record{StageID: lead, Name: "x", Currency: "JPY", Contacts: []app.RecordContact{{ContactID: taro.ID, Primary: true}, {ContactID: zoe.ID, Primary: true}}}, "Contacts"},
		{app.Record{StageID: lead, Name: "x", Currency: "JPY", Contacts: []app.RecordContact{{ContactID: 999, Primary: true}}}, "Contacts"},
		{app.Record{StageID: lead, Name: "x", Currency: "JPY", Contacts: []app.RecordContact{{ContactID: taro.ID, Primary: true}, {ContactID: taro.ID}}}, "Contacts"},
	} {
		err := db.CreateRecord(ctx, &tc.r)
		wantCode(t, err, app.EINVALID)
		if !errors.As(err, &ve) || ve.For(tc.field) == "" {
			t.Errorf("record %+v: error %v, want field %s", tc.r, err, tc.field)
		}
	}

	// The store enforces one primary even if a caller skips validation.
	_, err := db.write.Exec("INSERT INTO pipeline_record_contacts (record_id, contact_id, is_primary) VALUES (?, ?, 1)",
		r.ID, mustContact(t, db, "", "Third", "", 0).ID)
	if err == nil || !isConstraint(err) {
		t.Errorf("second primary accepted: %v", err)
	}
	// And a stage of another pipeline, too.
	_, err = db.write.Exec("UPDATE pipeline_records SET stage_id = ? WHERE id = ?", elsewhere, r.ID)
	if err == nil {
		t.Error("stage of another pipeline accepted by the schema")
	}

	// Update with optimistic concurrency; links replaced.
	stale := r
	r.Amount = 1_500_000
	r.Contacts = []app.RecordContact{{ContactID: zoe.ID, Primary: true}}
	if err := db.UpdateRecord(ctx, &r); err != nil {
		t.Fatal(err)
	}
	if r.Rev != 2 || len(r.Contacts) != 1 || r.Contacts[0].ContactID != zoe.ID || r.Amount != 1_500_000 {
		t.Errorf("updated = %+v", r)
	}
	wantCode(t, db.UpdateRecord(ctx, &stale), app.ECONFLICT)

	// Move.
	if err := db.MoveRecord(ctx, r.ID, won); err != nil {
		t.Fatal(err)
	}
	got, _ := db.FindRecord(ctx, r.ID)
	if got.StageID != won || got.StageName != "Won" || got.Rev != 3 {
		t.Errorf("moved = %+v", got)
	}
	err = db.MoveRecord(ctx, r.ID, elsewhere)
	wantCode(t, err, app.EINVALID)
	wantCode(t, db.MoveRecord(ctx, r.ID, 9999), app.ENOTFOUND)
	wantCode(t, db.MoveRecord(ctx, 9999, won), app.ENOTFOUND)

	// Lists and filters.
	r2 := app.Record{StageID: lead, Name: "Äpfel order", Currency: "EUR", Contacts: []app.RecordContact{{ContactID: taro.ID, Primary: true}}}
	if err := db.CreateRecord(ctx, &r2); err != nil {
		t.Fatal(err)
	}
	recNames := func(f app.RecordFilter) []string {
		t.Helper()
		rs, err := db.ListRecords(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rs {
			if r.StageName == "" || len(r.Contacts) == 0 || r.Contacts[0].Name == "" {
				t.Errorf("list did not fill in %+v", r)
			}
			out = append(out, r.Name)
		}
		return out
	}
	for _, tc := range []struct {
		f    app.RecordFilter
		want []string
	}{
		{app.RecordFilter{}, []string{"Äpfel order", "Renewal 🎉"}},
		{app.RecordFilter{PipelineID: p.ID, StageID: won}, []string{"Renewal 🎉"}},
		{app.RecordFilter{CompanyID: co.ID}, []string{"Renewal 🎉"}},
		{app.RecordFilter{ContactID: taro.ID}, []string{"Äpfel order"}},
		{app.RecordFilter{Query: "apfel"}, []string{"Äpfel order"}},
		{app.RecordFilter{Query: "NEW"}, []string{"Renewal 🎉"}},
		{app.RecordFilter{Query: "%"}, nil},
		{app.RecordFilter{Limit: 1, Offset: 1}, []string{"Renewal 🎉"}},
		{app.RecordFilter{PipelineID: other.ID}, nil},
	} {
		if got := recNames(tc.f); !slices.Equal(got, tc.want) {
			t.Errorf("ListRecords(%+v) = %q, want %q", tc.f, got, tc.want)
		}
	}

	// Deleting a contact removes its links; deleting the record works once.
	if err := db.DeleteContact(ctx, taro.ID); err != nil {
		t.Fatal(err)
	}
	got, _ = db.FindRecord(ctx, r2.ID)
	if len(got.Contacts) != 0 {
		t.Errorf("links of a deleted contact remain: %+v", got.Contacts)
	}
	if err := db.DeleteRecord(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, db.DeleteRecord(ctx, r.ID), app.ENOTFOUND)
	_, err = db.FindRecord(ctx, r.ID)
	wantCode(t, err, app.ENOTFOUND)
}

func TestImportRecords(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{ImportBatch: 2})
	c := mustContact(t, db, "", "Buyer", "", 0)
	p := app.Pipeline{Name: "Sales", Stages: []app.Stage{{Name: "Lead"}}}
	other := app.Pipeline{Name: "Other", Stages: []app.Stage{{Name: "X"}}}
	for _, x := range []*app.Pipeline{&p, &other} {
		if err := db.CreatePipeline(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	st := p.Stages[0].ID
	rs := []app.Record{
		{StageID: st, Name: "ok 1", Currency: "JPY", Contacts: []app.RecordContact{{ContactID: c.ID, Primary: true}}},
		{StageID: st, Name: "", Currency: "JPY"},
		{StageID: st, Name: "ok 2", Currency: "usd", Amount: 1999},
		{PipelineID: other.ID, StageID: st, Name: "wrong pipeline", Currency: "JPY"},
		{StageID: st, Name: "ghost contact", Currency: "JPY", Contacts: []app.RecordContact{{ContactID: 999, Primary: true}}},
		{StageID: st, Name: "ok 3", Currency: "JPY"},
	}
	res, err := db.ImportRecords(ctx, rs)
	if err != nil {
		t.Fatal(err)
	}
	want := []app.RowError{{Row: 2, Field: "Name", Message: app.MsgRequired}, {Row: 4, Field: "Stage", Message: "The stage belongs to another pipeline"},
		{Row: 5, Field: "Contacts", Message: "A linked contact no longer exists"}}
	if res.Inserted != 3 || !reflect.DeepEqual(res.Errors, want) {
		t.Errorf("result = %+v", res)
	}
	list, _ := db.ListRecords(ctx, app.RecordFilter{ContactID: c.ID})
	if len(list) != 1 || list[0].Name != "ok 1" {
		t.Errorf("links = %+v", list)
	}
	ps, _ := db.ListPipelines(ctx)
	if ps[0].Stages[0].Records != 3 {
		t.Errorf("stage count = %d", ps[0].Stages[0].Records)
	}
}
