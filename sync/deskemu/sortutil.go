package deskemu

import (
	"slices"
	"time"
)

func slicesSortByCreated(ts []*ticket) {
	slices.SortStableFunc(ts, func(a, b *ticket) int { return time.Time(a.CreatedTime).Compare(time.Time(b.CreatedTime)) })
}

func slicesSortRatings(rs []*ratingJSON) {
	slices.SortStableFunc(rs, func(a, b *ratingJSON) int { return time.Time(a.CreatedTime).Compare(time.Time(b.CreatedTime)) })
}
