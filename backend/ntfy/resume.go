package ntfy

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A resume point of this package is what conn keeps in its cursor and hands
// back to Handshake and NewSession:
//
//	<since>~<catchup>   the link asks since=<since> and its catch-up poll
//	                    since=<catchup> (both unix times, catchup the older)
//	<since>             both ask since=<since>: a unix time, or a message id
//	                    in a cursor of an older version
//
// Why times, and which:
//   - ntfy's since=<id> means "the cache rows after id's". With several
//     publishers the rows are not in the order the messages reached the
//     link: one that came after <id> can have an earlier row and, if the
//     link broke before it was delivered, is never replayed. And a message
//     that reached the link before it reached the cache is, for a moment, an
//     unknown id, for which ntfy replays its whole cache (12 h). So a
//     delivered message at time t hands on since = t - catchUpMargin: ntfy's
//     times are whole seconds, and whatever came after it was published at
//     most about a second before it. The replay repeats a few seconds of
//     messages, which the session and conn drop.
//   - The catch-up poll finds what a link lost while it subscribed (see
//     session.Refresh). A link that breaks before its poll ran hands on its
//     own <catchup> unchanged: the message it may have lost is older than
//     its last message, and only a poll from there can find it. The next
//     link polls from that point as soon as it opens (what was lost there
//     is cached by then) and then owes its own poll, from its own point:
//     links that each end before their poll (an app restarted again and
//     again, a network dropping every link within a second) hand on a few
//     seconds, not everything since the first of them, which a poll in a
//     later process would show again past conn's memory of 1,024 ids.

// sinceRe accepts what may follow since=: a message id or a unix time.
// Anything else would make ntfy refuse the handshake with 400 on every
// redial.
var sinceRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9]{1,64}$`) })

// pendingSep separates <since> and <catchup>; it is not in sinceRe.
const pendingSep = "~"

// inheritedCatchUpAfter is when, after a link opens, the catch-up poll
// from an older link's point runs (see session.inherited): at once, as
// conn counts time.
const inheritedCatchUpAfter = time.Millisecond

// catchUpMargin is how much earlier than a delivered message the next link
// resumes, in seconds (see above).
const catchUpMargin = 2

// parseResume splits a resume point into the handshake's since= and where
// the catch-up poll starts. Both are "" when resume is not of this
// package's forms.
func parseResume(resume string) (since, catchup string) {
	since, catchup, ok := strings.Cut(resume, pendingSep)
	if !sinceRe().MatchString(since) || (ok && !sinceRe().MatchString(catchup)) {
		return "", ""
	}
	if !ok {
		catchup = since
	}
	return since, catchup
}

// makeResume is the resume point with since and catchup.
func makeResume(since, catchup string) string {
	if catchup == since {
		return since
	}
	return since + pendingSep + catchup
}

// catchUpFrom is the since= that a message at unix time t hands on.
func catchUpFrom(t int64) string {
	return strconv.FormatInt(max(t-catchUpMargin, 0), 10)
}
