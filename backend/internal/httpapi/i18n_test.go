package httpapi

import (
	"context"
	"errors"
	"net"
	"testing"

	"tasktray/auth"
	"tasktray/i18n"
	"tasktray/ipc"
)

// The tests compare English words; a machine set to Chinese must not break
// them. init runs before TestMain.
func init() { i18n.SetLanguage("en") }

func TestTextsInBothLanguages(t *testing.T) { i18n.CheckTexts(t) }

// TestRequestErrInChinese: what the login window shows after "无法连接到服务器。"
// is Chinese too, and does not repeat the auth error's words.
func TestRequestErrInChinese(t *testing.T) {
	t.Cleanup(func() { i18n.SetLanguage("en") })
	i18n.SetLanguage("zh-CN")
	err := RequestErr(context.Background(), "push.example.com:443", &net.DNSError{Err: "no such host", Name: "push.example.com", IsNotFound: true})
	if !errors.Is(err, auth.ErrUnreachable) || err.Error() != "无法连接服务器：找不到名为 push.example.com 的主机" {
		t.Errorf("RequestErr = %q", err)
	}
	if got := ipc.LoginResultOf(err).Error; got != "找不到名为 push.example.com 的主机" {
		t.Errorf("the window's detail: %q", got)
	}
}
