package window

import (
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"tasktray/ipc"
)

// The login window had no CA-file field, though its TLS error tells the user
// to set one (issue 10, defect 5).

func TestLoginCAFileIsSubmitted(t *testing.T) {
	ca := filepath.Join(t.TempDir(), "my-ca.pem")
	if err := os.WriteFile(ca, []byte("-----BEGIN CERTIFICATE-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fx := newLoginFixture(t)
	fx.fill("https://10.0.0.2:8443", "ana", "pw")
	test.Type(fx.form.caFile.entry, "  "+ca+" ")
	test.Tap(fx.form.submit)
	if got := fx.last(t); got.CAFile != ca {
		t.Errorf("submitted CA file %q, want %q", got.CAFile, ca)
	}
}

func TestLoginCAFileMustExist(t *testing.T) {
	fx := newLoginFixture(t)
	fx.fill("https://10.0.0.2:8443", "ana", "pw")
	test.Type(fx.form.caFile.entry, filepath.Join(t.TempDir(), "missing.pem"))
	test.Tap(fx.form.submit)
	if len(fx.submitted) != 0 || shown(fx.form.caFile) == "" {
		t.Errorf("a missing CA file was submitted (%d) or shows no error", len(fx.submitted))
	}
}

func TestLoginCAFileEmptyMeansSystemRoots(t *testing.T) {
	fx := newLoginFixture(t)
	fx.fill("https://tasks.example.com", "ana", "pw")
	test.Tap(fx.form.submit)
	if got := fx.last(t); got.CAFile != "" {
		t.Errorf("submitted CA file %q, want none", got.CAFile)
	}
}

// TestLoginCAFileChosen: the Browse… button's file dialog fills in the
// path it returns.
func TestLoginCAFileChosen(t *testing.T) {
	ca := filepath.Join(t.TempDir(), "picked.pem")
	if err := os.WriteFile(ca, []byte("pem"), 0o600); err != nil {
		t.Fatal(err)
	}
	fx := newLoginFixture(t)
	test.Tap(fx.form.caBrowse) // opens the dialog; the user picks a file:
	r, err := storage.Reader(storage.NewFileURI(ca))
	if err != nil {
		t.Fatal(err)
	}
	fx.form.caChosen(r, nil)
	if got := fx.form.caFile.entry.Text; got != ca {
		t.Errorf("CA file entry %q after choosing %q", got, ca)
	}
	fx.form.caChosen(nil, nil) // cancelled: the entry keeps what it holds
	if got := fx.form.caFile.entry.Text; got != ca {
		t.Errorf("CA file entry %q after a cancelled dialog", got)
	}
}

// TestLoginTLSErrorAtCAFile: an untrusted certificate is shown under the CA
// file field, where the fix goes.
func TestLoginTLSErrorAtCAFile(t *testing.T) {
	fx := newLoginFixture(t)
	fx.fill("https://10.0.0.2:8443", "ana", "pw")
	test.Tap(fx.form.submit)
	fx.form.ShowResult(ipc.LoginResult{ErrorKind: ipc.ErrorTLS, Error: "the certificate of 10.0.0.2 is not signed by an authority this computer trusts; for a self-signed server, set its CA file"})
	if shown(fx.form.caFile) == "" {
		t.Error("the TLS error is not shown at the CA file field")
	}
}

// TestSessionPrefillsCAFile: the CA file the agent holds for the account
// comes back in the form, and the login carries it.
func TestSessionPrefillsCAFile(t *testing.T) {
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, []byte("pem"), 0o600); err != nil {
		t.Fatal(err)
	}
	fx := newSessionFixture(t, ipc.ViewLogin)
	st := connected
	st.CAFile = ca
	fx.s.Handle(st)
	f := fx.s.login
	if f.caFile.entry.Text != ca {
		t.Fatalf("CA file entry %q, want %q from the state", f.caFile.entry.Text, ca)
	}
	test.Type(f.password.entry, "pw")
	test.Tap(f.submit)
	if len(fx.sent) != 1 || fx.sent[0].(ipc.Login).CAFile != ca {
		t.Errorf("sent %v, want a login with CA file %q", fx.sent, ca)
	}
}
