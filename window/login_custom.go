package window

import (
	"fmt"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"
	"github.com/BurntSushi/toml"

	"tasktray/backend/custom"
	"tasktray/ipc"
)

// customKind is the "WebSocket (custom)" kind (backend/custom): an existing
// backend described by a profile.
const customKind = custom.KindName

// tokenPlaces are the places the Advanced section offers for the token, as
// custom.Connect.TokenIn.
var tokenPlaces = []string{custom.TokenInQuery, custom.TokenInPath, custom.TokenInHeader, custom.TokenInSubprotocol}

// advanced is the custom kind's Advanced section: a profile file, or the
// few fields a simple profile needs (the rest take the profile defaults).
type advanced struct {
	heading     *widget.Label
	headingGap  *widget.Label // the heading row's second cell
	profileFile *field
	browse      *widget.Button
	wsURL       *field
	tokenIn     *widget.Select
	tokenLabel  *widget.Label
	hbText      *field
	hbInterval  *field
}

func newAdvanced(f *LoginForm) *advanced {
	ad := &advanced{heading: widget.NewLabel(txtAdvanced.String())}
	ad.heading.TextStyle.Bold = true
	file := widget.NewEntry()
	file.SetPlaceHolder(txtProfileFileHint.String())
	ad.profileFile = newField(txtProfileFile.String(), file)
	ad.browse = widget.NewButton(txtBrowse.String(), f.browseProfile)
	ad.profileFile.input = containerWithButton(file, ad.browse)
	u := widget.NewEntry()
	u.SetPlaceHolder(txtWSURLHint.String())
	ad.wsURL = newField(txtWSURL.String(), u)
	ad.tokenIn = widget.NewSelect(tokenPlaces, nil)
	ad.tokenIn.SetSelected(custom.TokenInQuery)
	ad.tokenLabel = widget.NewLabel(txtTokenIn.String())
	hb := widget.NewEntry()
	hb.SetText(custom.DefaultHeartbeat)
	ad.hbText = newField(txtHeartbeatText.String(), hb)
	every := widget.NewEntry()
	every.SetText(custom.DefaultHeartbeatEvery.String())
	ad.hbInterval = newField(txtHeartbeatEvery.String(), every)
	return ad
}

// rows are the section's rows of the form layout.
func (ad *advanced) rows() []fyne.CanvasObject {
	ad.headingGap = widget.NewLabel("")
	rows := []fyne.CanvasObject{ad.heading, ad.headingGap}
	rows = append(rows, ad.profileFile.rows()...)
	rows = append(rows, ad.wsURL.rows()...)
	rows = append(rows, ad.tokenLabel, ad.tokenIn)
	rows = append(rows, ad.hbText.rows()...)
	return append(rows, ad.hbInterval.rows()...)
}

func (ad *advanced) fields() []*field {
	return []*field{ad.profileFile, ad.wsURL, ad.hbText, ad.hbInterval}
}

func (ad *advanced) inputs() []fyne.Disableable {
	return []fyne.Disableable{ad.profileFile.entry, ad.browse, ad.wsURL.entry, ad.tokenIn, ad.hbText.entry, ad.hbInterval.entry}
}

func (ad *advanced) setVisible(v bool) {
	setVisible(ad.heading, v)
	setVisible(ad.headingGap, v)
	setVisible(ad.browse, v)
	setVisible(ad.profileFile.input, v) // a row shows while a cell does
	setVisible(ad.tokenLabel, v)
	setVisible(ad.tokenIn, v)
	for _, fl := range ad.fields() {
		fl.setVisible(v)
	}
}

// SetProfile fixes the form to the profile at path (the -profile flag, the
// account's or the system-wide one): the kind and server come from it, and
// the user types only the username and the password (or, for a backend
// without a login, a token). A profile that cannot be read is shown, and
// the form logs in with nothing until it is fixed.
func (f *LoginForm) SetProfile(path string) error {
	p, err := custom.LoadProfile(path)
	if err != nil {
		f.showMessage(err.Error(), widget.DangerImportance)
		f.submit.Disable()
		return err
	}
	f.fixed, f.fixedPath = p, path
	f.heading.SetText(p.Name)
	if p.Login == nil {
		f.password.label.SetText(txtTokenOrKey.String())
	}
	f.kindChanged()
	return nil
}

