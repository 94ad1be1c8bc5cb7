package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/kana"
	"github.com/tandem-crm/tandem/app/sample"
	"github.com/tandem-crm/tandem/app/store"
)

const usage = `Usage: tandem [--data-dir DIR] [command | FILE]

Without a command, opens the Tandem window.

Commands:
  backup [FILE]                           a checked copy of the database (default: into the backups folder)
  restore FILE                            replace the database with a backup; the current one is set aside
  contacts list [-q QUERY] [-limit N]     print contacts
  contacts add -last NAME [-first NAME] [-email E] [-phone P] [-company NAME]
  contacts import [flags] FILE            import a CSV, TSV, .xlsx or vCard file (per-row report;
                                          exit 3 when rows were refused). Flags: -encoding E,
                                          -delimiter comma|tab|semicolon, -sheet NAME, -map FILE.json,
                                          -on-duplicate skip|update|create, -dry-run, -refused FILE.csv
  contacts export [-q QUERY] [-format csv|csv-plain|xlsx] [-raw] [FILE]
                                          export (stdout without FILE); cells that would run as
                                          spreadsheet formulas get a leading ' unless -raw
  contacts update ID [-first N] [-last N] [-email E] [-phone P] [-mobile P] [-title T] [-company NAME] [-notes N]
  contacts delete ID...
  companies list|add|update|delete|import|export   the same for companies (add: -name NAME)
  records import [-pipeline NAME] [flags] FILE     pipeline records (stage by name, contacts by email)
  records export [-pipeline NAME] [flags] [FILE]
  undo-import                             take back the last import
  db check                                full integrity check of the database file
  db salvage                              copy what can be read of a damaged database into a
                                          new file in its place (the damaged one is kept aside)
  sample                                  load the demo data into an empty database
  seed [-contacts N] [-companies M] [-records K] [-seed S]
                                          generate a large data set for benchmarks
  desk configure [-org ID] [-mode two_way|one_way|none] [-admin-email E] [-mapping FILE]
                                          connect a Zoho Desk portal without the window;
                                          the refresh token comes from $TANDEM_ZOHO_REFRESH_TOKEN
                                          (or the keyring); with -admin-email it is that portal
                                          administrator's grant; -mapping: a file as printed by
                                          "desk mapping"
  desk mapping                            print the active portal's field mapping (JSON)
  desk sync                               run one sync pass and print what it did
  desk status                             last success, pending outbox, conflicts, record errors
  desk conflicts                          fields the two sides disagreed on, with the value that lost
  desk restore|dismiss ID                 take a conflict's losing value back, or keep the winner
  desk retry ID                           send a failed action again
  desk deactivate                         stop syncing the active portal (tickets stay in Desk)

Global flags:
  --data-dir DIR     the database folder (default: your data folder)
  --desk TARGET      demo (the built-in demo help desk), a Zoho region (us, eu, uk, in, au, jp,
                     cn, ca, sa), or a URL; default: the demo unless Tandem has a Zoho client id
  --hidden           start in the tray without showing the window
  --import FILE      open the window's Import… on FILE (also: tandem FILE)
  --version          print the version
`

// run parses the global flags and dispatches; it returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("tandem", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	dataDir := fs.String("data-dir", defaultDataDir(), "folder for the database and settings")
	deskTarget := fs.String("desk", defaultDeskTarget(), "help desk: demo, a Zoho region (us, eu, uk, in, au, jp, cn, ca, sa) or a base URL")
	showVersion := fs.Bool("version", false, "print the version and exit")
	hidden := fs.Bool("hidden", false, "start in the tray without showing the window (used at login)")
	importFile := fs.String("import", "", "open the window's Import… on this file (CSV, TSV, .xlsx, vCard)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	rest := fs.Args()
	if *showVersion {
		fmt.Fprintln(stdout, versionLine())
		return 0
	}
	if len(rest) == 1 && *importFile == "" && importable(rest[0]) {
		// A file manager's "Open with Tandem" passes the file alone.
		*importFile, rest = rest[0], nil
	}
	if len(rest) == 0 || rest[0] == "gui" {
		o := guiOptions{dataDir: *dataDir, deskTarget: *deskTarget, hidden: *hidden}
		if *importFile != "" {
			abs, err := filepath.Abs(*importFile)
			if err == nil {
				_, err = os.Stat(abs)
			}
			if err != nil {
				fmt.Fprintln(stderr, "tandem: cannot import:", err)
				return 1
			}
			o.importFile = abs
		}
		return runGUI(ctx, o, stdout, stderr)
	}
	// One instance per data folder: some commands go through a running
	// window or wait for the folder (lifecycle.go).
	g, err := guardFolder(ctx, *dataDir, rest, stdout)
	if err != nil || g.handled {
		return exitCode(stdout, stderr, err)
	}
	defer g.done(ctx)
	path, err := dbPath(*dataDir)
	if err != nil {
		fmt.Fprintln(stderr, "tandem:", err)
		return 1
	}
	// Export and the db commands open a damaged file (read-only) so they
	// can say how much of it is lost; every other command refuses it.
	db, err := store.OpenOptions(ctx, path, store.Options{AllowDamaged: readsDamaged(rest)})
	if err != nil {
		printError(stderr, err)
		slog.Debug("open failed", "err", err)
		return 1
	}
	defer db.Close()
	crm := app.CRM{Contacts: db, Companies: db, Pipelines: db, Imports: db, Export: db}
	c := &cli{ctx: ctx, crm: crm, db: db, out: stdout, errw: stderr, deskTarget: *deskTarget}
	switch rest[0] {
	case "contacts":
		err = c.contacts(rest[1:])
	case "companies":
		err = c.companies(rest[1:])
	case "records":
		err = c.records(rest[1:])
	case "undo-import":
		err = c.undoImport()
	case "sample":
		err = c.sample()
	case "seed":
		err = c.seed(rest[1:])
	case "desk":
		err = c.desk(rest[1:])
	case "db":
		err = c.dbCommand(rest[1:])
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		err = errUsage
	}
	return exitCode(stdout, stderr, err)
}

