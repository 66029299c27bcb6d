import { isAddressAllowed } from './address-policy';
import { parseAllowCidrs } from './allow-cidrs';
import { EgressAllowListError } from './egress-allow-list.error';

const ALLOWED_PUBLIC = [
  '93.184.216.34',
  '1.1.1.1',
  '8.8.8.8',
  '100.63.255.255', // just below CGNAT
  '100.128.0.0', // just above CGNAT
  '172.15.255.255',
  '172.32.0.0',
  '198.17.255.255',
  '198.20.0.0',
  '223.255.255.255',
  '2606:4700::1111',
  '2001:4860:4860::8888',
  '2a00:1450:4001:80b::200e',
  '::ffff:93.184.216.34', // IPv4-mapped public
  '64:ff9b::5db8:d822', // NAT64 of 93.184.216.34
  '2002:5db8:d822::1', // 6to4 of 93.184.216.34
];

// [address, expected range]
const REFUSED: ReadonlyArray<readonly [string, string]> = [
  ['127.0.0.1', '127.0.0.0/8'],
  ['127.255.255.254', '127.0.0.0/8'],
  ['10.0.0.1', '10.0.0.0/8'],
  ['10.255.255.255', '10.0.0.0/8'],
  ['172.16.0.1', '172.16.0.0/12'],
  ['172.31.255.255', '172.16.0.0/12'],
  ['192.168.1.1', '192.168.0.0/16'],
  ['169.254.169.254', '169.254.0.0/16'],
  ['169.254.0.1', '169.254.0.0/16'],
  ['100.64.0.1', '100.64.0.0/10'],
  ['100.127.255.255', '100.64.0.0/10'],
  ['0.0.0.0', '0.0.0.0/8'],
  ['0.1.2.3', '0.0.0.0/8'],
  ['224.0.0.1', '224.0.0.0/4'],
  ['239.255.255.250', '224.0.0.0/4'],
  ['255.255.255.255', '255.255.255.255/32'],
  ['240.0.0.1', '240.0.0.0/4'],
  ['192.0.0.170', '192.0.0.0/24'],
  ['192.0.2.1', '192.0.2.0/24'],
  ['198.51.100.7', '198.51.100.0/24'],
  ['203.0.113.9', '203.0.113.0/24'],
  ['198.18.0.1', '198.18.0.0/15'],
  ['198.19.255.255', '198.18.0.0/15'],
  ['192.88.99.1', '192.88.99.0/24'],
  ['192.31.196.1', 'as112'], // only ipaddr.js's special ranges know it
  ['::', '::/128'],
  ['::1', '::1/128'],
  ['0:0:0:0:0:0:0:1', '::1/128'],
  ['fd00:ec2::254', 'fd00:ec2::254/128'],
  ['fc00::1', 'fc00::/7'],
  ['fd12:3456:789a::1', 'fc00::/7'],
  ['fe80::1', 'fe80::/10'],
  ['fe80::1%eth0', 'fe80::/10'],
  ['fec0::1', 'fec0::/10'],
  ['ff02::1', 'ff00::/8'],
  ['2001:db8::1', '2001:db8::/32'],
  ['2001:2::1', '2001:2::/48'],
  ['100::1', '100::/64'],
  ['64:ff9b:1::1', '64:ff9b:1::/48'],
  ['::7f00:1', '::/96'], // IPv4-compatible (deprecated) ::127.0.0.1
  ['4000::1', '!2000::/3'],
  // IPv6 forms that carry a refused IPv4 address
  ['::ffff:127.0.0.1', '127.0.0.0/8'],
  ['::ffff:7f00:1', '127.0.0.0/8'],
  ['::ffff:169.254.169.254', '169.254.0.0/16'],
  ['::ffff:10.1.2.3', '10.0.0.0/8'],
  ['64:ff9b::7f00:1', '127.0.0.0/8'],
  ['64:ff9b::a9fe:a9fe', '169.254.0.0/16'],
  ['64:ff9b::192.168.0.1', '192.168.0.0/16'],
  ['2002:7f00:1::', '127.0.0.0/8'],
  ['2002:a9fe:a9fe::1', '169.254.0.0/16'],
  ['2002:c0a8:101::1', '192.168.0.0/16'],
  // Teredo: client 127.0.0.1 (stored inverted), public server 65.54.227.120
  ['2001:0:4136:e378:8000:63bf:80ff:fffe', '127.0.0.0/8'],
  // Teredo: private server 10.0.0.1, public client 93.184.216.34
  ['2001:0:a00:1:8000:63bf:a247:27dd', '10.0.0.0/8'],
];

