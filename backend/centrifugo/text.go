package centrifugo

// Text a user may see (through conn.Gap, in the tray), kept in one place so
// that it can be translated.
const (
	// textEpochChanged: the server restarted and started a new history
	// (an in-memory engine), so what it held after our position is gone.
	textEpochChanged = "the server restarted and lost its history"
	// textHistoryLost: the gap was longer than the channel's history
	// (history_size or history_ttl).
	textHistoryLost = "the server's history no longer holds them"
	// textHistoryRefused: the channel's history may not be read
	// (allow_history_for_subscriber is off).
	textHistoryRefused = "the server does not let tasktray read the channel's history"
)
