package ipc

import (
	"fmt"
	"testing"

	"tasktray/auth"
	"tasktray/i18n"
)

// The tests compare English words; a machine set to Chinese must not break
// them. init runs before TestMain, in helper processes too.
func init() { i18n.SetLanguage("en") }

func TestTextsInBothLanguages(t *testing.T) { i18n.CheckTexts(t) }

// TestLoginResultInChinese: in Chinese too the detail does not repeat the
// auth error's words, whichever colon follows them.
func TestLoginResultInChinese(t *testing.T) {
	t.Cleanup(func() { i18n.SetLanguage("en") })
	i18n.SetLanguage("zh-CN")
	for _, tc := range []struct {
		err  error
		kind ErrorKind
		want string
	}{
		{auth.Credentials{}.Check(), ErrorCredentials, "用户名和密码都必须填写"},
		{fmt.Errorf("%w: dial tcp 127.0.0.1:1: connection refused", auth.ErrUnreachable), ErrorUnreachable, "dial tcp 127.0.0.1:1: connection refused"},
		{auth.ErrNotSupported, ErrorOther, "该类型的服务器不支持此操作"},
	} {
		if got := LoginResultOf(tc.err); got.ErrorKind != tc.kind || got.Error != tc.want {
			t.Errorf("LoginResultOf(%q) = %+v, want %s %q", tc.err, got, tc.kind, tc.want)
		}
	}
}
