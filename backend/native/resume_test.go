package native

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"tasktray/auth"
	"tasktray/conn"
	"tasktray/server"
)

// TestHelloGivesAResumePoint (defect 1): a session that starts with
// nothing to resume from takes the hello's last_id as its resume point; one
// that has a resume point never moves it (tasks it has not delivered yet may
// lie between the two).
func TestHelloGivesAResumePoint(t *testing.T) {
	hello := []byte(`{"type":"hello","epoch":"E7","ping_period":30,"last_id":41,"oldest_id":1}`)
	p, _ := New("http://127.0.0.1:1")
	d, err := p.NewSession("tok", "").Decode(hello)
	if err != nil || d.Resume != "41@E7" || d.Epoch != "E7" {
		t.Fatalf("fresh session: resume %q, epoch %q, err %v; want 41@E7", d.Resume, d.Epoch, err)
	}
	if d, _ := p.NewSession("tok", "3@E7").Decode(hello); d.Resume != "" {
		t.Fatalf("resuming session moved its resume point to %q past tasks 4..41", d.Resume)
	}
	if d, _ := p.NewSession("tok", "").Decode([]byte(`{"type":"hello","epoch":"E7"}`)); d.Resume != "" {
		t.Fatalf("a hello without last_id gave resume %q", d.Resume)
	}
	if d, _ := p.NewSession("tok", "").Decode([]byte(`{"type":"hello","epoch":"E7","last_id":0}`)); d.Resume != "0@E7" {
		t.Fatalf("an empty history gave resume %q, want 0@E7", d.Resume)
	}
}

// TestHelloGapBecomesAGap (defect 13): a hello that says the tasks missed
// are no longer kept becomes a Gap dated by the oldest kept task.
func TestHelloGapBecomesAGap(t *testing.T) {
	p, _ := New("http://127.0.0.1:1")
	d, err := p.NewSession("tok", "5@E").Decode([]byte(`{"type":"hello","epoch":"E","last_id":1200,"oldest_id":201,"gap":{"after":5,"before":201,"before_time":"2026-12-02T14:02:00Z"}}`))
	want := time.Date(2026, 12, 2, 14, 2, 0, 0, time.UTC)
	if err != nil || d.Gap == nil || !d.Gap.Before.Equal(want) || d.Gap.Reason == "" {
		t.Fatalf("gap %+v, err %v; want one before %v with a reason", d.Gap, err, want)
	}
	if d, _ := p.NewSession("tok", "5@E").Decode([]byte(`{"type":"hello","epoch":"E","last_id":9,"oldest_id":1}`)); d.Gap != nil {
		t.Fatalf("gap %+v without one in the hello", d.Gap)
	}
}

// TestTokenFrameRenews (defect 14): a token frame hands the Client a new
// token and its expiry.
func TestTokenFrameRenews(t *testing.T) {
	p, _ := New("http://127.0.0.1:1")
	d, err := p.NewSession("tok", "").Decode([]byte(`{"type":"token","token":"new-tok","expires_at":"2026-12-03T14:02:00Z"}`))
	if err != nil || d.Token == nil || d.Token.Token != "new-tok" || !d.Token.ExpiresAt.Equal(time.Date(2026, 12, 3, 14, 2, 0, 0, time.UTC)) {
		t.Fatalf("got %+v, %v", d.Token, err)
	}
}

// reference runs the reference server with user alice ("pw") and a switch
// that makes /ws answer 503, as a server that is briefly unreachable.
type reference struct {
	*server.Server
	url  string
	down atomic.Bool
}

func newReference(t *testing.T, cfg server.Config) *reference {
	t.Helper()
	cfg.BcryptCost = bcrypt.MinCost
	srv, err := server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv.AddUser("alice", "pw")
	r := &reference{Server: srv}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path == "/ws" && r.down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		srv.ServeHTTP(w, req)
	})}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close(); srv.Close() })
	r.url = "http://" + ln.Addr().String()
	return r
}

