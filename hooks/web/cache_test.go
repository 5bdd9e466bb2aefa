package web

import (
	"errors"
	"testing"
)

func TestCacheRefusesLoadsThatRaceADrop(t *testing.T) {
	c := NewCache[int](2)
	if _, ok, _ := c.Get("a"); ok {
		t.Fatal("empty cache had an entry")
	}

	// A reader starts loading "a", a writer changes it and drops it, then the
	// reader's (stale) value arrives: it must not be kept.
	_, _, gen := c.Get("a")
	c.Drop("a")
	c.Put(gen, "a", 1)
	if _, ok, _ := c.Get("a"); ok {
		t.Fatal("a value loaded before a drop was stored")
	}

	v, err := c.Load("a", func() (int, error) { return 2, nil })
	if err != nil || v != 2 {
		t.Fatalf("Load = %d, %v", v, err)
	}
	if v, ok, _ := c.Get("a"); !ok || v != 2 {
		t.Fatalf("Get after Load = %d, %v", v, ok)
	}
	if _, err := c.Load("b", func() (int, error) { return 0, errors.New("db down") }); err == nil {
		t.Fatal("load error lost")
	}
	if _, ok, _ := c.Get("b"); ok {
		t.Fatal("a failed load was stored")
	}

	c.Load("b", func() (int, error) { return 3, nil })
	c.Load("c", func() (int, error) { return 4, nil }) // over the bound: starts over
	if c.Len() != 1 {
		t.Fatalf("Len = %d after overflow, want 1", c.Len())
	}
	c.Reset()
	if c.Len() != 0 {
		t.Fatal("Reset kept entries")
	}
}
