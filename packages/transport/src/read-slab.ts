/**
 * Where a transport's socket reads land, for runtimes that let the reader
 * choose the buffer (Deno's `conn.read(buffer)`, Node's `onread`).
 *
 * Reads fill a slab: each read is offered the slab's free tail, and what it
 * got is handed out as a view, so one allocation (and one zero-fill) serves
 * several reads and a large read costs no copy. The part handed out is never
 * read into again (callers keep views into chunks); only the free tail is.
 *
 * 128 KiB: a fresh slab takes a full 64 KiB read with room for the next one,
 * and a connection idling on a pending read holds one slab. The very first
 * slab is smaller (FIRST_SLAB): many connections only ever read one small reply.
 *
 * Reply sizing: the first region offered after a write (a reply follows)
 * retires a tail smaller than the previous reply's viewed bytes, and when two
 * such replies would not fit in SLAB_SIZE its fresh slab is sized to one plus
 * REPLY_MARGIN. A keep-alive connection getting the same ~64 KiB response again
 * and again then reads each in one piece (no copy in the body reader; a tail
 * just short of it split it in two) and allocates ~70 KiB per response, not
 * 128 KiB per two plus a 64 KiB copy. Reads with no write in between (a
 * stream) fill slabs whole.
 *
 * The price: a kept chunk (over COPY_AT_MOST) keeps its whole slab alive, at
 * most four times its size. A trade of memory for speed, measured on the GET
 * 64 KiB bench against Deno's fetch (before the reply sizing): copying reads
 * up to 16 KiB gave 1.5× (but a kept view could pin 8× its size), up to
 * 32 KiB 1.3×, up to 64 KiB 1.2×.
 *
 * @example
 * ```ts
 * import { ReadSlab } from "@reqivo/transport/kit";
 * const slab = new ReadSlab(); // zero-filled slabs; see the constructor for uninitialized ones
 * const region = slab.region(); // hand this to the socket's next read
 * region.set([104, 105]); // the socket wrote two bytes into it
 * const chunk = slab.take(2); // Uint8Array [104, 105], the caller's to keep
 * ```
 */
export class ReadSlab {
  #slab: Uint8Array | null = null;
  /** Where the slab's free tail starts. */
  #offset = 0;
  /** The region last offered (`region()` returns the same object while nothing changed). */
  #region: Uint8Array | null = null;
  /** Bytes handed out as views since the last write: this reply so far. */
  #replyViewed = 0;
  /** What the last reply's views came to (up to SLAB_SIZE), when the write after it came. */
  #lastReply = 0;
  #wroteSinceRegion = false;
  /** Whether a slab was allocated yet: the first is FIRST_SLAB. */
  #hadSlab = false;
  readonly #allocateUninitialized: ((size: number) => Uint8Array) | null;
  /**
   * With uninitialized slabs: where the bytes no read has written yet start.
   * They are zeroed before a view into the slab is handed out, so no chunk's
   * `.buffer` ever shows leftover process memory.
   */
  #writtenTo = 0;

  /**
   * @param allocateUninitialized Allocates a slab without zero-filling it
   * (e.g. `Buffer.allocUnsafeSlow` on Node, never a pooled buffer). Zeroing a
   * fresh slab cost ~14 µs per 64 KiB response on Node; with this, only the
   * part no read filled is zeroed, and only when a view is handed out.
   */
  constructor(allocateUninitialized?: (size: number) => Uint8Array) {
    this.#allocateUninitialized = allocateUninitialized ?? null;
  }

