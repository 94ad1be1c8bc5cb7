package transfer

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"text/template"
	"time"

	"github.com/tandem-crm/tandem/app"
)

// BatchRows is how many rows an import hands the store per transaction:
// few enough that a batch's rows in memory stay small (issue 17: 10,000
// kept 18 MB of Go heap live, 2,000 keeps 5 MB), many enough that the
// per-transaction work (the bulk search index fill) is spread thin.
const BatchRows = 2000

// MaxListed is how many refused rows a Summary keeps in memory to show;
// every one of them is written to Options.Refused.
const MaxListed = 200

// Options say how Import runs.
type Options struct {
	Mapper
	OnDuplicate app.OnDuplicate // "" is DupSkip
	Source      string          // the file's name, remembered with the batch
	DryRun      bool            // write nothing: every batch is rolled back
	BatchRows   int             // 0 is BatchRows
	// Refused, when set, receives the refused rows as CSV (UTF-8 with a
	// BOM, so Excel opens it): the file's columns and a reason column, so
	// a person can fix them and import that file again.
	Refused io.Writer
	// ReasonHeader names the reason column ("Reason").
	ReasonHeader string
	// Describe turns a refusal into the text of the reason column; nil
	// uses the English message.
	Describe func(app.RowError) string
	// Progress, when set, is called after each batch.
	Progress func(Progress)
}

// Progress says how far an import has got.
type Progress struct {
	Rows                               int // rows read
	Created, Updated, Skipped, Refused int
}

// Refusal is one refused row: its number, its line in the file, and why.
type Refusal struct {
	Row, Line int
	Errors    []app.RowError
}

// Summary is the outcome of an import.
type Summary struct {
	Batch     app.ImportBatch // ID is 0 for a dry run
	Rows      int             // data rows read
	Warnings  []app.RowError  // the first MaxListed
	Refusals  []Refusal       // the first MaxListed
	Cancelled bool            // ctx ended: the batches before stay written (and can be undone)
	Took      time.Duration
}

// Import reads every row of src, maps it, and writes the valid rows through
// svc in batched transactions under the duplicate policy. It remembers the
// import as a batch, so svc.UndoImport can take it back. When ctx ends it
// stops after the current batch and reports Cancelled; an error from the
// store ends it with that error and the summary so far.
func Import(ctx context.Context, src Source, svc app.ImportService, opts Options) (*Summary, error) {
	start := time.Now()
	if opts.OnDuplicate == "" {
		opts.OnDuplicate = app.DupSkip
	}
	if opts.BatchRows <= 0 {
		opts.BatchRows = BatchRows
	}
	if opts.Header == nil {
		opts.Header = src.Header()
	}
	if opts.Mapping == nil {
		opts.Mapping = Guess(opts.Kind, opts.Header)
	}
	if err := checkMapping(opts.Kind, opts.Mapping); err != nil {
		return nil, err
	}
	sum := &Summary{Batch: app.ImportBatch{Kind: opts.Kind, Source: opts.Source, OnDuplicate: opts.OnDuplicate}}
	var refused *csv.Writer
	if opts.Refused != nil {
		if _, err := io.WriteString(opts.Refused, "\ufeff"); err != nil {
			return nil, fmt.Errorf("transfer: refused rows: %w", err)
		}
		refused = csv.NewWriter(opts.Refused)
		reason := opts.ReasonHeader
		if reason == "" {
			reason = "Reason"
		}
		if err := refused.Write(append(append([]string{}, opts.Header...), reason)); err != nil {
			return nil, fmt.Errorf("transfer: refused rows: %w", err)
		}
	}
	if !opts.DryRun {
		if err := svc.StartImport(ctx, &sum.Batch); err != nil {
			return nil, err
		}
	}
	b := &sum.Batch
	refuse := func(rec *Record, errs []app.RowError) error {
		b.Refused++
		if len(sum.Refusals) < MaxListed {
			sum.Refusals = append(sum.Refusals, Refusal{Row: rec.Row, Line: rec.Line, Errors: errs})
		}
		if refused == nil {
			return nil
		}
		return refused.Write(append(append([]string{}, rec.Fields...), describeAll(errs, opts.Describe)))
	}
	var pending []*Mapped
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		outs, err := writeBatch(ctx, svc, b.ID, opts.OnDuplicate, opts.Kind, pending)
		if err != nil {
			return err
		}
		for i, o := range outs {
			switch o.Action {
			case app.ActionCreated:
				b.Created++
			case app.ActionUpdated:
				b.Updated++
			case app.ActionSkipped:
				b.Skipped++
			default:
				if err := refuse(pending[i].Record, o.Errors); err != nil {
					return fmt.Errorf("transfer: refused rows: %w", err)
				}
			}
		}
		pending = pending[:0]
		if opts.Progress != nil {
			opts.Progress(Progress{Rows: sum.Rows, Created: b.Created, Updated: b.Updated, Skipped: b.Skipped, Refused: b.Refused})
		}
		return nil
	}
	var runErr error
	for {
		if ctx.Err() != nil {
			sum.Cancelled = true
			break
		}
		rec, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			runErr = err
			break
		}
		sum.Rows++
		m := opts.Map(rec)
		for _, w := range m.Warnings {
			if len(sum.Warnings) < MaxListed {
				sum.Warnings = append(sum.Warnings, w)
			}
		}
		if m.Refused() {
			if err := refuse(rec, m.Refusals); err != nil {
				runErr = fmt.Errorf("transfer: refused rows: %w", err)
				break
			}
			continue
		}
		pending = append(pending, m)
		if len(pending) >= opts.BatchRows {
			if err := flush(); err != nil {
				runErr = err
				break
			}
		}
	}
	if runErr == nil && !sum.Cancelled {
		runErr = flush()
	}
	if refused != nil {
		refused.Flush()
		if err := refused.Error(); err != nil && runErr == nil {
			runErr = fmt.Errorf("transfer: refused rows: %w", err)
		}
	}
	if !opts.DryRun {
		// The counts are written even when ctx ended, so the batch can be undone.
		if err := svc.FinishImport(context.WithoutCancel(ctx), b); err != nil && runErr == nil {
			runErr = err
		}
	}
	sum.Took = time.Since(start)
	return sum, runErr
}

