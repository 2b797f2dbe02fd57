package auth

import (
	"errors"
	"testing"

	"tasktray/i18n"
)

// The tests compare English words; a machine set to Chinese must not break
// them. init runs before TestMain.
func init() { i18n.SetLanguage("en") }

func TestTextsInBothLanguages(t *testing.T) { i18n.CheckTexts(t) }

// TestErrorsInChinese: the login window's validation and the login errors
// read in Chinese, and still match errors.Is.
func TestErrorsInChinese(t *testing.T) {
	t.Cleanup(func() { i18n.SetLanguage("en") })
	i18n.SetLanguage("zh-CN")
	_, err := ValidateServerURL("tasks.example.com", false)
	if want := "服务器地址无效：必须以 https:// 开头（本机上的服务器可用 http://）"; err == nil || err.Error() != want || !errors.Is(err, ErrBadURL) {
		t.Errorf("no scheme: %v, want %q", err, want)
	}
	err = Credentials{Account: Account{Username: "ana"}}.Check()
	if want := "用户名或密码错误：用户名和密码都必须填写"; err == nil || err.Error() != want || !errors.Is(err, ErrBadCredentials) {
		t.Errorf("no password: %v, want %q", err, want)
	}
}
