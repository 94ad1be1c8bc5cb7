package views

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// This file holds the tests that keep the translations from regressing:
// every key the code looks up, and every message a service can carry to
// the screen, must be in English and Japanese; Japanese must not be
// English; and a Japanese session logs no translation failure.

// sourceKey is one translation key found in the code, and where.
type sourceKey struct {
	key string
	at  string // file:line
}

// goFiles parses the non-test Go files under dir (relative to the module
// root), skipping the folders in skip.
func goFiles(t *testing.T, fset *token.FileSet, dir string, skip ...string) map[string][]*ast.File {
	t.Helper()
	root := filepath.Join("..", dir)
	pkgs := map[string][]*ast.File{}
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			rel, _ := filepath.Rel("..", path)
			for _, s := range skip {
				if rel == s {
					return filepath.SkipDir
				}
			}
			if d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		pkgs[filepath.Dir(path)] = append(pkgs[filepath.Dir(path)], f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pkgs
}

// stringConsts returns the package-level string constants and variables
// initialised with a string literal.
func stringConsts(files []*ast.File) map[string]string {
	out := map[string]string{}
	for _, f := range files {
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || (g.Tok != token.CONST && g.Tok != token.VAR) {
				continue
			}
			for _, s := range g.Specs {
				vs := s.(*ast.ValueSpec)
				for i, n := range vs.Names {
					if i < len(vs.Values) {
						if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							out[n.Name], _ = strconv.Unquote(lit.Value)
						}
					}
				}
			}
		}
	}
	return out
}

// exprTemplate turns an expression that builds a message into the key it is
// looked up by: a literal or constant as it is, fmt.Sprintf's format, and
// a concatenation with "%s" for each part that is not a literal. ok is
// false for a message passed through from elsewhere (a variable, a call).
func exprTemplate(e ast.Expr, consts map[string]string) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.Ident:
		s, ok := consts[e.Name]
		return s, ok
	case *ast.SelectorExpr: // app.MsgRequired
		if strings.HasPrefix(e.Sel.Name, "Msg") {
			s, ok := appMsgs[e.Sel.Name]
			return s, ok
		}
	case *ast.ParenExpr:
		return exprTemplate(e.X, consts)
	case *ast.CallExpr:
		if sel, ok := e.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Sprintf" && len(e.Args) > 0 {
			return exprTemplate(e.Args[0], consts)
		}
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		l, lok := exprTemplate(e.X, consts)
		r, rok := exprTemplate(e.Y, consts)
		if !lok && !rok {
			return "", false
		}
		if !lok {
			l = "%s"
		}
		if !rok {
			r = "%s"
		}
		return l + r, true
	}
	return "", false
}

// appMsgs are the app.Msg* validation messages, read from app/validate.go.
var appMsgs map[string]string

// onlyVerbs matches a template that is nothing but a pass-through ("%s").
var onlyVerbs = regexp.MustCompile(`^(\s|\d|%[sqvd])*$`)

