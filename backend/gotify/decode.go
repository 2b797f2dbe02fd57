package gotify

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"tasktray/conn"
)

// ErrMalformed marks a frame or an API answer that could not be understood.
// The Client reconnects and backfills; nothing is lost.
var ErrMalformed = errors.New("malformed Gotify message")

// message is a Gotify message as the stream and GET /message carry it:
// {"id","appid","message","title","priority","extras","date"}.
type message struct {
	ID       int64           `json:"id"`
	AppID    int64           `json:"appid"`
	Message  string          `json:"message"`
	Title    string          `json:"title"`
	Priority int             `json:"priority"`
	Extras   json.RawMessage `json:"extras"`
	Date     string          `json:"date"`
}

// Decode turns one stream frame, a single message, into a task.
func (s *session) Decode(msg []byte) (conn.Decoded, error) {
	var m message
	if err := json.Unmarshal(bytes.TrimSpace(msg), &m); err != nil {
		return conn.Decoded{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	t, err := s.task(m)
	if err != nil {
		return conn.Decoded{}, err
	}
	return conn.Decoded{Tasks: []conn.Task{t}}, nil
}

// task converts m; its Resume is the session's resume point once m
// arrived, which a lower id still to come holds back.
func (s *session) task(m message) (conn.Task, error) {
	if m.ID <= 0 {
		return conn.Task{}, fmt.Errorf("%w: message id %d is not positive", ErrMalformed, m.ID)
	}
	t := conn.Task{
		ID:       strconv.FormatInt(m.ID, 10),
		Resume:   strconv.FormatInt(s.resume.arrived(m.ID), 10),
		Title:    strings.TrimSpace(m.Title),
		Body:     strings.TrimSpace(m.Message),
		URL:      clickURL(m.Extras),
		Priority: Priority(m.Priority),
		Time:     parseTime(m.Date),
	}
	if t.Title == "" {
		t.Title, t.Body = splitTitle(t.Body)
	}
	return t, nil
}

// Priority maps a Gotify priority (0..10, as the Gotify apps read it) to
// tasktray's 1..5: 0 is "no notification" in Gotify's apps, so the lowest
// (1); 1-3 low (2); 4-7 normal (3); 8 and above urgent (5). tasktray's 4
// has no Gotify band.
func Priority(p int) int {
	switch {
	case p <= 0:
		return conn.PriorityMin
	case p <= 3:
		return 2
	case p <= 7:
		return conn.PriorityDefault
	}
	return conn.PriorityMax
}

// clickURL reads extras["client::notification"]["click"]["url"]. Extras
// are free-form, so anything of another shape means no URL, not a bad frame.
func clickURL(extras json.RawMessage) string {
	var e struct {
		Notification struct {
			Click struct {
				URL string `json:"url"`
			} `json:"click"`
		} `json:"client::notification"`
	}
	if len(extras) == 0 || json.Unmarshal(extras, &e) != nil {
		return ""
	}
	return e.Notification.Click.URL
}

// splitTitle makes the first line of a message without a title the title.
func splitTitle(text string) (title, body string) {
	title, body, _ = strings.Cut(text, "\n")
	title = strings.TrimSpace(title)
	title = conn.Truncate(title, conn.MaxTitle)
	if title == "" {
		title = "New message"
	}
	return title, strings.TrimSpace(body)
}

func parseTime(s string) time.Time {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t
	}
	return time.Now()
}
