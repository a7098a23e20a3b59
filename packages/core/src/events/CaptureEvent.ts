/**
 * The one shape every event takes on its way to PostHog: plain data, ready for
 * PostHog's Node client's `capture` (a `Date` timestamp, an explicit `uuid`).
 *
 * @since 0.1.0
 */

/**
 * A scalar property value. Only numbers, booleans and short, whitelisted
 * strings ever leave the machine.
 *
 * @since 0.1.0
 * @category models
 */
export type PropertyScalar = number | boolean | string

/**
 * A property value: a scalar, or a flat object of scalars (`$set`, `$set_once`).
 *
 * @since 0.1.0
 * @category models
 */
export type PropertyValue = PropertyScalar | Readonly<Record<string, PropertyScalar>>

/**
 * Event properties.
 *
 * @since 0.1.0
 * @category models
 */
export type Properties = Readonly<Record<string, PropertyValue>>

/**
 * An event ready to capture. `timestamp` is a `Date` (the Node client's
 * `EventMessage.timestamp` is typed `Date`), `uuid` is deterministic so a retry
 * dedupes.
 *
 * @since 0.1.0
 * @category models
 */
export interface CaptureEvent {
  readonly event: string
  readonly distinctId: string
  readonly uuid: string
  readonly timestamp: Date
  readonly properties: Properties
}

/**
 * One event as one line of JSON (timestamp as an ISO string), the way dry runs
 * print them.
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatEventLine = (event: CaptureEvent): string =>
  JSON.stringify({
    event: event.event,
    distinctId: event.distinctId,
    uuid: event.uuid,
    timestamp: event.timestamp.toISOString(),
    properties: event.properties
  })
