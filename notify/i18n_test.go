package notify

import (
	"testing"

	"tasktray/i18n"
	"tasktray/i18n/i18ntest"
)

// The tests compare English words; a machine set to Chinese must not break
// them. init runs before TestMain.
func init() { i18n.SetLanguage("en") }

func TestTextsInBothLanguages(t *testing.T) { i18n.CheckTexts(t) }

// TestNoUntranslatedPopupText fails when notify writes a popup's words as a
// literal instead of an i18n text.
func TestNoUntranslatedPopupText(t *testing.T) {
	i18ntest.CheckNoLiterals(t, ".", []string{"summaryText", "Notify", "Alert"}, appName)
}

func TestSummaryPlural(t *testing.T) {
	t.Cleanup(func() { i18n.SetLanguage("en") })
	for _, tc := range []struct {
		lang        string
		n           int
		title, body string
	}{
		{"en", 1, "1 new task", "Latest: 部署失败"},
		{"en", 37, "37 new tasks", "Latest: 部署失败"},
		{"zh-CN", 1, "1 个新任务", "最新：部署失败"},
		{"zh-CN", 37, "37 个新任务", "最新：部署失败"},
	} {
		i18n.SetLanguage(tc.lang)
		if title, body := summaryText(tc.n, "部署失败"); title != tc.title || body != tc.body {
			t.Errorf("%s, %d tasks: %q / %q, want %q / %q", tc.lang, tc.n, title, body, tc.title, tc.body)
		}
	}
}
