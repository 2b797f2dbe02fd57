package tray

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"strings"
	"time"

	"tasktray/i18n"
	"tasktray/internal/logfile"
	"tasktray/internal/version"
	"tasktray/ipc"
)

// "Copy diagnostics": a plain-text report for the user to paste into a
// support request. The agent gathers what it knows itself on its loop (it
// is cheap: fields and an in-memory log record), then asks the desktop (the
// tray host, the notification daemon, the keyring service: D-Bus calls that
// may hang) on a goroutine of its own, bounded by probeTimeout, and sends the
// report to the diagnostics window, which shows it and puts it on the
// clipboard (the agent runs no Fyne, and so has no clipboard).
//
// The report names the server's host only, never a username, a token, a
// password or a task's text; TestNoSecretsInLogOrDiagnostics checks.

// probeTimeout bounds the desktop queries of one report: a hung daemon
// shows as "no answer" rather than as no report.
const probeTimeout = 2 * time.Second

// The report's labels. Values stay as the system gives them.
var (
	msgDiagTitle     = i18n.New("tray.diag.title", "tasktray diagnostics, %s", "tasktray 诊断信息，%s")
	msgDiagVersion   = i18n.New("tray.diag.version", "Version", "版本")
	msgDiagOS        = i18n.New("tray.diag.os", "Operating system", "操作系统")
	msgDiagDesktop   = i18n.New("tray.diag.desktop", "Desktop", "桌面")
	msgDiagLanguage  = i18n.New("tray.diag.language", "Language", "语言")
	msgDiagTrayHost  = i18n.New("tray.diag.trayhost", "Tray host", "托盘宿主")
	msgDiagNotify    = i18n.New("tray.diag.notify", "Notification daemon", "通知服务")
	msgDiagCaps      = i18n.New("tray.diag.caps", "Notification capabilities", "通知功能")
	msgDiagKeyring   = i18n.New("tray.diag.keyring", "Keyring", "密钥环")
	msgDiagLink      = i18n.New("tray.diag.link", "Connection", "连接")
	msgDiagPopups    = i18n.New("tray.diag.popups", "Popups", "弹窗")
	msgDiagLogFile   = i18n.New("tray.diag.logfile", "Log file", "日志文件")
	msgDiagDropped   = i18n.NewPlural("tray.diag.dropped", "%d line dropped", "%d lines dropped", "丢弃了 %d 行")
	msgDiagLast      = i18n.New("tray.diag.last", "Last warnings and errors", "最近的警告和错误")
	msgDiagNone      = i18n.New("tray.diag.none", "none", "无")
	msgDiagUnknown   = i18n.New("tray.diag.unknown", "unknown", "未知")
	msgDiagNoAnswer  = i18n.New("tray.diag.noanswer", "no answer: %v", "无应答：%v")
	msgDiagLoggedOut = i18n.New("tray.diag.loggedout", "not logged in", "未登录")
	msgDiagPaused    = i18n.New("tray.diag.paused", "paused", "已暂停")
	msgDiagOn        = i18n.New("tray.diag.on", "on", "开启")
	msgDiagOff       = i18n.New("tray.diag.off", "off: %s", "关闭：%s")
	msgDiagInMemory  = i18n.New("tray.diag.inmemory", "token kept in memory only: %s", "令牌仅保存在内存中：%s")
	msgDiagInKeyring = i18n.New("tray.diag.inkeyring", "token in the keyring", "令牌保存在密钥环中")
	msgDiagWaiting   = i18n.New("tray.diag.waiting", "waiting for the keyring", "正在等待密钥环")
	msgDiagNoWindow  = i18n.New("tray.diag.nowindow", "cannot show the diagnostics window", "无法显示诊断窗口")
)

// copyDiagnostics opens the diagnostics window and sends it the report once
// the desktop has answered.
func (a *Agent) copyDiagnostics(ctx context.Context) {
	facts := a.diagnosticFacts()
	a.openWindow(ctx, ipc.ViewDiagnostics)
	w := a.windows[ipc.ViewDiagnostics]
	if w == nil {
		a.log.Warn(msgDiagNoWindow.String())
		return
	}
	child := w.child
	go func() {
		pctx, cancel := context.WithTimeout(ctx, probeTimeout)
		defer cancel()
		d := probeDesktop(pctx)
		if ctx.Err() != nil {
			return
		}
		// Child.Send queues and never blocks; a closed window just
		// refuses it.
		if err := child.Send(ipc.Diagnostics{Text: facts.report(d)}); err != nil {
			a.log.Debug("diagnostics window gone", "err", err)
		}
	}()
}

