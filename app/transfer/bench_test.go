package transfer

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkPreview100MB measures what the Import dialog's preview costs on
// a 100 MB Shift_JIS file: open, detect, read the first 20 rows. It
// reports the time and how much of the file was read (the preview reads
// only what it shows).
func BenchmarkPreview100MB(b *testing.B) {
	path := filepath.Join(os.TempDir(), "tandem-bench-100mb-sjis.csv")
	if st, err := os.Stat(path); err != nil || st.Size() < 100<<20 {
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		w := bufio.NewWriterSize(f, 1<<20)
		w.Write(encode(b, ShiftJIS, "姓,名,メールアドレス,電話番号,会社名,備考\r\n"))
		row := encode(b, ShiftJIS, "山田,太郎,taro%d@example.jp,03-1234-5678,山田商事株式会社,東京都千代田区丸の内一丁目のオフィスにて打ち合わせ\r\n")
		for n := 0; n < 100<<20; {
			k, _ := fmt.Fprintf(w, string(row), n)
			n += k
		}
		w.Flush()
		f.Close()
	}
	var total time.Duration
	var read int64
	for b.Loop() {
		start := time.Now()
		f, err := Open(path, OpenOptions{})
		if err != nil {
			b.Fatal(err)
		}
		mp := Mapper{Kind: KindContact, Header: f.Header(), Mapping: Guess(KindContact, f.Header())}
		rows, err := Preview(f, mp, 20)
		if err != nil || len(rows) != 20 || f.Encoding != ShiftJIS {
			b.Fatal(err, len(rows), f.Encoding)
		}
		read = f.Read()
		f.Close()
		total += time.Since(start)
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/preview")
	b.ReportMetric(float64(read)/(1<<10), "KB-read")
}
