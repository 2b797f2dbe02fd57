package autostart

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"tasktray/i18n"
)

// Why a LaunchAgent is Damaged.
var (
	msgBinaryPlist = i18n.New("autostart.plist.binary", "it is a binary property list, which this version cannot read", "它是二进制属性列表，此版本无法读取")
	msgBadPlist    = i18n.New("autostart.plist.bad", "it is not an XML property list (%v)", "它不是 XML 属性列表（%v）")
	msgBadLabel    = i18n.New("autostart.plist.label", "its Label is %q, not %q", "其 Label 为 %q，而不是 %q")
	msgNoProgram   = i18n.New("autostart.plist.program", "it names no program", "未指定要运行的程序")
)

// LaunchAgent is the LaunchAgent in dir, dir/<app.ID>.plist, that launchd
// loads at login (RunAtLoad). The user's dir is ~/Library/LaunchAgents
// (New picks it on macOS); this code runs anywhere, so it is tested on
// Linux too.
//
// Off is Disabled=true, the key launchd itself honours; Disable writes it
// rather than removing the file, so the choice survives. Since macOS 13 the
// user may also turn an agent off in System Settings > Login Items; that
// mark lives in a database only the system reads, so Status still says On
// then, and the system keeps it off whatever this package writes.
func LaunchAgent(dir string, app App) Entry {
	return &launchAgent{app: app, path: filepath.Join(dir, app.ID+".plist")}
}

type launchAgent struct {
	app  App
	path string
}

func (e *launchAgent) String() string { return e.path }

func (e *launchAgent) Status() (State, error) {
	data, err := os.ReadFile(e.path)
	if errors.Is(err, fs.ErrNotExist) {
		return Absent, nil
	}
	if err != nil {
		return Absent, msgRead.Err(e.path, err)
	}
	if bytes.HasPrefix(data, []byte("bplist")) {
		return Damaged, damaged(e.path, msgBinaryPlist.String())
	}
	top, err := parsePlistDict(data)
	if err != nil {
		return Damaged, damaged(e.path, msgBadPlist.F(err))
	}
	if top["Label"] != e.app.ID {
		return Damaged, damaged(e.path, msgBadLabel.F(top["Label"], e.app.ID))
	}
	if top["Disabled"] == "true" || top["RunAtLoad"] != "true" {
		return Off, nil
	}
	if top["ProgramArguments"] == "" && top["Program"] == "" {
		return Damaged, damaged(e.path, msgNoProgram.String())
	}
	return On, nil
}

func (e *launchAgent) Enable() error  { return e.write(true) }
func (e *launchAgent) Disable() error { return e.write(false) }

func (e *launchAgent) write(on bool) error {
	if err := e.app.check(path.IsAbs); err != nil {
		return msgWrite.Err(e.path, err)
	}
	if err := writeFileAtomic(e.path, launchAgentPlist(e.app, on)); err != nil {
		return msgWrite.Err(e.path, err)
	}
	return nil
}

// launchAgentPlist is the whole file. ProcessType Interactive keeps launchd
// from throttling a UI app; LimitLoadToSessionType Aqua starts it only in
// a graphical login, not over ssh.
func launchAgentPlist(app App, on bool) []byte {
	var b bytes.Buffer
	esc := func(s string) string {
		var e bytes.Buffer
		xml.EscapeText(&e, []byte(s))
		return e.String()
	}
	boolean := func(v bool) string {
		if v {
			return "<true/>"
		}
		return "<false/>"
	}
	b.WriteString(xml.Header)
	b.WriteString(`<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">` + "\n")
	b.WriteString("<plist version=\"1.0\">\n<dict>\n")
	b.WriteString("\t<key>Label</key>\n\t<string>" + esc(app.ID) + "</string>\n")
	b.WriteString("\t<key>ProgramArguments</key>\n\t<array>\n\t\t<string>" + esc(app.Command) + "</string>\n\t</array>\n")
	b.WriteString("\t<key>RunAtLoad</key>\n\t" + boolean(true) + "\n")
	b.WriteString("\t<key>Disabled</key>\n\t" + boolean(!on) + "\n")
	b.WriteString("\t<key>ProcessType</key>\n\t<string>Interactive</string>\n")
	b.WriteString("\t<key>LimitLoadToSessionType</key>\n\t<string>Aqua</string>\n")
	b.WriteString("</dict>\n</plist>\n")
	return b.Bytes()
}

// parsePlistDict reads the top dict of an XML property list: each key's
// value as its text for <string>, "true" or "false" for booleans, and
// "<array>" (or the element's name) for anything else.
func parsePlistDict(data []byte) (map[string]string, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	top := map[string]string{}
	depth, inDict, key := 0, false, ""
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
			case depth == 1 && t.Name.Local != "plist":
				return nil, errors.New("the root is <" + t.Name.Local + ">")
			case depth == 2 && t.Name.Local == "dict":
				inDict = true
			case depth == 3 && inDict && t.Name.Local == "key":
				var k string
				if err := d.DecodeElement(&k, &t); err != nil {
					return nil, err
				}
				key = k
				depth--
			case depth == 3 && inDict && key != "":
				switch t.Name.Local {
				case "string":
					var v string
					if err := d.DecodeElement(&v, &t); err != nil {
						return nil, err
					}
					top[key] = v
					depth--
				case "true", "false":
					top[key] = t.Name.Local
				default:
					top[key] = "<" + t.Name.Local + ">"
				}
				key = ""
			}
		case xml.EndElement:
			depth--
		}
	}
	if !inDict {
		return nil, errors.New("no top-level <dict>")
	}
	return top, nil
}
