//go:build !realkeyring

// Left out of the realkeyring build, like store_test.go: it installs
// go-keyring's mock.

package auth

import (
	"context"
	"fmt"
	"testing"

	"github.com/zalando/go-keyring"

	"tasktray/i18n"
)

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
