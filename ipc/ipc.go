// Package ipc is the line-oriented JSON pipe between the always-on agent and
// a short-lived window process: one Message per line on the window's stdin
// (agent to window) and stdout (window to agent). The agent owns all state;
// the window renders it and sends back what the user did.
//
// Every line is a JSON object whose "type" names the message; the other
// fields are those of the Go struct of that name:
//
//	{"type":"state","phase":"connected","status":"Connected to tasks.example.com",...}
//	{"type":"open_task","id":"42"}
//
// Recent tasks pages: the agent may hold 10,000 tasks, too many to send on
// every change. It numbers the tasks it receives (Task.Seq, one more for
// each) and sends the Recent tasks window a page of the newest when it
// opens, then only what changed: new tasks, tasks read since, and the
// counts over all tasks. The window asks for the page before its oldest
// task with More and merges every Tasks message into what it holds:
//
//	{"type":"tasks","tasks":[{"id":"a9","seq":10000,...},...,{"id":"81","seq":9501,...}],"total":10000,"unread":10000}
//	{"type":"more","before":9501}
//	{"type":"tasks","tasks":[{"id":"80","seq":9500,...},...,{"id":"1","seq":9001,...}],"total":10000,"unread":10000}
//
// Neither side can make the other deaf or stuck: Receive skips a line that is
// not a message, or is longer than MaxLineSize, and reads on; the agent's
// Child.Send never waits on a window, and a window that stops reading is
// killed (ErrWindowStuck) rather than left to hold up the agent's loop.
//
// Package ipc owns the message types, the codec (Conn) and starting a window
// process (Spawn). It does not own what the messages mean to the agent
// (package tray) or how they are drawn (package window).
package ipc

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"tasktray/auth"
)

// Message is one line on the pipe. Its dynamic type is one of the message
// structs of this package:
//
//   - agent to window: State, Tasks, LoginResult, Close
//   - window to agent: Login, OpenTask, MarkAllRead, More, Logout,
//     Reconnect, Pause, Show, Quit, Closed
//
// Conn.Receive returns these as values, never pointers, so a type switch
// reads `case ipc.State:`.
type Message interface {
	// Type is the message's "type" on the wire, e.g. "state".
	Type() string
	// isMessage seals the set: only the types above travel on the pipe.
	isMessage()
}

// The "type" of every message on the wire.
const (
	TypeState       = "state"
	TypeTasks       = "tasks"
	TypeLoginResult = "login_result"
	TypeClose       = "close"
	TypeLogin       = "login"
	TypeOpenTask    = "open_task"
	TypeMarkAllRead = "mark_all_read"
	TypeMore        = "more"
	TypeLogout      = "logout"
	TypeReconnect   = "reconnect"
	TypePause       = "pause"
	TypeShow        = "show"
	TypeQuit        = "quit"
	TypeClosed      = "closed"
)

// The views a window process can show: the argument after `tasktray window`,
// and the View of a Show message.
const (
	ViewLogin       = "login"       // the log-in form
	ViewRecent      = "recent"      // recent tasks
	ViewStatus      = "status"      // status and actions, for desktops without a tray
	ViewSettings    = "settings"    // the settings window
	ViewDiagnostics = "diagnostics" // diagnostics to read and copy
)

// State is the agent's state as a window shows it (agent to window). The
// agent sends one right after starting a window and again on every change.
type State struct {
	// Phase is the link's conn.Phase as its String, e.g. "connected" or
	// "auth-required".
	Phase string `json:"phase"`
	// Status is the status line in plain words, e.g. "Connected to
	// tasks.example.com", "Reconnecting in 8 s (attempt 3)" or "Log in
	// required".
	Status string `json:"status"`
	// LoggedIn is true when the agent holds a token for the account.
	LoggedIn bool `json:"logged_in"`
	// Kind, Server and User name the account, logged in or last used; the
	// login form starts from them.
	Kind   string `json:"kind,omitempty"`
	Server string `json:"server,omitempty"`
	User   string `json:"user,omitempty"`
	// CAFile is the account's auth.Account.CAFile, the PEM CA bundle of a
	// self-signed server; the login form starts from it too.
	CAFile string `json:"ca_file,omitempty"`
	// Profile, when set, is the absolute path of the custom kind's profile
	// the login window logs in with (backend/custom): the -profile flag, the
	// account's, or the system-wide one, in that order. The form then asks
	// only for the username and password.
	Profile string `json:"profile,omitempty"`
	// ProfileError says why the system-wide profile cannot be used, naming
	// the file and the field; the login window shows it.
	ProfileError string `json:"profile_error,omitempty"`
	// Paused is true while popups are paused; tasks still arrive.
	Paused bool `json:"paused"`
	// KeyringNote, when not empty, says why the token is kept for this
	// session only, e.g. "No keyring available: you will log in again after
	// a restart".
	KeyringNote string `json:"keyring_note,omitempty"`
}

