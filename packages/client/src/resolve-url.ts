/** The absolute http(s) URL of a request, from what the caller (or a hook) gave. */
import { InvalidRequestError } from "./errors.ts";
import { applyQuery, type QueryInput } from "./options.ts";

/**
 * Resolves `input` against the session's base URL and appends `query`.
 * Throws InvalidRequestError for an unparsable URL or a scheme other than http(s).
 */
export function resolveUrl(
  baseUrl: URL | undefined,
  input: string | URL,
  query: QueryInput | undefined,
): URL {
  let url: URL;
  try {
    url = new URL(input, baseUrl);
  } catch (cause) {
    throw new InvalidRequestError(`invalid URL ${JSON.stringify(String(input))}`, { cause });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new InvalidRequestError(`unsupported URL scheme ${url.protocol}`);
  }
  applyQuery(url, query);
  return url;
}
