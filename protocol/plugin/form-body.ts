/**
 * Parses a webhook's form body (`multipart/form-data` or `application/x-www-form-urlencoded`, as mail
 * gateways post inbound mail) into the `form` a plugin's `verify`, `parse` and `handle` see. Used by
 * the plugin host and by the plugin test kit, so a plugin's tests read a body exactly as the server
 * does. File parts are counted and named, their bytes drained and dropped: attachments never reach a
 * plugin or a ticket. Uses @fastify/busboy (Node streams), so it is not part of the browser-safe
 * entry point protocol/plugin.ts.
 */
import { Readable } from 'node:stream';
import Busboy from '@fastify/busboy';
import { type InboundForm, PayloadError } from './inbound.ts';

const FORM_TYPES = ['multipart/form-data', 'application/x-www-form-urlencoded'];

/** True for the content types `parseFormBody` reads. */
export function isFormContentType(contentType: string): boolean {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return FORM_TYPES.includes(type);
}

export interface FormLimits {
  /** text fields at most */
  fields: number;
  /** file parts at most (named, never kept) */
  files: number;
}

const DEFAULT_LIMITS: FormLimits = { fields: 500, files: 100 };

/**
 * The form in `body`, or undefined when the content type is not a form. A malformed body (a missing
 * multipart boundary, a truncated part, too many fields) throws a PayloadError (400) naming `body`.
 */
export function parseFormBody(
  contentType: string,
  body: Uint8Array,
  limits: FormLimits = DEFAULT_LIMITS,
): Promise<InboundForm | undefined> {
  if (!isFormContentType(contentType)) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = {};
    const files: { field: string; filename: string; contentType: string; bytes: number }[] = [];
    let failed = false;
    const fail = (message: string) => {
      if (failed) return;
      failed = true;
      reject(new PayloadError(`the form body cannot be read: ${message}`, 'body'));
    };
    let parser: Busboy;
    try {
      parser = new Busboy({
        headers: { 'content-type': contentType },
        defCharset: 'utf8',
        // The whole body is already within the webhook body limit: a field may be as large as it.
        limits: { fields: limits.fields, files: limits.files, fieldSize: body.byteLength + 1 },
      });
    } catch (err) {
      fail((err as Error).message);
      return;
    }
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('file', (field, stream, filename, _encoding, mimetype) => {
      const file = { field, filename: filename ?? '', contentType: mimetype ?? '', bytes: 0 };
      files.push(file);
      stream.on('data', (chunk: Buffer) => {
        file.bytes += chunk.length;
      });
    });
    parser.on('fieldsLimit', () => fail(`more than ${limits.fields} fields`));
    parser.on('filesLimit', () => fail(`more than ${limits.files} files`));
    parser.on('error', (err: Error) => fail(err.message));
    parser.on('finish', () => {
      if (!failed) resolve({ fields, files });
    });
    Readable.from([Buffer.from(body.buffer, body.byteOffset, body.byteLength)]).pipe(parser);
  });
}