// messageKeys returns every message app/... and sync/... can put in an
// *app.Error, a validation error, a sync error, an outbox item's last
// error, a sync event or an agent's read-only reason: all of them reach
// the screen.
func messageKeys(t *testing.T) []sourceKey {
	t.Helper()
	fset := token.NewFileSet()
	pkgs := goFiles(t, fset, "app", "app/secrets/secretstest")
	for d, fs := range goFiles(t, fset, "sync", "sync/deskemu") {
		pkgs[d] = fs
	}
	appMsgs = stringConsts(pkgs[filepath.Join("..", "app")])
	var out []sourceKey
	for _, files := range pkgs {
		consts := stringConsts(files)
		funcs := map[string]*ast.FuncDecl{}
		for _, f := range files {
			for _, d := range f.Decls {
				if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil {
					funcs[fd.Name.Name] = fd
				}
			}
		}
		var add func(e ast.Expr, depth int)
		add = func(e ast.Expr, depth int) {
			if s, ok := exprTemplate(e, consts); ok {
				if !onlyVerbs.MatchString(s) {
					out = append(out, sourceKey{s, fset.Position(e.Pos()).String()})
				}
				return
			}
			// A message made by a helper of the package: its returns.
			if c, ok := e.(*ast.CallExpr); ok && depth == 0 {
				if id, ok := c.Fun.(*ast.Ident); ok && funcs[id.Name] != nil {
					ast.Inspect(funcs[id.Name].Body, func(n ast.Node) bool {
						if r, ok := n.(*ast.ReturnStmt); ok && len(r.Results) == 1 {
							add(r.Results[0], 1)
						}
						return true
					})
				}
			}
		}
		for _, f := range files {
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CallExpr:
					name := ""
					switch fn := n.Fun.(type) {
					case *ast.Ident:
						name = fn.Name
					case *ast.SelectorExpr:
						name = fn.Sel.Name
					}
					switch name {
					case "Errorf": // app.Errorf(code, format, ...), not fmt.Errorf
						if sel, ok := n.Fun.(*ast.SelectorExpr); ok {
							if x, ok := sel.X.(*ast.Ident); ok && x.Name == "fmt" {
								break
							}
						}
						if len(n.Args) >= 2 {
							add(n.Args[1], 0)
						}
					case "text": // signals' Words.text
						if len(n.Args) == 1 && strings.Contains(fset.Position(n.Pos()).Filename, "/signals/") {
							add(n.Args[0], 0)
						}
					case "unavailable": // app/notify's message, then its cause
						if len(n.Args) == 2 {
							add(n.Args[0], 0)
						}
					case "add": // the validation helpers of app and sync/mapping.go
						f := fset.Position(n.Pos()).Filename
						if len(n.Args) == 2 && (filepath.Base(filepath.Dir(f)) == "app" || filepath.Base(f) == "mapping.go") {
							add(n.Args[1], 0)
						}
					case "fieldError", "MarkFailed", "MarkPending":
						if len(n.Args) >= 2 {
							add(n.Args[len(n.Args)-1], 0)
						}
					}
				case *ast.CompositeLit:
					if mt, ok := n.Type.(*ast.MapType); ok && strings.HasSuffix(fset.Position(n.Pos()).Filename, "signals/format.go") {
						// The labels of each kind: passed to Words.text.
						for _, el := range n.Elts {
							v := el.(*ast.KeyValueExpr).Value
							if arr, ok := v.(*ast.CompositeLit); ok && len(arr.Elts) == 2 { // singular, plural
								one, _ := exprTemplate(arr.Elts[0], consts)
								many, _ := exprTemplate(arr.Elts[1], consts)
								out = append(out, sourceKey{"1 " + one, fset.Position(v.Pos()).String()}, sourceKey{"%d " + many, fset.Position(v.Pos()).String()})
							} else if s, ok := exprTemplate(v, consts); ok {
								out = append(out, sourceKey{s, fset.Position(v.Pos()).String()})
							}
						}
						_ = mt
						return true
					}
					typ := ""
					switch tt := n.Type.(type) {
					case *ast.Ident:
						typ = tt.Name
					case *ast.SelectorExpr:
						typ = tt.Sel.Name
					}
					switch typ {
					case "Error", "SyncError", "SyncEvent", "FieldError", "RowError", "Permissions", "CRMField":
					default:
						return true
					}
					for _, el := range n.Elts {
						if kv, ok := el.(*ast.KeyValueExpr); ok {
							if k, ok := kv.Key.(*ast.Ident); ok && (k.Name == "Message" || k.Name == "Reason" || k.Name == "Label") {
								add(kv.Value, 0)
							}
						}
					}
				case *ast.AssignStmt:
					for i, l := range n.Lhs {
						if sel, ok := l.(*ast.SelectorExpr); ok && i < len(n.Rhs) {
							switch sel.Sel.Name {
							case "Reason", "LastError", "ReadOnlyReason":
								add(n.Rhs[i], 0)
							}
						}
					}
				}
				return true
			})
		}
	}
	// The sentence ErrorMessage gives any error that is not an *app.Error.
	out = append(out, sourceKey{"Something went wrong. The details are in the log.", "app/errors.go"})
	return out
}

