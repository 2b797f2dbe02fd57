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
)
