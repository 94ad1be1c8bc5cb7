package transfer

import (
	"errors"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/tandem-crm/tandem/app"
)

// xlsxSource streams one sheet of a workbook with excelize's row iterator,
// which reads the sheet's XML as it goes (a large sheet is unpacked to a
// temporary file, not into memory).
type xlsxSource struct {
	f      *excelize.File
	rows   *excelize.Rows
	header []string
	line   int // the sheet row last read (1-based)
	row    int
}

func openXLSX(path, sheet string) (Source, []string, string, error) {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return nil, nil, "", &app.Error{Code: app.EINVALID, Message: "The file cannot be read as an Excel workbook (.xlsx).", Err: err}
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		f.Close()
		return nil, nil, "", app.Errorf(app.EINVALID, "The workbook has no sheets.")
	}
	if sheet == "" {
		sheet = sheets[0]
	}
	found := false
	for _, s := range sheets {
		found = found || s == sheet
	}
	if !found {
		f.Close()
		return nil, nil, "", app.Errorf(app.EINVALID, "The workbook has no sheet of that name.")
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		f.Close()
		return nil, nil, "", &app.Error{Code: app.EINVALID, Message: "The sheet cannot be read.", Err: err}
	}
	s := &xlsxSource{f: f, rows: rows}
	for {
		cells, err := s.next()
		if errors.Is(err, io.EOF) {
			s.Close()
			return nil, nil, "", app.Errorf(app.EINVALID, "The sheet is empty: its first row should name the columns.")
		}
		if err != nil {
			s.Close()
			return nil, nil, "", err
		}
		if blank(cells) {
			continue
		}
		s.header = make([]string, len(cells))
		for i, h := range cells {
			s.header[i] = strings.TrimSpace(h)
		}
		return s, sheets, sheet, nil
	}
}

func (s *xlsxSource) next() ([]string, error) {
	if !s.rows.Next() {
		if err := s.rows.Error(); err != nil {
			return nil, &app.Error{Code: app.EINVALID, Message: "The workbook cannot be read to its end: it may be damaged.", Err: err}
		}
		return nil, io.EOF
	}
	s.line++
	cells, err := s.rows.Columns()
	if err != nil {
		return nil, &app.Error{Code: app.EINVALID, Message: "A row of the sheet cannot be read: the workbook may be damaged.", Err: err}
	}
	return cells, nil
}

func (s *xlsxSource) Header() []string { return s.header }

func (s *xlsxSource) Next() (*Record, error) {
	for {
		cells, err := s.next()
		if err != nil {
			return nil, err
		}
		if blank(cells) {
			continue
		}
		s.row++
		r := &Record{Row: s.row, Line: s.line, EndLine: s.line}
		r.Fields = fit(cells, len(s.header), r)
		return r, nil
	}
}

func (s *xlsxSource) Close() error {
	err := s.rows.Close()
	return errors.Join(err, s.f.Close())
}
