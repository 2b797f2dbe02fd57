package main

import (
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// plotLatency writes a PNG of the latency distributions of both pipelines
// as CDFs on a log scale, where the body and the tail both show.
func plotLatency(path string, floor, agent latencyResult) error {
	p := plot.New()
	p.Title.Text = "publish → Notify latency (CDF)"
	p.X.Label.Text = "latency (ms, log scale)"
	p.Y.Label.Text = "fraction of tasks"
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Y.Min, p.Y.Max = 0, 1
	p.Add(plotter.NewGrid())
	p.Legend.Top = false
	p.Legend.Left = false

	for _, s := range []struct {
		name  string
		lat   latencyResult
		color color.Color
	}{
		{"floor", floor, color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}},
		{"agent", agent, color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}},
	} {
		if len(s.lat.samples) == 0 {
			continue
		}
		line, err := plotter.NewLine(cdf(s.lat.samples))
		if err != nil {
			return err
		}
		line.Color = s.color
		line.Width = vg.Points(1.5)
		p.Add(line)
		p.Legend.Add(fmt.Sprintf("%s: p50 %s, p99 %s, max %s", s.name, ms(s.lat.p50), ms(s.lat.p99), ms(s.lat.pmax)), line)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return p.Save(8*vg.Inch, 4.5*vg.Inch, path)
}

// cdf turns sorted latencies into the points of their empirical CDF, in
// milliseconds.
func cdf(sorted []time.Duration) plotter.XYs {
	xys := make(plotter.XYs, len(sorted))
	for i, d := range sorted {
		xys[i].X = float64(d) / float64(time.Millisecond)
		xys[i].Y = float64(i+1) / float64(len(sorted))
	}
	return xys
}
