package conn

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Task is one thing that needs the user, decoded from a server frame.
type Task struct {
	// ID identifies the task on its server; two frames with the same ID are
	// the same task. Never empty.
	ID string `json:"id"`
	// Seq orders tasks when the server numbers them with strictly increasing
	// integers (the native protocol, Gotify). Zero when the server does not.
	Seq int64 `json:"seq,omitempty"`
	// Resume is what to hand the server to continue right after this task
	// (for example "42", or "epoch:offset" for Centrifugo). Empty when the
	// task cannot be resumed from (a seed-style push without an id).
	Resume   string    `json:"resume,omitempty"`
	Title    string    `json:"title"`
	Body     string    `json:"body,omitempty"`
	URL      string    `json:"url,omitempty"`
	Priority int       `json:"priority"` // 1 (min) .. 5 (urgent); 3 is normal
	Time     time.Time `json:"time"`
	Tags     []string  `json:"tags,omitempty"`
}

// Priority bounds shared by every server kind.
const (
	PriorityMin     = 1
	PriorityDefault = 3
	PriorityMax     = 5
)

// ClampPriority maps any integer into PriorityMin..PriorityMax; 0 means
// "not given" and becomes PriorityDefault.
func ClampPriority(p int) int {
	switch {
	case p == 0:
		return PriorityDefault
	case p < PriorityMin:
		return PriorityMin
	case p > PriorityMax:
		return PriorityMax
	}
	return p
}

// MaxTitle bounds, in characters, a title taken from free text.
const MaxTitle = 200

// Truncate cuts s to at most n characters (n >= 1), ending in "…" when it
// cut anything.
func Truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// SplitTitle makes the first line of free text a title of at most MaxTitle
// characters, and the rest the body, both trimmed. An empty first line
// becomes fallback.
func SplitTitle(text, fallback string) (title, body string) {
	title, body, _ = strings.Cut(strings.TrimSpace(text), "\n")
	title = Truncate(strings.TrimSpace(title), MaxTitle)
	if title == "" {
		title = fallback
	}
	return title, strings.TrimSpace(body)
}
