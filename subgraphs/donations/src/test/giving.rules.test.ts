import { describe, expect, it } from 'vitest';
import { givingCsvRoute } from '../../../../gateway/src/reports/giving.route';
import { csvField, toCsv } from '../../../../gateway/src/reports/csv';
import { checkChain, GENESIS_HASH, receiptHash, type ReceiptFacts } from '../domain/receipt-chain';
import { pointsValueMinor } from '../services/donations.service';
import { pledgeMinor } from '../services/pledges.service';

function chain(n: number): (ReceiptFacts & { hash: string })[] {
  const out: (ReceiptFacts & { hash: string })[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const facts: ReceiptFacts = {
      charityId: '00000000-0000-4000-8000-000000000001',
      seq: BigInt(i),
      receiptId: `R-${i}`,
      kind: 'DONATION',
      subjectId: `00000000-0000-4000-8000-0000000000${String(i).padStart(2, '0')}`,
      points: BigInt(10 * i),
      amountMinor: BigInt(i),
      currency: 'EUR',
      createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
      prevHash: prev,
    };
    const hash = receiptHash(facts);
    out.push({ ...facts, hash });
    prev = hash;
  }
  return out;
}

describe('receipt chain', () => {
  it('verifies an intact chain and names its head', () => {
    const c = chain(12);
    expect(checkChain(c)).toEqual({ valid: true, length: 12n, headHash: c[11].hash, firstBrokenSeq: null });
    expect(checkChain([])).toEqual({ valid: true, length: 0n, headHash: GENESIS_HASH, firstBrokenSeq: null });
  });

  it('finds the first altered, reordered, removed or relinked receipt', () => {
    const altered = chain(5);
    altered[2] = { ...altered[2], amountMinor: 999n };
    expect(checkChain(altered).firstBrokenSeq).toBe(3n);
    const gap = chain(5).filter((r) => r.seq !== 2n);
    expect(checkChain(gap).firstBrokenSeq).toBe(2n);
    const rehashed = chain(5);
    rehashed[1] = { ...rehashed[1], points: 1n };
    rehashed[1].hash = receiptHash(rehashed[1]); // recomputed by a forger: the next link breaks instead
    expect(checkChain(rehashed).firstBrokenSeq).toBe(3n);
    const timeShift = chain(3);
    timeShift[0] = { ...timeShift[0], createdAt: new Date(timeShift[0].createdAt.getTime() + 1) };
    expect(checkChain(timeShift).valid).toBe(false);
  });

  // One altered value per hashed fact: each must change the hash, and a stored receipt altered in it (its
  // hash left as it was) must be the first broken one. Dropping a fact from the encoding fails its case.
  const TAMPERED: [keyof ReceiptFacts, (r: ReceiptFacts) => ReceiptFacts][] = [
    ['charityId', (r) => ({ ...r, charityId: '00000000-0000-4000-8000-000000000002' })],
    ['seq', (r) => ({ ...r, seq: r.seq + 10n })],
    ['receiptId', (r) => ({ ...r, receiptId: `${r.receiptId}-x` })],
    ['kind', (r) => ({ ...r, kind: 'MATCH' })],
    ['subjectId', (r) => ({ ...r, subjectId: '00000000-0000-4000-8000-0000000000ff' })],
    ['currency', (r) => ({ ...r, currency: 'NOK' })],
    ['amountMinor', (r) => ({ ...r, amountMinor: r.amountMinor + 1n })],
    ['points', (r) => ({ ...r, points: r.points! + 1n })],
    ['points', (r) => ({ ...r, points: null })],
    ['createdAt', (r) => ({ ...r, createdAt: new Date(r.createdAt.getTime() + 1) })],
    ['prevHash', (r) => ({ ...r, prevHash: 'f'.repeat(64) })],
  ];

  it.each(TAMPERED)('changes the hash when %s is altered', (field, tamper) => {
    const [, second] = chain(2);
    const { hash: _hash, ...facts } = second;
    const altered = tamper(facts);
    expect(altered[field]).not.toEqual(facts[field]);
    expect(receiptHash(altered)).not.toBe(receiptHash(facts));
  });

  it.each(TAMPERED)('names the receipt whose %s was altered in storage as the first broken one', (_field, tamper) => {
    const stored = chain(4);
    stored[2] = { ...tamper(stored[2]), hash: stored[2].hash };
    expect(checkChain(stored)).toMatchObject({ valid: false, length: 4n, firstBrokenSeq: 3n });
  });
});

describe('money rules', () => {
  it('values donated points exactly, rounding down to the minor unit', () => {
    expect(pointsValueMinor(120n, 10_000n, 'EUR')).toBe(120n); // 120 × 0.01 EUR = 1.20
    expect(pointsValueMinor(1n, 4_999n, 'EUR')).toBe(0n); // 0.004999 EUR
    expect(pointsValueMinor(3n, 333_333n, 'EUR')).toBe(99n); // 0.999999 EUR
    expect(pointsValueMinor(7n, 1_500_000n, 'JPY')).toBe(10n); // 10.5 yen, no minor unit
    expect(pointsValueMinor(2_147_483_647n, 1_000_000n, 'KWD')).toBe(2_147_483_647_000n);
  });

  it('pledges a percentage of the purchase in minor units, rounding down', () => {
    expect(pledgeMinor(25_000n, 150)).toBe(375n);
    expect(pledgeMinor(9_999n, 150)).toBe(149n);
    expect(pledgeMinor(99n, 100)).toBe(0n);
    expect(pledgeMinor(12_345n, 10_000)).toBe(12_345n);
  });
});

describe('CSV', () => {
  it('quotes per RFC 4180 and defuses spreadsheet formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('-12.50')).toBe('-12.50');
    const { header, rows } = givingCsvRoute.render({
      givingReport: { rows: [{ period: '2026-01', kind: 'PLEDGE', charity: { id: 'c', name: 'Red, Cross' }, partner: { id: 'p' }, count: '2', points: '0', value: { amount: '5.24', currency: 'NOK' } }] },
    });
    const csv = toCsv(header, rows);
    expect(csv).toBe('period,kind,charity_id,charity_name,partner_id,count,points,amount,currency\r\n2026-01,PLEDGE,c,"Red, Cross",p,2,0,5.24,NOK\r\n');
  });
});
