/**
 * The longest prefix of `text` whose UTF-8 encoding fits in `maxBytes`, never ending inside a
 * character (a surrogate pair is kept whole or dropped whole). `candor.terminalOutputCapKB` is a
 * size in bytes; counting UTF-16 units instead let CJK or emoji output run to three times the cap.
 */
export function utf8Prefix(text: string, maxBytes: number): { text: string; bytes: number } {
  let bytes = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    let size: number;
    let units = 1;
    if (c < 0x80) {
      size = 1;
    } else if (c < 0x800) {
      size = 2;
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      size = 4;
      units = 2;
    } else {
      size = 3; // the BMP, and an unpaired surrogate (encoded as U+FFFD, 3 bytes)
    }
    if (bytes + size > maxBytes) {
      break;
    }
    bytes += size;
    i += units;
  }
  return { text: i === text.length ? text : text.slice(0, i), bytes };
}

/** Terminal output as it streams in, kept up to a UTF-8 size; whatever comes after the cap is dropped. */
export class CappedText {
  private parts: string[] = [];
  private size = 0;
  private full = false;

  constructor(private readonly maxBytes: number) {}

  /** Adds a chunk (or the part of it that fits). */
  append(chunk: string): void {
    if (this.full) {
      return;
    }
    const kept = utf8Prefix(chunk, this.maxBytes - this.size);
    if (kept.text !== '') {
      this.parts.push(kept.text);
      this.size += kept.bytes;
    }
    if (kept.text.length < chunk.length) {
      this.full = true;
      // A pair split across two chunks, cut between its halves: never keep half of it.
      const last = this.parts[this.parts.length - 1];
      if (last !== undefined && (last.charCodeAt(last.length - 1) & 0xfc00) === 0xd800) {
        this.parts[this.parts.length - 1] = last.slice(0, -1);
        this.size -= 3;
      }
    }
  }

  /** Whether output was dropped. */
  get cut(): boolean {
    return this.full;
  }

  /** UTF-8 size of what was kept (an unpaired surrogate counted as the 3 bytes of U+FFFD). */
  get bytes(): number {
    return this.size;
  }

  get text(): string {
    if (this.parts.length > 1) {
      this.parts = [this.parts.join('')];
    }
    return this.parts[0] ?? '';
  }
}
