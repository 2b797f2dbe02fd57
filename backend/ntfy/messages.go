package ntfy

import "tasktray/i18n"

// The words of the ntfy errors the login window shows, in English and
// Simplified Chinese; the first verb takes the error they wrap.
var (
	msgMayNotRead = i18n.New("ntfy.may_not_read", "%w: %s may not read %q on this server; ask its admin for read access, or check the spelling",
		"%w：%s 无权读取此服务器上的 %q；请向管理员申请读取权限，或检查主题名称的拼写")
	msgBadTopic = i18n.New("ntfy.bad_topic", "%w: %q may hold only letters, digits, - and _ (at most 64)", "%w：%q 只能包含字母、数字、- 和 _（最多 64 个字符）")
	msgNoTopic  = i18n.New("ntfy.no_topic", "%w: enter at least one topic", "%w：请至少输入一个主题")
)