func (r *reference) login(t *testing.T) auth.Session {
	t.Helper()
	s, err := Authenticator{}.Login(context.Background(), auth.Credentials{Account: auth.Account{Server: r.url, Username: "alice"}, Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// savedCursor is a CursorStore in memory that lets a test wait for a save.
type savedCursor struct {
	mu    sync.Mutex
	c     conn.Cursor
	saved chan struct{}
}

func newSavedCursor() *savedCursor { return &savedCursor{saved: make(chan struct{}, 1)} }

func (s *savedCursor) Load() (conn.Cursor, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.c, nil
}

func (s *savedCursor) Save(c conn.Cursor) error {
	s.mu.Lock()
	s.c = c
	s.mu.Unlock()
	select {
	case s.saved <- struct{}{}:
	default:
	}
	return nil
}

// waitResume waits until the saved cursor has a resume point.
func (s *savedCursor) waitResume(t *testing.T) string {
	t.Helper()
	guard := time.After(waitLong)
	for {
		if c, _ := s.Load(); c.Resume != "" {
			return c.Resume
		}
		select {
		case <-s.saved:
		case <-guard:
			t.Fatal("the client saved no resume point")
		}
	}
}

// waitLong bounds a wait for something that should happen at once: only
// a failure waits it out, so it is generous for -race on a busy machine
// and Wine.
const waitLong = 20 * time.Second

// runClient runs a Client until the test ends.
func runClient(t *testing.T, cfg conn.Config) *conn.Client {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.Backoff = conn.Backoff{Base: time.Millisecond, Max: 20 * time.Millisecond}
	c, err := conn.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return c
}

// expectTitles waits for tasks with these titles, in order.
func expectTitles(t *testing.T, c *conn.Client, want ...string) {
	t.Helper()
	for _, w := range want {
		select {
		case task := <-c.Tasks():
			if task.Title != w {
				t.Fatalf("got %q, want %q", task.Title, w)
			}
		case <-time.After(waitLong):
			t.Fatalf("no task %q", w)
		}
	}
}

// TestLoginSetsTheResumePoint (defect 1): the login tells where the user's
// history stands, and the first link resumes from there: a task published
// between the login and the first link is delivered.
func TestLoginSetsTheResumePoint(t *testing.T) {
	ref := newReference(t, server.Config{Epoch: "E1"})
	ref.Publish("alice", server.TaskInput{Title: "before the login"})
	s := ref.login(t)
	if s.Resume != "1@E1" {
		t.Fatalf("Session.Resume %q, want 1@E1", s.Resume)
	}
	ref.Publish("alice", server.TaskInput{Title: "between login and link"})
	p, _ := New(ref.url)
	c := runClient(t, conn.Config{Protocol: p, Token: s.Token, StartFrom: s.Resume})
	expectTitles(t, c, "between login and link")
}

// TestNothingLostBeforeTheFirstTask (defect 1): a client with no resume
// point at all (no cursor, no login answer to start from) keeps the hello's
// last_id; a task published while its link is down, before it ever got a
// task, is delivered when the link is back.
func TestNothingLostBeforeTheFirstTask(t *testing.T) {
	ref := newReference(t, server.Config{})
	s := ref.login(t)
	ref.Publish("alice", server.TaskInput{Title: "old, before the first link"})
	cursor := newSavedCursor()
	p, _ := New(ref.url)
	c := runClient(t, conn.Config{Protocol: p, Token: s.Token, Cursor: cursor})
	cursor.waitResume(t)

	ref.down.Store(true)
	ref.DropConnections()
	ref.Publish("alice", server.TaskInput{Title: "while the link was down"})
	ref.down.Store(false)
	expectTitles(t, c, "while the link was down")
}

// TestGapIsReported (defect 13): a client that was away for more tasks than
// the server keeps is told so (Client.Gaps), and gets every task still kept.
func TestGapIsReported(t *testing.T) {
	ref := newReference(t, server.Config{HistorySize: 5})
	s := ref.login(t)
	p, _ := New(ref.url)
	c := runClient(t, conn.Config{Protocol: p, Token: s.Token, StartFrom: s.Resume})
	ref.Publish("alice", server.TaskInput{Title: "first"})
	expectTitles(t, c, "first")

	ref.down.Store(true)
	ref.DropConnections()
	var want []string
	for i := range 12 {
		title := "missed " + string(rune('a'+i))
		ref.Publish("alice", server.TaskInput{Title: title})
		want = append(want, title)
	}
	ref.down.Store(false)
	expectTitles(t, c, want[7:]...) // the 5 kept, none silently capped
	select {
	case g := <-c.Gaps():
		if g.Before.IsZero() || g.Reason == "" {
			t.Fatalf("gap %+v", g)
		}
	case <-time.After(waitLong):
		t.Fatal("no gap reported")
	}
}

// TestLoggedInPastTheTokenTTL (defect 14): with a 2 s token TTL, the link
// is handed new tokens (published on Client.Renewals for the keyring) and
// still delivers after the login token expired; a reconnect then uses the
// renewed token.
func TestLoggedInPastTheTokenTTL(t *testing.T) {
	ref := newReference(t, server.Config{TokenTTL: 2 * time.Second})
	s := ref.login(t)
	p, _ := New(ref.url)
	c := runClient(t, conn.Config{Protocol: p, Token: s.Token, StartFrom: s.Resume})
	var last conn.Renewal
	for range 2 {
		select {
		case last = <-c.Renewals():
		case <-time.After(waitLong):
			t.Fatal("no token renewal over the link")
		}
	}
	if last.Token == "" || last.Token == s.Token || last.ExpiresAt.IsZero() {
		t.Fatalf("renewal %+v", last)
	}
	// expires_at has whole seconds: a second more and the login token is gone.
	for time.Now().Before(s.ExpiresAt.Add(time.Second)) {
		select {
		case <-c.Renewals():
		case <-time.After(100 * time.Millisecond):
		}
	}
	ref.Publish("alice", server.TaskInput{Title: "after the login token expired"})
	expectTitles(t, c, "after the login token expired")
	ref.DropConnections()
	ref.Publish("alice", server.TaskInput{Title: "after a reconnect"})
	expectTitles(t, c, "after a reconnect")
}
