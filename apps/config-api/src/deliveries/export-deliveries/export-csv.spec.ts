import type { ExportRow } from '@hookline/deliveries-data-access';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { exportCsv } from './export-csv';

const row = (overrides: Partial<ExportRow> = {}): ExportRow => ({
  deliveryId: 'dlv_1',
  webhookId: 'wh_1',
  eventId: '0b6f3c1e-2a4d-4e8f-9c1a-7d5e3b2a1f00',
  eventType: 'scan.completed',
  attempt: 1,
  trigger: 'first',
  at: '2026-01-02T03:04:05.000Z',
  url: 'https://hooks.example.com/in',
  statusCode: 200,
  outcome: 'succeeded',
  failureClass: null,
  error: null,
  durationMs: 12,
  ...overrides,
});

const csv = (rows: ExportRow[]) => text(Readable.from(rows).pipe(exportCsv()));

describe('delivery export CSV', () => {
  it('starts with a header row and ends each record with CRLF', async () => {
    expect(await csv([row()])).toBe(
      'deliveryId,webhookId,eventId,eventType,attempt,trigger,at,url,statusCode,outcome,' +
        'failureClass,error,durationMs\r\n' +
        'dlv_1,wh_1,0b6f3c1e-2a4d-4e8f-9c1a-7d5e3b2a1f00,scan.completed,1,first,' +
        '2026-01-02T03:04:05.000Z,https://hooks.example.com/in,200,succeeded,,,12\r\n',
    );
  });

  it('quotes fields holding commas, quotes or line breaks, doubling the quotes (RFC 4180)', async () => {
    const out = await csv([row({ error: 'other: said "no", then\nhung up', url: 'a\rb' })]);
    expect(out).toContain(',"a\rb",200,succeeded,,"other: said ""no"", then\nhung up",12\r\n');
  });

  it.each([
    ['=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ['+1', "'+1"],
    ['-1+2', "'-1+2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"],
    ['\rcmd', `"'\rcmd"`],
  ])('neutralises a cell a spreadsheet would run as a formula: %j', async (value, cell) => {
    const record = (await csv([row({ error: value })])).split('\r\n').slice(1).join('\r\n');
    expect(record).toBe(
      'dlv_1,wh_1,0b6f3c1e-2a4d-4e8f-9c1a-7d5e3b2a1f00,scan.completed,1,first,' +
        `2026-01-02T03:04:05.000Z,https://hooks.example.com/in,200,succeeded,,${cell},12\r\n`,
    );
  });

  it('writes only the header for no rows', async () => {
    expect((await csv([])).split('\r\n')).toEqual([expect.stringMatching(/^deliveryId,/), '']);
  });
});
