package window

import "tasktray/i18n"

// Every string of package window that a user sees, in one place, in English
// and Simplified Chinese. Each is resolved when shown (String, F), in the
// language the agent passed to this process (i18n.FromEnv). Errors from the
// agent (ipc.LoginResult.Error) and the server's own words arrive already
// written and are shown as they come, after the lead sentence chosen here.

// same is a word that reads the same in every language: a product's name,
// an example address.
type same string

func (s same) String() string { return string(s) }

// Window titles.
var (
	titleLogin  = i18n.New("window.title.login", "Log in – tasktray", "登录 – tasktray")
	titleRecent = i18n.New("window.title.recent", "Recent tasks – tasktray", "最近任务 – tasktray")
	titleStatus = same("tasktray")
)

// The login form.
var (
	txtLoginHeading   = i18n.New("window.login.heading", "Log in to your task server", "登录到您的任务服务器")
	txtServerKind     = i18n.New("window.login.server_kind", "Server kind", "服务器类型")
	txtServerURL      = i18n.New("window.login.server_url", "Server URL", "服务器地址")
	txtServerURLHint  = same("https://tasks.example.com")
	txtTopics         = i18n.New("window.login.topics", "Topics", "主题")
	txtTopicsHint     = i18n.New("window.login.topics.hint", "alerts, deploys", "例如 alerts, deploys")
	txtChannel        = i18n.New("window.login.channel", "Channel", "频道")
	txtChannelHint    = i18n.New("window.login.channel.hint", "tasks:<username> (default)", "tasks:<用户名>（默认）")
	txtTokenURL       = i18n.New("window.login.token_url", "Token URL", "令牌地址")
	txtTokenURLHint   = i18n.New("window.login.token_url.hint", "none: paste a token as the password", "留空：将令牌粘贴到密码栏")
	txtUsername       = i18n.New("window.login.username", "Username", "用户名")
	txtPassword       = i18n.New("window.login.password", "Password", "密码")
	txtCAFile         = i18n.New("window.login.ca_file", "CA file", "CA 证书文件")
	txtCAFileHint     = i18n.New("window.login.ca_file.hint", "for a self-signed server (PEM)", "用于使用自签名证书的服务器（PEM）")
	txtBrowse         = i18n.New("window.login.browse", "Browse…", "浏览…")
	txtAllowInsecure  = i18n.New("window.login.allow_insecure", "Allow insecure connection (http://, ws://)", "允许不安全的连接（http://、ws://）")
	txtLogIn          = i18n.New("window.login.submit", "Log in", "登录")
	txtLoggedIn       = i18n.New("window.login.ok", "Logged in.", "登录成功。")
	txtWrongPassword  = i18n.New("window.login.wrong_password", "Wrong username or password.", "用户名或密码错误。")
	txtUnreachable    = i18n.New("window.login.unreachable", "Cannot reach the server.", "无法连接到服务器。")
	txtUntrusted      = i18n.New("window.login.untrusted", "The server's certificate is not trusted.", "服务器的证书不受信任。")
	txtNotServerFmt   = i18n.New("window.login.not_server", "This is not a %s server. Check the URL and the server kind.", "这不是 %s 类型的服务器。请检查服务器地址和服务器类型。")
	txtLoginFailed    = i18n.New("window.login.failed", "Logging in failed.", "登录失败。")
	txtInsecureHint   = i18n.New("window.login.insecure", "This would send your password unencrypted. Use https://, or tick \"Allow insecure connection\" below.", "这样会以明文发送您的密码。请使用 https://，或勾选下方的“允许不安全的连接”。")
	txtEnterServer    = i18n.New("window.login.enter_server", "Enter the server URL.", "请输入服务器地址。")
	txtEnterTopic     = i18n.New("window.login.enter_topic", "Enter at least one topic.", "请至少输入一个主题。")
	txtEnterUsername  = i18n.New("window.login.enter_username", "Enter your username.", "请输入用户名。")
	txtEnterPassword  = i18n.New("window.login.enter_password", "Enter your password.", "请输入密码。")
	txtCAFileUnusable = i18n.New("window.login.ca_file.unusable", "Cannot read this file.", "无法读取此文件。")
	// fullStop ends an error shown as a sentence.
	fullStop = i18n.New("window.login.full_stop", ".", "。")
	// The custom kind (backend/custom).
	txtTokenOrKey      = i18n.New("window.login.token_or_key", "Token or API key", "令牌或 API 密钥")
	txtAdvanced        = i18n.New("window.login.advanced", "Advanced", "高级")
	txtProfileFile     = i18n.New("window.login.profile_file", "Profile file", "配置文件")
	txtProfileFileHint = i18n.New("window.login.profile_file.hint", "company.toml (leave empty to use the fields below)", "company.toml（留空则使用下方各项）")
	txtWSURL           = i18n.New("window.login.ws_url", "WebSocket URL", "WebSocket 地址")
	txtWSURLHint       = same("wss://app.example.com/websocket?token={token}")
	txtTokenIn         = i18n.New("window.login.token_in", "Token goes in", "令牌位置")
	txtHeartbeatText   = i18n.New("window.login.heartbeat_text", "Heartbeat text", "心跳内容")
	txtHeartbeatEvery  = i18n.New("window.login.heartbeat_every", "Heartbeat interval", "心跳间隔")
)

