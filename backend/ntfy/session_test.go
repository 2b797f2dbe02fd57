package ntfy

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"tasktray/auth"
	"tasktray/conn"
)

// pollSession is a session whose catch-up poll goes to a server that
// answers with status and body.
func pollSession(t *testing.T, status int, body string, since string) (*session, *[]string) {
	t.Helper()
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked = append(asked, r.URL.RequestURI()+" "+r.Header.Get("Authorization"))
		w.WriteHeader(status)
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	p, err := New(auth.Account{Server: srv.URL, Options: map[string]string{OptionTopics: "a,b"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.http.CloseIdleConnections)
	return p.NewSession("tk_x", since).(*session), &asked
}

const (
	polledOld  = `{"id":"oldoldoldold","time":1764447600,"event":"message","topic":"a","message":"came live"}`
	polledMid  = `{"id":"midmidmidmid","time":1764447603,"event":"message","topic":"a","message":"came live"}`
	polledLost = `{"id":"lostlostlost","time":1764447601,"event":"message","topic":"b","title":"Lost","message":"triggered"}`
)

// The open asks for the catch-up poll; the poll asks from the catch-up
// point and hands conn what it is not known to have delivered, without
// resume points of their own; then the resume point hands on a catch-up
// point from the link's last message. Later opens ask for no more polls.
func TestCatchUpPoll(t *testing.T) {
	s, asked := pollSession(t, http.StatusOK, polledOld+"\n"+polledLost+"\n"+polledMid+"\n"+`{"id":"k","time":1,"event":"keepalive","topic":"a"}`+"\n", "1764447590")
	d, err := s.Decode([]byte(recordedOpen))
	if err != nil || d.RefreshIn != DefaultCatchUpAfter || d.Resume != "1764447590" {
		t.Fatalf("open: %+v, %v; want RefreshIn %v and the catch-up point kept", d, err, DefaultCatchUpAfter)
	}
	for _, m := range []string{polledOld, polledMid} {
		d, err := s.Decode([]byte(m))
		if err != nil {
			t.Fatal(err)
		}
		if since, catchup := parseResume(d.Tasks[0].Resume); since != catchUpFrom(d.Tasks[0].Time.Unix()) || catchup != "1764447590" {
			t.Errorf("before the poll, %s's resume point is %q; want 2 s before its time and the owed catch-up point", d.Tasks[0].ID, d.Tasks[0].Resume)
		}
		if m == polledOld {
			s.p.Delivered(d.Tasks[0]) // as conn says once it handed it on
		}
	}
	// conn has delivered oldoldoldold and said so (conn.DeliveryObserver);
	// it may still be delivering midmidmidmid, which is handed on for conn
	// to drop.
	d, err = s.Refresh(context.Background(), "tk_x")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, task := range d.Tasks {
		ids = append(ids, task.ID)
		if task.Resume != "" {
			t.Errorf("polled task %s has resume point %q", task.ID, task.Resume)
		}
	}
	if strings.Join(ids, ",") != "lostlostlost,midmidmidmid" || d.Tasks[0].Title != "Lost" || d.Tasks[0].Body != "" || d.RefreshIn != 0 {
		t.Errorf("poll: %+v, want the lost message and the unconfirmed one", d)
	}
	if d.Resume != "1764447601" {
		t.Errorf("after the poll the resume point is %q, want 2 s before the last message, and nothing owed", d.Resume)
	}
	if len(*asked) != 1 || (*asked)[0] != "/a,b/json?poll=1&since=1764447590 Bearer tk_x" {
		t.Errorf("asked %q", *asked)
	}
	if d, _ := s.Decode([]byte(recordedOpen)); d.RefreshIn != 0 {
		t.Errorf("a second open asked for another poll: %+v", d)
	}
	d, _ = s.Decode([]byte(recordedMessage))
	if d.Tasks[0].Resume != "1764447613" {
		t.Errorf("after the poll, a message's resume point is %q", d.Tasks[0].Resume)
	}
}

// A link that starts with an older link's catch-up point (that link ended
// before its poll) polls from it as it opens, then owes its own poll from
// its own point: links that all end that soon hand on a few seconds, not
// everything since the first of them.
func TestInheritedCatchUpPolledAtOpen(t *testing.T) {
	s, asked := pollSession(t, http.StatusOK, polledLost+"\n", "1764447595~1764447590")
	d, err := s.Decode([]byte(recordedOpen))
	if err != nil || d.RefreshIn != inheritedCatchUpAfter || d.Resume != "1764447595~1764447590" {
		t.Fatalf("open: %+v, %v; want RefreshIn %v and the older link's point kept", d, err, inheritedCatchUpAfter)
	}
	own := ownCatchUp("1764447595", s.opened)
	d, err = s.Refresh(context.Background(), "tk_x")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Tasks) != 1 || d.Tasks[0].ID != "lostlostlost" || d.RefreshIn != DefaultCatchUpAfter || d.Resume != makeResume("1764447595", own) {
		t.Errorf("first poll: %+v; want the lost message, the link's own poll in %v, and its own point %s owed", d, DefaultCatchUpAfter, own)
	}
	d, err = s.Refresh(context.Background(), "tk_x")
	if err != nil {
		t.Fatal(err)
	}
	if d.RefreshIn != 0 || d.Resume != catchUpFrom(s.opened) {
		t.Errorf("own poll: %+v; want no more polls and nothing owed", d)
	}
	want := []string{"/a,b/json?poll=1&since=1764447590 Bearer tk_x", "/a,b/json?poll=1&since=" + own + " Bearer tk_x"}
	if strings.Join(*asked, "|") != strings.Join(want, "|") {
		t.Errorf("asked %q, want %q", *asked, want)
	}
}

// A link that breaks before its catch-up poll ran hands its catch-up point
// on, so the next link polls from there while it resumes the stream from 2 s
// before its last message; a resume point without one polls from its
// since.
func TestCatchUpOwedAcrossLinks(t *testing.T) {
	s, _ := pollSession(t, http.StatusOK, "", "1764447595~1764447590")
	d, _ := s.Decode([]byte(polledMid))
	resume := d.Tasks[0].Resume
	if resume != "1764447601~1764447590" {
		t.Fatalf("live message before the poll: resume %q", resume)
	}
	// The link breaks here; the next one starts from that resume point.
	p := s.p
	u, _, _ := p.Handshake("tk_x", resume)
	if !strings.HasSuffix(u, "/ws?since=1764447601") {
		t.Errorf("handshake %s, want since= 2 s before the last message", u)
	}
	next := p.NewSession("tk_x", resume).(*session)
	if next.catchup != "1764447590" || next.since != "1764447601" {
		t.Errorf("next link: catch-up from %q, since %q", next.catchup, next.since)
	}
	if old := p.NewSession("tk_x", "oldoldoldold").(*session); old.catchup != "oldoldoldold" || old.since != "oldoldoldold" {
		t.Errorf("an older version's resume point (an id): since %q, catch-up from %q", old.since, old.catchup)
	}
	for _, bad := range []string{"a~", "~a", "a~b~c", "a/b~c", "a~b/c"} {
		if since, catchup := parseResume(bad); since != "" || catchup != "" {
			t.Errorf("parseResume(%q) = %q, %q; want nothing", bad, since, catchup)
		}
	}
}

// A link without since= polls from its open's time.
func TestCatchUpPollWithoutSince(t *testing.T) {
	s, asked := pollSession(t, http.StatusOK, "", "")
	if _, err := s.Decode([]byte(recordedOpen)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Refresh(context.Background(), "tk_x"); err != nil {
		t.Fatal(err)
	}
	if len(*asked) != 1 || !strings.Contains((*asked)[0], "since=1764447612 ") {
		t.Errorf("asked %q, want since= the open's time", *asked)
	}
}

func TestCatchUpPollFails(t *testing.T) {
	for _, c := range []struct {
		name   string
		status int
		body   string
		want   error
	}{
		{"token refused", http.StatusUnauthorized, `{"code":40101}`, conn.ErrUnauthorized},
		{"garbage", http.StatusOK, "<html>", ErrMalformed},
		{"server error", http.StatusInternalServerError, "", auth.ErrUnreachable},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, _ := pollSession(t, c.status, c.body, "1764447595")
			s.Decode([]byte(recordedOpen))
			if _, err := s.Refresh(context.Background(), "tk_x"); !errors.Is(err, c.want) {
				t.Errorf("got %v, want %v", err, c.want)
			}
		})
	}
	if _, err := readPoll(strings.NewReader(polledOld+"\n"+polledLost), int64(len(polledOld)+5)); !errors.Is(err, errPollTooBig) {
		t.Errorf("an answer over the cap: %v, want errPollTooBig", err)
	}
	if msgs, err := readPoll(strings.NewReader(polledOld+"\n"), int64(len(polledOld)+1)); err != nil || len(msgs) != 1 {
		t.Errorf("an answer of exactly the cap: %v, %v", msgs, err)
	}
}

