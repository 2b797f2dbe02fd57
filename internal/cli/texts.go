package cli

import "tasktray/i18n"

// The agent's flag help, in English and Simplified Chinese (the words of
// the single-instance requests are in instance.go).
var (
	msgUsage         = i18n.New("cli.usage", "Usage: tasktray [flags]", "用法：tasktray [选项]")
	msgFlagDemo      = i18n.New("cli.flag.demo", "run against an embedded demo server with a demo account and a sample task every few seconds", "连接内置的演示服务器，使用演示账户，每隔几秒收到一个示例任务")
	msgFlagDemoEvery = i18n.New("cli.flag.demo_every", "how often the demo server publishes a sample task", "演示服务器发布示例任务的间隔")
	msgFlagCoalesce  = i18n.New("cli.flag.coalesce", "turn a burst of tasks into one summary popup (every task still lands in Recent tasks)", "将短时间内涌入的多个任务合并为一个汇总弹窗（每个任务仍会列入最近任务）")
	msgFlagProfile   = i18n.New("cli.flag.profile", "log in to an existing backend described by this profile (docs/custom.md); the login window then asks only for the username and password", "登录到此配置文件所描述的现有后端（见 docs/custom.md）；登录窗口只需填写用户名和密码")
	msgFlagVerbose   = i18n.New("cli.flag.v", "log debug details", "记录调试详细信息")
	msgFlagVersion   = i18n.New("cli.flag.version", "print the version, commit and build date, and exit", "显示版本、提交和构建日期，然后退出")
)