// ShowProfileError shows why the system-wide profile cannot be used.
func (f *LoginForm) ShowProfileError(msg string) {
	f.showMessage(msg, widget.DangerImportance)
}

// Profile is the profile the form is fixed to, or nil.
func (f *LoginForm) Profile() *custom.Profile { return f.fixed }

// customLogin completes login for the custom kind: from the fixed profile,
// a profile file, or a profile built from the Advanced fields. It reports
// false after showing what is wrong.
func (f *LoginForm) customLogin(login *ipc.Login) bool {
	ad := f.advanced
	var (
		p    *custom.Profile
		err  error
		opts map[string]string
	)
	switch file := expandHome(strings.TrimSpace(ad.profileFile.entry.Text)); {
	case f.fixed != nil:
		p, opts = f.fixed, map[string]string{custom.OptionProfile: f.fixedPath}
	case file != "":
		if file, err = filepath.Abs(file); err == nil {
			p, err = custom.LoadProfile(file)
		}
		if err != nil {
			ad.profileFile.setError(err.Error())
			return false
		}
		opts = map[string]string{custom.OptionProfile: file}
	default:
		text, err := f.builtProfile()
		if err == nil {
			p, err = custom.ParseProfile(text)
		}
		if err != nil {
			f.showMessage(err.Error(), widget.DangerImportance)
			return false
		}
		opts = map[string]string{custom.OptionProfileText: string(text)}
	}
	login.Server, login.Options = p.ServerURL(), opts
	login.AllowInsecure = login.AllowInsecure || p.AllowInsecure
	return true
}

// builtProfile is the TOML of the profile the Advanced fields describe:
// no login (the password field takes a token or API key), the rest the
// profile's defaults. ParseProfile checks it and names a wrong field.
func (f *LoginForm) builtProfile() ([]byte, error) {
	ad := f.advanced
	type connect struct {
		URL     string `toml:"url"`
		TokenIn string `toml:"token_in"`
		Header  string `toml:"header,omitempty"`
		Prefix  string `toml:"prefix,omitempty"`
	}
	type heartbeat struct {
		Text     string `toml:"text"`
		Interval string `toml:"interval,omitempty"`
	}
	c := connect{URL: strings.TrimSpace(ad.wsURL.entry.Text), TokenIn: ad.tokenIn.Selected}
	if c.TokenIn == custom.TokenInHeader {
		c.Header, c.Prefix = "Authorization", "Bearer "
	}
	doc := struct {
		AllowInsecure bool      `toml:"allow_insecure"`
		Connect       connect   `toml:"connect"`
		Heartbeat     heartbeat `toml:"heartbeat"`
	}{f.insecure.Checked, c, heartbeat{strings.TrimSpace(ad.hbText.entry.Text), strings.TrimSpace(ad.hbInterval.entry.Text)}}
	var b strings.Builder
	if err := toml.NewEncoder(&b).Encode(doc); err != nil {
		return nil, fmt.Errorf("%s: %w", txtAdvanced.String(), err)
	}
	return []byte(b.String()), nil
}

// containerWithButton is entry with button at its right.
func containerWithButton(entry *widget.Entry, button *widget.Button) fyne.CanvasObject {
	return container.NewBorder(nil, nil, nil, button, entry)
}

// profileExtensions are the file names the profile dialog lists.
var profileExtensions = []string{".toml"}

// browseProfile picks a profile file.
func (f *LoginForm) browseProfile() {
	win := f.window()
	if win == nil {
		return
	}
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		defer r.Close()
		f.advanced.profileFile.entry.SetText(r.URI().Path())
	}, win)
	d.SetFilter(storage.NewExtensionFileFilter(profileExtensions))
	d.Show()
}
