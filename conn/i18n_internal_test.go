package conn

import (
	"errors"
	"testing"

	"tasktray/i18n"
)

// The tests compare English words; a machine set to Chinese must not break
// them. init runs before TestMain.
func init() { i18n.SetLanguage("en") }

func TestTextsInBothLanguages(t *testing.T) { i18n.CheckTexts(t) }

func TestReasonsInChinese(t *testing.T) {
	t.Cleanup(func() { i18n.SetLanguage("en") })
	i18n.SetLanguage("zh-CN")
	if got, want := msgLogInRequired.F(ErrUnauthorized), "需要重新登录：server refused the token"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
	cause := errors.New("broken pipe")
	err := msgWriteFailed.Err(cause)
	if got, want := err.Error(), "发送失败：broken pipe"; got != want || !errors.Is(err, cause) {
		t.Errorf("%q (wraps the cause: %t), want %q", got, errors.Is(err, cause), want)
	}
}
