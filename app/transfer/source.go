package transfer

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/tandem-crm/tandem/app"
)

// MaxFieldBytes bounds one cell, so a hostile file cannot exhaust memory
// (the largest field Tandem keeps, notes, is 200 KB).
const MaxFieldBytes = 256 << 10

// Record is one data row of a file as read, before it is mapped.
type Record struct {
	Row     int      // 1-based among the data rows (the header is not counted)
	Line    int      // the file's line (CSV) or sheet row (.xlsx) it starts on
	EndLine int      // the line it ends on (later than Line when a quoted field spans lines)
	Fields  []string // one per header column; valid UTF-8
	// Problem, when set, means the row could not be read (a stray quote,
	// bytes not valid in the encoding, a field too large): it is refused
	// with this reason and Fields may be incomplete. It is a message
	// template (a translation key) filled from ProblemArgs; see Render.
	Problem     string
	ProblemArgs map[string]any
}

// Source is a file being read row by row.
type Source interface {
	// Header returns the column names (for vCard, the fields Tandem reads).
	Header() []string
	// Next returns the next row, or io.EOF after the last. Other errors
	// mean the file cannot be read on.
	Next() (*Record, error)
	// Close releases the file.
	Close() error
}

// OpenOptions choose how a file is read; zero values mean "detected".
type OpenOptions struct {
	Encoding  Encoding // for delimited text and vCard
	Delimiter rune     // for delimited text
	Sheet     string   // for .xlsx: the sheet's name; "" is the first
}

// File is a file opened for import: what was detected, what is used, and
// the source of its rows.
type File struct {
	Name      string
	Detected  Detection
	Encoding  Encoding
	Delimiter rune
	Sheets    []string // .xlsx only
	Sheet     string
	Size      int64 // bytes
	read      *countingReader
	Source
}

// Read returns how many bytes of the file have been read so far (0 for
// .xlsx, whose rows are not read in file order); with Size it gives progress.
func (f *File) Read() int64 {
	if f.read == nil {
		return 0
	}
	return f.read.n.Load()
}

type countingReader struct {
	r io.ReadCloser
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func (c *countingReader) Close() error { return c.r.Close() }

// Open opens path with what Detect finds, overridden by opts. A file that
// cannot be read at all (missing, empty, no header, an old .xls) is an
// EINVALID error with a sentence a person can act on.
func Open(path string, opts OpenOptions) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &app.Error{Code: app.EINVALID, Message: "The file cannot be opened.", Err: err}
	}
	head := make([]byte, DetectBytes)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		f.Close()
		return nil, &app.Error{Code: app.EINVALID, Message: "The file cannot be read.", Err: err}
	}
	head = head[:n]
	det := Detect(path, head)
	out := &File{Name: filepath.Base(path), Detected: det, Encoding: det.Encoding, Delimiter: det.Delimiter}
	if opts.Encoding != "" {
		out.Encoding = opts.Encoding
	}
	if opts.Delimiter != 0 {
		out.Delimiter = opts.Delimiter
	}
	switch det.Format {
	case FormatXLS:
		f.Close()
		return nil, app.Errorf(app.EINVALID, "This is an old Excel workbook (.xls). Open it in Excel, save it as .xlsx or CSV, and import that.")
	case FormatXLSX:
		f.Close()
		src, sheets, sheet, err := openXLSX(path, opts.Sheet)
		if err != nil {
			return nil, err
		}
		out.Source, out.Sheets, out.Sheet, out.Encoding, out.Delimiter = src, sheets, sheet, "", 0
		return out, nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("transfer: open: %w", err)
	}
	if st, err := f.Stat(); err == nil {
		out.Size = st.Size()
	}
	out.read = &countingReader{r: f}
	if det.Format == FormatVCard {
		out.Delimiter = 0
		out.Source, err = newVCardSource(out.read, out.Encoding)
	} else {
		out.Source, err = newDelimited(out.read, out.Encoding, out.Delimiter)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return out, nil
}

// delimited reads CSV or TSV with encoding/csv (strict quotes: a stray
// quote is reported, never guessed around).
type delimited struct {
	c      io.Closer
	cr     *csv.Reader
	bad    *badLines
	enc    Encoding
	header []string
	row    int
}

// NewDelimited reads delimited text from r (not closed); exported for
// tests and callers that have a stream rather than a file.
func NewDelimited(r io.Reader, enc Encoding, delim rune) (Source, error) {
	return newDelimited(nopCloser{r}, enc, delim)
}