// exitCode reports err to the person and returns the exit code.
func exitCode(stdout, stderr io.Writer, err error) int {
	switch {
	case errors.Is(err, errUsage):
		fmt.Fprint(stderr, usage)
		return 2
	case errors.Is(err, errRowsRejected):
		return 3
	case err != nil:
		printError(stderr, err)
		return 1
	}
	return 0
}

var (
	errUsage        = errors.New("usage")
	errRowsRejected = errors.New("some rows were rejected")
)

type cli struct {
	ctx  context.Context
	crm  app.CRM
	db   *store.DB
	out  io.Writer
	errw io.Writer

	deskTarget string
}

func (c *cli) contacts(args []string) error {
	if len(args) == 0 {
		return errUsage
	}
	switch args[0] {
	case "list":
		fs := flag.NewFlagSet("contacts list", flag.ContinueOnError)
		q := fs.String("q", "", "search prefix")
		limit := fs.Int("limit", 50, "how many")
		if err := fs.Parse(args[1:]); err != nil {
			return errUsage
		}
		cs, err := c.crm.Contacts.ListContacts(c.ctx, app.ContactFilter{Query: *q, Limit: *limit})
		if err != nil {
			return err
		}
		for _, x := range cs {
			fmt.Fprintf(c.out, "%d\t%s\t%s\t%s\t%s\t%s\n", x.ID, x.DisplayName(), x.Email, x.Phone, x.CompanyName, x.Reading())
		}
		return nil
	case "add":
		fs := flag.NewFlagSet("contacts add", flag.ContinueOnError)
		var x app.Contact
		fs.StringVar(&x.FirstName, "first", "", "first name")
		fs.StringVar(&x.LastName, "last", "", "last name (required)")
		fs.StringVar(&x.LastNameReading, "last-reading", "", "how the last name is read, in kana (姓の読み)")
		fs.StringVar(&x.FirstNameReading, "first-reading", "", "how the first name is read, in kana (名の読み)")
		fs.StringVar(&x.Email, "email", "", "email")
		fs.StringVar(&x.Phone, "phone", "", "phone")
		company := fs.String("company", "", "company name (must exist)")
		if err := fs.Parse(args[1:]); err != nil {
			return errUsage
		}
		if *company != "" {
			cos, err := c.crm.Companies.ListCompanies(c.ctx, app.CompanyFilter{Name: *company, Limit: 1})
			if err != nil {
				return err
			}
			if len(cos) == 0 {
				return app.Errorf(app.ENOTFOUND, "No company is named %q; add it first with `tandem companies add`.", *company)
			}
			x.CompanyID = cos[0].ID
		}
		x.Normalize()
		x.LastNameReading, x.FirstNameReading = kana.Normalize(x.LastNameReading), kana.Normalize(x.FirstNameReading)
		if x.Email != "" {
			dups, err := c.crm.Contacts.ListContacts(c.ctx, app.ContactFilter{Email: x.Email, Limit: 5})
			if err != nil {
				return err
			}
			for _, d := range dups {
				fmt.Fprintf(c.errw, "warning: contact %d (%s) has the same email\n", d.ID, d.DisplayName())
			}
		}
		if err := c.crm.Contacts.CreateContact(c.ctx, &x); err != nil {
			return fieldErrors(c.errw, err)
		}
		fmt.Fprintln(c.out, x.ID)
		return nil
	case "import":
		return c.importCmd(app.KindContact, "contacts", args[1:])
	case "export":
		return c.exportCmd(app.KindContact, args[1:])
	case "update":
		return c.updateContact(args[1:])
	case "delete":
		return c.deleteCmd(args[1:], func(id int64) error { return c.crm.Contacts.DeleteContact(c.ctx, id) })
	}
	return errUsage
}

