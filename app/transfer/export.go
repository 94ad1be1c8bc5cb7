package transfer

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/tandem-crm/tandem/app"
)

// formulaStarts are the first characters that make a spreadsheet read a
// cell as a formula (OWASP, "CSV injection").
const formulaStarts = "=+-@\t\r"

// Neutralise returns s as a spreadsheet shows it but never runs it: a cell
// starting with = + - @, a tab or a carriage return gets a leading ', the
// recipe OWASP gives. Tandem's import drops that mark again.
func Neutralise(s string) string {
	if s != "" && strings.ContainsRune(formulaStarts, rune(s[0])) {
		return "'" + s
	}
	return s
}

// ExportFormat is the file an export writes.
type ExportFormat string

// The export formats.
const (
	CSVWithBOM ExportFormat = "csv-bom" // UTF-8 with a byte-order mark: Excel opens Japanese text correctly
	CSVPlain   ExportFormat = "csv"     // UTF-8 without a BOM, for other programs
	XLSX       ExportFormat = "xlsx"
)

// ExportOptions say what Export writes.
type ExportOptions struct {
	Kind   string // KindContact, KindCompany or KindRecord
	Format ExportFormat
	// Raw writes cells exactly as stored; by default cells a spreadsheet
	// would run as formulas are neutralised.
	Raw       bool
	Contacts  app.ContactFilter // the current search, or all
	Companies app.CompanyFilter
	Records   app.RecordFilter
	// Pipelines names the pipelines of exported records.
	Pipelines map[int64]string
	// Progress, when set, is called every 1000 rows with the count so far.
	Progress func(rows int)
}

// Columns of each kind's export. The import guesses them back.
var (
	ContactColumns = []string{"id", "first_name", "last_name", "email", "phone", "mobile", "title", "company", "notes"}
	CompanyColumns = []string{"id", "name", "email", "website", "phone", "industry", "city", "country", "notes"}
	RecordColumns  = []string{"id", "pipeline", "stage", "name", "amount", "currency", "closing_date", "company", "contact_email", "notes"}
)

// rowWriter is a CSV or an .xlsx sheet being written.
type rowWriter interface {
	write(cells []string) error
	close() error
}

// Export writes the records opts selects to w as they are read from svc,
// so memory stays flat however many there are. It is the one entry point
// of every export (window and command line); it returns how many rows it
// wrote.
func Export(ctx context.Context, w io.Writer, svc app.ExportService, opts ExportOptions) (int, error) {
	var rw rowWriter
	switch opts.Format {
	case XLSX:
		x, err := newXLSXWriter(w)
		if err != nil {
			return 0, err
		}
		rw = x
	case CSVPlain, CSVWithBOM, "":
		bw := bufio.NewWriterSize(w, 64<<10)
		if opts.Format != CSVPlain {
			if _, err := bw.WriteString("\ufeff"); err != nil {
				return 0, fmt.Errorf("transfer: export: %w", err)
			}
		}
		rw = &csvWriter{bw: bw, cw: csv.NewWriter(bw)}
	default:
		return 0, app.Errorf(app.EINVALID, "Unknown export format.")
	}
	n := 0
	put := func(cells []string) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		for i, c := range cells {
			c = strings.ReplaceAll(strings.ReplaceAll(c, "\x00", ""), "\ufeff", "")
			if !opts.Raw {
				c = Neutralise(c)
			}
			cells[i] = c
		}
		n++
		if opts.Progress != nil && n%1000 == 0 {
			opts.Progress(n)
		}
		return rw.write(cells)
	}
	var err error
	switch opts.Kind {
	case KindCompany:
		if err = rw.write(append([]string{}, CompanyColumns...)); err == nil {
			err = svc.EachCompany(ctx, opts.Companies, func(c *app.Company) error {
				return put([]string{id(c.ID), c.Name, c.Email, c.Website, c.Phone, c.Industry, c.City, c.Country, c.Notes})
			})
		}
	case KindRecord:
		if err = rw.write(append([]string{}, RecordColumns...)); err == nil {
			err = svc.EachRecord(ctx, opts.Records, func(r *app.Record) error {
				var emails []string
				for _, c := range r.Contacts { // primary first
					if c.Email != "" {
						emails = append(emails, c.Email)
					}
				}
				return put([]string{id(r.ID), opts.Pipelines[r.PipelineID], r.StageName, r.Name, PlainAmount(r.Amount, r.Currency),
					r.Currency, r.ClosingDate, r.CompanyName, strings.Join(emails, ", "), r.Notes})
			})
		}
	default:
		if err = rw.write(append([]string{}, ContactColumns...)); err == nil {
			err = svc.EachContact(ctx, opts.Contacts, func(c *app.Contact) error {
				return put([]string{id(c.ID), c.FirstName, c.LastName, c.Email, c.Phone, c.Mobile, c.Title, c.CompanyName, c.Notes})
			})
		}
	}
	if err != nil {
		return n, err
	}
	if err := rw.close(); err != nil {
		return n, fmt.Errorf("transfer: export: %w", err)
	}
	return n, nil
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

// PlainAmount writes minor units as a plain decimal a spreadsheet reads as
// a number and the import reads back: "120000", "1234.50".
func PlainAmount(minor int64, cur string) string {
	d := app.CurrencyDigits(cur)
	if d == 0 {
		return strconv.FormatInt(minor, 10)
	}
	s := fmt.Sprintf("%0*d", d+1, minor)
	return s[:len(s)-d] + "." + s[len(s)-d:]
}

type csvWriter struct {
	bw *bufio.Writer
	cw *csv.Writer
}

func (c *csvWriter) write(cells []string) error { return c.cw.Write(cells) }

func (c *csvWriter) close() error {
	c.cw.Flush()
	if err := c.cw.Error(); err != nil {
		return err
	}
	return c.bw.Flush()
}

// xlsxWriter writes one sheet with excelize's stream writer, which keeps
// rows in a temporary file rather than in memory.
type xlsxWriter struct {
	w   io.Writer
	f   *excelize.File
	sw  *excelize.StreamWriter
	row int
	buf []any
}

func newXLSXWriter(w io.Writer) (*xlsxWriter, error) {
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("transfer: export: %w", err)
	}
	return &xlsxWriter{w: w, f: f, sw: sw}, nil
}

func (x *xlsxWriter) write(cells []string) error {
	x.row++
	x.buf = x.buf[:0]
	for _, c := range cells {
		x.buf = append(x.buf, c) // strings: a cell is text, never a formula
	}
	cell, err := excelize.CoordinatesToCellName(1, x.row)
	if err != nil {
		return err
	}
	return x.sw.SetRow(cell, x.buf)
}

func (x *xlsxWriter) close() error {
	defer x.f.Close()
	if err := x.sw.Flush(); err != nil {
		return err
	}
	_, err := x.f.WriteTo(x.w)
	return err
}
