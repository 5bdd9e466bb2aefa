package testkit

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Bomb is a small file in format ("png", "gif", "jpeg" or "webp") whose
// header declares a side × side picture: decoding it would allocate
// side² × 4 bytes or more.
func Bomb(t testing.TB, format string, side int) []byte {
	t.Helper()
	switch format {
	case "png":
		return bombPNG(side)
	case "gif":
		return bombGIF(side)
	case "jpeg":
		return bombJPEG(side)
	case "webp":
		return bombWebP(side)
	}
	t.Fatalf("no bomb for %q", format)
	return nil
}

// BombFormats are the picture formats Plaza accepts, with a file name for each.
var BombFormats = []struct{ Format, Name string }{
	{"png", "bomb.png"}, {"gif", "bomb.gif"}, {"jpeg", "bomb.jpg"}, {"webp", "bomb.webp"},
}

// bombPNG: a valid IHDR (8-bit RGBA) and an IDAT holding the first rows of
// zeros, well compressed.
func bombPNG(side int) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(side))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(side))
	ihdr[8], ihdr[9] = 8, 6 // bit depth, colour type RGBA
	pngChunk(&b, "IHDR", ihdr)
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	row := make([]byte, 1+4*side) // filter byte + pixels
	for range 16 {
		_, _ = zw.Write(row) // writes to a bytes.Buffer don't fail
	}
	_ = zw.Close()
	pngChunk(&b, "IDAT", z.Bytes())
	pngChunk(&b, "IEND", nil)
	return b.Bytes()
}

func pngChunk(b *bytes.Buffer, kind string, data []byte) {
	_ = binary.Write(b, binary.BigEndian, uint32(len(data)))
	crc := crc32.NewIEEE()
	crc.Write([]byte(kind))
	crc.Write(data)
	b.WriteString(kind)
	b.Write(data)
	_ = binary.Write(b, binary.BigEndian, crc.Sum32())
}

// bombGIF: a side × side logical screen and one frame as large.
func bombGIF(side int) []byte {
	var b bytes.Buffer
	b.WriteString("GIF89a")
	_ = binary.Write(&b, binary.LittleEndian, [2]uint16{uint16(side), uint16(side)})
	b.Write([]byte{0x80, 0, 0})             // global colour table of 2 entries
	b.Write([]byte{0, 0, 0, 255, 255, 255}) // black, white
	b.WriteByte(0x2c)                       // image descriptor
	_ = binary.Write(&b, binary.LittleEndian, [4]uint16{0, 0, uint16(side), uint16(side)})
	b.WriteByte(0)
	b.Write([]byte{2, 2, 0x4c, 0x01, 0}) // LZW minimum code size 2, one short block
	b.WriteByte(0x3b)
	return b.Bytes()
}

// bombJPEG: a baseline frame header (SOF0) declaring side × side, 3
// components, and the start of a scan.
func bombJPEG(side int) []byte {
	var b bytes.Buffer
	b.Write([]byte{0xff, 0xd8})           // SOI
	b.Write([]byte{0xff, 0xdb, 0, 67, 0}) // DQT, table 0
	b.Write(bytes.Repeat([]byte{1}, 64))  //
	b.Write([]byte{0xff, 0xc0, 0, 17, 8}) // SOF0, 8-bit
	_ = binary.Write(&b, binary.BigEndian, [2]uint16{uint16(side), uint16(side)})
	b.Write([]byte{3, 1, 0x22, 0, 2, 0x11, 0, 3, 0x11, 0})
	b.Write([]byte{0xff, 0xda, 0, 12, 3, 1, 0, 2, 0x11, 3, 0x11, 0, 63, 0}) // SOS
	b.Write([]byte{0xff, 0xd9})                                             // EOI
	return b.Bytes()
}

// bombWebP: an extended (VP8X) header declaring a side × side canvas.
func bombWebP(side int) []byte {
	vp8x := make([]byte, 10)
	put24 := func(p []byte, v int) { p[0], p[1], p[2] = byte(v), byte(v>>8), byte(v>>16) }
	put24(vp8x[4:], side-1)
	put24(vp8x[7:], side-1)
	var body bytes.Buffer
	body.WriteString("WEBP")
	body.WriteString("VP8X")
	_ = binary.Write(&body, binary.LittleEndian, uint32(len(vp8x)))
	body.Write(vp8x)
	var b bytes.Buffer
	b.WriteString("RIFF")
	_ = binary.Write(&b, binary.LittleEndian, uint32(body.Len()))
	b.Write(body.Bytes())
	return b.Bytes()
}

// JPEG encodes a real w × h photo-like picture (gradients, so it compresses
// as a photo does, a few MB at most).
func JPEG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	// Filled a row at a time with copy: per-pixel loops crawl under -race.
	ramp := make([]byte, w+h)
	for i := range ramp {
		ramp[i] = uint8(i / 64)
	}
	for y := 0; y < h; y++ {
		copy(img.Y[y*img.YStride:y*img.YStride+w], ramp[y:])
	}
	cw, ch := (w+1)/2, (h+1)/2
	cb := make([]byte, cw)
	for x := range cb {
		cb[x] = uint8(x / 32)
	}
	for y := 0; y < ch; y++ {
		copy(img.Cb[y*img.CStride:y*img.CStride+cw], cb)
		copy(img.Cr[y*img.CStride:y*img.CStride+cw], bytes.Repeat([]byte{uint8(y / 32)}, cw))
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// PNG encodes a small real w × h picture.
func PNG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		img.Set(x, x%h, color.NRGBA{7, 193, 96, 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// HeapWatch measures the process's heap (this process runs the test
// server) while it is open, so a test can bound what a request cost.
type HeapWatch struct {
	base, total uint64
	peak        atomic.Uint64
	stop        chan struct{}
	done        sync.WaitGroup
}

// HeapUse is what a HeapWatch saw, in bytes above its start: Peak is the
// highest live heap sampled (every few ms), Allocated all that was allocated
// (catches a short-lived allocation sampling misses), Kept what stays live
// after a collection.
type HeapUse struct{ Peak, Allocated, Kept int64 }

// WatchHeap collects garbage, notes the live heap as the baseline and starts
// sampling.
func WatchHeap() *HeapWatch {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	w := &HeapWatch{base: ms.HeapAlloc, total: ms.TotalAlloc, stop: make(chan struct{})}
	w.peak.Store(ms.HeapAlloc)
	w.done.Add(1)
	go func() {
		defer w.done.Done()
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-tick.C:
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				if ms.HeapAlloc > w.peak.Load() {
					w.peak.Store(ms.HeapAlloc)
				}
			}
		}
	}()
	return w
}

// Stop ends the watch and says what it saw.
func (w *HeapWatch) Stop() HeapUse {
	close(w.stop)
	w.done.Wait()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	u := HeapUse{Peak: int64(max(w.peak.Load(), ms.HeapAlloc)) - int64(w.base), Allocated: int64(ms.TotalAlloc - w.total)}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	u.Kept = int64(ms.HeapAlloc) - int64(w.base)
	return u
}
