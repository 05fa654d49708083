// A Gin app with one endpoint: POST /rooms/:room/messages with a JSON body sends that body to
// the room as a "message" event and answers 202 {"servers": N}. REDIS_URL says where Redis is,
// PORT where to listen (0: any free port).
package main

import (
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/gin-gonic/gin"

	"github.com/socketio-emitter/socketio-emitter/go/emitter"
)

// snippet: gin-routes
func routes(io *emitter.Emitter) *gin.Engine {
	r := gin.New()
	r.POST("/rooms/:room/messages", func(c *gin.Context) {
		var message map[string]any
		if err := c.ShouldBindJSON(&message); err != nil {
			c.JSON(http.StatusBadRequest, gin.H{"error": "the body is not a JSON object"})
			return
		}
		servers, err := io.To(c.Param("room")).Emit("message", message)
		var e *emitter.Error
		if errors.As(err, &e) { // e.Code: CONNECTION, TIMEOUT, ENCODE, ...
			c.JSON(http.StatusServiceUnavailable, gin.H{"error": e.Code})
			return
		}
		c.JSON(http.StatusAccepted, gin.H{"servers": servers})
	})
	return r
}

// end snippet

func main() {
	// snippet: gin-connect
	// Key must be the key of the Socket.IO servers' Redis adapter, here
	// createAdapter(pub, sub, { key: "my-app" }). With any other key every Emit still
	// succeeds, reaches no server, and returns 0.
	io, err := emitter.Connect(os.Getenv("REDIS_URL"), &emitter.Options{Key: "my-app"})
	if err != nil {
		log.Fatal(err)
	}
	defer io.Close()
	// end snippet

	gin.SetMode(gin.ReleaseMode)
	listener, err := net.Listen("tcp", "127.0.0.1:"+envOr("PORT", "8080"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening on http://%s\n", listener.Addr())
	server := &http.Server{Handler: routes(io)}
	go func() {
		stop := make(chan os.Signal, 1)
		signal.Notify(stop, syscall.SIGTERM, os.Interrupt)
		<-stop
		server.Close()
	}()
	if err := server.Serve(listener); !errors.Is(err, http.ErrServerClosed) {
		log.Print(err)
	}
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}
