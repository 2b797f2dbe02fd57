package tray

import (
	"testing"
	"time"

	"tasktray/conn"
	"tasktray/i18n"
	"tasktray/i18n/i18ntest"
)

// The tests compare English words; a machine set to Chinese must not break
// them. init runs before TestMain, in helper processes too.
func init() { i18n.SetLanguage("en") }

func TestTextsInBothLanguages(t *testing.T) { i18n.CheckTexts(t) }

// TestNoUntranslatedMenuText fails when a menu item, tooltip or popup gets
// a string literal instead of an i18n text.
func TestNoUntranslatedMenuText(t *testing.T) {
	i18ntest.CheckNoLiterals(t, ".", []string{
		"AddMenuItem", "AddMenuItemCheckbox", "SetTitle", "SetTooltip", "statusLine",
	}, "tasktray")
}

func TestStatusLineInChinese(t *testing.T) {
	t.Cleanup(func() { i18n.SetLanguage("en") })
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	t.Setenv("LANG", "zh_CN.UTF-8")
	i18n.SetLanguage("") // follows the system
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		s    conn.State
		want string
	}{
		{conn.State{Phase: conn.Connected}, "已连接到 tasks.example.com"},
		{conn.State{Phase: conn.Reconnecting, Attempt: 3, NextTry: now.Add(7500 * time.Millisecond)}, "8 秒后重新连接（第 3 次尝试）"},
		{conn.State{Phase: conn.AuthRequired}, "需要登录"},
	} {
		if got := statusLine(tc.s, "https://tasks.example.com", now); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.s.Phase, got, tc.want)
		}
	}
	if got, want := recentTitle(37), "最近任务（37 条未读）…"; got != want {
		t.Errorf("menu: %q, want %q", got, want)
	}
	// A change of language applies at the next render: nothing keeps the
	// old words.
	i18n.SetLanguage("en")
	if got, want := recentTitle(1), "Recent tasks (1 unread)…"; got != want {
		t.Errorf("after switching to English: %q, want %q", got, want)
	}
}
