package i18n

import "testing"

var (
	testHello = New("i18n.test.hello", "Hello %s", "你好 %s")
	testTasks = NewPlural("i18n.test.tasks", "%d task", "%d tasks", "%d 个任务")
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
