const QUOTE = 0x22;
const INITIAL_SLOTS = 1024;
/** Counters kept for reuse: one per concurrent download is enough. */
const MAX_IDLE = 16;
/** A counter grown past this many slots (a blob of ~64,000 keys) is not kept. */
const MAX_KEPT_SLOTS = 128 * 1024;
const idle: KeyCounter[] = [];

/**
 * Counts the rows of each correlation key in one blob, exactly, without a JS object per row.
 * Key bytes are copied into one growing arena and found through an open-addressing table of
 * typed arrays. The Map of key strings this replaces kept every key alive for the whole blob
 * (43,000 per 18 MB blob), so they were promoted to the old space: a 1 GB pull ran ~20 more
 * full GCs and spent ~0.5 core-seconds more (bench/README.md, "CSV staging").
 */
export class KeyCounter {
  /**
   * A counter for the next blob, reused when one is idle. Growing a fresh one per blob
   * allocated ~250 KB of arrays per 1 MB blob of unique keys (~240 MB per 700 MB pulled), and
   * that external memory is what makes V8 run full GCs during a pull (bench/README.md).
   */
  static acquire(): KeyCounter {
    return idle.pop() ?? new KeyCounter();
  }

  /** Gives a counter back once its blob is staged; it must not be used again. */
  static release(counter: KeyCounter): void {
    if (idle.length < MAX_IDLE && counter.#slots.length <= MAX_KEPT_SLOTS) {
      counter.#reset();
      idle.push(counter);
    }
  }

  #arena: Buffer = Buffer.allocUnsafe(64 * 1024);
  #arenaUsed = 0;
  /** Entry index + 1 per slot; 0 marks an empty slot. Its length is a power of two. */
  #slots = new Int32Array(INITIAL_SLOTS);
  #hashes = new Int32Array(INITIAL_SLOTS / 2);
  #offsets = new Int32Array(INITIAL_SLOTS / 2);
  #lengths = new Int32Array(INITIAL_SLOTS / 2);
  #counts = new Int32Array(INITIAL_SLOTS / 2);
  #entries = 0;
  /** The entry of the last key counted: consecutive rows of one request share it. */
  #last = -1;
  /** Unescaped bytes of a quoted key that contains doubled quotes (rare). */
  #scratch: Buffer = Buffer.alloc(0);

  /**
   * Counts one row of the key `buf[from, to)` as written in the CSV: a quoted key is the same
   * key as its unquoted text, so `"c1"` and `c1` count together (as DuckDB reads them).
   * Returns how many rows of that key came before (0 for its first row).
   */
  count(buf: Uint8Array, from: number, to: number): number {
    if (to - from >= 2 && buf[from] === QUOTE && buf[to - 1] === QUOTE) {
      for (let i = from + 1; i < to - 1; i += 1) {
        if (buf[i] === QUOTE) {
          const length = this.#unescape(buf, from + 1, to - 1);
          return this.#countBytes(this.#scratch, 0, length);
        }
      }
      return this.#countBytes(buf, from + 1, to - 1);
    }
    return this.#countBytes(buf, from, to);
  }

  /** Forgets every key, keeping the grown arrays. */
  #reset(): void {
    this.#slots.fill(0);
    this.#arenaUsed = 0;
    this.#entries = 0;
    this.#last = -1;
  }

  /** Counts one row of a key given as its text (the first row of a headerless blob). */
  countText(key: string): number {
    const bytes = Buffer.from(key, 'utf8');
    return this.#countBytes(bytes, 0, bytes.length);
  }

  /** Counts one row of the key whose bytes are exactly `bytes[start, end)`. */
  #countBytes(bytes: Uint8Array, start: number, end: number): number {
    const length = end - start;
    const last = this.#last;
    if (last >= 0 && this.#lengths[last] === length && this.#equals(last, bytes, start, length)) {
      return this.#bump(last);
    }
    let hash = 0x811c9dc5 | 0; // int32, as stored: the empty key is hashed by no imul
    for (let i = start; i < end; i += 1) {
      hash = Math.imul(hash ^ (bytes[i] as number), 0x01000193);
    }
    const mask = this.#slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = (this.#slots[slot] as number) - 1;
      if (entry < 0) {
        const added = this.#add(hash, bytes, start, length);
        this.#slots[slot] = added + 1;
        this.#last = added;
        if (this.#entries * 2 > this.#slots.length) {
          this.#grow();
        }
        return this.#bump(added);
      }
      if (
        this.#hashes[entry] === hash &&
        this.#lengths[entry] === length &&
        this.#equals(entry, bytes, start, length)
      ) {
        this.#last = entry;
        return this.#bump(entry);
      }
    }
  }

  /** Copies `buf[start, end)` with each doubled quote made single into the scratch buffer. */
  #unescape(buf: Uint8Array, start: number, end: number): number {
    if (this.#scratch.length < end - start) {
      this.#scratch = Buffer.allocUnsafe((end - start) * 2);
    }
    let at = 0;
    for (let i = start; i < end; i += 1) {
      const byte = buf[i] as number;
      this.#scratch[at++] = byte;
      if (byte === QUOTE && buf[i + 1] === QUOTE) {
        i += 1;
      }
    }
    return at;
  }

  #bump(entry: number): number {
    const before = this.#counts[entry] as number;
    this.#counts[entry] = before + 1;
    return before;
  }

  #equals(entry: number, bytes: Uint8Array, start: number, length: number): boolean {
    const arena = this.#arena;
    const offset = this.#offsets[entry] as number;
    for (let i = 0; i < length; i += 1) {
      if (arena[offset + i] !== bytes[start + i]) {
        return false;
      }
    }
    return true;
  }

  #add(hash: number, bytes: Uint8Array, start: number, length: number): number {
    if (this.#arenaUsed + length > this.#arena.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.#arena.length * 2, this.#arenaUsed + length));
      this.#arena.copy(grown, 0, 0, this.#arenaUsed);
      this.#arena = grown;
    }
    // Byte by byte: `set(bytes.subarray(…))` made a view object per key, ~350 MB of JS heap
    // per 700 MB pulled when every row has a key of its own (one row per request).
    const arena = this.#arena;
    const at = this.#arenaUsed;
    for (let i = 0; i < length; i += 1) {
      arena[at + i] = bytes[start + i] as number;
    }
    const entry = this.#entries;
    if (entry === this.#counts.length) {
      this.#hashes = growInt32(this.#hashes);
      this.#offsets = growInt32(this.#offsets);
      this.#lengths = growInt32(this.#lengths);
      this.#counts = growInt32(this.#counts);
    }
    this.#hashes[entry] = hash;
    this.#offsets[entry] = this.#arenaUsed;
    this.#lengths[entry] = length;
    this.#counts[entry] = 0;
    this.#arenaUsed += length;
    this.#entries += 1;
    return entry;
  }

  /** Doubles the slot table and re-places every entry by its stored hash. */
  #grow(): void {
    const slots = new Int32Array(this.#slots.length * 2);
    const mask = slots.length - 1;
    for (let entry = 0; entry < this.#entries; entry += 1) {
      let slot = (this.#hashes[entry] as number) & mask;
      while (slots[slot] !== 0) {
        slot = (slot + 1) & mask;
      }
      slots[slot] = entry + 1;
    }
    this.#slots = slots;
  }
}

function growInt32(array: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const grown = new Int32Array(array.length * 2);
  grown.set(array);
  return grown;
}
