/** SHA-256 of object bodies: the one checksum snapshots record and every check compares. */
import { createHash } from 'node:crypto';

/**
 * Hex SHA-256 of `bytes`.
 * @example sha256Hex(new TextEncoder().encode('abc')) // 'ba7816bf…'
 */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