// langKeys returns the keys of every lang.L, lang.N and lang.X call in
// views and cmd/tandem, and reports calls whose key is not a literal or a
// constant: a message computed at run time must go through msgText, which
// knows the catalogue (a bare lang.L of an unknown string logs a
// "Translation failure" in Japanese and shows English).
func langKeys(t *testing.T) []sourceKey {
	t.Helper()
	fset := token.NewFileSet()
	pkgs := goFiles(t, fset, "views")
	for d, fs := range goFiles(t, fset, "cmd/tandem") {
		pkgs[d] = fs
	}
	var out []sourceKey
	for _, files := range pkgs {
		consts := stringConsts(files)
		for _, f := range files {
			file := fset.Position(f.Pos()).Filename
			ast.Inspect(f, func(n ast.Node) bool {
				c, ok := n.(*ast.CallExpr)
				if !ok || len(c.Args) == 0 {
					return true
				}
				sel, ok := c.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				if x, ok := sel.X.(*ast.Ident); !ok || x.Name != "lang" {
					return true
				}
				switch sel.Sel.Name {
				case "L", "N", "X", "Localize", "LocalizePlural", "LocalizeKey":
				default:
					return true
				}
				at := fset.Position(c.Pos()).String()
				var key string
				switch a := c.Args[0].(type) {
				case *ast.BasicLit:
					key, _ = strconv.Unquote(a.Value)
				case *ast.Ident:
					key = consts[a.Name]
				case *ast.SelectorExpr:
					if x, ok := a.X.(*ast.Ident); ok && x.Name == "app" && strings.HasPrefix(a.Sel.Name, "Msg") {
						key = appMsgs[a.Sel.Name]
					}
				}
				if key == "" {
					// A message from another layer (an error's, a stored
					// reason) must go through msgText; a label from a
					// table of the screen's own, or a template given its
					// data, is the screen's business.
					passed := false
					switch a := c.Args[0].(type) {
					case *ast.CallExpr:
						passed = true
					case *ast.SelectorExpr:
						switch a.Sel.Name {
						case "Message", "LastError", "Reason", "ReadOnlyReason":
							passed = len(c.Args) == 1
						}
					}
					if passed && filepath.Base(file) != "i18n.go" {
						t.Errorf("%s: lang.%s of a message from another layer; use msgText or errText", at, sel.Sel.Name)
					}
					return true
				}
				out = append(out, sourceKey{key, at})
				return true
			})
		}
	}
	return out
}

// fyneKeys are the strings Fyne's own widgets and dialogs translate
// (OK, Cancel, Copy, Paste, Quit…), from its English base file.
func fyneKeys(t *testing.T) []sourceKey {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "fyne.io/fyne/v2").Output()
	if err != nil {
		t.Fatalf("go list fyne: %v", err)
	}
	path := filepath.Join(strings.TrimSpace(string(out)), "lang", "translations", "base.en.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]any{}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var ks []sourceKey
	for k := range m {
		ks = append(ks, sourceKey{k, path})
	}
	return ks
}

