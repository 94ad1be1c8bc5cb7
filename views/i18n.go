package views

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"fyne.io/fyne/v2/lang"

	"github.com/tandem-crm/tandem/app"
)

//go:embed translations/*.json
var translations embed.FS

// LoadTranslations registers the English and Japanese texts of every screen
// with Fyne's lang package; call it once before NewMainWindow. The language
// follows the system locale.
func LoadTranslations() error {
	err := lang.AddTranslationsFS(translations, "translations")
	catalogueOnce.Do(buildCatalogue)
	loaded.Store(true)
	return err
}

// Translate returns the text a person reads for a message written in
// English by a service (an error, a sync problem, a notification's
// words): its translation when the catalogue has it, otherwise the
// message as it is. Safe from any goroutine.
func Translate(msg string) string { return msgText(msg) }

// The catalogue of what the translation files hold, so messages made at
// run time are translated without asking lang for keys it does not have
// (which logs a "Translation failure" and shows English).
var (
	catalogueOnce sync.Once
	// loaded is set once lang has our files: before that (a headless
	// command) messages stay as they are.
	loaded    atomic.Bool
	catalogue struct {
		keys      map[string]bool
		templates []msgTemplate
	}
)

// msgTemplate is a message with printf verbs ("Cannot copy %s into
// Tandem: %s"), matched against finished messages to find its arguments.
// Its translations name the arguments {{.A1}}, {{.A2}}…
type msgTemplate struct {
	key    string
	re     *regexp.Regexp
	quoted []bool // argument i came from %q
	fixed  int    // length of the literal text, to try the most specific first
}

var verbRE = regexp.MustCompile(`%[sqvd]`)

func buildCatalogue() {
	catalogue.keys = map[string]bool{}
	files, _ := fs.Glob(translations, "translations/*en.json")
	for _, f := range files {
		b, err := translations.ReadFile(f)
		if err != nil {
			continue
		}
		m := map[string]json.RawMessage{}
		if json.Unmarshal(b, &m) != nil {
			continue
		}
		for k := range m {
			catalogue.keys[k] = true
			if t, ok := compileTemplate(k); ok {
				catalogue.templates = append(catalogue.templates, t)
			}
		}
	}
	sort.Slice(catalogue.templates, func(i, j int) bool {
		a, b := catalogue.templates[i], catalogue.templates[j]
		if a.fixed != b.fixed {
			return a.fixed > b.fixed
		}
		return a.key < b.key
	})
}

// compileTemplate turns a key with printf verbs into a matcher.
func compileTemplate(key string) (msgTemplate, bool) {
	locs := verbRE.FindAllStringIndex(key, -1)
	if len(locs) == 0 || strings.Contains(key, "{{") {
		return msgTemplate{}, false
	}
	t := msgTemplate{key: key}
	var re strings.Builder
	re.WriteString("^")
	last := 0
	for _, l := range locs {
		lit := key[last:l[0]]
		t.fixed += len(lit)
		re.WriteString(regexp.QuoteMeta(lit))
		switch key[l[0]+1] {
		case 'q':
			re.WriteString(`("(?:[^"\\]|\\.)*")`)
			t.quoted = append(t.quoted, true)
		case 'd':
			re.WriteString(`(-?\d+)`)
			t.quoted = append(t.quoted, false)
		default:
			re.WriteString(`(.+?)`)
			t.quoted = append(t.quoted, false)
		}
		last = l[1]
	}
	t.fixed += len(key) - last
	re.WriteString(regexp.QuoteMeta(key[last:]))
	re.WriteString("$")
	var err error
	if t.re, err = regexp.Compile("(?s)" + re.String()); err != nil {
		return msgTemplate{}, false
	}
	return t, true
}

// msgText translates a message a service wrote in English: a key of the
// catalogue as it is, or one made from a template, whose arguments are
// translated in turn (a record kind, an inner reason). Anything else —
// what Zoho Desk itself said, a name — is shown as it is.
func msgText(s string) string {
	return msgTextDepth(s, 0)
}

func msgTextDepth(s string, depth int) string {
	if s == "" || !loaded.Load() {
		return s
	}
	if catalogue.keys[s] && !strings.Contains(s, "{{") {
		return lang.L(s)
	}
	if t, ok := dynamicMessage(s); ok { // views/hostile.go
		return t
	}
	if depth > 2 {
		return s
	}
	for _, t := range catalogue.templates {
		m := t.re.FindStringSubmatch(s)
		if m == nil {
			continue
		}
		data := make(map[string]any, len(m)-1)
		for i, a := range m[1:] {
			if t.quoted[i] { // a name, shown as written
				if u, err := strconv.Unquote(a); err == nil {
					a = u
				}
			} else {
				a = msgTextDepth(a, depth+1)
			}
			data[fmt.Sprintf("A%d", i+1)] = a
		}
		return lang.L(t.key, data)
	}
	return s
}

// errText is the message a person reads for err, translated.
func errText(err error) string { return msgText(app.ErrorMessage(err)) }

// messageTemplate returns the catalogue's template a message was made
// from ("Cannot copy %s into Tandem: %s"), or "" when it was not.
func messageTemplate(s string) string {
	catalogueOnce.Do(buildCatalogue)
	if catalogue.keys[s] {
		return ""
	}
	for _, t := range catalogue.templates {
		if t.re.MatchString(s) {
			return t.key
		}
	}
	return ""
}
