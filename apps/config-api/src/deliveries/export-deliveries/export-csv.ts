import { EXPORT_COLUMNS } from '@hookline/deliveries-data-access';
import { stringify, type Stringifier } from 'csv-stringify';

/**
 * An object-mode writable of `ExportRow`s, readable as RFC 4180 CSV text: a header row,
 * CRLF line ends, fields quoted only when they hold a comma, a quote or a line break. Endpoint
 * URLs and error texts come from outside, so a cell that a spreadsheet would run as a formula
 * (starting with `=`, `+`, `-`, `@`, tab or CR) gets a leading `'`.
 */
export function exportCsv(): Stringifier {
  return stringify({
    header: true,
    columns: EXPORT_COLUMNS.map((key) => ({ key })),
    record_delimiter: 'windows',
    // With a record delimiter given, the library stops quoting fields that hold a bare CR or LF.
    quote_record_delimiter: true,
    escape_formulas: true,
  });
}
