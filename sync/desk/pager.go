package desk

import (
	"context"
	"iter"
)

// PageFunc fetches the page starting at index from (0-based) with at most
// limit items; an empty page or 204 No Content is an empty slice.
type PageFunc[T any] func(ctx context.Context, from, limit int) ([]T, error)

// All iterates over every item that fetch yields, page by page. It stops on
// an empty page, on a page shorter than limit, on the first error (yielded
// once), or when the loop breaks — so a caller reading newest-first can stop
// at its sync cursor without fetching further pages.
func All[T any](ctx context.Context, limit int, fetch PageFunc[T]) iter.Seq2[T, error] {
	if limit <= 0 {
		limit = MaxLimit
	}
	return func(yield func(T, error) bool) {
		for from := 0; ; from += limit {
			page, err := fetch(ctx, from, limit)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, item := range page {
				if !yield(item, nil) {
					return
				}
			}
			if len(page) < limit {
				return
			}
		}
	}
}
