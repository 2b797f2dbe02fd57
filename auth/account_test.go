package auth

import (
	"crypto/tls"
	"encoding/pem"
	"errors"
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestAccountPathFollowsXDG(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("XDG_CONFIG_HOME applies on Linux")
	}
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	got, err := AccountPath()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "tasktray", "account.json"); got != want {
		t.Errorf("AccountPath = %q, want %q", got, want)
	}
}

func TestAccountSaveLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tasktray", "account.json")
	if _, err := LoadAccount(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Load of a missing file: got %v, want fs.ErrNotExist", err)
	}

	a := Account{
		Kind:          "ntfy",
		Server:        "https://ntfy.example.com",
		Username:      "ann",
		Options:       map[string]string{"topics": "builds,alerts"},
		CAFile:        "/etc/ssl/my-ca.pem",
		AllowInsecure: true,
	}
	if err := SaveAccount(path, a); err != nil {
		t.Fatal(err)
	}
	// Saving again replaces the file in place.
	a.Username = "bob"
	if err := SaveAccount(path, a); err != nil {
		t.Fatal(err)
	}
	got, err := LoadAccount(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Kind != a.Kind || got.Server != a.Server || got.Username != "bob" || got.Options["topics"] != "builds,alerts" ||
		got.CAFile != a.CAFile || !got.AllowInsecure {
		t.Errorf("Load = %+v, want %+v", got, a)
	}

	if runtime.GOOS != "windows" {
		for p, want := range map[string]fs.FileMode{path: 0o600, filepath.Dir(path): 0o700} {
			info, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if info.Mode().Perm() != want {
				t.Errorf("%s has mode %v, want %v", p, info.Mode().Perm(), want)
			}
		}
	}
	files, _ := os.ReadDir(filepath.Dir(path))
	if len(files) != 1 {
		t.Errorf("the config folder holds %d files, want account.json alone (temp file left?)", len(files))
	}
}

func TestAccountLoadCorrupt(t *testing.T) {
	for name, content := range map[string]string{
		"not json":  "{\"kind\": \"native\", \"server\": ",
		"no server": `{"kind": "native", "username": "ann"}`,
		"empty":     "",
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "account.json")
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := LoadAccount(path)
			if !errors.Is(err, ErrAccountCorrupt) {
				t.Fatalf("got %v, want ErrAccountCorrupt", err)
			}
			if !strings.Contains(err.Error(), path) || !strings.HasSuffix(err.Error(), "log in again to replace it") {
				t.Errorf("message %q should name the file and say what to do", err)
			}
		})
	}
}

func TestValidateServerURL(t *testing.T) {
	ok := []struct {
		raw      string
		insecure bool
		want     string
	}{
		{"https://tasks.example.com", false, "https://tasks.example.com"},
		{"  https://tasks.example.com/prefix/  ", false, "https://tasks.example.com/prefix"},
		{"https://tasks.example.com/", false, "https://tasks.example.com"},
		{"wss://tasks.example.com:8443", false, "wss://tasks.example.com:8443"},
		{"HTTPS://Tasks.Example.com", false, "https://tasks.example.com"},
		{"http://localhost:8080", false, "http://localhost:8080"},
		{"ws://127.0.0.1:8080", false, "ws://127.0.0.1:8080"},
		{"http://127.1.2.3", false, "http://127.1.2.3"},
		{"http://[::1]:8080", false, "http://[::1]:8080"},
		{"http://LOCALHOST.", false, "http://localhost."},
		{"http://tasks.lan:8080", true, "http://tasks.lan:8080"},
		{"ws://192.0.2.10", true, "ws://192.0.2.10"},
	}
	for _, tt := range ok {
		u, err := ValidateServerURL(tt.raw, tt.insecure)
		if err != nil {
			t.Errorf("ValidateServerURL(%q, %v): %v", tt.raw, tt.insecure, err)
			continue
		}
		if u.String() != tt.want {
			t.Errorf("ValidateServerURL(%q) = %q, want %q", tt.raw, u, tt.want)
		}
	}

	bad := []struct {
		raw     string
		want    error
		message string
	}{
		{"", ErrBadURL, "invalid server URL: it is empty"},
		{"tasks.example.com", ErrBadURL, "invalid server URL: it must start with https:// (or http:// for a server on this computer)"},
		{"tasks.example.com:8443", ErrBadURL, "invalid server URL: it must start with https:// (or http:// for a server on this computer)"},
		{"ftp://tasks.example.com", ErrBadURL, "invalid server URL: ftp:// is not supported; use https://"},
		{"https://", ErrBadURL, "invalid server URL: it has no host"},
		{"https:///path", ErrBadURL, "invalid server URL: it has no host"},
		{"https://:8443", ErrBadURL, "invalid server URL: it has no host"},
		{"https://ann:hunter2@tasks.example.com", ErrBadURL, "invalid server URL: it must not contain a user name or password; type them in the login form"},
		{"https://ann:hunter2/x@tasks.example.com", ErrBadURL, "invalid server URL: it cannot be read as a URL"},
		{"https://tasks.example.com/?token=abc", ErrBadURL, "invalid server URL: it must not contain ? or #"},
		{"https://tasks.example.com/#x", ErrBadURL, "invalid server URL: it must not contain ? or #"},
		{"https://tasks.example.com:port", ErrBadURL, `invalid server URL: invalid port ":port" after host`},
		{"http://tasks.example.com", ErrInsecure, "insecure connection to a non-loopback host: http:// to tasks.example.com would send your password and token unencrypted; use https:// or allow insecure connections"},
		{"ws://192.0.2.10:80", ErrInsecure, "insecure connection to a non-loopback host: ws:// to 192.0.2.10 would send your password and token unencrypted; use https:// or allow insecure connections"},
	}
	for _, tt := range bad {
		_, err := ValidateServerURL(tt.raw, false)
		if !errors.Is(err, tt.want) {
			t.Errorf("ValidateServerURL(%q): got %v, want %v", tt.raw, err, tt.want)
			continue
		}
		if err.Error() != tt.message {
			t.Errorf("ValidateServerURL(%q): message %q, want %q", tt.raw, err, tt.message)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("ValidateServerURL(%q) repeats the password: %v", tt.raw, err)
		}
	}
}

func TestTLSConfig(t *testing.T) {
	cfg, err := TLSConfig(Account{})
	if err != nil || cfg.RootCAs != nil || cfg.MinVersion != tls.VersionTLS12 {
		t.Fatalf("TLSConfig without a CA file = %+v, %v; want system roots", cfg, err)
	}

	srv := httptest.NewTLSServer(nil)
	defer srv.Close()
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(caFile, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err = TLSConfig(Account{CAFile: caFile})
	if err != nil || cfg.RootCAs == nil {
		t.Fatalf("TLSConfig with a CA file = %+v, %v", cfg, err)
	}

	notPEM := filepath.Join(t.TempDir(), "ca.txt")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{notPEM, filepath.Join(t.TempDir(), "missing.pem")} {
		if _, err := TLSConfig(Account{CAFile: file}); !errors.Is(err, ErrTLS) {
			t.Errorf("TLSConfig(%s): got %v, want ErrTLS", file, err)
		}
	}
}
