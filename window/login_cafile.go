package window

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
)

// caExtensions are the file names the CA file dialog lists.
var caExtensions = []string{".pem", ".crt", ".cer"}

// browseCAFile opens a file dialog over the form's window to pick the CA
// file; caChosen takes the answer.
func (f *LoginForm) browseCAFile() {
	win := f.window()
	if win == nil {
		return // not shown yet: nothing to put a dialog over
	}
	d := dialog.NewFileOpen(f.caChosen, win)
	d.SetFilter(storage.NewExtensionFileFilter(caExtensions))
	d.Show()
}

// caChosen puts the file the user picked into the CA file field; a
// cancelled dialog (r nil) leaves the field as it was. The form only needs
// the path: the agent reads the file.
func (f *LoginForm) caChosen(r fyne.URIReadCloser, err error) {
	if err != nil || r == nil {
		return
	}
	defer r.Close()
	f.caFile.entry.SetText(r.URI().Path())
}

// window is the window showing the form, or nil.
func (f *LoginForm) window() fyne.Window {
	app := fyne.CurrentApp()
	if app == nil {
		return nil
	}
	c := app.Driver().CanvasForObject(f)
	for _, w := range app.Driver().AllWindows() {
		if w.Canvas() == c {
			return w
		}
	}
	return nil
}
