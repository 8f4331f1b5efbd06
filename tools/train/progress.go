package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progress draws a one-line progress bar with throughput and ETA, redrawn
// in place (carriage return) at most every redrawEvery.
type progress struct {
	w     io.Writer
	label string
	start time.Time
	last  time.Time
	drawn bool
}

const (
	redrawEvery = time.Second
	barWidth    = 30
)

func newProgress(w io.Writer, label string) *progress {
	return &progress{w: w, label: label, start: time.Now()}
}

// update is a train.Trainer Progress callback.
func (p *progress) update(done, total int, loss float64) {
	now := time.Now()
	if now.Sub(p.last) < redrawEvery && done < total {
		return
	}
	p.last = now
	elapsed := now.Sub(p.start)
	frac := float64(done) / float64(total)
	fill := int(frac * barWidth)
	eta := time.Duration(float64(elapsed) * (1 - frac) / max(frac, 1e-9))
	fmt.Fprintf(p.w, "\r%s [%s%s] %3.0f%% %d/%d loss %.4f %.0f img/s ETA %s ",
		p.label, strings.Repeat("=", fill), strings.Repeat(" ", barWidth-fill), 100*frac, done, total, loss,
		float64(done)/elapsed.Seconds(), eta.Round(time.Second))
	p.drawn = true
}

// finish ends the bar's line.
func (p *progress) finish() {
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}
