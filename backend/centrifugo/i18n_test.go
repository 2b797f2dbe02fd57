package centrifugo

import (
	"testing"

	"tasktray/auth"
	"tasktray/i18n"
)

// The tests compare English words; a machine set to Chinese must not break
// them. init runs before TestMain.
func init() { i18n.SetLanguage("en") }

func TestTextsInBothLanguages(t *testing.T) { i18n.CheckTexts(t) }

// TestChannelErrorInChinese: the login window shows it whole.
func TestChannelErrorInChinese(t *testing.T) {
	t.Cleanup(func() { i18n.SetLanguage("en") })
	i18n.SetLanguage("zh-CN")
	_, err := New(auth.Account{Kind: "centrifugo", Server: "https://c.example.com"})
	if want := "centrifugo：请填写频道，或输入用户名以使用默认频道 tasks:<用户名>"; err == nil || err.Error() != want {
		t.Errorf("no channel, no username: %v, want %q", err, want)
	}
}