// facts is what the agent knows of itself, taken on its loop.
type facts struct {
	now        time.Time
	version    string
	goos, arch string
	desktop    string
	language   string
	link       string
	keyring    string
	popups     string
	logFile    string
	dropped    int64
	hasLogFile bool
	last       []string
}

// desktopFacts is what the desktop said, asked off the loop.
type desktopFacts struct {
	trayHost string
	notify   string
	caps     string
	keyring  string // the service behind the keyring, where there is one
}

func (a *Agent) diagnosticFacts() facts {
	f := facts{
		now:      time.Now(),
		version:  version.Get().String(),
		goos:     runtime.GOOS,
		arch:     runtime.GOARCH,
		desktop:  desktopName(),
		language: i18n.Current().String(),
		last:     logfile.LastErrors(a.log),
	}
	f.logFile, f.dropped, f.hasLogFile = logfile.FileOf(a.log)

	switch {
	case !a.loggedIn:
		f.link = msgDiagLoggedOut.String()
	default:
		f.link = fmt.Sprintf("%s, %s, %s", a.state.Phase, a.account.Kind, serverHost(a.account.Server, a.state.Server))
		if a.state.Reason != "" {
			f.link += " (" + a.state.Reason + ")"
		}
		if a.paused {
			f.link += ", " + msgDiagPaused.String()
		}
	}

	switch {
	case a.keyringWait != nil:
		f.keyring = msgDiagWaiting.String()
	case a.cfg.Tokens.Persistent():
		f.keyring = msgDiagInKeyring.String()
	default:
		f.keyring = msgDiagInMemory.F(a.cfg.Tokens.Reason())
	}

	f.popups = msgDiagOn.String()
	if a.cfg.PopupsOff != nil {
		f.popups = msgDiagOff.F(a.cfg.PopupsOff.String())
	}
	return f
}

// serverHost is the host of the address the link is on: no path, query or
// user, which could name an account or carry a token.
func serverHost(server, linkServer string) string {
	if linkServer != "" {
		server = linkServer
	}
	u, err := url.Parse(server)
	if err != nil || u.Host == "" {
		return msgDiagUnknown.String()
	}
	return u.Host
}

// desktopName is the desktop environment and session type, as the session
// announces them.
func desktopName() string {
	d := os.Getenv("XDG_CURRENT_DESKTOP")
	if d == "" {
		d = os.Getenv("DESKTOP_SESSION")
	}
	if d == "" {
		d = msgDiagUnknown.String()
	}
	if s := os.Getenv("XDG_SESSION_TYPE"); s != "" {
		d += " (" + s + ")"
	}
	return d
}

// report is the text the user copies.
func (f facts) report(d desktopFacts) string {
	var b strings.Builder
	line := func(label *i18n.Text, value string) {
		if value == "" {
			value = msgDiagUnknown.String()
		}
		fmt.Fprintf(&b, "%s: %s\n", label.String(), value)
	}
	b.WriteString(msgDiagTitle.F(f.now.UTC().Format("2006-01-02 15:04:05 UTC")) + "\n\n")
	line(msgDiagVersion, f.version)
	line(msgDiagOS, f.goos+"/"+f.arch)
	line(msgDiagDesktop, f.desktop)
	line(msgDiagLanguage, f.language)
	line(msgDiagTrayHost, d.trayHost)
	line(msgDiagNotify, d.notify)
	line(msgDiagCaps, d.caps)
	keyring := f.keyring
	if d.keyring != "" {
		keyring = d.keyring + "; " + keyring
	}
	line(msgDiagKeyring, keyring)
	line(msgDiagLink, f.link)
	line(msgDiagPopups, f.popups)
	if f.hasLogFile {
		logFile := f.logFile
		if logFile == "" {
			logFile = msgDiagNone.String()
		}
		if f.dropped > 0 {
			logFile += " (" + msgDiagDropped.N(int(f.dropped)) + ")"
		}
		line(msgDiagLogFile, logFile)
	}
	fmt.Fprintf(&b, "\n%s:\n", msgDiagLast.String())
	if len(f.last) == 0 {
		b.WriteString("  " + msgDiagNone.String() + "\n")
	}
	for _, l := range f.last {
		b.WriteString("  " + l + "\n")
	}
	return b.String()
}
