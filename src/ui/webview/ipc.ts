// Typed messages between a panel host and its webview. A descriptor names one message and its
// parameters; both sides create and recognise messages only through descriptors, so a renamed or
// reshaped message fails to compile on both sides instead of being silently ignored at run time.
// Panel-agnostic: it holds no scaling types and can serve the next panel as it is.

export interface Envelope<M extends string, P> {
  readonly method: M;
  readonly params: P;
}

export interface MessageDescriptor<M extends string, P> {
  readonly method: M;
  /** The message to post. */
  create(...params: P extends void ? [] : [params: P]): Envelope<M, P>;
  /** True when a received value is this message (method matches and the parameters pass the check). */
  is(value: unknown): value is Envelope<M, P>;
}

/** A message descriptor; `check` validates parameters that arrive from the other side. */
export function message<M extends string, P = void>(
  method: M,
  check: (params: unknown) => boolean = () => true,
): MessageDescriptor<M, P> {
  return {
    method,
    create: (...params) => ({ method, params: params[0] as P }),
    is: (value: unknown): value is Envelope<M, P> =>
      typeof value === 'object' &&
      value !== null &&
      (value as { method?: unknown }).method === method &&
      check((value as { params?: unknown }).params),
  };
}

export interface MessageHandler {
  readonly method: string;
  /** Runs the handler when the value is its message; false otherwise. */
  handle(value: unknown): boolean;
}

/** Binds a handler to a descriptor, for `dispatch`. */
export function on<M extends string, P>(
  descriptor: MessageDescriptor<M, P>,
  handler: (params: P) => void,
): MessageHandler {
  return {
    method: descriptor.method,
    handle: (value) => {
      if (!descriptor.is(value)) return false;
      handler(value.params);
      return true;
    },
  };
}

/** Hands a received value to the first handler whose descriptor recognises it; false when none does. */
export function dispatch(value: unknown, handlers: readonly MessageHandler[]): boolean {
  return handlers.some((h) => h.handle(value));
}
