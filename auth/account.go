package auth

import (
	"tasktray/i18n"

	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

var (
	// ErrAccountCorrupt means the account file exists but cannot be used.
	ErrAccountCorrupt = errors.New("the account file is damaged")
	// ErrBadURL means a server URL is not one tasktray can use; the wrapping
	// error says why.
	ErrBadURL = i18n.NewError("auth.err.bad_url", "invalid server URL", "服务器地址无效")
)

// AccountPath is where the account is kept:
// $XDG_CONFIG_HOME/tasktray/account.json on Linux (~/.config when unset),
// the matching per-user config folder on macOS and Windows.
func AccountPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("cannot find the config folder: %w", err)
	}
	return filepath.Join(dir, "tasktray", "account.json"), nil
}

// LoadAccount reads the account file at path. A missing file gives an error
// wrapping fs.ErrNotExist (no account yet: the user logs in); an unreadable
// one an error wrapping ErrAccountCorrupt.
func LoadAccount(path string) (Account, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Account{}, err
	}
	var a Account
	if err := json.Unmarshal(data, &a); err != nil {
		return Account{}, fmt.Errorf("%w (%s: %v); log in again to replace it", ErrAccountCorrupt, path, err)
	}
	if a.Kind == "" || a.Server == "" {
		return Account{}, fmt.Errorf("%w (%s names no server kind or server); log in again to replace it", ErrAccountCorrupt, path)
	}
	return a, nil
}

// SaveAccount writes a to path, readable by the user only. The file is
// replaced atomically, so a crash leaves the old account or the new one,
// never half of each.
func SaveAccount(path string, a Account) error {
	data, err := json.MarshalIndent(a, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	// CreateTemp makes the file 0600 from the start: no moment where another
	// user could open it.
	f, err := os.CreateTemp(dir, ".account-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // fails harmlessly once renamed
	if _, err := f.Write(append(data, '\n')); err != nil {
		f.Close()
		return err
	}
	// Sync before the rename, or a crash could leave a renamed empty file.
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// ValidateServerURL checks a server base URL the user typed. It accepts
// http, https, ws and wss URLs with a host, and refuses user info (a
// password in a URL ends up in logs), queries and fragments. http:// and
// ws:// to a host other than this computer give an error wrapping
// ErrInsecure unless allowInsecure, since the password and token would
// cross the network in clear. Other problems wrap ErrBadURL. Errors never
// repeat the user info.
//
// The URL returned is normalized (lower-case scheme and host, no trailing
// slash): store its String() as Account.Server, so the same server always
// gives the same keyring entry.
func ValidateServerURL(raw string, allowInsecure bool) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, msgURLEmpty.Err(ErrBadURL)
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse quotes the URL, and its parts can hold a password
		// (https://user:secret/ parses "secret" as a port).
		if strings.Contains(raw, "@") {
			return nil, msgURLUnreadable.Err(ErrBadURL)
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, msgURLParse.Err(ErrBadURL, err)
	}
	switch {
	case u.Scheme == "" || u.Opaque != "":
		// "tasks.example.com:8443" parses as scheme "tasks.example.com".
		return nil, msgURLNoScheme.Err(ErrBadURL)
	case u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "ws" && u.Scheme != "wss":
		return nil, msgURLScheme.Err(ErrBadURL, u.Scheme)
	case u.User != nil:
		return nil, msgURLUser.Err(ErrBadURL)
	case u.Hostname() == "":
		return nil, msgURLNoHost.Err(ErrBadURL)
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return nil, msgURLQuery.Err(ErrBadURL)
	}
	if (u.Scheme == "http" || u.Scheme == "ws") && !allowInsecure && !isLoopback(u.Hostname()) {
		return nil, msgURLInsecure.Err(ErrInsecure, u.Scheme, u.Hostname())
	}
	u.Host = strings.ToLower(u.Host)
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = strings.TrimRight(u.RawPath, "/")
	return u, nil
}

// isLoopback reports whether host is this computer, where an unencrypted
// connection never leaves the machine.
func isLoopback(host string) bool {
	if strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// TLSConfig returns the TLS settings for a's server: the system's trusted
// roots plus the certificates in a.CAFile, for a self-signed server. Errors
// wrap ErrTLS (and, for a file that cannot be read, the file system's
// error). It is the one place that reads a CA file: conn.TLSConfig, for the
// stream and backfills, uses it too.
func TLSConfig(a Account) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if a.CAFile == "" {
		return cfg, nil
	}
	pem, err := os.ReadFile(a.CAFile)
	if err != nil {
		return nil, msgCAUnreadable.Err(ErrTLS, err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		// No system roots to add to (on some platforms): trust the file alone.
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, msgCANoPEM.Err(ErrTLS, a.CAFile)
	}
	cfg.RootCAs = pool
	return cfg, nil
}
