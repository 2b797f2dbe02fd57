package centrifugo

import (
	"cmp"
	"slices"
	"time"

	"tasktray/conn"
)

// gapFill is the progress of fetching, from the channel's history, what the
// subscribe reply could not recover: page after page of historyLimit
// publications, oldest first, until the history's top.
type gapFill struct {
	epoch string // the epoch being fetched
	next  uint64 // the offset expected next; 1 for an epoch's start
	// lost says, once a publication after the cursor is known to be gone
	// (the epoch changed, the history no longer holds an offset, or it is
	// refused), why; "" while nothing is.
	lost string
	// fromOldest is set once a request without since was sent (the
	// history refused since with error 112); a second refusal ends the fill.
	fromOldest bool
}

// startFill begins a gap fill after a subscribe reply that did not
// recover. In the same epoch it asks for what follows the cursor; in a new
// one for the new epoch's history from its start, and whatever the old
// epoch held after the cursor is lost.
func (s *session) startFill(d *conn.Decoded) error {
	s.filling = true
	s.fill = gapFill{epoch: s.top.epoch, next: 1}
	if s.top.epoch == s.from.epoch {
		s.fill.next = s.from.offset + 1
	} else {
		s.fill.lost = textEpochChanged
	}
	return s.askHistory(d)
}

// askHistory requests the page that starts at s.fill.next.
func (s *session) askHistory(d *conn.Decoded) error {
	req := &historyRequest{Channel: s.channel, Limit: historyLimit}
	if s.fill.next > 1 && !s.fill.fromOldest {
		req.Since = &streamPosition{Offset: s.fill.next - 1, Epoch: s.fill.epoch}
	}
	frames, err := marshal(command{ID: idHistory, History: req})
	d.Reply = append(d.Reply, frames...)
	return err
}

// history takes one page of a gap fill: it delivers the publications from
// s.fill.next on, notes any that the history no longer holds, and asks for
// the next page until the history's top is reached. Then it delivers what
// was pushed meanwhile and, if anything was lost, says so in d.Gap. A
// refused history (the namespace lacks allow_history_for_subscriber)
// cannot be had by redialling: the fill ends there, with a gap.
func (s *session) history(r reply, d *conn.Decoded) error {
	if !s.filling {
		return nil
	}
	if r.Error != nil || r.History == nil {
		if r.Error != nil && r.Error.Code == errUnrecoverablePosition && !s.fill.fromOldest {
			// This engine checks since: take what it still holds.
			s.fill.fromOldest = true
			s.fill.lose(textHistoryLost)
			return s.askHistory(d)
		}
		s.fill.lose(textHistoryRefused)
		s.endFill(s.top, d)
		return nil
	}
	res := r.History
	if res.Epoch != s.fill.epoch {
		// A restart while we fill: the new epoch starts from 1.
		s.fill = gapFill{epoch: res.Epoch, next: 1, lost: textEpochChanged}
		return s.askHistory(d)
	}
	s.fill.fromOldest = false
	pubs := slices.Clone(res.Publications)
	slices.SortFunc(pubs, func(a, b publication) int { return cmp.Compare(a.Offset, b.Offset) })
	for _, p := range pubs {
		if p.Offset < s.fill.next {
			continue
		}
		if p.Offset > s.fill.next {
			s.fill.lose(textHistoryLost) // s.fill.next .. p.Offset-1 are no longer held
		}
		p.Epoch = res.Epoch
		d.Tasks = append(d.Tasks, s.task(p))
		s.fill.next = p.Offset + 1
	}
	if len(pubs) > 0 && s.fill.next <= res.Offset {
		return s.askHistory(d)
	}
	if s.fill.next <= res.Offset {
		s.fill.lose(textHistoryLost) // the top is further on, but nothing is held
	}
	s.endFill(position{epoch: res.Epoch, offset: max(res.Offset, s.fill.next-1)}, d)
	return nil
}

// endFill delivers the pushes held during the fill that it did not
// already deliver, moves the position to at (when no task carries one),
// and reports a gap if anything was lost.
func (s *session) endFill(at position, d *conn.Decoded) {
	s.filling = false
	for _, t := range s.held {
		if p, ok := parsePosition(t.ID); ok && p.epoch == s.fill.epoch && p.offset < s.fill.next {
			continue
		}
		d.Tasks = append(d.Tasks, t)
	}
	s.held = nil
	if at.epoch != "" {
		d.Resume = at.String()
	}
	if s.fill.lost != "" {
		d.Gap = &conn.Gap{Before: time.Now(), Reason: s.fill.lost}
	}
}

// lose records why publications were lost, keeping the first reason.
func (f *gapFill) lose(why string) {
	if f.lost == "" {
		f.lost = why
	}
}
