package ntfy

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"tasktray/backend/internal/httpapi"
	"tasktray/conn"
)

// maxPoll caps the answer of one catch-up poll. It holds at most the
// server's cache since the handshake's since= (all of it for an id the
// server no longer knows: 12 h by default). A bigger answer fails the poll,
// which conn tries again later; the link itself replayed the same messages.
const maxPoll = 64 << 20

// maxPollLine caps one message of a poll, as conn.DefaultReadLimit caps one
// frame of the link.
const maxPollLine = conn.DefaultReadLimit

// session is one link's state. Decode runs on conn's read path and Refresh
// (the catch-up poll) on a goroutine of its own, so what they share is
// guarded by mu.
type session struct {
	p *Protocol

	mu sync.Mutex
	// since is the handshake's since= ("" when it had none, until the
	// open).
	since string
	// catchup is where the catch-up poll starts (see resume.go); "" until
	// the open when the handshake had no since=.
	catchup string
	// asked says the open asked for the catch-up poll, and caught that it
	// ran. Until then, the resume points handed to conn keep catchup.
	asked, caught bool
	// inherited says catchup is an older link's, handed on because that
	// link ended before its poll (since~catchup): this link polls from it
	// as it opens (see Refresh), so that links which all end that soon do
	// not pile up an ever longer replay.
	inherited bool
	// opened is the server's time of the link's open; lastTime that of the
	// newest message that came over it (0: none yet).
	opened, lastTime int64
}

// resume is the resume point of where the link stands. s.mu must be held.
func (s *session) resume() string {
	since := s.since
	switch {
	case s.lastTime > 0:
		since = catchUpFrom(s.lastTime)
	case s.caught:
		// Nothing came over the link, and the poll covered what was
		// published before about its open.
		since = catchUpFrom(s.opened)
	}
	if s.owing() {
		return makeResume(since, s.catchup)
	}
	return since
}

// known reports whether the message id was delivered already (as far as
// the Protocol remembers).
func (s *session) known(id string) bool {
	return s.p != nil && s.p.delivered.has(id)
}

// Open sends nothing: the handshake says it all.
func (s *session) Open() ([][]byte, error) { return nil, nil }

// Backfill is not needed: the server replays from since= itself. What it
// can still lose is fetched by Refresh, later: right after the handshake is
// too early (the lost message may not be in the cache yet).
func (s *session) Backfill(context.Context, string) (conn.Decoded, error) { return conn.Decoded{}, nil }

