import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { generateSecret, signVendorSignature } from './index';
import { verifyWebhookSignature } from './test-clients/corgea-verify';

// The receivers here are the seed document's own snippets (src/test-clients), not our verifier:
// a receiver written against the seed must accept what we send.

const PYTHON_RECEIVER = join(__dirname, 'test-clients', 'corgea_verify.py');

/** The seed's issue.status_changed sample, as our default envelope would send it. */
const SEED_BODY = JSON.stringify({
  event_id: 'a1b2c3d4-e5f6-7890-abcd-ef1234567890',
  event_type: 'issue.status_changed',
  timestamp: '2025-01-15T14:30:00.000Z',
  data: {
    company: 'comp-uuid-1234',
    issue_id: 'issue-uuid-5678',
    classification: 'SQL Injection',
    urgency: 'HI',
    status: 'fixed',
    previous_status: 'open',
    file_path: 'src/controllers/user.py',
    line_num: 45,
    project: { id: 'proj-uuid-9012', name: 'Production API' },
    scan_id: 'scan-uuid-3456',
    url: 'https://app.corgea.com/issue/issue-uuid-5678/',
  },
});

/** Pretty-printed (real newlines, one CRLF) with accents, combining marks, emoji and CJK. */
const UNICODE_BODY =
  JSON.stringify(
    {
      event_type: 'scan.completed',
      data: {
        project: { name: 'Crème brûlée — Zürich 東京 🚀' },
        assignee: 'Ren\u0065\u0301e 👩‍💻',
        note: 'line one\nline two\ttabbed',
      },
    },
    null,
    2,
  ) + '\r\n';

describe('the seed Python receiver (verify_webhook_signature, run by python3)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hookline-signing-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Writes body and secret as exact bytes; python3 reads them from files, no shell involved. */
  function pythonVerifies(body: string | Buffer, signature: string, secret: string): boolean {
    const bodyFile = join(dir, 'body.bin');
    const secretFile = join(dir, 'secret.txt');
    writeFileSync(bodyFile, body);
    writeFileSync(secretFile, secret, 'utf8');
    const out = execFileSync('python3', [PYTHON_RECEIVER, bodyFile, secretFile, signature], {
      encoding: 'utf8',
    }).trim();
    if (out !== 'valid' && out !== 'invalid') throw new Error(`unexpected receiver output: ${out}`);
    return out === 'valid';
  }

  const secret = generateSecret();

  it('accepts our signature over the seed sample payload with a generated secret', () => {
    expect(pythonVerifies(SEED_BODY, signVendorSignature(SEED_BODY, secret), secret)).toBe(true);
  });

  it('accepts our signature over a body with non-ASCII unicode and newlines', () => {
    const bytes = Buffer.from(UNICODE_BODY, 'utf8');
    expect(pythonVerifies(bytes, signVendorSignature(bytes, secret), secret)).toBe(true);
  });

  it('accepts our signature keyed by a user secret full of ASCII punctuation', () => {
    const userSecret = `s3cr3t!"#$%&'()*+,-./:;<=>?@[\\]^_\`{|}~`;
    expect(
      pythonVerifies(UNICODE_BODY, signVendorSignature(UNICODE_BODY, userSecret), userSecret),
    ).toBe(true);
  });

  it("keys with the secret's UTF-8 bytes, as secret.encode('utf-8') does, even for non-ASCII", () => {
    const unicodeSecret = 'clé-secrète-🔑-東京';
    expect(
      pythonVerifies(SEED_BODY, signVendorSignature(SEED_BODY, unicodeSecret), unicodeSecret),
    ).toBe(true);
  });

  it('rejects our signature when one character of the body changed', () => {
    const signature = signVendorSignature(UNICODE_BODY, secret);
    expect(pythonVerifies(UNICODE_BODY.replace('Crème', 'Creme'), signature, secret)).toBe(false);
    expect(pythonVerifies(UNICODE_BODY.replace('\r\n', '\n'), signature, secret)).toBe(false);
  });

  it('rejects our signature checked with a different secret', () => {
    const signature = signVendorSignature(SEED_BODY, secret);
    expect(pythonVerifies(SEED_BODY, signature, generateSecret())).toBe(false);
    expect(pythonVerifies(SEED_BODY, signature, secret.slice(0, -1))).toBe(false);
  });

  it('compares case-sensitively, so our signature must be (and is) lower-case hex', () => {
    const signature = signVendorSignature(SEED_BODY, secret);
    expect(pythonVerifies(SEED_BODY, signature.toUpperCase(), secret)).toBe(false);
  });
});

describe('the seed Node receiver (verifyWebhookSignature, createHmac + timingSafeEqual)', () => {
  const secret = generateSecret();

  it('accepts our signature whether the receiver holds the body as text or as a Buffer', () => {
    const signature = signVendorSignature(Buffer.from(UNICODE_BODY, 'utf8'), secret);
    expect(verifyWebhookSignature(UNICODE_BODY, signature, secret)).toBe(true);
    expect(verifyWebhookSignature(Buffer.from(UNICODE_BODY, 'utf8'), signature, secret)).toBe(true);
    expect(verifyWebhookSignature(SEED_BODY, signVendorSignature(SEED_BODY, secret), secret)).toBe(
      true,
    );
  });

  it('rejects our signature when the body changed', () => {
    const signature = signVendorSignature(SEED_BODY, secret);
    expect(verifyWebhookSignature(SEED_BODY.replace('"HI"', '"LO"'), signature, secret)).toBe(
      false,
    );
    expect(verifyWebhookSignature(`${SEED_BODY}\n`, signature, secret)).toBe(false);
  });

  it('throws (not false) on a signature of another length, so ours is always exactly 64 chars', () => {
    // A property of the seed snippet, pinned because it constrains us: a shorter or longer
    // header would crash such receivers rather than fail verification.
    expect(() => verifyWebhookSignature(SEED_BODY, 'abc', secret)).toThrow(/same byte length/);
    expect(signVendorSignature('', secret)).toHaveLength(64);
  });

  it('property: accepts our signature for arbitrary text bodies and secrets', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 512 }),
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 64 }),
        (body, anySecret) =>
          verifyWebhookSignature(body, signVendorSignature(body, anySecret), anySecret),
      ),
      { numRuns: 300 },
    );
  });
});
