package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Limits on a task, so that one publish cannot fill a user's history or a
// notification bubble with megabytes.
const (
	maxTitle       = 256
	maxBody        = 8 << 10
	maxURL         = 2 << 10
	maxPublishBody = 64 << 10
)

// Priority bounds, as in conn.Task.
const (
	priorityMin     = 1
	priorityDefault = 3
	priorityMax     = 5
)

// Errors of Publish.
var (
	// ErrUnknownUser means no account has the name Publish was given.
	ErrUnknownUser = errors.New("unknown user")
	// ErrInvalidTask means a TaskInput breaks a rule; the wrapping error
	// says which.
	ErrInvalidTask = errors.New("invalid task")
)

// TaskInput is what a publisher says about a task; the server adds the id
// and the time.
type TaskInput struct {
	Title string // required, at most 256 bytes once trimmed
	Body  string // at most 8 KiB
	URL   string // empty, or an absolute http or https URL
	// Priority runs from 1 (min) to 5 (urgent); 0 means the default, 3.
	Priority int
}

// normalize trims the title, fills in the default priority and checks the
// rules of TaskInput.
func (in TaskInput) normalize() (TaskInput, error) {
	in.Title = strings.TrimSpace(in.Title)
	if in.Title == "" {
		return in, fmt.Errorf("%w: title is required", ErrInvalidTask)
	}
	if len(in.Title) > maxTitle {
		return in, fmt.Errorf("%w: title is longer than %d bytes", ErrInvalidTask, maxTitle)
	}
	if len(in.Body) > maxBody {
		return in, fmt.Errorf("%w: body is longer than %d bytes", ErrInvalidTask, maxBody)
	}
	if in.Priority == 0 {
		in.Priority = priorityDefault
	}
	if in.Priority < priorityMin || in.Priority > priorityMax {
		return in, fmt.Errorf("%w: priority must be %d..%d", ErrInvalidTask, priorityMin, priorityMax)
	}
	if in.URL != "" {
		// The client opens this URL on a click; anything but a web link
		// (file:, javascript:, a custom scheme) could run something.
		u, err := url.Parse(in.URL)
		if len(in.URL) > maxURL || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return in, fmt.Errorf("%w: url must be empty or an absolute http or https URL of at most %d bytes", ErrInvalidTask, maxURL)
		}
	}
	return in, nil
}

// taskFrame is the JSON text frame that carries a task to a client.
type taskFrame struct {
	Type     string    `json:"type"` // always "task"
	ID       int64     `json:"id"`
	Title    string    `json:"title"`
	Body     string    `json:"body"`
	URL      string    `json:"url"`
	Priority int       `json:"priority"`
	Time     time.Time `json:"time"`
}

// message is one text frame for a client, encoded once and shared by every
// socket and the history. id is 0 for a heartbeat echo.
type message struct {
	id   int64
	time time.Time // when the task was published; zero for a heartbeat echo
	data []byte
}

// Publish stores a task for user, or for every user when user is "*", and
// pushes it to their open WebSockets. It returns the id the task got for
// each user. Errors wrap ErrInvalidTask or ErrUnknownUser.
func (s *Server) Publish(user string, in TaskInput) (map[string]int64, error) {
	in, err := in.normalize()
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC().Truncate(time.Second)

	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make(map[string]int64)
	if user == broadcast {
		for name, a := range s.users {
			ids[name] = a.publish(in, now)
		}
		return ids, nil
	}
	a, ok := s.users[user]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownUser, user)
	}
	ids[user] = a.publish(in, now)
	return ids, nil
}

// publish numbers a task, keeps it and queues it on every socket of the
// account. s.mu must be held: numbering, keeping and queueing under one
// lock is what lets a resuming socket see each task exactly once (see
// Server.subscribe).
func (a *account) publish(in TaskInput, now time.Time) int64 {
	a.lastID++
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	// Frames are not embedded in HTML: send "<" and "&" as they are, not
	// as \u003c and \u0026.
	enc.SetEscapeHTML(false)
	err := enc.Encode(taskFrame{
		Type: "task", ID: a.lastID, Title: in.Title, Body: in.Body, URL: in.URL,
		Priority: in.Priority, Time: now,
	})
	if err != nil {
		panic(err) // strings, ints and a UTC time always encode
	}
	m := message{id: a.lastID, time: now, data: bytes.TrimSuffix(b.Bytes(), []byte("\n"))}
	a.history.add(m)
	for c := range a.conns {
		c.deliver(m)
	}
	return m.id
}

