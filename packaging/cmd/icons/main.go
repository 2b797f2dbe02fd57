// Command icons writes tasktray's application icon at the hicolor theme's
// sizes, for the Linux packages:
//
//	go run ./cmd/icons -src ../assets/icon.png -out DIR
//
// writes DIR/NxN/apps/io.github.tasktray.png for every size in sizes. The
// source is the 256 px icon that assets/gen draws; smaller sizes are
// Catmull-Rom downscales of it (a box filter of the same anti-aliased
// drawing, so edges stay as clean as in the tray icons). The output is
// generated at build time and never committed, so it cannot drift from
// assets/icon.png.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/png"
	"log"
	"os"
	"path/filepath"

	"golang.org/x/image/draw"
)

// sizes are the hicolor sizes desktops look up for an application icon.
var sizes = []int{16, 22, 24, 32, 48, 64, 128, 256}

func main() {
	src := flag.String("src", "../assets/icon.png", "the application icon, a square PNG at least 256 px")
	out := flag.String("out", "", "the hicolor folder to write into (required)")
	name := flag.String("name", "io.github.tasktray", "icon name: the app ID, as the .desktop file's Icon= says")
	flag.Parse()
	if *out == "" {
		log.Fatal("icons: -out is required")
	}
	img, err := load(*src)
	if err != nil {
		log.Fatal(err)
	}
	for _, n := range sizes {
		path := filepath.Join(*out, fmt.Sprintf("%dx%d", n, n), "apps", *name+".png")
		if err := write(path, scale(img, n)); err != nil {
			log.Fatal(err)
		}
	}
}

func load(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("icons: %s: %w", path, err)
	}
	b := img.Bounds()
	if b.Dx() != b.Dy() || b.Dx() < sizes[len(sizes)-1] {
		return nil, fmt.Errorf("icons: %s is %dx%d; want a square of at least %d px", path, b.Dx(), b.Dy(), sizes[len(sizes)-1])
	}
	return img, nil
}

// scale returns img at n x n; at its own size it is copied as is.
func scale(img image.Image, n int) image.Image {
	dst := image.NewNRGBA(image.Rect(0, 0, n, n))
	if img.Bounds().Dx() == n {
		draw.Copy(dst, image.Point{}, img, img.Bounds(), draw.Src, nil)
		return dst
	}
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, img.Bounds(), draw.Src, nil)
	return dst
}

func write(path string, img image.Image) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, img); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}
