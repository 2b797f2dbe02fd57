package httpapi

import "tasktray/i18n"

// The words of the errors StatusErr and RequestErr build, which the login
// window shows after its own lead sentence, in English and Simplified
// Chinese. The first verb always takes the auth error they wrap.
var (
	msgRedirects       = i18n.New("httpapi.redirects", "%w: %s redirects (%s)", "%w：%s 发生了重定向（%s）")
	msgRedirectsTo     = i18n.New("httpapi.redirects_to", "%w: %s redirects to %s://%s; use that address", "%w：%s 重定向到 %s://%s；请改用该地址")
	msgTryLater        = i18n.New("httpapi.try_later", "%w: %s answered %s; try again later", "%w：%s 返回了 %s；请稍后重试")
	msgAnswered        = i18n.New("httpapi.answered", "%w: %s answered %s", "%w：%s 返回了 %s")
	msgUnknownCA       = i18n.New("httpapi.unknown_ca", "%w: the certificate of %s is not signed by an authority this computer trusts; for a self-signed server, set its CA file", "%w：%s 的证书不是由本机信任的机构签发的；如果服务器使用自签名证书，请设置其 CA 证书文件")
	msgOtherHostName   = i18n.New("httpapi.other_host_name", "%w: the certificate of %s is for another host name", "%w：%s 的证书属于其他主机名")
	msgExpired         = i18n.New("httpapi.expired", "%w: the certificate of %s has expired or is not valid yet", "%w：%s 的证书已过期或尚未生效")
	msgInvalidCert     = i18n.New("httpapi.invalid_cert", "%w: the certificate of %s is not valid", "%w：%s 的证书无效")
	msgNoTLS           = i18n.New("httpapi.no_tls", "%w: %s does not speak TLS; check the port, or use http:// for a server on this computer", "%w：%s 不支持 TLS；请检查端口，本机上的服务器可使用 http://")
	msgHandshakeRefuse = i18n.New("httpapi.tls_refused", "%w: %s refused the TLS handshake (%v)", "%w：%s 拒绝了 TLS 握手（%v）")
	msgNoSuchHost      = i18n.New("httpapi.no_such_host", "%w: no host named %s", "%w：找不到名为 %s 的主机")
	msgLookupFailed    = i18n.New("httpapi.lookup_failed", "%w: cannot look up %s", "%w：无法解析 %s")
	msgRefused         = i18n.New("httpapi.refused", "%w: nothing is listening at %s (connection refused)", "%w：%s 上没有服务在监听（连接被拒绝）")
	msgTimeout         = i18n.New("httpapi.timeout", "%w: %s did not answer in time", "%w：%s 未及时响应")
	msgNoHTTP          = i18n.New("httpapi.no_http", "%w: %s does not speak HTTP", "%w：%s 不支持 HTTP")
	msgCannotTalk      = i18n.New("httpapi.cannot_talk", "%w: cannot talk to %s (%v)", "%w：无法与 %s 通信（%v）")
	// msgAnsweredWith takes the host, the path and msgNotJSON or msgWebPage.
	msgAnsweredWith = i18n.New("httpapi.answered_with", "%w: %s answered %s with %s", "%w：%s 对 %s 的响应是%s")
	msgNotJSON      = i18n.New("httpapi.not_json", "something that is not JSON", "非 JSON 内容")
	msgWebPage      = i18n.New("httpapi.web_page", "a web page", "一个网页")
)
