package window

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"tasktray/auth"
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
var serverKinds = []struct{ kind, name string }{
	{"native", "Native"},
	{"gotify", "Gotify"},
	{"ntfy", "ntfy"},
	{"centrifugo", "Centrifugo"},
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
	insecure *widget.Check
	message  *widget.Label // errors that belong to no field, and success
	submit   *widget.Button
	activity *widget.Activity
	busy     bool
	content  fyne.CanvasObject
}

// NewLoginForm returns an empty form set to the native server kind.
func NewLoginForm(onSubmit func(ipc.Login)) *LoginForm {
	f := &LoginForm{OnSubmit: onSubmit}
	f.ExtendBaseWidget(f)
	names := make([]string, len(serverKinds))
	for i, k := range serverKinds {
		names[i] = k.name
	}
	f.kind = widget.NewSelect(names, func(string) { f.kindChanged() })

	server := widget.NewEntry()
	server.SetPlaceHolder("https://tasks.example.com")
	f.server = newField("Server URL", server)
	topics := widget.NewEntry()
	topics.SetPlaceHolder("alerts, deploys")
	f.topics = newField("Topics", topics)
	channel := widget.NewEntry()
	channel.SetPlaceHolder("tasks:<username> (default)")
	f.channel = newField("Channel", channel)
	tokenURL := widget.NewEntry()
	tokenURL.SetPlaceHolder("none: paste a token as the password")
	f.tokenURL = newField("Token URL", tokenURL)
	f.username = newField("Username", widget.NewEntry())
	password := widget.NewPasswordEntry()
	password.OnSubmitted = func(string) { f.Submit() }
	f.password = newField("Password", password)

	f.insecure = widget.NewCheck("Allow insecure connection (http://, ws://)", func(bool) {
		f.server.setError("") // the error it may have caused no longer holds
	})
	f.message = widget.NewLabel("")
	f.message.Wrapping = fyne.TextWrapWord
	f.message.Hide()
	f.submit = widget.NewButton("Log in", f.Submit)
	f.submit.Importance = widget.HighImportance
	f.activity = widget.NewActivity()
	f.activity.Hide()

	rows := []fyne.CanvasObject{widget.NewLabel("Server kind"), f.kind}
	for _, fl := range []*field{f.server, f.topics, f.channel, f.tokenURL, f.username, f.password} {
		rows = append(rows, fl.rows()...)
	}
	rows = append(rows, layout.NewSpacer(), f.insecure)
	heading := widget.NewLabel("Log in to your task server")
	heading.TextStyle.Bold = true
	f.content = container.NewVBox(
		heading,
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

// Submit checks the form and, when it is complete, turns busy and calls
// OnSubmit. The Log in button and Enter in the password field call it.
func (f *LoginForm) Submit() {
	if f.busy {
		return
	}
	login, ok := f.validate()
	if !ok {
		return
	}
	f.setBusy(true)
	if f.OnSubmit != nil {
		f.OnSubmit(login)
	}
}

// ShowResult ends a login: it leaves the busy state, clears the password and
// shows the outcome where it belongs: a wrong password under the password,
// an unreachable, insecure, untrusted (TLS) or wrong kind of server under the
// URL, anything else below the form.
func (f *LoginForm) ShowResult(r ipc.LoginResult) {
	f.setBusy(false)
	f.password.entry.SetText("")
	f.clearErrors()
	if r.OK {
		f.showMessage("Logged in.", widget.SuccessImportance)
		return
	}
	detail := sentence(r.Error)
	switch r.ErrorKind {
	case ipc.ErrorCredentials:
		f.password.setError("Wrong username or password.")
		f.focus(f.password.entry)
	case ipc.ErrorUnreachable:
		f.server.setError(join("Cannot reach the server.", detail))
	case ipc.ErrorTLS:
		f.server.setError(join("The server's certificate is not trusted.", detail))
	case ipc.ErrorNotServer:
		f.server.setError("This is not a " + f.kindName() + " server. Check the URL and the server kind.")
	case ipc.ErrorInsecure:
		f.server.setError(insecureHint)
	default:
		if detail == "" {
			detail = "Logging in failed."
		}
		f.showMessage(detail, widget.DangerImportance)
	}
}

// insecureHint explains why an http:// or ws:// URL is refused.
const insecureHint = "This would send your password unencrypted. " +
	"Use https://, or tick \"Allow insecure connection\" below."

// validate returns the login the form describes, or shows why there is none.
func (f *LoginForm) validate() (ipc.Login, bool) {
	f.clearErrors()
	login := ipc.Login{
		Kind:          f.selectedKind(),
		Server:        strings.TrimSpace(f.server.entry.Text),
		Username:      strings.TrimSpace(f.username.entry.Text),
		Password:      f.password.entry.Text,
		AllowInsecure: f.insecure.Checked,
	}
	ok := true
	if _, err := auth.ValidateServerURL(login.Server, login.AllowInsecure); err != nil {
		ok = false
		switch {
		case login.Server == "":
			f.server.setError("Enter the server URL.")
		case errors.Is(err, auth.ErrInsecure):
			f.server.setError(insecureHint)
		default:
			f.server.setError(sentence(err.Error()))
		}
	}
	switch login.Kind {
	case "ntfy":
		topics := splitList(f.topics.entry.Text)
		if topics == "" {
			ok = false
			f.topics.setError("Enter at least one topic.")
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
		f.username.setError("Enter your username.")
	}
	if login.Password == "" {
		ok = false
		f.password.setError("Enter your password.")
	}
	return login, ok
}

func (f *LoginForm) kindChanged() {
	kind := f.selectedKind()
	f.topics.setVisible(kind == "ntfy")
	f.channel.setVisible(kind == "centrifugo")
	f.tokenURL.setVisible(kind == "centrifugo")
	f.server.setError("") // "not a server of this kind" may no longer hold
	f.Refresh()
}

func (f *LoginForm) selectedKind() string {
	if i := f.kind.SelectedIndex(); i >= 0 {
		return serverKinds[i].kind
	}
	return serverKinds[0].kind
}

func (f *LoginForm) kindName() string {
	if f.kind.Selected != "" {
		return f.kind.Selected
	}
	return serverKinds[0].name
}

// setBusy shows that a login is under way and keeps the form from changing
// under it.
func (f *LoginForm) setBusy(busy bool) {
	f.busy = busy
	inputs := []fyne.Disableable{f.kind, f.server.entry, f.topics.entry, f.channel.entry, f.tokenURL.entry,
		f.username.entry, f.password.entry, f.insecure, f.submit}
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
	for _, fl := range []*field{f.server, f.topics, f.channel, f.tokenURL, f.username, f.password} {
		fl.setError("")
	}
	f.message.Hide()
}

func (f *LoginForm) showMessage(text string, importance widget.Importance) {
	f.message.Importance = importance
	f.message.SetText(text)
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
	return []fyne.CanvasObject{fl.label, fl.entry, gap, fl.err}
}

// setError shows msg under the entry, or nothing when msg is "".
func (fl *field) setError(msg string) {
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

// sentence turns an error text into a sentence: capitalised, with a full stop.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	first, size := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(first)) + s[size:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// join puts a lead sentence before a detail, skipping a detail that only
// repeats it.
func join(lead, detail string) string {
	if detail == "" || strings.EqualFold(strings.TrimSuffix(detail, "."), strings.TrimSuffix(lead, ".")) {
		return lead
	}
	return lead + " " + detail
}
