/**
 * Where a cursor is, from the edit that put it there: typing fires a document change and then a
 * selection change for the same version, and the cursor then lies inside (usually at the end of)
 * the text just inserted, so its offset follows from the change alone. Asking the document
 * (`offsetAt`) instead runs VS Code's line-start bookkeeping on every key, cold, which measured
 * 20 µs per key in the real extension host (docs/performance.md). Exact by construction: a
 * position is answered only for the very version the change produced, and only inside the
 * inserted text; anything else is undefined and the caller asks the document. vscode-free.
 */
export class CursorHint {
  private doc: object | undefined;
  private version = -1;
  private line = 0;
  private character = 0;
  private offset = 0;
  private text = '';

  /**
   * A document changed by ONE change: `line`/`character` is where the replaced range started,
   * `offset` its offset, `text` what was inserted there; `version` is the version after it.
   */
  noteChange(doc: object, version: number, line: number, character: number, offset: number, text: string): void {
    // A CR (CRLF documents, or one VS Code will normalise) makes line arithmetic ambiguous: ask the document.
    this.doc = text.includes('\r') ? undefined : doc;
    this.version = version;
    this.line = line;
    this.character = character;
    this.offset = offset;
    this.text = text;
  }

  /** Forgets the last change (an edit the hint cannot describe: several changes at once). */
  clear(): void {
    this.doc = undefined;
  }

  /** The offset of (line, character) in `doc` at `version`, if the last change implies it. */
  offsetAt(doc: object, version: number, line: number, character: number): number | undefined {
    if (doc !== this.doc || version !== this.version || line < this.line) {
      return undefined;
    }
    const text = this.text;
    if (line === this.line) {
      const column = character - this.character;
      if (column < 0) {
        return undefined;
      }
      // On the change's first line: inside the inserted text up to its first line break.
      const firstBreak = text.indexOf('\n');
      return column <= (firstBreak === -1 ? text.length : firstBreak) ? this.offset + column : undefined;
    }
    // A later line of the inserted text: find where that line starts inside it.
    let start = 0;
    for (let l = this.line; l < line; l++) {
      const lf = text.indexOf('\n', start);
      if (lf === -1) {
        return undefined;
      }
      start = lf + 1;
    }
    const lf = text.indexOf('\n', start);
    const end = lf === -1 ? text.length : lf;
    return character <= end - start ? this.offset + start + character : undefined;
  }
}
