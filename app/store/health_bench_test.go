package store

import (
	"context"
	"os"
	"testing"
)

// BenchmarkQuickCheck100k is what Open's quick_check costs on the
// benchmark database (100k contacts, 20k companies, 10k records). The
// floor, BenchmarkScanTables100k, reads every row of every table once
// through SQL in the same run; BenchmarkIntegrityCheck100k is the full
// check the window runs in the background and before backups and exports.
func BenchmarkQuickCheck100k(b *testing.B) { benchPragma(b, "quick_check") }

// BenchmarkIntegrityCheck100k: see BenchmarkQuickCheck100k.
func BenchmarkIntegrityCheck100k(b *testing.B) { benchPragma(b, "integrity_check") }

func benchPragma(b *testing.B, pragma string) {
	db := benchDB(b)
	ctx := context.Background()
	if fi, err := os.Stat(db.Path()); err == nil {
		b.ReportMetric(float64(fi.Size())/(1<<20), "MiB")
	}
	for b.Loop() {
		problems, err := check(ctx, db.read, pragma)
		if err != nil || len(problems) > 0 {
			b.Fatal(problems, err)
		}
	}
}

// BenchmarkScanTables100k: see BenchmarkQuickCheck100k.
func BenchmarkScanTables100k(b *testing.B) {
	db := benchDB(b)
	ctx := context.Background()
	ts, err := tables(ctx, db.read)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		for _, t := range ts {
			var n int
			if err := db.read.QueryRowContext(ctx, "SELECT count(*) FROM "+quote(t.name)+" NOT INDEXED").Scan(&n); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkOpen100k opens the benchmark database (quick_check included).
func BenchmarkOpen100k(b *testing.B) {
	path := benchDB(b).Path()
	ctx := context.Background()
	for b.Loop() {
		db, err := Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		db.Close()
	}
}
