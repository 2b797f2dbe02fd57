package custom

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/tidwall/gjson"

	"tasktray/auth"
	"tasktray/backend/internal/httpapi"
	"tasktray/conn"
)

// maxMissed caps a missed-tasks answer.
const maxMissed = 4 << 20

// missedFetcher asks the profile's missed_url for what was published while
// the link was down.
type missedFetcher struct {
	p      *Protocol
	client *http.Client
}

// fetch GETs the tasks after since (all of them when since is ""), oldest
// first. With locate it delivers nothing and returns where the history
// stands now: the last item's id, or "from the start" when there is none
// (the login's resume point, auth.Session.Resume).
// Items without an id cannot be told from the stream's own and are
// skipped. Errors never hold the token.
func (f *missedFetcher) fetch(ctx context.Context, s *session, since string, locate bool) (conn.Decoded, error) {
	client, err := httpapi.Client(f.client, auth.Account{})
	if err != nil {
		return conn.Decoded{}, err
	}
	rawURL := f.p.missedURL(s.token, since)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return conn.Decoded{}, errors.New("the profile's resume.missed_url with this token is not a URL")
	}
	for k, v := range f.p.Connect.Headers {
		req.Header.Set(k, v)
	}
	switch f.p.Connect.TokenIn {
	case TokenInHeader:
		req.Header.Set(f.p.Connect.Header, f.p.Connect.Prefix+s.token)
	case TokenInCookie:
		req.Header.Set("Cookie", s.token)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := httpapi.Do(client, req)
	if err != nil {
		return conn.Decoded{}, f.redact(err, s.token)
	}
	defer httpapi.CloseBody(resp)
	switch code := resp.StatusCode; {
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return conn.Decoded{}, fmt.Errorf("%w (HTTP %d from the missed-tasks address)", conn.ErrUnauthorized, code)
	case code == http.StatusTooManyRequests || code >= 500:
		// Likely to pass: retry with the link's backoff.
		return conn.Decoded{}, f.redact(httpapi.StatusErr(resp), s.token)
	case code != http.StatusOK:
		return gap(locate, fmt.Sprintf("the missed-tasks address answered %s", resp.Status)), nil
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxMissed+1))
	if err != nil {
		return conn.Decoded{}, f.redact(httpapi.RequestErr(ctx, req.URL.Host, err), s.token)
	}
	if len(body) > maxMissed {
		return gap(locate, fmt.Sprintf("the missed-tasks answer is over %d MiB", maxMissed>>20)), nil
	}
	items, ok := missedItems(body, f.p.Resume.MissedItems)
	if !ok {
		return gap(locate, "the missed-tasks answer holds no list where the profile looks (resume.missed_items)"), nil
	}
	var dec conn.Decoded
	if locate {
		dec.Resume = locatedPrefix // no task yet: everything to come is new
	}
	now := s.now()
	for _, it := range items {
		t, ok := f.p.mapFrame([]byte(it.Raw), now)
		if !ok || t.ID == "" {
			continue
		}
		t.Resume = idPrefix + t.ID
		if locate {
			dec.Resume = locatedPrefix + t.ID // only where the history stands
			continue
		}
		dec.Tasks = append(dec.Tasks, t)
	}
	return dec, nil
}

// missedItems finds the list of missed tasks in an answer. An empty list
// may come as null, or with the field left out (Go's omitempty, Jackson's
// NON_NULL): with nothing missed that is what many backends write, and it
// is no gap. Left out counts only where the path's parent is an object of
// the answer; any other shape (not JSON, a string or an object where the
// list should be, a parent that is missing) is.
func missedItems(body []byte, path string) ([]gjson.Result, bool) {
	if !gjson.ValidBytes(body) {
		return nil, false
	}
	v := gjson.ParseBytes(body)
	if path != "" {
		v = v.Get(path)
		if !v.Exists() {
			if strings.ContainsAny(path, `\#|@*?`) {
				return nil, false // no plain parent to look at
			}
			parent := gjson.ParseBytes(body)
			if i := strings.LastIndexByte(path, '.'); i >= 0 {
				parent = parent.Get(path[:i])
			}
			return nil, parent.IsObject()
		}
	}
	switch {
	case v.Type == gjson.Null:
		return nil, true
	case v.IsArray():
		return v.Array(), true
	}
	return nil, false
}

// gap is what a missed-tasks answer that will not get better gives: the
// stream goes on, and the user is told that tasks may be missing, rather
// than the link failing over and over. When it only asked where the
// history stands (locate) there is nothing to tell: "" is "cannot tell".
func gap(locate bool, reason string) conn.Decoded {
	if locate {
		return conn.Decoded{}
	}
	return conn.Decoded{Gap: &conn.Gap{Reason: reason}}
}

// missedURL fills the missed_url template, each value escaped for where it
// stands.
func (p *Protocol) missedURL(token, since string) string {
	raw := p.Resume.MissedURL
	esc := func(raw, v, name string) string {
		i := strings.Index(raw, name)
		if i < 0 {
			return raw
		}
		if q := strings.IndexByte(raw, '?'); q >= 0 && q < i {
			return strings.Replace(raw, name, url.QueryEscape(v), 1)
		}
		return strings.Replace(raw, name, url.PathEscape(v), 1)
	}
	return esc(esc(raw, since, sinceVar), token, tokenVar)
}

// redact rewords err without the token (a path that holds it is in
// httpapi's words).
func (f *missedFetcher) redact(err error, token string) error {
	msg := Redact(err.Error(), token)
	if msg == err.Error() {
		return err
	}
	return &redactedErr{msg: msg, err: err}
}
