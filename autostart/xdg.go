package autostart

import (
	"bufio"
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"tasktray/i18n"
)

// Why an XDG entry is Damaged.
var (
	msgNoGroup   = i18n.New("autostart.xdg.no_group", "it has no [Desktop Entry] group", "缺少 [Desktop Entry] 组")
	msgBadLine   = i18n.New("autostart.xdg.bad_line", "line %d is neither a key, a group nor a comment", "第 %d 行既不是键值、组，也不是注释")
	msgNoExec    = i18n.New("autostart.xdg.no_exec", "it has no Exec key", "缺少 Exec 键")
	msgNotUTF8   = i18n.New("autostart.xdg.not_utf8", "it is not UTF-8 text", "不是 UTF-8 文本")
	msgNotAppTyp = i18n.New("autostart.xdg.type", "its Type is %q, not Application", "其 Type 为 %q，而不是 Application")
)

// XDG is the entry in dir that the XDG Autostart specification reads at
// login: dir/<app.ID>.desktop. The desktop's default dir is
// $XDG_CONFIG_HOME/autostart (New picks it); tests pass their own.
func XDG(dir string, app App) Entry {
	return &xdgEntry{app: app, path: filepath.Join(dir, app.ID+".desktop")}
}

type xdgEntry struct {
	app  App
	path string
}

func (e *xdgEntry) String() string { return e.path }

func (e *xdgEntry) Status() (State, error) {
	data, err := os.ReadFile(e.path)
	if errors.Is(err, fs.ErrNotExist) {
		return Absent, nil
	}
	if err != nil {
		return Absent, msgRead.Err(e.path, err)
	}
	keys, why := parseDesktopEntry(data)
	if why != "" {
		return Damaged, damaged(e.path, why)
	}
	// Either key turns the entry off: Hidden=true is the specification's
	// "deleted" mark, which GNOME's and KDE's settings and most desktops
	// write; X-GNOME-Autostart-enabled=false is what GNOME's older
	// Startup Applications wrote. Both win over Exec.
	if isTrue(keys["Hidden"]) || isFalse(keys["X-GNOME-Autostart-enabled"]) {
		return Off, nil
	}
	if t := keys["Type"]; t != "" && t != "Application" {
		return Damaged, damaged(e.path, msgNotAppTyp.F(t))
	}
	if strings.TrimSpace(keys["Exec"]) == "" {
		return Damaged, damaged(e.path, msgNoExec.String())
	}
	return On, nil
}

func (e *xdgEntry) Enable() error  { return e.write(true) }
func (e *xdgEntry) Disable() error { return e.write(false) }

func (e *xdgEntry) write(on bool) error {
	if err := e.app.check(path.IsAbs); err != nil {
		return msgWrite.Err(e.path, err)
	}
	if err := writeFileAtomic(e.path, desktopEntry(e.app, on)); err != nil {
		return msgWrite.Err(e.path, err)
	}
	return nil
}

// desktopEntry is the whole file. An Off entry keeps Exec, so that the
// desktop's settings list it as "tasktray, off" and can turn it back on.
func desktopEntry(app App, on bool) []byte {
	var b bytes.Buffer
	b.WriteString("[Desktop Entry]\n")
	b.WriteString("Type=Application\n")
	b.WriteString("Version=1.0\n")
	b.WriteString("Name=" + escapeValue(app.Name) + "\n")
	b.WriteString("Exec=" + escapeValue(execArg(app.Command)) + "\n")
	b.WriteString("Icon=" + escapeValue(app.ID) + "\n")
	b.WriteString("Terminal=false\n")
	if on {
		b.WriteString("Hidden=false\nX-GNOME-Autostart-enabled=true\n")
	} else {
		b.WriteString("Hidden=true\nX-GNOME-Autostart-enabled=false\n")
	}
	return b.Bytes()
}

// execArg quotes one argument of an Exec key as the Desktop Entry
// specification asks: in double quotes when it holds a reserved
// character, with ", `, $ and \ escaped by a backslash, and every % doubled
// (a single % starts a field code).
func execArg(arg string) string {
	if strings.ContainsAny(arg, " \t\n\"'\\><~|&;$*?#()`=") {
		var q strings.Builder
		q.WriteByte('"')
		for _, r := range arg {
			if strings.ContainsRune("\"`$\\", r) {
				q.WriteByte('\\')
			}
			q.WriteRune(r)
		}
		q.WriteByte('"')
		arg = q.String()
	}
	return strings.ReplaceAll(arg, "%", "%%")
}

// escapeValue escapes a string value: a backslash is \\ (the
// specification reads \s, \n, \t, \r and \\ as escapes).
func escapeValue(s string) string { return strings.ReplaceAll(s, `\`, `\\`) }

// parseDesktopEntry reads the keys of the [Desktop Entry] group, or says
// why the file is not a desktop entry. Values keep their escapes: only
// booleans and the presence of Exec are read.
func parseDesktopEntry(data []byte) (keys map[string]string, why string) {
	if !utf8.Valid(data) {
		return nil, msgNotUTF8.String()
	}
	keys = map[string]string{}
	group, found := "", false
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), len(data)+1)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			group = line[1 : len(line)-1]
			found = found || group == "Desktop Entry"
		case strings.Contains(line, "=") && group != "":
			if group != "Desktop Entry" {
				continue
			}
			k, v, _ := strings.Cut(line, "=")
			keys[strings.TrimSpace(k)] = strings.TrimSpace(v)
		default:
			return nil, msgBadLine.F(n)
		}
	}
	if !found {
		return nil, msgNoGroup.String()
	}
	return keys, ""
}

func isTrue(v string) bool  { return strings.EqualFold(v, "true") || v == "1" }
func isFalse(v string) bool { return strings.EqualFold(v, "false") || v == "0" }
