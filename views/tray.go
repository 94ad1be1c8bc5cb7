package views

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strconv"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/assets"
)

// TrayParams are what the tray menu acts on.
type TrayParams struct {
	Show    func()            // Open Tandem
	SyncNow func()            // nil without a help desk
	Signals app.SignalService // do not disturb and the unread count; nil leaves them out
	Quit    func()
	// Set hands main a new menu and icon (desktop.App's SetSystemTrayMenu
	// and SetSystemTrayIcon), on the UI goroutine.
	Set func(menu *fyne.Menu, icon fyne.Resource)
	Now func() time.Time // nil: time.Now
}

// Tray is the tray (menu-bar) icon's menu: Open Tandem (with the unread
// count), Sync now, Do not disturb for 1 hour / until tomorrow (or
// Notifications back on), Quit. The icon carries the unread count as a
// badge, which every desktop shows, even those whose tray has no text.
type Tray struct {
	p      TrayParams
	run    *runner
	unread int
	quiet  time.Time // do not disturb until; zero when off
	always bool      // do not disturb without an end (Settings › Signals)
	menu   *fyne.Menu
	icon   fyne.Resource
}

// NewTray builds the tray and follows the unread count until ctx ends.
func NewTray(ctx context.Context, p TrayParams) *Tray {
	return newTray(ctx, p, nil)
}

func newTray(ctx context.Context, p TrayParams, post func(func())) *Tray {
	if p.Now == nil {
		p.Now = time.Now
	}
	t := &Tray{p: p, run: newRunner(ctx, post)}
	t.update()
	if p.Signals != nil {
		watchUnread(ctx, p.Signals, func(n int) {
			t.unread = n
			t.update()
		}, post)
		t.loadQuiet()
	}
	return t
}

// Menu returns the current menu (tests tap its items).
func (t *Tray) Menu() *fyne.Menu { return t.menu }

// Icon returns the current icon.
func (t *Tray) Icon() fyne.Resource { return t.icon }

// update rebuilds the menu and icon and hands them to main.
func (t *Tray) update() {
	open := lang.L("Open Tandem")
	if t.unread > 0 {
		open = lang.X("tray.open.unread", "Open Tandem ({{.Count}} unread)", map[string]any{"Count": t.unread})
	}
	items := []*fyne.MenuItem{fyne.NewMenuItem(open, t.p.Show)}
	if t.p.SyncNow != nil {
		items = append(items, fyne.NewMenuItem(lang.L("Sync now"), t.p.SyncNow))
	}
	if t.p.Signals != nil {
		items = append(items, fyne.NewMenuItemSeparator())
		now := t.p.Now()
		switch {
		case t.always:
			items = append(items, disabled(lang.L("Do not disturb is on (Settings › Signals)")),
				fyne.NewMenuItem(lang.L("Notifications back on"), func() { t.setQuiet(time.Time{}) }))
		case now.Before(t.quiet):
			items = append(items, disabled(lang.X("tray.quiet.until", "No notifications until {{.Time}}", map[string]any{"Time": quietTime(t.quiet, now)})),
				fyne.NewMenuItem(lang.L("Notifications back on"), func() { t.setQuiet(time.Time{}) }))
		default:
			items = append(items,
				fyne.NewMenuItem(lang.L("Do not disturb for 1 hour"), func() { t.setQuiet(t.p.Now().Add(time.Hour)) }),
				fyne.NewMenuItem(lang.L("Do not disturb until tomorrow"), func() { t.setQuiet(tomorrowMorning(t.p.Now())) }))
		}
	}
	quit := fyne.NewMenuItem(lang.L("Quit"), t.p.Quit)
	quit.IsQuit = true
	items = append(items, fyne.NewMenuItemSeparator(), quit)
	t.menu = fyne.NewMenu("Tandem", items...)
	t.icon = badgeIcon(t.unread)
	if t.p.Set != nil {
		t.p.Set(t.menu, t.icon)
	}
}

func disabled(label string) *fyne.MenuItem {
	it := fyne.NewMenuItem(label, nil)
	it.Disabled = true
	return it
}

// loadQuiet reads do not disturb from the saved preferences.
func (t *Tray) loadQuiet() {
	t.run.Go(func(ctx context.Context) func() {
		p, err := t.p.Signals.Prefs(ctx)
		if err != nil {
			logError("tray: signal prefs", err)
			return nil
		}
		return func() {
			t.quiet, t.always = p.DoNotDisturbUntil, p.DoNotDisturb
			t.update()
		}
	})
}

