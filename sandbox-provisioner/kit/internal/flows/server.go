package flows

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

type subscriber struct {
	lines   chan []byte
	dropped atomic.Uint64
}

// Serve writes a fresh random token to cfg.TokenFile and serves
// GET /flows (Authorization: Bearer TOKEN) until ctx ends. Pods can reach
// node addresses, hence the token; only the platform can read the file.
func (o *Observer) Serve(ctx context.Context) error {
	tb := make([]byte, 24)
	if _, err := rand.Read(tb); err != nil {
		return err
	}
	token := hex.EncodeToString(tb)
	if err := os.MkdirAll(filepath.Dir(o.cfg.TokenFile), 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(o.cfg.TokenFile+".tmp", []byte(token+"\n"), 0o600); err != nil {
		return err
	}
	if err := os.Rename(o.cfg.TokenFile+".tmp", o.cfg.TokenFile); err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /flows", func(w http.ResponseWriter, r *http.Request) {
		got := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
			http.Error(w, "a valid flow token is required", http.StatusUnauthorized)
			return
		}
		o.stream(w, r)
	})
	srv := &http.Server{Addr: o.cfg.Listen, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { <-ctx.Done(); _ = srv.Close() }()
	o.cfg.Logf("flow observer: serving flows on %s (token in %s)", o.cfg.Listen, o.cfg.TokenFile)
	err := srv.ListenAndServe()
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// stream sends flow lines as they come, flushed at least every 50 ms, and a
// stats line every second (also a heartbeat for the reader).
func (o *Observer) stream(w http.ResponseWriter, r *http.Request) {
	s := &subscriber{lines: make(chan []byte, 1<<16)}
	o.mu.Lock()
	o.subs[s] = struct{}{}
	o.mu.Unlock()
	defer func() {
		o.mu.Lock()
		delete(o.subs, s)
		o.mu.Unlock()
	}()
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	bw := bufio.NewWriterSize(w, 64*1024)
	flush := func() bool {
		if err := bw.Flush(); err != nil {
			return false
		}
		if flusher != nil {
			flusher.Flush()
		}
		return true
	}
	stats := func() []byte {
		b := []byte(`{"t":`)
		b = strconv.AppendInt(b, time.Now().UnixMilli(), 10)
		b = append(b, `,"ev":"stats","events":`...)
		b = strconv.AppendUint(b, o.events.Load(), 10)
		b = append(b, `,"overruns":`...)
		b = strconv.AppendUint(b, o.overruns.Load(), 10)
		b = append(b, `,"dropped":`...)
		b = strconv.AppendUint(b, s.dropped.Load(), 10)
		return append(b, "}\n"...)
	}
	_, _ = bw.Write(stats())
	if !flush() {
		return
	}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	lastStats := time.Now()
	dirty := false
	for {
		select {
		case <-r.Context().Done():
			return
		case line := <-s.lines:
			if _, err := bw.Write(line); err != nil {
				return
			}
			dirty = true
		case <-tick.C:
			if time.Since(lastStats) >= time.Second {
				_, _ = bw.Write(stats())
				lastStats = time.Now()
				dirty = true
			}
			if dirty {
				if !flush() {
					return
				}
				dirty = false
			}
		}
	}
}