// Tasks carries recent tasks to the Recent tasks window (agent to window),
// at most a page of them, and the counts over all the tasks the agent holds.
// The agent sends one when the window opens (the newest page), one at most
// every 200 ms while anything changes (the tasks new or read since the last,
// which may be none), and one in answer to each More (the page asked for).
//
// The window merges each into what it holds: a task replaces the one of the
// same Seq, or is added. What it shows is the run of consecutive Seqs from
// the newest task down, at most Total long: a task beyond a gap (more new
// tasks came between two messages than a page holds) or past Total (the
// agent dropped its oldest) is dropped, and can be asked for again.
type Tasks struct {
	// Tasks holds tasks newest first (by Seq); the window orders them
	// itself all the same.
	Tasks []Task `json:"tasks"`
	// Total counts the tasks the agent holds, all of which the window can
	// reach a page at a time; it shows more exist while it holds fewer.
	Total int `json:"total"`
	// Unread counts the tasks with Read false, among all Total.
	Unread int `json:"unread"`
	// ReadThrough, when not 0, is the newest Seq that "Mark all read"
	// covered: every task with a Seq up to it is read, including those the
	// window holds but this message does not carry.
	ReadThrough int64 `json:"read_through,omitempty"`
}

// Task is one line of Recent tasks. ID, URL, Priority and Time mean what
// they do in conn.Task; a Tasks message keeps each task small:
//   - Title and Body are previews, cut to a few hundred characters with
//     "…" at the end (the list shows the first line of the body);
//   - an ID or URL too long to list is left empty (never cut): the task
//     then cannot be opened from the window, only from its popup.
type Task struct {
	ID string `json:"id"`
	// Seq numbers the tasks in the order the agent received them: each is
	// one more than the one before. Lists order by it, and More pages by it.
	Seq      int64     `json:"seq"`
	Title    string    `json:"title"`
	Body     string    `json:"body,omitempty"`
	URL      string    `json:"url,omitempty"`
	Priority int       `json:"priority"` // 1 (min) .. 5 (urgent); 3 is normal
	Time     time.Time `json:"time"`
	Read     bool      `json:"read"`
}

// LoginResult ends a login (agent to window). After an OK result the login
// window closes by itself.
type LoginResult struct {
	OK bool `json:"ok"`
	// ErrorKind says which field the error belongs to; empty when OK.
	ErrorKind ErrorKind `json:"error_kind,omitempty"`
	// Error is the error in plain words; it never holds the password.
	Error string `json:"error,omitempty"`
}

// Close asks the window to close (agent to window); the process exits and
// the agent reads EOF.
type Close struct{}

// Login asks the agent to log in (window to agent). Password crosses the pipe
// only in this message; the agent keeps it only as long as the login call.
type Login struct {
	Kind          string `json:"kind"`   // server kind: "native", "gotify", "ntfy", "centrifugo"
	Server        string `json:"server"` // base URL, e.g. https://tasks.example.com
	Username      string `json:"username"`
	Password      string `json:"password"`
	AllowInsecure bool   `json:"allow_insecure,omitempty"`
	// CAFile is the path of a PEM CA bundle to trust for a self-signed
	// server, as in auth.Account.CAFile; "" trusts the system's roots only.
	CAFile string `json:"ca_file,omitempty"`
	// Options holds what a kind needs beyond the basics, as in
	// auth.Account.Options (ntfy "topics", Centrifugo "channel").
	Options map[string]string `json:"options,omitempty"`
}

// OpenTask asks the agent to open a task (window to agent): its URL in the
// browser, and mark it read.
type OpenTask struct {
	ID string `json:"id"`
}

// MarkAllRead asks the agent to mark every recent task read (window to agent),
// those the window holds and those it does not.
type MarkAllRead struct{}

// More asks for the page of tasks older than the window's oldest (window to
// agent): the agent answers with a Tasks message holding the newest of the
// tasks with a Seq below Before, newest first; it holds none when no older
// task is left.
type More struct {
	Before int64 `json:"before"`
}

// Logout asks the agent to log out and forget the token (window to agent).
type Logout struct{}

// Reconnect asks the agent to dial now instead of waiting out the backoff
// (window to agent).
type Reconnect struct{}

// Pause asks the agent to pause popups, or resume them when Paused is false
// (window to agent).
type Pause struct {
	Paused bool `json:"paused"`
}

// Show asks the agent to open another view, e.g. the status window's "Log
// in…" button opening ViewLogin (window to agent). The agent owns the windows
// and starts or raises the one asked for.
type Show struct {
	View string `json:"view"`
}

// Quit asks the agent to quit, closing every window (window to agent).
type Quit struct{}

// Closed says the user closed the window (window to agent); the process exits
// right after. A window closed by Close, by a successful login or by EOF does
// not send it.
type Closed struct{}

// Type returns TypeState.
func (State) Type() string { return TypeState }

// Type returns TypeTasks.
func (Tasks) Type() string { return TypeTasks }

// Type returns TypeLoginResult.
func (LoginResult) Type() string { return TypeLoginResult }

// Type returns TypeClose.
func (Close) Type() string { return TypeClose }

