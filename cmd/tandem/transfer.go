package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/transfer"
)

// parseInterspersed parses fs over args allowing flags after the
// positional arguments ("import FILE -dry-run"); it returns the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// importCmd is `contacts|companies|records import`: the same engine as
// the window's Import… dialog.
func (c *cli) importCmd(kind, what string, args []string) error {
	fs := flag.NewFlagSet(what+" import", flag.ContinueOnError)
	fs.SetOutput(c.errw)
	encName := fs.String("encoding", "auto", "the file's encoding: auto, utf-8, shift_jis (cp932), utf-16le, utf-16be, euc-jp, windows-1252")
	delim := fs.String("delimiter", "auto", "the separator of a text file: auto, comma, tab, semicolon")
	sheet := fs.String("sheet", "", "the sheet of an .xlsx workbook (default: the first)")
	mapFile := fs.String("map", "", `a JSON file mapping column names to fields, e.g. {"氏名": "full_name", "FAX": ""}`)
	onDup := fs.String("on-duplicate", "skip", "a row matching an existing record (same email, or same company or record name): skip, update or create")
	dry := fs.Bool("dry-run", false, "read and check every row and report what would happen, writing nothing")
	refused := fs.String("refused", "", "write the refused rows to this CSV file, with a reason column")
	pipeline := fs.String("pipeline", "", "records: the pipeline to import into (default: the first)")
	pos, err := parseInterspersed(fs, args)
	if err != nil || len(pos) != 1 {
		return errUsage
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		// A soft heap limit, as in the window: an import's live heap is a
		// batch of rows, and without it the collector lets garbage double
		// the heap between cycles.
		debug.SetMemoryLimit(48 << 20)
	}
	dup := app.OnDuplicate(*onDup)
	if !dup.Valid() {
		return app.Errorf(app.EINVALID, "-on-duplicate must be skip, update or create, not %q.", *onDup)
	}
	var opts transfer.OpenOptions
	if *encName != "auto" {
		e, ok := transfer.ParseEncoding(*encName)
		if !ok {
			return app.Errorf(app.EINVALID, "Unknown encoding %q: use utf-8, shift_jis, utf-16le, utf-16be, euc-jp or windows-1252.", *encName)
		}
		opts.Encoding = e
	}
	switch *delim {
	case "auto":
	case "comma", ",":
		opts.Delimiter = ','
	case "tab", `\t`:
		opts.Delimiter = '\t'
	case "semicolon", ";":
		opts.Delimiter = ';'
	default:
		return app.Errorf(app.EINVALID, "Unknown delimiter %q: use comma, tab or semicolon.", *delim)
	}
	opts.Sheet = *sheet
	f, err := transfer.Open(pos[0], opts)
	if err != nil {
		return err
	}
	defer f.Close()
	mapping := transfer.Guess(kind, f.Header())
	if *mapFile != "" {
		if mapping, err = readMapping(*mapFile, kind, f.Header(), mapping); err != nil {
			return err
		}
	}
	describeFile(c.errw, f, kind, mapping)
	mp := transfer.Mapper{Kind: kind, Header: f.Header(), Mapping: mapping, Delim: f.Delimiter}
	if kind == app.KindRecord {
		p, err := c.pipeline(*pipeline)
		if err != nil {
			return err
		}
		mp.Pipeline = p
	}
	o := transfer.Options{Mapper: mp, OnDuplicate: dup, Source: f.Name, DryRun: *dry}
	if *refused != "" {
		rf, err := os.Create(*refused)
		if err != nil {
			return app.Errorf(app.EINVALID, "Cannot write %s: %v", *refused, err)
		}
		defer rf.Close()
		o.Refused = rf
	}
	sum, err := transfer.Import(c.ctx, f, c.db, o)
	if sum != nil {
		c.printSummary(what, sum, *dry)
	}
	if err != nil {
		return err
	}
	if sum.Batch.Refused > 0 {
		return errRowsRejected
	}
	return nil
}

// describeFile prints what was detected and how the columns are mapped.
func describeFile(w io.Writer, f *transfer.File, kind string, mapping []string) {
	switch {
	case f.Sheet != "":
		fmt.Fprintf(w, "%s: sheet %q\n", f.Name, f.Sheet)
	case f.Delimiter != 0:
		bom := ""
		if f.Detected.BOM {
			bom = " with BOM"
		}
		fmt.Fprintf(w, "%s: %s%s, separated by %s\n", f.Name, f.Encoding.Label(), bom, delimName(f.Delimiter))
	default:
		fmt.Fprintf(w, "%s: vCard, %s\n", f.Name, f.Encoding.Label())
	}
	var parts []string
	for i, h := range f.Header() {
		k := mapping[i]
		if k == "" {
			k = "skip"
		}
		parts = append(parts, fmt.Sprintf("%s → %s", h, k))
	}
	fmt.Fprintf(w, "columns: %s\n", strings.Join(parts, ", "))
}

func delimName(r rune) string {
	switch r {
	case '\t':
		return "tabs"
	case ';':
		return "semicolons"
	}
	return "commas"
}

