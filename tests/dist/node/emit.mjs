// One awaited emit from the installed package, imported as an ES module.
import { createRequire } from "node:module";
import { Emitter } from "socketio-emitter";

const require = createRequire(import.meta.url);
const where = require.resolve("socketio-emitter");
if (!where.includes("/node_modules/socketio-emitter/")) throw new Error(`loaded from ${where}`);

const io = new Emitter(process.argv[2]);
await io.to("dist").emit("dist-node", { from: "dist-node" }, Buffer.from([1, 2]));
await io.close();
console.log("dist-node");