  /**
   * The buffer the next read should fill: the current slab's free tail, or a
   * fresh slab when the tail is too small (see the class notes). The same
   * object as before while neither a read nor a write came in between, so a
   * caller can tell whether the region it handed out is still the one to use.
   */
  region(): Uint8Array {
    let wantTail = 0;
    if (this.#wroteSinceRegion) {
      this.#wroteSinceRegion = false;
      wantTail = Math.min(this.#replyViewed, SLAB_SIZE);
      this.#lastReply = wantTail;
      this.#replyViewed = 0;
    }
    const slab = this.#slab;
    const tail = slab === null ? 0 : slab.byteLength - this.#offset;
    if (slab === null || tail < MIN_READ || tail < wantTail) {
      // A tail used up between two replies (no write yet) is replaced by a
      // slab sized for the last reply too: the next reply, asked for by the
      // coming write, then finds it big enough. A full-size slab there was
      // left half unused, and the write retired it for a reply-sized one
      // (GET 64 KiB keep-alive: 98.3 → ~70 KiB allocated per response).
      const sizedFor = wantTail === 0 ? this.#lastReply : wantTail;
      const size = !this.#hadSlab
        ? FIRST_SLAB
        : sizedFor === 0 || 2 * sizedFor <= SLAB_SIZE
          ? SLAB_SIZE
          : Math.min(SLAB_SIZE, sizedFor + REPLY_MARGIN);
      this.#hadSlab = true;
      if (this.#allocateUninitialized === null) {
        this.#slab = new Uint8Array(size);
        this.#writtenTo = size;
      } else {
        this.#slab = this.#allocateUninitialized(size);
        this.#writtenTo = 0;
      }
      this.#offset = 0;
      this.#region = null;
    }
    this.#region ??= this.#slab!.subarray(this.#offset);
    return this.#region;
  }

  /**
   * Takes the `count` bytes the last read put at the start of `region()`.
   * Up to COPY_AT_MOST they are copied out and the region is read into again
   * (a kept small chunk then pins no slab); larger reads are handed out as a
   * view and the tail moves past them.
   */
  take(count: number): Uint8Array {
    if (count > COPY_AT_MOST) return this.takeView(count);
    const start = this.#offset;
    const end = start + count;
    if (end > this.#writtenTo) this.#writtenTo = end;
    return this.#slab!.slice(start, end);
  }

  /**
   * Like {@link take}, but a view whatever the size: for a reader whose
   * caller copies the small pieces it keeps (`Connection.shareReads`), so a
   * small read costs no allocation. A kept view keeps its whole slab alive.
   */
  takeView(count: number): Uint8Array {
    const slab = this.#slab!;
    const start = this.#offset;
    const end = start + count;
    if (end > this.#writtenTo) this.#writtenTo = end;
    if (this.#writtenTo < slab.byteLength) {
      slab.fill(0, this.#writtenTo);
      this.#writtenTo = slab.byteLength;
    }
    this.#offset = end;
    this.#region = null;
    this.#replyViewed += count;
    return slab.subarray(start, end);
  }

  /** Notes a write: the next `region()` sizes itself for the reply. */
  wrote(): void {
    this.#wroteSinceRegion = true;
  }

  /** Drops the slab (the connection ended); a later `region()` starts afresh. */
  release(): void {
    this.#slab = null;
    this.#region = null;
    this.#offset = 0;
  }
}

const SLAB_SIZE = 128 * 1024;
/** A tail smaller than this is retired for a fresh slab: tiny reads would split large responses. */
const MIN_READ = 16 * 1024;
/**
 * The first slab, before any reply showed its size; it serves one read (its
 * tail is then under MIN_READ) and full slabs follow. A connection opened
 * for one small response (`connection: close`, a new origin) paid a whole
 * 128 KiB slab's allocation, page faults and zero-fill for it. A new
 * connection per 16 B GET on Node, 8 alternating pairs: CPU per request
 * (median) 270 → 256 µs, system 45 → 42 µs, `ReadSlab.takeView` 6.0 → 0.9 %
 * of the profile; keep-alive GETs unchanged in instructions per request
 * (apps/bench/results/2026-12-07-s14-origins.md).
 */
const FIRST_SLAB = MIN_READ;
/**
 * Room beyond the last reply's size in a reply-sized slab, for replies that
 * differ a little (a date, a length). Every byte of a slab is zero-filled or
 * allocated per reply (Deno has no uninitialized allocation: ~12 µs per
 * 82 KiB there), so the margin is kept small.
 */
const REPLY_MARGIN = 4 * 1024;
/**
 * Reads up to this size are copied out and their slab region read into again:
 * a chunk the caller keeps then pins no slab (a kept view never holds more
 * than four times its size alive), and TLS (whose reads are one record, at most
 * 16 KiB) uses the slab as a reusable scratch buffer.
 */
const COPY_AT_MOST = SLAB_SIZE / 4;
