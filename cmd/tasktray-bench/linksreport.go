package main

import (
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Markers of the links mode's section in docs/benchmarks.md.
const (
	linksDocBegin = "<!-- tasktray-bench-links:begin -->"
	linksDocEnd   = "<!-- tasktray-bench-links:end -->"
)

// linksTable renders the steps as a markdown table.
func linksTable(steps []linksStep) string {
	var b strings.Builder
	b.WriteString("| links (N) | open | time to open | server RSS before → with N | memory per link | fan-out to the last link p50 / p99 | lost | idle server CPU (pings) | pings/s | broke |\n")
	b.WriteString("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
	for _, s := range steps {
		broke := s.broke
		if broke == "" {
			broke = "held"
		}
		if s.connected == 0 {
			fmt.Fprintf(&b, "| %s | 0 | — | — | — | — | — | — | — | %s |\n", thousands(s.n), broke)
			continue
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s → %s | %.1f KiB | %s / %s | %d | %.2f %% of a core over %s | %.0f | %s |\n",
			thousands(s.n), thousands(s.connected), ms(s.ramp), mbText(s.baseKiB), mbText(s.linkedKiB), s.perLinkKiB(),
			ms(quantile(s.fanout, 0.5)), ms(quantile(s.fanout, 0.99)), s.lost,
			s.idleCPU, s.idleFor.Round(time.Second), float64(s.connected)/serverPingPeriod.Seconds(), broke)
	}
	return b.String()
}

// linksHeader says how the run was made.
func linksHeader(cfg linksConfig, limit uint64) string {
	return fmt.Sprintf("Run of %s on %s, `%s`: the tasktray-server binary (GOMAXPROCS=2) in its own process, "+
		"N bare WebSocket links of one user from the bench on loopback (file limit %d), %d publishes 100 ms apart, "+
		"each timed from the POST to the moment the last link read it.",
		time.Now().UTC().Format("2006-01-02 15:04 UTC"), machine(), cfg.command, limit, linksPublishes)
}

// writeLinksDoc replaces the links section of path (appending one if it
// has none) with the header, the table and the plot.
func writeLinksDoc(path, plotPath string, cfg linksConfig, steps []linksStep, limit uint64) error {
	old, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var sec strings.Builder
	fmt.Fprintf(&sec, "%s\n<!-- written by cmd/tasktray-bench -links; edits here are overwritten -->\n\n%s\n\n%s", linksDocBegin, linksHeader(cfg, limit), linksTable(steps))
	if plotPath != "" {
		rel, _ := filepath.Rel(filepath.Dir(path), plotPath)
		fmt.Fprintf(&sec, "\n![fan-out time to the last link and memory per link, by N](%s)\n", filepath.ToSlash(rel))
	}
	sec.WriteString(linksDocEnd)
	text := string(old)
	i, j := strings.Index(text, linksDocBegin), strings.Index(text, linksDocEnd)
	if i >= 0 && j > i {
		text = text[:i] + sec.String() + text[j+len(linksDocEnd):]
	} else {
		text = strings.TrimRight(text, "\n") + "\n\n## Reference server limits (links mode)\n\n" + sec.String() + "\n"
	}
	return os.WriteFile(path, []byte(text), 0o644)
}

// plotLinks writes a PNG: fan-out p50 and p99 (ms) and memory per link
// (KiB) against N.
func plotLinks(path string, steps []linksStep) error {
	fan := plot.New()
	fan.Title.Text = "publish → last of N links"
	fan.X.Label.Text = "links (N)"
	fan.Y.Label.Text = "ms"
	fan.Add(plotter.NewGrid())
	mem := plot.New()
	mem.Title.Text = "server memory per link"
	mem.X.Label.Text = "links (N)"
	mem.Y.Label.Text = "KiB"
	mem.Add(plotter.NewGrid())
	var p50, p99, per plotter.XYs
	for _, s := range steps {
		if s.connected == 0 {
			continue // not measured (over the file limit)
		}
		x := float64(s.n)
		if len(s.fanout) > 0 {
			p50 = append(p50, plotter.XY{X: x, Y: float64(quantile(s.fanout, 0.5)) / float64(time.Millisecond)})
			p99 = append(p99, plotter.XY{X: x, Y: float64(quantile(s.fanout, 0.99)) / float64(time.Millisecond)})
		}
		per = append(per, plotter.XY{X: x, Y: s.perLinkKiB()})
	}
	for _, l := range []struct {
		name string
		xy   plotter.XYs
		c    color.Color
		p    *plot.Plot
	}{
		{"p50", p50, color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}, fan},
		{"p99", p99, color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}, fan},
		{"KiB per link", per, color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff}, mem},
	} {
		if len(l.xy) == 0 {
			continue
		}
		line, points, err := plotter.NewLinePoints(l.xy)
		if err != nil {
			return err
		}
		line.Color, points.Color = l.c, l.c
		l.p.Add(line, points)
		l.p.Legend.Add(l.name, line, points)
	}
	fan.Y.Min, mem.Y.Min = 0, 0 // the size of a change shows against zero
	fan.Legend.Top, fan.Legend.Left = true, true
	mem.Legend.Top, mem.Legend.Left = true, true
	const width, height = 8 * vg.Inch, 8 * vg.Inch
	img := vgimg.New(width, height)
	plots := [][]*plot.Plot{{fan}, {mem}}
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
