package custom

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"tasktray/i18n"
	"time"
)

// placeholder stands in for the token while a template is checked.
const (
	tokenVar    = "{token}"
	sinceVar    = "{since}"
	placeholder = "tasktraytoken"
)

// Bounds of the heartbeat interval: more often is a flood, less often
// lets a dead link pass for alive for many minutes.
const (
	minInterval = 100 * time.Millisecond
	maxInterval = 10 * time.Minute
)

// fieldErr is the one shape of every profile error: the field, then what
// is wrong with it.
func fieldErr(field string, what *i18n.Text, args ...any) error {
	return msgFieldErr.Err(ErrProfile, field, what.F(args...))
}

// check fills in defaults and checks every section.
func (p *Profile) check() error {
	if err := p.checkConnect(); err != nil {
		return err
	}
	if p.Name == "" {
		u, _ := url.Parse(strings.ReplaceAll(p.Connect.URL, tokenVar, placeholder))
		p.Name = u.Hostname()
	}
	if p.Login != nil {
		if err := p.checkLogin(); err != nil {
			return err
		}
	}
	if p.Connect.TokenIn == TokenInCookie && (p.Login == nil || p.Login.TokenFrom != "cookies") {
		return fieldErr("connect.token_in", msgCheck1)
	}
	if err := p.Heartbeat.check(); err != nil {
		return err
	}
	if err := p.Mapping.check(); err != nil {
		return err
	}
	return p.checkResume()
}

func (p *Profile) checkConnect() error {
	c := &p.Connect
	if c.URL == "" {
		return fieldErr("connect.url", msgCheck2)
	}
	u, err := parseTemplate("connect.url", c.URL, p.AllowInsecure, "ws", "wss")
	if err != nil {
		return err
	}
	inQuery := strings.Count(u.RawQuery, placeholder)
	inPath := strings.Count(u.EscapedPath(), placeholder)
	n := strings.Count(c.URL, tokenVar)
	if n != inQuery+inPath {
		return fieldErr("connect.url", msgCheck3)
	}
	needsNone := func() error {
		if n > 0 {
			return fieldErr("connect.url", msgCheck4, c.TokenIn)
		}
		return nil
	}
	switch c.TokenIn {
	case TokenInQuery:
		if inQuery != 1 || inPath != 0 {
			return fieldErr("connect.url", msgCheck5)
		}
	case TokenInPath:
		if inPath != 1 || inQuery != 0 {
			return fieldErr("connect.url", msgCheck6)
		}
	case TokenInHeader:
		if err := needsNone(); err != nil {
			return err
		}
		if !validHeaderName(c.Header) {
			return fieldErr("connect.header", msgCheck7)
		}
	case TokenInSubprotocol:
		if err := needsNone(); err != nil {
			return err
		}
		with := 0
		for _, s := range c.Subprotocols {
			with += strings.Count(s, tokenVar)
			if !validSubprotocol(strings.ReplaceAll(s, tokenVar, placeholder)) {
				return fieldErr("connect.subprotocols", msgCheck8, s)
			}
		}
		if with != 1 {
			return fieldErr("connect.subprotocols", msgCheck9)
		}
	case TokenInCookie:
		if err := needsNone(); err != nil {
			return err
		}
	case "":
		return fieldErr("connect.token_in", msgCheck10)
	default:
		return fieldErr("connect.token_in", msgCheck11, c.TokenIn)
	}
	if c.TokenIn != TokenInHeader && (c.Header != "" || c.Prefix != "") {
		return fieldErr("connect.header", msgCheck12)
	}
	if c.TokenIn != TokenInSubprotocol {
		for _, s := range c.Subprotocols {
			if strings.Contains(s, tokenVar) {
				return fieldErr("connect.subprotocols", msgCheck13)
			}
			if !validSubprotocol(s) {
				return fieldErr("connect.subprotocols", msgCheck14, s)
			}
		}
	}
	return checkHeaders("connect.headers", c.Headers)
}

// reserved headers are the WebSocket handshake's own; gorilla refuses
// them, and the token has its own settings.
var reserved = []string{"upgrade", "connection", "host", "sec-websocket-key", "sec-websocket-version",
	"sec-websocket-extensions", "sec-websocket-protocol", "content-length"}

