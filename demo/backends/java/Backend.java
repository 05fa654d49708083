// The demo's Java backend: emits to everyone, to rooms, to /admin and a PNG, once a second.
//
//   REDIS_URL=redis://127.0.0.1:6379 java -cp socketio-emitter.jar:jna.jar Backend.java

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import socketio.emitter.Emitter;

public class Backend {
    static final String LANG = "Java";

    public static void main(String[] args) throws Exception {
        String url = Optional.ofNullable(System.getenv("REDIS_URL")).orElse("redis://127.0.0.1:6379");
        long interval = Long.parseLong(Optional.ofNullable(System.getenv("DEMO_INTERVAL_MS")).orElse("1000"));
        byte[] image = Files.readAllBytes(Path.of(System.getenv("DEMO_IMAGE")));

        try (Emitter io = Emitter.connect(url)) {
            for (long tick = 1; ; tick++) {
                String text = "hello from " + LANG + " #" + tick;
                io.emit("message", Map.of("lang", LANG, "text", text));
                io.to("news").emit("message", Map.of("lang", LANG, "room", "news", "text", text));
                io.to("sports").emit("message", Map.of("lang", LANG, "room", "sports", "text", text));
                io.of("/admin").emit("message", Map.of("lang", LANG, "text", text));
                io.emit("image", Map.of("lang", LANG, "text", text), image); // byte[] arrives as binary
                Thread.sleep(interval);
            }
        }
    }
}
