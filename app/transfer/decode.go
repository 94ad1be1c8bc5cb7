package transfer

import (
	"bytes"
	"io"
	"sort"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/transform"
)

// badLines records the lines on which the decoder met bytes that are not
// valid in the file's encoding. The reader writes it ahead of the parser,
// which asks about the lines of each row and forgets the lines before it,
// so it stays small.
type badLines struct {
	mu    sync.Mutex
	lines []int // increasing
}

func (b *badLines) add(line int) {
	b.mu.Lock()
	if n := len(b.lines); n == 0 || b.lines[n-1] != line {
		b.lines = append(b.lines, line)
	}
	b.mu.Unlock()
}

// first returns the first bad line in [from, to], or 0, and forgets the
// lines before from.
func (b *badLines) first(from, to int) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	i := sort.SearchInts(b.lines, from)
	b.lines = b.lines[i:]
	if len(b.lines) > 0 && b.lines[0] <= to {
		return b.lines[0]
	}
	return 0
}

// textReader decodes r from enc into UTF-8. It never fails on bad bytes:
// each becomes U+FFFD and its line is recorded in bad, so the row it is
// on can be refused with the line number while the rest of the file is
// read. A leading byte-order mark is dropped.
func textReader(r io.Reader, enc Encoding, bad *badLines) io.Reader {
	if dec := enc.decoder(); dec != nil {
		// UseBOM drops a UTF-16 BOM; for other encodings a BOM cannot
		// occur. Every U+FFFD the decoder writes marks a bad byte (these
		// encodings cannot hold U+FFFD itself, except UTF-16, where a
		// stored U+FFFD is already the mark of an earlier loss).
		return &checkReader{r: transform.NewReader(r, dec), bad: bad, line: 1, fffdIsBad: true}
	}
	return &checkReader{r: r, bad: bad, line: 1, utf8: true, atStart: true}
}

// checkReader passes UTF-8 through, counting lines. With utf8 set it
// validates the bytes itself (a valid U+FFFD stays); otherwise every
// U+FFFD is a decoder's replacement of a bad byte.
type checkReader struct {
	r         io.Reader
	bad       *badLines
	line      int
	utf8      bool
	fffdIsBad bool
	atStart   bool
	carry     []byte // an incomplete character at the end of the last read
	out       []byte // decoded bytes not yet returned
	err       error
	buf       [32 << 10]byte
}

func (c *checkReader) Read(p []byte) (int, error) {
	for len(c.out) == 0 {
		if c.err != nil {
			return 0, c.err
		}
		c.fill()
	}
	n := copy(p, c.out)
	c.out = c.out[n:]
	return n, nil
}

func (c *checkReader) fill() {
	n, err := c.r.Read(c.buf[len(c.carry):])
	copy(c.buf[:], c.carry) // carry is at most 3 bytes, kept before the new ones
	data := c.buf[:len(c.carry)+n]
	c.carry = nil
	if err != nil {
		c.err = err
	}
	if c.atStart && len(data) > 0 {
		if len(data) < 3 && err == nil && bytes.HasPrefix(bomUTF8, data) {
			c.carry = append([]byte(nil), data...)
			return
		}
		data = bytes.TrimPrefix(data, bomUTF8)
		c.atStart = false
	}
	out := make([]byte, 0, len(data))
	for i := 0; i < len(data); {
		b := data[i]
		if b == '\n' {
			c.line++
		}
		if b < utf8.RuneSelf {
			out = append(out, b)
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			if c.utf8 && c.err == nil && !utf8.FullRune(data[i:]) {
				c.carry = append([]byte(nil), data[i:]...) // finish it with the next read
				break
			}
			c.bad.add(c.line)
			out = append(out, "\ufffd"...)
			i++
			continue
		}
		if r == utf8.RuneError && c.fffdIsBad {
			c.bad.add(c.line)
		}
		out = append(out, data[i:i+size]...)
		i += size
	}
	c.out = out
	if c.err != nil && len(c.carry) > 0 {
		// The file ends inside a character.
		c.bad.add(c.line)
		c.out = append(c.out, "\ufffd"...)
		c.carry = nil
	}
}
