/** Terminal output carries colour and cursor escapes; the record keeps the text. */
export function stripAnsi(text: string): string {
  // CSI sequences, OSC sequences (terminated by BEL or ST), and other two-byte escapes.
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g, '');
}
