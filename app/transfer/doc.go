// Package transfer brings a business's data in and out of Tandem: it reads
// CSV and TSV files in the encodings spreadsheets write (UTF-8 with or
// without a byte-order mark, Shift_JIS/CP932, UTF-16 with a BOM, EUC-JP,
// Windows-1252), .xlsx workbooks and vCard files; it guesses which column
// is which Tandem field from English and Japanese headers (and Bigin's and
// Zoho CRM's export headers); it turns rows into contacts, companies or
// pipeline records, refusing each bad row with its reasons; and it writes
// exports as CSV or .xlsx with spreadsheet formulas neutralised.
//
// It is the one import engine: the window and the command line both use
// it. It works on a stream and hands rows to an app.ImportService in
// batches, so memory stays flat whatever the file's size. It never touches
// the UI; callers run it off the UI goroutine.
package transfer