type nopCloser struct{ io.Reader }

func (nopCloser) Close() error { return nil }

func newDelimited(r io.ReadCloser, enc Encoding, delim rune) (*delimited, error) {
	if enc == "" {
		enc = UTF8
	}
	if delim == 0 {
		delim = ','
	}
	bad := &badLines{}
	cr := csv.NewReader(bufio.NewReaderSize(textReader(r, enc, bad), 64<<10))
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	d := &delimited{c: r, cr: cr, bad: bad, enc: enc}
	for {
		head, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil, app.Errorf(app.EINVALID, "The file is empty: its first row should name the columns.")
		}
		if err != nil {
			return nil, &app.Error{Code: app.EINVALID, Message: "The first row, which should name the columns, cannot be read. Check its quote marks.", Err: err}
		}
		if blank(head) {
			continue
		}
		end, _ := cr.FieldPos(len(head) - 1)
		if line := bad.first(1, end); line != 0 {
			return nil, app.Errorf(app.EINVALID, "The first row, which names the columns, has bytes that are not valid in this encoding. Choose the file's encoding.")
		}
		d.header = make([]string, len(head))
		for i, h := range head {
			d.header[i] = strings.TrimSpace(strings.ReplaceAll(h, "\ufeff", ""))
		}
		return d, nil
	}
}

func (d *delimited) Header() []string { return d.header }
func (d *delimited) Close() error     { return d.c.Close() }

func (d *delimited) Next() (*Record, error) {
	for {
		rec, err := d.cr.Read()
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			d.row++
			msg, args := csvProblemAt(pe)
			return &Record{Row: d.row, Line: pe.StartLine, EndLine: pe.Line, Problem: msg, ProblemArgs: args}, nil
		}
		if err != nil {
			return nil, fmt.Errorf("transfer: read: %w", err)
		}
		if blank(rec) {
			continue
		}
		d.row++
		line, _ := d.cr.FieldPos(0)
		last, _ := d.cr.FieldPos(len(rec) - 1)
		out := &Record{Row: d.row, Line: line, EndLine: last + strings.Count(rec[len(rec)-1], "\n")}
		if bad := d.bad.first(out.Line, out.EndLine); bad != 0 {
			out.Problem, out.ProblemArgs = msgBadBytes, map[string]any{"Line": bad, "Encoding": d.enc.Label()}
		}
		out.Fields = fit(rec, len(d.header), out)
		return out, nil
	}
}

// fit makes a row as wide as the header: missing trailing cells are empty;
// extra cells are allowed when empty, else the row is a problem.
func fit(rec []string, width int, r *Record) []string {
	out := make([]string, width)
	copy(out, rec)
	for i := width; i < len(rec); i++ {
		if strings.TrimSpace(rec[i]) != "" && r.Problem == "" {
			r.Problem, r.ProblemArgs = "The row has {{.Cells}} cells, but the first row names {{.Columns}} columns", map[string]any{"Cells": len(rec), "Columns": width}
		}
	}
	for _, f := range rec {
		if len(f) > MaxFieldBytes && r.Problem == "" {
			r.Problem, r.ProblemArgs = "A cell is larger than {{.KB}} KB", map[string]any{"KB": MaxFieldBytes >> 10}
		}
	}
	return out
}

// msgBadBytes is the problem of a row with bytes its encoding does not allow.
const msgBadBytes = "Line {{.Line}} has bytes that are not valid {{.Encoding}}: choose the file's encoding, or fix the line"

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

func csvProblemAt(pe *csv.ParseError) (string, map[string]any) {
	switch {
	case errors.Is(pe.Err, csv.ErrQuote) && pe.Line > pe.StartLine:
		return "A quote mark on line {{.From}} has no matching closing quote, so lines {{.From}} to {{.To}} cannot be read",
			map[string]any{"From": pe.StartLine, "To": pe.Line}
	case errors.Is(pe.Err, csv.ErrQuote):
		return "Line {{.Line}} has a quote mark in the wrong place: a quoted cell must end with a quote mark before the separator",
			map[string]any{"Line": pe.Line}
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return "Line {{.Line}} has a quote mark inside a cell that is not quoted: write it as two quote marks inside a quoted cell",
			map[string]any{"Line": pe.Line}
	}
	return "Line {{.Line}} cannot be read as CSV", map[string]any{"Line": pe.Line}
}
