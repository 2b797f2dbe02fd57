package assets

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

func decode(t *testing.T, name string, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return img
}

type variant struct {
	state  IconState
	unread bool
}

func (v variant) String() string {
	if v.unread {
		return v.state.String() + "-unread"
	}
	return v.state.String()
}

func variants() []variant {
	var vs []variant
	for _, s := range States {
		vs = append(vs, variant{s, false}, variant{s, true})
	}
	return vs
}

func TestIcons(t *testing.T) {
	for _, v := range variants() {
		img := decode(t, v.String(), Icon(v.state, v.unread))
		if got := img.Bounds().Size(); got != image.Pt(32, 32) {
			t.Errorf("%s is %v, want 32x32", v, got)
		}
	}
	if got := decode(t, "AppIcon", AppIcon).Bounds().Size(); got != image.Pt(256, 256) {
		t.Errorf("AppIcon is %v, want 256x256", got)
	}
}

func TestUnknownStateIsOffline(t *testing.T) {
	for _, s := range []IconState{-1, Paused + 1} {
		if !bytes.Equal(Icon(s, true), Icon(Offline, true)) {
			t.Errorf("Icon(%v) is not the Offline icon", s)
		}
	}
}

// TestIconsDiffer compares pixels, not bytes, so that two files that encode
// the same picture differently would still count as the same icon.
func TestIconsDiffer(t *testing.T) {
	vs := variants()
	imgs := make([]image.Image, len(vs))
	for i, v := range vs {
		imgs[i] = decode(t, v.String(), Icon(v.state, v.unread))
	}
	for i := range vs {
		for j := i + 1; j < len(vs); j++ {
			if samePixels(imgs[i], imgs[j]) {
				t.Errorf("%s and %s look the same", vs[i], vs[j])
			}
		}
	}
}

// TestShapesDifferAt16px checks what a person without colour vision sees on
// a small panel: the silhouettes (alpha only) at 16 px differ clearly
// between states, and the badge changes each silhouette.
func TestShapesDifferAt16px(t *testing.T) {
	const minDiff = 0.12 // mean alpha difference per pixel, 0..1; the closest pair today is 0.19
	vs := variants()
	masks := make([][]float64, len(vs))
	for i, v := range vs {
		masks[i] = alpha16(decode(t, v.String(), Icon(v.state, v.unread)))
	}
	for i := range vs {
		for j := i + 1; j < len(vs); j++ {
			if vs[i].state != vs[j].state && vs[i].unread != vs[j].unread {
				continue // a badge on one side only is no test of shape
			}
			min := minDiff
			if vs[i].state == vs[j].state {
				min = 0.04 // the badge is a small dot; 0.07 today
			}
			if d := meanDiff(masks[i], masks[j]); d < min {
				t.Errorf("%s and %s: silhouettes differ by %.3f, want >= %.3f", vs[i], vs[j], d, min)
			}
		}
	}
}

// TestGeneratedFilesAreFresh runs the generator and compares its output with
// the committed files, so that a change to ./gen cannot ship without them.
func TestGeneratedFilesAreFresh(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not in PATH:", err)
	}
	dir := t.TempDir()
	out, err := exec.Command(gobin, "run", "./gen", "-dir", dir, "-sheet", "").CombinedOutput()
	if err != nil {
		t.Fatalf("go run ./gen: %v\n%s", err, out)
	}
	check := func(name string, committed []byte) {
		fresh, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(fresh, committed) {
			t.Errorf("%s is stale: run go generate ./assets", name)
		}
	}
	check("icon.png", AppIcon)
	for _, v := range variants() {
		check(filepath.Join("icons", v.String()+".png"), Icon(v.state, v.unread))
	}
}

func samePixels(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			r1, g1, b1, a1 := a.At(x, y).RGBA()
			r2, g2, b2, a2 := b.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 || a1 != a2 {
				return false
			}
		}
	}
	return true
}

// alpha16 box-filters a 32x32 icon's alpha to 16x16, as a panel would.
func alpha16(img image.Image) []float64 {
	out := make([]float64, 16*16)
	for y := 0; y < 32; y++ {
		for x := 0; x < 32; x++ {
			_, _, _, a := img.At(x, y).RGBA()
			out[y/2*16+x/2] += float64(a) / 0xffff / 4
		}
	}
	return out
}

func meanDiff(a, b []float64) float64 {
	var sum float64
	for i := range a {
		d := a[i] - b[i]
		if d < 0 {
			d = -d
		}
		sum += d
	}
	return sum / float64(len(a))
}
