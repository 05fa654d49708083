// Emits EVENT to the room "dist" with {"from": EVENT} and two bytes, from a program built
// against the installed Maven artifact: Emit REDIS_URL EVENT.
import java.util.Map;
import socketio.emitter.Emitter;

public final class Emit {
    public static void main(String[] args) {
        try (Emitter io = Emitter.connect(args[0])) {
            io.to("dist").emit(args[1], Map.of("from", args[1]), new byte[] {1, 2});
        }
        System.out.println(args[1]);
    }
}
