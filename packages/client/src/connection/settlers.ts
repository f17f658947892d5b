/**
 * A promise and its settle functions without a closure per promise (the
 * executor `new Promise` wants is one function for every promise made here).
 */

function unset(): void {}

// Each slot is emptied when taken: a kept settle function would keep its
// promise, and the value it settled with, alive until the next call.
let lastResolve: (value: unknown) => void = unset;
let lastReject: (reason: unknown) => void = unset;

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
  const resolve = lastResolve;
  lastResolve = unset;
  return resolve;
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
  const reject = lastReject;
  lastReject = unset;
  return reject;
}
