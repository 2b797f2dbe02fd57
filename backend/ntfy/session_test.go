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
	polledLost = `{"id":"lostlostlost","time":1764447601,"event":"message","topic":"b","title":"Lost","message":"triggered"}`
)

// The open asks for the catch-up poll; the poll asks from the handshake's
// since= and hands conn only what did not come over the link, without
// moving the resume point back; later opens and polls ask for nothing more.
func TestCatchUpPoll(t *testing.T) {
	s, asked := pollSession(t, http.StatusOK, polledOld+"\n"+polledLost+"\n"+`{"id":"k","time":1,"event":"keepalive","topic":"a"}`+"\n", "sinceSince12")
	d, err := s.Decode([]byte(recordedOpen))
	if err != nil || d.RefreshIn != DefaultCatchUpAfter {
		t.Fatalf("open: %+v, %v; want RefreshIn %v", d, err, DefaultCatchUpAfter)
	}
	if _, err := s.Decode([]byte(polledOld)); err != nil {
		t.Fatal(err)
	}
	d, err = s.Refresh(context.Background(), "tk_x")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Tasks) != 1 || d.Tasks[0].ID != "lostlostlost" || d.Tasks[0].Title != "Lost" || d.Tasks[0].Body != "" || d.Tasks[0].Resume != "" || d.RefreshIn != 0 {
		t.Errorf("poll: %+v, want only the lost message, without a resume point of its own", d)
	}
	if d.Resume != "oldoldoldold" {
		t.Errorf("after the poll the resume point is %q, want the last live message without a pending catch-up", d.Resume)
	}
	if len(*asked) != 1 || (*asked)[0] != "/a,b/json?poll=1&since=sinceSince12 Bearer tk_x" {
		t.Errorf("asked %q", *asked)
	}
	if d, _ := s.Decode([]byte(recordedOpen)); d.RefreshIn != 0 {
		t.Errorf("a second open asked for another poll: %+v", d)
	}
}

// Until its catch-up poll has run, a link's resume points say where the
// poll would start; a link that breaks before it ran hands that on, so the
// next link polls from there while it resumes the stream from its last
// message.
func TestCatchUpOwedAcrossLinks(t *testing.T) {
	s, _ := pollSession(t, http.StatusOK, "", "sinceSince12")
	d, _ := s.Decode([]byte(recordedOpen))
	if d.Resume != "sinceSince12~sinceSince12" {
		t.Errorf("open: resume %q, want the catch-up owed from the handshake's since", d.Resume)
	}
	d, _ = s.Decode([]byte(polledOld))
	if got := d.Tasks[0].Resume; got != "oldoldoldold~sinceSince12" {
		t.Fatalf("live message before the poll: resume %q", got)
	}
	// The link breaks here; the next one starts from that resume point.
	p := s.p
	u, _, _ := p.Handshake("tk_x", "oldoldoldold~sinceSince12")
	if !strings.HasSuffix(u, "/ws?since=oldoldoldold") {
		t.Errorf("handshake %s, want since= the last message", u)
	}
	next := p.NewSession("tk_x", "oldoldoldold~sinceSince12").(*session)
	if next.catchup != "sinceSince12" || next.resume != "oldoldoldold" {
		t.Errorf("next link: catch-up from %q, resume %q", next.catchup, next.resume)
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
			s, _ := pollSession(t, c.status, c.body, "sinceSince12")
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
