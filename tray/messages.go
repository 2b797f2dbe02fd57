package tray

import "tasktray/i18n"

// What the agent tells the user, in one place so that a translation has one
// file to cover. Each is resolved in the language in use when it is shown.
var (
	msgKeyringLockedLoad = i18n.New("tray.keyring.locked_load", "Keyring locked — unlock it to connect", "钥匙串已锁定，解锁后即可连接")
	msgKeyringDownLoad   = i18n.New("tray.keyring.down_load", "Keyring not available — waiting for it to connect", "钥匙串不可用，正在等待其就绪后连接")
	msgKeyringLockedSave = i18n.New("tray.keyring.locked_save", "Keyring locked — your login is kept until you quit", "钥匙串已锁定，登录状态将保留到退出程序为止")
	msgKeyringDownSave   = i18n.New("tray.keyring.down_save", "Keyring not available — your login is kept until you quit", "钥匙串不可用，登录状态将保留到退出程序为止")

	msgAuthTitle = i18n.New("tray.auth.title", "tasktray: log in again", "tasktray：请重新登录")
	msgAuthBody  = i18n.New("tray.auth.body", "The server no longer accepts your login. Choose “Log in…” in the tray menu.", "服务器已不再接受您的登录。请在托盘菜单中选择“登录…”。")

	msgGapTitle = i18n.New("tray.gap.title", "tasktray: some tasks could not be fetched", "tasktray：部分任务未能获取")
	// msgGapBefore takes the time (15:04) before which tasks may be missing.
	msgGapBefore = i18n.New("tray.gap.before", "Some tasks before %s could not be fetched", "%s 之前的部分任务未能获取")
	msgGapSome   = i18n.New("tray.gap.some", "Some tasks could not be fetched", "部分任务未能获取")

	// msgPopupsOff takes why, e.g. "no D-Bus session bus".
	msgPopupsOff = i18n.New("tray.popups_off", "no popups: %s", "无法弹窗通知：%s")

	msgNoSessionBus    = i18n.New("tray.no_session_bus", "no D-Bus session bus", "没有 D-Bus 会话总线")
	msgNoNotifications = i18n.New("tray.no_notifications", "no notification service", "没有通知服务")

	// msgBadSystemProfile takes the profile's error, which names the file
	// and the field.
	msgBadSystemProfile = i18n.New("tray.bad_system_profile", "The company profile cannot be used (tell your administrator): %v", "无法使用公司配置文件（请告知管理员）：%v")

	// TextBadProfile takes the -profile file's error; tasktray then exits.
	TextBadProfile = i18n.New("tray.bad_profile", "tasktray: the profile cannot be used: %v", "tasktray：无法使用该配置文件：%v")
)

// The status line (statusLine, Agent.status).
var (
	msgConnected      = i18n.New("tray.status.connected", "Connected to %s", "已连接到 %s")
	msgConnecting     = i18n.New("tray.status.connecting", "Connecting to %s…", "正在连接 %s…")
	msgReconnectingTo = i18n.New("tray.status.reconnecting_to", "Reconnecting to %s… (attempt %d)", "正在重新连接 %s…（第 %d 次尝试）")
	msgReconnectingIn = i18n.New("tray.status.reconnecting_in", "Reconnecting in %d s (attempt %d)", "%d 秒后重新连接（第 %d 次尝试）")
	msgLogInRequired  = i18n.New("tray.status.login_required", "Log in required", "需要登录")
	msgStopped        = i18n.New("tray.status.stopped", "Stopped", "已停止")
	msgNotLoggedIn    = i18n.New("tray.status.not_logged_in", "Not logged in", "未登录")
	msgOffline        = i18n.New("tray.status.offline", "Offline", "离线")
	// msgCannotConnect takes why the link gave up (conn.State.Reason).
	msgCannotConnect = i18n.New("tray.status.cannot_connect", "Cannot connect: %s", "无法连接：%s")
)

// The tray menu (Systray): each item's title and tooltip.
var (
	menuStarting        = i18n.New("tray.menu.starting", "Starting…", "正在启动…")
	menuLogin           = i18n.New("tray.menu.login", "Log in…", "登录…")
	menuLoginTip        = i18n.New("tray.menu.login.tip", "Log in to your task server", "登录到您的任务服务器")
	menuLogout          = i18n.New("tray.menu.logout", "Log out", "退出登录")
	menuLogoutUser      = i18n.New("tray.menu.logout_user", "Log out %s", "退出登录 %s")
	menuLogoutTip       = i18n.New("tray.menu.logout.tip", "Forget the login on this computer", "清除本机保存的登录信息")
	menuRecent          = i18n.New("tray.menu.recent", "Recent tasks…", "最近任务…")
	menuRecentUnread    = i18n.New("tray.menu.recent_unread", "Recent tasks (%d unread)…", "最近任务（%d 条未读）…")
	menuRecentTip       = i18n.New("tray.menu.recent.tip", "Show the tasks that came in", "查看收到的任务")
	menuPause           = i18n.New("tray.menu.pause", "Pause notifications", "暂停通知")
	menuPauseTip        = i18n.New("tray.menu.pause.tip", "Tasks still arrive, without popups", "任务照常接收，但不弹窗")
	menuQuiet           = i18n.New("tray.menu.quiet", "Do not disturb for 1 hour", "免打扰 1 小时")
	menuQuietTip        = i18n.New("tray.menu.quiet.tip", "No popups for an hour; urgent tasks still show", "1 小时内不弹窗，紧急任务仍会提醒")
	menuReconnect       = i18n.New("tray.menu.reconnect", "Reconnect now", "立即重连")
	menuReconnectTip    = i18n.New("tray.menu.reconnect.tip", "Dial the server now instead of waiting", "立即连接服务器，无需等待")
	menuSettings        = i18n.New("tray.menu.settings", "Settings…", "设置…")
	menuSettingsTip     = i18n.New("tray.menu.settings.tip", "Popups, quiet hours, language", "弹窗、免打扰时段、语言")
	menuStartAtLogin    = i18n.New("tray.menu.start_at_login", "Start at login", "开机自动启动")
	menuStartAtLoginTip = i18n.New("tray.menu.start_at_login.tip", "Start tasktray when you log in", "登录系统时自动启动 tasktray")
	menuDiagnostics     = i18n.New("tray.menu.diagnostics", "Copy diagnostics", "复制诊断信息")
	menuDiagnosticsTip  = i18n.New("tray.menu.diagnostics.tip", "Copy a report to send to your administrator", "复制一份报告，发送给管理员")
	menuQuit            = i18n.New("tray.menu.quit", "Quit", "退出")
	menuQuitTip         = i18n.New("tray.menu.quit.tip", "Quit tasktray", "退出 tasktray")
	// menuTooltip is the tray icon's tooltip; it takes the status line.
	menuTooltip = i18n.New("tray.menu.tooltip", "tasktray: %s", "tasktray：%s")
)
