package auth

import "tasktray/i18n"

// The words of auth's errors that the login window and the status show, in
// one place, in English and Simplified Chinese. The login errors
// themselves (ErrBadCredentials and the others) are i18n.NewError values:
// their words follow the language when shown. Errors that only reach the
// log stay English.
var (
	msgBothNeeded = i18n.New("auth.both_needed", "%w: both are needed", "%w：用户名和密码都必须填写")

	msgURLEmpty      = i18n.New("auth.url.empty", "%w: it is empty", "%w：地址为空")
	msgURLUnreadable = i18n.New("auth.url.unreadable", "%w: it cannot be read as a URL", "%w：无法识别为网址")
	msgURLParse      = i18n.New("auth.url.parse", "%w: %v", "%w：%v")
	msgURLNoScheme   = i18n.New("auth.url.no_scheme", "%w: it must start with https:// (or http:// for a server on this computer)", "%w：必须以 https:// 开头（本机上的服务器可用 http://）")
	msgURLScheme     = i18n.New("auth.url.scheme", "%w: %s:// is not supported; use https://", "%w：不支持 %s://，请使用 https://")
	msgURLUser       = i18n.New("auth.url.user", "%w: it must not contain a user name or password; type them in the login form", "%w：地址中不能包含用户名或密码，请在登录表单中填写")
	msgURLNoHost     = i18n.New("auth.url.no_host", "%w: it has no host", "%w：缺少主机名")
	msgURLQuery      = i18n.New("auth.url.query", "%w: it must not contain ? or #", "%w：地址中不能包含 ? 或 #")
	msgURLInsecure   = i18n.New("auth.url.insecure", "%w: %s:// to %s would send your password and token unencrypted; use https:// or allow insecure connections",
		"%w：通过 %s:// 连接 %s 会以明文发送您的密码和令牌；请使用 https:// 或允许不安全的连接")

	msgCAUnreadable = i18n.New("auth.ca.unreadable", "%w: cannot read the CA file: %w", "%w：无法读取 CA 证书文件：%w")
	msgCANoPEM      = i18n.New("auth.ca.no_pem", "%w: the CA file %s holds no PEM certificate", "%w：CA 证书文件 %s 中没有 PEM 格式的证书")

	// What TokenStore.Reason says when the keyring cannot keep the token.
	msgKeyringNone     = i18n.New("auth.keyring.none", "No keyring is running (install gnome-keyring or KeePassXC with Secret Service), so you will need to log in again next time.", "没有正在运行的钥匙串（请安装 gnome-keyring 或启用 Secret Service 的 KeePassXC），因此下次启动时需要重新登录。")
	msgKeyringLocked   = i18n.New("auth.keyring.locked", "The keyring is locked: your login is kept until you quit, and saved there once you unlock it.", "钥匙串已锁定：登录状态将保留到退出程序为止，解锁后会保存到钥匙串中。")
	msgKeyringSlow     = i18n.New("auth.keyring.slow", "The keyring did not answer in time, so you will need to log in again next time.", "钥匙串未及时响应，因此下次启动时需要重新登录。")
	msgKeyringTooLarge = i18n.New("auth.keyring.too_large", "The server's token is too large for the keyring, so you will need to log in again next time.", "服务器的令牌过大，无法存入钥匙串，因此下次启动时需要重新登录。")
	// msgKeyringOther takes the keyring's own words.
	msgKeyringOther = i18n.New("auth.keyring.other", "The keyring could not be used (%s), so you will need to log in again next time.", "无法使用钥匙串（%s），因此下次启动时需要重新登录。")
)
