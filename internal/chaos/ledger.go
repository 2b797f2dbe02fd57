package chaos

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// Ledger counts what was published and what the client delivered, by
// title (ids start over on a server restart; titles are unique per run).
type Ledger struct {
	mu        sync.Mutex
	published map[string]bool
	maybe     map[string]bool // publish failed: the server may have taken it
	delivered map[string]int
	strangers int // delivered but never published (garbage that became a task)
	last      time.Time
	// ignore is the title prefix of warm-up tasks, which are not counted.
	ignore string
}

// NewLedger returns an empty ledger.
func NewLedger() *Ledger {
	return &Ledger{published: map[string]bool{}, maybe: map[string]bool{}, delivered: map[string]int{}, last: time.Now()}
}

// Maybe records a task whose publish failed in a way that leaves open
// whether the server kept it (a server killed mid-request): it is not
// lost if it never arrives, and not a stranger if it does.
func (l *Ledger) Maybe(title string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.maybe[title] = true
}

// Published records a task that the server accepted.
func (l *Ledger) Published(title string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.published[title] = true
}

// Delivered records a task the client handed over.
func (l *Ledger) Delivered(title string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ignore != "" && strings.HasPrefix(title, l.ignore) {
		return
	}
	l.last = time.Now()
	// Published is recorded after the server accepted the task, so a
	// fast link may deliver it first: strangers are told apart at Tally.
	l.delivered[title]++
}

// Has reports whether title was delivered.
func (l *Ledger) Has(title string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.delivered[title] > 0
}

// Stalled reports how long nothing was delivered while some published
// task was still missing (0 when nothing is missing).
func (l *Ledger) Stalled() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for t := range l.published {
		if l.delivered[t] == 0 {
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return time.Since(l.last)
}

// Missing counts the published tasks not delivered.
func (l *Ledger) Missing() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for t := range l.published {
		if l.delivered[t] == 0 {
			n++
		}
	}
	return n
}

// Tally is the ledger's verdict.
type Tally struct {
	Published, Delivered, Duplicated, Lost, Extra int
	// Strangers are the titles of a few extra deliveries, cut short.
	Strangers []string
	// Twice are the titles of a few tasks delivered more than once.
	Twice []string
}

// Tally counts published, delivered (once or more), repeats, lost and
// delivered-but-never-published.
func (l *Ledger) Tally() Tally {
	l.mu.Lock()
	defer l.mu.Unlock()
	t := Tally{Published: len(l.published)}
	for title, n := range l.delivered {
		if !l.published[title] && l.maybe[title] {
			t.Published++ // it was published after all
		} else if !l.published[title] {
			t.Extra += n
			if len(t.Strangers) < 3 {
				t.Strangers = append(t.Strangers, fmt.Sprintf("%.40q", title))
			}
			continue
		}
		t.Delivered++
		t.Duplicated += n - 1
		if n > 1 && len(t.Twice) < 3 {
			t.Twice = append(t.Twice, fmt.Sprintf("%q", title))
		}
	}
	t.Lost = t.Published - t.Delivered
	return t
}
