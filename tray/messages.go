package tray

// What the agent tells the user, in one place so that a translation has one
// file to cover.
const (
	msgKeyringLockedLoad = "Keyring locked — unlock it to connect"
	msgKeyringDownLoad   = "Keyring not available — waiting for it to connect"
	msgKeyringLockedSave = "Keyring locked — your login is kept until you quit"
	msgKeyringDownSave   = "Keyring not available — your login is kept until you quit"

	msgAuthTitle = "tasktray: log in again"
	msgAuthBody  = "The server no longer accepts your login. Choose “Log in…” in the tray menu."

	msgGapTitle = "tasktray: some tasks could not be fetched"
	// msgGapBefore takes the time (15:04) before which tasks may be missing.
	msgGapBefore = "Some tasks before %s could not be fetched"
	msgGapSome   = "Some tasks could not be fetched"

	// msgPopupsOff takes why, e.g. "no D-Bus session bus".
	msgPopupsOff = "no popups: %s"

	msgNoSessionBus    = "no D-Bus session bus"
	msgNoNotifications = "no notification service"

	// msgBadSystemProfile takes the profile's error, which names the file
	// and the field.
	msgBadSystemProfile = "The company profile cannot be used (tell your administrator): %v"

	// MsgBadProfile takes the -profile file's error; tasktray then exits.
	MsgBadProfile = "tasktray: the profile cannot be used: %v"

	// MsgAlreadyRunning is what a second start of the agent says before it
	// exits.
	MsgAlreadyRunning = "tasktray is already running"
)
