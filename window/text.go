package window

// Every string of package window that a user sees, in one place so that a
// translation (zh-CN is next) touches this file only. Texts with a %
// directive go through fmt.Sprintf; date layouts through time.Format.
// Errors from the agent (ipc.LoginResult.Error) and the server's own words
// arrive already written and are shown as they come, after the lead sentence
// chosen here.

// Window titles.
const (
	titleLogin  = "Log in – tasktray"
	titleRecent = "Recent tasks – tasktray"
	titleStatus = "tasktray"
)

// The login form.
const (
	txtLoginHeading   = "Log in to your task server"
	txtServerKind     = "Server kind"
	txtServerURL      = "Server URL"
	txtServerURLHint  = "https://tasks.example.com"
	txtTopics         = "Topics"
	txtTopicsHint     = "alerts, deploys"
	txtChannel        = "Channel"
	txtChannelHint    = "tasks:<username> (default)"
	txtTokenURL       = "Token URL"
	txtTokenURLHint   = "none: paste a token as the password"
	txtUsername       = "Username"
	txtPassword       = "Password"
	txtCAFile         = "CA file"
	txtCAFileHint     = "for a self-signed server (PEM)"
	txtBrowse         = "Browse…"
	txtAllowInsecure  = "Allow insecure connection (http://, ws://)"
	txtLogIn          = "Log in"
	txtLoggedIn       = "Logged in."
	txtWrongPassword  = "Wrong username or password."
	txtUnreachable    = "Cannot reach the server."
	txtUntrusted      = "The server's certificate is not trusted."
	txtNotServerFmt   = "This is not a %s server. Check the URL and the server kind."
	txtLoginFailed    = "Logging in failed."
	txtInsecureHint   = "This would send your password unencrypted. Use https://, or tick \"Allow insecure connection\" below."
	txtEnterServer    = "Enter the server URL."
	txtEnterTopic     = "Enter at least one topic."
	txtEnterUsername  = "Enter your username."
	txtEnterPassword  = "Enter your password."
	txtCAFileUnusable = "Cannot read this file."
	// The custom kind (backend/custom).
	txtTokenOrKey      = "Token or API key"
	txtAdvanced        = "Advanced"
	txtProfileFile     = "Profile file"
	txtProfileFileHint = "company.toml (leave empty to use the fields below)"
	txtWSURL           = "WebSocket URL"
	txtWSURLHint       = "wss://app.example.com/websocket?token={token}"
	txtTokenIn         = "Token goes in"
	txtHeartbeatText   = "Heartbeat text"
	txtHeartbeatEvery  = "Heartbeat interval"
)

// Server kind names as the form's menu shows them.
const (
	txtKindNative     = "Native"
	txtKindGotify     = "Gotify"
	txtKindNtfy       = "ntfy"
	txtKindCentrifugo = "Centrifugo"
	txtKindCustom     = "WebSocket (custom)"
)

// Recent tasks.
const (
	txtRecentHeading = "Recent tasks"
	txtAllRead       = "All read"
	txtUnreadFmt     = "%s unread"
	txtMarkAllRead   = "Mark all read"
	txtNoTasks       = "No tasks yet. New tasks show up here."
	txtShowOlder     = "Show older tasks"
	txtLoading       = "Loading…"
	txtCountOfFmt    = "%s of %s tasks"
	txtOneTask       = "1 task"
	txtCountFmt      = "%s tasks"
	txtNoTitle       = "(no title)"
	txtAgeNow        = "now"
	txtAgeMinutesFmt = "%d min"
	// Date layouts (time.Format) for a task's age.
	layoutToday    = "15:04"
	layoutThisWeek = "Mon 15:04"
	layoutThisYear = "2 Jan"
	layoutOlder    = "2 Jan 2006"
)

// The status window.
const (
	txtStarting        = "Starting…"
	txtLogInButton     = "Log in…"
	txtLogOut          = "Log out"
	txtRecentButton    = "Recent tasks…"
	txtReconnectNow    = "Reconnect now"
	txtPauseNotes      = "Pause notifications"
	txtQuit            = "Quit tasktray"
	txtNoTrayHint      = "This desktop has no system tray, so tasktray shows its status here."
	txtUserOnServerFmt = "%s on %s"
	txtNoAccount       = "No account"
)
