package auth

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/zalando/go-keyring"

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

// TestKeyringNoteFollowsTheLanguage: the note about a token kept in memory
// is worded when shown, so a change of language reaches it.
func TestKeyringNoteFollowsTheLanguage(t *testing.T) {
	t.Cleanup(func() { i18n.SetLanguage("en") })
	i18n.SetLanguage("en")
	keyring.MockInit()
	acc := Account{Kind: "native", Server: "https://tasks.example.com", Username: "ana"}
	locked := fmt.Errorf("%w: %w", ErrKeyringUnavailable, ErrKeyringLocked)
	s := NewTokenStore(failingKeyring{Keyring: NewSystemKeyring(0), failUser: acc.KeyringUser(), err: locked})
	if err := s.Save(context.Background(), Session{Account: acc, Token: "t"}); err != nil {
		t.Fatal(err)
	}
	if got := s.Reason(); got != msgKeyringLocked.String() || got == "" {
		t.Fatalf("en: %q", got)
	}
	i18n.SetLanguage("zh-CN")
	if got, want := s.Reason(), "钥匙串已锁定：登录状态将保留到退出程序为止，解锁后会保存到钥匙串中。"; got != want {
		t.Errorf("zh after the save: %q, want %q", got, want)
	}
}
