package gotify

// Text a user may see (through conn.Gap, in the tray), kept in one place so
// that it can be translated.
const (
	// textNoResumePoint: the saved resume point was lost (a damaged cursor
	// file), so what was published before this link cannot be told apart
	// from what was already shown.
	textNoResumePoint = "the saved position was lost, so tasks published before this connection could not be determined"
)
