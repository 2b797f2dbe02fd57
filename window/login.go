package window

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"tasktray/auth"
	"tasktray/backend/custom"
	"tasktray/i18n"
	"tasktray/internal/textcut"
	"tasktray/ipc"
)

// Option keys the login form fills in ipc.Login.Options.
const (
	OptionTopics   = "topics"    // ntfy: topic names, comma-separated without spaces
	OptionChannel  = "channel"   // Centrifugo: the channel to subscribe to (default tasks:<username>)
	OptionTokenURL = "token_url" // Centrifugo: the site's endpoint that trades a password for a token
)

// serverKinds are the kinds the form offers, in menu order: the auth.Account
// Kind and the name shown.
var serverKinds = []struct {
	kind string
	name fmt.Stringer
}{
	{"native", txtKindNative},
	{"gotify", txtKindGotify},
	{"ntfy", txtKindNtfy},
	{"centrifugo", txtKindCentrifugo},
	{customKind, txtKindCustom},
}

// LoginForm collects what a login needs and shows how it went. It checks what
// it can before submitting (a URL, no unencrypted password over the network
// unless allowed, a username and a password); the agent does the rest and
// answers through ShowResult. Use it from the Fyne goroutine only.
type LoginForm struct {
	widget.BaseWidget

	// OnSubmit receives each validated login, on the Fyne goroutine. The form
	// stays busy until ShowResult.
	OnSubmit func(ipc.Login)

	kind     *widget.Select
	server   *field
	topics   *field // ntfy only
	channel  *field // Centrifugo only
	tokenURL *field // Centrifugo only
	username *field
	password *field
	caFile   *field // a PEM CA bundle, for a self-signed server
	caBrowse *widget.Button
	insecure *widget.Check
	message  *widget.Label // errors that belong to no field, and success
	submit   *widget.Button
	activity *widget.Activity
	busy     bool
	content  fyne.CanvasObject
	heading  *widget.Label

	advanced *advanced // the custom kind without a profile given
	// fixed is the profile the form is fixed to (SetProfile), at
	// fixedPath; nil when the user picks the kind and server.
	fixed     *custom.Profile
	fixedPath string
	kindLabel *widget.Label
}

// NewLoginForm returns an empty form set to the native server kind.
func NewLoginForm(onSubmit func(ipc.Login)) *LoginForm {
	f := &LoginForm{OnSubmit: onSubmit}
	f.ExtendBaseWidget(f)
	names := make([]string, len(serverKinds))
	for i, k := range serverKinds {
		names[i] = k.name.String()
	}
	f.kind = widget.NewSelect(names, func(string) { f.kindChanged() })

	server := widget.NewEntry()
	server.SetPlaceHolder(txtServerURLHint.String())
	f.server = newField(txtServerURL.String(), server)
	topics := widget.NewEntry()
	topics.SetPlaceHolder(txtTopicsHint.String())
	f.topics = newField(txtTopics.String(), topics)
	channel := widget.NewEntry()
	channel.SetPlaceHolder(txtChannelHint.String())
	f.channel = newField(txtChannel.String(), channel)
	tokenURL := widget.NewEntry()
	tokenURL.SetPlaceHolder(txtTokenURLHint.String())
	f.tokenURL = newField(txtTokenURL.String(), tokenURL)
	f.username = newField(txtUsername.String(), widget.NewEntry())
	password := widget.NewPasswordEntry()
	password.OnSubmitted = func(string) { f.Submit() }
	f.password = newField(txtPassword.String(), password)
	caFile := widget.NewEntry()
	caFile.SetPlaceHolder(txtCAFileHint.String())
	f.caFile = newField(txtCAFile.String(), caFile)
	f.caBrowse = widget.NewButton(txtBrowse.String(), f.browseCAFile)
	f.caFile.input = container.NewBorder(nil, nil, nil, f.caBrowse, caFile)

	f.insecure = widget.NewCheck(txtAllowInsecure.String(), func(bool) {
		f.server.setError("") // the error it may have caused no longer holds
	})
	f.message = widget.NewLabel("")
	f.message.Wrapping = fyne.TextWrapWord
	f.message.Hide()
	f.submit = widget.NewButton(txtLogIn.String(), f.Submit)
	f.submit.Importance = widget.HighImportance
	f.activity = widget.NewActivity()
	f.activity.Hide()

	f.advanced = newAdvanced(f)
	f.kindLabel = widget.NewLabel(txtServerKind.String())
	rows := []fyne.CanvasObject{f.kindLabel, f.kind}
	for _, fl := range f.fields() {
		rows = append(rows, fl.rows()...)
	}
	rows = append(rows, layout.NewSpacer(), f.insecure)
	rows = append(rows, f.advanced.rows()...)
	f.heading = widget.NewLabel(txtLoginHeading.String())
	f.heading.TextStyle.Bold = true
	f.content = container.NewVBox(
		f.heading,
		container.New(layout.NewFormLayout(), rows...),
		f.message,
		layout.NewSpacer(),
		container.NewHBox(layout.NewSpacer(), f.activity, f.submit),
	)
	f.kind.SetSelectedIndex(0)
	return f
}