func checkHeaders(field string, h map[string]string) error {
	for k, v := range h {
		switch {
		case !validHeaderName(k):
			return fieldErr(field, msgCheck15, k)
		case slices.Contains(reserved, strings.ToLower(k)):
			return fieldErr(field, msgCheck16, k)
		case strings.Contains(v, tokenVar):
			return fieldErr(field+"."+k, msgCheck17)
		case strings.ContainsAny(v, "\r\n\x00"):
			return fieldErr(field+"."+k, msgCheck18)
		}
	}
	return nil
}

// parseTemplate checks a URL template: one of schemes, a host, no user
// info or fragment, no clear text to another computer unless allowed. It
// returns the URL with the variables replaced by placeholder.
func parseTemplate(field, raw string, allowInsecure bool, schemes ...string) (*url.URL, error) {
	s := strings.ReplaceAll(strings.ReplaceAll(raw, tokenVar, placeholder), sinceVar, "1")
	if strings.ContainsAny(s, "{}") {
		return nil, fieldErr(field, msgCheck19)
	}
	u, err := url.Parse(s)
	if err != nil || u.Opaque != "" {
		return nil, fieldErr(field, msgCheck20)
	}
	switch {
	case !slices.Contains(schemes, u.Scheme):
		return nil, fieldErr(field, msgCheck21, schemes[1], schemes[0])
	case u.User != nil:
		return nil, fieldErr(field, msgCheck22)
	case u.Hostname() == "":
		return nil, fieldErr(field, msgCheck23)
	case u.Fragment != "":
		return nil, fieldErr(field, msgCheck24)
	case u.Scheme == schemes[0] && !allowInsecure && !isLoopback(u.Hostname()):
		return nil, fieldErr(field, msgCheck25,
			u.Scheme, u.Hostname(), schemes[1])
	}
	return u, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (p *Profile) checkLogin() error {
	l := p.Login
	if l.URL == "" {
		return fieldErr("login.url", msgCheck26)
	}
	if strings.Contains(l.URL, tokenVar) || strings.Contains(l.URL, sinceVar) {
		return fieldErr("login.url", msgCheck27)
	}
	if _, err := parseTemplate("login.url", l.URL, p.AllowInsecure, "http", "https"); err != nil {
		return err
	}
	switch l.Method = strings.ToUpper(l.Method); l.Method {
	case "":
		l.Method = "POST"
	case "POST", "PUT":
	default:
		return fieldErr("login.method", msgCheck28, l.Method)
	}
	switch l.Body {
	case "":
		l.Body = "json"
	case "json", "form":
	default:
		return fieldErr("login.body", msgCheck29, l.Body)
	}
	if l.UsernameField == "" {
		l.UsernameField = "username"
	}
	if l.PasswordField == "" {
		l.PasswordField = "password"
	}
	if l.UsernameField == l.PasswordField {
		return fieldErr("login.password_field", msgCheck30)
	}
	for k := range l.Fields {
		if k == l.UsernameField || k == l.PasswordField {
			return fieldErr("login.fields."+k, msgCheck31)
		}
	}
	if err := checkHeaders("login.headers", l.Headers); err != nil {
		return err
	}
	unused := func(field, value string) error {
		if value != "" {
			return fieldErr("login."+field, msgCheck32, l.TokenFrom)
		}
		return nil
	}
	switch l.TokenFrom {
	case "json":
		if l.TokenPath == "" {
			return fieldErr("login.token_path", msgCheck33)
		}
		if err := unused("token_header", l.TokenHeader); err != nil {
			return err
		}
		return unused("token_prefix", l.TokenPrefix)
	case "header":
		if !validHeaderName(l.TokenHeader) {
			return fieldErr("login.token_header", msgCheck34)
		}
		return unused("token_path", l.TokenPath)
	case "cookies":
		if err := unused("token_path", l.TokenPath); err != nil {
			return err
		}
		if err := unused("token_header", l.TokenHeader); err != nil {
			return err
		}
		return unused("token_prefix", l.TokenPrefix)
	case "":
		return fieldErr("login.token_from", msgCheck35)
	}
	return fieldErr("login.token_from", msgCheck36, l.TokenFrom)
}

func (h *Heartbeat) check() error {
	if h.Text == nil {
		t := DefaultHeartbeat
		h.Text = &t
	}
	if strings.ContainsRune(*h.Text, 0) {
		return fieldErr("heartbeat.text", msgCheck37)
	}
	if h.Interval.Duration == 0 {
		h.Interval.Duration = DefaultHeartbeatEvery
	}
	if h.Interval.Duration < minInterval || h.Interval.Duration > maxInterval {
		return fieldErr("heartbeat.interval", msgCheck38, h.Interval.Duration, minInterval, maxInterval)
	}
	if (h.EchoPath == "") != (h.EchoValue == "") {
		return fieldErr("heartbeat.echo_path", msgCheck39)
	}
	if h.Ping == nil {
		yes := true
		h.Ping = &yes
	}
	if h.DeadAfter.Duration == 0 {
		if !*h.Ping && h.Echo == "" && h.EchoPath == "" {
			return fieldErr("heartbeat.dead_after", msgCheck40)
		}
		h.DeadAfter.Duration = 2*h.Interval.Duration + 5*time.Second
	}
	if h.DeadAfter.Duration <= h.Interval.Duration || h.DeadAfter.Duration > 3*maxInterval {
		return fieldErr("heartbeat.dead_after", msgCheck41, h.DeadAfter.Duration, h.Interval.Duration, 3*maxInterval)
	}
	return nil
}

func (m *Mapping) check() error {
	for _, f := range []struct{ name, path string }{
		{"id", m.ID}, {"title", m.Title}, {"body", m.Body}, {"url", m.URL}, {"priority", m.Priority}, {"time", m.Time},
	} {
		if err := checkPath("mapping."+f.name, f.path); err != nil {
			return err
		}
	}
	if m.DefaultTitle == "" {
		m.DefaultTitle = DefaultTitle
	}
	switch m.PlainText {
	case "":
		m.PlainText = "body"
	case "body", "ignore":
	default:
		return fieldErr("mapping.plain_text", msgCheck42, m.PlainText)
	}
	for i, r := range m.Ignore {
		field := fmt.Sprintf("mapping.ignore[%d]", i)
		if r.Path == "" {
			return fieldErr(field+".path", msgCheck43)
		}
		if err := checkPath(field+".path", r.Path); err != nil {
			return err
		}
		if (r.Equals == nil) == (r.Not == nil) {
			return fieldErr(field, msgCheck44)
		}
	}
	return nil
}

// checkPath refuses what cannot be a gjson path a person meant.
func checkPath(field, path string) error {
	if len(path) > 200 || strings.ContainsAny(path, "\r\n\t\x00") {
		return fieldErr(field, msgCheck45, path)
	}
	return nil
}

func (p *Profile) checkResume() error {
	r := &p.Resume
	if r.Window == 0 {
		r.Window = DefaultWindow
	}
	if r.Window < 1 || r.Window > MaxWindow {
		return fieldErr("resume.window", msgCheck46, r.Window, MaxWindow)
	}
	if r.Replay < 0 || r.Replay > r.Window {
		return fieldErr("resume.replay", msgCheck53, r.Replay, r.Window)
	}
	if (r.SinceParam != "" || r.MissedURL != "") && p.Mapping.ID == "" {
		return fieldErr("resume", msgCheck47)
	}
	if r.SinceParam != "" && (strings.ContainsAny(r.SinceParam, "&=?#/ {}") || url.QueryEscape(r.SinceParam) != r.SinceParam) {
		return fieldErr("resume.since_param", msgCheck48, r.SinceParam)
	}
	if r.MissedItems != "" && r.MissedURL == "" {
		return fieldErr("resume.missed_items", msgCheck49)
	}
	if err := checkPath("resume.missed_items", r.MissedItems); err != nil {
		return err
	}
	if r.MissedURL == "" {
		return nil
	}
	if _, err := parseTemplate("resume.missed_url", r.MissedURL, p.AllowInsecure, "http", "https"); err != nil {
		return err
	}
	if strings.Count(r.MissedURL, sinceVar) != 1 {
		return fieldErr("resume.missed_url", msgCheck50)
	}
	switch n := strings.Count(r.MissedURL, tokenVar); {
	case n > 1:
		return fieldErr("resume.missed_url", msgCheck51)
	case n == 0 && p.Connect.TokenIn != TokenInHeader && p.Connect.TokenIn != TokenInCookie:
		return fieldErr("resume.missed_url", msgCheck52, p.Connect.TokenIn)
	}
	return nil
}

// validHeaderName reports whether s is an HTTP token (RFC 9110).
func validHeaderName(s string) bool { return s != "" && isToken(s) }

// validSubprotocol: a subprotocol is an HTTP token too.
func validSubprotocol(s string) bool { return s != "" && isToken(s) }

func isToken(s string) bool {
	for _, c := range []byte(s) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}