const INVALID = [
  '',
  'localhost',
  '127.1',
  '0x7f.0.0.1',
  '0177.0.0.1',
  '2130706433',
  '1.2.3.4/32',
  '::g',
];

describe('isAddressAllowed', () => {
  it.each(ALLOWED_PUBLIC)('allows the public address %s', (address) => {
    expect(isAddressAllowed(address, [])).toEqual({ allowed: true });
  });

  it.each(REFUSED)('refuses %s (range %s)', (address, range) => {
    const verdict = isAddressAllowed(address, []);
    expect(verdict).toMatchObject({ allowed: false, range });
    expect(verdict.allowed === false && verdict.reason.length > 0).toBe(true);
  });

  it('names the refused class and the IPv6 form that carried it', () => {
    expect(isAddressAllowed('169.254.169.254', [])).toMatchObject({
      reason: expect.stringMatching(/link-local.*metadata/),
    });
    expect(isAddressAllowed('::ffff:127.0.0.1', [])).toMatchObject({
      reason: expect.stringMatching(/^loopback, embedded in an IPv4-mapped/),
    });
    expect(isAddressAllowed('2002:7f00:1::', [])).toMatchObject({
      reason: expect.stringMatching(/6to4/),
    });
  });

  it.each(INVALID)('refuses %j, which is not a canonical IP address', (address) => {
    expect(isAddressAllowed(address, [])).toEqual({
      allowed: false,
      reason: 'not an IP address',
      range: 'invalid',
    });
  });

  describe('with an allow list (HOOKLINE_EGRESS_ALLOW_CIDRS)', () => {
    const allow = parseAllowCidrs('127.0.0.1/32');

    it('opens exactly the listed range', () => {
      expect(isAddressAllowed('127.0.0.1', allow)).toEqual({ allowed: true });
      expect(isAddressAllowed('::ffff:127.0.0.1', allow)).toEqual({ allowed: true });
      expect(isAddressAllowed('127.0.0.2', allow)).toMatchObject({ allowed: false });
      expect(isAddressAllowed('::1', allow)).toMatchObject({ allowed: false });
      expect(isAddressAllowed('10.0.0.1', allow)).toMatchObject({ allowed: false });
    });

    it('opens IPv6 ranges and private networks when listed', () => {
      const wide = parseAllowCidrs('::1/128, 10.20.0.0/16');
      expect(isAddressAllowed('::1', wide)).toEqual({ allowed: true });
      expect(isAddressAllowed('10.20.3.4', wide)).toEqual({ allowed: true });
      expect(isAddressAllowed('10.21.3.4', wide)).toMatchObject({ allowed: false });
    });

    it('still allows public addresses', () => {
      expect(isAddressAllowed('93.184.216.34', allow)).toEqual({ allowed: true });
    });
  });
});

describe('parseAllowCidrs', () => {
  it('reads CIDRs separated by commas and/or whitespace, normalised', () => {
    expect(parseAllowCidrs('')).toEqual([]);
    expect(parseAllowCidrs('  ,\n')).toEqual([]);
    expect(parseAllowCidrs('127.0.0.1/32, 0:0:0:0:0:0:0:1/128\n10.0.0.0/8')).toEqual([
      '127.0.0.1/32',
      '::1/128',
      '10.0.0.0/8',
    ]);
  });

  it.each([
    ['localhost/32', /"localhost\/32" does not start with an IPv4 or IPv6 address/],
    ['127.0.0.1', /"127.0.0.1" is not a CIDR/],
    ['127.1/32', /"127.1\/32" does not start/],
    ['127.0.0.1/33', /prefix length outside 0–32/],
    ['::1/129', /prefix length outside 0–128/],
    ['10.0.0.0/08', /prefix length/],
    ['10.0.0.0/', /prefix length/],
    ['10.0.0.1/8', /host bits set \(the network is 10\.0\.0\.0\/8\)/],
  ])('refuses %j with an error naming it', (entry, message) => {
    const parse = (): unknown => parseAllowCidrs(`127.0.0.1/32, ${entry}`);
    expect(parse).toThrow(EgressAllowListError);
    expect(parse).toThrow(message);
    expect(parse).toThrow(/HOOKLINE_EGRESS_ALLOW_CIDRS/);
  });
});
