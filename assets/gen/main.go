// Command gen draws tasktray's icons: the tray icon for each connection state,
// plain and with an unread badge, the application icon, and a contact sheet of
// them all for people to review.
//
// Every shape is a signed distance function in a unit square. A pixel's
// coverage is the share of an 8x8 grid of samples inside the shape, which
// anti-aliases edges the same way at every size; rendering at 16 px equals a
// box-filtered downscale of the 32 px icon.
//
// Run it with `go generate ./assets`; the outputs are committed.
package main

import (
	"bytes"
	"flag"
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
	"path/filepath"
)

const (
	traySize = 32  // pixels of a tray icon; tray hosts scale it to their panel
	appSize  = 256 // pixels of the application icon
	samples  = 8   // samples per pixel along each axis
)

func main() {
	dir := flag.String("dir", ".", "directory to write icon.png and icons/*.png into")
	sheet := flag.String("sheet", "../docs/screenshots/icons.png", "contact sheet to write; empty writes none")
	flag.Parse()

	if err := os.MkdirAll(filepath.Join(*dir, "icons"), 0o755); err != nil {
		log.Fatal(err)
	}
	for _, g := range glyphs {
		for _, unread := range []bool{false, true} {
			name := g.name
			if unread {
				name += "-unread"
			}
			write(filepath.Join(*dir, "icons", name+".png"), render(trayLayers(g, unread), traySize))
		}
	}
	write(filepath.Join(*dir, "icon.png"), render(appLayers(), appSize))
	if *sheet != "" {
		if err := os.MkdirAll(filepath.Dir(*sheet), 0o755); err != nil {
			log.Fatal(err)
		}
		write(*sheet, contactSheet())
	}
}

func write(path string, img image.Image) {
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, img); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}

// A glyph is the drawing of one connection state. Its shape alone must tell
// the state apart from the others at 16 px, for people who cannot rely on
// colour; the colour only adds to it.
type glyph struct {
	name   string // file name, and assets.IconState.String
	layers []layer
}

var (
	green  = rgb(0x1f, 0x9d, 0x55)
	amber  = rgb(0xe0, 0x8e, 0x0b)
	grey   = rgb(0x8a, 0x91, 0x9c)
	orange = rgb(0xe8, 0x59, 0x0c)
	blue   = rgb(0x3d, 0x73, 0xd6)
	red    = rgb(0xe0, 0x31, 0x31)
	white  = rgb(0xff, 0xff, 0xff)
)

// The glyphs, in the order of assets.IconState. Mid-tone colours keep them
// readable on both light and dark panels.
var glyphs = []glyph{
	{"connected", []layer{
		{circle(0.5, 0.5, 0.44), solid(green)},
		{union(capsule(0.29, 0.52, 0.44, 0.67, 0.06), capsule(0.44, 0.67, 0.72, 0.36, 0.06)), solid(white)},
	}},
	{"connecting", []layer{
		// An open ring with an arrowhead: "going round", and never closed
		// like the offline ring.
		{union(
			arc(0.5, 0.5, 0.34, 0.135, deg(60), deg(330)),
			arrowhead(pt(0.5, 0.5, 0.34, deg(330)), deg(60), 0.22, 0.17),
		), solid(amber)},
	}},
	{"offline", []layer{
		{union(ring(0.5, 0.5, 0.37, 0.11), capsule(0.24, 0.24, 0.76, 0.76, 0.055)), solid(grey)},
	}},
	{"login-required", []layer{
		// A key, bow top left with a hole, shaft and two teeth running to
		// the bottom right: it fills the square, unlike a level key.
		{subtract(union(
			circle(0.33, 0.33, 0.23),
			capsule(0.33, 0.33, 0.86, 0.86, 0.075),
			capsule(0.66, 0.66, 0.77, 0.55, 0.07),
			capsule(0.80, 0.80, 0.89, 0.71, 0.07),
		), circle(0.29, 0.29, 0.08)), solid(orange)},
	}},
	{"paused", []layer{
		{union(roundRect(0.34, 0.5, 0.095, 0.31, 0.04), roundRect(0.66, 0.5, 0.095, 0.31, 0.04)), solid(blue)},
	}},
}

// The unread badge: a dot in the top right corner, set apart from the glyph
// by a transparent gap so it reads as a separate mark at 16 px.
var (
	badge    = circle(0.81, 0.19, 0.17)
	badgeGap = 0.07
)

func trayLayers(g glyph, unread bool) []layer {
	if !unread {
		return g.layers
	}
	var out []layer
	for _, l := range g.layers {
		out = append(out, layer{subtract(l.shape, grow(badge, badgeGap)), l.paint})
	}
	return append(out, layer{badge, solid(red)})
}

