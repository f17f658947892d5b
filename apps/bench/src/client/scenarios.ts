// The scenarios of the client benchmark and the request each one sends.

export interface Scenario {
  /** Short id, used in file names and on the command line. */
  id: string;
  title: string;
  method: "GET" | "POST";
  path: string;
  /** Request body (POST), sent with Content-Length. */
  upload: Uint8Array | null;
  /** Bytes every response body must have. */
  expectedBody: number;
  /** Requests in flight at once. */
  inFlight: number;
  /** Connections each contender may open to the server. */
  connections: number;
}

/** Connections each contender may open in every scenario. */
export const CONNECTIONS = 50;

const UPLOAD_128K = new Uint8Array(128 * 1024).fill(0x62);

export const SCENARIOS: readonly Scenario[] = [
  {
    id: "get-64k",
    title: "GET keep-alive, 64 KiB body, 50 connections, 100 in flight",
    method: "GET",
    path: "/64k",
    upload: null,
    expectedBody: 64 * 1024,
    inFlight: 100,
    connections: CONNECTIONS,
  },
  {
    id: "get-tiny",
    title: "GET keep-alive, 16 B body, 50 connections, 100 in flight",
    method: "GET",
    path: "/tiny",
    upload: null,
    expectedBody: 16,
    inFlight: 100,
    connections: CONNECTIONS,
  },
  {
    id: "post-128k",
    title: "POST 128 KiB body (16 B answer), 50 connections, 100 in flight",
    method: "POST",
    path: "/echo-length",
    upload: UPLOAD_128K,
    expectedBody: 16,
    inFlight: 100,
    connections: CONNECTIONS,
  },
];

/** Headers every contender sends for a scenario (besides what it adds itself). */
export function scenarioHeaders(scenario: Scenario): Record<string, string> {
  return scenario.upload === null ? {} : { "x-expect-length": String(scenario.upload.length) };
}

export function checkResponse(
  contender: string,
  scenario: Scenario,
  status: number,
  length: number,
): void {
  if (status !== 200 || length !== scenario.expectedBody) {
    throw new Error(
      `${contender}/${scenario.id}: status ${status}, body ${length} bytes (want 200, ${scenario.expectedBody})`,
    );
  }
}
