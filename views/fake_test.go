package views

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/kana"
)

// fakeCRM is an in-memory app.CRM for view tests. It copies values in and
// out, fills the read-only fields like the store does, and counts calls so
// tests can check that lists are paged.
type fakeCRM struct {
	mu        sync.Mutex
	nextID    int64
	contacts  map[int64]*app.Contact
	companies map[int64]*app.Company
	pipelines map[int64]*app.Pipeline
	stages    map[int64]*app.Stage
	records   map[int64]*app.Record
	listCalls []app.ContactFilter
}

var (
	_ app.ContactService  = (*fakeCRM)(nil)
	_ app.CompanyService  = (*fakeCRM)(nil)
	_ app.PipelineService = (*fakeCRM)(nil)
)

func newFake() *fakeCRM {
	return &fakeCRM{
		contacts: map[int64]*app.Contact{}, companies: map[int64]*app.Company{},
		pipelines: map[int64]*app.Pipeline{}, stages: map[int64]*app.Stage{}, records: map[int64]*app.Record{},
	}
}

func (f *fakeCRM) crm() app.CRM { return app.CRM{Contacts: f, Companies: f, Pipelines: f} }

func (f *fakeCRM) id() int64 { f.nextID++; return f.nextID }

func notFound(kind string) error { return app.Errorf(app.ENOTFOUND, "This %s no longer exists.", kind) }

func page[T any](xs []T, offset, limit int) []T {
	if limit <= 0 {
		limit = 50
	}
	if offset >= len(xs) {
		return nil
	}
	return xs[offset:min(len(xs), offset+limit)]
}

func has(q string, fields ...string) bool {
	q = strings.ToLower(strings.TrimSpace(q))
	for _, s := range fields {
		if strings.Contains(strings.ToLower(s), q) {
			return true
		}
	}
	return false
}

// --- contacts

func (f *fakeCRM) fillContact(c *app.Contact) {
	c.CompanyName = ""
	if co, ok := f.companies[c.CompanyID]; ok {
		c.CompanyName = co.Name
	}
}

func (f *fakeCRM) FindContact(_ context.Context, id int64) (*app.Contact, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.contacts[id]
	if !ok {
		return nil, notFound("contact")
	}
	cp := *c
	f.fillContact(&cp)
	return &cp, nil
}

