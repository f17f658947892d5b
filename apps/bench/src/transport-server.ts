// Loopback server for transport.bench.ts, run in a child process so that its
// work does not share the client's event loop. Prints its port on stdout.
//   echo mode: every byte comes back (ping-pong).
//   sink mode: counts bytes; after the first 8 bytes (the total, big-endian)
//              and that many more, answers "done".
import * as net from "node:net";

function handle(socket: net.Socket): void {
  socket.setNoDelay(true);
  let mode: "unknown" | "echo" | "sink" = "unknown";
  let expected = -1;
  let received = 0;
  socket.on("data", (chunk: Buffer) => {
    if (mode === "unknown") {
      mode = chunk[0] === 0x53 /* S */ ? "sink" : "echo";
      if (mode === "sink") {
        expected = Number(chunk.readBigUInt64BE(1));
        chunk = chunk.subarray(9);
      }
    }
    if (mode === "echo") {
      socket.write(chunk);
      return;
    }
    received += chunk.length;
    if (received >= expected) socket.write("done");
  });
  socket.on("error", () => {});
}

const server = net.createServer(handle);
server.listen(0, "127.0.0.1", () => {
  const address = server.address() as net.AddressInfo;
  process.stdout.write(`${address.port}\n`);
});
process.on("disconnect", () => server.close());
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
