package main

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// series is one pipeline's latencies as plotted.
type series struct {
	name  string
	lat   latencyResult
	color color.Color
}

// plotLatency writes a PNG of both pipelines' latencies, in milliseconds on
// a log scale: first the CDF, where the body shows; then the fraction of
// tasks at least that slow on a log scale too, where the tail (p99, p99.9,
// max) shows; last each task's latency against when it was published,
// where a stall shows as a spike and how long the queue took to drain.
func plotLatency(path string, floor, agent latencyResult) error {
	all := []series{
		{"floor", floor, color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}},
		{"agent", agent, color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}},
	}
	body := newLatencyPlot("publish → Notify latency: CDF", "fraction of tasks")
	tail := newLatencyPlot("tail: fraction of tasks at least this slow", "fraction of tasks (log)")
	body.Y.Min, body.Y.Max = 0, 1
	tail.Y.Scale = plot.LogScale{}
	tail.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	timeline := plot.New()
	timeline.Title.Text = "each task's latency, by when it was published"
	timeline.X.Label.Text = "published at (s from the first task)"
	timeline.Y.Label.Text = "latency (ms, log scale)"
	timeline.Y.Scale = plot.LogScale{}
	timeline.Y.Tick.Marker = oneTwoFive{}
	timeline.Add(plotter.NewGrid())
	timeline.Legend.Top = true
	for _, s := range all {
		if len(s.lat.samples) == 0 {
			continue
		}
		label := fmt.Sprintf("%s: p50 %s, p99 %s, max %s", s.name, ms(s.lat.p50), ms(s.lat.p99), ms(s.lat.pmax))
		for _, p := range []struct {
			plot   *plot.Plot
			points plotter.XYs
		}{{body, cdf(s.lat.samples)}, {tail, atLeast(s.lat.samples)}} {
			line, err := plotter.NewLine(p.points)
			if err != nil {
				return err
			}
			line.Color = s.color
			line.Width = vg.Points(1.5)
			p.plot.Add(line)
			if p.plot == body {
				p.plot.Legend.Add(label, line)
			}
		}
		dots, err := plotter.NewScatter(byPublishTime(s.lat.timeline))
		if err != nil {
			return err
		}
		dots.Color = s.color
		dots.Radius = vg.Points(1)
		timeline.Add(dots)
		timeline.Legend.Add(s.name, dots)
	}

	const width, height = 8 * vg.Inch, 12 * vg.Inch
	img := vgimg.New(width, height)
	plots := [][]*plot.Plot{{body}, {tail}, {timeline}}
	canvases := plot.Align(plots, draw.Tiles{Rows: len(plots), Cols: 1, PadY: vg.Points(12)}, draw.New(img))
	for i, row := range plots {
		row[0].Draw(canvases[i][0])
	}

	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// newLatencyPlot returns a plot with latency in ms on a log x axis.
func newLatencyPlot(title, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "latency (ms, log scale)"
	p.Y.Label.Text = yLabel
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = oneTwoFive{}
	p.Add(plotter.NewGrid())
	p.Legend.Top = false
	p.Legend.Left = false
	return p
}

// cdf turns sorted latencies into the points of their empirical CDF, in ms.
func cdf(sorted []time.Duration) plotter.XYs {
	xys := make(plotter.XYs, len(sorted))
	for i, d := range sorted {
		xys[i].X = float64(d) / float64(time.Millisecond)
		xys[i].Y = float64(i+1) / float64(len(sorted))
	}
	return xys
}

// atLeast turns sorted latencies into the fraction of tasks at least as
// slow as each, in ms: 1 for the fastest, 1/n for the slowest, never 0,
// so it fits a log axis.
func atLeast(sorted []time.Duration) plotter.XYs {
	xys := make(plotter.XYs, len(sorted))
	for i, d := range sorted {
		xys[i].X = float64(d) / float64(time.Millisecond)
		xys[i].Y = float64(len(sorted)-i) / float64(len(sorted))
	}
	return xys
}

// byPublishTime turns per-task latencies into points: publish time in s,
// latency in ms.
func byPublishTime(tasks []timedLatency) plotter.XYs {
	xys := make(plotter.XYs, len(tasks))
	for i, t := range tasks {
		xys[i].X = t.published.Seconds()
		xys[i].Y = float64(t.latency) / float64(time.Millisecond)
	}
	return xys
}

// oneTwoFive ticks a log axis at 1, 2 and 5 times each power of ten, with
// unlabelled ticks in between: decades alone leave a 0.3-20 ms range with
// two labels.
type oneTwoFive struct{}

// Ticks returns the ticks between lo and hi.
func (oneTwoFive) Ticks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	for e := math.Floor(math.Log10(lo)); math.Pow(10, e) <= hi; e++ {
		for m := 1; m <= 9; m++ {
			v := float64(m) * math.Pow(10, e)
			if v < lo || v > hi {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || m == 2 || m == 5 {
				t.Label = strconv.FormatFloat(v, 'g', -1, 64)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}
