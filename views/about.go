package views

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/assets"
)

// About is what Help › About shows.
type About struct {
	Version string // e.g. "0.1.0 (a1b2c3d)"
	DataDir string // the data folder
	// Licenses is the text of the third-party licences shipped with the build.
	Licenses string
}

// aboutContent is the body of the About dialog; openFolder opens the data
// folder in the file manager (nil hides the button).
func aboutContent(u *ui, a About, openFolder func(string) error) fyne.CanvasObject {
	icon := canvas.NewImageFromResource(fyne.NewStaticResource("icon.png", assets.IconPNG))
	icon.FillMode = canvas.ImageFillContain
	icon.SetMinSize(fyne.NewSize(72, 72))
	name := widget.NewLabelWithStyle("Tandem", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	name.SizeName = theme.SizeNameHeadingText
	tagline := widget.NewLabel(lang.L("Contacts, companies and pipelines, with Zoho Desk tickets."))
	version := widget.NewLabel(lang.X("about.version", "Version {{.Version}}", map[string]any{"Version": a.Version}))
	folderLabel := widget.NewLabelWithStyle(lang.L("Data folder"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	folder := widget.NewLabel(a.DataDir)
	folder.Wrapping = fyne.TextWrapBreak
	folder.Selectable = true
	var openBtn fyne.CanvasObject = layoutSpacer()
	if openFolder != nil {
		openBtn = widget.NewButtonWithIcon(lang.L("Open folder"), theme.FolderOpenIcon(), func() {
			if err := openFolder(a.DataDir); err != nil {
				u.showError("open the data folder", err)
			}
		})
	}
	licences := widget.NewButtonWithIcon(lang.L("Third-party licences…"), theme.DocumentIcon(), func() { showLicences(u, a.Licenses) })
	head := container.NewBorder(nil, nil, icon, nil, container.NewVBox(name, tagline, version))
	return container.NewVBox(head, widget.NewSeparator(), folderLabel, folder,
		container.NewHBox(openBtn, licences))
}

// showAbout opens Help › About.
func showAbout(u *ui, a About, openFolder func(string) error) {
	d := dialog.NewCustom(lang.L("About Tandem"), lang.L("Close"), aboutContent(u, a, openFolder), u.win)
	d.Resize(fyne.NewSize(560, 320))
	u.show(d)
}

// showLicences shows the licences of the libraries Tandem is built from.
func showLicences(u *ui, text string) {
	if text == "" {
		text = lang.L("The licence texts are not part of this build.")
	}
	intro := widget.NewLabel(lang.L("Tandem is built with these open-source libraries, under their own licences:"))
	intro.Wrapping = fyne.TextWrapWord
	// Hundreds of kilobytes of text: a list draws only the lines in view
	// (a TextGrid of it takes seconds to build), each a plain monospace
	// text without a label's padding.
	lines := strings.Split(strings.ReplaceAll(text, "\t", "    "), "\n")
	size := fyne.CurrentApp().Settings().Theme().Size(theme.SizeNameCaptionText)
	list := widget.NewList(func() int { return len(lines) },
		func() fyne.CanvasObject {
			t := canvas.NewText("", theme.Color(theme.ColorNameForeground))
			t.TextStyle = fyne.TextStyle{Monospace: true}
			t.TextSize = size
			return t
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			t := o.(*canvas.Text)
			t.Text = lines[id]
			t.Refresh()
		})
	list.HideSeparators = true
	box := container.NewStack(list)
	d := dialog.NewCustom(lang.L("Third-party licences"), lang.L("Close"), container.NewBorder(intro, nil, nil, nil, box), u.win)
	d.Resize(fyne.NewSize(820, 600))
	u.show(d)
}

func layoutSpacer() fyne.CanvasObject { return widget.NewLabel("") }