func writeBatch(ctx context.Context, svc app.ImportService, id int64, dup app.OnDuplicate, kind string, ms []*Mapped) ([]app.RowOutcome, error) {
	// The batch in flight finishes even when ctx ends: Cancel stops
	// between batches, never inside one.
	ctx = context.WithoutCancel(ctx)
	switch kind {
	case KindCompany:
		rows := make([]app.ImportRow[app.Company], len(ms))
		for i, m := range ms {
			rows[i] = app.ImportRow[app.Company]{Row: m.Record.Row, Value: m.Company}
		}
		return svc.ImportCompanyRows(ctx, id, dup, rows)
	case KindRecord:
		rows := make([]app.ImportRow[app.Record], len(ms))
		for i, m := range ms {
			rows[i] = app.ImportRow[app.Record]{Row: m.Record.Row, Value: m.Item}
		}
		return svc.ImportRecordRows(ctx, id, dup, rows)
	}
	rows := make([]app.ImportRow[app.Contact], len(ms))
	for i, m := range ms {
		rows[i] = app.ImportRow[app.Contact]{Row: m.Record.Row, Value: m.Contact}
	}
	return svc.ImportContactRows(ctx, id, dup, rows)
}

// checkMapping refuses a mapping without the field a kind requires.
func checkMapping(kind string, mapping []string) error {
	has := map[string]bool{}
	for _, k := range mapping {
		has[k] = true
	}
	switch {
	case kind == KindContact && !has["last_name"] && !has["full_name"]:
		return app.Errorf(app.EINVALID, "Choose the column that holds the last name (or the full name).")
	case kind == KindCompany && !has["name"]:
		return app.Errorf(app.EINVALID, "Choose the column that holds the company name.")
	case kind == KindRecord && !has["name"]:
		return app.Errorf(app.EINVALID, "Choose the column that holds the record name.")
	}
	return nil
}

// CheckMapping is checkMapping for callers that want to ask before Import.
func CheckMapping(kind string, mapping []string) error { return checkMapping(kind, mapping) }

func describeAll(errs []app.RowError, describe func(app.RowError) string) string {
	out := ""
	for i, e := range errs {
		if i > 0 {
			out += "; "
		}
		if describe != nil {
			out += describe(e)
		} else {
			out += Describe(e)
		}
	}
	return out
}

// Describe writes a refusal in English: "email: Not a valid email address".
func Describe(e app.RowError) string {
	if e.Field == "" {
		return Render(e.Message, e.Args)
	}
	return e.Field + ": " + Render(e.Message, e.Args)
}

// Preview reads up to n rows of src and maps them, without writing
// anything: what the import would store, and which rows it would refuse.
func Preview(src Source, mp Mapper, n int) ([]*Mapped, error) {
	var out []*Mapped
	for len(out) < n {
		rec, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return out, err
		}
		out = append(out, mp.Map(rec))
	}
	return out, nil
}

// RowLabel is how a row is named to a person: "row 3 (line 4)".
func RowLabel(row, line int) string {
	if line == 0 || line == row+1 {
		return "row " + strconv.Itoa(row)
	}
	return fmt.Sprintf("row %d (line %d)", row, line)
}

var templates sync.Map // message → *template.Template

// Render fills a message's {{.Name}} placeholders from args, in English
// (the window translates the message first, with the same args).
func Render(msg string, args map[string]any) string {
	if len(args) == 0 || !strings.Contains(msg, "{{") {
		return msg
	}
	t, ok := templates.Load(msg)
	if !ok {
		parsed, err := template.New("").Option("missingkey=zero").Parse(msg)
		if err != nil {
			return msg
		}
		t, _ = templates.LoadOrStore(msg, parsed)
	}
	var b strings.Builder
	if err := t.(*template.Template).Execute(&b, args); err != nil {
		return msg
	}
	return b.String()
}
