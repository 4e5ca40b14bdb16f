/**
 * A small multipart/form-data reader, tolerant the way the Bot API is: grammY writes headers
 * without a space after the colon and an unquoted `filename=`, which undici's FormData refuses.
 */

/** One part: its field name, its file name if it is a file, and its bytes. */
export interface MultipartPart {
  name: string;
  filename: string | undefined;
  data: Buffer;
}

/**
 * Splits a multipart body into its parts.
 * @example parseMultipart(body, 'multipart/form-data; boundary=xyz')[0].name // 'chat_id'
 */
export function parseMultipart(body: Buffer, contentType: string): MultipartPart[] {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const token = boundary?.[1] ?? boundary?.[2];
  if (token === undefined) throw new Error('multipart body without boundary');
  const delimiter = Buffer.from(`--${token.trim()}`);
  const parts: MultipartPart[] = [];
  let start = body.indexOf(delimiter);
  if (start < 0) throw new Error('multipart boundary not found');
  for (;;) {
    start += delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') return parts;
    const next = body.indexOf(delimiter, start);
    if (next < 0) throw new Error('multipart body not terminated');
    // Each part: CRLF, headers, CRLF CRLF, data, CRLF before the next delimiter.
    const part = body.subarray(start + 2, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd < 0) throw new Error('multipart part without headers');
    const headers = part.subarray(0, headerEnd).toString('utf8');
    const disposition = /content-disposition:\s*form-data\s*;(.*)/i.exec(headers)?.[1] ?? '';
    const name = attribute(disposition, 'name');
    if (name === undefined) throw new Error('multipart part without a name');
    parts.push({ name, filename: attribute(disposition, 'filename'), data: part.subarray(headerEnd + 4) });
    start = next;
  }
}

function attribute(disposition: string, key: string): string | undefined {
  const match = new RegExp(`(?:^|;)\\s*${key}=(?:"([^"]*)"|([^;\\r\\n]*))`, 'i').exec(disposition);
  return match === null ? undefined : (match[1] ?? match[2]?.trim());
}
