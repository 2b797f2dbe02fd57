package custom

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
)

// windowPrefix starts a resume point that is a window of recent messages
// rather than a task id.
const windowPrefix = "w:"

// hashLen is the hex length of a content hash: 48 bits, so that two of
// the last MaxWindow messages collide about once in a billion windows.
const hashLen = 12

// contentHash identifies a frame without an id by its bytes.
func contentHash(msg []byte) string {
	sum := sha256.Sum256(msg)
	return hex.EncodeToString(sum[:])[:hashLen]
}

// window recognises a backend's re-sends without ids. It holds the content
// hashes of the last delivered messages in order, and travels in the
// cursor (Task.Resume) so that it survives a restart, and moves only when
// a task was delivered.
//
// A backend re-sends its last messages right after a (re)connect, in order,
// before anything new. So, on a new connection, frames that continue a run
// of the window in order are re-sends; the first frame that does not, or
// the one that reaches the window's end, ends the replay, and from then on
// every frame is new: the same text sent twice later pops twice, as it
// should. With the profile's replay count the run may start only among
// the last that many. What this cannot tell apart (docs/custom.md): new
// messages that, first after a reconnect, repeat in order a run of the
// window's messages ending with the newest (without replay: any run of
// it; with replay: one that starts within the last replay of them), and
// re-sends older than the window.
type window struct {
	max    int
	replay int // how many messages the backend re-sends; 0: not said
	hashes []string
	cands  []int // positions in hashes the replay may stand at
	over   bool  // the replay is over: every frame is new
}

func parseWindow(resume string, size, replay int) *window {
	w := &window{max: size, replay: replay}
	rest, ok := strings.CutPrefix(resume, windowPrefix)
	if !ok || rest == "" {
		return w
	}
	for h := range strings.SplitSeq(rest, ",") {
		if len(h) != hashLen || strings.Trim(h, "0123456789abcdef") != "" {
			return &window{max: size, replay: replay} // not ours: start afresh
		}
		w.hashes = append(w.hashes, h)
	}
	if n := len(w.hashes) - size; n > 0 {
		w.hashes = w.hashes[n:]
	}
	return w
}

// replayed reports whether the frame with hash h is a re-send.
func (w *window) replayed(h string) bool {
	if w.over {
		return false
	}
	var next []int
	if w.cands == nil {
		// A re-send of the last replay messages starts at most that far
		// back (later when some were published while the link was down).
		from := 0
		if w.replay > 0 {
			from = max(0, len(w.hashes)-w.replay)
		}
		for i, x := range w.hashes {
			if i >= from && x == h {
				next = append(next, i)
			}
		}
	} else {
		for _, p := range w.cands {
			if p+1 < len(w.hashes) && w.hashes[p+1] == h {
				next = append(next, p+1)
			}
		}
	}
	if len(next) == 0 {
		w.over = true
		return false
	}
	// A run that reached the newest message has replayed everything.
	w.cands = slices.DeleteFunc(next, func(p int) bool { return p == len(w.hashes)-1 })
	if len(w.cands) == 0 {
		w.over = true
	}
	return true
}

// add records a delivered message and returns the window as a resume
// point. Only new messages are added, once the replay is over.
func (w *window) add(h string) string {
	w.over = true
	w.hashes = append(w.hashes, h)
	if n := len(w.hashes) - w.max; n > 0 {
		w.hashes = slices.Delete(w.hashes, 0, n)
	}
	return windowPrefix + strings.Join(w.hashes, ",")
}
