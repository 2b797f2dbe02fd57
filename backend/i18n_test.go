package backend

import (
	"testing"

	"tasktray/i18n"
)

// The tests compare English words; a machine set to Chinese must not break
// them. init runs before the tests.
func init() { i18n.SetLanguage("en") }

// TestTextsInBothLanguages checks the texts of every backend this package
// links, and its own.
func TestTextsInBothLanguages(t *testing.T) { i18n.CheckTexts(t) }

func TestUnknownKindInChinese(t *testing.T) {
	t.Cleanup(func() { i18n.SetLanguage("en") })
	i18n.SetLanguage("zh-CN")
	if _, err := Lookup("carrier-pigeon"); err == nil || err.Error() != `未知的服务器类型 "carrier-pigeon"` {
		t.Errorf("Lookup: %v", err)
	}
}
