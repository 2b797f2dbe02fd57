package window

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"tasktray/auth"
	"tasktray/ipc"
)

// loginMaxHeight is the most the login window may need whatever the input:
// it must fit an 800 px screen with a panel and a title bar.
const loginMaxHeight = 600

// TestLoginStaysOnScreenWithLongText: a 2,000-character host name pushed the
// login window to 1,471 px high on an 800 px screen, the fields and the
// button off-screen (issue 10, defect 20). Long text wraps or is cut; the
// form's MinSize stays bounded.
func TestLoginStaysOnScreenWithLongText(t *testing.T) {
	long := strings.Repeat("a", 2000)
	server := "https://" + long + ".example.com"
	caFile := filepath.Join(t.TempDir(), strings.Repeat("c", 200)+".pem")
	if err := os.WriteFile(caFile, []byte("pem"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, r := range []ipc.LoginResult{
		{ErrorKind: ipc.ErrorUnreachable, Error: "dial tcp: lookup " + long + ".example.com: no such host"},
		{ErrorKind: ipc.ErrorTLS, Error: "the certificate of " + long + " is not signed by an authority this computer trusts"},
		{ErrorKind: ipc.ErrorNotServer, Error: long + " answered 404"},
		{ErrorKind: ipc.ErrorOther, Error: strings.Repeat("word ", 400)},
		{ErrorKind: ipc.ErrorOther, Error: long},
	} {
		t.Run(string(r.ErrorKind), func(t *testing.T) {
			fx := newLoginFixture(t)
			fx.form.SetAccount("ntfy", server, long)
			fx.form.SetCAFile(caFile)
			fx.form.topics.entry.SetText(long)
			fx.form.password.entry.SetText(long)
			test.Tap(fx.form.submit)
			if len(fx.submitted) != 1 {
				t.Fatalf("the long login was not submitted")
			}
			fx.form.ShowResult(r)
			fx.win.Resize(fx.form.MinSize().Max(loginSize))
			if m := fx.form.MinSize(); m.Height > loginMaxHeight || m.Width > 800 {
				t.Errorf("the form needs %v with a 2,000-character server and error; want at most %d high, 800 wide", m, loginMaxHeight)
			} else {
				t.Logf("the form needs %v with a 2,000-character server and error", m)
			}
			// The same inputs refused before they are sent: every field
			// shows an error at once.
			fx.form.SetAccount("ntfy", "ftp://"+long, "")
			fx.form.SetCAFile("/" + long + ".pem")
			fx.form.topics.entry.SetText("")
			test.Tap(fx.form.submit)
			fx.win.Resize(fx.form.MinSize().Max(loginSize))
			if m := fx.form.MinSize(); m.Height > loginMaxHeight || m.Width > 800 {
				t.Errorf("the form needs %v with every field in error; want at most %d high, 800 wide", m, loginMaxHeight)
			} else {
				t.Logf("the form needs %v with every field in error", m)
			}
		})
	}
}

// TestLoginSaysUnreachableOnce: "Cannot reach the server. Server
// unreachable: ..." said it twice (issue 10, defect 20). The agent's result
// comes from ipc.LoginResultOf, as it does in the agent.
func TestLoginSaysUnreachableOnce(t *testing.T) {
	fx := newLoginFixture(t)
	fx.fill("https://tasks.example.com", "ana", "pw")
	test.Tap(fx.form.submit)
	fx.form.ShowResult(ipc.LoginResultOf(fmt.Errorf("%w: dial tcp 10.0.0.1:443: connection refused", auth.ErrUnreachable)))
	got := shown(fx.form.server)
	if want := "Cannot reach the server. Dial tcp 10.0.0.1:443: connection refused."; got != want {
		t.Errorf("server error %q, want %q", got, want)
	}
	if n := strings.Count(strings.ToLower(got), "reach"); n != 1 {
		t.Errorf("server error %q says it %d times", got, n)
	}
}
