/**
 * The in-memory transport of a recording `Telemetry`: it keeps what was
 * enqueued, and answers the queue on `flush` and `shutdown` as its behaviour
 * says (acknowledge all, reject all, or hold them as a network that is down
 * would).
 *
 * @internal
 */
import type { CaptureEvent } from "@posthog-backfill/core"
import type { Transport, TransportEvents } from "./telemetryEngine.js"

/** @internal */
export type Behaviour =
  | { readonly _tag: "Acknowledge" }
  | { readonly _tag: "Reject"; readonly error: string }
  | { readonly _tag: "Hold" }

/** @internal */
export interface RecordingTransport {
  readonly make: (listener: TransportEvents) => Transport
  readonly events: () => ReadonlyArray<CaptureEvent.CaptureEvent>
  readonly acknowledged: () => ReadonlyArray<string>
  readonly setBehaviour: (behaviour: Behaviour) => void
}

/** @internal */
export const makeRecordingTransport = (initial: Behaviour): RecordingTransport => {
  let behaviour = initial
  const events: Array<CaptureEvent.CaptureEvent> = []
  const acknowledged: Array<string> = []
  let queue: Array<string> = []
  const answer = (listener: TransportEvents) => {
    const batch = queue
    switch (behaviour._tag) {
      case "Acknowledge":
        queue = []
        acknowledged.push(...batch)
        listener.acknowledged(batch)
        break
      case "Reject":
        queue = []
        if (batch.length > 0) listener.failed(behaviour.error)
        break
      case "Hold":
        break
    }
  }
  return {
    make: (listener) => ({
      enqueue: (event) => {
        events.push(event)
        queue.push(event.uuid)
      },
      flush: async () => answer(listener),
      shutdown: async () => {
        answer(listener)
        return queue.length > 0 ? [`${queue.length} event(s) were still queued after shutdown`] : []
      },
      pendingUuids: () => new Set(queue)
    }),
    events: () => events.slice(),
    acknowledged: () => acknowledged.slice(),
    setBehaviour: (next) => {
      behaviour = next
    }
  }
}
