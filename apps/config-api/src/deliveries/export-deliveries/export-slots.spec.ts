import { ExportSlots } from './export-slots';

describe('ExportSlots', () => {
  it('gives one company at most its share and everyone together at most the global cap', () => {
    const slots = new ExportSlots({ global: 3, perCompany: 2 });
    const a1 = slots.tryAcquire('a');
    const a2 = slots.tryAcquire('a');
    expect(a1 && a2).toBeDefined();
    expect(slots.tryAcquire('a')).toBeUndefined();
    expect(slots.tryAcquire('b')).toBeDefined();
    expect(slots.tryAcquire('c')).toBeUndefined();
    a1?.();
    expect(slots.tryAcquire('c')).toBeDefined();
  });

  it('a release counts once, however often it is called', () => {
    const slots = new ExportSlots({ global: 2, perCompany: 2 });
    const release = slots.tryAcquire('a');
    slots.tryAcquire('a');
    release?.();
    release?.();
    expect(slots.inUse).toBe(1);
    expect(slots.tryAcquire('a')).toBeDefined();
    expect(slots.tryAcquire('a')).toBeUndefined();
  });
});