// CreateRenderer is part of fyne.Widget.
func (f *LoginForm) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewPadded(f.content))
}

// SetAccount fills in the account last used, so that logging in again after
// the server refused a token only takes the password. An unknown kind leaves
// the kind as it is.
func (f *LoginForm) SetAccount(kind, server, username string) {
	for i, k := range serverKinds {
		if k.kind == kind {
			f.kind.SetSelectedIndex(i)
		}
	}
	f.server.entry.SetText(server)
	f.username.entry.SetText(username)
}

// SetCAFile fills in the CA file of the account last used.
func (f *LoginForm) SetCAFile(path string) {
	f.caFile.entry.SetText(path)
}

// fields are the form's fields in order.
func (f *LoginForm) fields() []*field {
	return []*field{f.server, f.topics, f.channel, f.tokenURL, f.username, f.password, f.caFile}
}

// Submit checks the form and, when it is complete, turns busy and calls
// OnSubmit. The Log in button and Enter in the password field call it.
func (f *LoginForm) Submit() {
	if f.busy {
		return
	}
	login, ok := f.validate()
	if !ok {
		f.Refresh() // lay the form out again around the errors shown
		return
	}
	f.setBusy(true)
	if f.OnSubmit != nil {
		f.OnSubmit(login)
	}
}

// ShowResult ends a login: it leaves the busy state, clears the password and
// shows the outcome where it belongs: a wrong password under the password,
// an unreachable, insecure or wrong kind of server under the URL, an
// untrusted certificate (TLS) under the CA file, anything else below the
// form. A long error is cut (see clip), so the form stays on screen.
func (f *LoginForm) ShowResult(r ipc.LoginResult) {
	defer f.Refresh() // lay the form out again around the error shown
	f.setBusy(false)
	f.password.entry.SetText("")
	f.clearErrors()
	if r.OK {
		f.showMessage(txtLoggedIn.String(), widget.SuccessImportance)
		return
	}
	detail := sentence(r.Error)
	switch r.ErrorKind {
	case ipc.ErrorCredentials:
		f.password.setError(txtWrongPassword.String())
		f.focus(f.password.entry)
	case ipc.ErrorUnreachable:
		f.server.setError(join(txtUnreachable.String(), detail))
	case ipc.ErrorTLS:
		f.caFile.setError(join(txtUntrusted.String(), detail))
		f.focus(f.caFile.entry)
	case ipc.ErrorNotServer:
		f.server.setError(txtNotServerFmt.F(f.kindName()))
	case ipc.ErrorInsecure:
		f.server.setError(txtInsecureHint.String())
	default:
		if detail == "" {
			detail = txtLoginFailed.String()
		}
		f.showMessage(detail, widget.DangerImportance)
	}
}

