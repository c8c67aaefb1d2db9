/**
 * The file-system reads the policy needs, behind an interface so tests use fakes. The record-time
 * reads are synchronous on purpose: they happen once per file or directory at first touch (the
 * decision is then cached), inside DocumentResolver.resolve, which must answer synchronously.
 */
import * as fs from 'node:fs';
import { SNIFF_LENGTH } from './binary';
import { nodeLicenseFs } from './license';
import type { LicenseFs } from './license';

export interface FileProbe {
  readonly size: number;
  readonly directory: boolean;
  /** The first bytes (up to 8 KB) of a regular file no larger than asked; absent otherwise. */
  readonly head?: Uint8Array;
}

export interface PolicyIo {
  /** The text of a file of at most `maxBytes` (longer files are cut), or undefined if unreadable. */
  readText(file: string, maxBytes: number): string | undefined;
  /** Size and kind of a path, and its first bytes when it is a file of at most `headIfAtMost` bytes. */
  probe(file: string, headIfAtMost: number): FileProbe | undefined;
  /** Whether a path exists (file or directory), and which. */
  kind(path: string): 'file' | 'directory' | undefined;
  readonly license: LicenseFs;
}

function readHead(file: string, max: number): Uint8Array | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const buf = Buffer.alloc(max);
    const n = fs.readSync(fd, buf, 0, max, 0);
    return buf.subarray(0, n);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) {
      fs.closeSync(fd);
    }
  }
}

/** This machine's file system. */
export function nodePolicyIo(): PolicyIo {
  return {
    readText: (file, maxBytes) => {
      const head = readHead(file, maxBytes);
      return head === undefined ? undefined : Buffer.from(head).toString('utf8');
    },
    probe: (file, headIfAtMost) => {
      let st: fs.Stats;
      try {
        st = fs.statSync(file);
      } catch {
        return undefined;
      }
      if (st.isDirectory()) {
        return { size: 0, directory: true };
      }
      if (!st.isFile() || st.size > headIfAtMost) {
        return { size: st.size, directory: false };
      }
      const head = readHead(file, SNIFF_LENGTH);
      return head === undefined ? { size: st.size, directory: false } : { size: st.size, directory: false, head };
    },
    kind: (path) => {
      try {
        const st = fs.statSync(path);
        return st.isDirectory() ? 'directory' : 'file';
      } catch {
        return undefined;
      }
    },
    license: nodeLicenseFs,
  };
}
