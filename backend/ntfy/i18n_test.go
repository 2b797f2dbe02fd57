package ntfy

import (
	"errors"
	"testing"

	"tasktray/auth"
	"tasktray/i18n"
)

// The tests compare English words; a machine set to Chinese must not break
// them. init runs before TestMain.
func init() { i18n.SetLanguage("en") }

func TestTextsInBothLanguages(t *testing.T) { i18n.CheckTexts(t) }

// TestTopicErrorsInChinese: the login window shows these whole.
func TestTopicErrorsInChinese(t *testing.T) {
	t.Cleanup(func() { i18n.SetLanguage("en") })
	i18n.SetLanguage("zh-CN")
	_, err := New(auth.Account{Kind: "ntfy", Server: "https://ntfy.example.com", Options: map[string]string{OptionTopics: " , "}})
	if want := "ntfy 主题无效：请至少输入一个主题"; err == nil || err.Error() != want || !errors.Is(err, ErrBadTopics) {
		t.Errorf("no topic: %v, want %q", err, want)
	}
}
