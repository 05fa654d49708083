package example.notify;

import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import socketio.emitter.Emitter;
import socketio.emitter.EmitterException;

// snippet: spring-controller
@RestController
class MessagesController {
    private final Emitter io;

    MessagesController(Emitter io) {
        this.io = io;
    }

    @PostMapping("/rooms/{room}/messages")
    @ResponseStatus(HttpStatus.ACCEPTED)
    Map<String, Long> post(@PathVariable String room, @RequestBody Map<String, Object> message) {
        return Map.of("servers", io.to(room).emit("message", message));
    }

    @ExceptionHandler
    @ResponseStatus(HttpStatus.SERVICE_UNAVAILABLE)
    Map<String, String> failed(EmitterException e) { // CONNECTION, TIMEOUT, ENCODE, ...
        return Map.of("error", e.getErrorCode());
    }
}
// end snippet
