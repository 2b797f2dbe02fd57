package conn

// The words of State.Reason and Gap.Reason that a user reads, in one place
// so that they can be translated together.
const (
	msgNotLoggedIn = "not logged in"
	// msgLogInRequired prefixes the server's refusal.
	msgLogInRequired = "log in required: "
	// msgCursorDamaged is the Gap published when the stored resume point
	// could not be read and the link started afresh.
	msgCursorDamaged = "the saved resume point was damaged; tasks published while tasktray was not running may be missing"

	// Why a link went down (State.Reason while Reconnecting).
	msgServerClosed     = "server closed the link: %d %s" // close code, close text
	msgOverLimit        = "server sent a message over the %d-byte limit"
	msgNoAnswer         = "no answer from the server (link presumed dead)"
	msgWriteFailed      = "write failed: %w"
	msgClosedReplying   = "link closed while replying"
	msgBackfillFailed   = "fetching missed tasks: %w"
	msgHandshakeRefused = "handshake refused: HTTP %d"
	msgBadKeepalive     = "server announced %w"
)