// TestTranslationCoverage walks the Go source: every key looked up with
// lang.L/N/X, every message a service can carry to the screen, and Fyne's
// own strings must be in the English and the Japanese files.
func TestTranslationCoverage(t *testing.T) {
	en, ja := readAll(t, "en"), readAll(t, "ja")
	msgs := messageKeys(t)
	keys := langKeys(t)
	if len(keys) < 300 || len(msgs) < 60 {
		t.Fatalf("the scan found only %d lang keys and %d messages: it no longer reads the code", len(keys), len(msgs))
	}
	seen := map[string]bool{}
	for _, group := range [][]sourceKey{keys, msgs, fyneKeys(t)} {
		for _, k := range group {
			if seen[k.key] {
				continue
			}
			seen[k.key] = true
			if _, ok := en[k.key]; !ok {
				t.Errorf("English lacks %q (%s)", k.key, k.at)
			}
			if _, ok := ja[k.key]; !ok {
				t.Errorf("Japanese lacks %q (%s)", k.key, k.at)
			}
		}
	}
	for k := range en {
		if _, ok := ja[k]; !ok {
			t.Errorf("Japanese lacks %q, which English has", k)
		}
	}
	for k := range ja {
		if _, ok := en[k]; !ok {
			t.Errorf("English lacks %q, which Japanese has", k)
		}
	}
	// A message template's placeholders must be the same in both.
	for k, v := range en {
		if strings.Contains(k, "%") {
			if a, b := placeholders(v), placeholders(ja[k]); a != b {
				t.Errorf("%q: English uses %s, Japanese %s", k, a, b)
			}
		}
	}
}

// placeholders lists a translation's {{.X}} fields, sorted.
func placeholders(v any) string {
	s := ""
	switch v := v.(type) {
	case string:
		s = v
	case map[string]any:
		s = v["other"].(string)
	}
	fs := regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`).FindAllStringSubmatch(s, -1)
	var out []string
	for _, f := range fs {
		out = append(out, f[1])
	}
	sort.Strings(out)
	return strings.Join(slices.Compact(out), ",")
}

// readAll merges every translation file of a language ("ja": ja.json and
// every *.ja.json), failing on a key two files give different texts.
func readAll(t *testing.T, code string) map[string]any {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("translations", "*."+code+".json"))
	files = append(files, filepath.Join("translations", code+".json"))
	m := map[string]any{}
	from := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		part := map[string]any{}
		if err := json.Unmarshal(b, &part); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for k, v := range part {
			if old, ok := m[k]; ok {
				a, _ := json.Marshal(old)
				b, _ := json.Marshal(v)
				if !bytes.Equal(a, b) {
					t.Errorf("%q is %s in %s but %s in %s", k, a, from[k], b, f)
				}
			}
			m[k] = v
			from[k] = f
		}
	}
	return m
}

// notJapanese are the Japanese texts that may be written in Latin letters.
var notJapanese = map[string]bool{
	"OK": true, "CC": true, "BCC": true, "Tandem": true, "Zoho Desk": true, "ZSC key": true, "last-first": true,
	"CC：{{.List}}": true, ", ": true, "Web": true, "Facebook": true, "X（Twitter）": true, "Enter": true, "ja": true, // a format name (backups.dateformat)

}

// TestJapaneseIsJapanese fails on a Japanese text left in English: every
// text must contain Japanese script unless it is a name or a code.
func TestJapaneseIsJapanese(t *testing.T) {
	for k, v := range readAll(t, "ja") {
		texts := []string{}
		switch v := v.(type) {
		case string:
			texts = append(texts, v)
		case map[string]any:
			for _, s := range v {
				texts = append(texts, s.(string))
			}
		}
		for _, s := range texts {
			bare := regexp.MustCompile(`\{\{[^}]*\}\}`).ReplaceAllString(s, "")
			if notJapanese[s] || strings.TrimFunc(bare, func(r rune) bool { return !unicode.IsLetter(r) }) == "" {
				continue
			}
			if !strings.ContainsFunc(bare, func(r rune) bool { return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) }) {
				t.Errorf("%q is not translated: %q", k, s)
			}
		}
	}
}

// captureLog collects what the standard logger (Fyne's LogError) writes
// while f runs.
func captureLog(f func()) string {
	var buf bytes.Buffer
	old := log.Writer()
	log.SetOutput(&buf)
	defer log.SetOutput(old)
	f()
	return buf.String()
}
