import { DEFAULT_VENDOR, SigningError, vendorHeaders } from './index';

describe('vendorHeaders', () => {
  it('by default names exactly the headers and User-Agent the seed documents for Corgea', () => {
    expect(DEFAULT_VENDOR).toBe('Corgea');
    expect(vendorHeaders()).toEqual({
      eventHeader: 'X-Corgea-Event',
      deliveryHeader: 'X-Corgea-Delivery',
      timestampHeader: 'X-Corgea-Timestamp',
      signatureHeader: 'X-Corgea-Signature',
      userAgent: 'Corgea-Webhooks/1.0',
    });
  });

  it('puts another vendor name into every header name and the User-Agent, unchanged in case', () => {
    expect(vendorHeaders('acme.io')).toEqual({
      eventHeader: 'X-acme.io-Event',
      deliveryHeader: 'X-acme.io-Delivery',
      timestampHeader: 'X-acme.io-Timestamp',
      signatureHeader: 'X-acme.io-Signature',
      userAgent: 'acme.io-Webhooks/1.0',
    });
  });

  it.each([
    ['an empty name', ''],
    ['a space', 'Acme Corp'],
    ['a CRLF header injection', 'Acme\r\nX-Injected: 1'],
    ['a slash, which would break the User-Agent product token', 'Acme/2'],
    ['a colon', 'Acme:'],
    ['non-ASCII letters', 'Zürich'],
    ['more than 64 characters', 'A'.repeat(65)],
  ])('rejects a vendor name with %s as INVALID_VENDOR', (_case, vendor) => {
    expect(() => vendorHeaders(vendor)).toThrow(SigningError);
    expect(() => vendorHeaders(vendor)).toThrow(/HTTP token/);
    try {
      vendorHeaders(vendor);
    } catch (error) {
      expect((error as SigningError).code).toBe('INVALID_VENDOR');
    }
  });
});