// appLayers draws the application icon: a white inbox tray with a check
// mark on a blue rounded square.
func appLayers() []layer {
	stroke := 0.045
	tray := union(
		capsule(0.24, 0.56, 0.24, 0.76, stroke),
		capsule(0.24, 0.76, 0.76, 0.76, stroke),
		capsule(0.76, 0.76, 0.76, 0.56, stroke),
		capsule(0.24, 0.56, 0.38, 0.56, stroke),
		capsule(0.38, 0.56, 0.43, 0.64, stroke),
		capsule(0.43, 0.64, 0.57, 0.64, stroke),
		capsule(0.57, 0.64, 0.62, 0.56, stroke),
		capsule(0.62, 0.56, 0.76, 0.56, stroke),
	)
	check := union(capsule(0.37, 0.33, 0.46, 0.42, stroke), capsule(0.46, 0.42, 0.64, 0.23, stroke))
	top, bottom := rgb(0x4f, 0x8f, 0xf7), rgb(0x1f, 0x4f, 0xc8)
	return []layer{
		{roundRect(0.5, 0.52, 0.43, 0.43, 0.19), solid(color.NRGBA{0, 0, 0, 0x40})}, // soft shadow
		{roundRect(0.5, 0.5, 0.43, 0.43, 0.19), func(x, y float64) color.NRGBA { return mix(top, bottom, y) }},
		{union(tray, check), solid(white)},
	}
}

// contactSheet lays out every tray icon at 16 and 64 px, on a light and a
// dark panel and in grey only, one column per state, so a reviewer can check
// that the states differ in shape as well as in colour.
func contactSheet() image.Image {
	const pad = 12
	rowsAt := func(size int) [][]*image.NRGBA {
		var plain, unread []*image.NRGBA
		for _, g := range glyphs {
			plain = append(plain, render(trayLayers(g, false), size))
			unread = append(unread, render(trayLayers(g, true), size))
		}
		return [][]*image.NRGBA{plain, unread}
	}
	type row struct {
		icons []*image.NRGBA
		bg    color.NRGBA
		gray  bool
	}
	light, dark := rgb(0xf4, 0xf4, 0xf4), rgb(0x2b, 0x2b, 0x2b)
	var rows []row
	for _, size := range []int{16, 64} {
		r := rowsAt(size)
		rows = append(rows,
			row{r[0], light, false}, row{r[1], light, false},
			row{r[0], dark, false}, row{r[1], dark, false},
			row{r[0], light, true}, row{r[1], light, true})
	}
	width := pad
	for range glyphs {
		width += 64 + pad
	}
	height := pad
	for _, r := range rows {
		height += r.icons[0].Bounds().Dy() + pad
	}
	sheet := image.NewNRGBA(image.Rect(0, 0, width, height))
	y := pad
	for _, r := range rows {
		h := r.icons[0].Bounds().Dy()
		fill(sheet, image.Rect(0, y-pad/2, width, y+h+pad/2), r.bg)
		for i, icon := range r.icons {
			x := pad + i*(64+pad) + (64-h)/2
			over(sheet, icon, image.Pt(x, y), r.gray)
		}
		y += h + pad
	}
	return sheet
}

func fill(dst *image.NRGBA, r image.Rectangle, c color.NRGBA) {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			dst.SetNRGBA(x, y, c)
		}
	}
}

// over composites src onto an opaque dst at p, optionally in grey.
func over(dst *image.NRGBA, src *image.NRGBA, p image.Point, gray bool) {
	b := src.Bounds()
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			s := src.NRGBAAt(x, y)
			if gray {
				l := uint8(0.2126*float64(s.R) + 0.7152*float64(s.G) + 0.0722*float64(s.B) + 0.5)
				s.R, s.G, s.B = l, l, l
			}
			d := dst.NRGBAAt(p.X+x, p.Y+y)
			a := float64(s.A) / 255
			blend := func(s, d uint8) uint8 { return uint8(float64(s)*a + float64(d)*(1-a) + 0.5) }
			dst.SetNRGBA(p.X+x, p.Y+y, color.NRGBA{blend(s.R, d.R), blend(s.G, d.G), blend(s.B, d.B), 0xff})
		}
	}
}

// A layer is a shape filled with a paint; layers are composited in order.
type layer struct {
	shape shape
	paint func(x, y float64) color.NRGBA
}

func solid(c color.NRGBA) func(x, y float64) color.NRGBA {
	return func(float64, float64) color.NRGBA { return c }
}

// render rasterises layers into a size x size image.
func render(layers []layer, size int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	n := float64(samples * samples)
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			var r, g, b, a float64 // premultiplied
			for _, l := range layers {
				inside := 0
				for sy := 0; sy < samples; sy++ {
					for sx := 0; sx < samples; sx++ {
						x := (float64(px) + (float64(sx)+0.5)/samples) / float64(size)
						y := (float64(py) + (float64(sy)+0.5)/samples) / float64(size)
						if l.shape(x, y) < 0 {
							inside++
						}
					}
				}
				if inside == 0 {
					continue
				}
				c := l.paint((float64(px)+0.5)/float64(size), (float64(py)+0.5)/float64(size))
				ca := float64(c.A) / 255 * float64(inside) / n
				r = float64(c.R)*ca + r*(1-ca)
				g = float64(c.G)*ca + g*(1-ca)
				b = float64(c.B)*ca + b*(1-ca)
				a = 255*ca + a*(1-ca)
			}
			if a == 0 {
				continue
			}
			k := 255 / a
			img.SetNRGBA(px, py, color.NRGBA{
				uint8(math.Min(255, r*k+0.5)), uint8(math.Min(255, g*k+0.5)),
				uint8(math.Min(255, b*k+0.5)), uint8(a + 0.5)})
		}
	}
	return img
}

