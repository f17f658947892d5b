/**
 * --ws URL: an interactive WebSocket session on `session.websocket()`. Each
 * line of stdin is sent as a text message; each message received is printed
 * on its own line (text as is — JSON re-indented and coloured on a terminal —
 * binary as a note with its size). End of stdin (Ctrl-D) closes with 1000;
 * the server closing ends the run. Connection notes go to stderr.
 */
import { createInterface } from "node:readline";
import { Session, type SessionOptions } from "@reqivo/node";
import { type Args, normalizeUrl } from "./args.ts";
import { CliError } from "./errors.ts";
import { VERSION } from "./help.ts";
import type { Io } from "./main.ts";
import { sessionNetworkOptions } from "./network.ts";
import { styleFor } from "./output.ts";
import { SessionFile } from "./session-file.ts";
import { C, isJson, paint, styleJson } from "./style.ts";

export async function runWebSocket(args: Args, io: Io): Promise<number> {
  const url = normalizeUrl(args.ws!, ["ws", "wss"]);
  const sessionFile = args.session === undefined ? undefined : await SessionFile.open(args.session);
  const out = styleFor(args.pretty, io.stdout.isTTY, io.env);
  const note = styleFor(args.pretty, io.stderr.isTTY, io.env);
  const headers: [string, string][] = [["User-Agent", `reqivo/${VERSION}`]];
  for (const item of args.items) if (item.kind === "header") headers.push([item.name, item.value]);

  const session = new Session({
    ...(await sessionNetworkOptions(args.network)),
    ...(args.timeout === undefined
      ? {}
      : { timeout: { connect: args.timeout, headers: args.timeout } }),
    cookies: (sessionFile?.cookieJar as SessionOptions["cookies"]) ?? true,
  });
  let lines: ReturnType<typeof createInterface> | undefined;
  try {
    const ws = await session.websocket(url, { headers });
    // Only now: lines read before anyone iterates would be lost.
    const input = createInterface({ input: io.stdin, crlfDelay: Number.POSITIVE_INFINITY });
    lines = input;
    await io.stderr.write(
      paint(
        note.colors,
        C.dim,
        `Connected to ${ws.url}${ws.protocol ? ` (subprotocol ${ws.protocol})` : ""}; each line is sent, end of input closes.`,
      ) + "\n",
    );

    const printing = (async () => {
      for await (const message of ws) {
        let text: string;
        if (typeof message === "string") {
          text = (out.format || out.colors) && isJson(message) ? styleJson(message, out) : message;
        } else {
          text = `[binary message: ${message.length} bytes]`;
        }
        await io.stdout.write(`${out.colors ? paint(true, C.green, "« ") : ""}${text}\n`);
      }
    })();

    const sending = (async () => {
      for await (const line of input) {
        if (ws.readyState !== ws.OPEN) break;
        await ws.send(line);
      }
      if (ws.readyState === ws.OPEN) await ws.close(1000, "");
    })();

    const info = await ws.closed;
    input.close();
    io.stdin.pause();
    await printing;
    await sending.catch(() => undefined);
    await io.stderr.write(
      paint(note.colors, C.dim, `Closed: ${info.code}${info.reason ? ` ${info.reason}` : ""}`) +
        "\n",
    );
    if (!info.wasClean && info.code !== 1000) {
      const code = (info.error as { code?: string } | undefined)?.code ?? "WEBSOCKET_CLOSED";
      throw new CliError(
        code,
        `connection closed abnormally (${info.code})${info.error ? `: ${info.error.message}` : ""}`,
      );
    }
    return 0;
  } finally {
    lines?.close();
    await session.close();
  }
}