// history is a ring of a user's most recent tasks. Their ids are
// consecutive, since every task of the user is added in id order.
type history struct {
	size  int       // capacity, Config.HistorySize
	ring  []message // grows to size, then wraps
	start int       // index of the oldest message
}

func (h *history) add(m message) {
	if len(h.ring) < h.size {
		h.ring = append(h.ring, m)
		return
	}
	h.ring[h.start] = m
	h.start = (h.start + 1) % len(h.ring)
}

// oldest returns the oldest kept message, ok false when none is kept.
func (h *history) oldest() (m message, ok bool) {
	if len(h.ring) == 0 {
		return message{}, false
	}
	return h.ring[h.start], true
}

// after returns the kept messages with an id above since, oldest first.
// The caller gets its own slice and may use it without the lock.
func (h *history) after(since int64) []message {
	n := len(h.ring)
	if n == 0 {
		return nil
	}
	oldest := h.ring[h.start].id
	skip := int(min(max(since-oldest+1, 0), int64(n)))
	out := make([]message, 0, n-skip)
	for i := skip; i < n; i++ {
		out = append(out, h.ring[(h.start+i)%n])
	}
	return out
}

// publishRequest is the body of POST /api/tasks.
type publishRequest struct {
	User  string `json:"user"`
	Title string `json:"title"`
	Body  string `json:"body"`
	URL   string `json:"url"`
	// Priority is a pointer to tell a missing priority (the default) from
	// an explicit 0 (an error).
	Priority *int `json:"priority"`
}

// errBadJSON marks a body that is not the JSON object an endpoint expects.
var errBadJSON = errors.New("invalid JSON")

// decodePublish turns the bytes of a publish request into the user and a
// normalized TaskInput. Errors wrap errBadJSON or ErrInvalidTask.
func decodePublish(data []byte) (string, TaskInput, error) {
	var req publishRequest
	if err := json.Unmarshal(data, &req); err != nil {
		return "", TaskInput{}, fmt.Errorf("%w: %v", errBadJSON, err)
	}
	if req.User == "" {
		return "", TaskInput{}, fmt.Errorf("%w: user is required", ErrInvalidTask)
	}
	in := TaskInput{Title: req.Title, Body: req.Body, URL: req.URL}
	if req.Priority != nil {
		if *req.Priority == 0 {
			return "", TaskInput{}, fmt.Errorf("%w: priority must be %d..%d", ErrInvalidTask, priorityMin, priorityMax)
		}
		in.Priority = *req.Priority
	}
	in, err := in.normalize()
	return req.User, in, err
}

func (s *Server) handlePublish(w http.ResponseWriter, r *http.Request) {
	if !s.publisherAllowed(r) {
		writeError(w, http.StatusUnauthorized, "unauthorized", "missing or wrong X-Publisher-Key")
		return
	}
	data, ok := readBody(w, r, maxPublishBody)
	if !ok {
		return
	}
	user, in, err := decodePublish(data)
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", err.Error())
		return
	}
	ids, err := s.Publish(user, in)
	switch {
	case errors.Is(err, ErrUnknownUser):
		writeError(w, http.StatusNotFound, "unknown_user", err.Error())
		return
	case err != nil:
		writeError(w, http.StatusBadRequest, "bad_request", err.Error())
		return
	}
	s.log.Info("published", "user", user, "recipients", len(ids))
	writeJSON(w, http.StatusCreated, struct {
		IDs map[string]int64 `json:"ids"`
	}{ids})
}

// readBody reads a request body of at most limit bytes. On failure it has
// answered 400 or 413 and returns false.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, bool) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		if errors.As(err, new(*http.MaxBytesError)) {
			writeError(w, http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("request body is larger than %d bytes", limit))
		} else {
			writeError(w, http.StatusBadRequest, "bad_request", "cannot read request body")
		}
		return nil, false
	}
	return data, true
}
