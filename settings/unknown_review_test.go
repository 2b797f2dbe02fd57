package settings

import (
	"reflect"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// "Keys this version does not know are kept: they come back unchanged on
// Save, so a newer tasktray's settings survive a run of an older one."
// Every TOML kind a newer version might write, including local dates and
// times, inline and nested tables, arrays of tables and dotted keys.
func TestReviewUnknownKeysComeBackUnchanged(t *testing.T) {
	const file = `popups_from_priority = 2
future_local_date = 2026-01-02
future_local_time = 07:30:00
future_local_datetime = 2026-01-02T07:30:00
future_offset_datetime = 2026-01-02T07:30:00+08:00
future_float = 1.5
future_int = 9007199254740993
future_mixed = [1, "two", 3.0]
future_inline = { a = 1, b = "b" }
future.dotted = "d"

[future_table]
name = "值"
[future_table.deeper]
x = true

[[future_list]]
id = 1
[[future_list]]
id = 2
`
	s, err := Decode([]byte(file), Defaults())
	if err != nil {
		t.Fatal(err)
	}
	out, err := Encode(s)
	if err != nil {
		t.Fatal(err)
	}
	var before, after map[string]any
	if _, err := toml.Decode(file, &before); err != nil {
		t.Fatal(err)
	}
	if _, err := toml.Decode(string(out), &after); err != nil {
		t.Fatalf("the file Save writes does not read back: %v\n%s", err, out)
	}
	for k, v := range before {
		if !strings.HasPrefix(k, "future") {
			continue
		}
		if !reflect.DeepEqual(after[k], v) {
			t.Errorf("%s: was %#v, came back as %#v", k, v, after[k])
		}
	}
	if t.Failed() {
		t.Logf("written:\n%s", out)
	}
}
