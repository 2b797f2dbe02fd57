package ipc

import (
	"testing"
	"time"
)

var settingsValues = SettingsValues{MinPriority: 3, QuietHours: true, QuietFrom: "22:00", QuietUntil: "07:00",
	UrgentBreaksThrough: true, Coalesce: true, CoalesceAfter: 4, Sound: true, Language: "zh-CN"}

// settingsExamples holds every settings message with its exact line.
var settingsExamples = []example{
	{GetSettings{}, `{"type":"get_settings"}`},
	{SettingsState{SettingsValues: settingsValues, DoNotDisturbUntil: time.Date(2026, 3, 1, 13, 0, 0, 0, time.UTC), Problem: "damaged"},
		`{"type":"settings","min_priority":3,"quiet_hours":true,"quiet_from":"22:00","quiet_until":"07:00","urgent_breaks_through":true,"coalesce":true,"coalesce_after":4,"sound":true,"start_at_login":false,"language":"zh-CN","do_not_disturb_until":"2026-03-01T13:00:00Z","problem":"damaged"}`},
	{SettingsState{SettingsValues: SettingsValues{MinPriority: 1, QuietFrom: "22:00", QuietUntil: "07:00", CoalesceAfter: 4, StartAtLogin: true}},
		`{"type":"settings","min_priority":1,"quiet_hours":false,"quiet_from":"22:00","quiet_until":"07:00","urgent_breaks_through":false,"coalesce":false,"coalesce_after":4,"sound":false,"start_at_login":true,"language":""}`},
	{SaveSettings{SettingsValues: settingsValues},
		`{"type":"save_settings","min_priority":3,"quiet_hours":true,"quiet_from":"22:00","quiet_until":"07:00","urgent_breaks_through":true,"coalesce":true,"coalesce_after":4,"sound":true,"start_at_login":false,"language":"zh-CN"}`},
	{SettingsResult{OK: true}, `{"type":"settings_result","ok":true}`},
	{SettingsResult{Error: "quiet_from: \"25:00\" is not a time of day"}, `{"type":"settings_result","ok":false,"error":"quiet_from: \"25:00\" is not a time of day"}`},
	{Language{Language: "en"}, `{"type":"language","language":"en"}`},
}

func TestSettingsEncodeDecode(t *testing.T) {
	checkExamples(t, settingsExamples)
	if _, err := Decode([]byte(`{"type":"save_settings","min_priority":"3"}`)); err == nil {
		t.Error("a string priority decoded")
	}
}

// FuzzReceiveSettings is FuzzReceive seeded with the settings messages:
// Receive never fails before EOF, the quit line after the input comes
// through, and whatever decodes round-trips.
func FuzzReceiveSettings(f *testing.F) {
	for _, ex := range settingsExamples {
		f.Add([]byte(ex.line + "\n"))
	}
	f.Add([]byte(`{"type":"settings","do_not_disturb_until":"not a time"}` + "\n" + `{"type":"save_settings","coalesce_after":1e99}`))
	f.Add([]byte(`{"type":"language","language":null}`))
	f.Fuzz(func(t *testing.T, data []byte) { checkReceive(t, data, 512) })
}