// readMapping reads a JSON object of column name → field key over the
// guessed mapping; "" or "skip" leaves a column out.
func readMapping(path, kind string, header, guessed []string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, app.Errorf(app.EINVALID, "Cannot read the mapping file %s: %v", path, err)
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, app.Errorf(app.EINVALID, "The mapping file %s is not a JSON object of column names to fields: %v", path, err)
	}
	known := map[string]bool{"": true}
	for _, f := range transfer.FieldsOf(kind) {
		known[f.Key] = true
	}
	out := append([]string(nil), guessed...)
	used := map[string]bool{}
	for i, h := range header {
		k, ok := m[h]
		if !ok {
			continue
		}
		used[h] = true
		if k == "skip" {
			k = ""
		}
		if !known[k] {
			keys := make([]string, 0, len(known))
			for _, f := range transfer.FieldsOf(kind) {
				keys = append(keys, f.Key)
			}
			return nil, app.Errorf(app.EINVALID, "The mapping file maps %q to %q, which is not a field; use one of %s, or \"skip\".", h, k, strings.Join(keys, ", "))
		}
		out[i] = k
	}
	for h := range m {
		if !used[h] {
			return nil, app.Errorf(app.EINVALID, "The mapping file names a column %q the file does not have.", h)
		}
	}
	return out, nil
}

func (c *cli) printSummary(what string, s *transfer.Summary, dry bool) {
	for _, w := range s.Warnings {
		fmt.Fprintf(c.errw, "row %d: warning: %s\n", w.Row, transfer.Describe(w))
	}
	for _, r := range s.Refusals {
		for _, e := range r.Errors {
			fmt.Fprintf(c.errw, "%s: refused: %s\n", transfer.RowLabel(r.Row, r.Line), transfer.Describe(e))
		}
	}
	if more := s.Batch.Refused - len(s.Refusals); more > 0 {
		fmt.Fprintf(c.errw, "... and %d more refused rows (use -refused FILE to get them all)\n", more)
	}
	b := s.Batch
	verb := "imported"
	if dry {
		verb = "would import (dry run, nothing written)"
	}
	fmt.Fprintf(c.out, "%s %d %s: %d created, %d updated, %d duplicates skipped, %d refused, %d warnings (%.2fs)\n",
		verb, b.Created+b.Updated, what, b.Created, b.Updated, b.Skipped, b.Refused, len(s.Warnings), s.Took.Seconds())
	if s.Cancelled {
		fmt.Fprintln(c.out, "cancelled: the rows before were imported; `tandem undo-import` takes them back")
	}
}

// exportTable names the table each kind of export reads, for the
// integrity check's count of rows it could not read.
var exportTable = map[string]string{
	app.KindContact: "contacts",
	app.KindCompany: "companies",
	app.KindRecord:  "pipeline_records",
}

// exportCmd is `contacts|companies|records export`.
func (c *cli) exportCmd(kind string, args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(c.errw)
	q := fs.String("q", "", "export only what this search finds")
	format := fs.String("format", "", "csv (UTF-8 with BOM, the default), csv-plain (no BOM) or xlsx; a FILE ending in .xlsx means xlsx")
	raw := fs.Bool("raw", false, "write cells as stored: do not neutralise cells a spreadsheet would run as formulas")
	pipeline := fs.String("pipeline", "", "records: only this pipeline")
	pos, err := parseInterspersed(fs, args)
	if err != nil || len(pos) > 1 {
		return errUsage
	}
	// A damaged file would export silently short: check it first.
	if err := c.checkBeforeExport(exportTable[kind]); err != nil {
		return err
	}
	opts := transfer.ExportOptions{Kind: kind, Raw: *raw, Format: transfer.CSVWithBOM}
	switch *format {
	case "", "csv":
		if len(pos) == 1 && strings.EqualFold(filepath.Ext(pos[0]), ".xlsx") {
			opts.Format = transfer.XLSX
		}
	case "csv-plain":
		opts.Format = transfer.CSVPlain
	case "xlsx":
		opts.Format = transfer.XLSX
	default:
		return app.Errorf(app.EINVALID, "-format must be csv, csv-plain or xlsx, not %q.", *format)
	}
	switch kind {
	case app.KindContact:
		opts.Contacts = app.ContactFilter{Query: *q}
	case app.KindCompany:
		opts.Companies = app.CompanyFilter{Query: *q}
	case app.KindRecord:
		ps, err := c.crm.Pipelines.ListPipelines(c.ctx)
		if err != nil {
			return err
		}
		opts.Pipelines = map[int64]string{}
		for _, p := range ps {
			opts.Pipelines[p.ID] = p.Name
		}
		opts.Records = app.RecordFilter{Query: *q}
		if *pipeline != "" {
			p, err := c.pipeline(*pipeline)
			if err != nil {
				return err
			}
			opts.Records.PipelineID = p.ID
		}
	}
	file := "-"
	if len(pos) == 1 {
		file = pos[0]
	}
	return c.export([]string{file}, func(w io.Writer) error {
		_, err := transfer.Export(c.ctx, w, c.db, opts)
		return err
	})
}

