// Package sample generates realistic CRM data — Japanese and Western people
// and companies, pipelines with stages and records — for the first-run demo
// and for benchmarks. It is deterministic for a given seed.
package sample

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/tandem-crm/tandem/app"
)

// Sizes says how much data to generate.
type Sizes struct {
	Contacts  int
	Companies int
	Records   int // pipeline records, spread over three pipelines
}

// Demo is the size of the data a new user is offered on an empty database.
var Demo = Sizes{Contacts: 48, Companies: 14, Records: 30}

var (
	jpFamily = []string{"山田", "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "中村", "小林", "加藤", "吉田", "山本", "松本", "井上", "木村", "林", "清水", "山口", "森", "池田"}
	jpGiven  = []string{"太郎", "花子", "健", "美咲", "翔太", "由美", "大輔", "さくら", "拓也", "陽菜", "直樹", "愛", "誠", "結衣", "隆", "真由美"}
	jpRomaji = map[string]string{"山田": "yamada", "佐藤": "sato", "鈴木": "suzuki", "高橋": "takahashi", "田中": "tanaka", "伊藤": "ito", "渡辺": "watanabe", "中村": "nakamura", "小林": "kobayashi", "加藤": "kato", "吉田": "yoshida", "山本": "yamamoto", "松本": "matsumoto", "井上": "inoue", "木村": "kimura", "林": "hayashi", "清水": "shimizu", "山口": "yamaguchi", "森": "mori", "池田": "ikeda"}
	// How the Japanese names are read (furigana).
	jpFamilyKana = map[string]string{"山田": "やまだ", "佐藤": "さとう", "鈴木": "すずき", "高橋": "たかはし", "田中": "たなか", "伊藤": "いとう", "渡辺": "わたなべ", "中村": "なかむら", "小林": "こばやし", "加藤": "かとう", "吉田": "よしだ", "山本": "やまもと", "松本": "まつもと", "井上": "いのうえ", "木村": "きむら", "林": "はやし", "清水": "しみず", "山口": "やまぐち", "森": "もり", "池田": "いけだ"}
	jpGivenKana  = map[string]string{"太郎": "たろう", "花子": "はなこ", "健": "けん", "美咲": "みさき", "翔太": "しょうた", "由美": "ゆみ", "大輔": "だいすけ", "さくら": "さくら", "拓也": "たくや", "陽菜": "ひな", "直樹": "なおき", "愛": "あい", "誠": "まこと", "結衣": "ゆい", "隆": "たかし", "真由美": "まゆみ"}
	wFirst       = []string{"Emma", "Liam", "Olivia", "Noah", "Ava", "James", "Sophia", "Lucas", "Mia", "Ethan", "Chloé", "Mateo", "Zoë", "Oliver", "Hannah", "Daniel", "Grace", "Samuel", "Léa", "Jack"}
	wLast        = []string{"Smith", "Johnson", "Brown", "Garcia", "Miller", "Davis", "Martin", "Müller", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Jackson", "White", "Harris", "Clark", "Lewis", "Walker", "Young"}
	titles       = []string{"Owner", "Sales Manager", "Buyer", "Office Manager", "CEO", "Engineer", "Accountant", "営業部長", "店長", "総務担当", ""}

	jpCoA    = []string{"山田", "東京", "大阪", "富士", "桜", "北斗", "青葉", "丸の内", "日の出", "みなと"}
	jpCoB    = []string{"商事", "工業", "電機", "食品", "印刷", "建設", "物産", "製作所", "デザイン", "システムズ"}
	jpCoKana = map[string]string{"山田": "やまだ", "東京": "とうきょう", "大阪": "おおさか", "富士": "ふじ", "桜": "さくら", "北斗": "ほくと", "青葉": "あおば", "丸の内": "まるのうち", "日の出": "ひので", "みなと": "みなと",
		"商事": "しょうじ", "工業": "こうぎょう", "電機": "でんき", "食品": "しょくひん", "印刷": "いんさつ", "建設": "けんせつ", "物産": "ぶっさん", "製作所": "せいさくしょ", "デザイン": "でざいん", "システムズ": "しすてむず"}
	wCoA     = []string{"Acme", "Northwind", "Blue Harbor", "Greenfield", "Summit", "Redwood", "Silver Lake", "Brightside", "Oakridge", "Pioneer"}
	wCoB     = []string{"Trading", "Logistics", "Bakery", "Consulting", "Printing", "Robotics", "Dental", "Studio", "Outfitters", "Foods"}
	inds     = []string{"Retail", "Manufacturing", "Food & Beverage", "Construction", "Software", "Healthcare", "Logistics", "Design"}
	jpCities = []string{"東京", "大阪", "名古屋", "福岡", "札幌", "横浜", "京都", "仙台"}
	wCities  = []string{"London", "Berlin", "Seattle", "Toronto", "Sydney", "Austin", "Dublin", "Lyon"}
)

// Pipelines returns the three demo pipelines with their stages.
func Pipelines() []app.Pipeline {
	mk := func(name string, stages ...string) app.Pipeline {
		p := app.Pipeline{Name: name}
		for i, s := range stages {
			p.Stages = append(p.Stages, app.Stage{Name: s, Position: i})
		}
		return p
	}
	return []app.Pipeline{
		mk("Sales", "Lead", "Qualified", "Proposal", "Negotiation", "Won", "Lost"),
		mk("Onboarding", "Kick-off", "Setup", "Training", "Live"),
		mk("Renewals (更新)", "Upcoming", "Contacted", "Renewed", "Churned"),
	}
}

// Generator makes deterministic random data.
type Generator struct {
	r *rand.Rand
}

// New returns a generator for seed.
func New(seed uint64) *Generator {
	return &Generator{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

func (g *Generator) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

// Companies returns n companies with distinct names.
func (g *Generator) Companies(n int) []app.Company {
	out := make([]app.Company, 0, n)
	seen := make(map[string]bool, n)
	for i := 0; len(out) < n; i++ {
		var c app.Company
		if g.r.IntN(2) == 0 {
			a, b := g.pick(jpCoA), g.pick(jpCoB)
			c.Name, c.NameReading = "株式会社"+a+b, jpCoKana[a]+jpCoKana[b]
			c.City, c.Country = g.pick(jpCities), "Japan"
			c.Website = fmt.Sprintf("https://www.co%d.example.jp", i)
			c.Phone = fmt.Sprintf("03-%04d-%04d", g.r.IntN(10000), g.r.IntN(10000))
		} else {
			c.Name = g.pick(wCoA) + " " + g.pick(wCoB)
			c.City, c.Country = g.pick(wCities), "United Kingdom"
			c.Website = fmt.Sprintf("https://www.co%d.example.com", i)
			c.Phone = fmt.Sprintf("+44 20 %04d %04d", g.r.IntN(10000), g.r.IntN(10000))
		}
		if seen[c.Name] {
			c.Name = fmt.Sprintf("%s %d", c.Name, i)
		}
		seen[c.Name] = true
		c.Industry = g.pick(inds)
		c.Email = fmt.Sprintf("info@co%d.example.com", i)
		out = append(out, c)
	}
	return out
}

// Contacts returns n contacts; each belongs (by CompanyName) to one of
// companies when there are any. Emails are unique.
func (g *Generator) Contacts(n int, companies []app.Company) []app.Contact {
	out := make([]app.Contact, n)
	for i := range out {
		c := &out[i]
		if g.r.IntN(2) == 0 {
			fam := g.pick(jpFamily)
			c.LastName, c.FirstName = fam, g.pick(jpGiven)
			if i%9 != 8 { // most people's reading is known; a few were never asked
				c.LastNameReading, c.FirstNameReading = jpFamilyKana[fam], jpGivenKana[c.FirstName]
			}
			c.Email = fmt.Sprintf("%s.%d@example.jp", jpRomaji[fam], i)
			c.Phone = fmt.Sprintf("090-%04d-%04d", g.r.IntN(10000), g.r.IntN(10000))
		} else {
			c.FirstName, c.LastName = g.pick(wFirst), g.pick(wLast)
			c.Email = fmt.Sprintf("%s.%s%d@example.com", strings.ToLower(asciiOnly(c.FirstName)), strings.ToLower(asciiOnly(c.LastName)), i)
			c.Phone = fmt.Sprintf("+1 (555) %03d-%04d", g.r.IntN(1000), g.r.IntN(10000))
		}
		c.Title = g.pick(titles)
		if len(companies) > 0 && g.r.IntN(10) < 8 {
			c.CompanyName = companies[g.r.IntN(len(companies))].Name
		}
	}
	return out
}

func asciiOnly(s string) string {
	r := strings.NewReplacer("é", "e", "ë", "e", "ü", "u", "ö", "o")
	return r.Replace(s)
}

var dealNames = []string{"Website redesign", "Annual support plan", "Printer fleet lease", "POS terminals", "年間保守契約", "新店舗の内装", "Cloud migration", "Staff training", "ロゴ制作", "Office move", "Catering contract", "CRM rollout"}

var currencies = []string{"JPY", "JPY", "JPY", "USD", "EUR"}

// Records returns n pipeline records over pipelines (which must have been
// created, so stage ids are known), linking existing companies and contacts
// by id.
func (g *Generator) Records(n int, pipelines []app.Pipeline, companyIDs, contactIDs []int64) []app.Record {
	out := make([]app.Record, n)
	for i := range out {
		p := pipelines[g.r.IntN(len(pipelines))]
		st := p.Stages[g.r.IntN(len(p.Stages))]
		r := &out[i]
		r.PipelineID, r.StageID = p.ID, st.ID
		r.Name = g.pick(dealNames)
		r.Currency = g.pick(currencies)
		switch r.Currency {
		case "JPY":
			r.Amount = int64(g.r.IntN(500)+1) * 10000
		default:
			r.Amount = int64(g.r.IntN(50000)+100) * 100
		}
		r.ClosingDate = fmt.Sprintf("2027-%02d-%02d", g.r.IntN(12)+1, g.r.IntN(28)+1)
		if len(companyIDs) > 0 {
			r.CompanyID = companyIDs[g.r.IntN(len(companyIDs))]
		}
		if len(contactIDs) > 0 {
			k := 1 + g.r.IntN(2)
			seen := map[int64]bool{}
			for j := 0; j < k; j++ {
				id := contactIDs[g.r.IntN(len(contactIDs))]
				if seen[id] {
					continue
				}
				seen[id] = true
				r.Contacts = append(r.Contacts, app.RecordContact{ContactID: id, Primary: j == 0})
			}
		}
	}
	return out
}

// Load generates data of the given sizes and writes it through crm: the
// companies, then the contacts (linked to companies by name), then the three
// demo pipelines and their records. It returns the first import error.
func Load(ctx context.Context, crm app.CRM, seed uint64, sz Sizes) error {
	g := New(seed)
	cos := g.Companies(sz.Companies)
	if _, err := crm.Companies.ImportCompanies(ctx, cos); err != nil {
		return fmt.Errorf("sample: companies: %w", err)
	}
	cs := g.Contacts(sz.Contacts, cos)
	if _, err := crm.Contacts.ImportContacts(ctx, cs); err != nil {
		return fmt.Errorf("sample: contacts: %w", err)
	}
	if sz.Records == 0 {
		return nil
	}
	var pipes []app.Pipeline
	for _, p := range Pipelines() {
		p := p
		if err := crm.Pipelines.CreatePipeline(ctx, &p); err != nil {
			return fmt.Errorf("sample: pipeline: %w", err)
		}
		full, err := crm.Pipelines.FindPipeline(ctx, p.ID)
		if err != nil {
			return fmt.Errorf("sample: pipeline: %w", err)
		}
		pipes = append(pipes, *full)
	}
	companyIDs, err := ids(ctx, sz.Records*2, func(off, lim int) ([]int64, error) {
		xs, err := crm.Companies.ListCompanies(ctx, app.CompanyFilter{Offset: off, Limit: lim})
		out := make([]int64, len(xs))
		for i, x := range xs {
			out[i] = x.ID
		}
		return out, err
	})
	if err != nil {
		return fmt.Errorf("sample: companies: %w", err)
	}
	contactIDs, err := ids(ctx, sz.Records*2, func(off, lim int) ([]int64, error) {
		xs, err := crm.Contacts.ListContacts(ctx, app.ContactFilter{Offset: off, Limit: lim})
		out := make([]int64, len(xs))
		for i, x := range xs {
			out[i] = x.ID
		}
		return out, err
	})
	if err != nil {
		return fmt.Errorf("sample: contacts: %w", err)
	}
	if _, err := crm.Pipelines.ImportRecords(ctx, g.Records(sz.Records, pipes, companyIDs, contactIDs)); err != nil {
		return fmt.Errorf("sample: records: %w", err)
	}
	return nil
}

// ids collects up to max ids through a paged list function.
func ids(ctx context.Context, max int, page func(off, lim int) ([]int64, error)) ([]int64, error) {
	var out []int64
	for len(out) < max {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		xs, err := page(len(out), 500)
		if err != nil {
			return nil, err
		}
		out = append(out, xs...)
		if len(xs) < 500 {
			break
		}
	}
	return out, nil
}
