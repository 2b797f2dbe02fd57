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
