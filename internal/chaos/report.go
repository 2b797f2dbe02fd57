package chaos

import (
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"
)

// Percentiles returns the median and the maximum of ds (0 when empty).
func Percentiles(ds []time.Duration) (p50, max time.Duration) {
	if len(ds) == 0 {
		return 0, 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2], s[len(s)-1]
}

func mib(b uint64) string { return fmt.Sprintf("%.1f", float64(b)/(1<<20)) }

// WriteTable prints one row per kind and scenario. Time-to-detect figures
// are printed, never judged.
func WriteTable(w io.Writer, rs []Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	var skips []string
	fmt.Fprintln(tw, "kind\tscenario\trounds\tpublished\tdelivered\tduplicated\tlost\textra\tgaps\tdetect p50\tdetect max\theap MiB before→after\tgoroutines before→after\ttime\tresult\t")
	for _, r := range rs {
		if r.Skip != "" && r.Published == 0 && r.Err == nil {
			fmt.Fprintf(tw, "%s\t%s\t\t\t\t\t\t\t\t\t\t\t\t\tSKIP\t\n", r.Kind, r.Scenario)
			skips = append(skips, fmt.Sprintf("SKIP %s / %s: %s", r.Kind, r.Scenario, r.Skip))
			continue
		}
		det50, detMax := "-", "-"
		if len(r.Detect) > 0 {
			p50, mx := Percentiles(r.Detect)
			det50, detMax = p50.Round(time.Millisecond).String(), mx.Round(time.Millisecond).String()
		}
		verdict := "ok"
		if r.Err != nil {
			verdict = "FAIL (below)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t%s→%s\t%d→%d\t%s\t%s\t\n",
			r.Kind, r.Scenario, r.Rounds, r.Published, r.Delivered, r.Duplicated, r.Lost, r.Extra, r.Gaps, det50, detMax,
			mib(r.HeapBefore), mib(r.HeapAfter), r.GoBefore, r.GoAfter, r.Elapsed.Round(100*time.Millisecond), verdict)
	}
	tw.Flush()
	for _, s := range skips {
		fmt.Fprintln(w, s)
	}
	for _, r := range rs {
		if r.Err != nil {
			fmt.Fprintf(w, "FAIL %s / %s: %v\n", r.Kind, r.Scenario, r.Err)
		}
	}
}
