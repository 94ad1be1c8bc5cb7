package sample

import (
	"reflect"
	"testing"

	"github.com/tandem-crm/tandem/app"
)

func TestGeneratedDataIsValid(t *testing.T) {
	g := New(1)
	cos := g.Companies(500)
	names := map[string]bool{}
	for i := range cos {
		if err := cos[i].Validate(); err != nil {
			t.Fatalf("company %d %q: %v", i, cos[i].Name, err)
		}
		if names[cos[i].Name] {
			t.Fatalf("duplicate company name %q", cos[i].Name)
		}
		names[cos[i].Name] = true
	}
	emails := map[string]bool{}
	jp := 0
	for i, c := range g.Contacts(2000, cos) {
		if err := c.Validate(); err != nil {
			t.Fatalf("contact %d %+v: %v", i, c, err)
		}
		if emails[c.Email] {
			t.Fatalf("duplicate email %q", c.Email)
		}
		emails[c.Email] = true
		if app.PersonName(c.FirstName, c.LastName) == c.LastName+" "+c.FirstName {
			jp++
		}
	}
	if jp < 500 || jp > 1500 {
		t.Errorf("want a mix of Japanese and Western names, got %d Japanese of 2000", jp)
	}
	p := Pipelines()
	for i := range p {
		for j := range p[i].Stages {
			p[i].Stages[j].ID = int64(100*i + j + 1)
		}
	}
	for i, r := range g.Records(300, p, []int64{1, 2}, []int64{5, 6, 7}) {
		if err := r.Validate(); err != nil {
			t.Fatalf("record %d %+v: %v", i, r, err)
		}
	}
}

func TestDeterministic(t *testing.T) {
	a, b := New(7).Contacts(50, nil), New(7).Contacts(50, nil)
	for i := range a {
		if !reflect.DeepEqual(a[i], b[i]) {
			t.Fatalf("row %d differs: %+v vs %+v", i, a[i], b[i])
		}
	}
}