// validate returns the login the form describes, or shows why there is none.
func (f *LoginForm) validate() (ipc.Login, bool) {
	f.clearErrors()
	login := ipc.Login{
		Kind:          f.selectedKind(),
		Server:        strings.TrimSpace(f.server.entry.Text),
		Username:      strings.TrimSpace(f.username.entry.Text),
		Password:      f.password.entry.Text,
		AllowInsecure: f.insecure.Checked,
		CAFile:        expandHome(strings.TrimSpace(f.caFile.entry.Text)),
	}
	ok := true
	if login.Kind == customKind {
		// The server comes from the profile, which is checked whole.
		ok = f.customLogin(&login)
	} else if _, err := auth.ValidateServerURL(login.Server, login.AllowInsecure); err != nil {
		ok = false
		switch {
		case login.Server == "":
			f.server.setError(txtEnterServer.String())
		case errors.Is(err, auth.ErrInsecure):
			f.server.setError(txtInsecureHint.String())
		default:
			f.server.setError(sentence(err.Error()))
		}
	}
	switch login.Kind {
	case "ntfy":
		topics := splitList(f.topics.entry.Text)
		if topics == "" {
			ok = false
			f.topics.setError(txtEnterTopic.String())
		}
		login.Options = map[string]string{OptionTopics: topics}
	case "centrifugo":
		// Both may stay empty: the channel defaults to tasks:<username>, and
		// without a token URL the password field holds a pasted token.
		login.Options = map[string]string{}
		if channel := strings.TrimSpace(f.channel.entry.Text); channel != "" {
			login.Options[OptionChannel] = channel
		}
		if u := strings.TrimSpace(f.tokenURL.entry.Text); u != "" {
			if _, err := auth.ValidateServerURL(u, login.AllowInsecure); err != nil {
				ok = false
				f.tokenURL.setError(sentence(err.Error()))
			}
			login.Options[OptionTokenURL] = u
		}
	}
	if login.Username == "" {
		ok = false
		f.username.setError(txtEnterUsername.String())
	}
	if login.Password == "" {
		ok = false
		f.password.setError(txtEnterPassword.String())
	}
	if login.CAFile != "" {
		// The agent reads the file, as the same user on the same machine: a
		// path it cannot read is better caught here, at the field.
		if st, err := os.Stat(login.CAFile); err != nil || !st.Mode().IsRegular() {
			ok = false
			f.caFile.setError(txtCAFileUnusable.String())
		}
	}
	return login, ok
}

func (f *LoginForm) kindChanged() {
	kind := f.selectedKind()
	fixed := f.fixed != nil
	setVisible(f.kindLabel, !fixed)
	setVisible(f.kind, !fixed)
	f.server.setVisible(!fixed && kind != customKind)
	setVisible(f.insecure, !fixed)
	f.advanced.setVisible(!fixed && kind == customKind)
	f.topics.setVisible(kind == "ntfy")
	f.channel.setVisible(kind == "centrifugo")
	f.tokenURL.setVisible(kind == "centrifugo")
	f.server.setError("") // "not a server of this kind" may no longer hold
	f.Refresh()
}

func (f *LoginForm) selectedKind() string {
	if f.fixed != nil {
		return customKind
	}
	if i := f.kind.SelectedIndex(); i >= 0 {
		return serverKinds[i].kind
	}
	return serverKinds[0].kind
}

func (f *LoginForm) kindName() string {
	if f.kind.Selected != "" {
		return f.kind.Selected
	}
	return serverKinds[0].name.String()
}

// setBusy shows that a login is under way and keeps the form from changing
// under it.
func (f *LoginForm) setBusy(busy bool) {
	f.busy = busy
	inputs := []fyne.Disableable{f.kind, f.server.entry, f.topics.entry, f.channel.entry, f.tokenURL.entry,
		f.username.entry, f.password.entry, f.caFile.entry, f.caBrowse, f.insecure, f.submit}
	inputs = append(inputs, f.advanced.inputs()...)
	for _, in := range inputs {
		if busy {
			in.Disable()
		} else {
			in.Enable()
		}
	}
	if busy {
		f.message.Hide()
		f.activity.Show()
		f.activity.Start()
	} else {
		f.activity.Stop()
		f.activity.Hide()
	}
}

