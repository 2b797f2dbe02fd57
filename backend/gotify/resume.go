package gotify

import "slices"

// settleAfter is how many later ids must arrive before a missing id is
// taken to be another user's message (Gotify numbers all users' messages in
// one sequence) or a deleted one, and the resume point passes it. A message
// reordered by two publishers arrives milliseconds late, never hundreds of
// messages late; and a redial that fetches up to settleAfter messages again
// costs two pages, which conn drops as duplicates (its window of seen ids,
// conn.SeenWindow, is larger).
const settleAfter = 256

// resumePoint tracks where a new link can safely resume: the highest id
// such that every lower id of this user was delivered, or was settled as
// not this user's. Gotify gives no sequence per user, and two publishers can
// reach the stream out of order (each request stores, then pushes), so the
// highest id seen is not safe: resuming from 11 when 10 is still on its way
// loses 10. The zero value resumes from the start.
type resumePoint struct {
	done  int64   // every id <= done was delivered or settled
	above []int64 // ids > done that arrived, ascending, at most settleAfter
}

// reset starts from id: everything up to it is accounted for.
func (r *resumePoint) reset(id int64) {
	r.done, r.above = id, nil
}

// arrived records one id from the stream and returns the resume point.
func (r *resumePoint) arrived(id int64) int64 {
	if id <= r.done {
		return r.done // a late one, delivered now; the point already passed it
	}
	i, found := slices.BinarySearch(r.above, id)
	if !found {
		r.above = slices.Insert(r.above, i, id)
	}
	r.advance()
	return r.done
}

// complete records that every id up to id is accounted for: a GET /message
// listing is complete for the ids it covers, so the ids it skips belong to
// other users or were deleted.
func (r *resumePoint) complete(id int64) int64 {
	if id > r.done {
		r.done = id
		i, _ := slices.BinarySearch(r.above, id+1)
		r.above = r.above[i:]
		r.advance()
	}
	return r.done
}

// advance moves done over the ids that arrived in sequence, and past a
// missing id once settleAfter later ones arrived.
func (r *resumePoint) advance() {
	for len(r.above) > 0 && (r.above[0] == r.done+1 || len(r.above) > settleAfter) {
		r.done = r.above[0]
		r.above = r.above[1:]
	}
	if len(r.above) == 0 {
		r.above = nil // let the backing array go
	}
}
