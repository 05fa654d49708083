// The ES module entry has the same types.
import { Emitter } from "socketio-emitter";
import api from "socketio-emitter";

const io: Emitter = new Emitter("redis://localhost:6379");
const same: typeof Emitter = api.Emitter;
export const promise: Promise<number> = io.emit("ev", 1);
export { same };