func (f *LoginForm) clearErrors() {
	for _, fl := range append(f.fields(), f.advanced.fields()...) {
		fl.setError("")
	}
	f.message.Hide()
}

func (f *LoginForm) showMessage(text string, importance widget.Importance) {
	f.message.Importance = importance
	f.message.SetText(clip(text))
	f.message.Show()
}

func (f *LoginForm) focus(o fyne.Focusable) {
	if c := fyne.CurrentApp().Driver().CanvasForObject(f); c != nil {
		c.Focus(o)
	}
}

// field is one labelled entry of the form with its inline error under it.
type field struct {
	label *widget.Label
	entry *widget.Entry
	input fyne.CanvasObject // what the form shows for entry, when not entry itself
	err   *widget.Label
}

func newField(label string, entry *widget.Entry) *field {
	fl := &field{label: widget.NewLabel(label), entry: entry, err: widget.NewLabel("")}
	fl.err.Importance = widget.DangerImportance
	fl.err.Wrapping = fyne.TextWrapWord
	fl.err.Hide()
	prev := entry.OnChanged
	entry.OnChanged = func(s string) {
		fl.setError("") // the user is fixing it
		if prev != nil {
			prev(s)
		}
	}
	return fl
}

// rows returns the field's two rows of a form layout: label and entry, then
// the error under the entry. The error row takes no room while the error is
// hidden, since a form row with both cells hidden is skipped.
func (fl *field) rows() []fyne.CanvasObject {
	gap := widget.NewLabel("")
	gap.Hide()
	input := fl.input
	if input == nil {
		input = fl.entry
	}
	return []fyne.CanvasObject{fl.label, input, gap, fl.err}
}

// setError shows msg under the entry, or nothing when msg is "". A long msg
// is cut (see clip).
func (fl *field) setError(msg string) {
	msg = clip(msg)
	if msg == fl.err.Text && fl.err.Visible() == (msg != "") {
		return
	}
	fl.err.SetText(msg)
	setVisible(fl.err, msg != "")
}

func (fl *field) setVisible(visible bool) {
	setVisible(fl.label, visible)
	setVisible(fl.entry, visible)
	if !visible {
		fl.setError("")
	}
}

// splitList normalises "a, b,,c " to "a,b,c".
func splitList(s string) string {
	var items []string
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			items = append(items, item)
		}
	}
	return strings.Join(items, ",")
}

// sentence turns an error text into a sentence: capitalised (Chinese has
// no capitals, and a host name that starts a Chinese sentence keeps its
// case), with a full stop of the language in use.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if i18n.Current() != i18n.Chinese {
		first, size := utf8.DecodeRuneInString(s)
		s = string(unicode.ToUpper(first)) + s[size:]
	}
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "。") {
		s += fullStop.String()
	}
	return s
}

// join puts a lead sentence before a detail, skipping a detail that only
// repeats it. Chinese sentences follow each other without a space.
func join(lead, detail string) string {
	bare := func(s string) string { return strings.TrimRight(s, ".。") }
	if detail == "" || strings.EqualFold(bare(detail), bare(lead)) {
		return lead
	}
	if strings.HasSuffix(lead, "。") {
		return lead + detail
	}
	return lead + " " + detail
}

// maxShownRunes bounds an error or message the form shows: a server's name
// or an error can be any length (a 2,000-character host name once pushed the
// window to 1,471 px on an 800 px screen), and the form must stay on screen.
// Wrapped at the form's width, this many characters take a few lines.
const maxShownRunes = 160

// clip cuts s to maxShownRunes, ending it with "…" when cut.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= maxShownRunes {
		return s
	}
	return strings.TrimSpace(textcut.Runes(s, maxShownRunes-1)) + "…"
}

// expandHome turns a leading "~/" into the user's home directory, as a shell
// would: the agent takes the path as it is.
func expandHome(path string) string {
	rest, ok := strings.CutPrefix(path, "~"+string(filepath.Separator))
	if !ok {
		rest, ok = strings.CutPrefix(path, "~/")
	}
	if !ok {
		return path
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return path
	}
	return filepath.Join(home, rest)
}
