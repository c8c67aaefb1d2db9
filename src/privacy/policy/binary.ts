/**
 * Binary files are never recorded: their "text" is noise to a reader, can be megabytes of it, and
 * may be anything (a keystore, a database). Two checks, both cheap:
 *
 * - the extension, before anything is read (`hasBinaryExtension`);
 * - the content's first 8 KB, at first touch (`looksBinary`): a NUL, or more than 10% control
 *   characters or U+FFFD (what a decoder makes of bytes that are not UTF-8). Tab, line breaks,
 *   form feed, backspace and ESC (ANSI colours in logs) count as text. This is close to what git
 *   and `file` do; it runs on the document text VS Code decoded, or on bytes read from disk.
 */

/** How much of a file the sniffing looks at. */
export const SNIFF_LENGTH = 8192;
const MAX_CONTROL_RATIO = 0.1;

/** Lower-case extensions (without the dot) of files that are binary whatever their content. */
export const BINARY_EXTENSIONS: ReadonlySet<string> = new Set([
  // images
  'png', 'jpg', 'jpeg', 'gif', 'bmp', 'ico', 'icns', 'webp', 'tif', 'tiff', 'psd', 'heic', 'avif', 'xcf',
  // audio, video
  'mp3', 'mp4', 'm4a', 'm4v', 'mov', 'avi', 'mkv', 'webm', 'wav', 'flac', 'ogg', 'oga', 'opus', 'aac', 'wmv',
  // archives and packages
  'zip', 'gz', 'tgz', 'bz2', 'xz', 'zst', '7z', 'rar', 'tar', 'jar', 'war', 'ear', 'apk', 'aab', 'ipa', 'deb', 'rpm',
  'dmg', 'iso', 'img', 'vsix', 'nupkg', 'whl', 'egg', 'crx', 'xpi',
  // executables, objects, bytecode
  'exe', 'dll', 'so', 'dylib', 'o', 'a', 'lib', 'obj', 'class', 'pyc', 'pyo', 'wasm', 'node', 'pdb', 'elf', 'bin', 'dat',
  // documents
  'pdf', 'doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx', 'odt', 'ods', 'odp', 'rtf', 'epub',
  // fonts
  'ttf', 'otf', 'woff', 'woff2', 'eot',
  // data and models
  'sqlite', 'sqlite3', 'db', 'mdb', 'parquet', 'avro', 'orc', 'npy', 'npz', 'pkl', 'pickle', 'pt', 'pth', 'ckpt', 'onnx',
  'h5', 'hdf5', 'safetensors', 'tflite', 'pb',
  // keystores (also excluded by name patterns; binary in any case)
  'jks', 'keystore', 'p12', 'pfx', 'der', 'kdbx',
]);

/** Whether the path's extension marks a binary file (case-insensitive; the last extension counts). */
export function hasBinaryExtension(path: string): boolean {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  const base = path.slice(slash + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 && BINARY_EXTENSIONS.has(base.slice(dot + 1).toLowerCase());
}

/**
 * Whether content looks binary: a string (decoded text) or bytes from disk, of which only the
 * first `SNIFF_LENGTH` units are looked at.
 */
export function looksBinary(sample: string | Uint8Array): boolean {
  const text = typeof sample === 'string' ? sample.slice(0, SNIFF_LENGTH) : decodeHead(sample);
  if (text.length === 0) {
    return false;
  }
  let suspicious = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) {
      return true;
    }
    if ((c < 0x20 && !isTextControl(c)) || c === 0x7f || c === 0xfffd) {
      suspicious++;
    }
  }
  return suspicious / text.length > MAX_CONTROL_RATIO;
}

function isTextControl(c: number): boolean {
  // \b \t \n \v \f \r and ESC
  return (c >= 0x08 && c <= 0x0d) || c === 0x1b;
}

function decodeHead(bytes: Uint8Array): string {
  const head = bytes.subarray(0, SNIFF_LENGTH);
  if (head.includes(0)) {
    return '\0';
  }
  // Cutting at 8 KB may split one multi-byte character: one U+FFFD, far below the ratio.
  return new TextDecoder('utf-8', { fatal: false }).decode(head);
}
