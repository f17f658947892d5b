// A GET with node:http whose body is counted as it streams (nothing kept):
// the node:http contender of the download benchmarks.
import * as http from "node:http";

/** GETs `url` (through `agent`, else the global one) and resolves with the body's length. */
export function nodeHttpBodyLength(url: string, agent?: http.Agent): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    http
      .get(url, agent === undefined ? {} : { agent }, (res) => {
        let n = 0;
        res.on("data", (chunk: Buffer) => {
          n += chunk.length;
        });
        res.on("end", () => resolve(n));
        res.on("error", reject);
      })
      .on("error", reject);
  });
}