// Refresh is the link's catch-up poll, which conn runs off the read path
// CatchUpAfter after the link opened (the "open" event asks for it with
// Decoded.RefreshIn). It asks GET /<topics>/json?poll=1&since=<catchup>
// and returns the messages not known to be delivered (conn drops any it
// delivered that the Protocol no longer remembers), without resume points
// of their own: found late, they must not move the resume point back. The
// resume point then hands on a catch-up point from the link's own position.
//
// What it finds: a real ntfy sends a message to the topic's subscribers
// before it writes it to its cache, and a new link subscribes before it
// reads the cache, so a message published in between reaches neither and no
// since=<id> replays it; and a message whose cache row is before an
// earlier-delivered one's (see resume.go). The token is unchanged (ntfy's
// tokens are not renewed). A refused token ends the link as on a handshake
// (401: log in again); any other failure is tried again by conn.
func (s *session) Refresh(ctx context.Context, token string) (conn.Decoded, error) {
	s.mu.Lock()
	since := s.catchup
	s.mu.Unlock()
	msgs, err := s.poll(ctx, token, since)
	if err != nil {
		return conn.Decoded{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var dec conn.Decoded
	for _, e := range msgs {
		if s.known(e.ID) {
			continue
		}
		t, err := task(e)
		if err != nil {
			return conn.Decoded{}, err
		}
		t.Resume = ""
		dec.Tasks = append(dec.Tasks, t)
	}
	if s.inherited {
		// The older links' share is done: what they may have lost was
		// published before this link opened, and is cached by now (ntfy
		// caches a message right after it sends it to the subscribers).
		// This link still owes its own poll, from its own point.
		s.inherited = false
		s.catchup = ownCatchUp(s.since, s.opened)
		dec.RefreshIn = s.p.CatchUpAfter
	} else {
		s.caught = true
	}
	dec.Resume = s.resume()
	return dec, nil
}

// poll asks the server for the cached messages of the topics since since,
// oldest first.
func (s *session) poll(ctx context.Context, token, since string) ([]event, error) {
	msgs, _, err := pollSince(ctx, s.p.http, s.p.poll, token, since, func(resp *http.Response) error {
		if resp.StatusCode == http.StatusUnauthorized {
			return fmt.Errorf("%w (HTTP 401 at the catch-up poll)", conn.ErrUnauthorized)
		}
		return fmt.Errorf("catch-up poll: %w", httpapi.StatusErr(resp))
	})
	return msgs, err
}

// pollSince asks the topics' cache (poll, their /json address) for the
// messages since= since, oldest first, and says when the server answered
// by its own clock (its Date header; zero without one). failed words an
// answer other than 200.
func pollSince(ctx context.Context, client *http.Client, poll *url.URL, token, since string, failed func(*http.Response) error) ([]event, time.Time, error) {
	u := *poll
	u.RawQuery = url.Values{"poll": {"1"}, "since": {since}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, time.Time{}, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := httpapi.Do(client, req)
	if err != nil {
		return nil, time.Time{}, err
	}
	defer httpapi.CloseBody(resp)
	if resp.StatusCode != http.StatusOK {
		return nil, time.Time{}, failed(resp)
	}
	at, _ := http.ParseTime(resp.Header.Get("Date"))
	msgs, err := readPoll(resp.Body, maxPoll)
	return msgs, at, err
}

// readPoll is parsePoll of at most limit bytes of body: more fails with
// errPollTooBig.
func readPoll(body io.Reader, limit int64) ([]event, error) {
	lr := &limitedReader{r: body, n: limit}
	msgs, err := parsePoll(lr)
	if lr.over {
		// The cut may have left a broken last line: the cut is the reason.
		return nil, errPollTooBig
	}
	return msgs, err
}

// parsePoll reads the answer of a poll, one JSON event a line, and returns
// its messages in order. Errors wrap ErrMalformed, or are the reader's.
func parsePoll(r io.Reader) ([]event, error) {
	var msgs []event
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxPollLine)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return nil, fmt.Errorf("%w: catch-up poll: %v", ErrMalformed, err)
		}
		if e.Event == "message" {
			msgs = append(msgs, e)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("catch-up poll: %w", err)
	}
	return msgs, nil
}

// errPollTooBig ends a poll whose answer is over maxPoll.
var errPollTooBig = fmt.Errorf("answer over %d MiB", maxPoll>>20)

// limitedReader is io.LimitReader that fails, rather than ends quietly, at
// its limit: a cut answer must not pass for a whole one.
type limitedReader struct {
	r    io.Reader
	n    int64
	over bool // there was more than n
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		if n, _ := l.r.Read(make([]byte, 1)); n > 0 {
			l.over = true
			return 0, errPollTooBig
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

// ownCatchUp is where a link's own catch-up poll starts once it has
// polled from an older link's point: its since= (a unix time), or a little
// before its open if that is earlier (what ntfy sent to the subscribers
// while the link subscribed has about that time). A since= that is an id
// (an older version's resume point) stays.
func ownCatchUp(since string, opened int64) string {
	t, err := strconv.ParseInt(since, 10, 64)
	if err != nil {
		return since
	}
	return strconv.FormatInt(max(min(t, opened-catchUpMargin), 0), 10)
}

// owing reports whether the link still owes its catch-up poll. s.mu must be
// held.
func (s *session) owing() bool { return s.p != nil && !s.caught }
