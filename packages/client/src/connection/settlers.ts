/**
 * A promise and its settle functions without a closure per promise (the
 * executor `new Promise` wants is one function for every promise made here).
 */

let lastResolve: (value: unknown) => void = () => {};
let lastReject: (reason: unknown) => void = () => {};

function capture(resolve: (value: unknown) => void, reject: (reason: unknown) => void): void {
  lastResolve = resolve;
  lastReject = reject;
}

/**
 * A new pending promise; take its settle functions at once with
 * {@link resolverOfLast} and {@link rejecterOfLast} (before the next call).
 *
 * @example
 * ```ts
 * const promise = pending<number>();
 * const resolve = resolverOfLast<number>();
 * resolve(1);
 * ```
 */
export function pending<T>(): Promise<T> {
  return new Promise(capture) as Promise<T>;
}

/**
 * The resolve function of the promise {@link pending} made last.
 *
 * @example
 * ```ts
 * const promise = pending<string>();
 * resolverOfLast<string>()("done");
 * ```
 */
export function resolverOfLast<T>(): (value: T | PromiseLike<T>) => void {
  return lastResolve;
}

/**
 * The reject function of the promise {@link pending} made last.
 *
 * @example
 * ```ts
 * const promise = pending<string>();
 * rejecterOfLast()(new Error("no"));
 * ```
 */
export function rejecterOfLast(): (reason: unknown) => void {
  return lastReject;
}
