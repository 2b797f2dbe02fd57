package custom

import (
	"errors"
	"strings"
	"testing"

	"tasktray/i18n"
)

// The tests compare English words; a machine set to Chinese must not break
// them. init runs before TestMain.
func init() { i18n.SetLanguage("en") }

func TestTextsInBothLanguages(t *testing.T) { i18n.CheckTexts(t) }

// TestProfileErrorInChinese: the login window and the status show a
// profile's problem in the user's language; the field stays as written.
func TestProfileErrorInChinese(t *testing.T) {
	t.Cleanup(func() { i18n.SetLanguage("en") })
	i18n.SetLanguage("zh-CN")
	_, err := ParseProfile([]byte("[connect]\nurl = \"wss://x.example.com/ws?token={token}\"\ncolour = \"red\"\n"))
	if err == nil || !errors.Is(err, ErrProfile) || !strings.HasPrefix(err.Error(), "配置文件有误：未知字段 connect.colour") {
		t.Errorf("unknown field: %v", err)
	}
	_, err = ParseProfile([]byte("[connect]\nurl = \"wss://x.example.com/ws\"\ntoken_in = \"path\"\n"))
	if want := "配置文件有误：connect.url：token_in = \"path\" 要求在路径中出现一次 {token}（/websocket/{token}）"; err == nil || err.Error() != want || !errors.Is(err, ErrProfile) {
		t.Errorf("field check: %v, want %q", err, want)
	}
}
