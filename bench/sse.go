package main

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"time"
)

// sseEvent is one dispatched Server-Sent Event. data is only valid during
// the callback.
type sseEvent struct {
	id   string
	name string
	data []byte
}

// readSSE parses an event stream until it ends or fails, calling onEvent for
// every event with data and onComment for every comment line.
func readSSE(r io.Reader, onEvent func(ev *sseEvent, at time.Time), onComment func(text string)) error {
	br := bufio.NewReaderSize(r, 4096)
	var ev sseEvent
	var data []byte
	hasData := false
	var long []byte
	for {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			long = append(long[:0], line...)
			for err == bufio.ErrBufferFull {
				line, err = br.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		if err != nil {
			return err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			if hasData {
				ev.data = data
				onEvent(&ev, time.Now())
			}
			ev = sseEvent{}
			data = data[:0]
			hasData = false
			continue
		}
		if line[0] == ':' {
			if onComment != nil {
				onComment(string(bytes.TrimSpace(line[1:])))
			}
			continue
		}
		field, value, _ := bytes.Cut(line, []byte(":"))
		value = bytes.TrimPrefix(value, []byte(" "))
		switch string(field) {
		case "id":
			ev.id = string(value)
		case "event":
			ev.name = string(value)
		case "data":
			if hasData {
				data = append(data, '\n')
			}
			data = append(data, value...)
			hasData = true
		}
	}
}

// sseTransport opens one TCP connection per stream (no reuse: a stream
// holds its connection until it is closed).
var sseTransport = &http.Transport{
	DialContext:           (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
	DisableKeepAlives:     true,
	DisableCompression:    true,
	ResponseHeaderTimeout: 30 * time.Second,
	MaxConnsPerHost:       0,
}

var sseHTTP = &http.Client{Transport: sseTransport} // no timeout: streams are long; each has its own context

// sendTransport carries the measured sends (keep-alive pool sized for the
// open-loop backlog and the closed-loop concurrency).
var sendHTTP = &http.Client{
	Timeout: 30 * time.Second,
	Transport: &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
		MaxIdleConns:        2048,
		MaxIdleConnsPerHost: 2048,
		DisableCompression:  true,
		IdleConnTimeout:     30 * time.Second,
	},
}