// Server kind names as the form's menu shows them.
var (
	txtKindNative     = i18n.New("window.kind.native", "Native", "原生")
	txtKindGotify     = same("Gotify")
	txtKindNtfy       = same("ntfy")
	txtKindCentrifugo = same("Centrifugo")
	txtKindCustom     = i18n.New("window.kind.custom", "WebSocket (custom)", "WebSocket（自定义）")
)

// Recent tasks.
var (
	txtRecentHeading = i18n.New("window.recent.heading", "Recent tasks", "最近任务")
	txtAllRead       = i18n.New("window.recent.all_read", "All read", "全部已读")
	txtUnreadFmt     = i18n.New("window.recent.unread", "%s unread", "%s 条未读")
	txtMarkAllRead   = i18n.New("window.recent.mark_all_read", "Mark all read", "全部标为已读")
	txtNoTasks       = i18n.New("window.recent.none", "No tasks yet. New tasks show up here.", "暂无任务。新任务将显示在这里。")
	txtShowOlder     = i18n.New("window.recent.show_older", "Show older tasks", "显示更早的任务")
	txtLoading       = i18n.New("window.recent.loading", "Loading…", "正在加载…")
	txtCountOfFmt    = i18n.New("window.recent.count_of", "%s of %s tasks", "%s / %s 个任务")
	// txtCount takes the count written with thousands separators; its form
	// follows the number.
	txtCount         = i18n.NewPlural("window.recent.count", "%s task", "%s tasks", "%s 个任务")
	txtNoTitle       = i18n.New("window.recent.no_title", "(no title)", "（无标题）")
	txtAgeNow        = i18n.New("window.recent.age_now", "now", "刚刚")
	txtAgeMinutesFmt = i18n.New("window.recent.age_minutes", "%d min", "%d 分钟前")
	// Date layouts (time.Format) for a task's age; a weekday's name comes
	// from weekdays, which time.Format writes in English only.
	layoutToday    = "15:04"
	layoutThisYear = i18n.New("window.recent.layout_this_year", "2 Jan", "1月2日")
	layoutOlder    = i18n.New("window.recent.layout_older", "2 Jan 2006", "2006年1月2日")
	weekdays       = [...]*i18n.Text{
		i18n.New("window.weekday.sun", "Sun", "周日"),
		i18n.New("window.weekday.mon", "Mon", "周一"),
		i18n.New("window.weekday.tue", "Tue", "周二"),
		i18n.New("window.weekday.wed", "Wed", "周三"),
		i18n.New("window.weekday.thu", "Thu", "周四"),
		i18n.New("window.weekday.fri", "Fri", "周五"),
		i18n.New("window.weekday.sat", "Sat", "周六"),
	}
)

// The status window.
var (
	txtStarting        = i18n.New("window.status.starting", "Starting…", "正在启动…")
	txtLogInButton     = i18n.New("window.status.login", "Log in…", "登录…")
	txtLogOut          = i18n.New("window.status.logout", "Log out", "退出登录")
	txtRecentButton    = i18n.New("window.status.recent", "Recent tasks…", "最近任务…")
	txtReconnectNow    = i18n.New("window.status.reconnect", "Reconnect now", "立即重连")
	txtPauseNotes      = i18n.New("window.status.pause", "Pause notifications", "暂停通知")
	txtQuit            = i18n.New("window.status.quit", "Quit tasktray", "退出 tasktray")
	txtNoTrayHint      = i18n.New("window.status.no_tray", "This desktop has no system tray, so tasktray shows its status here.", "此桌面没有系统托盘，tasktray 将在这里显示状态。")
	txtUserOnServerFmt = i18n.New("window.status.user_on_server", "%s on %s", "%s（服务器：%s）")
	txtNoAccount       = i18n.New("window.status.no_account", "No account", "尚未登录账户")
)
