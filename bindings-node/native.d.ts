/** One Redis connection (or none, for an offline encoder) and its channel prefix. */
export declare class NativeEmitter {
  /** Starts the connection task; the connection itself is opened by the first operation. */
  constructor(url: string, options: NativeOptions)
  /** An emitter that only encodes; every publish fails with `CLOSED`. */
  static offline(key: string): NativeEmitter
  get key(): string
  /** Resolves once connected (connecting now if needed). */
  ready(): Promise<number>
  /** Finishes what is in flight, then closes; later operations fail with `CLOSED`. */
  close(): Promise<number>
  emit(nsp: string, rooms: unknown, except: unknown, flags: string, event: string, args: unknown): Promise<number>
  serverSideEmit(nsp: string, event: string, args: unknown): Promise<number>
  socketsJoin(nsp: string, rooms: unknown, except: unknown, join: unknown): Promise<number>
  socketsLeave(nsp: string, rooms: unknown, except: unknown, leave: unknown): Promise<number>
  disconnectSockets(nsp: string, rooms: unknown, except: unknown, close: boolean): Promise<number>
  encodeEmit(nsp: string, rooms: unknown, except: unknown, flags: string, event: string, args: unknown): Encoded
  encodeServerSideEmit(nsp: string, event: string, args: unknown): Encoded
  encodeSocketsJoin(nsp: string, rooms: unknown, except: unknown, join: unknown): Encoded
  encodeSocketsLeave(nsp: string, rooms: unknown, except: unknown, leave: unknown): Encoded
  encodeDisconnectSockets(nsp: string, rooms: unknown, except: unknown, close: boolean): Encoded
}

/** What an operation would publish: the channel and the exact payload bytes. */
export interface Encoded {
  channel: string
  payload: Buffer
}

/**
 * Connection options, already checked and normalised by `emitter.js`; durations are in
 * milliseconds.
 */
export interface NativeOptions {
  key?: string
  tlsCaPem?: string
  connectTimeoutMs?: number
  responseTimeoutMs?: number
  reconnectMinDelayMs?: number
  reconnectMaxDelayMs?: number
  reconnectAttempts?: number
  requireReceivers?: boolean
}
