package ntfy

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"tasktray/conn"
)

// Words the user may see. Every user-facing string of this package is here,
// for translation.
const (
	// untitled heads a message with neither a title nor a topic.
	untitled = "New message"
)

// Protocol values that shape what is shown.
const (
	// emptyBody is what ntfy puts in the message of a publish without a
	// body; its own apps show such a message with no text.
	emptyBody = "triggered"
	// contentMarkdown marks a message published with "markdown": true.
	contentMarkdown = "text/markdown"
)

// task turns a message event into the task the user sees, as ntfy's own apps
// show it: the title headed by the emoji of its tags (the topic when it has
// no title), the body as plain text (Markdown rendered, ntfy's placeholder
// for "no body" dropped), and the click action, or else the first "view"
// action, as the link.
func task(e event) (conn.Task, error) {
	if !sinceRe().MatchString(e.ID) {
		return conn.Task{}, fmt.Errorf("%w: message id %q is not an ntfy id", ErrMalformed, conn.Truncate(e.ID, maxID))
	}
	icons, tags := splitTags(e.Tags)
	t := conn.Task{
		ID:       e.ID,
		Resume:   e.ID,
		Title:    strings.TrimSpace(e.Title),
		Body:     body(e),
		URL:      link(e),
		Priority: conn.ClampPriority(e.Priority),
		Time:     time.Unix(e.Time, 0),
		Tags:     tags,
	}
	if e.Time <= 0 {
		t.Time = time.Now()
	}
	if t.Title == "" {
		// As ntfy's own apps do: a message without a title is headed by
		// its topic.
		t.Title = e.Topic
	}
	if t.Title == "" {
		t.Title = untitled
	}
	if icons != "" {
		t.Title = icons + " " + t.Title
	}
	t.Title = conn.Truncate(t.Title, conn.MaxTitle)
	return t, nil
}

// body is the message's text as plain text.
func body(e event) string {
	text := strings.TrimSpace(e.Message)
	if text == emptyBody {
		return ""
	}
	if e.ContentType == contentMarkdown {
		return plainText(text)
	}
	return text
}

// splitTags returns the emoji of the tags that are short codes, in order,
// and the other tags.
func splitTags(all []string) (icons string, rest []string) {
	for _, tag := range all {
		if e, ok := emoji[tag]; ok {
			icons += e
		} else {
			rest = append(rest, tag)
		}
	}
	return icons, rest
}

// link is the message's click URL, or else its first "view" action's URL;
// only http and https addresses, the ones a click on a task may open.
func link(e event) string {
	if webURL(e.Click) {
		return e.Click
	}
	for _, a := range e.Actions {
		if a.Action == "view" && webURL(a.URL) {
			return a.URL
		}
	}
	return ""
}

func webURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
