package example.notify;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.context.WebServerInitializedEvent;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;
import socketio.emitter.Emitter;
import socketio.emitter.Options;

/**
 * One endpoint, {@link MessagesController}: POST /rooms/{room}/messages with a JSON body sends
 * that body to the room as a "message" event. REDIS_URL says where Redis is, PORT where to
 * listen.
 */
@SpringBootApplication
public class NotifyApplication {

    public static void main(String[] args) {
        SpringApplication.run(NotifyApplication.class, args);
    }

    // snippet: spring-emitter-bean
    // One emitter for the whole app, closed with the context. The key must be the key of the
    // Socket.IO servers' Redis adapter, here createAdapter(pub, sub, { key: "my-app" }). With
    // any other key every emit still succeeds, reaches no server, and returns 0.
    @Bean(destroyMethod = "close")
    Emitter emitter(@Value("${REDIS_URL:redis://127.0.0.1:6379}") String redisUrl) {
        return Emitter.connect(redisUrl, new Options().key("my-app"));
    }
    // end snippet

    @EventListener
    void onStarted(WebServerInitializedEvent event) {
        System.out.println("listening on http://127.0.0.1:" + event.getWebServer().getPort());
    }

}