// A shape is a signed distance in the unit square: negative inside, zero on
// the edge, positive outside.
type shape func(x, y float64) float64

func circle(cx, cy, r float64) shape {
	return func(x, y float64) float64 { return math.Hypot(x-cx, y-cy) - r }
}

// ring is a circle's outline of stroke width w centred on radius r.
func ring(cx, cy, r, w float64) shape {
	return func(x, y float64) float64 { return math.Abs(math.Hypot(x-cx, y-cy)-r) - w/2 }
}

// arc is part of a ring with round caps, from angle a0 clockwise to a1;
// angles are in radians clockwise from 12 o'clock.
func arc(cx, cy, r, w, a0, a1 float64) shape {
	end := func(a float64) shape {
		ex, ey := cx+r*math.Sin(a), cy-r*math.Cos(a)
		return circle(ex, ey, w/2)
	}
	caps := union(end(a0), end(a1))
	full := ring(cx, cy, r, w)
	return func(x, y float64) float64 {
		a := math.Atan2(x-cx, cy-y)
		if a < 0 {
			a += 2 * math.Pi
		}
		if a >= a0 && a <= a1 {
			return full(x, y)
		}
		return caps(x, y)
	}
}

// capsule is a segment from a to b with round ends of radius r.
func capsule(ax, ay, bx, by, r float64) shape {
	return func(x, y float64) float64 {
		dx, dy := bx-ax, by-ay
		t := math.Max(0, math.Min(1, ((x-ax)*dx+(y-ay)*dy)/(dx*dx+dy*dy)))
		return math.Hypot(x-ax-t*dx, y-ay-t*dy) - r
	}
}

// roundRect is a rectangle of half-size hw x hh centred on (cx, cy), with
// corners rounded by r.
func roundRect(cx, cy, hw, hh, r float64) shape {
	return func(x, y float64) float64 {
		qx := math.Abs(x-cx) - hw + r
		qy := math.Abs(y-cy) - hh + r
		return math.Hypot(math.Max(qx, 0), math.Max(qy, 0)) + math.Min(math.Max(qx, qy), 0) - r
	}
}

// polygon is a convex polygon. Its value is exact inside and a lower bound
// outside, which is all coverage needs.
func polygon(p ...[2]float64) shape {
	// Twice the signed area tells the winding, so every edge normal can be
	// made to point outward.
	var area float64
	for i := range p {
		a, b := p[i], p[(i+1)%len(p)]
		area += a[0]*b[1] - b[0]*a[1]
	}
	sign := 1.0
	if area < 0 {
		sign = -1
	}
	return func(x, y float64) float64 {
		d := math.Inf(-1)
		for i := range p {
			a, b := p[i], p[(i+1)%len(p)]
			nx, ny := sign*(b[1]-a[1]), -sign*(b[0]-a[0])
			d = math.Max(d, ((x-a[0])*nx+(y-a[1])*ny)/math.Hypot(nx, ny))
		}
		return d
	}
}

// arrowhead is a triangle with its base centred on at, pointing in direction
// dir (radians clockwise from 12 o'clock), length long and half-width half.
func arrowhead(at [2]float64, dir, long, half float64) shape {
	return polygon(
		pt(at[0], at[1], long, dir),
		pt(at[0], at[1], half, dir+math.Pi/2),
		pt(at[0], at[1], half, dir-math.Pi/2),
	)
}

func union(s ...shape) shape {
	return func(x, y float64) float64 {
		d := math.Inf(1)
		for _, f := range s {
			d = math.Min(d, f(x, y))
		}
		return d
	}
}

func subtract(a, b shape) shape {
	return func(x, y float64) float64 { return math.Max(a(x, y), -b(x, y)) }
}

// grow widens a shape by d on every side.
func grow(s shape, d float64) shape {
	return func(x, y float64) float64 { return s(x, y) - d }
}

// pt is the point at distance r from (cx, cy) in direction a (radians
// clockwise from 12 o'clock).
func pt(cx, cy, r, a float64) [2]float64 {
	return [2]float64{cx + r*math.Sin(a), cy - r*math.Cos(a)}
}

func deg(d float64) float64 { return d * math.Pi / 180 }

func rgb(r, g, b uint8) color.NRGBA { return color.NRGBA{r, g, b, 0xff} }

func mix(a, b color.NRGBA, t float64) color.NRGBA {
	m := func(a, b uint8) uint8 { return uint8(float64(a)*(1-t) + float64(b)*t + 0.5) }
	return color.NRGBA{m(a.R, b.R), m(a.G, b.G), m(a.B, b.B), m(a.A, b.A)}
}
