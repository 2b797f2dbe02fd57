package settings

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// ErrDamaged means the settings file exists but cannot be used: not TOML, a
// value of the wrong type or out of range. The defaults are used instead,
// and the file is left as it is for the user to fix.
var ErrDamaged = errors.New("the settings file is damaged")

// header opens every file Save writes.
const header = "# tasktray settings. Edit with tasktray's Settings window, or here while\n# tasktray is not running. Keys tasktray does not know are kept.\n\n"

// Path is the settings file beside the account file at accountPath.
func Path(accountPath string) string { return filepath.Join(filepath.Dir(accountPath), FileName) }

// known is the set of keys Settings reads, from its toml tags.
var known = func() map[string]bool {
	m := map[string]bool{}
	t := reflect.TypeFor[Settings]()
	for i := range t.NumField() {
		if tag := t.Field(i).Tag.Get("toml"); tag != "" {
			name, _, _ := strings.Cut(tag, ",")
			m[name] = true
		}
	}
	return m
}()

// Decode reads a settings file's bytes over defaults: a key the file does
// not set keeps its default. Keys it does not know are kept for Encode.
// An error wraps ErrDamaged, and the settings returned are then defaults.
func Decode(data []byte, defaults Settings) (Settings, error) {
	s := defaults
	s.unknown = nil
	md, err := toml.Decode(string(data), &s)
	if err != nil {
		return defaults, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	if undecoded := md.Undecoded(); len(undecoded) > 0 {
		var raw map[string]any
		if _, err := toml.Decode(string(data), &raw); err != nil {
			return defaults, fmt.Errorf("%w: %v", ErrDamaged, err)
		}
		for _, k := range undecoded {
			if name := k[0]; !known[name] {
				if s.unknown == nil {
					s.unknown = map[string]any{}
				}
				s.unknown[name] = raw[name]
			}
		}
	}
	if err := s.Validate(); err != nil {
		return defaults, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	return s, nil
}

// Encode writes s as the file's bytes, with the unknown keys it was read
// with. It fails on settings that do not Validate.
func Encode(s Settings) ([]byte, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.WriteString(header)
	// Settings has no tables, so its keys all come before the unknown
	// ones' tables, as TOML wants top-level keys first.
	if err := toml.NewEncoder(&buf).Encode(s); err != nil {
		return nil, err
	}
	if len(s.unknown) > 0 {
		buf.WriteString("\n# Not known to this version of tasktray, kept as found.\n")
		if err := toml.NewEncoder(&buf).Encode(s.unknown); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

// Unknown lists the keys s was read with that this version does not know.
func (s Settings) Unknown() []string {
	var keys []string
	for k := range s.unknown {
		keys = append(keys, k)
	}
	return keys
}

// Load reads the settings at path over defaults. A missing file gives the
// defaults and no error: nothing was set yet. A damaged one gives the
// defaults and an error wrapping ErrDamaged that names the file and what is
// wrong; the file is not touched.
func Load(path string, defaults Settings) (Settings, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return defaults, nil
	}
	if err != nil {
		return defaults, err
	}
	s, err := Decode(data, defaults)
	if err != nil {
		return defaults, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// Save writes s to path atomically (a temporary file, fsync, rename), so a
// crash leaves the old settings or the new, never half of each; readable by
// the user only. A damaged file at path is kept beside the new one, as
// path.damaged-<time>, whose name keptAs returns ("" when none was kept):
// the user may still want what was in it.
func Save(path string, s Settings) (keptAs string, err error) {
	data, err := Encode(s)
	if err != nil {
		return "", err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	if old, err := os.ReadFile(path); err == nil {
		if _, err := Decode(old, Defaults()); err != nil {
			keptAs = path + ".damaged-" + time.Now().Format("20060102-150405")
			if err := writeSynced(keptAs, old); err != nil {
				return "", fmt.Errorf("keeping the damaged settings file: %w", err)
			}
		}
	}
	tmp, err := os.CreateTemp(dir, FileName+".tmp-*")
	if err != nil {
		return keptAs, err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	err = errors.Join(err, tmp.Close())
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return keptAs, err
	}
	syncDir(dir)
	return keptAs, nil
}

// writeSynced writes a new file and fsyncs it.
func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

// syncDir makes a rename durable where the OS allows it (not on Windows,
// where a directory cannot be opened for sync; its rename is durable by
// itself).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
