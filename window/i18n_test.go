package window

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"tasktray/i18n"
	"tasktray/i18n/i18ntest"
	"tasktray/ipc"
)

// The tests compare English words; a machine set to Chinese must not break
// them. init runs before TestMain.
func init() { i18n.SetLanguage("en") }

func TestTextsInBothLanguages(t *testing.T) { i18n.CheckTexts(t) }

// TestNoUntranslatedWidgetText fails when a label, button, placeholder,
// field or message gets a string literal instead of an i18n text.
func TestNoUntranslatedWidgetText(t *testing.T) {
	i18ntest.CheckNoLiterals(t, ".", []string{
		"NewLabel", "NewButton", "NewButtonWithIcon", "NewCheck", "NewSelect", "NewRadioGroup",
		"SetText", "SetPlaceHolder", "SetTitle", "NewWindow", "newField", "setError", "showMessage",
		"ShowInformation", "ShowError", "ShowConfirm", "NewHyperlink", "NewRichTextWithText",
	})
}

// inChinese switches to Simplified Chinese as a zh_CN system would, until
// the test ends.
func inChinese(t *testing.T) {
	t.Cleanup(func() { i18n.SetLanguage("en") })
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	t.Setenv("LANG", "zh_CN.UTF-8")
	i18n.SetLanguage("")
}

func TestRecentInChinese(t *testing.T) {
	inChinese(t)
	fx := newRecentFixture(t)
	if got, want := fx.view.markAll.Text, "全部标为已读"; got != want {
		t.Errorf("button %q, want %q", got, want)
	}
	fx.view.Apply(pageOf(1, 1, 1))
	if got, want := fx.view.count.Text, "1 个任务"; got != want {
		t.Errorf("1 task: %q, want %q", got, want)
	}
	fx.view.Apply(pageOf(37, 2, 37))
	if got, want := fx.view.count.Text, "37 个任务"; got != want {
		t.Errorf("37 tasks: %q, want %q", got, want)
	}
	if got, want := fx.view.header.Text, "37 条未读"; got != want {
		t.Errorf("header %q, want %q", got, want)
	}
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{now.Add(-59 * time.Minute), "59 分钟前"},
		{time.Date(2025, 3, 13, 23, 55, 0, 0, time.UTC), "周四 23:55"},
		{now.Add(-7 * 24 * time.Hour), "3月7日"},
		{time.Date(2024, 12, 31, 9, 0, 0, 0, time.UTC), "2024年12月31日"},
	} {
		if got := age(tc.t, now); got != tc.want {
			t.Errorf("age(%v) = %q, want %q", tc.t, got, tc.want)
		}
	}
}

func TestRecentCountPluralInEnglish(t *testing.T) {
	fx := newRecentFixture(t)
	fx.view.Apply(pageOf(1, 1, 1))
	if got := fx.view.count.Text; got != "1 task" {
		t.Errorf("1 task: %q", got)
	}
	fx.view.Apply(pageOf(37, 2, 37))
	if got := fx.view.count.Text; got != "37 tasks" {
		t.Errorf("37 tasks: %q", got)
	}
}

func TestStatusAndLoginInChinese(t *testing.T) {
	inChinese(t)
	s, _ := newStatusFixture(t)
	s.SetState(connected)
	if s.logout.Text != "退出登录" || s.reconnect.Text != "立即重连" || s.pause.Text != "暂停通知" {
		t.Errorf("buttons %q, %q, %q", s.logout.Text, s.reconnect.Text, s.pause.Text)
	}
	if got, want := s.account.Text, "ana（服务器：https://tasks.example.com）"; got != want {
		t.Errorf("account %q, want %q", got, want)
	}

	fx := newLoginFixture(t)
	if got := fx.form.submit.Text; got != "登录" {
		t.Errorf("submit button %q", got)
	}
	test.Tap(fx.form.submit) // nothing filled in
	if got, want := shown(fx.form.server), "请输入服务器地址。"; got != want {
		t.Errorf("server error %q, want %q", got, want)
	}
	if got, want := shown(fx.form.password), "请输入密码。"; got != want {
		t.Errorf("password error %q, want %q", got, want)
	}
	fx.form.ShowResult(ipc.LoginResult{ErrorKind: ipc.ErrorUnreachable, Error: "拨号超时"})
	if got, want := shown(fx.form.server), "无法连接到服务器。拨号超时。"; got != want {
		t.Errorf("unreachable %q, want %q", got, want)
	}
	fx.form.ShowResult(ipc.LoginResult{ErrorKind: ipc.ErrorUnreachable, Error: "push.example.com:443 未及时响应"})
	if got, want := shown(fx.form.server), "无法连接到服务器。push.example.com:443 未及时响应。"; got != want {
		t.Errorf("unreachable, host first: %q, want %q", got, want)
	}
	fx.form.ShowResult(ipc.LoginResult{ErrorKind: ipc.ErrorCredentials})
	if got, want := shown(fx.form.password), "用户名或密码错误。"; got != want {
		t.Errorf("refused login %q, want %q", got, want)
	}
}
