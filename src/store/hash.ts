import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export interface FileDigest {
  size: number;
  /** Hex. */
  sha256: string;
  /** Base64, as Content-MD5 wants it. */
  md5: string;
}

/** One read of the file for both digests: SHA-256 for identity, MD5 for the upload's Content-MD5. */
export async function digestFile(path: string): Promise<FileDigest> {
  const sha = createHash('sha256');
  const md5 = createHash('md5');
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const buf = chunk as Buffer;
    sha.update(buf);
    md5.update(buf);
    size += buf.length;
  }
  return { size, sha256: sha.digest('hex'), md5: md5.digest('base64') };
}

/** Hex SHA-256 alone, for comparing two local files (MD5 would only add cost). */
export async function sha256File(path: string): Promise<string> {
  const sha = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) sha.update(chunk as Buffer);
  return sha.digest('hex');
}

export function digestBuffer(data: Uint8Array): FileDigest {
  return {
    size: data.byteLength,
    sha256: createHash('sha256').update(data).digest('hex'),
    md5: createHash('md5').update(data).digest('base64'),
  };
}
