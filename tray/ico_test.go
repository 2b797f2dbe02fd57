package tray

import (
	"bytes"
	"encoding/binary"
	"testing"

	"tasktray/assets"
)

func TestPNGToICO(t *testing.T) {
	p := assets.Icon(assets.Connected, false)
	ico, err := pngToICO(p)
	if err != nil {
		t.Fatal(err)
	}
	var head struct {
		Reserved, Type, Count uint16
		W, H, Colors, Res     uint8
		Planes, BPP           uint16
		Size, Offset          uint32
	}
	if err := binary.Read(bytes.NewReader(ico), binary.LittleEndian, &head); err != nil {
		t.Fatal(err)
	}
	if head.Type != 1 || head.Count != 1 || head.W != 32 || head.H != 32 || head.BPP != 32 || int(head.Size) != len(p) || head.Offset != 22 {
		t.Fatalf("ICO header %+v", head)
	}
	if !bytes.Equal(ico[22:], p) {
		t.Fatal("ICO does not carry the PNG unchanged")
	}
	if _, err := pngToICO([]byte("not a png")); err == nil {
		t.Fatal("accepted a non-PNG")
	}
}
