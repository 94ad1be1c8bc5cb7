package store

import (
	"fmt"
	"math/rand/v2"

	"github.com/tandem-crm/tandem/app"
)

// A deterministic generator of Western and Japanese CRM data for tests and
// benchmarks. It is independent of app/sample on purpose.

var (
	westFirst = []string{"James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William",
		"Elizabeth", "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles",
		"Karen", "Christopher", "Nancy", "Daniel", "Lisa", "Matthew", "Betty", "Anthony", "Margaret", "Mark",
		"Sandra", "Donald", "Ashley", "Steven", "Kimberly", "Paul", "Emily", "Andrew", "Donna", "Joshua", "Michelle",
		"Zoë", "José", "Łukasz", "Renée", "Søren", "Ingrid", "Mateo", "Aisha", "Olu", "Chloé", "François", "Björn"}
	westLast = []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
		"Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson",
		"Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
		"Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams",
		"Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Müller", "O'Brien",
		"Yamamoto", "Nakamura", "Yamada", "Kowalski", "Novak", "Dubois", "Rossi", "Jensen", "Ødegaard", "Yates"}
	// Japanese names with their romaji, for email addresses.
	jaLast = [][2]string{{"佐藤", "sato"}, {"鈴木", "suzuki"}, {"高橋", "takahashi"}, {"田中", "tanaka"}, {"伊藤", "ito"},
		{"渡辺", "watanabe"}, {"山本", "yamamoto"}, {"中村", "nakamura"}, {"小林", "kobayashi"}, {"加藤", "kato"},
		{"吉田", "yoshida"}, {"山田", "yamada"}, {"佐々木", "sasaki"}, {"山口", "yamaguchi"}, {"松本", "matsumoto"},
		{"井上", "inoue"}, {"木村", "kimura"}, {"林", "hayashi"}, {"斎藤", "saito"}, {"清水", "shimizu"},
		{"山崎", "yamazaki"}, {"森", "mori"}, {"池田", "ikeda"}, {"橋本", "hashimoto"}, {"阿部", "abe"},
		{"石川", "ishikawa"}, {"山下", "yamashita"}, {"中島", "nakajima"}, {"石井", "ishii"}, {"小川", "ogawa"},
		{"前田", "maeda"}, {"岡田", "okada"}, {"長谷川", "hasegawa"}, {"藤田", "fujita"}, {"後藤", "goto"}}
	jaFirst = [][2]string{{"太郎", "taro"}, {"花子", "hanako"}, {"翔太", "shota"}, {"陽菜", "hina"}, {"大輔", "daisuke"},
		{"さくら", "sakura"}, {"健太", "kenta"}, {"美咲", "misaki"}, {"拓也", "takuya"}, {"結衣", "yui"},
		{"蓮", "ren"}, {"葵", "aoi"}, {"悠真", "yuma"}, {"陽翔", "haruto"}, {"凛", "rin"}, {"直樹", "naoki"},
		{"恵美", "emi"}, {"誠", "makoto"}, {"由美子", "yumiko"}, {"浩二", "koji"}, {"ケンジ", "kenji"}, {"あおい", "aoi"}}
	coWords  = []string{"Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay", "Soylent", "Tyrell", "Cyberdyne", "Wonka", "Gringotts", "Oscorp", "Aperture", "Black Mesa", "Nakatomi", "Blue Sun", "Monarch", "Massive Dynamic", "Pied Piper", "Dunder", "Prestige", "Sterling", "Bluth", "Nordic", "Pacific", "Atlas", "Zenith", "Vertex"}
	coKinds  = []string{"Inc", "LLC", "Ltd", "GmbH", "Corp", "Partners", "Group", "Labs", "Systems", "Trading"}
	jaCoWord = []string{"山田", "東京", "大阪", "富士", "日本", "桜", "青空", "未来", "北海", "中央", "丸", "光"}
	jaCoKind = []string{"商事", "工業", "製作所", "電機", "物産", "建設", "食品", "システム", "不動産", "印刷"}
	cities   = []string{"Tokyo", "Osaka", "London", "New York", "Berlin", "Paris", "東京都渋谷区", "大阪市北区", "横浜市", "São Paulo", "Zürich", "Kraków"}
	domains  = []string{"example.com", "example.org", "mail.example.net", "corp.example.jp", "example.co.uk"}
)

// gen produces deterministic CRM data.
type gen struct{ r *rand.Rand }

func newGen(seed uint64) *gen { return &gen{rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))} }

func pick[T any](g *gen, xs []T) T { return xs[g.r.IntN(len(xs))] }

func (g *gen) phone() string {
	if g.r.IntN(2) == 0 {
		return fmt.Sprintf("0%d-%04d-%04d", 3+g.r.IntN(7), g.r.IntN(10000), g.r.IntN(10000))
	}
	return fmt.Sprintf("+1 (%03d) %03d-%04d", 200+g.r.IntN(800), g.r.IntN(1000), g.r.IntN(10000))
}

func (g *gen) company(i int) app.Company {
	var c app.Company
	if g.r.IntN(3) == 0 {
		c.Name = "株式会社" + pick(g, jaCoWord) + pick(g, jaCoKind)
		if i%2 == 0 {
			c.Name = pick(g, jaCoWord) + pick(g, jaCoKind) + "株式会社"
		}
	} else {
		c.Name = pick(g, coWords) + " " + pick(g, coKinds)
	}
	c.Name = fmt.Sprintf("%s %d", c.Name, i) // unique, like real data mostly is
	c.Email = fmt.Sprintf("info%d@%s", i, pick(g, domains))
	c.Phone = g.phone()
	c.City = pick(g, cities)
	c.Country = "JP"
	c.Industry = "Trade"
	return c
}

func (g *gen) contact(i int, companies int) app.Contact {
	var c app.Contact
	var local string
	if g.r.IntN(10) < 3 {
		l, f := pick(g, jaLast), pick(g, jaFirst)
		c.LastName, c.FirstName = l[0], f[0]
		local = f[1] + "." + l[1]
	} else {
		c.FirstName, c.LastName = pick(g, westFirst), pick(g, westLast)
		local = ascii(c.FirstName) + "." + ascii(c.LastName)
	}
	c.Email = fmt.Sprintf("%s%d@%s", local, i, pick(g, domains))
	c.Phone = g.phone()
	if g.r.IntN(3) == 0 {
		c.Mobile = g.phone()
	}
	c.Title = pick(g, []string{"", "CEO", "Sales Manager", "Engineer", "部長", "課長"})
	if companies > 0 && g.r.IntN(4) != 0 {
		c.CompanyID = int64(1 + g.r.IntN(companies))
	}
	return c
}

// ascii keeps the a-z letters of a folded name, for email addresses.
func ascii(s string) string {
	b := []byte{}
	for _, r := range sortKey(s) {
		if r >= 'a' && r <= 'z' {
			b = append(b, byte(r))
		}
	}
	return string(b)
}
