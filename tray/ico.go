package tray

import (
	"bytes"
	"encoding/binary"
	"image/png"
)

// pngToICO wraps a PNG in a one-image ICO container, which Windows has read
// since Vista; fyne.io/systray's SetIcon wants ICO bytes on Windows.
func pngToICO(p []byte) ([]byte, error) {
	cfg, err := png.DecodeConfig(bytes.NewReader(p))
	if err != nil {
		return nil, err
	}
	dim := func(n int) byte { // 0 means 256 in an ICO directory entry
		if n >= 256 {
			return 0
		}
		return byte(n)
	}
	var b bytes.Buffer
	b.Grow(22 + len(p))
	binary.Write(&b, binary.LittleEndian, [3]uint16{0, 1, 1}) // reserved, type icon, one image
	b.Write([]byte{dim(cfg.Width), dim(cfg.Height), 0, 0})    // size, no palette, reserved
	binary.Write(&b, binary.LittleEndian, [2]uint16{1, 32})   // planes, bits per pixel
	binary.Write(&b, binary.LittleEndian, [2]uint32{uint32(len(p)), 22})
	b.Write(p)
	return b.Bytes(), nil
}
