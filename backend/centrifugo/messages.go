package centrifugo

import "tasktray/i18n"

// The words of the Centrifugo errors the login window shows, in English
// and Simplified Chinese.
var (
	msgNoChannel    = i18n.New("centrifugo.no_channel", "centrifugo: name a channel, or enter a username for the default tasks:<username>", "centrifugo：请填写频道，或输入用户名以使用默认频道 tasks:<用户名>")
	msgChannelSpace = i18n.New("centrifugo.channel_space", "centrifugo channel %q holds white space", "centrifugo 频道 %q 中含有空白字符")
	// msgTokenURL takes the error about the token URL field.
	msgTokenURL     = i18n.New("centrifugo.token_url", "token URL: %w", "令牌地址：%w")
	msgNotAJWT      = i18n.New("centrifugo.not_jwt", "%w: with no token URL, the password field must hold a connection token (a JWT) from the site", "%w：未填写令牌地址时，密码栏中必须填写从网站获取的连接令牌（JWT）")
	msgTokenExpired = i18n.New("centrifugo.token_expired", "%w: the pasted token expired at %s", "%w：粘贴的令牌已于 %s 过期")
)
