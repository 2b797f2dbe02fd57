package settings

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// Windows Notepad (before 1903) and many editors save UTF-8 with a BOM. The
// file is meant to be edited "here while tasktray is not running": a BOM
// alone must not make it damaged and drop every setting.
func TestReviewBOMFileIsNotDamaged(t *testing.T) {
	s, err := Decode([]byte("\ufeffpopups_from_priority = 3\n"), Defaults())
	if err != nil {
		t.Fatalf("a file with a UTF-8 BOM: %v", err)
	}
	if s.MinPriority != 3 {
		t.Errorf("MinPriority = %d, want 3", s.MinPriority)
	}
}

// Wrong types, out-of-range numbers and a bad time of day are damaged, and
// a Save over such a file keeps it byte for byte.
func TestReviewSaveKeepsEachDamagedFile(t *testing.T) {
	for _, bad := range []string{
		"popups_from_priority = \"3\"\n",
		"popups_from_priority = 6\n",
		"popups_from_priority = 0\n",
		"coalesce_after = 51\n",
		"quiet_from = \"24:00\"\n",
		"language = \"fr\"\n",
		"sound = \"yes\"\n",
		"popups_from_priority = 3\npopups_from_priority = 4\n",
	} {
		dir := t.TempDir()
		path := filepath.Join(dir, FileName)
		if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(path, Defaults()); !errors.Is(err, ErrDamaged) {
			t.Errorf("%q: Load err = %v, want ErrDamaged", bad, err)
			continue
		}
		kept, err := Save(path, Defaults())
		if err != nil || kept == "" {
			t.Errorf("%q: Save kept %q, err %v", bad, kept, err)
			continue
		}
		if got, _ := os.ReadFile(kept); string(got) != bad {
			t.Errorf("%q: kept file holds %q", bad, got)
		}
	}
}
