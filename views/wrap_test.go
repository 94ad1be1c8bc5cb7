package views

import (
	"sort"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

func TestBreakable(t *testing.T) {
	b := string(hairSpace)
	for in, want := range map[string]string{
		"Zoho Desk: online": "Zoho Desk: online",
		"連絡先":               "連" + b + "絡" + b + "先",
		"Zoho Desk の連絡先":    "Zoho Desk の" + b + "連" + b + "絡" + b + "先",
		"「山田」さん。":           "「山" + b + "田」" + b + "さん。",
		// No line of one character and its full stop ("ん。" alone).
		"表示できません。":           "表" + b + "示" + b + "で" + b + "き" + b + "ま" + b + "せん。",
		"チョコレート":             "チョ" + b + "コ" + b + "レー" + b + "ト", // small kana and ー stay with the one before
		"ZSCキー":              "ZSC" + b + "キー",
		"12 件":               "12 件",
		"taro@example.jp：済み": "taro@example.jp：" + b + "済" + b + "み",
	} {
		if got := breakable(in); got != want {
			t.Errorf("breakable(%q) = %q, want %q", in, got, want)
		}
		if got := unbreakable(breakable(in)); got != in {
			t.Errorf("unbreakable(breakable(%q)) = %q", in, got)
		}
	}
}

// TestJapaneseWrapsAtCharacters lays a Japanese sentence with Latin
// words in it out in a narrow label: without break opportunities Fyne
// breaks after "Zoho Desk", leaving a short first line; with them every
// line but the last is nearly full.
func TestJapaneseWrapsAtCharacters(t *testing.T) {
	test.NewTempApp(t)
	text := "Tandem を Zoho Desk のヘルプデスクに接続すると、顧客のサポートチケットを連絡先・会社・パイプラインのレコードで確認できます。"
	lines := func(s string) []string {
		l := widget.NewLabel(s)
		l.Wrapping = fyne.TextWrapWord
		w := test.NewWindow(l)
		defer w.Close()
		w.Resize(fyne.NewSize(300, 400))
		return wrappedLines(l)
	}
	before, after := lines(text), lines(breakable(text))
	t.Logf("without: %q\nwith: %q", before, after)
	if len(before) < 2 || len(after) < 2 {
		t.Fatalf("not wrapped: %q / %q", before, after)
	}
	first := func(ls []string) int { return len([]rune(unbreakable(ls[0]))) }
	if first(after) <= first(before) {
		t.Errorf("first line %d characters with break opportunities, %d without: %q", first(after), first(before), after)
	}
	if len(after) > len(before) {
		t.Errorf("more lines with break opportunities (%d) than without (%d)", len(after), len(before))
	}
}

// wrappedLines returns the lines a wrapped label draws, top to bottom.
func wrappedLines(o fyne.CanvasObject) []string {
	rows := map[float32]string{}
	var walkText func(o fyne.CanvasObject, y float32)
	walkText = func(o fyne.CanvasObject, y float32) {
		y += o.Position().Y
		switch o := o.(type) {
		case *canvas.Text:
			rows[y] += o.Text
		case *fyne.Container:
			for _, c := range o.Objects {
				walkText(c, y)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(o).Objects() {
				walkText(c, y)
			}
		}
	}
	walkText(o, 0)
	var ys []float32
	for y := range rows {
		ys = append(ys, y)
	}
	sort.Slice(ys, func(i, j int) bool { return ys[i] < ys[j] })
	out := make([]string, len(ys))
	for i, y := range ys {
		out[i] = rows[y]
	}
	return out
}