// pipeline finds a pipeline by name, or the first when name is "".
func (c *cli) pipeline(name string) (*app.Pipeline, error) {
	ps, err := c.crm.Pipelines.ListPipelines(c.ctx)
	if err != nil {
		return nil, err
	}
	for i := range ps {
		if name == "" || app.NormalizeName(ps[i].Name) == app.NormalizeName(name) {
			return &ps[i], nil
		}
	}
	if name == "" {
		return nil, app.Errorf(app.ENOTFOUND, "There is no pipeline yet: create one in the window first.")
	}
	return nil, app.Errorf(app.ENOTFOUND, "No pipeline is named %q.", name)
}

// updateContact is `contacts update ID -field value...`: only the fields
// given change.
func (c *cli) updateContact(args []string) error {
	fs := flag.NewFlagSet("contacts update", flag.ContinueOnError)
	fs.SetOutput(c.errw)
	first := fs.String("first", "", "first name")
	last := fs.String("last", "", "last name")
	email := fs.String("email", "", "email")
	phone := fs.String("phone", "", "phone")
	mobile := fs.String("mobile", "", "mobile")
	title := fs.String("title", "", "job title")
	company := fs.String("company", "", "company name (must exist; empty removes the company)")
	notes := fs.String("notes", "", "notes")
	pos, err := parseInterspersed(fs, args)
	if err != nil || len(pos) != 1 {
		return errUsage
	}
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil {
		return errUsage
	}
	x, err := c.crm.Contacts.FindContact(c.ctx, id)
	if err != nil {
		return err
	}
	var ferr error
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "first":
			x.FirstName = *first
		case "last":
			x.LastName = *last
		case "email":
			x.Email = *email
		case "phone":
			x.Phone = *phone
		case "mobile":
			x.Mobile = *mobile
		case "title":
			x.Title = *title
		case "notes":
			x.Notes = *notes
		case "company":
			x.CompanyID = 0
			if *company != "" {
				x.CompanyID, ferr = c.companyID(*company)
			}
		}
	})
	if ferr != nil {
		return ferr
	}
	if err := c.crm.Contacts.UpdateContact(c.ctx, x); err != nil {
		return fieldErrors(c.errw, err)
	}
	fmt.Fprintln(c.out, x.ID)
	return nil
}

func (c *cli) companyID(name string) (int64, error) {
	cos, err := c.crm.Companies.ListCompanies(c.ctx, app.CompanyFilter{Name: name, Limit: 1})
	if err != nil {
		return 0, err
	}
	if len(cos) == 0 {
		return 0, app.Errorf(app.ENOTFOUND, "No company is named %q; add it first with `tandem companies add`.", name)
	}
	return cos[0].ID, nil
}

// updateCompany is `companies update ID -field value...`.
func (c *cli) updateCompany(args []string) error {
	fs := flag.NewFlagSet("companies update", flag.ContinueOnError)
	fs.SetOutput(c.errw)
	vals := map[string]*string{}
	for _, n := range []string{"name", "email", "website", "phone", "industry", "city", "country", "notes"} {
		vals[n] = fs.String(n, "", n)
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil || len(pos) != 1 {
		return errUsage
	}
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil {
		return errUsage
	}
	x, err := c.crm.Companies.FindCompany(c.ctx, id)
	if err != nil {
		return err
	}
	fields := map[string]*string{"name": &x.Name, "email": &x.Email, "website": &x.Website, "phone": &x.Phone,
		"industry": &x.Industry, "city": &x.City, "country": &x.Country, "notes": &x.Notes}
	fs.Visit(func(f *flag.Flag) { *fields[f.Name] = *vals[f.Name] })
	if err := c.crm.Companies.UpdateCompany(c.ctx, x); err != nil {
		return fieldErrors(c.errw, err)
	}
	fmt.Fprintln(c.out, x.ID)
	return nil
}

// deleteCmd is `contacts|companies delete ID...`.
func (c *cli) deleteCmd(args []string, del func(id int64) error) error {
	if len(args) == 0 {
		return errUsage
	}
	for _, a := range args {
		id, err := strconv.ParseInt(a, 10, 64)
		if err != nil {
			return errUsage
		}
		if err := del(id); err != nil {
			return err
		}
		fmt.Fprintln(c.out, "deleted", id)
	}
	return nil
}

// records is `records import|export`.
func (c *cli) records(args []string) error {
	if len(args) == 0 {
		return errUsage
	}
	switch args[0] {
	case "import":
		return c.importCmd(app.KindRecord, "records", args[1:])
	case "export":
		return c.exportCmd(app.KindRecord, args[1:])
	}
	return errUsage
}

// undoImport is `undo-import`: the last import taken back.
func (c *cli) undoImport() error {
	b, err := c.db.LastImport(c.ctx)
	if err != nil {
		return err
	}
	res, err := c.db.UndoImport(c.ctx, b.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.out, "undid the import of %s: %d removed, %d restored, %d kept because they were changed since\n",
		b.Source, res.Removed, res.Restored, res.Kept)
	return nil
}
