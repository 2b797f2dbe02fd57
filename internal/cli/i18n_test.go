package cli

import (
	"io"
	"os"
	"strings"
	"testing"

	"tasktray/i18n"
)

// The tests compare English words; a machine set to Chinese must not break
// them. init runs before TestMain.
func init() { i18n.SetLanguage("en") }

// stderrOf runs f and returns what it wrote on os.Stderr.
func stderrOf(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = w
	out := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		out <- string(b)
	}()
	f()
	os.Stderr = saved
	w.Close()
	return <-out
}

// TestAgentSpeaksChinese: the help and a bad profile's message are in the
// language of a zh_CN system.
func TestAgentSpeaksChinese(t *testing.T) {
	t.Cleanup(func() { i18n.SetLanguage("en") })
	i18n.SetLanguage("zh-CN")
	help := stderrOf(t, func() { Agent([]string{"-h"}) })
	if !strings.HasPrefix(help, "用法：tasktray [选项]\n") || !strings.Contains(help, "记录调试详细信息") || !strings.Contains(help, "显示版本、提交和构建日期") {
		t.Errorf("help is not in Chinese:\n%s", help)
	}
	said := stderrOf(t, func() {
		if code := Agent([]string{"-profile", "/nonexistent/company.toml"}); code != 2 {
			t.Errorf("exit code %d for a missing profile, want 2", code)
		}
	})
	if !strings.HasPrefix(said, "tasktray：无法使用该配置文件：") {
		t.Errorf("bad profile: %q", said)
	}
}