// Type returns TypeLogin.
func (Login) Type() string { return TypeLogin }

// Type returns TypeOpenTask.
func (OpenTask) Type() string { return TypeOpenTask }

// Type returns TypeMarkAllRead.
func (MarkAllRead) Type() string { return TypeMarkAllRead }

// Type returns TypeMore.
func (More) Type() string { return TypeMore }

// Type returns TypeLogout.
func (Logout) Type() string { return TypeLogout }

// Type returns TypeReconnect.
func (Reconnect) Type() string { return TypeReconnect }

// Type returns TypePause.
func (Pause) Type() string { return TypePause }

// Type returns TypeShow.
func (Show) Type() string { return TypeShow }

// Type returns TypeQuit.
func (Quit) Type() string { return TypeQuit }

// Type returns TypeClosed.
func (Closed) Type() string { return TypeClosed }

func (State) isMessage()       {}
func (Tasks) isMessage()       {}
func (LoginResult) isMessage() {}
func (Close) isMessage()       {}
func (Login) isMessage()       {}
func (OpenTask) isMessage()    {}
func (MarkAllRead) isMessage() {}
func (More) isMessage()        {}
func (Logout) isMessage()      {}
func (Reconnect) isMessage()   {}
func (Pause) isMessage()       {}
func (Show) isMessage()        {}
func (Quit) isMessage()        {}
func (Closed) isMessage()      {}

// String describes the login without its password, so that logging a Login
// (or a Message holding one) with %v or %+v cannot leak it.
func (l Login) String() string {
	return fmt.Sprintf("login{kind=%s server=%s username=%s password=<redacted> allow_insecure=%t ca_file=%s options=%v}",
		l.Kind, l.Server, l.Username, l.AllowInsecure, l.CAFile, l.Options)
}

// GoString is String, for %#v.
func (l Login) GoString() string { return l.String() }

// Credentials turns the message into what auth.Authenticator.Login takes.
func (l Login) Credentials() auth.Credentials {
	return auth.Credentials{
		Account: auth.Account{
			Kind:          l.Kind,
			Server:        l.Server,
			Username:      l.Username,
			Options:       l.Options,
			CAFile:        l.CAFile,
			AllowInsecure: l.AllowInsecure,
		},
		Password: l.Password,
	}
}

// ErrorKind sorts login errors by the form field they belong to.
type ErrorKind string

// The kinds of login error. The form shows ErrorCredentials on the password
// field; ErrorUnreachable, ErrorTLS, ErrorNotServer and ErrorInsecure next to
// the server URL; ErrorOther below the form.
const (
	ErrorCredentials ErrorKind = "credentials" // auth.ErrBadCredentials
	ErrorUnreachable ErrorKind = "unreachable" // auth.ErrUnreachable
	ErrorTLS         ErrorKind = "tls"         // auth.ErrTLS
	ErrorNotServer   ErrorKind = "not_server"  // auth.ErrNotServer
	ErrorInsecure    ErrorKind = "insecure"    // auth.ErrInsecure
	ErrorOther       ErrorKind = "other"       // anything else
)

// errorKinds pairs each ErrorKind but ErrorOther with the auth error it
// stands for.
var errorKinds = []struct {
	kind ErrorKind
	err  error
}{
	{ErrorCredentials, auth.ErrBadCredentials},
	{ErrorUnreachable, auth.ErrUnreachable},
	{ErrorTLS, auth.ErrTLS},
	{ErrorNotServer, auth.ErrNotServer},
	{ErrorInsecure, auth.ErrInsecure},
}

// ErrorKindOf sorts an error returned by auth.Authenticator.Login; it returns
// "" for nil.
func ErrorKindOf(err error) ErrorKind {
	if err == nil {
		return ""
	}
	for _, k := range errorKinds {
		if errors.Is(err, k.err) {
			return k.kind
		}
	}
	return ErrorOther
}

// LoginResultOf is the LoginResult that reports err, the outcome of
// auth.Authenticator.Login: OK when err is nil. Its Error is the detail
// beyond what ErrorKind says: the words of the auth error it stands for
// ("server unreachable") are cut, since the window leads with its own
// sentence for the kind ("Cannot reach the server.") and would otherwise say
// it twice.
func LoginResultOf(err error) LoginResult {
	if err == nil {
		return LoginResult{OK: true}
	}
	kind := ErrorKindOf(err)
	detail := err.Error()
	for _, k := range errorKinds {
		if k.kind == kind {
			detail = cutWords(detail, k.err.Error())
		}
	}
	return LoginResult{ErrorKind: kind, Error: detail}
}

// cutWords removes words, and the ": " (or the Chinese "：") after them,
// from s: "server unreachable: dial tcp: refused" becomes "dial tcp:
// refused".
func cutWords(s, words string) string {
	if s == words {
		return ""
	}
	for _, colon := range []string{": ", "："} {
		if before, after, ok := strings.Cut(s, words+colon); ok {
			return before + after
		}
	}
	return s
}
