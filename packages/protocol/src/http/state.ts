/**
 * The HTTP/1.1 connection state machine, as data (after h11): each side of the
 * connection has a state, events move it along the tables below, and a few
 * rules that depend on both sides live in {@link ConnectionState}.
 */

/** Who we are on this connection. */
export type Role = "client" | "server";

/** One side's state. */
export type SideState =
  | "IDLE"
  | "SEND_RESPONSE"
  | "SEND_BODY"
  | "DONE"
  | "MUST_CLOSE"
  | "CLOSED"
  | "MIGHT_SWITCH_PROTOCOL"
  | "SWITCHED_PROTOCOL"
  | "ERROR";

/** Event names that move a side's state. */
export type TransitionEvent =
  | "request"
  | "informational"
  | "response"
  | "data"
  | "end"
  | "closed"
  | "upgrade";

type Table = Partial<Record<SideState, Partial<Record<TransitionEvent, SideState>>>>;

/** Which events each side may produce in each state, and where they lead. */
export const TRANSITIONS: Readonly<Record<Role, Table>> = {
  client: {
    IDLE: { request: "SEND_BODY", closed: "CLOSED" },
    SEND_BODY: { data: "SEND_BODY", end: "DONE" },
    DONE: { closed: "CLOSED" },
    MUST_CLOSE: { closed: "CLOSED" },
    CLOSED: { closed: "CLOSED" },
  },
  server: {
    IDLE: { closed: "CLOSED", response: "SEND_BODY" },
    SEND_RESPONSE: {
      informational: "SEND_RESPONSE",
      response: "SEND_BODY",
      upgrade: "SWITCHED_PROTOCOL",
    },
    SEND_BODY: { data: "SEND_BODY", end: "DONE" },
    DONE: { closed: "CLOSED" },
    MUST_CLOSE: { closed: "CLOSED" },
    CLOSED: { closed: "CLOSED" },
  },
};

/**
 * TRANSITIONS compiled into flat `[state, event, next, …]` lists, looked up on
 * every event. Indexing plain objects by variable string keys made V8's
 * property caches go megamorphic (a top entry in profiles), and Map lookups
 * hash; a short scan comparing interned strings by identity is cheaper. Same
 * data as the table above.
 */
function compile(table: Table): readonly string[] {
  const flat: string[] = [];
  for (const [state, events] of Object.entries(table)) {
    for (const [event, next] of Object.entries(events)) flat.push(state, event, next);
  }
  return flat;
}

const CLIENT_TRANSITIONS = compile(TRANSITIONS.client);
const SERVER_TRANSITIONS = compile(TRANSITIONS.server);

function lookup(
  flat: readonly string[],
  state: SideState,
  event: TransitionEvent,
): SideState | undefined {
  for (let i = 0; i < flat.length; i += 3) {
    if (flat[i] === state && flat[i + 1] === event) return flat[i + 2] as SideState;
  }
  return undefined;
}

/** Both sides' states and the rules that tie them together. */
export class ConnectionState {
  client: SideState = "IDLE";
  server: SideState = "IDLE";
  /** Cleared by `Connection: close`, HTTP/1.0 without keep-alive, read-until-close bodies, errors. */
  keepAlive = true;
  /** The client's request asked to switch protocols (Upgrade header or CONNECT). */
  clientProposedSwitch = false;
  /**
   * The client's request carried an Upgrade header: only then may the answer
   * be a 101 (RFC 9110 §15.2.2). A CONNECT alone switches on a 2xx, never a 101.
   */
  clientOfferedUpgrade = false;

  /** Applies `event` produced by `role`; returns false when the table forbids it. */
  process(role: Role, event: TransitionEvent): boolean {
    const isClient = role === "client";
    const next = isClient
      ? lookup(CLIENT_TRANSITIONS, this.client, event)
      : lookup(SERVER_TRANSITIONS, this.server, event);
    if (next === undefined) return false;
    if (isClient) this.client = next;
    else this.server = next;
    if (role === "client" && event === "request") {
      // The server owes a response the moment a request starts.
      if (this.server === "IDLE") this.server = "SEND_RESPONSE";
    }
    if (role === "server" && event === "upgrade") this.client = "SWITCHED_PROTOCOL";
    this.#settle();
    return true;
  }

  /** Marks the connection as not reusable after the current exchange. */
  disableKeepAlive(): void {
    this.keepAlive = false;
    this.#settle();
  }

  /** Puts both sides in ERROR: nothing more may be sent or received. */
  fail(): void {
    this.client = "ERROR";
    this.server = "ERROR";
    this.keepAlive = false;
  }

  /** True when both sides are done and the connection may carry another exchange. */
  get canStartNextCycle(): boolean {
    return this.client === "DONE" && this.server === "DONE" && this.keepAlive;
  }

  /** Resets both sides to IDLE for the next request. Check `canStartNextCycle` first. */
  startNextCycle(): void {
    this.client = "IDLE";
    this.server = "IDLE";
    this.clientProposedSwitch = false;
    this.clientOfferedUpgrade = false;
  }

  // State-triggered rules, applied after every change.
  #settle(): void {
    if (this.clientProposedSwitch && this.client === "DONE") this.client = "MIGHT_SWITCH_PROTOCOL";
    if (
      this.client === "MIGHT_SWITCH_PROTOCOL" &&
      (this.server === "SEND_BODY" || this.server === "DONE")
    ) {
      // The server answered without switching: the proposal is void.
      this.client = "DONE";
      this.clientProposedSwitch = false;
    }
    if (!this.keepAlive) {
      if (this.client === "DONE") this.client = "MUST_CLOSE";
      if (this.server === "DONE") this.server = "MUST_CLOSE";
    }
  }
}
