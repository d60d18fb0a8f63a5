import { monthlyPeriod, type CsvReportRoute } from './csv';

interface Money {
  amount: string;
  currency: string;
}
interface Line {
  points: string;
  value: Money;
  exactValue: string;
}
interface Flow extends Line {
  partner: { id: string };
}

const LINE = 'points value { amount currency } exactValue';
const FLOW = `partner { id } ${LINE}`;

/** One partner's settlement statement: one row per statement line and per cross-partner flow. */
export const settlementCsvRoute: CsvReportRoute = {
  path: '/reports/settlement.csv',
  parameters: [
    { name: 'partnerId', required: true },
    { name: 'from', required: false },
    { name: 'to', required: false },
    { name: 'month', required: false },
  ],
  // A month by default: `month=2026-11`; or any period with `from` and `to`.
  variables: monthlyPeriod,
  document: `query SettlementStatementCsv($partnerId: ID!, $from: String!, $to: String!) {
    settlementStatement(partnerId: $partnerId, from: $from, to: $to) {
      partner { id } currency from to pointsIssued issuedValue { amount currency } issuedValueExact
      pointsHonoured reimbursementValue { amount currency } reimbursementValueExact net { amount currency } roundingRemainder
      earned { ${LINE} } refunded { ${LINE} } clawedBack { ${LINE} } redeemed { ${LINE} } returned { ${LINE} } breakage { ${LINE} } donated { ${LINE} }
      granted { ${LINE} } bonuses { ${LINE} } cashedOut { ${LINE} } honouredFromCoalition { ${LINE} }
      honouredByIssuer { ${FLOW} } issuedHonouredBy { ${FLOW} } unpricedPoints
      membershipFees { count value { amount currency } } totalOwed { amount currency }
      byStore { store { id } earns pointsEarned pointsRefunded purchases { amount currency } }
    }
  }`,
  filename: (p) => `settlement-${p.partnerId}-${p.from.slice(0, 10)}-${p.to.slice(0, 10)}`,
  render(data) {
    const s = (data as {
      settlementStatement: {
        partner: { id: string };
        currency: string;
        from: string;
        to: string;
        pointsIssued: string;
        issuedValue: Money;
        issuedValueExact: string;
        pointsHonoured: string;
        reimbursementValue: Money;
        reimbursementValueExact: string;
        net: Money;
        roundingRemainder: string;
        earned: Line;
        refunded: Line;
        clawedBack: Line;
        redeemed: Line;
        returned: Line;
        breakage: Line;
        donated: Line;
        granted: Line;
        bonuses: Line;
        cashedOut: Line;
        honouredFromCoalition: Line;
        honouredByIssuer: Flow[];
        issuedHonouredBy: Flow[];
        unpricedPoints: string;
        membershipFees: { count: number; value: Money };
        totalOwed: Money;
        byStore: { store: { id: string }; earns: number; pointsEarned: string; pointsRefunded: string; purchases: Money }[];
      };
    }).settlementStatement;
    const row = (line: string, counterparty: string | null, points: string | null, amount: string | null, exact: string | null, store: string | null = null) => [
      s.partner.id,
      s.currency,
      s.from,
      s.to,
      line,
      counterparty,
      points,
      amount,
      exact,
      store,
    ];
    const of = (name: string, l: Line) => row(name, null, l.points, l.value.amount, l.exactValue);
    return {
      header: ['partner_id', 'currency', 'from', 'to', 'line', 'counterparty_partner_id', 'points', 'amount', 'exact_amount', 'store_id'],
      rows: [
        row('issued', null, s.pointsIssued, s.issuedValue.amount, s.issuedValueExact),
        of('earned', s.earned),
        of('refunded', s.refunded),
        of('clawed_back', s.clawedBack),
        of('granted', s.granted),
        of('bonuses', s.bonuses),
        row('honoured', null, s.pointsHonoured, s.reimbursementValue.amount, s.reimbursementValueExact),
        of('redeemed', s.redeemed),
        of('returned', s.returned),
        of('honoured_from_coalition', s.honouredFromCoalition),
        of('breakage', s.breakage),
        of('donated', s.donated),
        of('cashed_out', s.cashedOut),
        row('net', null, null, s.net.amount, null),
        row('rounding_remainder', null, null, null, s.roundingRemainder),
        row('unpriced', null, s.unpricedPoints, null, null),
        // Paid memberships sold at this partner's till: the fees it owes (exact: a plan's price has no fraction); then everything owed.
        row('membership_fees', null, null, s.membershipFees.value.amount, s.membershipFees.value.amount),
        row('total_owed', null, null, s.totalOwed.amount, null),
        ...s.honouredByIssuer.map((f) => row('honoured_from_issuer', f.partner.id, f.points, f.value.amount, f.exactValue)),
        ...s.issuedHonouredBy.map((f) => row('issued_honoured_by', f.partner.id, f.points, f.value.amount, f.exactValue)),
        // Per store (earns that named one): points earned with the purchases' amount, and points refunded.
        ...s.byStore.flatMap((b) => [row('store_earned', null, b.pointsEarned, b.purchases.amount, null, b.store.id), row('store_refunded', null, b.pointsRefunded, null, null, b.store.id)]),
      ],
    };
  },
};
