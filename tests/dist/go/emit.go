// Emits EVENT to the room "dist" with {"from": EVENT} and two bytes, from a program that
// imports the module `go get` installed: emit REDIS_URL EVENT.
package main

import (
	"fmt"
	"os"

	"github.com/socketio-emitter/socketio-emitter/go/emitter"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintf(os.Stderr, "usage: %s REDIS_URL EVENT\n", os.Args[0])
		os.Exit(2)
	}
	if err := emit(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func emit(url, event string) error {
	io, err := emitter.Connect(url, nil)
	if err != nil {
		return err
	}
	servers, err := io.To("dist").Emit(event, map[string]any{"from": event}, []byte{1, 2})
	if _, closeErr := io.Close(); err == nil {
		err = closeErr
	}
	if err == nil {
		fmt.Println(servers)
	}
	return err
}
