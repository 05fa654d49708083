// A NestJS app with one endpoint: POST /users/:userId/orders/:id/status with a JSON body
// {"status": ...} tells that user's sockets (room `user:<userId>`) with an "orderUpdated" event.
// REDIS_URL says where Redis is, PORT where to listen. Compile it as Nest projects are compiled
// (tsc with experimentalDecorators and emitDecoratorMetadata).
import "reflect-metadata";
import { Body, Controller, HttpCode, Injectable, Module, OnModuleDestroy, Param, Post } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import { Emitter } from "socketio-emitter";

interface Order {
  id: string;
  status: string;
}

interface ServerToClientEvents {
  orderUpdated: (order: Order) => void;
}

@Injectable()
export class RealtimeService implements OnModuleDestroy {
  // `key` must be the key of the Socket.IO servers' Redis adapter, here
  // createAdapter(pub, sub, { key: "my-app" }). With any other key every emit still succeeds,
  // reaches no server, and resolves to 0.
  private readonly io = new Emitter<ServerToClientEvents>(process.env.REDIS_URL!, { key: "my-app" });

  orderUpdated(userId: string, order: Order): Promise<number> {
    return this.io.to(`user:${userId}`).emit("orderUpdated", order); // checked against the events map
  }

  async onModuleDestroy(): Promise<void> {
    await this.io.close(); // waits for what is still being sent
  }
}

@Controller("users/:userId/orders")
export class OrdersController {
  constructor(private readonly realtime: RealtimeService) {}

  @Post(":id/status")
  @HttpCode(202)
  async setStatus(
    @Param("userId") userId: string,
    @Param("id") id: string,
    @Body() body: { status: string },
  ): Promise<{ servers: number }> {
    const servers = await this.realtime.orderUpdated(userId, { id, status: body.status });
    return { servers };
  }
}

@Module({ controllers: [OrdersController], providers: [RealtimeService] })
export class AppModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create(AppModule, { logger: ["error", "warn"] });
  app.enableShutdownHooks(); // SIGTERM closes the module, so the emitter
  await app.listen(Number(process.env.PORT ?? 3000), "127.0.0.1");
  console.log(`listening on ${await app.getUrl()}`);
}

void main();
