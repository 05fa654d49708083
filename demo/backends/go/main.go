// The demo's Go backend: emits to everyone, to rooms, to /admin and a PNG, once a second.
//
//	REDIS_URL=redis://127.0.0.1:6379 go run .
package main

import (
	_ "embed"
	"fmt"
	"log"
	"os"
	"strconv"
	"time"

	"github.com/socketio-emitter/socketio-emitter/go/emitter"
)

const lang = "Go"

//go:embed image.png
var image []byte

func main() {
	url := os.Getenv("REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379"
	}
	intervalMs, err := strconv.Atoi(os.Getenv("DEMO_INTERVAL_MS"))
	if err != nil {
		intervalMs = 1000
	}
	io, err := emitter.Connect(url, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer io.Close()
	for tick := 1; ; tick++ {
		text := fmt.Sprintf("hello from %s #%d", lang, tick)
		emits := []struct {
			target *emitter.Emitter
			event  string
			args   []any
		}{
			{io, "message", []any{map[string]any{"lang": lang, "text": text}}},
			{io.To("news"), "message", []any{map[string]any{"lang": lang, "room": "news", "text": text}}},
			{io.To("sports"), "message", []any{map[string]any{"lang": lang, "room": "sports", "text": text}}},
			{io.Of("/admin"), "message", []any{map[string]any{"lang": lang, "text": text}}},
			// A []byte arrives as binary.
			{io, "image", []any{map[string]any{"lang": lang, "text": text}, image}},
		}
		for _, e := range emits {
			if _, err := e.target.Emit(e.event, e.args...); err != nil {
				log.Fatal(err)
			}
		}
		time.Sleep(time.Duration(intervalMs) * time.Millisecond)
	}
}
