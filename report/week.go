package report

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// ISOWeek is an ISO 8601 week: Monday to Sunday, week 1 holding the year's
// first Thursday.
type ISOWeek struct {
	Year int
	Week int
}

var weekRE = regexp.MustCompile(`^(\d{4})-W(\d{2})$`)

// ParseWeek reads "YYYY-Www" ("2026-W48"). It refuses a week the year does
// not have (W53 of a 52-week year).
func ParseWeek(s string) (ISOWeek, error) {
	m := weekRE.FindStringSubmatch(s)
	if m == nil {
		return ISOWeek{}, fmt.Errorf("week %q: want YYYY-Www, e.g. 2026-W48", s)
	}
	y, _ := strconv.Atoi(m[1])
	w, _ := strconv.Atoi(m[2])
	if w < 1 || w > weeksIn(y) {
		return ISOWeek{}, fmt.Errorf("week %q: %d has weeks 01 to %02d", s, y, weeksIn(y))
	}
	return ISOWeek{Year: y, Week: w}, nil
}

// weeksIn returns 52 or 53: the ISO week of 28 December is the year's last.
func weeksIn(year int) int {
	_, w := time.Date(year, 12, 28, 12, 0, 0, 0, time.UTC).ISOWeek()
	return w
}

// WeekOf returns the ISO week holding t as seen in loc.
func WeekOf(t time.Time, loc *time.Location) ISOWeek {
	y, w := t.In(loc).ISOWeek()
	return ISOWeek{Year: y, Week: w}
}

// LastCompleteWeek returns the week before the one holding now in loc: the
// newest week that has ended.
func LastCompleteWeek(now time.Time, loc *time.Location) ISOWeek {
	return WeekOf(now, loc).Prev()
}

// String formats the week as "2026-W48".
func (w ISOWeek) String() string { return fmt.Sprintf("%04d-W%02d", w.Year, w.Week) }

// Monday returns the calendar date (year, month, day) of the week's Monday.
func (w ISOWeek) Monday() time.Time {
	// 4 January is always in week 1.
	jan4 := time.Date(w.Year, 1, 4, 0, 0, 0, 0, time.UTC)
	offset := (int(jan4.Weekday()) + 6) % 7 // days since Monday
	return jan4.AddDate(0, 0, -offset+7*(w.Week-1))
}

// Start returns midnight of the week's Monday in loc.
func (w ISOWeek) Start(loc *time.Location) time.Time {
	m := w.Monday()
	return time.Date(m.Year(), m.Month(), m.Day(), 0, 0, 0, 0, loc)
}

// End returns midnight of the next Monday in loc: weeks are [Start, End).
func (w ISOWeek) End(loc *time.Location) time.Time {
	m := w.Monday().AddDate(0, 0, 7)
	return time.Date(m.Year(), m.Month(), m.Day(), 0, 0, 0, 0, loc)
}

// Prev returns the week before.
func (w ISOWeek) Prev() ISOWeek { return w.Add(-1) }

// Add returns the week n weeks later (earlier when n < 0).
func (w ISOWeek) Add(n int) ISOWeek {
	y, wk := w.Monday().AddDate(0, 0, 7*n).ISOWeek()
	return ISOWeek{Year: y, Week: wk}
}