// setQuiet holds notifications back until then (zero: notifications on
// again, which also ends an open-ended do not disturb).
func (t *Tray) setQuiet(until time.Time) {
	t.run.Go(func(ctx context.Context) func() {
		p, err := t.p.Signals.Prefs(ctx)
		if err == nil {
			p.DoNotDisturbUntil = until
			if until.IsZero() {
				p.DoNotDisturb = false
			}
			err = t.p.Signals.SetPrefs(ctx, p)
		}
		return func() {
			if err != nil {
				logError("tray: do not disturb", err)
				return
			}
			t.quiet, t.always = p.DoNotDisturbUntil, p.DoNotDisturb
			t.update()
		}
	})
	if !until.IsZero() {
		// Rebuild the menu once the time has passed, so it offers do not
		// disturb again.
		time.AfterFunc(time.Until(until)+time.Second, func() { t.run.post(t.update) })
	}
}

// tomorrowMorning is 08:00 on the day after now, in now's time zone.
func tomorrowMorning(now time.Time) time.Time {
	y, m, d := now.AddDate(0, 0, 1).Date()
	return time.Date(y, m, d, 8, 0, 0, 0, now.Location())
}

func quietTime(t, now time.Time) string {
	if t.YearDay() == now.YearDay() && t.Year() == now.Year() {
		return t.Format("15:04")
	}
	return lang.X("tray.tomorrow", "tomorrow {{.Time}}", map[string]any{"Time": t.Format("15:04")})
}

var (
	badgeOnce sync.Once
	badgeFace font.Face
	baseIcon  image.Image
	badgeMu   sync.Mutex
	badges    = map[int]fyne.Resource{}
)

// badgeIcon is Tandem's icon with the unread count in a red disc in the
// corner (99+ above 99); the plain icon without unread signals.
func badgeIcon(n int) fyne.Resource {
	badgeMu.Lock()
	defer badgeMu.Unlock()
	if r, ok := badges[n]; ok {
		return r
	}
	badgeOnce.Do(func() {
		src, err := png.Decode(bytes.NewReader(assets.IconPNG))
		if err != nil {
			return
		}
		const size = 64
		dst := image.NewRGBA(image.Rect(0, 0, size, size))
		draw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Over, nil)
		baseIcon = dst
		if f, err := opentype.Parse(gobold.TTF); err == nil {
			badgeFace, _ = opentype.NewFace(f, &opentype.FaceOptions{Size: 26, DPI: 72, Hinting: font.HintingFull})
		}
	})
	if n <= 0 || baseIcon == nil || badgeFace == nil {
		// The 64-pixel icon: the tray sends the icon's pixels over D-Bus
		// (systray), and the 512-pixel one took 0.3 s of the UI goroutine
		// at every start (issue 17).
		data := assets.IconPNG
		var buf bytes.Buffer
		if baseIcon != nil && png.Encode(&buf, baseIcon) == nil {
			data = buf.Bytes()
		}
		r := fyne.NewStaticResource("tandem-tray.png", data)
		badges[n] = r
		return r
	}
	label := strconv.Itoa(n)
	if n > 99 {
		label = "99+"
	}
	img := image.NewRGBA(baseIcon.Bounds())
	draw.Draw(img, img.Bounds(), baseIcon, image.Point{}, draw.Src)
	d := &font.Drawer{Dst: img, Src: image.White, Face: badgeFace}
	w := d.MeasureString(label).Ceil()
	h := 30
	bw := max(h, w+10)
	x0, y0 := img.Bounds().Dx()-bw, 0
	fillPill(img, image.Rect(x0, y0, x0+bw, y0+h), color.RGBA{R: 0xd3, G: 0x2f, B: 0x2f, A: 0xff})
	d.Dot = fixed.P(x0+(bw-w)/2, y0+h-6)
	d.DrawString(label)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return fyne.NewStaticResource("tandem-tray.png", assets.IconPNG)
	}
	r := fyne.NewStaticResource(fmt.Sprintf("tandem-tray-%s.png", label), buf.Bytes())
	badges[n] = r
	return r
}

// fillPill fills r with c as a rounded pill (a disc when r is square).
func fillPill(img *image.RGBA, r image.Rectangle, c color.RGBA) {
	rad := r.Dy() / 2
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cx := x
			switch {
			case x < r.Min.X+rad:
				cx = r.Min.X + rad
			case x >= r.Max.X-rad:
				cx = r.Max.X - rad - 1
			}
			dx, dy := x-cx, y-(r.Min.Y+rad)
			if dx*dx+dy*dy <= rad*rad {
				img.SetRGBA(x, y, c)
			}
		}
	}
}
