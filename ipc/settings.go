package ipc

import "time"

// The settings window's messages: it asks for the settings when it opens
// (GetSettings), the agent answers with SettingsState (and sends it again
// when they change, e.g. "Do not disturb" from the menu), the window sends
// SaveSettings, and the agent answers with SettingsResult once they are
// applied and on disk. Language tells every open window the language the
// user picked.
//
//	{"type":"get_settings"}
//	{"type":"settings","min_priority":1,...,"problem":"The settings file ... is damaged"}
//	{"type":"save_settings","min_priority":3,...}
//	{"type":"settings_result","ok":true}
const (
	TypeGetSettings    = "get_settings"
	TypeSettingsState  = "settings"
	TypeSaveSettings   = "save_settings"
	TypeSettingsResult = "settings_result"
	TypeLanguage       = "language"
)

// SettingsValues are what the settings window edits; package settings says
// what each means.
type SettingsValues struct {
	// MinPriority is the lowest priority (1..5) that pops up.
	MinPriority int `json:"min_priority"`
	// QuietHours turns the daily range QuietFrom..QuietUntil ("22:00",
	// "07:00", local time) on.
	QuietHours          bool   `json:"quiet_hours"`
	QuietFrom           string `json:"quiet_from"`
	QuietUntil          string `json:"quiet_until"`
	UrgentBreaksThrough bool   `json:"urgent_breaks_through"`
	Coalesce            bool   `json:"coalesce"`
	// CoalesceAfter is how many popups show before a burst folds.
	CoalesceAfter int  `json:"coalesce_after"`
	Sound         bool `json:"sound"`
	StartAtLogin  bool `json:"start_at_login"`
	// Language is "" (the system's), "en" or "zh-CN".
	Language string `json:"language"`
}

// GetSettings asks the agent for the settings (window to agent); it
// answers with SettingsState.
type GetSettings struct{}

// SettingsState is the settings in force (agent to window).
type SettingsState struct {
	SettingsValues
	// DoNotDisturbUntil is when "Do not disturb" ends; zero when off.
	DoNotDisturbUntil time.Time `json:"do_not_disturb_until,omitzero"`
	// Problem, when not empty, says the settings file is damaged and the
	// defaults are in use; the window shows it until the user saves.
	Problem string `json:"problem,omitempty"`
}

// SaveSettings asks the agent to apply and keep these settings (window to
// agent).
type SaveSettings struct {
	SettingsValues
}

// SettingsResult answers SaveSettings (agent to window): OK once the
// settings are in force and on disk; the window then closes. Error says in
// plain words what was not accepted or not saved.
type SettingsResult struct {
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
}

// Language tells a window the language the user picked: "" (the system's),
// "en" or "zh-CN" (agent to window).
type Language struct {
	Language string `json:"language"`
}

// Type returns TypeGetSettings.
func (GetSettings) Type() string { return TypeGetSettings }

// Type returns TypeSettingsState.
func (SettingsState) Type() string { return TypeSettingsState }

// Type returns TypeSaveSettings.
func (SaveSettings) Type() string { return TypeSaveSettings }

// Type returns TypeSettingsResult.
func (SettingsResult) Type() string { return TypeSettingsResult }

// Type returns TypeLanguage.
func (Language) Type() string { return TypeLanguage }

func (GetSettings) isMessage()    {}
func (SettingsState) isMessage()  {}
func (SaveSettings) isMessage()   {}
func (SettingsResult) isMessage() {}
func (Language) isMessage()       {}

// decodeSettings decodes the settings messages for Decode; ok is false for
// any other type.
func decodeSettings(typ string, line []byte) (m Message, ok bool, err error) {
	switch typ {
	case TypeGetSettings:
		m, err = decodeAs[GetSettings](line)
	case TypeSettingsState:
		m, err = decodeAs[SettingsState](line)
	case TypeSaveSettings:
		m, err = decodeAs[SaveSettings](line)
	case TypeSettingsResult:
		m, err = decodeAs[SettingsResult](line)
	case TypeLanguage:
		m, err = decodeAs[Language](line)
	default:
		return nil, false, nil
	}
	return m, true, err
}