func (c *cli) companies(args []string) error {
	if len(args) == 0 {
		return errUsage
	}
	switch args[0] {
	case "list":
		fs := flag.NewFlagSet("companies list", flag.ContinueOnError)
		q := fs.String("q", "", "search prefix")
		limit := fs.Int("limit", 50, "how many")
		if err := fs.Parse(args[1:]); err != nil {
			return errUsage
		}
		cs, err := c.crm.Companies.ListCompanies(c.ctx, app.CompanyFilter{Query: *q, Limit: *limit})
		if err != nil {
			return err
		}
		for _, x := range cs {
			fmt.Fprintf(c.out, "%d\t%s\t%s\t%s\t%s\n", x.ID, x.Name, x.City, x.Phone, x.NameReading)
		}
		return nil
	case "add":
		fs := flag.NewFlagSet("companies add", flag.ContinueOnError)
		var x app.Company
		fs.StringVar(&x.Name, "name", "", "name (required)")
		fs.StringVar(&x.NameReading, "reading", "", "how the name is read, in kana (会社名の読み)")
		fs.StringVar(&x.Email, "email", "", "email")
		fs.StringVar(&x.Phone, "phone", "", "phone")
		fs.StringVar(&x.City, "city", "", "city")
		if err := fs.Parse(args[1:]); err != nil {
			return errUsage
		}
		x.Normalize()
		x.NameReading = kana.Normalize(x.NameReading)
		if err := c.crm.Companies.CreateCompany(c.ctx, &x); err != nil {
			return fieldErrors(c.errw, err)
		}
		fmt.Fprintln(c.out, x.ID)
		return nil
	case "import":
		return c.importCmd(app.KindCompany, "companies", args[1:])
	case "export":
		return c.exportCmd(app.KindCompany, args[1:])
	case "update":
		return c.updateCompany(args[1:])
	case "delete":
		return c.deleteCmd(args[1:], func(id int64) error { return c.crm.Companies.DeleteCompany(c.ctx, id) })
	}
	return errUsage
}

func (c *cli) export(args []string, write func(io.Writer) error) error {
	if len(args) == 0 || args[0] == "-" {
		return write(c.out)
	}
	tmp := args[0] + ".part"
	f, err := os.Create(tmp)
	if err != nil {
		return app.Errorf(app.EINVALID, "Cannot write %s: %v", args[0], err)
	}
	if err := write(f); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, args[0])
}

func fieldErrors(w io.Writer, err error) error {
	var v *app.ValidationError
	if errors.As(err, &v) {
		for _, f := range v.Fields {
			fmt.Fprintf(w, "%s: %s\n", strings.ToLower(f.Field), f.Message)
		}
	}
	return err
}

func (c *cli) sample() error {
	empty, err := c.db.IsEmpty(c.ctx)
	if err != nil {
		return err
	}
	if !empty {
		return app.Errorf(app.ECONFLICT, "The database already has data; sample data is only loaded into an empty one.")
	}
	if err := sample.Load(c.ctx, c.crm, 1, sample.Demo); err != nil {
		return err
	}
	fmt.Fprintln(c.out, "sample data loaded")
	return nil
}

func (c *cli) seed(args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	var sz sample.Sizes
	fs.IntVar(&sz.Contacts, "contacts", 100_000, "contacts")
	fs.IntVar(&sz.Companies, "companies", 20_000, "companies")
	fs.IntVar(&sz.Records, "records", 10_000, "pipeline records")
	seed := fs.Uint64("seed", 1, "random seed")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	start := time.Now()
	if err := sample.Load(c.ctx, c.crm, *seed, sz); err != nil {
		return err
	}
	took := time.Since(start)
	fmt.Fprintf(c.out, "seeded %d contacts, %d companies, %d records in %.2fs\n", sz.Contacts, sz.Companies, sz.Records, took.Seconds())
	return nil
}

// importable reports whether arg names an existing file Import… reads
// (by its extension), so `tandem FILE` opens it instead of failing as an
// unknown command.
func importable(arg string) bool {
	switch strings.ToLower(filepath.Ext(arg)) {
	case ".csv", ".tsv", ".txt", ".xlsx", ".vcf":
	default:
		return false
	}
	st, err := os.Stat(arg)
	return err == nil && st.Mode().IsRegular()
}
