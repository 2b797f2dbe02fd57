package ntfy_test

import (
	"context"
	"testing"

	"tasktray/backend/ntfy"
)

// HistoryNow is where the cache stands: no cached message may come after
// it, or a restart without its cursor files (damaged) shows that message
// again. ntfy's since=latest is each topic's newest by time, then row,
// while since=<id> is "the rows after id's": a message cached after another
// but dated a second earlier (two publishers, or a slow one) would be
// replayed, and so would the newer of two topics' messages of one second
// when the other topic's came last in the answer.
func TestHistoryNowHasNothingAfterIt(t *testing.T) {
	const other = "tasks-team"
	for _, tc := range []struct {
		name    string
		publish func(f *fakeNtfy) (newest string)
	}{
		{"a later row dated earlier", func(f *fakeNtfy) string {
			f.dateAhead(5) // its publisher's request was dated first, cached first
			f.publish(topic, "dated later", "", 0)
			f.dateAhead(0)
			return f.publish(topic, "cached later", "", 0)
		}},
		{"two topics in one second", func(f *fakeNtfy) string {
			f.dateAhead(3600) // one second for both, whatever the clock does
			defer f.dateAhead(0)
			f.publish(other, "first, on the topic listed last", "", 0)
			return f.publish(topic, "second, on the topic listed first", "", 0)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeNtfy(t, keepalive, topic, other)
			s := login(t, f, topic+","+other)
			newest := tc.publish(f)
			p, err := ntfy.New(s.Account)
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.HistoryNow(context.Background(), s.Token)
			if err != nil {
				t.Fatal(err)
			}
			if got != newest {
				t.Errorf("HistoryNow %q, want the last cached message %q: the cache holds %s", got, newest, f)
			}
		})
	}
}
