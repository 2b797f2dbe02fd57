package backend

import "tasktray/i18n"

// msgUnknownKind takes the kind an account or a login names.
var msgUnknownKind = i18n.New("backend.unknown_kind", "unknown server kind %q", "未知的服务器类型 %q")
