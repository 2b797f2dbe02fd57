package ntfy

import (
	"regexp"
	"strings"
)

// A resume point of this package is what conn keeps in its cursor and hands
// back to Handshake and NewSession:
//
//	<since>             a message id or a unix time: the link asks since=<since>
//	<since>~<catchup>   the same, while the catch-up poll of a link that began
//	                    at <catchup> has not finished: the next link polls
//	                    from <catchup>
//
// The second form is what keeps a quick reconnect from losing a message:
// when a link breaks before its catch-up poll ran, the message it may have
// lost while it subscribed is newer than <catchup> but older than <since>,
// so only a poll from <catchup> can still find it.

// sinceRe accepts what may follow since=: a message id or a unix time.
// Anything else would make ntfy refuse the handshake with 400 on every
// redial.
var sinceRe = regexp.MustCompile(`^[A-Za-z0-9]{1,64}$`)

// pendingSep separates <since> and <catchup>; it is not in sinceRe.
const pendingSep = "~"

// parseResume splits a resume point into the handshake's since= and where
// the catch-up poll starts. Either is "" when resume does not say; a point
// that is not of this package's forms says neither.
func parseResume(resume string) (since, catchup string) {
	since, catchup, pending := strings.Cut(resume, pendingSep)
	if !sinceRe.MatchString(since) || (pending && !sinceRe.MatchString(catchup)) {
		return "", ""
	}
	if !pending {
		catchup = since
	}
	return since, catchup
}

// pendingResume is the resume point at since while the catch-up from
// catchup is still owed.
func pendingResume(since, catchup string) string {
	if catchup == "" || catchup == since {
		return since + pendingSep + since
	}
	return since + pendingSep + catchup
}
