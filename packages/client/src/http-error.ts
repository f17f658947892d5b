/** The error `throwOnHttpError` raises: it carries the Response, so it lives beside it, not in the leaf errors.ts. */
import { brandErrorClass, ReqivoError } from "./errors.ts";
import type { Response } from "./response.ts";

/**
 * A 4xx or 5xx answer when `throwOnHttpError` is on. The response is attached
 * (its body unread: read it or call `dump()`).
 *
 * @example
 * ```ts
 * import { HttpError } from "@reqivo/client";
 * try { await session.get(url, { throwOnHttpError: true }); }
 * catch (e) { if (e instanceof HttpError) console.log(e.response.status, await e.response.text()); }
 * ```
 */
export class HttpError extends ReqivoError {
  static {
    brandErrorClass(HttpError, "HttpError");
  }

  readonly response: Response;
  constructor(response: Response) {
    super("HTTP_ERROR", `HTTP ${response.status} ${response.statusText} from ${response.url}`);
    this.response = response;
  }
}
