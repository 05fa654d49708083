// ES module entry: the same objects as the CommonJS entry (one native addon, one module state).
import api from "./index.js";

export const { Emitter, BroadcastOperator, RESERVED_EVENTS, ERROR_CODES } = api;
export default api;
