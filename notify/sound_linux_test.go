package notify

import "testing"

// TestSoundHintOnlyWhereSupported: a daemon that lists "sound" gets the
// sound-name hint for a popup with Sound, and suppress-sound for one
// without; a daemon that does not list it gets neither.
func TestSoundHintOnlyWhereSupported(t *testing.T) {
	rec, n, _ := session(t)
	rec.SetCapabilities("body", "actions", "sound")
	mustShow(t, n, Popup{ID: "a", Title: "with sound", Sound: true})
	mustShow(t, n, Popup{ID: "b", Title: "silent"})
	calls, err := rec.WaitFor(2, busWait)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := calls[0].Hints["sound-name"]; !ok || v.Value() != "message-new-instant" {
		t.Errorf("sound on: hints %v, want sound-name message-new-instant", calls[0].Hints)
	}
	if _, ok := calls[0].Hints["suppress-sound"]; ok {
		t.Errorf("sound on: suppress-sound sent")
	}
	if v, ok := calls[1].Hints["suppress-sound"]; !ok || v.Value() != true {
		t.Errorf("sound off: hints %v, want suppress-sound true", calls[1].Hints)
	}

	rec2, n2, _ := session(t)
	rec2.SetCapabilities("body", "actions")
	mustShow(t, n2, Popup{ID: "c", Title: "no sound capability", Sound: true})
	calls, err = rec2.WaitFor(1, busWait)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"sound-name", "suppress-sound"} {
		if _, ok := calls[0].Hints[h]; ok {
			t.Errorf("%s sent to a daemon without the sound capability", h)
		}
	}
}
