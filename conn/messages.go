package conn

import "tasktray/i18n"

// The words of State.Reason and Gap.Reason that a user reads, in one place,
// in English and Simplified Chinese. They are resolved when the state
// changes; the UI shows the newest state.
var (
	msgNotLoggedIn = i18n.New("conn.not_logged_in", "not logged in", "未登录")
	// msgLogInRequired takes the server's refusal.
	msgLogInRequired = i18n.New("conn.login_required", "log in required: %v", "需要重新登录：%v")
	// msgCursorDamaged is the Gap published when the stored resume point
	// could not be read and the link started afresh.
	msgCursorDamaged = i18n.New("conn.cursor_damaged",
		"the saved resume point was damaged; tasks published while tasktray was not running may be missing",
		"保存的接续位置已损坏；tasktray 未运行期间发布的任务可能缺失")

	// Why a link went down (State.Reason while Reconnecting).
	msgServerClosed     = i18n.New("conn.server_closed", "server closed the link: %d %s", "服务器关闭了连接：%d %s") // close code, close text
	msgOverLimit        = i18n.New("conn.over_limit", "server sent a message over the %d-byte limit", "服务器发送的消息超过了 %d 字节的上限")
	msgNoAnswer         = i18n.New("conn.no_answer", "no answer from the server (link presumed dead)", "服务器无响应（连接可能已断开）")
	msgWriteFailed      = i18n.New("conn.write_failed", "write failed: %w", "发送失败：%w")
	msgClosedReplying   = i18n.New("conn.closed_replying", "link closed while replying", "回复时连接已关闭")
	msgBackfillFailed   = i18n.New("conn.backfill_failed", "fetching missed tasks: %w", "获取错过的任务失败：%w")
	msgHandshakeRefused = i18n.New("conn.handshake_refused", "handshake refused: HTTP %d", "握手被拒绝：HTTP %d")
	msgBadKeepalive     = i18n.New("conn.bad_keepalive", "server announced %w", "服务器通告的心跳设置无效：%w")

	// msgRefused: nothing listens at host:port; the same words on every OS.
	msgRefused = i18n.New("conn.refused", "nothing is listening at %s (connection refused)", "%s 上没有服务在监听（连接被拒绝）")
)