func FuzzParsePoll(f *testing.F) {
	f.Add([]byte(polledOld + "\n" + polledLost + "\n"))
	f.Add([]byte(`{"event":"keepalive"}` + "\n\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		msgs, err := parsePoll(strings.NewReader(string(body)))
		if err != nil {
			return
		}
		for _, e := range msgs {
			if e.Event != "message" {
				t.Fatalf("event %q returned", e.Event)
			}
		}
	})
}

// A message the catch-up poll found, once conn delivered it, is known to
// the Protocol: a later link's replay or poll, which can reach back further
// than conn's window of ids (links cut before their polls ran keep an old
// catch-up point), drops it here. Before, only stream messages were
// remembered, and under Wine a poll-found task popped twice, 1,108
// deliveries apart (TestForcedDisconnects).
func TestPolledMessageKnownToLaterLinks(t *testing.T) {
	s, _ := pollSession(t, http.StatusOK, polledLost+"\n", "1764447595~1764447590")
	if _, err := s.Decode([]byte(recordedOpen)); err != nil {
		t.Fatal(err)
	}
	d, err := s.Refresh(context.Background(), "tk_x")
	if err != nil || len(d.Tasks) != 1 {
		t.Fatalf("poll: %+v, %v", d, err)
	}
	s.p.Delivered(d.Tasks[0]) // conn handed it on
	later := s.p.NewSession("tk_x", "1764447590").(*session)
	if d, err := later.Decode([]byte(polledLost)); err != nil || len(d.Tasks) != 0 {
		t.Errorf("a later link hands the polled message on again: %+v, %v", d, err)
	}
}
