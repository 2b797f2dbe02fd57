package i18n

import (
	"fmt"
	"os"
	"os/exec"
	"sync/atomic"
	"testing"
)

// lateTexts numbers the texts TestPluralDeclaredAfterTheFirstShown
// declares, one per run (-count).
var lateTexts atomic.Int32

// TestPlainTextsBuildNoBundle: showing plain texts, in either language,
// builds no go-i18n bundle (CLDR's plural rules and a message per text:
// the biggest part of a start-up); the first counted text does. Checked in
// a fresh process of this test binary, whose texts no other test has shown.
func TestPlainTextsBuildNoBundle(t *testing.T) {
	if os.Getenv("I18N_LAZY_CHILD") == "1" {
		SetLanguage("zh-CN")
		if testHello.F("x") != "你好 x" || testErr.Error() != "钥匙串已锁定" {
			t.Fatal("plain texts wrong in zh-CN")
		}
		SetLanguage("en")
		if testHello.F("x") != "Hello x" {
			t.Fatal("plain text wrong in en")
		}
		mu.Lock()
		built := bundle != nil
		mu.Unlock()
		if built {
			t.Fatal("plain texts built the go-i18n bundle")
		}
		if testTasks.N(2) != "2 tasks" {
			t.Fatal("plural wrong")
		}
		if bundle == nil {
			t.Fatal("a counted text built no bundle")
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestPlainTextsBuildNoBundle$", "-test.count=1")
	cmd.Env = append(os.Environ(), "I18N_LAZY_CHILD=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
}

// TestPluralDeclaredAfterTheFirstShown: a counted text declared once the
// bundle exists is in it, in both languages.
func TestPluralDeclaredAfterTheFirstShown(t *testing.T) {
	t.Cleanup(func() { SetLanguage("en") })
	SetLanguage("en")
	testTasks.N(1) // the bundle exists now
	late := NewPlural(fmt.Sprint("i18n.test.late.", lateTexts.Add(1)), "%d late task", "%d late tasks", "%d 个迟到任务")
	if got := late.N(1); got != "1 late task" {
		t.Errorf("en 1: %q", got)
	}
	if got := late.N(3); got != "3 late tasks" {
		t.Errorf("en 3: %q", got)
	}
	SetLanguage("zh-CN")
	if got := late.N(3); got != "3 个迟到任务" {
		t.Errorf("zh 3: %q", got)
	}
}
