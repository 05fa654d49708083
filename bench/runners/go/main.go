// The Go runner of `make bench`, over bindings-c/go (cgo to libsocketio_emitter).
//
//	go_runner URL PAYLOAD sync|queue SECONDS WARMUP
//
// The JSON payloads are decoded from bench/payloads.json into structs (field order is the
// JSON key order, as a Go service would declare them); bin64k is a []byte. sync: Emit one
// at a time; queue: Enqueue until the time is up, then one Flush.
// Prints {"ops":N,"secs":S,"receivers":R,"cpu_s":C}: C is the process's CPU time (user +
// system, every thread) in the timed run.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	emitter "github.com/socketio-emitter/socketio-emitter/go/emitter"
)

const checkEvery = 128

type small struct {
	User string `json:"user"`
	Text string `json:"text"`
	N    int    `json:"n"`
}

type item struct {
	Sku   string   `json:"sku"`
	Name  string   `json:"name"`
	Qty   int      `json:"qty"`
	Cents int      `json:"cents"`
	Tags  []string `json:"tags"`
}

type order struct {
	Type  string `json:"type"`
	ID    string `json:"id"`
	Note  string `json:"note"`
	Items []item `json:"items"`
}

type payloads struct {
	Small  small `json:"small"`
	JSON1k order `json:"json1k"`
}

func payload(name, file string) (any, error) {
	if name == "bin64k" {
		b := make([]byte, 65536)
		for i := range b {
			b[i] = byte((i*31 + 7) % 256)
		}
		return b, nil
	}
	text, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var all payloads
	if err := json.Unmarshal(text, &all); err != nil {
		return nil, err
	}
	if name == "small" {
		return all.Small, nil
	}
	return all.JSON1k, nil
}

func run(room *emitter.Emitter, arg any, mode string, seconds float64) (map[string]any, error) {
	start := time.Now()
	limit := time.Duration(seconds * float64(time.Second))
	var ops, receivers uint64
	for time.Since(start) < limit {
		for i := 0; i < checkEvery; i++ {
			if mode == "sync" {
				n, err := room.Emit("bench", arg)
				if err != nil {
					return nil, err
				}
				receivers += n
			} else if _, err := room.Enqueue("bench", arg); err != nil {
				return nil, err
			}
		}
		ops += checkEvery
	}
	if mode != "sync" {
		report, err := room.Flush()
		if err != nil {
			return nil, err
		}
		receivers = report.Receivers
	}
	return map[string]any{"ops": ops, "secs": time.Since(start).Seconds(), "receivers": receivers}, nil
}

// cpuSeconds is this process's CPU time so far, user + system, all threads.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		fail(err)
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime)
}

func main() {
	if len(os.Args) != 6 {
		fmt.Fprintln(os.Stderr, "usage: go_runner URL PAYLOAD sync|queue SECONDS WARMUP")
		os.Exit(2)
	}
	url, name, mode := os.Args[1], os.Args[2], os.Args[3]
	seconds, _ := strconv.ParseFloat(os.Args[4], 64)
	warmup, _ := strconv.ParseFloat(os.Args[5], 64)
	exe, _ := os.Executable()
	file := os.Getenv("BENCH_PAYLOADS")
	if file == "" {
		file = filepath.Join(filepath.Dir(exe), "..", "payloads.json")
	}
	arg, err := payload(name, file)
	if err != nil {
		fail(err)
	}
	io, err := emitter.Connect(url, nil)
	if err != nil {
		fail(err)
	}
	room := io.To("room1")
	if _, err := run(room, arg, mode, warmup); err != nil {
		fail(err)
	}
	cpuStart := cpuSeconds()
	result, err := run(room, arg, mode, seconds)
	if err != nil {
		fail(err)
	}
	result["cpu_s"] = cpuSeconds() - cpuStart
	if _, err := io.Close(); err != nil {
		fail(err)
	}
	out, _ := json.Marshal(result)
	fmt.Println(string(out))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "go_runner:", err)
	os.Exit(1)
}
