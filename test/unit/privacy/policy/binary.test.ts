import * as assert from 'node:assert/strict';
import { hasBinaryExtension, looksBinary, SNIFF_LENGTH } from '../../../../src/privacy/policy/binary';

describe('binary files', () => {
  it('knows binary extensions, case-insensitively, by the last extension', () => {
    for (const p of ['a.png', 'img/LOGO.PNG', 'x.tar.gz', 'lib/native.node', 'w.woff2', 'db.sqlite', 'model.safetensors', 'C:\\x\\a.exe']) {
      assert.ok(hasBinaryExtension(p), p);
    }
    for (const p of ['a.ts', 'png', '.png', 'README', 'notes.png.md', 'dir.png/file.txt', 'a.svg', 'data.json']) {
      assert.ok(!hasBinaryExtension(p), p);
    }
  });

  it('sniffs a NUL byte in the first 8 KB', () => {
    assert.ok(looksBinary('abc\0def'));
    assert.ok(looksBinary(Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x14])));
    // Past the first 8 KB it is not looked at.
    assert.ok(!looksBinary('a'.repeat(SNIFF_LENGTH) + '\0'));
    assert.ok(!looksBinary(Buffer.concat([Buffer.alloc(SNIFF_LENGTH, 0x61), Buffer.from([0])])));
  });

  it('sniffs a high ratio of control characters or undecodable bytes', () => {
    const controls = Array.from({ length: 200 }, (_, i) => String.fromCharCode(1 + (i % 7))).join('');
    assert.ok(looksBinary(controls + 'some text'));
    assert.ok(looksBinary(Buffer.from(Array.from({ length: 300 }, (_, i) => 0x80 + (i % 64)))), 'invalid UTF-8');
    assert.ok(looksBinary('\uFFFD'.repeat(50) + 'text'));
  });

  it('leaves text alone: code, tabs, CRLF, ANSI colours, form feeds, UTF-8 and astral characters', () => {
    assert.ok(!looksBinary(''));
    assert.ok(!looksBinary('const x = 1;\r\n\tif (x) {\f}\n'));
    assert.ok(!looksBinary('\x1b[31mred\x1b[0m build log line\n'.repeat(20)));
    assert.ok(!looksBinary('héllo wörld 😀 𝒳 日本語\n'));
    assert.ok(!looksBinary(Buffer.from('héllo wörld 😀 𝒳 日本語\n'.repeat(500), 'utf8')), 'a multi-byte character cut at 8 KB');
    // A few stray control characters in a big text stay under the ratio.
    assert.ok(!looksBinary('x'.repeat(1000) + '\x01\x02\x03'));
  });
});
