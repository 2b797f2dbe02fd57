package i18n

import (
	"errors"
	"os"
	"strings"
	"testing"
)

var (
	testHello = New("i18n.test.hello", "Hello %s", "你好 %s")
	testTasks = NewPlural("i18n.test.tasks", "%d task", "%d tasks", "%d 个任务")
	testErr   = NewError("i18n.test.locked", "the keyring is locked", "钥匙串已锁定")
	testWrap  = New("i18n.test.wrap", "saving failed: %w", "保存失败：%w")
)

func TestPickAndFormat(t *testing.T) {
	t.Cleanup(func() { SetLanguage("en") })
	SetLanguage("en")
	if got := testHello.F("Alice"); got != "Hello Alice" {
		t.Errorf("en: %q", got)
	}
	if got, want := testTasks.N(1), "1 task"; got != want {
		t.Errorf("en 1: %q, want %q", got, want)
	}
	if got, want := testTasks.N(37), "37 tasks"; got != want {
		t.Errorf("en 37: %q, want %q", got, want)
	}
	SetLanguage("zh-CN")
	if got := testHello.F("Alice"); got != "你好 Alice" {
		t.Errorf("zh: %q", got)
	}
	if got, want := testTasks.N(1), "1 个任务"; got != want {
		t.Errorf("zh 1: %q, want %q", got, want)
	}
}

func TestMatchLocales(t *testing.T) {
	for locale, want := range map[string]string{
		"zh_CN.UTF-8": "zh-Hans", "zh_CN": "zh-Hans", "zh-CN": "zh-Hans", "zh_SG.UTF-8": "zh-Hans",
		"en_US.UTF-8": "en", "C": "en", "POSIX": "en", "": "en", "de_DE@euro": "en", "garbage!!": "en",
	} {
		if got := match(locale); got.String() != want {
			t.Errorf("match(%q) = %s, want %s", locale, got, want)
		}
	}
}

func TestDetectOrder(t *testing.T) {
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "zh_CN.UTF-8")
	t.Setenv("LANG", "en_US.UTF-8")
	if got := Detect(); got != Chinese {
		t.Errorf("LC_MESSAGES=zh_CN: %s", got)
	}
	t.Setenv("LC_ALL", "en_US.UTF-8")
	if got := Detect(); got != English {
		t.Errorf("LC_ALL=en_US wins: %s", got)
	}
}

// TestEveryTextInBothLanguages fails when a text lacks a language or the
// languages disagree on the arguments they take. Texts of every package
// that links i18n are checked by that package's own run of checkTexts
// (see CheckTexts).
func TestEveryTextInBothLanguages(t *testing.T) { CheckTexts(t) }

func TestErrorsSpeakTheLanguageWhenShown(t *testing.T) {
	t.Cleanup(func() { SetLanguage("en") })
	SetLanguage("en")
	err := testErr // declared while English was in use
	wrapped := testWrap.Err(err)
	SetLanguage("zh-CN")
	if got := err.Error(); got != "钥匙串已锁定" {
		t.Errorf("sentinel in zh: %q", got)
	}
	if !errors.Is(wrapped, testErr) {
		t.Errorf("Err lost the wrapped error: %v", wrapped)
	}
	if got := testWrap.Err(err).Error(); got != "保存失败：钥匙串已锁定" {
		t.Errorf("zh wrap: %q", got)
	}
}

func TestChildGetsTheLanguage(t *testing.T) {
	t.Cleanup(func() { SetLanguage("en") })
	t.Setenv("LANG", "en_US.UTF-8")
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	SetLanguage("zh-CN") // the user's choice, not the system's
	env := Env()
	SetLanguage("en")
	for _, pair := range env {
		name, value, _ := strings.Cut(pair, "=")
		t.Setenv(name, value)
	}
	if got := os.Getenv("LANGUAGE"); got != "zh_CN" {
		t.Errorf("LANGUAGE=%q: Fyne's own words would not be Chinese", got)
	}
	FromEnv()
	if Current() != Chinese {
		t.Errorf("child of a zh-CN agent (%s) speaks %s", env, Current())
	}
	t.Setenv(EnvVar, "")
	FromEnv()
	if Current() != English {
		t.Errorf("without %s the child follows the system (en_US), speaks %s", EnvVar, Current())
	}
}
