package views

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// pageSize is how many rows one query fetches for a browser list.
const pageSize = 50

// maxPages bounds the page cache so scrolling a huge table stays light.
const maxPages = 40

// pageCache feeds a virtualised widget (a List, a Table) from a service
// page by page: it counts the rows, then fetches each page of pageSize rows
// the first time a row on it is asked for, and caches the pages. All its
// fields belong to the UI goroutine; the queries run on the runner.
type pageCache[T any] struct {
	run   *runner
	count func(ctx context.Context) (int, error)
	fetch func(ctx context.Context, offset, limit int) ([]T, error)
	// loaded runs after each reload is applied, with the total or the error.
	loaded func(total int, err error)
	// changed redraws the widget after a reload (reset true) or a new page.
	changed func(reset bool)

	total   int
	pages   map[int][]T
	loading map[int]bool
	gen     int // bumped by reload; older results are stale and dropped
}

func newPageCache[T any](run *runner) *pageCache[T] {
	return &pageCache[T]{run: run, pages: map[int][]T{}, loading: map[int]bool{}, changed: func(bool) {}}
}

// reload counts the rows again and fetches the first page, dropping the
// cache; the answer is applied in one step on the UI goroutine.
func (p *pageCache[T]) reload() {
	p.gen++
	gen := p.gen
	p.loading = map[int]bool{0: true}
	count, fetch := p.count, p.fetch // the goroutine must not read p's fields
	p.run.Go(func(ctx context.Context) func() {
		n, err := count(ctx)
		var first []T
		if err == nil && n > 0 {
			first, err = fetch(ctx, 0, pageSize)
		}
		return func() {
			if gen != p.gen {
				return
			}
			p.loading = map[int]bool{}
			p.pages = map[int][]T{}
			if err == nil {
				p.total = n
				p.pages[0] = first
			} else {
				p.total = 0
			}
			p.changed(true)
			if p.loaded != nil {
				p.loaded(p.total, err)
			}
		}
	})
}

// prime is reload with the count and the first page already read (the
// board reads every column's first page in one go): applied at once.
func (p *pageCache[T]) prime(n int, first []T) {
	p.gen++
	p.loading = map[int]bool{}
	p.pages = map[int][]T{}
	p.total = n
	if n > 0 {
		p.pages[0] = first
	}
	p.changed(true)
	if p.loaded != nil {
		p.loaded(n, nil)
	}
}

// item returns row id if its page is cached.
func (p *pageCache[T]) item(id int) (T, bool) {
	var zero T
	rows, ok := p.pages[id/pageSize]
	if !ok || id%pageSize >= len(rows) {
		return zero, false
	}
	return rows[id%pageSize], true
}

// want returns row id when its page is cached; otherwise it starts loading
// the page and reports false.
func (p *pageCache[T]) want(id int) (T, bool) {
	it, ok := p.item(id)
	if !ok {
		p.loadPage(id / pageSize)
	}
	return it, ok
}

func (p *pageCache[T]) loadPage(page int) {
	if p.loading[page] {
		return
	}
	if _, ok := p.pages[page]; ok {
		return
	}
	p.loading[page] = true
	gen, fetch := p.gen, p.fetch
	p.run.Go(func(ctx context.Context) func() {
		rows, err := fetch(ctx, page*pageSize, pageSize)
		return func() {
			if gen != p.gen {
				return
			}
			delete(p.loading, page)
			if err != nil {
				logError("load page", err)
				return // the rows stay "Loading…"; the next scroll retries
			}
			p.evict(page)
			p.pages[page] = rows
			p.changed(false)
		}
	})
}

// evict drops the cached page farthest from page when the cache is full.
func (p *pageCache[T]) evict(page int) {
	if len(p.pages) < maxPages {
		return
	}
	far, dist := -1, -1
	for k := range p.pages {
		d := k - page
		if d < 0 {
			d = -d
		}
		if d > dist {
			far, dist = k, d
		}
	}
	delete(p.pages, far)
}

// pagedList is a virtualised widget.List fed by a pageCache.
type pagedList[T any] struct {
	*pageCache[T]
	show  func(item T, row fyne.CanvasObject)
	blank func(row fyne.CanvasObject, text string)
	list  *keyList
}

func newPagedList[T any](run *runner, create func() fyne.CanvasObject) *pagedList[T] {
	p := &pagedList[T]{pageCache: newPageCache[T](run)}
	p.list = newKeyList(func() int { return p.total }, create, p.update)
	p.changed = func(reset bool) {
		if reset {
			p.list.UnselectAll()
		}
		p.list.Refresh()
	}
	return p
}

func (p *pagedList[T]) update(id widget.ListItemID, row fyne.CanvasObject) {
	if it, ok := p.want(id); ok {
		p.show(it, row)
		return
	}
	p.blank(row, lang.L("Loading…"))
}
