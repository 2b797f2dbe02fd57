package custom

import "tasktray/i18n"

// The words of profile errors that the login window and the status show,
// in English and Simplified Chinese. A profile's field names stay as they
// are written in the file.
var (
	msgTooLong      = i18n.New("custom.profile.too_long", "%w: longer than %d KiB", "%w：超过 %d KiB")
	msgUnknownField = i18n.New("custom.profile.unknown_field", "%w: unknown field %s", "%w：未知字段 %s")
	msgNoProfile    = i18n.New("custom.profile.none", "%w: no profile", "%w：没有配置文件")
)

// ErrProfile marks a profile that cannot be used; the error names the
// field and says what is wrong.
var ErrProfile = i18n.NewError("custom.err.profile", "bad profile", "配置文件有误")

// msgFieldErr is the one shape of a profile field's error: ErrProfile, the
// field as written in the file, then one of the msgCheck texts.
var msgFieldErr = i18n.New("custom.field", "%w: %s: %s", "%w：%s：%s")

// What is wrong with a profile field (check.go); the words in quotes and
// braces are the profile's own and stay as they are.
var (
	msgCheck1 = i18n.New("custom.check.1", `"cookie" needs a [login] section with token_from = "cookies"`,
		`"cookie" 需要一个 token_from = "cookies" 的 [login] 部分`)
	msgCheck2 = i18n.New("custom.check.2", "missing; the WebSocket address, e.g. wss://example.com/websocket?token={token}",
		"缺失；应为 WebSocket 地址，例如 wss://example.com/websocket?token={token}")
	msgCheck3 = i18n.New("custom.check.3", "{token} may stand only in the path or the query",
		"{token} 只能出现在路径或查询参数中")
	msgCheck4 = i18n.New("custom.check.4", `has {token}, but token_in is %q; use token_in = "query" or "path"`,
		`含有 {token}，但 token_in 为 %q；请使用 token_in = "query" 或 "path"`)
	msgCheck5 = i18n.New("custom.check.5", `token_in = "query" needs {token} once, in the query (?token={token})`,
		`token_in = "query" 要求在查询参数中出现一次 {token}（?token={token}）`)
	msgCheck6 = i18n.New("custom.check.6", `token_in = "path" needs {token} once, in the path (/websocket/{token})`,
		`token_in = "path" 要求在路径中出现一次 {token}（/websocket/{token}）`)
	msgCheck7 = i18n.New("custom.check.7", `token_in = "header" needs a header name, e.g. "Authorization"`,
		`token_in = "header" 需要一个请求头名称，例如 "Authorization"`)
	msgCheck8 = i18n.New("custom.check.8", "%q is not a valid subprotocol (letters, digits and !#$%%&'*+-.^_`|~ only)",
		"%q 不是有效的子协议（只能包含字母、数字和 !#$%%&'*+-.^_`|~）")
	msgCheck9 = i18n.New("custom.check.9", `token_in = "subprotocol" needs {token} in exactly one entry, e.g. ["{token}"]`,
		`token_in = "subprotocol" 要求恰好一项中含有 {token}，例如 ["{token}"]`)
	msgCheck10 = i18n.New("custom.check.10", "missing; one of query, path, header, subprotocol, cookie",
		"缺失；应为 query、path、header、subprotocol、cookie 之一")
	msgCheck11 = i18n.New("custom.check.11", "%q is not one of query, path, header, subprotocol, cookie",
		"%q 不是 query、path、header、subprotocol、cookie 之一")
	msgCheck12 = i18n.New("custom.check.12", `only used with token_in = "header"`,
		`仅在 token_in = "header" 时使用`)
	msgCheck13 = i18n.New("custom.check.13", `has {token}, but token_in is not "subprotocol"`,
		`含有 {token}，但 token_in 不是 "subprotocol"`)
	msgCheck14 = i18n.New("custom.check.14", "%q is not a valid subprotocol",
		"%q 不是有效的子协议")
	msgCheck15 = i18n.New("custom.check.15", "%q is not a header name",
		"%q 不是请求头名称")
	msgCheck16 = i18n.New("custom.check.16", "%s is set by the app itself",
		"%s 由应用自行设置")
	msgCheck17 = i18n.New("custom.check.17", `{token} is not replaced here; use token_in = "header"`,
		`此处的 {token} 不会被替换；请使用 token_in = "header"`)
	msgCheck18 = i18n.New("custom.check.18", "has a line break",
		"含有换行符")
	msgCheck19 = i18n.New("custom.check.19", "only {token} and {since} may stand in braces",
		"花括号中只能是 {token} 或 {since}")
	msgCheck20 = i18n.New("custom.check.20", "cannot be read as a URL",
		"无法识别为网址")
	msgCheck21 = i18n.New("custom.check.21", "must start with %s:// (or %s:// for a server on this computer)",
		"必须以 %s:// 开头（本机上的服务器可用 %s://）")
	msgCheck22 = i18n.New("custom.check.22", "must not contain a user name or password",
		"不能包含用户名或密码")
	msgCheck23 = i18n.New("custom.check.23", "has no host",
		"缺少主机名")
	msgCheck24 = i18n.New("custom.check.24", "must not contain #",
		"不能包含 #")
	msgCheck25 = i18n.New("custom.check.25", "%s:// to %s would send the password and token unencrypted; use %s:// or set allow_insecure = true",
		"通过 %s:// 连接 %s 会以明文发送密码和令牌；请使用 %s:// 或设置 allow_insecure = true")
	msgCheck26 = i18n.New("custom.check.26", "missing; the backend's login address (leave out the whole [login] section when users paste a token)",
		"缺失；应为后端的登录地址（如果用户直接粘贴令牌，请删除整个 [login] 部分）")
	msgCheck27 = i18n.New("custom.check.27", "must not contain {token} or {since}",
		"不能包含 {token} 或 {since}")
	msgCheck28 = i18n.New("custom.check.28", "%q is not POST or PUT",
		"%q 不是 POST 或 PUT")
	msgCheck29 = i18n.New("custom.check.29", `%q is not "json" or "form"`,
		`%q 不是 "json" 或 "form"`)
	msgCheck30 = i18n.New("custom.check.30", "is the same as username_field",
		"与 username_field 相同")
	msgCheck31 = i18n.New("custom.check.31", "is the username or password field",
		"是用户名或密码字段")
	msgCheck32 = i18n.New("custom.check.32", "not used with token_from = %q",
		"在 token_from = %q 时不使用")
	msgCheck33 = i18n.New("custom.check.33", `token_from = "json" needs the path of the token in the answer, e.g. "data.token"`,
		`token_from = "json" 需要令牌在响应中的路径，例如 "data.token"`)
	msgCheck34 = i18n.New("custom.check.34", `token_from = "header" needs a header name, e.g. "X-Auth-Token"`,
		`token_from = "header" 需要一个响应头名称，例如 "X-Auth-Token"`)
	msgCheck35 = i18n.New("custom.check.35", `missing; one of "json", "header", "cookies"`,
		`缺失；应为 "json"、"header"、"cookies" 之一`)
	msgCheck36 = i18n.New("custom.check.36", `%q is not one of "json", "header", "cookies"`,
		`%q 不是 "json"、"header"、"cookies" 之一`)
	msgCheck37 = i18n.New("custom.check.37", "has a NUL byte",
		"含有 NUL 字节")
	msgCheck38 = i18n.New("custom.check.38", "%v is not between %v and %v",
		"%v 不在 %v 到 %v 之间")
	msgCheck39 = i18n.New("custom.check.39", "echo_path and echo_value go together",
		"echo_path 和 echo_value 必须同时设置")
	msgCheck40 = i18n.New("custom.check.40", "needed with ping = false and no echo: nothing else tells a dead link",
		"在 ping = false 且没有 echo 时必须设置：否则无法判断连接已断开")
	msgCheck41 = i18n.New("custom.check.41", "%v must be longer than the interval (%v) and at most %v",
		"%v 必须大于心跳间隔（%v）且不超过 %v")
	msgCheck42 = i18n.New("custom.check.42", `%q is not "body" or "ignore"`,
		`%q 不是 "body" 或 "ignore"`)
	msgCheck43 = i18n.New("custom.check.43", "missing",
		"缺失")
	msgCheck44 = i18n.New("custom.check.44", "needs exactly one of equals and not",
		"equals 和 not 必须且只能设置其中一个")
	msgCheck45 = i18n.New("custom.check.45", `%q is not a JSON path like "data.title"`,
		`%q 不是类似 "data.title" 的 JSON 路径`)
	msgCheck46 = i18n.New("custom.check.46", "%d is not between 1 and %d",
		"%d 不在 1 到 %d 之间")
	msgCheck47 = i18n.New("custom.check.47", "since_param and missed_url need mapping.id: without ids there is nothing to resume from",
		"since_param 和 missed_url 需要 mapping.id：没有 id 就无法接续")
	msgCheck48 = i18n.New("custom.check.48", "%q is not a plain query parameter name",
		"%q 不是普通的查询参数名")
	msgCheck49 = i18n.New("custom.check.49", "only used with missed_url",
		"仅与 missed_url 一起使用")
	msgCheck50 = i18n.New("custom.check.50", "needs {since} once, where the last id goes",
		"需要出现一次 {since}，用于填入最后一个 id")
	msgCheck51 = i18n.New("custom.check.51", "has {token} more than once",
		"{token} 出现了不止一次")
	msgCheck52 = i18n.New("custom.check.52", "needs {token}: with token_in = %q there is no header or cookie to send it in",
		"需要 {token}：token_in = %q 时没有可用于发送令牌的请求头或 Cookie")
	msgCatchUpFailed = i18n.New("custom.catchup_failed", "the missed-tasks address failed just after connecting",
		"刚连接后，获取错过任务的地址出错")
	msgCheck53 = i18n.New("custom.check.53", "%d is not between 0 and the window (%d)",
		"%d 不在 0 到 window（%d）之间")
)
