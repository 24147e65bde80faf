import { describe, expect, it } from 'vitest';
import { parseFormBody } from './form-body.ts';
import { PayloadError } from './inbound.ts';

const multipart = (parts: string[]) =>
  new TextEncoder().encode(`${parts.map((p) => `--b1\r\n${p}\r\n`).join('')}--b1--\r\n`);

describe('webhook form bodies', () => {
  it('reads urlencoded fields (+ as space) and leaves other content types alone', async () => {
    const body = new TextEncoder().encode('subject=Printer+on+fire&from=a%40x.example');
    expect(await parseFormBody('application/x-www-form-urlencoded', body)).toEqual({
      fields: { subject: 'Printer on fire', from: 'a@x.example' },
      files: [],
    });
    expect(await parseFormBody('application/json', body)).toBeUndefined();
  });

  it('reads multipart text fields and names file parts without keeping their bytes', async () => {
    const form = await parseFormBody(
      'multipart/form-data; boundary=b1',
      multipart([
        'Content-Disposition: form-data; name="text"\r\n\r\nline 1\r\nline 2',
        'Content-Disposition: form-data; name="attachment1"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n12345',
      ]),
    );
    expect(form).toEqual({
      fields: { text: 'line 1\r\nline 2' },
      files: [{ field: 'attachment1', filename: 'a.png', contentType: 'image/png', bytes: 5 }],
    });
  });

  it('refuses a multipart body without a boundary as a PayloadError naming body', async () => {
    const err = await parseFormBody('multipart/form-data', multipart(['x'])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PayloadError);
    expect((err as PayloadError).field).toBe('body');
  });
});