func (f *fakeCRM) matchContacts(fl app.ContactFilter) []app.Contact {
	var out []app.Contact
	for _, c := range f.contacts {
		cp := *c
		f.fillContact(&cp)
		if fl.Query != "" && !has(fl.Query, cp.FirstName, cp.LastName, cp.Email, cp.Phone, cp.CompanyName, cp.FirstNameReading, cp.LastNameReading) {
			continue
		}
		if fl.CompanyID != 0 && cp.CompanyID != fl.CompanyID {
			continue
		}
		if fl.Email != "" && app.NormalizeEmail(cp.Email) != app.NormalizeEmail(fl.Email) {
			continue
		}
		out = append(out, cp)
	}
	slices.SortFunc(out, func(a, b app.Contact) int {
		if fl.Sort == app.SortByUpdated {
			return cmp.Or(b.UpdatedAt.Compare(a.UpdatedAt), cmp.Compare(b.ID, a.ID))
		}
		return cmp.Or(cmp.Compare(contactKey(&a), contactKey(&b)), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// contactKey and companyKey sort like the store (by reading).
func contactKey(c *app.Contact) string { return kana.SortKey(c.Reading(), c.LastName+" "+c.FirstName) }

func companyKey(c *app.Company) string {
	return kana.SortKey(c.NameReading, kana.CompanySortName(c.Name))
}

// fakeIndex builds a list's index the way the store does.
func fakeIndex(initials []string) []app.IndexEntry {
	out := []app.IndexEntry{}
	for i, l := range initials {
		if n := len(out); n > 0 && out[n-1].Label == l {
			out[n-1].Count++
			continue
		}
		out = append(out, app.IndexEntry{Label: l, Offset: i, Count: 1})
	}
	return out
}

func (f *fakeCRM) IndexContacts(_ context.Context, fl app.ContactFilter) ([]app.IndexEntry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fl.Sort = app.SortByName
	var ls []string
	for _, c := range f.matchContacts(fl) {
		ls = append(ls, kana.Initial(c.Reading(), c.LastName+" "+c.FirstName))
	}
	return fakeIndex(ls), nil
}

func (f *fakeCRM) ListContacts(_ context.Context, fl app.ContactFilter) ([]app.Contact, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.listCalls = append(f.listCalls, fl)
	return page(f.matchContacts(fl), fl.Offset, fl.Limit), nil
}

func (f *fakeCRM) CountContacts(_ context.Context, fl app.ContactFilter) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.matchContacts(fl)), nil
}

func (f *fakeCRM) CreateContact(_ context.Context, c *app.Contact) error {
	c.Normalize()
	if err := c.Validate(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c.ID = f.id()
	c.CreatedAt, c.UpdatedAt, c.Rev = time.Now(), time.Now(), 1
	cp := *c
	f.contacts[c.ID] = &cp
	return nil
}

func (f *fakeCRM) UpdateContact(_ context.Context, c *app.Contact) error {
	c.Normalize()
	if err := c.Validate(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	old, ok := f.contacts[c.ID]
	if !ok {
		return notFound("contact")
	}
	if old.Rev != c.Rev {
		return app.Errorf(app.ECONFLICT, "Someone else changed this contact. Reload it and try again.")
	}
	c.Rev++
	c.UpdatedAt = time.Now()
	cp := *c
	f.contacts[c.ID] = &cp
	return nil
}

func (f *fakeCRM) DeleteContact(_ context.Context, id int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.contacts[id]; !ok {
		return notFound("contact")
	}
	delete(f.contacts, id)
	for _, r := range f.records {
		r.Contacts = slices.DeleteFunc(r.Contacts, func(rc app.RecordContact) bool { return rc.ContactID == id })
	}
	return nil
}

func (f *fakeCRM) MergeContacts(_ context.Context, keepID, dropID int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	keep, ok1 := f.contacts[keepID]
	drop, ok2 := f.contacts[dropID]
	if !ok1 || !ok2 {
		return notFound("contact")
	}
	for _, p := range [][2]*string{{&keep.FirstName, &drop.FirstName}, {&keep.Phone, &drop.Phone}, {&keep.Mobile, &drop.Mobile}, {&keep.Title, &drop.Title}, {&keep.Notes, &drop.Notes}} {
		if *p[0] == "" {
			*p[0] = *p[1]
		}
	}
	if keep.CompanyID == 0 {
		keep.CompanyID = drop.CompanyID
	}
	for _, r := range f.records {
		for i := range r.Contacts {
			if r.Contacts[i].ContactID == dropID {
				r.Contacts[i].ContactID = keepID
			}
		}
	}
	keep.Rev++
	delete(f.contacts, dropID)
	return nil
}

func (f *fakeCRM) ImportContacts(ctx context.Context, cs []app.Contact) (app.ImportResult, error) {
	var res app.ImportResult
	for i := range cs {
		if err := f.CreateContact(ctx, &cs[i]); err != nil {
			res.Errors = append(res.Errors, app.RowError{Row: i + 1, Message: err.Error()})
			continue
		}
		res.Inserted++
	}
	return res, nil
}

// --- companies

func (f *fakeCRM) FindCompany(_ context.Context, id int64) (*app.Company, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.companies[id]
	if !ok {
		return nil, notFound("company")
	}
	cp := *c
	return &cp, nil
}

func (f *fakeCRM) matchCompanies(fl app.CompanyFilter) []app.Company {
	var out []app.Company
	for _, c := range f.companies {
		if fl.Query != "" && !has(fl.Query, c.Name, c.Email, c.City, c.NameReading) {
			continue
		}
		if fl.Name != "" && app.NormalizeName(c.Name) != app.NormalizeName(fl.Name) {
			continue
		}
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b app.Company) int {
		if fl.Sort == app.SortByUpdated {
			return cmp.Or(b.UpdatedAt.Compare(a.UpdatedAt), cmp.Compare(b.ID, a.ID))
		}
		return cmp.Or(cmp.Compare(companyKey(&a), companyKey(&b)), cmp.Compare(a.ID, b.ID))
	})
	return out
}

func (f *fakeCRM) IndexCompanies(_ context.Context, fl app.CompanyFilter) ([]app.IndexEntry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fl.Sort = app.SortByName
	var ls []string
	for _, c := range f.matchCompanies(fl) {
		ls = append(ls, kana.Initial(c.NameReading, kana.CompanySortName(c.Name)))
	}
	return fakeIndex(ls), nil
}

func (f *fakeCRM) ListCompanies(_ context.Context, fl app.CompanyFilter) ([]app.Company, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return page(f.matchCompanies(fl), fl.Offset, fl.Limit), nil
}

func (f *fakeCRM) CountCompanies(_ context.Context, fl app.CompanyFilter) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.matchCompanies(fl)), nil
}

func (f *fakeCRM) CreateCompany(_ context.Context, c *app.Company) error {
	c.Normalize()
	if err := c.Validate(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c.ID = f.id()
	c.CreatedAt, c.UpdatedAt, c.Rev = time.Now(), time.Now(), 1
	cp := *c
	f.companies[c.ID] = &cp
	return nil
}

func (f *fakeCRM) UpdateCompany(_ context.Context, c *app.Company) error {
	c.Normalize()
	if err := c.Validate(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.companies[c.ID]; !ok {
		return notFound("company")
	}
	c.Rev++
	c.UpdatedAt = time.Now()
	cp := *c
	f.companies[c.ID] = &cp
	return nil
}

func (f *fakeCRM) DeleteCompany(_ context.Context, id int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.companies[id]; !ok {
		return notFound("company")
	}
	delete(f.companies, id)
	for _, c := range f.contacts {
		if c.CompanyID == id {
			c.CompanyID = 0
		}
	}
	for _, r := range f.records {
		if r.CompanyID == id {
			r.CompanyID = 0
		}
	}
	return nil
}

func (f *fakeCRM) ImportCompanies(ctx context.Context, cs []app.Company) (app.ImportResult, error) {
	var res app.ImportResult
	for i := range cs {
		if err := f.CreateCompany(ctx, &cs[i]); err != nil {
			res.Errors = append(res.Errors, app.RowError{Row: i + 1, Message: err.Error()})
			continue
		}
		res.Inserted++
	}
	return res, nil
}

// --- pipelines

func (f *fakeCRM) pipeline(id int64) app.Pipeline {
	p := *f.pipelines[id]
	p.Stages = nil
	for _, s := range f.stages {
		if s.PipelineID == id {
			st := *s
			st.Records = 0
			for _, r := range f.records {
				if r.StageID == s.ID {
					st.Records++
				}
			}
			p.Stages = append(p.Stages, st)
		}
	}
	slices.SortFunc(p.Stages, func(a, b app.Stage) int { return cmp.Compare(a.Position, b.Position) })
	return p
}

func (f *fakeCRM) ListPipelines(context.Context) ([]app.Pipeline, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []app.Pipeline
	for id := range f.pipelines {
		out = append(out, f.pipeline(id))
	}
	slices.SortFunc(out, func(a, b app.Pipeline) int {
		return cmp.Or(cmp.Compare(a.Position, b.Position), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

func (f *fakeCRM) FindPipeline(_ context.Context, id int64) (*app.Pipeline, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.pipelines[id]; !ok {
		return nil, notFound("pipeline")
	}
	p := f.pipeline(id)
	return &p, nil
}

func (f *fakeCRM) CreatePipeline(_ context.Context, p *app.Pipeline) error {
	if strings.TrimSpace(p.Name) == "" {
		return &app.Error{Code: app.EINVALID, Message: "Please correct the highlighted fields.",
			Err: &app.ValidationError{Fields: []app.FieldError{{Field: "Name", Message: app.MsgRequired}}}}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	p.ID = f.id()
	p.Position = len(f.pipelines)
	cp := *p
	cp.Stages = nil
	f.pipelines[p.ID] = &cp
	for i := range p.Stages {
		s := &p.Stages[i]
		s.ID, s.PipelineID, s.Position = f.id(), p.ID, i
		cs := *s
		f.stages[s.ID] = &cs
	}
	return nil
}

func (f *fakeCRM) RenamePipeline(_ context.Context, id int64, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.pipelines[id]
	if !ok {
		return notFound("pipeline")
	}
	p.Name = name
	return nil
}

func (f *fakeCRM) DeletePipeline(_ context.Context, id int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.records {
		if r.PipelineID == id {
			return app.Errorf(app.ECONFLICT, "This pipeline still has records.")
		}
	}
	delete(f.pipelines, id)
	return nil
}

func (f *fakeCRM) CreateStage(_ context.Context, s *app.Stage) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.pipelines[s.PipelineID]; !ok {
		return notFound("pipeline")
	}
	s.ID = f.id()
	s.Position = len(f.pipeline(s.PipelineID).Stages)
	cp := *s
	f.stages[s.ID] = &cp
	return nil
}

func (f *fakeCRM) RenameStage(_ context.Context, id int64, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.stages[id]
	if !ok {
		return notFound("stage")
	}
	s.Name = name
	return nil
}

func (f *fakeCRM) MoveStage(_ context.Context, id int64, pos int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.stages[id]
	if !ok {
		return notFound("stage")
	}
	st := f.pipeline(s.PipelineID).Stages
	i := slices.IndexFunc(st, func(x app.Stage) bool { return x.ID == id })
	moved := st[i]
	st = slices.Delete(st, i, i+1)
	pos = max(0, min(pos, len(st)))
	st = slices.Insert(st, pos, moved)
	for i, x := range st {
		f.stages[x.ID].Position = i
	}
	return nil
}

func (f *fakeCRM) DeleteStage(_ context.Context, id int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.stages[id]; !ok {
		return notFound("stage")
	}
	for _, r := range f.records {
		if r.StageID == id {
			return app.Errorf(app.ECONFLICT, "This stage still has records.")
		}
	}
	delete(f.stages, id)
	return nil
}

func (f *fakeCRM) fillRecord(r *app.Record) {
	r.StageName, r.CompanyName = "", ""
	if s, ok := f.stages[r.StageID]; ok {
		r.StageName = s.Name
	}
	if c, ok := f.companies[r.CompanyID]; ok {
		r.CompanyName = c.Name
	}
	r.Contacts = slices.Clone(r.Contacts)
	for i := range r.Contacts {
		if c, ok := f.contacts[r.Contacts[i].ContactID]; ok {
			r.Contacts[i].Name, r.Contacts[i].Email = c.DisplayName(), c.Email
		}
	}
}

func (f *fakeCRM) FindRecord(_ context.Context, id int64) (*app.Record, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.records[id]
	if !ok {
		return nil, notFound("record")
	}
	cp := *r
	f.fillRecord(&cp)
	return &cp, nil
}

func (f *fakeCRM) ListRecords(_ context.Context, fl app.RecordFilter) ([]app.Record, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []app.Record
	for _, r := range f.records {
		cp := *r
		f.fillRecord(&cp)
		switch {
		case fl.PipelineID != 0 && cp.PipelineID != fl.PipelineID,
			fl.StageID != 0 && cp.StageID != fl.StageID,
			fl.CompanyID != 0 && cp.CompanyID != fl.CompanyID,
			fl.ContactID != 0 && !slices.ContainsFunc(cp.Contacts, func(c app.RecordContact) bool { return c.ContactID == fl.ContactID }),
			fl.Query != "" && !has(fl.Query, cp.Name, cp.CompanyName):
			continue
		}
		out = append(out, cp)
	}
	slices.SortFunc(out, func(a, b app.Record) int { return cmp.Compare(a.ID, b.ID) })
	return page(out, fl.Offset, fl.Limit), nil
}

func (f *fakeCRM) SummarizeRecords(ctx context.Context, fl app.RecordFilter) ([]app.RecordGroup, error) {
	fl.Offset, fl.Limit = 0, 1<<30
	rs, err := f.ListRecords(ctx, fl)
	if err != nil {
		return nil, err
	}
	var out []app.RecordGroup
	type key struct {
		stage    int64
		currency string
	}
	at := map[key]int{}
	for _, r := range rs {
		k := key{r.StageID, r.Currency}
		i, ok := at[k]
		if !ok {
			i = len(out)
			at[k] = i
			out = append(out, app.RecordGroup{StageID: r.StageID, Currency: r.Currency})
		}
		out[i].Count++
		out[i].Amount += r.Amount
	}
	return out, nil
}

func (f *fakeCRM) saveRecord(r *app.Record, isNew bool) error {
	if err := r.Validate(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.stages[r.StageID]
	if !ok || s.PipelineID != r.PipelineID {
		return app.Errorf(app.EINVALID, "Choose a stage of this pipeline.")
	}
	if isNew {
		r.ID = f.id()
		r.CreatedAt, r.Rev = time.Now(), 0
	} else if _, ok := f.records[r.ID]; !ok {
		return notFound("record")
	}
	r.Rev++
	r.UpdatedAt = time.Now()
	cp := *r
	cp.Contacts = slices.Clone(r.Contacts)
	f.records[r.ID] = &cp
	return nil
}

func (f *fakeCRM) CreateRecord(_ context.Context, r *app.Record) error { return f.saveRecord(r, true) }

func (f *fakeCRM) UpdateRecord(_ context.Context, r *app.Record) error { return f.saveRecord(r, false) }

func (f *fakeCRM) MoveRecord(_ context.Context, id, stageID int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.records[id]
	s, ok2 := f.stages[stageID]
	if !ok || !ok2 {
		return notFound("record")
	}
	if s.PipelineID != r.PipelineID {
		return app.Errorf(app.EINVALID, "Choose a stage of this pipeline.")
	}
	r.StageID = stageID
	return nil
}

func (f *fakeCRM) DeleteRecord(_ context.Context, id int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.records, id)
	return nil
}

func (f *fakeCRM) ImportRecords(ctx context.Context, rs []app.Record) (app.ImportResult, error) {
	var res app.ImportResult
	for i := range rs {
		if err := f.CreateRecord(ctx, &rs[i]); err != nil {
			res.Errors = append(res.Errors, app.RowError{Row: i + 1, Message: err.Error()})
			continue
		}
		res.Inserted++
	}
	return res, nil
}

func (f *fakeCRM) IsEmpty(context.Context) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.contacts)+len(f.companies)+len(f.pipelines) == 0, nil
}
